"""Probable duplicates: the job stores the pairs of the admin's scope, a decision is audited
and kept, decided pairs are not proposed again, the pages show both records side by side."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from hotich.core.models import AuditEvent, Job
from hotich.people.models import DuplicatePair
from hotich.people.services import (
    PeopleError,
    duplicate_pair_decide,
    duplicates_find,
    duplicates_find_start,
)
from tests.factories import RegisterFactory
from tests.people.conftest import birth

D = DuplicatePair.Status


@pytest.fixture
def keyed_twice(users, tree, register):
    """Two cases of office `phong` keyed twice, in two registers; one more in `phong2`."""
    operator = users["operator"]
    second = RegisterFactory(custodian=tree["phong"], register_type="KS", year_start=2010)
    elsewhere = RegisterFactory(custodian=tree["phong2"], register_type="KS", year_start=2010)
    nam = {
        "nksHoTen": "TRẦN VĂN NAM",
        "nksGioiTinh": "1",
        "meHoTen": "LÊ THỊ HẠNH",
        "chaHoTen": "TRẦN VĂN HÙNG",
        "nycHoTen": "TRẦN VĂN HÙNG",
        "ngayDangKy": "10.06.2010",
    }
    records = {
        "hoa": birth(register, operator, 1),
        # keyed again without diacritics: the same case, surely
        "hoa_again": birth(second, operator, 7, nksHoTen="NGUYEN THI HOA"),
        "nam": birth(register, operator, 2, nksNgaySinh="02.05.2010", **nam),
        # day and month exchanged: the same case, less surely
        "nam_again": birth(second, operator, 8, nksNgaySinh="05.02.2010", **nam),
        "other": birth(elsewhere, users["other_admin"], 1, nksHoTen="NGUYỄN THỊ HOÀ"),
        "someone_else": birth(register, operator, 3, nksHoTen="PHẠM VĂN ĐỨC"),
    }
    return records


def pairs() -> set[tuple[int, int]]:
    return set(DuplicatePair.objects.values_list("record_a_id", "record_b_id"))


def ids(a, b) -> tuple[int, int]:
    return tuple(sorted((a.pk, b.pk)))  # type: ignore[return-value]


def test_the_job_stores_the_pairs_of_the_administrators_scope(keyed_twice, users):
    job = duplicates_find_start(actor=users["unit_admin"])
    assert job.status == Job.Status.DONE, job.message
    r = keyed_twice
    assert pairs() == {ids(r["hoa"], r["hoa_again"]), ids(r["nam"], r["nam_again"])}
    assert job.result["new"] == 2 and job.result["records"] == 5
    nam = DuplicatePair.objects.get(record_a=r["nam"])
    assert nam.status == D.OPEN and nam.score < 100 and "date:swapped" in nam.reasons
    assert AuditEvent.objects.filter(action="duplicates.find", actor=users["unit_admin"]).exists()


def test_the_province_finds_the_pair_across_offices(keyed_twice, users):
    duplicates_find(actor=users["province_admin"])
    r = keyed_twice
    assert ids(r["hoa"], r["other"]) in pairs()


def test_decided_pairs_are_not_proposed_again(keyed_twice, users):
    admin = users["unit_admin"]
    duplicates_find(actor=admin)
    hoa, nam = DuplicatePair.objects.order_by("-score")
    duplicate_pair_decide(actor=admin, pair=hoa, same=True, note="nhập hai lần")
    duplicate_pair_decide(actor=users["lookup"], pair=nam, same=False)
    counts = duplicates_find(actor=admin)
    assert (counts["new"], counts["kept"], counts["updated"]) == (0, 2, 0)
    assert DuplicatePair.objects.count() == 2
    assert set(DuplicatePair.objects.values_list("status", flat=True)) == {D.SAME, D.NOT_SAME}


def test_a_decision_is_audited_and_cannot_be_made_twice(keyed_twice, users):
    duplicates_find(actor=users["unit_admin"])
    pair = DuplicatePair.objects.order_by("-score").first()
    duplicate_pair_decide(actor=users["lookup"], pair=pair, same=False, note="hai trẻ sinh đôi")
    event = AuditEvent.objects.get(action="duplicate.not_same")
    assert event.actor == users["lookup"] and event.object_id == str(pair.pk)
    assert event.before == {"status": "open"}
    assert event.after["note"] == "hai trẻ sinh đôi"
    assert event.after["records"] == [pair.record_a_id, pair.record_b_id]
    with pytest.raises(PeopleError):
        duplicate_pair_decide(actor=users["unit_admin"], pair=pair, same=True)
    pair.refresh_from_db()
    assert pair.status == D.NOT_SAME and pair.decided_by == users["lookup"]


def test_only_administrators_run_the_search(keyed_twice, users):
    for who in ("lookup", "operator", "reviewer", "auditor", "contractor"):
        with pytest.raises(PermissionDenied):
            duplicates_find_start(actor=users[who])
    assert not Job.objects.exists()


@pytest.mark.parametrize("who", ["operator", "reviewer", "contractor", "other_admin"])
def test_others_may_not_decide(keyed_twice, users, who):
    duplicates_find(actor=users["unit_admin"])
    pair = DuplicatePair.objects.first()
    with pytest.raises(PermissionDenied):
        duplicate_pair_decide(actor=users[who], pair=pair, same=True)
    pair.refresh_from_db()
    assert pair.status == D.OPEN


def test_the_list_shows_open_pairs_surest_first(keyed_twice, users, login):
    duplicates_find(actor=users["unit_admin"])
    client = login(users["lookup"])
    page = client.get(reverse("people:duplicates"))
    assert page.status_code == 200
    rows = page.context["rows"]
    assert [row["pair"].record_a for row in rows] == [keyed_twice["hoa"], keyed_twice["nam"]]
    assert "đảo ngày và tháng" in page.content.decode()
    assert not page.context["can_search"]  # a look-up officer decides, does not search


def test_a_pair_outside_the_scope_is_neither_listed_nor_opened(keyed_twice, users, login):
    duplicates_find(actor=users["province_admin"])
    across = DuplicatePair.objects.get(record_a=keyed_twice["hoa"], record_b=keyed_twice["other"])
    client = login(users["unit_admin"])
    listed = {row["pair"] for row in client.get(reverse("people:duplicates")).context["rows"]}
    assert across not in listed and len(listed) == 2
    assert client.get(reverse("people:pair", args=[across.pk])).status_code == 404
    response = client.post(reverse("people:pair", args=[across.pk]), {"action": "same"})
    assert response.status_code == 404
    province = login(users["province_admin"])
    assert province.get(reverse("people:pair", args=[across.pk])).status_code == 200


def test_the_pair_page_shows_both_records_with_the_differences_marked(keyed_twice, users, login):
    duplicates_find(actor=users["unit_admin"])
    pair = DuplicatePair.objects.get(record_a=keyed_twice["nam"])
    page = login(users["unit_admin"]).get(reverse("people:pair", args=[pair.pk]))
    assert page.status_code == 200
    differing = {
        (str(s["label"]), str(row["label"]))
        for s in page.context["sections"]
        for row in s["rows"]
        if row["differ"]
    }
    assert differing == {
        ("Thông tin đăng ký", "Số đăng ký"),
        ("Người được khai sinh", "Ngày, tháng, năm sinh"),
    }, differing
    body = page.content.decode()
    assert "pair-differ" in body and "02.05.2010" in body and "05.02.2010" in body
    assert 'value="same"' in body and 'value="not_same"' in body


def test_deciding_on_the_page_moves_to_the_next_open_pair(keyed_twice, users, login):
    duplicates_find(actor=users["unit_admin"])
    first, second = DuplicatePair.objects.order_by("-score")
    client = login(users["unit_admin"])
    response = client.post(reverse("people:pair", args=[first.pk]), {"action": "same", "note": ""})
    assert response.status_code == 302
    assert response["Location"] == reverse("people:pair", args=[second.pk])
    first.refresh_from_db()
    assert first.status == D.SAME and first.decided_by == users["unit_admin"]
    again = client.post(reverse("people:pair", args=[first.pk]), {"action": "not_same"})
    assert again.status_code == 400
    first.refresh_from_db()
    assert first.status == D.SAME


def test_an_administrator_starts_the_search_from_the_list(keyed_twice, users, login):
    client = login(users["unit_admin"])
    assert client.post(reverse("people:duplicates_find")).status_code == 302
    assert len(pairs()) == 2
    body = client.get(reverse("people:duplicates")).content.decode()
    assert "2 cặp mới" in body
    lookup = login(users["lookup"])
    assert lookup.post(reverse("people:duplicates_find")).status_code == 403


@pytest.mark.parametrize("who", ["operator", "reviewer", "contractor"])
def test_the_duplicates_pages_are_refused_to_other_roles(keyed_twice, users, login, who):
    assert login(users[who]).get(reverse("people:duplicates")).status_code == 403


def test_the_list_reads_a_fixed_number_of_queries_however_many_pairs(
    keyed_twice, users, login, django_assert_max_num_queries
):
    duplicates_find(actor=users["province_admin"])
    assert DuplicatePair.objects.count() >= 4
    client = login(users["province_admin"])
    with django_assert_max_num_queries(12):
        page = client.get(reverse("people:duplicates"))
    assert len(page.context["rows"]) == DuplicatePair.objects.count()


def test_the_job_reports_its_progress_over_the_records_of_the_scope(keyed_twice, users):
    job = duplicates_find_start(actor=users["unit_admin"])
    assert (job.progress, job.total) == (5, 5)


def test_an_open_pair_no_longer_found_after_a_correction_is_dropped(keyed_twice, users):
    from hotich.records.services import record_save

    admin = users["unit_admin"]
    duplicates_find(actor=admin)
    again = keyed_twice["hoa_again"]
    record_save(
        actor=users["operator"],
        register=again.register,
        record=again,
        raw={**again.data, "nksHoTen": "LÊ VĂN TÁM", "nksGioiTinh": "1"},
        ack=again.ack,
    )
    counts = duplicates_find(actor=admin)
    assert counts["dropped"] == 1
    assert pairs() == {ids(keyed_twice["nam"], keyed_twice["nam_again"])}
