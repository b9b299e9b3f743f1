"""The keying screen through the test client: who may key, saving, conflicts, carry-over."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from hotich.records.models import Record
from hotich.records.services import record_create_placeholder, record_save
from hotich.registers.models import Assignment
from tests.records.test_record_save import BIRTH


@pytest.fixture
def keyed(register, users):
    return record_save(actor=users["operator"], register=register, raw=BIRTH).record


@pytest.fixture
def contractor_on_register(register, users):
    Assignment.objects.create(
        register=register,
        user=users["contractor"],
        task=Assignment.Task.KEYING,
        assigned_by=users["unit_admin"],
    )
    return users["contractor"]


def post_record(client, url, data, **extra):
    return client.post(url, data, **extra)


def test_the_form_shows_every_keyed_column_in_template_order(login, users, keyed):
    client = login(users["unit_admin"])
    page = client.get(reverse("keying:record", args=[keyed.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index('name="so"') < html.index('name="nksHoTen"') < html.index('name="meHoTen"')
    assert 'value="NGUYỄN THỊ HOÀ"' in html
    assert "Người được khai sinh" in html
    assert 'name="nksQuocTichStr"' not in html


def test_an_operator_without_an_assignment_may_not_key(login, users, keyed):
    client = login(users["operator"])
    assert client.get(reverse("keying:record", args=[keyed.pk])).status_code == 403


def test_an_assigned_contractor_keys_and_the_record_is_saved(
    login, contractor_on_register, register
):
    client = login(contractor_on_register)
    response = client.post(reverse("keying:new", args=[register.pk]), {**BIRTH, "action": "next"})
    record = Record.objects.get(register=register)
    assert record.status == Record.Status.SUBMITTED
    assert record.updated_by == contractor_on_register
    assert response.status_code == 302
    assert response.url == reverse("keying:new", args=[register.pk])


def test_a_new_record_carries_over_what_repeats_and_suggests_the_next_number(
    login, users, keyed, register
):
    client = login(users["unit_admin"])
    html = client.get(reverse("keying:new", args=[register.pk])).content.decode()
    assert 'name="noiDangKy" data-field="noiDangKy" value="UBND xã Phước Tỉnh"' in html
    assert 'name="so" data-field="so" value="02"' in html
    assert 'name="nksHoTen" data-field="nksHoTen" value=""' in html


def test_a_draft_with_errors_stays_on_the_record_and_shows_them(login, users, register):
    client = login(users["unit_admin"])
    response = client.post(
        reverse("keying:new", args=[register.pk]),
        {**BIRTH, "nksNgaySinh": "32.01.2010", "action": "next"},
        follow=True,
    )
    record = Record.objects.get(register=register)
    assert record.status == Record.Status.DRAFT
    assert response.redirect_chain[-1][0] == reverse("keying:record", args=[record.pk])
    assert "Ngày 32 không có trong tháng đó." in response.content.decode()


def test_the_later_of_two_saves_is_refused_and_keeps_the_typed_values(login, users, keyed):
    url = reverse("keying:record", args=[keyed.pk])
    base = json.dumps(keyed.data)
    other = login(users["unit_admin"])
    other.post(url, {**BIRTH, "meHoTen": "TRẦN THỊ BÉ", "version": keyed.version, "base": base})
    response = other.post(
        url, {**BIRTH, "chaHoTen": "NGUYỄN VĂN CƯỜNG", "version": keyed.version, "base": base}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert 'value="NGUYỄN VĂN CƯỜNG"' in html  # what this person typed is still on screen
    assert "TRẦN THỊ BÉ" in html  # and the other change is shown
    assert Record.objects.get(pk=keyed.pk).data["chaHoTen"] == "NGUYỄN VĂN C"


def test_validation_as_you_type_answers_in_vietnamese(login, users, register):
    client = login(users["unit_admin"])
    response = client.post(
        reverse("keying:validate", args=[register.pk]), {**BIRTH, "nksGioiTinh": "9"}
    )
    issues = response.json()["issues"]
    assert {"field": "nksGioiTinh", "level": "error"}.items() <= issues[0].items()
    assert "danh mục" in issues[0]["message"]
    assert not Record.objects.filter(register=register).exists()


def test_a_placeholder_from_a_scan_name_opens_with_its_number_and_date(login, users, register):
    import datetime as dt

    placeholder = record_create_placeholder(
        actor=users["unit_admin"],
        register=register,
        source=Record.Source.FILENAME,
        number="07",
        registration_date=dt.date(2010, 2, 3),
    )
    client = login(users["unit_admin"])
    assert client.get(reverse("keying:register", args=[register.pk])).url == reverse(
        "keying:record", args=[placeholder.pk]
    )
    html = client.get(reverse("keying:record", args=[placeholder.pk])).content.decode()
    assert 'name="so" data-field="so" value="07"' in html
    assert 'value="03.02.2010"' in html


def test_margin_notes_are_added_from_the_screen(login, users, keyed):
    client = login(users["unit_admin"])
    client.post(
        reverse("keying:margin_note", args=[keyed.pk]),
        {"kind": "divorce", "date": "2015", "text": "Đã ly hôn theo bản án 12/2015"},
    )
    html = client.get(reverse("keying:record", args=[keyed.pk])).content.decode()
    assert "Đã ly hôn theo bản án 12/2015" in html


def test_the_grid_saves_a_row_and_reports_its_issues(login, users, register):
    client = login(users["unit_admin"])
    assert client.get(reverse("keying:grid", args=[register.pk])).status_code == 200
    response = client.post(
        reverse("keying:grid_save", args=[register.pk]),
        json.dumps({"values": {**BIRTH, "nksGioiTinh": ""}}),
        content_type="application/json",
    )
    body = response.json()
    assert body["status"] == "draft"
    assert any(i["field"] == "nksGioiTinh" for i in body["issues"])
    again = client.post(
        reverse("keying:grid_save", args=[register.pk]),
        json.dumps({"record": body["record"], "version": body["version"], "values": BIRTH}),
        content_type="application/json",
    ).json()
    assert again["status"] == "submitted" and again["version"] == body["version"] + 1


def test_progress_counts_submitted_records_against_the_declared_number(login, users, keyed):
    client = login(users["unit_admin"])
    html = client.get(reverse("keying:record", args=[keyed.pk])).content.decode()
    assert "Đã nhập 1 / 100" in html


def test_the_grid_proposes_the_next_free_number_and_shows_placeholders_number_and_date(
    login, users, register
):
    import datetime as dt

    record_save(actor=users["operator"], register=register, raw=BIRTH)  # number 01
    placeholder = record_create_placeholder(
        actor=users["operator"],
        register=register,
        source="scan",
        number="02",
        registration_date=dt.date(2010, 3, 12),
    )
    page = login(users["unit_admin"]).get(reverse("keying:grid", args=[register.pk]))
    blank = {c["field"].key: c["value"] for c in page.context["blank"]["cells"]}
    assert blank["so"] == "03"  # 02 is the scan's placeholder
    row = next(r for r in page.context["rows"] if r["record"].pk == placeholder.pk)
    shown = {c["field"].key: c["value"] for c in row["cells"]}
    assert (shown["so"], shown["ngayDangKy"]) == ("02", "12.03.2010")
    assert row["base_json"] == "{}"
