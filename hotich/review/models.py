"""Review decisions on records and the field-level comments a return carries."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotich.records.models import Record


class ReviewDecision(models.Model):
    """A reviewer's verdict on one version of a record."""

    class Outcome(models.TextChoices):
        VERIFIED = Record.Status.VERIFIED, _("Đã xác nhận đúng")
        RETURNED = Record.Status.RETURNED, _("Trả lại để sửa")

    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="review_decisions")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Người kiểm tra"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcome = models.CharField(_("Kết quả"), max_length=10, choices=Outcome.choices)
    #: the record's status when decided: "submitted", or "verified" for a reopening.
    status_before = models.CharField(max_length=12)
    #: the version of the record the reviewer looked at.
    version = models.PositiveIntegerField()
    at = models.DateTimeField(_("Lúc"), auto_now_add=True)

    class Meta:
        ordering = ["record", "at", "id"]
        verbose_name = _("Kết quả kiểm tra")

    def __str__(self) -> str:
        return f"{self.record_id}: {self.outcome} (v{self.version})"


class ReviewComment(models.Model):
    """What a reviewer found wrong, on one field or ("") on the whole record.

    Open until a reviewer resolves it, or verifies the record.
    """

    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="review_comments")
    decision = models.ForeignKey(ReviewDecision, on_delete=models.PROTECT, related_name="comments")
    field = models.CharField(_("Trường"), max_length=60, blank=True)
    text = models.TextField(_("Ý kiến"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["record", "at", "id"]
        verbose_name = _("Ý kiến kiểm tra")
        indexes = [models.Index(fields=["record", "resolved_at"])]

    def __str__(self) -> str:
        return f"{self.field or '*'}: {self.text}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
