"""Who may key a register: the one-query check of the keying views against the rule."""

from __future__ import annotations

import pytest

from hotich.records.queries import (
    record_can_key,
    record_list_for_keying,
    register_list_for_keying,
)
from hotich.records.services import record_save
from hotich.registers.models import Assignment
from tests.records.test_record_save import BIRTH


def _assign(register, users, *, user=None, office=None, task="keying", active=True):
    return Assignment.objects.create(
        register=register,
        user=user,
        office=office,
        task=task,
        active=active,
        assigned_by=users["unit_admin"],
    )


def _answers(user, register, record):
    """(record_can_key, the register views' answer, the record views' answer); None: not found."""
    found = register_list_for_keying(user).filter(pk=register.pk).first()
    on_record = record_list_for_keying(user).filter(pk=record.pk).first()
    return (
        record_can_key(user, register),
        None if found is None else found.can_key,  # type: ignore[attr-defined]
        None if on_record is None else on_record.can_key,  # type: ignore[attr-defined]
    )


@pytest.fixture
def record(register, users):
    return record_save(actor=users["unit_admin"], register=register, raw=BIRTH).record


def test_administrators_of_the_custodian_key_without_an_assignment(users, register, record):
    assert _answers(users["unit_admin"], register, record) == (True, True, True)
    assert _answers(users["province_admin"], register, record) == (True, True, True)
    assert _answers(users["other_admin"], register, record) == (False, None, None)


def test_an_operator_needs_an_active_keying_assignment(users, register, record):
    operator = users["operator"]
    assert _answers(operator, register, record) == (False, False, False)
    _assign(register, users, user=operator, task="scanning")
    _assign(register, users, user=operator, active=False)
    assert _answers(operator, register, record) == (False, False, False)
    _assign(register, users, user=operator)
    assert _answers(operator, register, record) == (True, True, True)


def test_a_contractor_keys_through_its_own_or_its_companys_assignment(users, register, record):
    contractor = users["contractor"]
    assert _answers(contractor, register, record) == (False, None, None)
    _assign(register, users, office=contractor.office, task="scanning")
    assert _answers(contractor, register, record) == (False, False, False)
    _assign(register, users, office=contractor.office)
    assert _answers(contractor, register, record) == (True, True, True)
