"""Wherever data leave the system, each record says how far it was checked; an extract of data
nobody checked says so on the paper (decision 0016)."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from hotich.core.models import AuditEvent
from hotich.records.models import data_status
from hotich.records.services import record_save
from hotich.registers.models import Register
from hotich.review.services import record_verify
from hotich.search.api import openapi_schema
from hotich.search.extract import extract_pdf
from hotich.search.services import api_token_create
from tests.records.test_record_save import BIRTH

MARK = "CHƯA KIỂM TRA"


@pytest.fixture
def birth(register, users):
    return record_save(actor=users["operator"], register=register, raw=BIRTH).record


def _text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_data_status_ladder():
    assert data_status("submitted", "keying") == "keyed"
    assert data_status("returned", "review") == "keyed"
    assert data_status("verified", "review") == "verified"
    assert data_status("verified", "accepted") == "accepted"
    assert data_status("verified", "delivered") == "delivered"


def test_an_unchecked_records_extract_carries_the_mark_and_a_checked_one_does_not(users, birth):
    assert MARK in _text(extract_pdf(birth))
    record_verify(actor=users["reviewer"], record=birth)
    birth.refresh_from_db()
    assert MARK not in _text(extract_pdf(birth))


def test_the_extract_log_keeps_the_status_that_was_printed(client, users, birth):
    client.force_login(users["lookup"])
    client.get(reverse("search:extract", args=[birth.pk]), {"muc_dich": "Cấp bản sao"})
    assert AuditEvent.objects.get(action="record.extract").after["data_status"] == "keyed"


def test_search_results_and_the_record_page_show_the_badge(client, users, birth):
    client.force_login(users["lookup"])
    html = client.get(reverse("search:page"), {"q": "nguyen thi hoa"}).content.decode()
    assert "d-keyed" in html and "Đã nhập, chưa kiểm tra" in html
    page = client.get(reverse("search:record", args=[birth.pk])).content.decode()
    assert "Đã nhập, chưa kiểm tra" in page
    Register.objects.filter(pk=birth.register_id).update(status="accepted")
    html = client.get(reverse("search:page"), {"q": "nguyen thi hoa"}).content.decode()
    assert "d-accepted" in html and "Đã nghiệm thu" in html


def test_the_api_gives_the_data_status_and_documents_it(client, users, birth):
    _token, key = api_token_create(actor=users["unit_admin"], name="t")
    body = client.get(
        reverse("search:api_search"), {"q": "nguyen thi hoa"}, HTTP_AUTHORIZATION=f"Bearer {key}"
    ).json()
    assert {hit["record"]["data_status"] for hit in body["results"]} == {"keyed"}
    schema = openapi_schema("/x")
    hit = schema["components"]["schemas"]["Hit"]["properties"]["record"]["properties"]
    assert hit["data_status"]["enum"] == ["keyed", "verified", "accepted", "delivered"]
