"""A record: one case (entry) of a register, the unit scans attach to and operators key."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from hotich.registers.models import Register


class Record(models.Model):
    class Status(models.TextChoices):
        TO_KEY = "to_key", _("Chờ nhập")
        DRAFT = "draft", _("Đang nhập")
        SUBMITTED = "submitted", _("Đã nhập")

    class Source(models.TextChoices):
        FILENAME = "filename", _("Từ tên tệp scan")
        SPLIT = "split", _("Tách từ sổ scan")
        MANUAL = "manual", _("Tạo tay")

    register = models.ForeignKey(Register, on_delete=models.PROTECT, related_name="records")
    number = models.CharField(_("Số đăng ký"), max_length=20, blank=True)
    number_sort = models.PositiveIntegerField(null=True, blank=True, editable=False)
    registration_date = models.DateField(_("Ngày đăng ký"), null=True, blank=True)
    sequence = models.PositiveIntegerField(_("Thứ tự trong sổ"), default=0)
    status = models.CharField(
        _("Trạng thái"), max_length=12, choices=Status.choices, default=Status.TO_KEY
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["register", "sequence", "number_sort", "id"]
        verbose_name = _("Trường hợp")
        indexes = [models.Index(fields=["register", "number_sort"])]

    def __str__(self) -> str:
        if self.number:
            date = f" ({self.registration_date:%d/%m/%Y})" if self.registration_date else ""
            return f"{_('Số')} {self.number}{date}"
        return f"{_('Trường hợp')} #{self.sequence or self.pk}"
