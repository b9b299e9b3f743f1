import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from hotich.core.models import AuditEvent
from hotich.registers.domain import phase_for_year, priority_for
from hotich.registers.models import CustodyTransfer, Register
from hotich.registers.services import (
    register_assign,
    register_create,
    register_handover,
    register_transition,
    register_update,
)
from hotich.transfer.models import PackageBuild

DATA = {
    "register_type": "KH",
    "authority_name": "UBND xã Phước Tỉnh, huyện Long Điền",
    "authority_level": "commune",
    "year_start": 2008,
    "volume": "01",
    "legibility": 1,
    "declared_entries": 80,
}


@pytest.mark.parametrize(
    ("year", "phase"),
    [
        (1960, 4),
        (1975, 4),
        (1976, 3),
        (1998, 3),
        (1999, 2),
        (2005, 2),
        (2006, 1),
        (2015, 1),
        (2016, 5),
        (2024, 5),
    ],
)
def test_the_phase_follows_the_ministry_roadmap(year, phase):
    assert phase_for_year(year) == phase


def test_priority_puts_legible_marriage_registers_first():
    order = sorted(
        [("KS", 1), ("KT", 1), ("KH", 2), ("KH", 1), ("KS", 3)],
        key=lambda t: priority_for(legibility=t[1], register_type=t[0]),
    )
    assert order == [("KH", 1), ("KS", 1), ("KT", 1), ("KH", 2), ("KS", 3)]


def test_creating_a_register_derives_phase_priority_and_records_custody(users, tree):
    register = register_create(actor=users["unit_admin"], custodian=tree["phong"], data=DATA)
    assert (register.phase, register.priority, register.status) == (1, 11, "inventoried")
    assert register.code == "KH.2008.01"
    assert CustodyTransfer.objects.filter(register=register, to_office=tree["phong"]).exists()
    assert AuditEvent.objects.filter(action="register.create", object_id=str(register.pk)).exists()


def test_the_same_volume_cannot_be_inventoried_twice(users, tree):
    register_create(actor=users["unit_admin"], custodian=tree["phong"], data=DATA)
    variant = {**DATA, "authority_name": "UBND XÃ PHƯỚC TỈNH,  huyện Long Điền"}
    with pytest.raises(ValidationError) as error:
        register_create(actor=users["unit_admin"], custodian=tree["phong"], data=variant)
    assert "volume" in error.value.message_dict


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("year_start", 1800),
        ("year_end", 2005),
        ("year_end", 2011),
        ("volume", ""),
    ],
)
def test_impossible_register_attributes_are_refused(users, tree, field, value):
    with pytest.raises(ValidationError) as error:
        register_create(
            actor=users["unit_admin"], custodian=tree["phong"], data={**DATA, field: value}
        )
    assert field in error.value.message_dict


def test_only_administrators_of_the_custodian_manage_registers(users, tree):
    for role in ["operator", "reviewer", "other_admin", "other_province", "contractor"]:
        with pytest.raises(PermissionDenied):
            register_create(actor=users[role], custodian=tree["phong"], data=DATA)


def test_the_workflow_moves_one_step_at_a_time(users, register):
    admin = users["unit_admin"]
    with pytest.raises(ValidationError):
        register_transition(actor=admin, register=register, to="accepted")
    for status in ["scanning", "keying", "review", "keying", "review", "accepted"]:
        # "accepted" only through the acceptance app (tests/acceptance), which passes the flag.
        register = register_transition(
            actor=admin, register=register, to=status, by_acceptance=status == "accepted"
        )
    # "delivered" only with a released package (tests/transfer/test_out_of_date.py).
    with pytest.raises(ValidationError):
        register_transition(actor=admin, register=register, to="delivered")
    PackageBuild.objects.create(register=register, built_by=admin, status="released")
    register = register_transition(actor=admin, register=register, to="delivered")
    assert register.status == "delivered"
    with pytest.raises(ValidationError):
        register_transition(actor=admin, register=register, to="review")
    moves = AuditEvent.objects.filter(action="register.transition", object_id=str(register.pk))
    assert moves.count() == 7


def test_a_handover_moves_custody_and_keeps_the_history(users, tree, register):
    admin = users["province_admin"]
    register_assign(actor=admin, register=register, task="keying", user=users["operator"])
    moved = register_handover(
        actor=admin,
        register=register,
        to_office=tree["phong2"],
        date=dt.date(2025, 7, 1),
        reason="Sáp nhập đơn vị",
    )
    assert moved.custodian == tree["phong2"]
    history = list(CustodyTransfer.objects.filter(register=register).order_by("id"))
    assert [(h.from_office, h.to_office) for h in history[-1:]] == [(tree["phong"], tree["phong2"])]
    assert not register.assignments.filter(active=True).exists()
    # The authority as written never changes with custody.
    assert Register.objects.get(pk=register.pk).authority_name == register.authority_name


def test_stale_edits_are_refused_not_lost(users, register):
    admin = users["unit_admin"]
    register_update(actor=admin, register=register, data={"page_count": 50}, version=1)
    with pytest.raises(ValidationError):
        register_update(actor=admin, register=register, data={"page_count": 60}, version=1)
    assert Register.objects.get(pk=register.pk).page_count == 50


def test_assignments_need_the_matching_role_and_office(users, tree, register):
    admin = users["unit_admin"]
    with pytest.raises(ValidationError):
        register_assign(actor=admin, register=register, task="review", user=users["operator"])
    with pytest.raises(PermissionDenied):
        register_assign(actor=admin, register=register, task="keying", user=users["other_operator"])
    assignment = register_assign(
        actor=admin, register=register, task="keying", office=tree["nhathau"]
    )
    again = register_assign(actor=admin, register=register, task="keying", office=tree["nhathau"])
    assert assignment.pk == again.pk


def test_a_bulk_import_stopped_halfway_leaves_no_register(users, tree):
    from hotich.registers.bulk import ParsedRow
    from hotich.registers.services import register_bulk_create

    rows = [ParsedRow(number=n + 2, data={**DATA, "volume": f"{n + 1:03d}"}) for n in range(250)]

    def killed(done, total):
        if done > len(rows):  # while saving, after some registers are already written
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        register_bulk_create(
            actor=users["unit_admin"], custodian=tree["phong"], rows=rows, progress=killed
        )
    assert not Register.objects.exists()
    assert not AuditEvent.objects.filter(action="register.create").exists()
