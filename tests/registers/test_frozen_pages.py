"""A direct POST to each remaining write endpoint of an accepted or a delivered register —
the Excel import (upload and confirmation), review decisions and comment resolution, the
double-keying plan and copies, the register's own edit form — is refused with the reason and
writes nothing (issue 15; the keying screen, grid and scans are in test_frozen.py and
tests/scans/test_frozen_scans.py). A margin note, which the law adds later, still goes in."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hotich.core.models import AuditEvent
from hotich.keying.models import DoubleKeying, KeyedCopy
from hotich.records.models import MarginNote, Record
from hotich.records.services import record_save
from hotich.registers.models import Register
from hotich.review.models import ReviewComment, ReviewDecision
from hotich.review.services import record_return
from hotich.transfer.models import ImportBatch
from hotich.transfer.services import import_analyse, import_batch_create
from tests.records.test_record_save import BIRTH
from tests.transfer.files import BIRTH_ROWS, ministry_file

FROZEN = ["accepted", "delivered"]
REFUSED = "đã được khóa"


@pytest.fixture
def book(register, users):
    """A register with one keyed record, one returned with a comment, an analysed import
    waiting for confirmation; then frozen by each test."""
    first = record_save(actor=users["operator"], register=register, raw=BIRTH).record
    second = record_save(
        actor=users["operator"], register=register, raw={**BIRTH, "so": "02"}
    ).record
    record_return(actor=users["reviewer"], record=second, comments=[("nksHoTen", "Sai tên")])
    data = ministry_file("KS", [{**BIRTH_ROWS[0], "so": "03"}])
    batch = import_batch_create(
        actor=users["unit_admin"], register=register, name="KS.a.xlsx", stream=_stream(data)
    )
    import_analyse(batch)
    return register, first, second, batch


def _edit_form(register):
    """The register's edit form as the page fills it, with a changed note."""
    from django.forms.models import model_to_dict

    from hotich.registers.services import EDITABLE_FIELDS

    register.refresh_from_db()
    data = {
        k: v for k, v in model_to_dict(register, fields=EDITABLE_FIELDS).items() if v is not None
    }
    return {**data, "note": "sửa sau nghiệm thu", "version": register.version}


def _stream(data: bytes):
    import io

    return io.BytesIO(data)


def _state(register):
    return (
        list(Record.objects.filter(register=register).values_list("pk", "version", "status")),
        list(ImportBatch.objects.filter(register=register).values_list("pk", "status")),
        ReviewDecision.objects.count(),
        list(ReviewComment.objects.values_list("pk", "resolved_at")),
        DoubleKeying.objects.count(),
        KeyedCopy.objects.count(),
        list(Register.objects.filter(pk=register.pk).values_list("version", "note")),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("status", FROZEN)
def test_every_other_write_endpoint_refuses_a_frozen_register(book, users, login, status):
    register, first, _second, batch = book
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.READY
    Register.objects.filter(pk=register.pk).update(status=status)
    before = _state(register)
    admin = login(users["unit_admin"])
    posts = [
        (
            admin,
            reverse("transfer:import_start", args=[register.pk]),
            {"file": SimpleUploadedFile("KS.b.xlsx", ministry_file("KS", BIRTH_ROWS[1:2]))},
        ),
        (admin, reverse("transfer:import_confirm", args=[batch.pk]), {"mode": "all"}),
        (admin, reverse("keying:double_plan", args=[register.pk]), {"scope": "all"}),
        (admin, reverse("registers:edit", args=[register.pk]), _edit_form(register)),
    ]
    for client, url, data in posts:
        response = client.post(url, data, follow=True)
        assert REFUSED in response.content.decode(), url
    reviewer = login(users["reviewer"])  # the same test client, now signed in as the reviewer
    for url, data in (
        (reverse("review:record", args=[first.pk]), {"action": "verify"}),
        (reverse("review:comment_resolve", args=[ReviewComment.objects.get().pk]), {}),
    ):
        response = reviewer.post(url, data, follow=True)
        assert REFUSED in response.content.decode(), url
    assert _state(register) == before


@pytest.mark.parametrize("status", FROZEN)
def test_a_margin_note_still_goes_in_through_its_page(book, users, login, status):
    register, first, _second, _batch = book
    Register.objects.filter(pk=register.pk).update(status=status)
    response = login(users["unit_admin"]).post(
        reverse("keying:margin_note", args=[first.pk]),
        {"kind": "other", "text": "Đã ly hôn", "date": "2020"},
        follow=True,
    )
    assert response.status_code == 200
    assert MarginNote.objects.filter(record=first, text="Đã ly hôn").exists()


@pytest.mark.parametrize("status", FROZEN)
def test_a_double_keyed_copy_of_a_frozen_register_is_refused(register, users, status):
    from hotich.keying.services import copy_save, double_keying_set
    from hotich.registers.models import Assignment
    from hotich.registers.services import RegisterFrozen

    Assignment.objects.create(
        register=register, user=users["operator"], task="keying", assigned_by=users["unit_admin"]
    )
    double_keying_set(actor=users["unit_admin"], register=register)
    Register.objects.filter(pk=register.pk).update(status=status)
    before = _state(register)
    with pytest.raises(RegisterFrozen):
        copy_save(actor=users["operator"], register=register, raw=BIRTH)
    assert _state(register) == before
