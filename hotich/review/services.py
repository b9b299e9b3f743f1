"""Review decisions: verify a record, return it with comments, resolve a comment.

Each runs in one transaction that locks the record, checks who may decide (`review_refusal`:
assigned or office reviewer, never on one's own or one's own company's work), checks the move
against `domain.TRANSITIONS` and the version the reviewer looked at, writes the decision and the
status, and records an audit event on the record. A refused decision writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hotich.core.audit import audit_record
from hotich.core.errors import UserFacingError
from hotich.core.text import nfc
from hotich.records.models import Record
from hotich.records.schema import record_type
from hotich.records.services import record_set_status
from hotich.registers.services import register_lock_writable
from hotich.review.domain import review_allows
from hotich.review.models import ReviewComment, ReviewDecision
from hotich.review.queries import review_refusal


class ReviewError(UserFacingError):
    """A decision the rules refuse; nothing was written. `str()` says why, for the reviewer."""


class ReviewStale(ReviewError):
    """The record was saved again after the reviewer opened it."""


def _lock(record: Record) -> Record:
    return (
        Record.objects.select_for_update().select_related("register__custodian").get(pk=record.pk)
    )


def _check(actor: Any, record: Record, target: str, version: int | None) -> None:
    refusal = review_refusal(actor, record)
    if refusal:
        raise PermissionDenied(refusal)
    if not review_allows(record.status, target):
        raise ReviewError(
            _("Không thể chuyển trường hợp từ “%(current)s” sang “%(target)s”.")
            % {
                "current": Record.Status(record.status).label,
                "target": Record.Status(target).label,
            }
        )
    if version is not None and version != record.version:
        raise ReviewStale(
            _("Trường hợp đã được lưu lại sau khi bạn mở nó; hãy xem lại bản mới nhất.")
        )


def _decide(actor: Any, record: Record, outcome: str) -> ReviewDecision:
    return ReviewDecision.objects.create(
        record=record,
        reviewer=actor,
        outcome=outcome,
        status_before=record.status,
        version=record.version,
    )


@transaction.atomic
def record_verify(*, actor: Any, record: Record, version: int | None = None) -> ReviewDecision:
    """The record matches its scan: verified, and every open comment on it resolved."""
    record = _lock(record)
    _check(actor, record, Record.Status.VERIFIED, version)
    decision = _decide(actor, record, ReviewDecision.Outcome.VERIFIED)
    open_comments = record.review_comments.filter(resolved_at__isnull=True)
    resolved = sorted(open_comments.values_list("pk", flat=True))
    open_comments.update(resolved_at=timezone.now(), resolved_by=actor)
    record_set_status(record=record, status=Record.Status.VERIFIED)
    audit_record(
        actor=actor,
        action="review.verify",
        obj=record,
        office_path=record.register.custodian.path,
        before={"status": decision.status_before, "version": decision.version},
        after={
            "status": record.status,
            "version": record.version,
            "decision": decision.pk,
            "comments_resolved": resolved,
        },
    )
    return decision


@transaction.atomic
def record_return(
    *,
    actor: Any,
    record: Record,
    comments: Iterable[tuple[str, str]],
    version: int | None = None,
    acceptance_round: int | None = None,
) -> ReviewDecision:
    """Send the record back to its operator with what is wrong: `comments` are (field key, or ""
    for the whole record, text); at least one is required — it is the reason for the return.

    `acceptance_round`: the return is a failed acceptance round's (decided by an administrator
    on an independent checker's findings), not a reviewer's own: the reviewer-independence rule
    does not apply, and the round is named in the audit event."""
    record = _lock(record)
    if acceptance_round is None:
        _check(actor, record, Record.Status.RETURNED, version)
    elif not review_allows(record.status, Record.Status.RETURNED):
        raise ReviewError(_("Trường hợp này không còn ở trạng thái trả lại được."))
    keys = {f.key for f in record_type(record.register.register_type).keyed_fields}
    cleaned = [(key, nfc(text.strip())) for key, text in comments if text.strip()]
    unknown = sorted({key for key, _text in cleaned if key and key not in keys})
    if unknown:
        raise ReviewError(_("Không có trường %(fields)s.") % {"fields": ", ".join(unknown)})
    if not cleaned:
        raise ReviewError(_("Trả lại cần ít nhất một ý kiến: trường nào sai, sai thế nào."))
    decision = _decide(actor, record, ReviewDecision.Outcome.RETURNED)
    ReviewComment.objects.bulk_create(
        ReviewComment(record=record, decision=decision, field=key, text=text, by=actor)
        for key, text in cleaned
    )
    record_set_status(record=record, status=Record.Status.RETURNED)
    audit_record(
        actor=actor,
        action="review.return",
        obj=record,
        office_path=record.register.custodian.path,
        before={"status": decision.status_before, "version": decision.version},
        after={
            "status": record.status,
            "version": record.version,
            "decision": decision.pk,
            "comments": [{"field": key, "text": text} for key, text in cleaned],
            **({"acceptance_round": acceptance_round} if acceptance_round else {}),
        },
    )
    return decision


@transaction.atomic
def comment_resolve(*, actor: Any, comment: ReviewComment) -> ReviewComment:
    """A reviewer closes one comment (the fix is right, or the comment was mistaken)."""
    comment = ReviewComment.objects.select_for_update().get(pk=comment.pk)
    record = Record.objects.select_related("register__custodian").get(pk=comment.record_id)
    refusal = review_refusal(actor, record)
    if refusal:
        raise PermissionDenied(refusal)
    register_lock_writable(record.register_id, changes_data=False)
    if comment.resolved_at is not None:
        raise ReviewError(_("Ý kiến này đã được xử lý."))
    comment.resolved_at, comment.resolved_by = timezone.now(), actor
    comment.save(update_fields=["resolved_at", "resolved_by"])
    audit_record(
        actor=actor,
        action="review.comment_resolve",
        obj=record,
        office_path=record.register.custodian.path,
        after={"comment": comment.pk, "field": comment.field, "text": comment.text},
    )
    return comment
