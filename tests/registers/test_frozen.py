"""An accepted or delivered register is frozen: every write to its records is refused in the
service layer, and so through every page, with a sentence saying why and who can reopen it."""

import json

import pytest
from django.urls import reverse

from hotich.core.models import AuditEvent
from hotich.records.models import Record
from hotich.records.services import (
    ImportRow,
    margin_note_add,
    record_bulk_import,
    record_create_placeholder,
    record_save,
)
from hotich.registers.models import Register
from hotich.registers.services import RegisterFrozen
from hotich.review.services import record_verify
from tests.records.test_record_save import BIRTH

FROZEN = ["accepted", "delivered"]


@pytest.fixture
def keyed(register, users):
    return record_save(actor=users["operator"], register=register, raw=BIRTH).record


def _freeze(register, status):
    Register.objects.filter(pk=register.pk).update(status=status)
    register.refresh_from_db()
    return register


def _state(register):
    return (
        list(Record.objects.filter(register=register).values_list("pk", "version", "status")),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("status", FROZEN)
def test_every_record_write_of_a_frozen_register_is_refused_and_nothing_is_written(
    register, users, keyed, status
):
    _freeze(register, status)
    before = _state(register)
    writes = [
        lambda: record_save(actor=users["operator"], register=register, raw=BIRTH),
        lambda: record_save(
            actor=users["operator"], register=register, raw={**BIRTH, "so": "02"}, record=keyed
        ),
        lambda: record_create_placeholder(
            actor=users["operator"], register=register, source="scan", number="09"
        ),
        lambda: record_bulk_import(
            actor=users["operator"], register=register, rows=[ImportRow(data=BIRTH, issues=[])]
        ),
        lambda: record_verify(actor=users["reviewer"], record=keyed),
    ]
    for write in writes:
        with pytest.raises(RegisterFrozen) as refused:
            write()
        text = str(refused.value)
        assert "đã được khóa" in text and "mở lại" in text and "quản trị viên" in text
    assert _state(register) == before


def test_a_margin_note_the_law_adds_later_stays_possible(register, users, keyed):
    _freeze(register, "accepted")
    note = margin_note_add(
        actor=users["operator"], record=keyed, kind="other", text="Đã ly hôn", date_text="2020"
    )
    assert note.pk


@pytest.mark.parametrize("status", FROZEN)
def test_the_keying_pages_refuse_with_the_reason_and_write_nothing(
    login, users, register, keyed, status
):
    _freeze(register, status)
    before = _state(register)
    client = login(users["unit_admin"])
    page = client.post(reverse("keying:new", args=[register.pk]), {**BIRTH, "action": "next"})
    assert page.status_code == 409 and "đã được khóa" in page.content.decode()
    edit = client.post(
        reverse("keying:record", args=[keyed.pk]), {**BIRTH, "so": "05", "version": keyed.version}
    )
    assert edit.status_code == 409
    grid = client.post(
        reverse("keying:grid_save", args=[register.pk]),
        json.dumps({"values": BIRTH}),
        content_type="application/json",
    )
    assert grid.status_code == 409 and "đã được khóa" in grid.json()["error"]
    assert _state(register) == before
