"""Scans: uploaded files, the pages cut from them, and the links from pages to records."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hotich.core.models import Job
from hotich.records.models import Record
from hotich.registers.models import Register


class ScanBatch(models.Model):
    """One upload: several files sent together from the web page or the command line.

    "failed" means its job was abandoned (cancelled, or stopped for good after crashing), with
    the reason in `message`; files that failed on their own leave the batch "done"."""

    class Status(models.TextChoices):
        PROCESSING = "processing", _("Đang xử lý")
        DONE = "done", _("Xong")
        FAILED = "failed", _("Lỗi")

    register = models.ForeignKey(Register, on_delete=models.PROTECT, related_name="scan_batches")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=8, default="web")
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROCESSING)
    message = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.register} · {self.created_at:%d/%m/%Y %H:%M}"


class ScanFile(models.Model):
    """A file as received. Identical content in one register is kept once (by SHA-256)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        PROCESSING = "processing", _("Đang xử lý")
        DONE = "done", _("Xong")
        FAILED = "failed", _("Lỗi")
        DUPLICATE = "duplicate", _("Trùng, đã có")

    class Step(models.TextChoices):
        RECEIVED = "received", _("Đã nhận")
        CHECKSUM = "checksum", _("Kiểm tra trùng")
        COUNT = "count", _("Đếm trang")
        PAGES = "pages", _("Tạo ảnh trang, ảnh thu nhỏ")
        LINK = "link", _("Liên kết trường hợp")
        FINISHED = "finished", _("Hoàn tất")

    register = models.ForeignKey(Register, on_delete=models.PROTECT, related_name="scan_files")
    batch = models.ForeignKey(ScanBatch, on_delete=models.PROTECT, related_name="files")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
        help_text="the zip this file came out of",
    )
    original_name = models.CharField(_("Tên tệp"), max_length=255)
    incoming = models.CharField(max_length=400, blank=True)
    blob = models.CharField(max_length=400, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    size = models.PositiveBigIntegerField(default=0)
    kind = models.CharField(max_length=8, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    pages_done = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    step = models.CharField(max_length=10, choices=Step.choices, default=Step.RECEIVED)
    message = models.CharField(max_length=500, blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["batch", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["register", "sha256"],
                condition=Q(status="done"),
                name="scanfile_unique_content_per_register",
            )
        ]

    def __str__(self) -> str:
        return self.original_name


class ScanPage(models.Model):
    """One page image of a register, in book order. A rescan replaces it; the old one stays."""

    class Status(models.TextChoices):
        OK = "ok", _("Tốt")
        UNREADABLE = "unreadable", _("Không đọc được")
        RESCAN = "rescan", _("Cần scan lại")

    register = models.ForeignKey(Register, on_delete=models.PROTECT, related_name="scan_pages")
    source = models.ForeignKey(ScanFile, on_delete=models.PROTECT, related_name="pages")
    source_index = models.PositiveIntegerField()
    sequence = models.PositiveIntegerField(db_index=True)
    pdf = models.CharField(max_length=400)
    image = models.CharField(max_length=400)
    thumb = models.CharField(max_length=400)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OK)
    status_note = models.CharField(_("Ghi chú"), max_length=255, blank=True)
    is_current = models.BooleanField(default=True)
    replaced_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaces"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["register", "sequence", "id"]
        indexes = [models.Index(fields=["register", "is_current", "sequence"])]

    def __str__(self) -> str:
        return f"{_('Trang')} {self.sequence}"


class PageLink(models.Model):
    """A page belongs to a record; a record may span pages, a page may hold several records."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="page_links")
    page = models.ForeignKey(ScanPage, on_delete=models.CASCADE, related_name="links")
    position = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["record", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["record", "page"], name="pagelink_unique")]

    def __str__(self) -> str:
        return f"{self.record} ↔ {self.page}"
