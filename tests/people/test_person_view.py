"""The person view: a person's own records and their children's births, linked; proposals to
confirm or reject; every view logged; nothing outside the viewer's scope."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hotich.core.models import AuditEvent
from hotich.people.models import PersonLink
from hotich.people.services import person_link_decide, person_links_propose
from tests.people.conftest import party


@pytest.fixture
def proposed(family, users):
    person_links_propose(actor=users["unit_admin"])
    return family


def url(record, role: str) -> str:
    return reverse("people:person", args=[party(record, role).pk])


def confirm_all(users):
    for link in PersonLink.objects.all():
        person_link_decide(actor=users["unit_admin"], link=link, confirmed=True)


def test_the_person_view_shows_the_proposals_with_buttons_to_decide(proposed, users, login):
    page = login(users["lookup"]).get(url(proposed["binh"], "registered"))
    assert page.status_code == 200
    body = page.content.decode()
    own, as_parent, links = (
        page.context["own"],
        page.context["as_parent"],
        page.context["proposed"],
    )
    assert [f["record"] for f in own] == [proposed["binh"]]
    assert as_parent == []
    assert {row["other"]["record"] for row in links} == {proposed["marriage"], proposed["daughter"]}
    assert body.count('value="confirm"') == 2 and body.count('value="reject"') == 2
    assert "Cùng một người" in body


def test_confirmed_links_show_the_births_marriage_and_children_together(proposed, users, login):
    confirm_all(users)
    page = login(users["lookup"]).get(url(proposed["marriage"], "wife"))
    own = [(f["record"], f["role"]) for f in page.context["own"]]
    as_parent = [(f["record"], f["role"]) for f in page.context["as_parent"]]
    # ordered by registration date: her birth (1985), then her marriage (2008)
    assert own == [(proposed["binh"], "registered"), (proposed["marriage"], "wife")]
    assert as_parent == [(proposed["daughter"], "mother")]
    assert page.context["proposed"] == []
    body = page.content.decode()
    assert "Trần Thị Bình" in body and "NGUYỄN THỊ HOÀ" in body
    assert "Bỏ liên kết" in body  # a confirmed link can be undone
    # the husband is another person: his link is not followed into her view
    assert all(f["role"] != "husband" for f in page.context["own"])


def test_each_record_links_to_its_scans_and_extract(proposed, users, login, monkeypatch):
    from hotich.people import display

    monkeypatch.setattr(display, "extract_url", lambda record: f"/trich-luc/{record.pk}/")
    page = login(users["lookup"]).get(url(proposed["binh"], "registered"))
    body = page.content.decode()
    assert f"/trich-luc/{proposed['binh'].pk}/" in body
    assert "Chưa có bản scan" in body


def test_every_view_of_a_person_is_logged_with_the_records_shown(proposed, users, login):
    binh = proposed["binh"]
    login(users["lookup"]).get(url(binh, "registered") + "?muc_dich=Cấp bản sao")
    event = AuditEvent.objects.get(action="person.view")
    assert event.actor == users["lookup"]
    assert event.object_id == str(party(binh, "registered").pk)
    assert event.after["record_ids"] == sorted(
        [binh.pk, proposed["marriage"].pk, proposed["daughter"].pk]
    )
    assert event.after["purpose"] == "Cấp bản sao"
    assert event.office_path == users["lookup"].office.path


def test_confirming_from_the_page_returns_to_the_person(proposed, users, login):
    link = PersonLink.objects.get(role_b="wife")
    client = login(users["lookup"])
    person = party(proposed["binh"], "registered").pk
    response = client.post(
        reverse("people:link_decide", args=[link.pk]),
        {"action": "confirm", "note": "đã đối chiếu", "nguoi": person},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("people:person", args=[person]) + "#lien-ket"
    link.refresh_from_db()
    assert link.status == "confirmed" and link.note == "đã đối chiếu"
    assert AuditEvent.objects.filter(action="person_link.confirm", actor=users["lookup"]).exists()


def test_looking_for_a_persons_records_from_the_page(family, users, login):
    client = login(users["unit_admin"])
    response = client.post(
        reverse("people:person_propose", args=[party(family["binh"], "registered").pk])
    )
    assert response.status_code == 302
    assert PersonLink.objects.count() == 2  # her marriage and her daughter's birth


@pytest.mark.parametrize(
    ("who", "status"), [("operator", 403), ("reviewer", 403), ("auditor", 403)]
)
def test_other_roles_of_the_office_may_not_open_a_person(proposed, users, login, who, status):
    client = login(users[who])
    assert client.get(url(proposed["binh"], "registered")).status_code == status
    link = PersonLink.objects.first()
    response = client.post(reverse("people:link_decide", args=[link.pk]), {"action": "confirm"})
    assert response.status_code == status
    assert not AuditEvent.objects.filter(action="person.view").exists()


@pytest.mark.parametrize("who", ["contractor", "other_admin", "other_province", "commune_admin"])
def test_outsiders_get_404(proposed, users, login, who):
    client = login(users[who])
    assert client.get(url(proposed["binh"], "registered")).status_code == 404
    link = PersonLink.objects.first()
    assert client.post(reverse("people:link_decide", args=[link.pk])).status_code == 404


def test_a_linked_record_outside_the_scope_is_not_shown(family, users, login):
    person_links_propose(actor=users["province_admin"])
    confirm_all_province = PersonLink.objects.filter(record_b=family["namesake"])
    for link in confirm_all_province:
        person_link_decide(actor=users["province_admin"], link=link, confirmed=True)
    page = login(users["lookup"]).get(url(family["binh"], "registered"))
    shown = {f["record"] for f in page.context["own"] + page.context["as_parent"]}
    shown |= {row["other"]["record"] for row in page.context["proposed"] + page.context["decided"]}
    assert family["namesake"] not in shown
    event = AuditEvent.objects.get(action="person.view")
    assert family["namesake"].pk not in event.after["record_ids"]


def test_the_proposals_page_lists_links_surest_first(proposed, users, login):
    page = login(users["lookup"]).get(reverse("people:links"))
    assert page.status_code == 200
    scores = [row["link"].score for row in page.context["rows"]]
    assert scores == [80, 75, 75, 60]


def test_the_proposals_page_starts_the_scope_wide_job(family, users, login):
    client = login(users["lookup"])
    response = client.post(reverse("people:links_propose"))
    assert response.status_code == 302
    assert PersonLink.objects.count() == 4
    page = client.get(reverse("people:links"))
    assert "4 đề xuất mới" in page.content.decode()


def test_the_proposals_page_reads_a_fixed_number_of_queries(
    family, users, login, django_assert_max_num_queries
):
    person_links_propose(actor=users["province_admin"])
    assert PersonLink.objects.count() >= 6
    client = login(users["province_admin"])
    with django_assert_max_num_queries(14):
        page = client.get(reverse("people:links"))
    assert len(page.context["rows"]) == PersonLink.objects.count()
