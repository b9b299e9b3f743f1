"""Every write to registers: create, edit, move through the workflow, hand over, assign.

Each function checks the actor's scope, validates, saves in one transaction and records the
audit event in that transaction. Derived attributes (phase, priority, search key) are computed
here and nowhere else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hotich.accounts.models import Office, Role, User
from hotich.accounts.queries import office_scope_q
from hotich.core.audit import audit_record, changed, snapshot
from hotich.core.errors import UserFacingError
from hotich.core.text import fold, nfc
from hotich.registers.domain import (
    FROZEN,
    TRANSITIONS,
    WORK_ORDER,
    Status,
    phase_for_year,
    priority_for,
)
from hotich.registers.models import Assignment, CustodyTransfer, Register

EDITABLE_FIELDS = [
    "register_type",
    "authority_name",
    "authority_level",
    "authority_unit",
    "year_start",
    "year_end",
    "volume",
    "page_count",
    "declared_entries",
    "first_number",
    "last_number",
    "legibility",
    "condition_note",
    "note",
]
AUDIT_FIELDS = [
    "custodian_id",
    "register_type",
    "authority_name",
    "authority_level",
    "authority_unit_id",
    "year_start",
    "year_end",
    "volume",
    "page_count",
    "declared_entries",
    "first_number",
    "last_number",
    "legibility",
    "condition_note",
    "note",
    "phase",
    "priority",
    "status",
]
MANAGER_ROLES = {Role.PROVINCE_ADMIN, Role.UNIT_ADMIN}


def _check_can_manage(actor: User, office: Office) -> None:
    """Registers are inventoried and managed by administrators of the custodian's tree."""
    if actor.role not in MANAGER_ROLES or actor.is_contractor or actor.office is None:
        raise PermissionDenied(_("Chỉ quản trị đơn vị mới quản lý được sổ."))
    if not Office.objects.filter(office_scope_q(actor), pk=office.pk).exists():
        raise PermissionDenied(_("Sổ này không thuộc đơn vị bạn quản lý."))


def _derive(register: Register) -> None:
    register.authority_name = nfc(register.authority_name)
    register.authority_key = fold(register.authority_name)
    register.volume = nfc(register.volume)
    register.phase = phase_for_year(register.year_start)
    register.priority = priority_for(
        legibility=register.legibility, register_type=register.register_type
    )


def register_validate(register: Register) -> None:
    errors: dict[str, str] = {}
    this_year = timezone.localdate().year
    if register.year_start and not 1900 <= register.year_start <= this_year:
        errors["year_start"] = _("Năm phải từ 1900 đến %(y)s.") % {"y": this_year}
    if register.year_end is not None and register.year_end < register.year_start:
        errors["year_end"] = _("Năm kết thúc không được trước năm bắt đầu.")
    if register.year_end is not None and register.year_end - register.year_start > 1:
        errors["year_end"] = _("Một quyển sổ chỉ kéo dài tối đa hai năm liền nhau.")
    if not register.volume:
        errors["volume"] = _("Thiếu quyển số.")
    if not register.authority_name:
        errors["authority_name"] = _("Thiếu cơ quan đăng ký.")
    first, last = register.first_number, register.last_number
    if first.isdigit() and last.isdigit() and int(last) < int(first):
        errors["last_number"] = _("Số cuối nhỏ hơn số đầu.")
    duplicate = Register.objects.filter(
        custodian_id=register.custodian_id,
        register_type=register.register_type,
        authority_key=register.authority_key,
        year_start=register.year_start,
        volume=register.volume,
    ).exclude(pk=register.pk)
    if duplicate.exists():
        errors["volume"] = _(
            "Đơn vị đã có sổ cùng loại, cùng cơ quan đăng ký, năm và quyển số này."
        )
    if errors:
        raise ValidationError(errors)


def _check_custodian(actor: User, custodian: Office) -> None:
    _check_can_manage(actor, custodian)
    if custodian.is_contractor:
        raise ValidationError(_("Nhà thầu không lưu giữ sổ hộ tịch."))


def _insert(actor: User, register: Register) -> Register:
    """Save a new, validated register with its first custody entry and its audit event."""
    register.save()
    CustodyTransfer.objects.create(
        register=register,
        from_office=None,
        to_office=register.custodian,
        date=timezone.localdate(),
        reason=_("Kiểm kê ban đầu"),
        by=actor,
    )
    audit_record(
        actor=actor,
        action="register.create",
        obj=register,
        office_path=register.custodian.path,
        after=snapshot(register, AUDIT_FIELDS),
    )
    return register


@transaction.atomic
def register_create(*, actor: User, custodian: Office, data: dict[str, Any]) -> Register:
    _check_custodian(actor, custodian)
    register = Register(
        custodian=custodian, **{k: v for k, v in data.items() if k in EDITABLE_FIELDS}
    )
    _derive(register)
    register_validate(register)
    return _insert(actor, register)


def _locked(register: Register) -> Register:
    return Register.objects.select_for_update().get(pk=register.pk)


class RegisterFrozen(ValidationError, UserFacingError):
    """A write to a register that was accepted or delivered: refused, nothing written."""

    def __init__(self, register: Register) -> None:
        code = f"{register.register_type}.{register.year_start}.{register.volume}"
        super().__init__(
            _(
                "Sổ %(register)s đã ở trạng thái “%(status)s”: dữ liệu đã được khóa, không thêm, "
                "sửa hay xóa được hồ sơ và bản scan của sổ. Chỉ quản trị viên cấp đơn vị của cơ "
                "quan lưu giữ sổ mới mở lại được sổ để sửa (kèm lý do)."
            )
            % {"register": code, "status": Status(register.status).label},
            code="register_frozen",
        )
        self.register = register

    def __str__(self) -> str:
        return " ".join(str(m) for m in self.messages)


def register_lock_writable(register: Register | int, *, changes_data: bool = True) -> Register:
    """Lock the register row for the caller's transaction; refuse when it is frozen.

    Every service that writes records or scans of a register calls this first, inside its own
    transaction, so an acceptance decided meanwhile either waits for the write or refuses it.
    `changes_data` (all but status-only writes such as a review decision or a page mark) notes
    the time on the register: packages built before it are out of date. It is part of the
    caller's transaction, so a write that is rolled back leaves no mark.
    """
    pk = register if isinstance(register, int) else register.pk
    current = (
        Register.objects.select_for_update(of=("self",))
        .select_related("custodian")
        .only(
            "pk",
            "status",
            "version",
            "register_type",
            "year_start",
            "volume",
            "declared_entries",
            "custodian__path",
        )
        .get(pk=pk)
    )
    if current.status in FROZEN:
        raise RegisterFrozen(current)
    if changes_data:
        register_data_changed(pk)
    return current


def register_data_changed(pk: int) -> None:
    """The register's data changed now (see `Register.data_changed_at`)."""
    Register.objects.filter(pk=pk).update(data_changed_at=timezone.now())


@transaction.atomic
def register_update(
    *, actor: User, register: Register, data: dict[str, Any], version: int | None = None
) -> Register:
    _check_can_manage(actor, register.custodian)
    current = _locked(register)
    if current.status in FROZEN:
        # The declared count, range and identity are what the acceptance checked.
        raise RegisterFrozen(current)
    if version is not None and current.version != version:
        raise ValidationError(
            _("Sổ này vừa được người khác sửa. Hãy tải lại trang để xem thay đổi rồi sửa lại.")
        )
    before = snapshot(current, AUDIT_FIELDS)
    for key, value in data.items():
        if key in EDITABLE_FIELDS:
            setattr(current, key, value)
    _derive(current)
    register_validate(current)
    current.version += 1
    current.save()
    old, new = changed(before, snapshot(current, AUDIT_FIELDS))
    if new:
        audit_record(
            actor=actor,
            action="register.update",
            obj=current,
            office_path=current.custodian.path,
            before=old,
            after=new,
        )
    return current


@transaction.atomic
def register_transition(
    *,
    actor: User,
    register: Register,
    to: str,
    reason: str = "",
    by_acceptance: bool = False,
    by_reopen: bool = False,
) -> Register:
    """Move a register through the workflow (see `domain.TRANSITIONS`).

    "Accepted" is reached only through the acceptance app (`by_acceptance=True`), which checks
    completeness and the sample first (decision 0012); this app comes before it. A frozen
    register goes back to review only by reopening (`by_reopen=True`, from
    `acceptance_reopen`: a unit administrator of the custodian, with a reason).
    """
    _check_can_manage(actor, register.custodian)
    if to == Status.ACCEPTED and not by_acceptance:
        raise ValidationError(
            _(
                "Sổ chỉ được chuyển sang “Đã nghiệm thu” trên trang Nghiệm thu của sổ: "
                "giải trình mọi chỗ thiếu, trùng, rồi kiểm tra mẫu."
            )
        )
    current = _locked(register)
    if current.status in FROZEN and to == Status.REVIEW and not by_reopen:
        raise ValidationError(
            _(
                "Sổ đã nghiệm thu hoặc bàn giao chỉ được mở lại bằng nút “Mở lại sổ” trên trang "
                "Nghiệm thu, do quản trị viên cấp đơn vị của cơ quan lưu giữ sổ thực hiện, kèm lý "
                "do."
            )
        )
    if to not in TRANSITIONS.get(current.status, frozenset()):
        raise ValidationError(
            _("Không thể chuyển sổ từ “%(a)s” sang “%(b)s”.")
            % {"a": Status(current.status).label, "b": Status(to).label}
        )
    if to == Status.DELIVERED:
        _check_deliverable(current)
    before = current.status
    current.status = to
    current.version += 1
    current.save(update_fields=["status", "version", "updated_at"])
    audit_record(
        actor=actor,
        action="register.transition",
        obj=current,
        office_path=current.custodian.path,
        before={"status": before},
        after={"status": to, "reason": reason},
    )
    return current


def _check_deliverable(register: Register) -> None:
    """Delivered only with a released package built after the data last changed. The packages
    are the transfer app's (`register.packages`, read through the relation: this app comes
    before it)."""
    latest = register.packages.filter(status="released").order_by("-built_at").first()
    changed = register.data_changed_at
    if latest is None or (changed is not None and latest.built_at < changed):
        raise ValidationError(
            _(
                "Chỉ đánh dấu “Đã bàn giao” khi sổ có gói bàn giao đã kiểm tra, tạo sau lần thay "
                "đổi dữ liệu cuối cùng của sổ. Hãy tạo lại gói trên trang “Gói bàn giao”."
            )
        )


def register_follow_work(*, actor: Any, register: Register, to: str, reason: str) -> Register:
    """Move a register forward by itself to `to` as work happens (first scan → scanning, first
    record → keying, every declared entry submitted → review), through each step in between,
    one audited `register.auto_transition` per step. Never backward, never out of review or a
    frozen status. Called inside the caller's transaction, with the register row locked."""
    if to not in WORK_ORDER or register.status not in WORK_ORDER:
        return register
    current = WORK_ORDER.index(register.status)
    target = WORK_ORDER.index(to)
    for step in WORK_ORDER[current + 1 : target + 1]:
        before = register.status
        register.status = step
        register.version += 1
        Register.objects.filter(pk=register.pk).update(
            status=step, version=register.version, updated_at=timezone.now()
        )
        audit_record(
            actor=actor,
            action="register.auto_transition",
            obj=register,
            office_path=register.custodian.path,
            before={"status": before},
            after={"status": step, "reason": reason},
        )
    return register


@transaction.atomic
def register_handover(
    *, actor: User, register: Register, to_office: Office, date: dt.date, reason: str
) -> Register:
    """Hand a register to another custodian (e.g. after a merger, Công văn 3792/BTP-HTQTCT).

    The receiving office need not be in the actor's tree (a merged unit hands over to the
    absorbing one); the actor must manage the register's current custodian.
    """
    _check_can_manage(actor, register.custodian)
    if to_office.is_contractor or not to_office.is_active:
        raise ValidationError(_("Chỉ có thể bàn giao sổ cho một cơ quan đang hoạt động."))
    # Within the province whose offices keep the register (a merged unit hands over to the
    # absorbing one, which may be outside the actor's own tree, never to another province).
    province = register.custodian.path.strip("/").split("/")[0]
    if to_office.path.strip("/").split("/")[0] != province:
        raise ValidationError(
            _("Chỉ có thể bàn giao sổ cho một cơ quan trong cùng tỉnh với đơn vị đang lưu giữ sổ.")
        )
    current = _locked(register)
    if to_office.pk == current.custodian_id:
        raise ValidationError(_("Sổ đã thuộc đơn vị này."))
    from_office = current.custodian
    CustodyTransfer.objects.create(
        register=current,
        from_office=from_office,
        to_office=to_office,
        date=date,
        reason=reason,
        by=actor,
    )
    current.custodian = to_office
    current.version += 1
    current.save(update_fields=["custodian", "version", "updated_at"])
    # Assignments to the old custodian's staff end with the handover.
    ended = current.assignments.filter(active=True).update(active=False)
    for path in {from_office.path, to_office.path}:
        audit_record(
            actor=actor,
            action="register.handover",
            obj=current,
            office_path=path,
            before={"custodian": from_office.pk, "custodian_name": from_office.name},
            after={
                "custodian": to_office.pk,
                "custodian_name": to_office.name,
                "date": date,
                "reason": reason,
                "assignments_ended": ended,
            },
        )
    return current


def _assignable(
    actor: User, register: Register, user: User | None, office: Office | None, task: str
) -> None:
    custodian = register.custodian
    if user is not None:
        if not user.is_active or user.office is None:
            raise ValidationError(_("Tài khoản không hoạt động."))
        if not user.office.is_within(custodian) and not user.office.is_within(actor.office):  # type: ignore[arg-type]
            raise PermissionDenied(_("Tài khoản không thuộc đơn vị của bạn."))
        expected = {Assignment.Task.REVIEW: Role.REVIEWER}.get(task, Role.OPERATOR)  # type: ignore[call-overload]
        if user.role != expected:
            raise ValidationError(_("Vai trò của tài khoản không phù hợp với công việc được giao."))
    if office is not None:
        if not office.is_contractor:
            raise ValidationError(_("Chỉ giao cả đơn vị cho nhà thầu."))
        if not office.is_within(actor.office):  # type: ignore[arg-type]
            raise PermissionDenied(_("Nhà thầu không thuộc đơn vị của bạn."))


@transaction.atomic
def register_assign(
    *,
    actor: User,
    register: Register,
    task: str,
    user: User | None = None,
    office: Office | None = None,
) -> Assignment:
    _check_can_manage(actor, register.custodian)
    if (user is None) == (office is None):
        raise ValidationError(_("Chọn một tài khoản hoặc một nhà thầu."))
    _assignable(actor, register, user, office, task)
    existing = (
        register.assignments.filter(active=True, task=task)
        .filter(Q(user=user) if user else Q(office=office, user__isnull=True))
        .first()
    )
    if existing:
        return existing
    assignment = Assignment.objects.create(
        register=register, user=user, office=office, task=task, assigned_by=actor
    )
    audit_record(
        actor=actor,
        action="register.assign",
        obj=register,
        office_path=register.custodian.path,
        after={
            "assignment": assignment.pk,
            "task": task,
            "user": user.username if user else None,
            "office": office.name if office else None,
        },
    )
    return assignment


@transaction.atomic
def register_unassign(*, actor: User, assignment: Assignment) -> Assignment:
    register = assignment.register
    _check_can_manage(actor, register.custodian)
    assignment.active = False
    assignment.save(update_fields=["active"])
    audit_record(
        actor=actor,
        action="register.unassign",
        obj=register,
        office_path=register.custodian.path,
        before={
            "assignment": assignment.pk,
            "task": assignment.task,
            "user": assignment.user.username if assignment.user else None,
            "office": assignment.office.name if assignment.office else None,
        },
    )
    return assignment


@transaction.atomic
def register_bulk_create(
    *,
    actor: User,
    custodian: Office,
    rows: list[Any],
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[Register], list[Any]]:
    """Create every row of a checked list, or none: returns (created, rows with errors).

    Rows already carrying read errors, and rows the register rules reject, come back with
    their errors; if any row has an error nothing is created. `progress(done, total)` is called
    every 100 rows of each pass (checking, then saving: total is twice the row count).
    """
    _check_custodian(actor, custodian)
    total = 2 * len(rows)
    seen: set[tuple[str, str, int, str]] = set()
    candidates: list[Register] = []
    for done, row in enumerate(rows, start=1):
        if progress and done % 100 == 0:
            progress(done, total)
        if row.errors:
            continue
        register = Register(
            custodian=custodian, **{k: v for k, v in row.data.items() if k in EDITABLE_FIELDS}
        )
        _derive(register)
        try:
            register_validate(register)
        except ValidationError as exc:
            for field_name, messages in exc.message_dict.items():
                label = str(
                    getattr(Register._meta.get_field(field_name), "verbose_name", field_name)
                )
                row.errors.extend((label, m) for m in messages)
            continue
        key = (register.register_type, register.authority_key, register.year_start, register.volume)
        if key in seen:
            row.errors.append((str(_("Quyển số")), _("Trùng với một dòng khác trong tệp.")))
            continue
        seen.add(key)
        candidates.append(register)
    failed = [row for row in rows if row.errors]
    if failed:
        return [], failed
    created = []
    for done, register in enumerate(candidates, start=len(rows) + 1):
        if progress and done % 100 == 0:
            progress(done, total)
        created.append(_insert(actor, register))
    audit_record(
        actor=actor,
        action="register.bulk_create",
        obj=None,
        object_type="registers.register",
        object_repr=custodian.name,
        office_path=custodian.path,
        after={"count": len(created), "ids": [r.pk for r in created]},
    )
    return created, []
