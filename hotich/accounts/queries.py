"""Scoping, written once: which offices and accounts a user may see.

Every page, endpoint, command and report asks these functions (or
`hotich.registers.queries.register_list_for_user`) and nothing else. Administrators and auditors
see their office and every office below it; everybody else sees their own office; contractor
accounts see no office data at all outside their assignments, and nothing once their contract
period is closed.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from hotich.accounts.models import ADMIN_ROLES, Office, Role, User
from hotich.core.models import Job

SUBTREE_ROLES = ADMIN_ROLES | {Role.AUDITOR}


def sees_subtree(user: User) -> bool:
    return user.role in SUBTREE_ROLES and not user.is_contractor


def office_scope_q(user: User, field: str = "") -> Q:
    """A Q over an office relation (`field` is the lookup path to the Office, "" for Office)."""
    prefix = f"{field}__" if field else ""
    if not user.is_authenticated or user.office is None or not user.is_active:
        return Q(pk__in=[])
    if sees_subtree(user):
        return Q(**{f"{prefix}path__startswith": user.office.path})
    return Q(**{f"{prefix}pk": user.office_id})


def office_list_for_user(user: User) -> QuerySet[Office]:
    return Office.objects.filter(office_scope_q(user)).select_related("unit", "parent")


def office_manageable_for_user(user: User) -> QuerySet[Office]:
    """Offices in which `user` may create and manage accounts: own office and below, admins only."""
    if not user.is_admin or user.office is None or user.is_contractor:
        return Office.objects.none()
    return Office.objects.filter(path__startswith=user.office.path, is_active=True)


def office_editable_for_user(user: User) -> QuerySet[Office]:
    """Offices whose record `user` may edit: as `office_manageable_for_user`, deactivated ones
    included (to be reactivated)."""
    if not user.is_admin or user.office is None or user.is_contractor:
        return Office.objects.none()
    return Office.objects.filter(path__startswith=user.office.path)


def user_list_for_user(user: User) -> QuerySet[User]:
    if not user.is_admin or user.office is None:
        return User.objects.none()
    return User.objects.filter(office__path__startswith=user.office.path).select_related("office")


def audit_scope_for_user(user: User) -> tuple[str, bool] | None:
    """(office path, include offices below) for the audit trail, or None when not allowed."""
    if user.office is None or user.role not in SUBTREE_ROLES or user.is_contractor:
        return None
    return user.office.path, True


def job_list_for_user(user: User) -> QuerySet[Job]:
    """Background jobs an administrator may watch, retry and cancel: own office and below."""
    if not user.is_admin or user.office is None or user.is_contractor:
        return Job.objects.none()
    return Job.objects.filter(office_path__startswith=user.office.path).select_related("created_by")
