"""Transfer: Excel files read into a register, and the deliverable packages built from one."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotich.core.models import Job
from hotich.registers.models import Register


class ImportBatch(models.Model):
    """One Excel file offered to a register: analysed first, imported once confirmed."""

    class Status(models.TextChoices):
        ANALYSING = "analysing", _("Đang phân tích")
        READY = "ready", _("Chờ xác nhận")
        IMPORTING = "importing", _("Đang nhập")
        DONE = "done", _("Đã nhập")
        FAILED = "failed", _("Lỗi")
        CANCELLED = "cancelled", _("Đã hủy")

    class Mode(models.TextChoices):
        ALL = "all", _("Chỉ nhập khi cả tệp không còn lỗi")
        CLEAN = "clean", _("Nhập các dòng đúng, giữ các dòng lỗi ở trạng thái chờ sửa")

    register = models.ForeignKey(Register, on_delete=models.PROTECT, related_name="imports")
    original_name = models.CharField(_("Tên tệp"), max_length=255)
    blob = models.CharField(max_length=400)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(default=0)
    record_type = models.CharField(max_length=4, blank=True)
    revision = models.CharField(max_length=20, blank=True)
    encoding = models.CharField(_("Bảng mã"), max_length=10, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_valid = models.PositiveIntegerField(default=0)
    rows_error = models.PositiveIntegerField(default=0)
    rows_warning = models.PositiveIntegerField(default=0)
    rows_imported = models.PositiveIntegerField(default=0)
    rows_pending = models.PositiveIntegerField(default=0)
    #: rows already in the register with the same data (a file imported again after fixes).
    rows_skipped = models.PositiveIntegerField(default=0)
    #: the first problems, each {"row", "column", "level", "message"}; the full list is in the
    #: annotated copy of the file.
    report = models.JSONField(default=list, blank=True)
    #: legacy-encoding preview: [{"column", "row", "before", "after"}].
    preview = models.JSONField(default=list, blank=True)
    unknown_columns = models.JSONField(default=list, blank=True)
    error_file = models.CharField(max_length=400, blank=True)
    #: the zip of case PDFs that came with the file, handed to scan intake after the import.
    scans_name = models.CharField(max_length=255, blank=True)
    scans_blob = models.CharField(max_length=400, blank=True)
    scan_batch = models.ForeignKey(
        "scans.ScanBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mode = models.CharField(max_length=5, choices=Mode.choices, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ANALYSING)
    message = models.CharField(max_length=500, blank=True)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Lần nhập tệp Excel")

    def __str__(self) -> str:
        return f"{self.original_name} → {self.register}"


class PackageBuild(models.Model):
    """A deliverable package built for a register: `<CODE>.xlsx` + `<CODE>.zip` (SPEC §6)."""

    class Status(models.TextChoices):
        BUILDING = "building", _("Đang tạo")
        RELEASED = "released", _("Đã kiểm tra, sẵn sàng bàn giao")
        BLOCKED = "blocked", _("Chưa đạt, không phát hành")
        FAILED = "failed", _("Lỗi")

    register = models.ForeignKey(Register, on_delete=models.PROTECT, related_name="packages")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BUILDING)
    xlsx_name = models.CharField(max_length=120, blank=True)
    xlsx_blob = models.CharField(max_length=400, blank=True)
    xlsx_sha256 = models.CharField(max_length=64, blank=True)
    xlsx_size = models.PositiveBigIntegerField(default=0)
    zip_name = models.CharField(max_length=120, blank=True)
    zip_blob = models.CharField(max_length=400, blank=True)
    zip_sha256 = models.CharField(max_length=64, blank=True)
    zip_size = models.PositiveBigIntegerField(default=0)
    cases = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    #: what stopped the release: [{"kind", "message"}].
    problems = models.JSONField(default=list, blank=True)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    built_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-built_at"]
        verbose_name = _("Gói bàn giao")

    def __str__(self) -> str:
        return f"{self.register.code} ({self.built_at:%d/%m/%Y %H:%M})"
