"""A failed round closes its loop; an accepted register reopens only by its custodian's unit
administrator, with a reason, voiding the result."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from hotich.acceptance.documents import content
from hotich.acceptance.services import (
    acceptance_reopen,
    acceptance_round_decide,
    acceptance_round_start,
)
from hotich.core.models import AuditEvent
from hotich.records.models import Record
from hotich.records.services import record_save
from hotich.registers.services import RegisterFrozen, register_transition
from hotich.review.models import ReviewComment
from hotich.transfer.models import PackageBuild
from tests.acceptance.test_acceptance import build, check_all
from tests.records.test_record_save import BIRTH


@pytest.fixture
def book(users, tree):
    return build(users, tree)


def _accepted(book, users):
    acceptance_round = acceptance_round_start(actor=users["unit_admin"], register=book)
    check_all(acceptance_round, users["province_admin"])
    return acceptance_round_decide(actor=users["unit_admin"], acceptance_round=acceptance_round)


def test_a_failed_round_returns_each_wrong_record_with_the_checkers_fields(
    users, book, settings, login
):
    settings.ACCEPTANCE_MAX_ERROR_RATE = 1.0
    acceptance_round = acceptance_round_start(actor=users["unit_admin"], register=book)
    check_all(acceptance_round, users["province_admin"], wrong={1: ["nksHoTen"], 2: ["meHoTen"]})
    decided = acceptance_round_decide(actor=users["unit_admin"], acceptance_round=acceptance_round)
    wrong = {c.record_id: c.wrong_fields for c in decided.checks.exclude(wrong_fields=[])}
    assert sorted(decided.figures["returned_records"]) == sorted(wrong)
    for record_id, fields in wrong.items():
        record = Record.objects.get(pk=record_id)
        assert record.status == Record.Status.RETURNED
        comments = ReviewComment.objects.filter(record=record, resolved_at__isnull=True)
        assert [c.field for c in comments] == fields
        assert f"đợt {decided.pk}" in comments[0].text
    # The others keep their verification.
    assert Record.objects.filter(register=book, status="verified").count() == 5 - len(wrong)
    returned = AuditEvent.objects.filter(action="review.return")
    assert {e.after["acceptance_round"] for e in returned} == {decided.pk}
    # The round page lists what to fix, and the operator can fix it (register back in keying).
    page = login(users["unit_admin"]).get(reverse("acceptance:round", args=[decided.pk]))
    assert "trả lại để sửa" in page.content.decode()
    record = Record.objects.get(pk=next(iter(wrong)))
    fixed = record_save(
        actor=users["operator"], register=book, record=record, raw={**BIRTH, **record.data}
    )
    assert fixed.record.status == Record.Status.SUBMITTED


def test_only_the_custodians_unit_administrator_reopens_with_a_reason(users, book):
    _accepted(book, users)
    for who in ("province_admin", "operator", "reviewer", "other_admin", "commune_admin"):
        with pytest.raises(PermissionDenied):
            acceptance_reopen(actor=users[who], register=book, reason="sai tên")
    with pytest.raises(ValidationError):
        acceptance_reopen(actor=users["unit_admin"], register=book, reason="  ")
    book.refresh_from_db()
    assert book.status == "accepted"


def test_reopening_voids_the_result_returns_to_review_and_allows_writes_again(users, book):
    accepted = _accepted(book, users)
    with pytest.raises(RegisterFrozen):
        record_save(actor=users["operator"], register=book, raw={**BIRTH, "so": "06"})
    register = acceptance_reopen(actor=users["unit_admin"], register=book, reason="Sai tên mẹ")
    assert register.status == "review"
    accepted.refresh_from_db()
    assert accepted.status == "voided" and accepted.figures["voided"]["reason"] == "Sai tên mẹ"
    draft = content(accepted).draft
    assert "KẾT QUẢ ĐÃ HỦY" in draft and "Sai tên mẹ" in draft
    event = AuditEvent.objects.get(action="acceptance.reopen")
    assert event.before == {"status": "accepted"} and event.after["voided_rounds"] == [accepted.pk]
    register_transition(actor=users["unit_admin"], register=register, to="keying")
    assert record_save(actor=users["operator"], register=book, raw={**BIRTH, "so": "06"}).created


def test_a_frozen_register_does_not_leave_its_status_by_a_plain_transition(users, book):
    _accepted(book, users)
    with pytest.raises(ValidationError) as refused:
        register_transition(actor=users["unit_admin"], register=book, to="review")
    assert "Mở lại sổ" in refused.value.messages[0]
    PackageBuild.objects.create(register=book, built_by=users["unit_admin"], status="released")
    register_transition(actor=users["unit_admin"], register=book, to="delivered")
    book.refresh_from_db()
    reopened = acceptance_reopen(actor=users["unit_admin"], register=book, reason="Cải chính")
    assert reopened.status == "review"


def test_the_reopen_button_is_on_the_acceptance_page_and_a_post_reopens(login, users, book):
    _accepted(book, users)
    client = login(users["unit_admin"])
    html = client.get(reverse("acceptance:register", args=[book.pk])).content.decode()
    assert "Mở lại sổ" in html and "Sổ đã được khóa" in html
    other = login(users["province_admin"])
    assert "Mở lại sổ" not in other.get(
        reverse("acceptance:register", args=[book.pk])
    ).content.decode().replace("“Mở lại sổ”", "")
    assert (
        other.post(reverse("acceptance:reopen", args=[book.pk]), {"reason": "x"}).status_code == 404
    )
    client = login(users["unit_admin"])
    response = client.post(reverse("acceptance:reopen", args=[book.pk]), {"reason": "Sai ngày"})
    assert response.status_code == 302
    book.refresh_from_db()
    assert book.status == "review"
