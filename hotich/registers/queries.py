"""Reads of registers, scoped: `register_list_for_user` is the one door to the registers table.

Non-contractor accounts see the registers whose current custodian is in their office scope
(see `hotich.accounts.queries`). Contractor accounts see only registers with an active
assignment to them or to their company, and only while their contract period is open.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from hotich.accounts.models import User
from hotich.accounts.queries import office_scope_q
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
