"""Person links: what is proposed from name, birth date and partners, what is not, and the
decisions (confirm, reject) that are kept and audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from hotich.core.models import AuditEvent, Job
from hotich.people.links import Seen, compare
from hotich.people.models import PersonLink
from hotich.people.services import (
    person_link_decide,
    person_links_propose,
    person_links_propose_start,
)

S = PersonLink.Status


def links() -> dict[tuple[tuple[int, str], tuple[int, str]], PersonLink]:
    return {
        ((k.record_a_id, k.role_a), (k.record_b_id, k.role_b)): k for k in PersonLink.objects.all()
    }


def key(x: tuple[int, str], y: tuple[int, str]):
    return tuple(sorted((x, y)))


def seen(rid: int, role: str, **kw) -> Seen:
    values = {"name": "tran thi binh", "sex": "2", "year": 1985, "month": 3, "day": 5}
    return Seen(rid, role, **{**values, **kw})


def test_a_birth_and_a_marriage_of_one_name_and_birth_date_are_one_person():
    proposal = compare(seen(1, "registered"), seen(2, "wife", sex="2"))
    assert proposal is not None
    assert proposal.score == 80 and proposal.reasons == ("name", "date")


def test_two_births_or_two_mothers_of_one_name_are_not_proposed_as_a_link():
    assert compare(seen(1, "registered"), seen(2, "registered")) is None  # a duplicate
    assert compare(seen(1, "mother"), seen(2, "mother")) is None


def test_what_contradicts_is_never_proposed():
    assert compare(seen(1, "registered"), seen(2, "husband", sex="1")) is None
    assert compare(seen(1, "registered"), seen(2, "wife", month=4)) is None
    assert compare(seen(1, "registered"), seen(2, "wife", year=1986)) is None
    assert compare(seen(1, "registered", pid="1"), seen(2, "wife", pid="2")) is None
    assert compare(seen(1, "registered"), seen(1, "wife")) is None  # one record, two people


def test_the_family_gets_its_links_and_the_namesake_elsewhere_none(family, users):
    counts = person_links_propose(actor=users["unit_admin"])
    binh, marriage, daughter = family["binh"], family["marriage"], family["daughter"]
    found = {k: (link.score, tuple(link.reasons)) for k, link in links().items()}
    assert found == {
        # her own birth and her marriage: name and full birth date
        key((binh.pk, "registered"), (marriage.pk, "wife")): (80, ("name", "date")),
        # the mother in her daughter's birth record: name and birth year
        key((binh.pk, "registered"), (daughter.pk, "mother")): (60, ("name", "year")),
        # the wife of the marriage and the mother: the husband is the father, too
        key((marriage.pk, "wife"), (daughter.pk, "mother")): (75, ("name", "year", "partner")),
        key((marriage.pk, "husband"), (daughter.pk, "father")): (75, ("name", "year", "partner")),
    }
    assert counts == {"proposed": 4, "updated": 0, "kept": 0}
    namesake = family["namesake"].pk
    assert not PersonLink.objects.filter(record_a_id=namesake).exists()
    assert not PersonLink.objects.filter(record_b_id=namesake).exists()


def test_the_province_sees_the_namesake_too(family, users):
    person_links_propose(actor=users["province_admin"])
    namesake = family["namesake"].pk
    assert PersonLink.objects.filter(record_b_id=namesake).count() >= 2


def test_decisions_are_kept_when_links_are_proposed_again(family, users):
    admin = users["unit_admin"]
    person_links_propose(actor=admin)
    binh, daughter = family["binh"], family["daughter"]
    mother = links()[key((binh.pk, "registered"), (daughter.pk, "mother"))]
    wife = PersonLink.objects.get(record_b=family["marriage"], role_b="wife", record_a=binh)
    person_link_decide(actor=admin, link=mother, confirmed=True, note="cùng người")
    person_link_decide(actor=users["lookup"], link=wife, confirmed=False)
    counts = person_links_propose(actor=admin)
    assert counts == {"proposed": 0, "updated": 2, "kept": 2}
    assert PersonLink.objects.count() == 4
    mother.refresh_from_db()
    wife.refresh_from_db()
    assert (mother.status, mother.note, mother.decided_by) == (S.CONFIRMED, "cùng người", admin)
    assert wife.status == S.REJECTED and wife.decided_by == users["lookup"]


def test_a_decision_is_audited_with_the_one_before(family, users):
    admin = users["unit_admin"]
    person_links_propose(actor=admin)
    link = PersonLink.objects.order_by("-score").first()
    person_link_decide(actor=admin, link=link, confirmed=True)
    person_link_decide(actor=admin, link=link, confirmed=False, note="hai người trùng tên")
    events = list(AuditEvent.objects.filter(object_type="people.personlink").order_by("id"))
    assert [e.action for e in events] == [
        "person_link.propose",
        "person_link.confirm",
        "person_link.reject",
    ]
    assert events[2].before == {"status": "confirmed", "note": ""}
    assert events[2].after["status"] == "rejected"
    assert events[2].after["note"] == "hai người trùng tên"
    assert events[2].actor == admin and events[2].object_id == str(link.pk)


@pytest.mark.parametrize("who", ["operator", "reviewer", "auditor", "contractor"])
def test_only_lookup_officers_and_administrators_propose_and_decide(family, users, who):
    person_links_propose(actor=users["unit_admin"])
    link = PersonLink.objects.first()
    with pytest.raises(PermissionDenied):
        person_links_propose(actor=users[who])
    with pytest.raises(PermissionDenied):
        person_link_decide(actor=users[who], link=link, confirmed=True)
    link.refresh_from_db()
    assert link.status == S.PROPOSED


def test_an_administrator_of_another_office_cannot_decide_a_link_it_cannot_see(family, users):
    person_links_propose(actor=users["unit_admin"])
    link = PersonLink.objects.first()
    with pytest.raises(PermissionDenied):
        person_link_decide(actor=users["other_admin"], link=link, confirmed=True)
    assert not AuditEvent.objects.filter(action="person_link.confirm").exists()


def test_proposing_for_one_record_finds_only_its_links(family, users):
    counts = person_links_propose(actor=users["lookup"], records=[family["marriage"]])
    marriage = family["marriage"].pk
    assert counts["proposed"] == 3
    assert all(marriage in (k.record_a_id, k.record_b_id) for k in PersonLink.objects.all())


def test_the_scope_wide_proposal_runs_as_a_job(family, users):
    job = person_links_propose_start(actor=users["lookup"])
    assert job.status == Job.Status.DONE, job.message
    assert job.result == {"proposed": 4, "updated": 0, "kept": 0}
    assert PersonLink.objects.count() == 4


def test_a_death_links_to_the_father_in_his_childs_birth(family, users, tree):
    from hotich.records.services import record_save
    from tests.factories import RegisterFactory

    deaths = RegisterFactory(custodian=tree["phong"], register_type="KT", year_start=2015)
    death = record_save(
        actor=users["operator"],
        register=deaths,
        raw={
            "so": "01",
            "quyenSo": "01",
            "ngayDangKy": "03.02.2015",
            "nktHoTen": "Trần Văn Năm",
            "nktGioiTinh": "1",
            "nktNgaySinh": "1958",
            "nktNgayChet": "01.02.2015",
        },
    ).record
    counts = person_links_propose(actor=users["lookup"], records=[death])
    assert counts["proposed"] == 1
    link = PersonLink.objects.get()
    assert {(link.record_a_id, link.role_a), (link.record_b_id, link.role_b)} == {
        (family["binh"].pk, "father"),
        (death.pk, "deceased"),
    }
