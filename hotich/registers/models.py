"""A register (one physical book), its custody history and who is assigned to work on it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotich.accounts.models import Office
from hotich.registers.domain import (
    AuthorityLevel,
    Legibility,
    Phase,
    RegisterType,
    Status,
)
from hotich.units.models import AdminUnit


class Register(models.Model):
    custodian = models.ForeignKey(
        Office,
        verbose_name=_("Đơn vị đang lưu giữ"),
        on_delete=models.PROTECT,
        related_name="registers",
    )
    register_type = models.CharField(_("Loại sổ"), max_length=4, choices=RegisterType.choices)
    authority_name = models.CharField(
        _("Cơ quan đăng ký (như ghi trong sổ)"),
        max_length=255,
        help_text=_("Ghi đúng như trong sổ, ví dụ “UBND xã X, huyện Y, tỉnh Z”."),
    )
    authority_key = models.CharField(max_length=255, editable=False, default="", db_index=True)
    authority_level = models.CharField(
        _("Cấp cơ quan đăng ký"), max_length=10, choices=AuthorityLevel.choices
    )
    authority_unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("Đơn vị hành chính (thời điểm đăng ký)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registers",
    )
    year_start = models.PositiveSmallIntegerField(_("Năm bắt đầu"))
    year_end = models.PositiveSmallIntegerField(_("Năm kết thúc"), null=True, blank=True)
    volume = models.CharField(_("Quyển số"), max_length=30, help_text=_("Ví dụ: 01 hoặc 01/2017"))
    page_count = models.PositiveIntegerField(_("Số trang"), null=True, blank=True)
    declared_entries = models.PositiveIntegerField(
        _("Số trường hợp (theo sổ)"), null=True, blank=True
    )
    first_number = models.CharField(_("Số đăng ký đầu"), max_length=20, blank=True)
    last_number = models.CharField(_("Số đăng ký cuối"), max_length=20, blank=True)
    legibility = models.PositiveSmallIntegerField(
        _("Tình trạng, độ rõ"), choices=Legibility.choices, default=Legibility.CLEAR
    )
    condition_note = models.CharField(_("Ghi chú tình trạng vật lý"), max_length=255, blank=True)
    phase = models.PositiveSmallIntegerField(_("Giai đoạn"), choices=Phase.choices, null=True)
    priority = models.PositiveSmallIntegerField(_("Ưu tiên"), default=0, db_index=True)
    status = models.CharField(
        _("Trạng thái"),
        max_length=12,
        choices=Status.choices,
        default=Status.INVENTORIED,
        db_index=True,
    )
    note = models.TextField(_("Ghi chú"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)
    #: When the data a package is built from last changed (records, their scans and links,
    #: margin notes): a package built before it is out of date (`transfer`).
    data_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["priority", "year_start", "volume", "id"]
        verbose_name = _("Sổ hộ tịch")
        indexes = [models.Index(fields=["custodian", "status", "priority"])]
        constraints = [
            models.UniqueConstraint(
                fields=["custodian", "register_type", "authority_key", "year_start", "volume"],
                name="register_unique_volume",
            )
        ]

    def __str__(self) -> str:
        return f"{self.register_type}.{self.year_start}.{self.volume} — {self.authority_name}"

    @property
    def code(self) -> str:
        """`<TYPE>.<YEAR>.<VOLUME>` as used in the deliverable file names (SPEC §6)."""
        volume = self.volume.split("/")[0].strip()
        return f"{self.register_type}.{self.year_start}.{volume}"

    @property
    def years_label(self) -> str:
        if self.year_end and self.year_end != self.year_start:
            return f"{self.year_start}–{self.year_end}"
        return str(self.year_start)


class CustodyTransfer(models.Model):
    """A handover of a register between offices (e.g. a merged unit hands its books over)."""

    register = models.ForeignKey(Register, on_delete=models.CASCADE, related_name="custody")
    from_office = models.ForeignKey(
        Office, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("Ngày bàn giao"))
    reason = models.CharField(_("Lý do, căn cứ"), max_length=255, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.register} → {self.to_office} ({self.date:%d/%m/%Y})"


class Assignment(models.Model):
    class Task(models.TextChoices):
        SCANNING = "scanning", _("Scan")
        KEYING = "keying", _("Nhập liệu")
        REVIEW = "review", _("Kiểm tra")

    register = models.ForeignKey(Register, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    office = models.ForeignKey(
        Office,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
        help_text=_("Giao cho cả một đơn vị thi công"),
    )
    task = models.CharField(_("Công việc"), max_length=10, choices=Task.choices)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-assigned_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | models.Q(office__isnull=False),
                name="assignment_has_assignee",
            )
        ]

    def __str__(self) -> str:
        return f"{self.register} → {self.user or self.office} ({self.task})"
