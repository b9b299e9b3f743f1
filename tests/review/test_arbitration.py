"""Arbitration of double-keyed differences: take A, take B, type the value; the record written
and sent to review; and what may not happen — an operator arbitrating its own difference, a
contractor its own company's copies, anyone outside the register's scope, an incomplete or
invalid decision."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from hotich.core.models import AuditEvent
from hotich.keying.models import Comparison, FieldComparison
from hotich.keying.queries import NORMAL, agreement_by_operator, record_double_state
from hotich.keying.services import ArbitrationError, copy_save, double_keying_set
from hotich.records.models import Record
from hotich.records.services import record_create_placeholder
from hotich.registers.models import Assignment
from hotich.review.arbitration import arbitration_queue, record_arbitrate
from hotich.review.queries import review_queue
from tests.factories import UserFactory
from tests.keying.test_double_keying import keyer
from tests.records.test_record_save import BIRTH

S = Record.Status


def key_copy(register, record, actor, **values: str):
    return copy_save(actor=actor, register=register, record=record, raw={**BIRTH, **values})


@pytest.fixture
def plan(register, users):
    return double_keying_set(actor=users["unit_admin"], register=register)


@pytest.fixture
def record(register, users):
    return record_create_placeholder(
        actor=users["unit_admin"], register=register, source="filename"
    )


@pytest.fixture
def op_a(tree, users, register):
    return keyer(tree, users, register, "nhap_a")


@pytest.fixture
def op_b(tree, users, register):
    return keyer(tree, users, register, "nhap_b")


@pytest.fixture
def differing(register, plan, record, op_a, op_b) -> Comparison:
    """Copies that differ on three fields: the child's name, sex and the mother's name."""
    key_copy(register, record, op_a, nksHoTen="LÊ THỊ AN", nksGioiTinh="2", meHoTen="ĐỖ THỊ C")
    comparison = key_copy(
        register, record, op_b, nksHoTen="LÊ THỊ ÂN", nksGioiTinh="1", meHoTen="ĐỖ THI C"
    ).comparison
    assert comparison.state == Comparison.State.ARBITRATION
    return comparison


CHOICES = {
    "nksHoTen": ("b", ""),
    "nksGioiTinh": ("a", ""),
    "meHoTen": ("typed", " ĐỖ THỊ CÚC "),
}


def test_take_a_take_b_and_a_typed_value_write_the_record(differing, record, users):
    reviewer = users["reviewer"]
    comparison = record_arbitrate(actor=reviewer, record=record, choices=CHOICES)
    assert comparison.state == Comparison.State.ARBITRATED
    assert comparison.settled_by == reviewer
    record.refresh_from_db()
    assert record.data["nksHoTen"] == "LÊ THỊ ÂN"  # B
    assert record.data["nksGioiTinh"] == "2"  # A
    assert record.data["meHoTen"] == "ĐỖ THỊ CÚC"  # typed, trimmed
    assert record.data["chaHoTen"] == BIRTH["chaHoTen"]  # agreed fields as keyed
    assert record.status == S.SUBMITTED
    assert record_double_state(record) == NORMAL
    decided = {
        r.field: (r.choice, r.final, r.decided_by) for r in comparison.results.filter(agreed=False)
    }
    assert decided == {
        "nksHoTen": ("b", "LÊ THỊ ÂN", reviewer),
        "nksGioiTinh": ("a", "2", reviewer),
        "meHoTen": ("typed", "ĐỖ THỊ CÚC", reviewer),
    }
    event = AuditEvent.objects.get(action="keying.arbitrate")
    assert event.actor == reviewer
    assert event.after["decisions"]["meHoTen"] == {
        "a": "ĐỖ THỊ C",
        "b": "ĐỖ THI C",
        "choice": "typed",
        "final": "ĐỖ THỊ CÚC",
    }
    # On to review, by someone else than the arbitrator and the two operators.
    assert record not in review_queue(reviewer)
    assert record in review_queue(users["unit_admin"])


def test_the_agreement_rates_count_who_arbitration_overruled(differing, record, users, op_a, op_b):
    record_arbitrate(actor=users["reviewer"], record=record, choices=CHOICES)
    by_op = {r["user"]: r for r in agreement_by_operator(user=users["unit_admin"])}
    # A lost nksHoTen and meHoTen (typed); B lost nksGioiTinh and meHoTen.
    assert by_op[op_a]["overruled"] == 2
    assert by_op[op_b]["overruled"] == 2
    assert by_op[op_a]["compared"] == by_op[op_b]["compared"] == len(BIRTH)


def test_an_operator_who_keyed_a_copy_may_not_arbitrate_it(
    register, plan, record, users, op_b, login
):
    # An administrator may key and review; keying copy A makes them a party to the difference.
    admin = users["unit_admin"]
    key_copy(register, record, admin, nksHoTen="LÊ THỊ AN")
    key_copy(register, record, op_b, nksHoTen="LÊ THỊ ÂN")
    with pytest.raises(PermissionDenied, match="một trong hai bản"):
        record_arbitrate(actor=admin, record=record, choices={"nksHoTen": ("a", "")})
    assert not arbitration_queue(admin).exists()
    client = login(admin)
    url = reverse("review:arbitration", args=[record.pk])
    page = client.get(url)
    assert page.status_code == 403
    html = page.content.decode()
    assert "người khác phải đối chiếu" in html
    assert "LÊ THỊ ÂN" not in html  # the other copy stays unseen
    assert client.post(url, {"choice:nksHoTen": "a"}).status_code == 403
    record.refresh_from_db()
    assert (record.data, record.status) == ({}, S.TO_KEY)
    assert not FieldComparison.objects.exclude(choice="").exists()
    assert not AuditEvent.objects.filter(action="keying.arbitrate").exists()


def test_an_operator_with_a_review_assignment_may_not_arbitrate_its_own_difference(
    register, differing, record, users, op_a
):
    Assignment.objects.create(
        register=register, user=op_a, task=Assignment.Task.REVIEW, assigned_by=users["unit_admin"]
    )
    with pytest.raises(PermissionDenied, match="một trong hai bản"):
        record_arbitrate(actor=op_a, record=record, choices=CHOICES)
    assert not arbitration_queue(op_a).exists()


def test_an_operator_without_review_rights_may_not_arbitrate(differing, record, users):
    with pytest.raises(PermissionDenied, match="không được giao kiểm tra"):
        record_arbitrate(actor=users["operator"], record=record, choices=CHOICES)


@pytest.fixture
def company(users, tree, register):
    today = timezone.localdate()
    period = {
        "contract_start": today - dt.timedelta(days=1),
        "contract_end": today + dt.timedelta(days=30),
    }
    people = {
        name: UserFactory(username=name, office=tree["nhathau"], role=role, **period)
        for name, role in (("nt_a", "operator"), ("nt_b", "operator"), ("nt_kiem", "reviewer"))
    }
    for task in (Assignment.Task.KEYING, Assignment.Task.REVIEW):
        Assignment.objects.create(
            register=register, office=tree["nhathau"], task=task, assigned_by=users["unit_admin"]
        )
    return people


def test_a_contractor_may_not_arbitrate_its_own_company_s_copies(
    register, plan, record, company, users, login
):
    key_copy(register, record, company["nt_a"], nksHoTen="LÊ THỊ AN")
    key_copy(register, record, company["nt_b"], nksHoTen="LÊ THỊ ÂN")
    checker = company["nt_kiem"]
    with pytest.raises(PermissionDenied, match="đơn vị thi công của bạn"):
        record_arbitrate(actor=checker, record=record, choices={"nksHoTen": ("a", "")})
    assert not arbitration_queue(checker).exists()
    page = login(checker).get(reverse("review:arbitration", args=[record.pk]))
    assert page.status_code == 403
    # The office's own reviewer is independent of the company.
    assert arbitration_queue(users["reviewer"]).get().record == record


@pytest.mark.parametrize("outsider", ["other_admin", "other_province", "contractor"])
def test_users_outside_the_register_s_scope_get_404(differing, record, users, login, outsider):
    client = login(users[outsider])
    url = reverse("review:arbitration", args=[record.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {f"choice:{k}": v[0] for k, v in CHOICES.items()}).status_code == 404
    assert not arbitration_queue(users[outsider]).exists()
    assert Comparison.objects.get().state == Comparison.State.ARBITRATION


def test_every_difference_needs_a_choice(differing, record, users):
    with pytest.raises(ArbitrationError, match="Chưa chọn"):
        record_arbitrate(actor=users["reviewer"], record=record, choices={"nksHoTen": ("a", "")})
    record.refresh_from_db()
    assert record.data == {}
    assert Comparison.objects.get().state == Comparison.State.ARBITRATION


def test_a_typed_value_that_fails_validation_is_refused(differing, record, users):
    choices = {**CHOICES, "nksGioiTinh": ("typed", "9")}
    with pytest.raises(ArbitrationError, match="còn lỗi"):
        record_arbitrate(actor=users["reviewer"], record=record, choices=choices)
    assert not FieldComparison.objects.exclude(choice="").exists()


def test_a_settled_comparison_cannot_be_arbitrated_again(differing, record, users):
    record_arbitrate(actor=users["reviewer"], record=record, choices=CHOICES)
    with pytest.raises(ArbitrationError, match="không có khác biệt"):
        record_arbitrate(actor=users["unit_admin"], record=record, choices=CHOICES)


# ---- pages


def test_the_queue_lists_records_waiting_with_their_differences(differing, record, users, login):
    html = login(users["reviewer"]).get(reverse("review:arbitration_queue")).content.decode()
    assert reverse("review:arbitration", args=[record.pk]) in html
    assert "<td>3</td>" in html  # three differing fields


def test_the_screen_shows_both_values_and_records_the_choices(differing, record, users, login):
    client = login(users["reviewer"])
    url = reverse("review:arbitration", args=[record.pk])
    html = client.get(url).content.decode()
    assert "LÊ THỊ AN" in html and "LÊ THỊ ÂN" in html
    assert "2 — Nữ" in html and "1 — Nam" in html  # codes as their list shows them
    assert 'name="choice:nksHoTen"' in html and 'name="typed:meHoTen"' in html
    assert 'name="choice:chaHoTen"' not in html  # agreed fields are not asked
    response = client.post(
        url,
        {
            "choice:nksHoTen": "b",
            "choice:nksGioiTinh": "a",
            "choice:meHoTen": "typed",
            "typed:meHoTen": "ĐỖ THỊ CÚC",
        },
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.data["nksHoTen"], record.data["meHoTen"]) == ("LÊ THỊ ÂN", "ĐỖ THỊ CÚC")
    assert record.status == S.SUBMITTED


def test_an_incomplete_decision_keeps_what_was_chosen_on_screen(differing, record, users, login):
    client = login(users["reviewer"])
    response = client.post(
        reverse("review:arbitration", args=[record.pk]),
        {"choice:nksHoTen": "b", "choice:meHoTen": "typed", "typed:meHoTen": "ĐỖ THỊ CÚC"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Chưa chọn giá trị cho" in html
    assert 'value="ĐỖ THỊ CÚC"' in html
    record.refresh_from_db()
    assert record.data == {}
