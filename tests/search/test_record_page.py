"""The read-only record page of look-up officers: content, scope, roles and the log."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hotich.core.models import AuditEvent
from hotich.records.services import margin_note_add
from tests.review.test_review import _page
from tests.search.conftest import key


@pytest.fixture
def birth(register, users):
    record = key(
        register,
        users["operator"],
        7,
        nksHoTen="Phạm Thị Hoà",
        nksGioiTinh="2",
        meHoTen="Đỗ Thị Lan",
        chaHoTen="Phạm Văn Tú",
    )
    margin_note_add(
        actor=users["unit_admin"], record=record, kind="correction", text="Cải chính tên cha"
    )
    return record


def url(record):
    return reverse("search:record", args=[record.pk])


def test_a_lookup_officer_reads_every_field_the_people_the_notes_and_the_scan(client, users, birth):
    page = _page(birth.register, birth, users["unit_admin"])
    client.force_login(users["lookup"])
    response = client.get(url(birth), {"muc_dich": "Công dân hỏi"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "PHẠM THỊ HOÀ" in html or "Phạm Thị Hoà" in html
    assert "<td>Nữ</td>" in html  # the sex code shown as its label
    assert "Cải chính tên cha" in html
    assert reverse("scans:page_image", args=[page.pk]) in html
    mother = birth.parties.get(role="mother")
    purpose = "?muc_dich=C%C3%B4ng%20d%C3%A2n%20h%E1%BB%8Fi"
    assert reverse("people:person", args=[mother.pk]) + purpose in html
    assert reverse("search:extract", args=[birth.pk]) in html
    # Read-only: no form posts anything from this page.
    main = html[html.index("<main") : html.index("</main>")]
    assert 'method="post"' not in main
    event = AuditEvent.objects.get(action="record.view")
    assert (event.actor, event.object_id) == (users["lookup"], str(birth.pk))
    assert event.after["purpose"] == "Công dân hỏi"


def test_an_officer_of_another_office_gets_not_found_and_nothing_is_logged(client, users, birth):
    client.force_login(users["other_admin"])
    assert client.get(url(birth)).status_code == 404
    assert not AuditEvent.objects.filter(action="record.view").exists()


@pytest.mark.parametrize("who", ["operator", "reviewer", "contractor"])
def test_keying_and_review_accounts_do_not_read_records_here(client, users, birth, who):
    client.force_login(users[who])
    assert client.get(url(birth)).status_code in {403, 404}
    assert not AuditEvent.objects.filter(action="record.view").exists()


def test_the_province_administrator_reads_a_record_of_an_office_below(client, users, birth):
    client.force_login(users["province_admin"])
    assert client.get(url(birth)).status_code == 200
    assert AuditEvent.objects.filter(action="record.view", actor=users["province_admin"]).exists()


def test_anonymous_visitors_are_sent_to_the_login_page(client, birth):
    response = client.get(url(birth))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_search_results_and_the_person_view_lead_to_the_record_page(client, users, birth):
    client.force_login(users["lookup"])
    html = client.get(reverse("search:page"), {"q": "pham thi hoa", "muc_dich": "Xin"}).content
    assert (reverse("search:record", args=[birth.pk]) + "?muc_dich=Xin").encode() in html
    child = birth.parties.get(role="registered")
    person = client.get(reverse("people:person", args=[child.pk])).content.decode()
    assert reverse("search:record", args=[birth.pk]) in person
