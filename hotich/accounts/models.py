"""Offices (a tree bound to administrative units) and the accounts that belong to them."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hotich.units.models import AdminUnit


class Office(models.Model):
    """Sở Tư pháp, Phòng Tư pháp, UBND xã, or a contractor company hired by one of them.

    `path` is the materialised path of ids ("/1/4/9/"): "this office and every office below"
    is `path__startswith`, one indexed comparison on every database.
    """

    class Kind(models.TextChoices):
        PROVINCE = "province", _("Sở Tư pháp")
        DISTRICT = "district", _("Phòng Tư pháp")
        COMMUNE = "commune", _("UBND cấp xã")
        CONTRACTOR = "contractor", _("Đơn vị thi công (nhà thầu)")

    name = models.CharField(_("Tên đơn vị"), max_length=255)
    kind = models.CharField(_("Loại"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("Đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("Địa bàn"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="offices",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    is_active = models.BooleanField(_("Đang hoạt động"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("Đơn vị")

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return max(0, self.path.count("/") - 2)

    @property
    def is_contractor(self) -> bool:
        return self.kind == self.Kind.CONTRACTOR

    def is_within(self, other: Office) -> bool:
        """True when this office is `other` or below it."""
        return bool(other.path) and self.path.startswith(other.path)


class Role(models.TextChoices):
    PROVINCE_ADMIN = "province_admin", _("Quản trị cấp tỉnh")
    UNIT_ADMIN = "unit_admin", _("Quản trị đơn vị")
    OPERATOR = "operator", _("Nhập liệu")
    REVIEWER = "reviewer", _("Kiểm tra")
    LOOKUP = "lookup", _("Tra cứu")
    AUDITOR = "auditor", _("Thanh tra, giám sát")


ADMIN_ROLES = frozenset({Role.PROVINCE_ADMIN, Role.UNIT_ADMIN})
CONTRACTOR_ROLES = frozenset({Role.OPERATOR, Role.REVIEWER})


class User(AbstractUser):
    office = models.ForeignKey(
        Office,
        verbose_name=_("Đơn vị"),
        null=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    role = models.CharField(_("Vai trò"), max_length=20, choices=Role.choices)
    full_name = models.CharField(_("Họ và tên"), max_length=150, blank=True)
    phone = models.CharField(_("Điện thoại"), max_length=30, blank=True)
    must_change_password = models.BooleanField(_("Phải đổi mật khẩu"), default=True)
    failed_logins = models.PositiveSmallIntegerField(default=0)
    locked_at = models.DateTimeField(_("Bị khoá lúc"), null=True, blank=True)
    contract_start = models.DateField(_("Hợp đồng từ ngày"), null=True, blank=True)
    contract_end = models.DateField(_("Hợp đồng đến ngày"), null=True, blank=True)
    created_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["username"]
        verbose_name = _("Tài khoản")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_admin(self) -> bool:
        return self.role in ADMIN_ROLES

    @property
    def is_contractor(self) -> bool:
        return self.office is not None and self.office.is_contractor

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    def office_open(self) -> bool:
        """An account of an office that was deactivated (merged away, closed) no longer works."""
        return self.office is not None and self.office.is_active

    def contract_open(self, today: dt.date | None = None) -> bool:
        """Contractor accounts work only inside their contract period."""
        if not self.is_contractor:
            return True
        today = today or timezone.localdate()
        if self.contract_start and today < self.contract_start:
            return False
        return not (self.contract_end and today > self.contract_end)
