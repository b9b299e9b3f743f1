"""Double keying (decision 0011): a register's plan, each operator's blind copy of a record, and
the field-by-field comparison of two copies with what arbitration decided.

The record's own `data` is written only when the comparison is settled (all agree, or an
arbitrator decided every difference), through `records.services.record_save`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotich.records.models import Record
from hotich.registers.models import Register


class DoubleKeying(models.Model):
    """A register keyed twice, blind: every field, or only `fields` compared."""

    register = models.OneToOneField(
        Register, on_delete=models.CASCADE, related_name="double_keying"
    )
    #: field keys compared; empty: every keyed field. Fields outside it are taken from copy A.
    fields = models.JSONField(_("Trường nhập hai lần"), default=list, blank=True)
    #: False once cleared: records with copies already started finish double keying.
    active = models.BooleanField(default=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Nhập liệu hai lần")

    def __str__(self) -> str:
        return f"{self.register_id}: {self.fields or '*'}"


class KeyedCopy(models.Model):
    """One operator's keying of a record in a double-keyed register, never shown to the other."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Đang nhập")
        SUBMITTED = "submitted", _("Đã nhập")

    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="keyed_copies")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    data = models.JSONField(default=dict, blank=True)
    ack = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    error_count = models.PositiveSmallIntegerField(default=0)
    warning_count = models.PositiveSmallIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["record", "id"]
        verbose_name = _("Bản nhập")
        constraints = [
            models.UniqueConstraint(fields=["record", "by"], name="keyed_copy_one_per_operator")
        ]

    def __str__(self) -> str:
        return f"{self.record_id}/{self.by_id}: {self.status}"


class Comparison(models.Model):
    """Two submitted copies of a record compared field by field."""

    class State(models.TextChoices):
        ARBITRATION = "arbitration", _("Chờ đối chiếu")
        AGREED = "agreed", _("Hai bản khớp")
        ARBITRATED = "arbitrated", _("Đã đối chiếu")

    record = models.OneToOneField(
        Record, on_delete=models.PROTECT, related_name="double_comparison"
    )
    copy_a = models.ForeignKey(KeyedCopy, on_delete=models.PROTECT, related_name="+")
    copy_b = models.ForeignKey(KeyedCopy, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("Trạng thái"), max_length=12, choices=State.choices)
    compared_at = models.DateTimeField(auto_now_add=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["compared_at", "id"]
        verbose_name = _("Đối chiếu hai bản nhập")
        indexes = [models.Index(fields=["state", "compared_at"])]

    def __str__(self) -> str:
        return f"{self.record_id}: {self.state}"


class FieldComparison(models.Model):
    """One compared field: both values, whether they agree and, if not, the arbitration."""

    class Choice(models.TextChoices):
        A = "a", _("Lấy bản A")
        B = "b", _("Lấy bản B")
        TYPED = "typed", _("Nhập giá trị đúng")

    comparison = models.ForeignKey(Comparison, on_delete=models.CASCADE, related_name="results")
    field = models.CharField(_("Trường"), max_length=60)
    value_a = models.TextField(blank=True)
    value_b = models.TextField(blank=True)
    agreed = models.BooleanField()
    choice = models.CharField(max_length=5, choices=Choice.choices, blank=True)
    final = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["comparison", "id"]
        verbose_name = _("Đối chiếu một trường")

    def __str__(self) -> str:
        return f"{self.field}: {'=' if self.agreed else '≠'}"
