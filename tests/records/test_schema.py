"""The register-type declarations match the Ministry's templates column for column."""

from __future__ import annotations

import datetime as dt

import pytest

from hotich.records.schema import RECORD_TYPES, Kind, record_type
from hotich.records.schema.dates import PartialDateError, parse_partial_date

TEMPLATE_WIDTHS = {"KS": 70, "KH": 44, "KT": 48, "CMC": 50, "HN": 35}


@pytest.mark.parametrize(("code", "width"), TEMPLATE_WIDTHS.items())
def test_each_ministry_type_has_exactly_the_template_columns(code, width):
    rtype = record_type(code)
    assert rtype.ministry
    assert len(rtype.fields) == width
    assert len({f.key for f in rtype.fields}) == width


def test_the_older_birth_template_has_sixty_columns():
    ks = record_type("KS")
    older = [f for f in ks.fields if f.key not in ks.older_revision_lacks]
    assert len(older) == 60


def test_birth_columns_start_and_end_as_the_template_does():
    keys = [f.key for f in record_type("KS").fields]
    assert keys[:6] == ["STT", "so", "quyenSo", "trangSo", "ngayDangKy", "loaiDangKy"]
    assert keys[-1] == "qgNuocNgoaiDaDangKy"
    assert keys.index("meHoTen") < keys.index("chaHoTen") < keys.index("nycHoTen")


def test_marital_status_template_has_no_registration_kind_and_names_the_issuer():
    keys = {f.key for f in record_type("HN").fields}
    assert "loaiDangKy" not in keys
    assert "noiCap" in keys and "noiDangKy" not in keys


def test_product_forms_are_marked_as_the_products_own():
    own = {code for code, t in RECORD_TYPES.items() if not t.ministry}
    assert own == {"NCN", "GH", "TD", "LH"}


@pytest.mark.parametrize("code", RECORD_TYPES)
def test_every_person_field_belongs_to_a_role_of_the_type(code):
    rtype = record_type(code)
    roles = {r.key for r in rtype.roles}
    assert rtype.headline and set(rtype.headline) <= roles
    for f in rtype.fields:
        if f.attr:
            assert f.role in roles
        if f.kind == Kind.CODE:
            assert f.codes is not None, f.key


def test_people_of_a_birth_record_are_the_child_mother_father_and_declarant():
    assert [r.key for r in record_type("KS").roles] == [
        "registered",
        "mother",
        "father",
        "declarant",
    ]


def test_str_columns_are_filled_by_the_export_not_keyed():
    ks = record_type("KS")
    copy = ks.by_key["nksQuocTichStr"]
    assert copy.kind == Kind.COPY and copy.source == "nksQuocTich"
    assert "nksQuocTichStr" not in {f.key for f in ks.keyed_fields}
    assert "STT" not in {f.key for f in ks.keyed_fields}


def test_the_recognition_variant_adds_the_sex_of_parent_and_child():
    cmc = record_type("CMC")
    assert cmc.by_key["cmGioiTinh"].attr == "sex"
    assert "cmGioiTinh" not in [f.key for f in cmc.fields]


@pytest.mark.parametrize(
    ("text", "parts", "canonical"),
    [
        ("05.03.1975", (1975, 3, 5), "05.03.1975"),
        ("5/3/1975", (1975, 3, 5), "05.03.1975"),
        ("03.1975", (1975, 3, None), "03.1975"),
        ("1975", (1975, None, None), "1975"),
        ("??.03.1975", (1975, 3, None), "??.03.1975"),
        ("1975-03-05", (1975, 3, 5), "05.03.1975"),
    ],
)
def test_partial_dates_keep_what_the_register_says(text, parts, canonical):
    value = parse_partial_date(text)
    assert (value.year, value.month, value.day) == parts
    assert value.text == text
    assert value.canonical() == canonical


def test_a_month_and_year_is_never_given_a_day():
    value = parse_partial_date("02.2000")
    assert value.as_date() is None
    assert value.earliest() == dt.date(2000, 2, 1)
    assert value.latest() == dt.date(2000, 2, 29)


@pytest.mark.parametrize("text", ["31.02.2000", "13.1990", "5 tháng 3", "1700", "01.01.2999"])
def test_impossible_dates_are_refused_with_a_reason(text):
    with pytest.raises(PartialDateError) as exc:
        parse_partial_date(text)
    assert str(exc.value)
