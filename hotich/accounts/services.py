"""Every write to offices and accounts.

Each function checks that the acting user may do it (inside their scope, never granting more
than they hold), saves in one transaction and records the audit event in that same transaction.
Views, commands and the demo loader call these; nothing else saves an Office or a User.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hotich.accounts.models import CONTRACTOR_ROLES, Office, Role, User
from hotich.core.audit import audit_record, changed, snapshot
from hotich.units.models import AdminUnit

USER_AUDIT_FIELDS = [
    "username",
    "full_name",
    "email",
    "phone",
    "office_id",
    "role",
    "is_active",
    "contract_start",
    "contract_end",
    "must_change_password",
    "locked_at",
]
OFFICE_AUDIT_FIELDS = ["name", "kind", "parent_id", "unit_id", "is_active", "path"]

# Offices of a kind may sit only below offices of these kinds (None: at the top).
ALLOWED_PARENT_KINDS: dict[str, set[str | None]] = {
    Office.Kind.PROVINCE: {None},
    Office.Kind.DISTRICT: {Office.Kind.PROVINCE},
    Office.Kind.COMMUNE: {Office.Kind.PROVINCE, Office.Kind.DISTRICT},
    Office.Kind.CONTRACTOR: {Office.Kind.PROVINCE, Office.Kind.DISTRICT, Office.Kind.COMMUNE},
}


ROLE_RANK: dict[str, int] = {Role.PROVINCE_ADMIN: 3, Role.UNIT_ADMIN: 2}


def _role_rank(role: str) -> int:
    return ROLE_RANK.get(role, 1)


def can_grant(actor: User, role: str, office: Office) -> bool:
    """Nobody grants more than they hold, nor outside their own office tree."""
    if not actor.is_admin or actor.office is None or actor.is_contractor:
        return False
    if not office.is_within(actor.office):
        return False
    if _role_rank(role) > _role_rank(actor.role):
        return False
    if office.is_contractor and role not in CONTRACTOR_ROLES:
        return False
    return not (role == Role.PROVINCE_ADMIN and office.kind != Office.Kind.PROVINCE)


def _path(user: User) -> str:
    return user.office.path if user.office else ""


def _check_manages(actor: User, office: Office | None) -> None:
    if (
        not actor.is_admin
        or actor.office is None
        or office is None
        or not office.is_within(actor.office)
    ):
        raise PermissionDenied(_("Bạn không quản lý đơn vị này."))


def _check_manages_account(actor: User, user: User) -> None:
    """Changing, unlocking, resetting, deactivating or moving an account takes what creating it
    would: its current role in its current office must be one the actor could grant. (A unit
    administrator in the province's office could otherwise demote the province administrator,
    move the account away, reset its password and sign in as it.)"""
    _check_manages(actor, user.office)
    if user.pk != actor.pk and (
        user.office is None or not can_grant(actor, user.role, user.office)
    ):
        raise PermissionDenied(
            _("Bạn không quản lý tài khoản này: vai trò hoặc đơn vị của nó vượt quyền của bạn.")
        )


# ---- offices -------------------------------------------------------------------------------


@transaction.atomic
def office_create(
    *,
    actor: User | None,
    name: str,
    kind: str,
    parent: Office | None,
    unit: AdminUnit | None = None,
) -> Office:
    """Create an office. `actor=None` is the installer (first Sở Tư pháp, demo data)."""
    if actor is not None:
        if parent is None:
            raise PermissionDenied(_("Chỉ có thể tạo đơn vị trực thuộc đơn vị của bạn."))
        _check_manages(actor, parent)
    parent_kind = parent.kind if parent else None
    if parent_kind not in ALLOWED_PARENT_KINDS[kind]:
        raise ValidationError(_("Loại đơn vị này không thể trực thuộc đơn vị đã chọn."))
    office = Office.objects.create(name=name.strip(), kind=kind, parent=parent, unit=unit)
    office.path = f"{parent.path if parent else '/'}{office.pk}/"
    office.save(update_fields=["path"])
    audit_record(
        actor=actor,
        action="office.create",
        obj=office,
        office_path=office.path,
        after=snapshot(office, OFFICE_AUDIT_FIELDS),
    )
    return office


@transaction.atomic
def office_update(
    *, actor: User, office: Office, name: str, unit: AdminUnit | None, is_active: bool
) -> Office:
    _check_manages(actor, office)
    if office == actor.office and not is_active:
        raise ValidationError(_("Không thể ngừng hoạt động đơn vị của chính bạn."))
    before = snapshot(office, OFFICE_AUDIT_FIELDS)
    office.name, office.unit, office.is_active = name.strip(), unit, is_active
    office.save(update_fields=["name", "unit", "is_active"])
    old, new = changed(before, snapshot(office, OFFICE_AUDIT_FIELDS))
    if new:
        audit_record(
            actor=actor,
            action="office.update",
            obj=office,
            office_path=office.path,
            before=old,
            after=new,
        )
    return office


# ---- accounts ------------------------------------------------------------------------------


def _validate_contract(office: Office, start: dt.date | None, end: dt.date | None) -> None:
    if office.is_contractor and not (start and end):
        raise ValidationError(
            _("Tài khoản nhà thầu phải có thời hạn hợp đồng (từ ngày, đến ngày).")
        )
    if start and end and end < start:
        raise ValidationError(_("Ngày kết thúc hợp đồng phải sau ngày bắt đầu."))


def temporary_password() -> str:
    # Letters and digits from an unambiguous alphabet, easy to read out over the phone.
    alphabet = "abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY"
    return "".join(secrets.choice(alphabet) for _ in range(8)) + "".join(
        secrets.choice("23456789") for _ in range(4)
    )


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    office: Office,
    role: str,
    full_name: str = "",
    email: str = "",
    phone: str = "",
    password: str | None = None,
    contract_start: dt.date | None = None,
    contract_end: dt.date | None = None,
    must_change_password: bool = True,
) -> tuple[User, str]:
    """Create an account; returns it with its first password (generated when none is given)."""
    if actor is not None and not can_grant(actor, role, office):
        raise PermissionDenied(_("Bạn không thể cấp vai trò này cho đơn vị này."))
    if office.is_contractor and role not in CONTRACTOR_ROLES:
        raise ValidationError(_("Tài khoản nhà thầu chỉ có vai trò nhập liệu hoặc kiểm tra."))
    _validate_contract(office, contract_start, contract_end)
    username = username.strip().lower()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("Tên đăng nhập “%(u)s” đã có.") % {"u": username})
    user = User(
        username=username,
        office=office,
        role=role,
        full_name=full_name.strip(),
        email=email,
        phone=phone,
        contract_start=contract_start,
        contract_end=contract_end,
        must_change_password=must_change_password,
        created_by=actor,
    )
    password = password or temporary_password()
    validate_password(password, user)
    user.set_password(password)
    user.save()
    audit_record(
        actor=actor,
        action="user.create",
        obj=user,
        office_path=office.path,
        after=snapshot(user, USER_AUDIT_FIELDS),
    )
    return user, password


@transaction.atomic
def user_update(
    *,
    actor: User,
    user: User,
    full_name: str,
    email: str,
    phone: str,
    role: str,
    office: Office,
    contract_start: dt.date | None,
    contract_end: dt.date | None,
) -> User:
    _check_manages_account(actor, user)
    if user.pk == actor.pk and (role != actor.role or office != actor.office):
        raise PermissionDenied(_("Bạn không thể tự thay đổi vai trò hoặc đơn vị của mình."))
    if not can_grant(actor, role, office):
        raise PermissionDenied(_("Bạn không thể cấp vai trò này cho đơn vị này."))
    _validate_contract(office, contract_start, contract_end)
    before = snapshot(user, USER_AUDIT_FIELDS)
    user.full_name, user.email, user.phone = full_name.strip(), email, phone
    user.role, user.office = role, office
    user.contract_start, user.contract_end = contract_start, contract_end
    user.save()
    old, new = changed(before, snapshot(user, USER_AUDIT_FIELDS))
    if new:
        audit_record(
            actor=actor,
            action="user.update",
            obj=user,
            office_path=office.path,
            before=old,
            after=new,
        )
    return user


@transaction.atomic
def user_set_active(*, actor: User, user: User, active: bool) -> User:
    _check_manages_account(actor, user)
    if user.pk == actor.pk:
        raise PermissionDenied(_("Bạn không thể tự khoá tài khoản của mình."))
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action="user.activate" if active else "user.deactivate",
        obj=user,
        office_path=_path(user),
        after={"is_active": active},
    )
    return user


@transaction.atomic
def user_reset_password(*, actor: User, user: User) -> str:
    """A new temporary password, to be changed at the next sign-in; also unlocks the account."""
    _check_manages_account(actor, user)
    password = temporary_password()
    user.set_password(password)
    user.must_change_password = True
    user.failed_logins, user.locked_at = 0, None
    user.save(update_fields=["password", "must_change_password", "failed_logins", "locked_at"])
    audit_record(actor=actor, action="user.reset_password", obj=user, office_path=_path(user))
    return password


@transaction.atomic
def user_unlock(*, actor: User, user: User) -> User:
    _check_manages_account(actor, user)
    user.failed_logins, user.locked_at = 0, None
    user.save(update_fields=["failed_logins", "locked_at"])
    audit_record(actor=actor, action="user.unlock", obj=user, office_path=_path(user))
    return user


@transaction.atomic
def user_change_password(*, user: User, old_password: str, new_password: str) -> User:
    if not user.check_password(old_password):
        raise ValidationError(_("Mật khẩu hiện tại không đúng."))
    if old_password == new_password:
        raise ValidationError(_("Mật khẩu mới phải khác mật khẩu hiện tại."))
    validate_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit_record(actor=user, action="user.change_password", obj=user)
    return user


def user_signed_in(*, user: User, ip: str | None, user_agent: str = "") -> None:
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    audit_record(
        actor=user, action="user.login", obj=user, ip=ip, after={"user_agent": user_agent[:300]}
    )


def user_sign_in_failed(*, username: str, ip: str | None, user_agent: str = "") -> None:
    """A failed sign-in, in the audit trail of the account's office (an unknown name is kept
    too, with no office). The page says the same whatever the reason."""
    target = User.objects.select_related("office").filter(username__iexact=username).first()
    audit_record(
        actor=None,
        action="user.login_failed",
        obj=target,
        object_repr="" if target else username[:150],
        office_path=_path(target) if target else "",
        ip=ip,
        after={
            "username": username[:150],
            "user_agent": user_agent[:300],
            "known": target is not None,
            "locked": bool(target and target.is_locked),
        },
    )


def user_signed_out(*, user: User, ip: str | None, user_agent: str = "") -> None:
    audit_record(
        actor=user, action="user.logout", obj=user, ip=ip, after={"user_agent": user_agent[:300]}
    )


def describe(user: User) -> dict[str, Any]:
    return snapshot(user, USER_AUDIT_FIELDS)
