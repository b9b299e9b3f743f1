"""A register's status follows the work (decision 0002): keyed → keying, every declared entry
submitted → review; forward only, each step audited as automatic."""

import pytest
from django.urls import reverse

from hotich.core.models import AuditEvent
from hotich.records.services import ImportRow, record_save
from hotich.registers.models import Register
from hotich.registers.services import register_transition
from tests.factories import RegisterFactory
from tests.records.test_record_save import BIRTH


@pytest.fixture
def small(tree):
    return RegisterFactory(custodian=tree["phong"], declared_entries=2)


def _status(register):
    return Register.objects.get(pk=register.pk).status


def test_the_first_record_moves_an_inventoried_register_to_keying_step_by_step(users, small):
    assert small.status == "inventoried"
    record_save(actor=users["operator"], register=small, raw={**BIRTH, "nksHoTen": ""})
    assert _status(small) == "keying"
    moves = list(
        AuditEvent.objects.filter(action="register.auto_transition")
        .order_by("id")
        .values_list("before__status", "after__status")
    )
    assert moves == [("inventoried", "scanning"), ("scanning", "keying")]
    assert all(e.after["reason"] for e in AuditEvent.objects.filter(action__endswith="transition"))


def test_every_declared_entry_submitted_moves_it_to_review(users, small):
    record_save(actor=users["operator"], register=small, raw=BIRTH)
    assert _status(small) == "keying"
    record_save(actor=users["operator"], register=small, raw={**BIRTH, "so": "02"})
    assert _status(small) == "review"
    reason = AuditEvent.objects.filter(action="register.auto_transition").latest("id").after
    assert reason == {"status": "review", "reason": "Đã nhập đủ 2 / 2 trường hợp theo sổ."}


def test_an_import_moves_it_too(users, small):
    from hotich.records.services import record_bulk_import

    rows = [ImportRow(data={**BIRTH, "so": f"0{n}"}, issues=[]) for n in (1, 2)]
    record_bulk_import(actor=users["operator"], register=small, rows=rows)
    assert _status(small) == "review"


def test_it_never_moves_backward_nor_out_of_review(users, small):
    register_transition(actor=users["unit_admin"], register=small, to="scanning", reason="x")
    register_transition(actor=users["unit_admin"], register=small, to="keying", reason="x")
    register_transition(actor=users["unit_admin"], register=small, to="review", reason="x")
    record_save(actor=users["operator"], register=small, raw=BIRTH)
    assert _status(small) == "review"
    assert not AuditEvent.objects.filter(action="register.auto_transition").exists()


def test_a_manual_move_needs_a_reason(login, users, small):
    client = login(users["unit_admin"])
    url = reverse("registers:transition", args=[small.pk])
    client.post(url, {"to": "scanning", "reason": ""})
    assert _status(small) == "inventoried"
    client.post(url, {"to": "scanning", "reason": "Sổ rách, chờ phục chế"})
    assert _status(small) == "scanning"
