"""Writes of acceptance: explain a completeness problem, start a sampling round, check a sampled
record, decide (accept or return the register), cancel a round, hand out the acceptance record.

Each runs in one transaction: it checks who acts (`acceptance_can_manage` for the custodian's
administrators, `acceptance_refusal` for an independent checker), locks what it changes,
validates, writes and records the audit event. The register reaches "accepted" only here,
through `register_transition(..., by_acceptance=True)`, and only when every completeness problem
is explained and the sample's error rate is within the round's threshold (decision 0012).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hotich.acceptance import documents
from hotich.acceptance.domain import draw_sample, sample_size
from hotich.acceptance.models import AcceptanceCheck, AcceptanceRound, CompletenessNote
from hotich.acceptance.queries import (
    acceptance_can_manage,
    acceptance_refusal,
    register_completeness,
    round_figures,
    sample_population,
)
from hotich.accounts.models import User
from hotich.core.audit import audit_record
from hotich.core.text import nfc
from hotich.records.schema import record_type
from hotich.registers.domain import FROZEN
from hotich.registers.domain import Status as RegisterStatus
from hotich.registers.models import Register
from hotich.registers.queries import register_list_for_user
from hotich.registers.services import register_transition
from hotich.review.services import record_return

OPEN = AcceptanceRound.Status.OPEN
CLOSED_REGISTER = (RegisterStatus.ACCEPTED, RegisterStatus.DELIVERED)


def _check_manage(actor: User, register: Register) -> None:
    if not acceptance_can_manage(actor, register):
        raise PermissionDenied(_("Chỉ quản trị đơn vị lưu giữ sổ mới nghiệm thu được sổ này."))


def _lock_register(register: Register) -> Register:
    return Register.objects.select_for_update().select_related("custodian").get(pk=register.pk)


def _lock_round(acceptance_round: AcceptanceRound) -> AcceptanceRound:
    return (
        AcceptanceRound.objects.select_for_update()
        .select_related("register__custodian")
        .get(pk=acceptance_round.pk)
    )


@transaction.atomic
def completeness_explain(
    *, actor: User, register: Register, keys: Iterable[str], text: str
) -> list[CompletenessNote]:
    """Record why each named problem is not an error (one text for all of them); an earlier
    explanation of the same problem is replaced, its text kept in the audit trail."""
    _check_manage(actor, register)
    register = _lock_register(register)
    if register.status in CLOSED_REGISTER:
        raise ValidationError(_("Sổ đã nghiệm thu: không sửa giải trình được nữa."))
    text = nfc(text.strip())
    if not text:
        raise ValidationError(_("Hãy ghi nội dung giải trình."))
    wanted = list(dict.fromkeys(k for k in keys if k))
    if not wanted:
        raise ValidationError(_("Hãy chọn ít nhất một vấn đề để giải trình."))
    problems = {p.key: p for p in register_completeness(register).problems}
    unknown = [k for k in wanted if k not in problems]
    if unknown:
        raise ValidationError(
            _("Không còn vấn đề %(keys)s: hãy tải lại trang.") % {"keys": ", ".join(unknown)}
        )
    existing = {n.key: n for n in register.completeness_notes.filter(key__in=wanted)}
    saved: list[CompletenessNote] = []
    for key in wanted:
        note = existing.get(key)
        before = note.text if note else None
        if note is None:
            note = CompletenessNote(register=register, kind=problems[key].kind, key=key)
        note.text, note.by = text, actor
        note.save()
        saved.append(note)
        audit_record(
            actor=actor,
            action="acceptance.explain",
            obj=register,
            office_path=register.custodian.path,
            before={"key": key, "text": before} if before is not None else None,
            after={"key": key, "kind": note.kind, "problem": problems[key].label, "text": text},
        )
    return saved


@transaction.atomic
def acceptance_round_start(
    *, actor: User, register: Register, seed: int | None = None
) -> AcceptanceRound:
    """Draw the sample of a register under review whose completeness is fully explained."""
    _check_manage(actor, register)
    register = _lock_register(register)
    if register.status != RegisterStatus.REVIEW:
        raise ValidationError(
            _("Chỉ nghiệm thu sổ đang ở trạng thái “%(status)s”.")
            % {"status": RegisterStatus.REVIEW.label}
        )
    if register.acceptance_rounds.filter(status=OPEN).exists():
        raise ValidationError(_("Sổ đang có một đợt nghiệm thu chưa kết luận."))
    unexplained = register_completeness(register).unexplained
    if unexplained:
        raise ValidationError(
            _("Còn %(n)d vấn đề về tính đầy đủ chưa giải trình: chưa chọn mẫu được.")
            % {"n": len(unexplained)}
        )
    ids = list(sample_population(register).values_list("id", flat=True))
    if not ids:
        raise ValidationError(_("Sổ chưa có trường hợp nào nhập xong để chọn mẫu."))
    percent = float(settings.ACCEPTANCE_SAMPLE_PERCENT)
    minimum = int(settings.ACCEPTANCE_SAMPLE_MIN)
    threshold = float(settings.ACCEPTANCE_MAX_ERROR_RATE)
    seed = secrets.randbelow(2**31) if seed is None else seed
    chosen = draw_sample(ids, sample_size(len(ids), percent=percent, minimum=minimum), seed)
    acceptance_round = AcceptanceRound.objects.create(
        register=register,
        percent=percent,
        minimum=minimum,
        threshold=threshold,
        seed=seed,
        population=len(ids),
        created_by=actor,
    )
    AcceptanceCheck.objects.bulk_create(
        AcceptanceCheck(round=acceptance_round, record_id=pk, position=i)
        for i, pk in enumerate(chosen, start=1)
    )
    audit_record(
        actor=actor,
        action="acceptance.round_start",
        obj=register,
        office_path=register.custodian.path,
        after={
            "round": acceptance_round.pk,
            "population": len(ids),
            "sample": chosen,
            "percent": percent,
            "minimum": minimum,
            "threshold": threshold,
            "seed": seed,
        },
    )
    return acceptance_round


@transaction.atomic
def acceptance_check_save(
    *,
    actor: User,
    check: AcceptanceCheck,
    wrong_fields: Iterable[str],
    note: str = "",
    version: int | None = None,
) -> AcceptanceCheck:
    """Record the check of one sampled record against its scan: the fields found wrong (none:
    the record is right). A check may be redone while the round is open."""
    check = (
        AcceptanceCheck.objects.select_for_update()
        .select_related("round__register__custodian", "record")
        .get(pk=check.pk)
    )
    refusal = acceptance_refusal(actor, check)
    if refusal:
        raise PermissionDenied(refusal)
    record = check.record
    if version is not None and version != record.version:
        raise ValidationError(
            _("Trường hợp đã được lưu lại sau khi bạn mở nó; hãy xem lại bản mới nhất.")
        )
    order = [f.key for f in record_type(check.round.register.register_type).keyed_fields]
    wanted = set(wrong_fields)
    unknown = sorted(wanted - set(order))
    if unknown:
        raise ValidationError(_("Không có trường %(fields)s.") % {"fields": ", ".join(unknown)})
    before = (
        {"wrong_fields": check.wrong_fields, "note": check.note, "by": check.checked_by_id}
        if check.is_checked
        else None
    )
    check.wrong_fields = [key for key in order if key in wanted]
    check.note = nfc(note.strip())
    check.checked_by, check.checked_at, check.version = actor, timezone.now(), record.version
    check.save()
    audit_record(
        actor=actor,
        action="acceptance.check",
        obj=record,
        office_path=check.round.register.custodian.path,
        before=before,
        after={
            "round": check.round_id,
            "version": record.version,
            "wrong_fields": check.wrong_fields,
            "note": check.note,
        },
    )
    return check


def _summary(figures: dict[str, Any]) -> str:
    return _(
        "Tỷ lệ sai %(rate).2f%% (%(wrong)d/%(fields)d trường, %(records)d/%(sample)d trường hợp "
        "có sai), ngưỡng %(threshold).2f%%."
    ) % {
        "rate": figures["rate"],
        "wrong": figures["fields_wrong"],
        "fields": figures["fields_checked"],
        "records": figures["records_wrong"],
        "sample": figures["sample"],
        "threshold": figures["threshold"],
    }


@transaction.atomic
def acceptance_round_decide(*, actor: User, acceptance_round: AcceptanceRound) -> AcceptanceRound:
    """Conclude a round whose sample is fully checked: within the threshold and with every
    completeness problem explained, the register is accepted; over it, the register goes back
    to keying with the figures as the reason. The figures are kept with the round."""
    acceptance_round = _lock_round(acceptance_round)
    register = acceptance_round.register
    _check_manage(actor, register)
    if acceptance_round.status != OPEN:
        raise ValidationError(_("Đợt nghiệm thu này đã kết luận."))
    pending = acceptance_round.checks.filter(checked_at__isnull=True).count()
    if pending:
        raise ValidationError(
            _("Còn %(n)d trường hợp mẫu chưa kiểm tra: chưa kết luận được.") % {"n": pending}
        )
    if register.status != RegisterStatus.REVIEW:
        raise ValidationError(
            _("Sổ không còn ở trạng thái “%(status)s”: hãy hủy đợt này.")
            % {"status": RegisterStatus.REVIEW.label}
        )
    figures = round_figures(acceptance_round)
    summary = _summary(figures)
    if figures["passed"]:
        if figures["unexplained"]:
            raise ValidationError(
                _("Còn %(n)d vấn đề về tính đầy đủ chưa giải trình: chưa nghiệm thu được.")
                % {"n": figures["unexplained"]}
            )
        register_transition(
            actor=actor,
            register=register,
            to=RegisterStatus.ACCEPTED,
            reason=_("Nghiệm thu đạt. %(summary)s") % {"summary": summary},
            by_acceptance=True,
        )
        acceptance_round.status = AcceptanceRound.Status.ACCEPTED
    else:
        register_transition(
            actor=actor,
            register=register,
            to=RegisterStatus.KEYING,
            reason=_("Nghiệm thu không đạt, trả lại. %(summary)s") % {"summary": summary},
        )
        acceptance_round.status = AcceptanceRound.Status.RETURNED
        figures["returned_records"] = _return_wrong_records(actor, acceptance_round)
    acceptance_round.figures = figures
    acceptance_round.decided_by, acceptance_round.decided_at = actor, timezone.now()
    acceptance_round.save(update_fields=["status", "figures", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action="acceptance.decide",
        obj=register,
        office_path=register.custodian.path,
        after={
            "round": acceptance_round.pk,
            "result": acceptance_round.status,
            "rate": figures["rate"],
            "threshold": figures["threshold"],
            "sample": figures["sample"],
            "fields_checked": figures["fields_checked"],
            "fields_wrong": figures["fields_wrong"],
        },
    )
    return acceptance_round


def _return_wrong_records(actor: User, acceptance_round: AcceptanceRound) -> list[int]:
    """Each sampled record with a wrong field goes back to its operator as a returned record,
    with the checker's findings as field comments: the list to fix after a failed round."""
    from hotich.records.models import Record

    keyed = {f.key for f in record_type(acceptance_round.register.register_type).keyed_fields}
    returned = []
    checks = acceptance_round.checks.exclude(wrong_fields=[]).select_related("record", "checked_by")
    for check in checks.order_by("position"):
        record = check.record
        if record.status not in (Record.Status.SUBMITTED, Record.Status.VERIFIED):
            continue  # already back with its operator
        found = _("Nghiệm thu đợt %(round)s: khác với bản scan (người kiểm tra: %(checker)s).") % {
            "round": acceptance_round.pk,
            "checker": check.checked_by or "—",
        }
        comments = [(key, found) for key in check.wrong_fields if key in keyed]
        if check.note.strip() or not comments:
            comments.append(("", check.note.strip() or found))
        record_return(
            actor=actor, record=record, comments=comments, acceptance_round=acceptance_round.pk
        )
        returned.append(record.pk)
    return returned


@transaction.atomic
def acceptance_reopen(*, actor: User, register: Register, reason: str) -> Register:
    """Reopen an accepted or delivered register for corrections: a unit administrator of the
    custodian office, with a reason. The accepted round's result is voided (its acceptance
    record stays downloadable, marked void) and the register goes back to review."""
    from hotich.accounts.models import Role

    register = _lock_register(register)
    if (
        actor.role != Role.UNIT_ADMIN
        or actor.is_contractor
        or actor.office_id != register.custodian_id
    ):
        raise PermissionDenied(
            _("Chỉ quản trị viên cấp đơn vị của cơ quan lưu giữ sổ mới mở lại được sổ.")
        )
    if register.status not in FROZEN:
        raise ValidationError(_("Sổ chưa nghiệm thu hay bàn giao: không cần mở lại."))
    reason = nfc(reason.strip())
    if not reason:
        raise ValidationError(_("Hãy ghi lý do mở lại sổ."))
    status_before = register.status
    voided = []
    now = timezone.localtime()
    for accepted in register.acceptance_rounds.select_for_update().filter(
        status=AcceptanceRound.Status.ACCEPTED
    ):
        accepted.figures = {
            **accepted.figures,
            "voided": {
                "date": f"{now:%d/%m/%Y}",
                "at": now.isoformat(),
                "by": actor.username,
                "reason": reason,
            },
        }
        accepted.status = AcceptanceRound.Status.VOIDED
        accepted.save(update_fields=["status", "figures"])
        voided.append(accepted.pk)
    register = register_transition(
        actor=actor,
        register=register,
        to=RegisterStatus.REVIEW,
        reason=_("Mở lại sổ: %(reason)s") % {"reason": reason},
        by_reopen=True,
    )
    audit_record(
        actor=actor,
        action="acceptance.reopen",
        obj=register,
        office_path=register.custodian.path,
        before={"status": status_before},
        after={"status": register.status, "reason": reason, "voided_rounds": voided},
    )
    return register


@transaction.atomic
def acceptance_round_cancel(
    *, actor: User, acceptance_round: AcceptanceRound, reason: str
) -> AcceptanceRound:
    """End an open round without a decision (e.g. the register was sent back meanwhile). The
    round, its checks and the reason stay on record; the register's status is not touched."""
    acceptance_round = _lock_round(acceptance_round)
    register = acceptance_round.register
    _check_manage(actor, register)
    if acceptance_round.status != OPEN:
        raise ValidationError(_("Đợt nghiệm thu này đã kết luận."))
    reason = nfc(reason.strip())
    if not reason:
        raise ValidationError(_("Hãy ghi lý do hủy đợt nghiệm thu."))
    figures = round_figures(acceptance_round)
    figures["cancel_reason"] = reason
    acceptance_round.status = AcceptanceRound.Status.CANCELLED
    acceptance_round.figures = figures
    acceptance_round.decided_by, acceptance_round.decided_at = actor, timezone.now()
    acceptance_round.save(update_fields=["status", "figures", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action="acceptance.cancel",
        obj=register,
        office_path=register.custodian.path,
        after={"round": acceptance_round.pk, "reason": reason, "checked": figures["checked"]},
    )
    return acceptance_round


def acceptance_document(
    *, actor: User, acceptance_round: AcceptanceRound, kind: str
) -> tuple[bytes, str, str]:
    """The acceptance record as PDF or Excel: (content, file name, content type). Every
    download is written to the audit trail."""
    register = acceptance_round.register
    if not register_list_for_user(actor).filter(pk=register.pk).exists():
        raise PermissionDenied
    if kind not in documents.KINDS:
        raise ValidationError(_("Không có loại tệp này."))
    content, content_type = documents.render(acceptance_round, kind)
    name = f"{register.code}.nghiem-thu.{acceptance_round.pk}.{kind}"
    audit_record(
        actor=actor,
        action="acceptance.download",
        obj=register,
        office_path=register.custodian.path,
        after={"round": acceptance_round.pk, "file": name, "status": acceptance_round.status},
    )
    return content, name, content_type
