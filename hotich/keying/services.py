"""Writes of double keying (decision 0011): set or clear a register's plan, save an operator's
blind copy (and compare the two copies when the second is submitted), settle a comparison by
arbitration.

Each runs in one transaction with its audit event. The record's data is written only through
`records.services.record_save`, once two copies agree or an arbitrator has decided every
difference. Who may arbitrate (reviewers, review assignments) is review's rule: it calls
`comparison_resolve` from `hotich.review.arbitration`; independence from the two copies is
checked here as well, as it belongs to double keying itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hotich.accounts.models import ADMIN_ROLES, Office, User
from hotich.accounts.queries import office_scope_q
from hotich.core.audit import audit_record
from hotich.core.text import nfc
from hotich.keying.models import Comparison, DoubleKeying, FieldComparison, KeyedCopy
from hotich.keying.queries import (
    BLIND,
    compared_keys,
    copy_refusal,
    double_keying_plan,
    record_double_state,
)
from hotich.records.models import Record
from hotich.records.queries import record_can_key
from hotich.records.schema import record_type
from hotich.records.services import record_create_placeholder, record_save
from hotich.records.validation import Issue, record_validate
from hotich.registers.models import Register
from hotich.registers.services import register_lock_writable


class CopyRefused(Exception):
    """A copy that may not be saved (a third operator, a record already compared)."""


class CopyConflict(Exception):
    """The operator's copy was saved again (another tab) since this form was opened."""

    def __init__(self, current: KeyedCopy) -> None:
        super().__init__("copy changed since it was opened")
        self.current = current


class ArbitrationError(Exception):
    """An arbitration the rules refuse; nothing was written. `str()` says why."""


def _check_manager(actor: User, register: Register) -> None:
    if actor.role not in ADMIN_ROLES or actor.is_contractor or actor.office is None:
        raise PermissionDenied(_("Chỉ quản trị đơn vị mới đặt chế độ nhập liệu hai lần."))
    if not Office.objects.filter(office_scope_q(actor), pk=register.custodian_id).exists():
        raise PermissionDenied(_("Sổ này không thuộc đơn vị bạn quản lý."))


@transaction.atomic
def double_keying_set(
    *, actor: User, register: Register, fields: list[str] | tuple[str, ...] = ()
) -> DoubleKeying:
    """Key the register twice from now on: every field (`fields` empty) or only those."""
    _check_manager(actor, register)
    register_lock_writable(register, changes_data=False)
    known = {f.key for f in record_type(register.register_type).keyed_fields}
    unknown = sorted(set(fields) - known)
    if unknown:
        raise ValidationError(_("Không có trường %(fields)s.") % {"fields": ", ".join(unknown)})
    chosen = [f.key for f in record_type(register.register_type).keyed_fields if f.key in fields]
    plan = DoubleKeying.objects.select_for_update().filter(register=register).first()
    before = {"active": plan.active, "fields": plan.fields} if plan is not None else None
    if plan is None:
        plan = DoubleKeying(register=register)
    plan.fields, plan.active, plan.set_by = chosen, True, actor
    plan.save()
    audit_record(
        actor=actor,
        action="keying.double_set",
        obj=register,
        office_path=register.custodian.path,
        before=before,
        after={"active": True, "fields": chosen},
    )
    return plan


@transaction.atomic
def double_keying_clear(*, actor: User, register: Register) -> DoubleKeying | None:
    """Back to single keying for records not yet started; records with copies finish as begun."""
    _check_manager(actor, register)
    register_lock_writable(register, changes_data=False)
    plan = DoubleKeying.objects.select_for_update().filter(register=register, active=True).first()
    if plan is None:
        return None
    plan.active, plan.set_by = False, actor
    plan.save()
    audit_record(
        actor=actor,
        action="keying.double_clear",
        obj=register,
        office_path=register.custodian.path,
        before={"active": True, "fields": plan.fields},
        after={"active": False},
    )
    return plan


@dataclass
class CopyResult:
    copy: KeyedCopy
    issues: list[Issue] = field(default_factory=list)
    #: set when this save was the second submitted copy: the two were compared.
    comparison: Comparison | None = None

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "error"]

    @property
    def open_warnings(self) -> list[Issue]:
        ack = set(self.copy.ack)
        return [i for i in self.issues if i.level == "warning" and i.code not in ack]


@transaction.atomic
def copy_save(
    *,
    actor: User,
    register: Register,
    raw: Mapping[str, Any],
    record: Record | None = None,
    base_version: int | None = None,
    ack: list[str] | tuple[str, ...] = (),
) -> CopyResult:
    """Save the operator's own copy of a record of a double-keyed register, validated as any
    keying is; a new record is created empty (its data waits for the comparison). When this
    save submits the second operator's copy, the two are compared at once."""
    if not record_can_key(actor, register):
        raise PermissionDenied(_("Bạn không được giao nhập liệu sổ này."))
    register_lock_writable(register, changes_data=False)  # a copy is compared, then saved
    if record is None:
        record = record_create_placeholder(
            actor=actor, register=register, source=Record.Source.MANUAL
        )
    record = Record.objects.select_for_update().get(pk=record.pk, register=register)
    if record_double_state(record) != BLIND:
        raise CopyRefused(_("Trường hợp này không nhập hai lần (hoặc đã so sánh xong)."))
    refusal = copy_refusal(actor, record)
    if refusal:
        raise CopyRefused(refusal)
    copy = KeyedCopy.objects.filter(record=record, by=actor).first()
    if copy is not None and base_version is not None and copy.version != base_version:
        raise CopyConflict(copy)
    created = copy is None
    if copy is None:
        copy = KeyedCopy(record=record, by=actor)
    rtype = record_type(register.register_type)
    data, issues = record_validate(rtype, register, raw, record=record)
    errors = sum(1 for i in issues if i.level == "error")
    codes = {i.code for i in issues if i.level == "warning"}
    kept = sorted(code for code in set(ack) if code in codes)
    before = dict(copy.data)
    copy.data, copy.ack = data, kept
    copy.error_count, copy.warning_count = errors, len(codes)
    done = errors == 0 and codes <= set(kept)
    copy.status = KeyedCopy.Status.SUBMITTED if done else KeyedCopy.Status.DRAFT
    copy.submitted_at = timezone.now() if done else None
    if not created:
        copy.version += 1
    copy.save()
    changed = sorted(k for k in set(before) | set(data) if before.get(k) != data.get(k))
    audit_record(
        actor=actor,
        action="keying.copy_save",
        obj=record,
        office_path=register.custodian.path,
        before={k: before.get(k, "") for k in changed} if not created else None,
        after={
            **{k: data.get(k, "") for k in changed},
            "copy": copy.pk,
            "status": copy.status,
            "version": copy.version,
        },
    )
    result = CopyResult(copy=copy, issues=issues)
    if done:
        other = (
            KeyedCopy.objects.filter(record=record, status=KeyedCopy.Status.SUBMITTED)
            .exclude(pk=copy.pk)
            .order_by("submitted_at", "id")
            .first()
        )
        if other is not None:
            result.comparison = _compare(actor, register, record, other, copy)
    return result


def _compare(
    actor: User, register: Register, record: Record, a: KeyedCopy, b: KeyedCopy
) -> Comparison:
    """Field by field on the plan's fields; a field counts only when one copy has a value."""
    rtype = record_type(register.register_type)
    keys = compared_keys(rtype, double_keying_plan(register))
    rows = [
        (key, a.data.get(key, ""), b.data.get(key, ""))
        for key in keys
        if a.data.get(key) or b.data.get(key)
    ]
    differing = [key for key, va, vb in rows if va != vb]
    comparison = Comparison.objects.create(
        record=record,
        copy_a=a,
        copy_b=b,
        state=Comparison.State.ARBITRATION if differing else Comparison.State.AGREED,
    )
    FieldComparison.objects.bulk_create(
        FieldComparison(comparison=comparison, field=key, value_a=va, value_b=vb, agreed=va == vb)
        for key, va, vb in rows
    )
    audit_record(
        actor=actor,
        action="keying.compare",
        obj=record,
        office_path=register.custodian.path,
        after={
            "comparison": comparison.pk,
            "copies": [a.pk, b.pk],
            "operators": [a.by_id, b.by_id],
            "compared": len(rows),
            "differing": differing,
            "state": comparison.state,
        },
    )
    if not differing:
        # Outside the plan's fields copy A stands; on them the two are the same.
        record_save(
            actor=actor,
            register=register,
            record=record,
            raw=dict(a.data),
            base_version=record.version,
            ack=sorted(set(a.ack) | set(b.ack)),
        )
        comparison.settled_by, comparison.settled_at = actor, timezone.now()
        comparison.save(update_fields=["settled_by", "settled_at"])
    return comparison


def arbitration_independence(user: User, comparison: Comparison) -> str | None:
    """Nobody arbitrates a difference of their own copy, nor a contractor its company's copies."""
    operators = [comparison.copy_a.by, comparison.copy_b.by]
    if user.pk in {o.pk for o in operators}:
        return _("Bạn đã nhập một trong hai bản của trường hợp này: người khác phải đối chiếu.")
    if user.is_contractor and any(o.office_id == user.office_id for o in operators):
        return _("Một bản nhập do đơn vị thi công của bạn làm: cần người đối chiếu độc lập.")
    return None


@transaction.atomic
def comparison_resolve(
    *,
    actor: User,
    record: Record,
    choices: Mapping[str, tuple[str, str]],
) -> Comparison:
    """Decide every differing field — `choices[field] = ("a" | "b" | "typed", typed text)` —
    and write the record's final data: copy A's, with the decided values."""
    comparison = (
        Comparison.objects.select_for_update()
        .select_related("copy_a__by", "copy_b__by", "record__register__custodian")
        .filter(record=record)
        .first()
    )
    if comparison is None or comparison.state != Comparison.State.ARBITRATION:
        raise ArbitrationError(_("Trường hợp này không có khác biệt nào chờ đối chiếu."))
    refusal = arbitration_independence(actor, comparison)
    if refusal:
        raise PermissionDenied(refusal)
    record = Record.objects.select_for_update().get(pk=comparison.record_id)
    register = comparison.record.register
    rtype = record_type(register.register_type)
    differing = list(comparison.results.filter(agreed=False))
    final = dict(comparison.copy_a.data)
    Choice = FieldComparison.Choice
    missing = []
    for result in differing:
        choice, typed = choices.get(result.field, ("", ""))
        if choice == Choice.A:
            value = result.value_a
        elif choice == Choice.B:
            value = result.value_b
        elif choice == Choice.TYPED:
            value = nfc(typed.strip())
        else:
            missing.append(result.field)
            continue
        result.choice = choice
        final[result.field] = value
    if missing:
        raise ArbitrationError(
            _("Chưa chọn giá trị cho: %(fields)s.")
            % {"fields": ", ".join(str(_label(rtype, key)) for key in missing)}
        )
    data, issues = record_validate(rtype, register, final, record=record)
    errors = [i for i in issues if i.level == "error"]
    if errors:
        raise ArbitrationError(
            _("Giá trị chọn còn lỗi: %(errors)s")
            % {"errors": "; ".join(f"{_label(rtype, i.field)}: {i.message}" for i in errors)}
        )
    now = timezone.now()
    for result in differing:
        result.final, result.decided_by, result.decided_at = data.get(result.field, ""), actor, now
    FieldComparison.objects.bulk_update(differing, ["choice", "final", "decided_by", "decided_at"])
    # The arbitrator saw the scan and both copies: warnings left are accepted with the decision.
    saved = record_save(
        actor=actor,
        register=register,
        record=record,
        raw=data,
        base_version=record.version,
        ack=sorted({i.code for i in issues if i.level == "warning"}),
    )
    comparison.state = Comparison.State.ARBITRATED
    comparison.settled_by, comparison.settled_at = actor, now
    comparison.save(update_fields=["state", "settled_by", "settled_at"])
    audit_record(
        actor=actor,
        action="keying.arbitrate",
        obj=record,
        office_path=register.custodian.path,
        after={
            "comparison": comparison.pk,
            "decisions": {
                r.field: {"a": r.value_a, "b": r.value_b, "choice": r.choice, "final": r.final}
                for r in differing
            },
            "status": saved.record.status,
        },
    )
    return comparison


def _label(rtype: Any, key: str) -> Any:
    f = rtype.by_key.get(key)
    return f.label if f is not None else key
