"""Reads of registers, scoped: `register_list_for_user` is the one door to the registers table.

Non-contractor accounts see the registers whose current custodian is in their office scope
(see `hotich.accounts.queries`). Contractor accounts see only registers with an active
assignment to them or to their company, and only while their contract period is open.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from hotich.accounts.models import User
from hotich.accounts.queries import office_scope_q
from hotich.registers.domain import Status
from hotich.registers.models import Assignment, Register


def register_list_for_user(user: User) -> QuerySet[Register]:
    qs = Register.objects.select_related("custodian", "authority_unit")
    if not user.is_authenticated or not user.is_active or user.office is None:
        return qs.none()
    if user.is_contractor:
        if not user.contract_open():
            return qs.none()
        assigned = Assignment.objects.filter(active=True).filter(
            Q(user=user) | Q(office_id=user.office_id)
        )
        return qs.filter(pk__in=assigned.values("register_id"))
    return qs.filter(office_scope_q(user, "custodian"))


def register_filter(qs: QuerySet[Register], params: dict[str, Any]) -> QuerySet[Register]:
    """Apply the list page's filters; unknown or empty keys are ignored."""
    from hotich.core.text import fold

    if params.get("type"):
        qs = qs.filter(register_type=params["type"])
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    if params.get("phase"):
        qs = qs.filter(phase=params["phase"])
    if params.get("custodian"):
        qs = qs.filter(custodian_id=params["custodian"])
    if params.get("year"):
        year = int(params["year"])
        qs = qs.filter(year_start__lte=year).filter(
            Q(year_end__gte=year) | Q(year_end__isnull=True, year_start=year)
        )
    if params.get("legibility"):
        qs = qs.filter(legibility=params["legibility"])
    if params.get("q"):
        for token in fold(params["q"]).split():
            qs = qs.filter(Q(authority_key__contains=token) | Q(volume__icontains=token))
    return qs


def register_assignees(register: Register) -> QuerySet[Assignment]:
    return register.assignments.filter(active=True).select_related("user", "office", "assigned_by")


def register_list_assigned_to(user: User) -> QuerySet[Register]:
    """The "my work" page: registers assigned to the user or their contractor company."""
    assigned = Assignment.objects.filter(active=True).filter(
        Q(user=user) | Q(office_id=user.office_id, user__isnull=True)
    )
    return register_list_for_user(user).filter(pk__in=assigned.values("register_id"))


def register_is_assigned(user: User, register: Register, tasks: tuple[str, ...]) -> bool:
    """An active assignment of one of `tasks` to the user, or to their whole company."""
    return (
        Assignment.objects.filter(register=register, active=True, task__in=tasks)
        .filter(Q(user=user) | Q(office_id=user.office_id, user__isnull=True))
        .exists()
    )


@dataclass
class Progress:
    """Where a register's work stands, in words a civil servant reads (my work, register list)."""

    declared: int | None
    keyed: int  # submitted or verified
    verified: int
    finished: bool
    next_step: str

    @property
    def over(self) -> int:
        """Records keyed beyond the declared number: an entry split in two, or a wrong count."""
        return max(0, self.keyed - (self.declared or self.keyed))


def _next_step(status: str, declared: int | None, keyed: int, verified: int) -> tuple[bool, str]:
    if status == Status.DELIVERED:
        return True, _("Đã bàn giao gói dữ liệu: xong.")
    if status == Status.ACCEPTED:
        return True, _("Đã nghiệm thu. Việc tiếp theo: quản trị viên lập và bàn giao gói dữ liệu.")
    if declared and keyed >= declared and verified >= keyed:
        return True, _(
            "Đã nhập và kiểm tra xong. Việc tiếp theo: quản trị viên nghiệm thu (chọn mẫu kiểm "
            "tra)."
        )
    if declared and keyed >= declared:
        return False, _(
            "Đã nhập đủ. Việc tiếp theo: người kiểm tra đối chiếu %(n)s trường hợp còn lại với "
            "bản scan."
        ) % {"n": keyed - verified}
    if declared:
        return False, _("Đang nhập: còn %(n)s trường hợp.") % {"n": declared - keyed}
    return False, _("Sổ chưa khai số trường hợp: quản trị viên bổ sung ở trang sửa sổ.")


def register_progress_for(registers: Iterable[Register]) -> dict[int, Progress]:
    """Progress of the registers shown on one page, in one query."""
    registers = list(registers)
    counts = {
        row["pk"]: row
        for row in Register.objects.filter(pk__in=[r.pk for r in registers])
        .annotate(
            keyed=Count("records", filter=Q(records__status__in=("submitted", "verified"))),
            verified=Count("records", filter=Q(records__status="verified")),
        )
        .values("pk", "keyed", "verified")
    }
    result = {}
    for register in registers:
        row = counts.get(register.pk, {"keyed": 0, "verified": 0})
        finished, step = _next_step(
            register.status, register.declared_entries, row["keyed"], row["verified"]
        )
        result[register.pk] = Progress(
            declared=register.declared_entries,
            keyed=row["keyed"],
            verified=row["verified"],
            finished=finished,
            next_step=step,
        )
    return result
