from __future__ import annotations

from django import forms

from hotich.units.models import AdminUnit
from hotich.units.widgets import UnitChoiceField


class OfficeUnitForm(forms.Form):
    unit = UnitChoiceField(label="Địa bàn", required=False)


class CommuneForm(forms.Form):
    unit = UnitChoiceField(label="Xã", era=AdminUnit.Era.Y2025, level=AdminUnit.Level.COMMUNE)


def test_picker_renders_the_chosen_units_full_name_and_id(units):
    html = str(OfficeUnitForm(initial={"unit": units["phuoc_tinh"]})["unit"])
    assert f'type="hidden" name="unit" value="{units["phuoc_tinh"].pk}"' in html
    assert 'name="unit_text" value="Xã Phước Tỉnh, Huyện Long Điền, Tỉnh Bà Rịa - Vũng Tàu"' in html
    assert 'id="id_unit"' in html and 'aria-controls="id_unit_list"' in html


def test_picker_renders_empty_without_a_unit(db):
    html = str(OfficeUnitForm()["unit"])
    assert 'name="unit" value=""' in html
    assert 'name="unit_text" value=""' in html


def test_picker_carries_its_filters_and_search_url(db):
    html = str(CommuneForm()["unit"])
    assert 'data-url="/don-vi-hanh-chinh/tim/"' in html
    assert 'data-era="2025"' in html and 'data-level="commune"' in html


def test_picker_media_brings_the_script_and_styles():
    media = str(OfficeUnitForm().media)
    assert "units/picker.js" in media and "units/picker.css" in media


def test_field_accepts_the_chosen_id(units):
    form = OfficeUnitForm({"unit": str(units["long_hai"].pk), "unit_text": "whatever"})
    assert form.is_valid()
    assert form.cleaned_data["unit"] == units["long_hai"]


def test_field_accepts_a_typed_name_that_names_one_unit(units):
    form = OfficeUnitForm({"unit": "", "unit_text": "xa long hai"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["unit"] == units["long_hai"]


def test_field_rejects_a_typed_name_that_matches_several_units_and_shows_it_again(units):
    form = OfficeUnitForm({"unit": "", "unit_text": "phuoc"})
    assert not form.is_valid()
    assert 'name="unit_text" value="phuoc"' in str(form["unit"])


def test_field_with_filters_rejects_a_unit_of_another_era(units):
    assert not CommuneForm({"unit": str(units["phuoc_tinh"].pk)}).is_valid()
    assert CommuneForm({"unit": str(units["long_hai"].pk)}).is_valid()


def test_cleared_picker_means_no_unit(units):
    form = OfficeUnitForm({"unit": "", "unit_text": ""})
    assert form.is_valid()
    assert form.cleaned_data["unit"] is None
