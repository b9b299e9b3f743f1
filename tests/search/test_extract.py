"""The extract (trích lục) of a record: its content, who may print it, and the trace it leaves."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from hotich.core.models import AuditEvent
from hotich.records.services import margin_note_add, record_save
from hotich.search.extract import NOT_READ, extract_lines, extract_pdf
from tests.records.test_record_save import BIRTH


@pytest.fixture
def birth(register, users):
    raw = {**BIRTH, "nksNoiSinh": "Trạm y tế xã Phước Tỉnh", "nksQueQuan": "?"}
    record = record_save(actor=users["operator"], register=register, raw=raw).record
    margin_note_add(
        actor=users["unit_admin"],
        record=record,
        kind="correction",
        text="Cải chính họ mẹ",
        date_text="05.06.2015",
    )
    return record


def _text(content: bytes) -> str:
    """The PDF's text with line breaks as spaces (long lines wrap anywhere)."""
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_a_birth_extract_prints_the_people_the_registration_and_the_register(birth):
    text = _text(extract_pdf(birth, printed_by="Cán bộ A"))
    assert "TRÍCH LỤC KHAI SINH" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    for value in ["NGUYỄN THỊ HOÀ", "01.03.2010", "TRẦN THỊ B", "NGUYỄN VĂN C", "Kinh"]:
        assert value in text, value
    # The sex is a code in the data ("2") and its label on the extract.
    assert "Nữ" in text
    # The reference names the book, volume, number, date and authority.
    assert "Sổ đăng ký khai sinh, quyển số" in text
    assert "số 01, ngày 10/03/2010" in text
    assert birth.register.authority_name in text
    assert "Cải chính họ mẹ" in text
    assert "NGƯỜI KÝ TRÍCH LỤC" in text


def test_an_unreadable_field_is_printed_as_unreadable_and_empty_fields_are_left_out(birth):
    lines = extract_lines(birth)
    values = [value for _section, rows in lines["people"] for _label, value in rows]
    assert NOT_READ in values
    labels = [label for _section, rows in lines["people"] for label, _value in rows]
    # nksNgaySinhBangChu was not keyed: no empty line for it.
    assert not any("bằng chữ" in label for label in labels)


def test_the_extract_is_vietnamese_whatever_the_interface_language(birth):
    from django.utils import translation

    with translation.override("en"):
        lines = extract_lines(birth)
    sections = [section for section, _rows in lines["people"]]
    assert any("khai sinh" in s.lower() or "người" in s.lower() for s in sections), sections


def test_a_lookup_officer_prints_an_extract_and_the_print_is_logged_with_its_purpose(
    client, users, birth
):
    client.force_login(users["lookup"])
    url = reverse("search:extract", kwargs={"record_id": birth.pk})
    response = client.get(url, {"purpose": "Công dân xin trích lục bản sao"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "NGUYỄN THỊ HOÀ" in _text(response.content)
    event = AuditEvent.objects.get(action="record.extract")
    assert event.actor == users["lookup"]
    assert event.object_id == str(birth.pk)
    assert event.after["purpose"] == "Công dân xin trích lục bản sao"


@pytest.mark.parametrize("who", ["operator", "reviewer", "contractor"])
def test_keying_and_review_accounts_cannot_print_extracts(client, users, birth, who):
    client.force_login(users[who])
    response = client.get(reverse("search:extract", kwargs={"record_id": birth.pk}))
    assert response.status_code in {403, 404}
    assert not AuditEvent.objects.filter(action="record.extract").exists()


def test_an_officer_of_another_office_cannot_see_the_record(client, users, birth):
    client.force_login(users["other_admin"])
    response = client.get(reverse("search:extract", kwargs={"record_id": birth.pk}))
    assert response.status_code == 404


def test_search_results_lead_a_lookup_officer_to_the_person_and_the_extract_with_the_purpose(
    client, users, birth
):
    client.force_login(users["lookup"])
    html = client.get(reverse("search:page"), {"q": "nguyen thi hoa", "muc_dich": "Xin bản sao"})
    html = html.content.decode()
    child = birth.parties.get(role="registered")
    assert reverse("people:person", args=[child.pk]) + "?muc_dich=Xin%20b%E1%BA%A3n%20sao" in html
    assert reverse("search:extract", args=[birth.pk]) + "?muc_dich=Xin%20b%E1%BA%A3n%20sao" in html
    response = client.get(reverse("search:extract", args=[birth.pk]), {"muc_dich": "Xin bản sao"})
    assert response.status_code == 200
    assert AuditEvent.objects.get(action="record.extract").after["purpose"] == "Xin bản sao"


def test_an_operator_finds_people_but_gets_no_person_or_extract_links(client, users, birth):
    client.force_login(users["operator"])
    html = client.get(reverse("search:page"), {"q": "nguyen thi hoa"}).content.decode()
    assert "NGUYỄN THỊ HOÀ" in html
    assert reverse("search:extract", args=[birth.pk]) not in html
    assert "/nguoi/" not in html
