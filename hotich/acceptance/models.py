"""Acceptance (nghiệm thu): explanations of completeness problems, sampling rounds, checks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hotich.records.models import Record
from hotich.registers.models import Register


class CompletenessNote(models.Model):
    """Why a completeness problem of a register is not an error (e.g. "số 17 bị hủy trong sổ").

    `key` names the problem (see `hotich.acceptance.queries.register_completeness`); when the
    facts change the problem gets another key, and the old explanation no longer applies.
    """

    class Kind(models.TextChoices):
        COUNT = "count", _("Số trường hợp")
        PAGES = "pages", _("Số trang")
        GAP = "gap", _("Thiếu số đăng ký")
        REPEAT = "repeat", _("Trùng số đăng ký")
        PAGE = "page", _("Trang scan chưa gắn trường hợp")
        FLAGGED = "flagged", _("Trang scan bị đánh dấu")
        NO_SCAN = "no_scan", _("Trường hợp chưa có bản scan")
        UNVERIFIED = "unverified", _("Trường hợp chưa kiểm tra xong")

    register = models.ForeignKey(
        Register, on_delete=models.PROTECT, related_name="completeness_notes"
    )
    kind = models.CharField(_("Loại"), max_length=12, choices=Kind.choices)
    key = models.CharField(max_length=80)
    text = models.TextField(_("Giải trình"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("Lúc"), auto_now=True)

    class Meta:
        ordering = ["register", "key"]
        verbose_name = _("Giải trình")
        constraints = [
            models.UniqueConstraint(fields=["register", "key"], name="completeness_note_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.text}"


class AcceptanceRound(models.Model):
    """One acceptance by sampling of a register: the rule in force, the sample, the outcome."""

    class Status(models.TextChoices):
        OPEN = "open", _("Đang kiểm tra mẫu")
        ACCEPTED = "accepted", _("Đạt, đã nghiệm thu")
        RETURNED = "returned", _("Không đạt, trả lại")
        CANCELLED = "cancelled", _("Đã hủy")
        #: Was accepted; the register was reopened since, so the result no longer holds.
        VOIDED = "voided", _("Đạt, nhưng kết quả đã hủy (sổ được mở lại)")

    register = models.ForeignKey(
        Register, on_delete=models.PROTECT, related_name="acceptance_rounds"
    )
    #: the rule when the round started (settings may change later; a round keeps its own).
    percent = models.FloatField(_("Tỷ lệ mẫu (%)"))
    minimum = models.PositiveIntegerField(_("Cỡ mẫu tối thiểu"))
    threshold = models.FloatField(_("Ngưỡng sai sót (%)"))
    seed = models.BigIntegerField()
    population = models.PositiveIntegerField(_("Số trường hợp được chọn mẫu"))
    status = models.CharField(
        _("Trạng thái"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    #: what the decision was made on: completeness counts, explanations, error rates.
    figures = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["register", "-created_at", "-id"]
        verbose_name = _("Đợt nghiệm thu")
        constraints = [
            models.UniqueConstraint(
                fields=["register"], condition=Q(status="open"), name="acceptance_one_open_round"
            )
        ]

    def __str__(self) -> str:
        return f"{self.register.code} · {self.created_at:%d/%m/%Y}"


class AcceptanceCheck(models.Model):
    """One sampled record, and once checked: who checked it and which fields were wrong."""

    round = models.ForeignKey(AcceptanceRound, on_delete=models.PROTECT, related_name="checks")
    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="acceptance_checks")
    position = models.PositiveIntegerField()
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Người kiểm tra"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    #: keys of the declared fields found different from the scan.
    wrong_fields = models.JSONField(default=list, blank=True)
    note = models.TextField(_("Ghi chú"), blank=True)
    #: the record's version when checked.
    version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["round", "position"]
        verbose_name = _("Trường hợp mẫu")
        constraints = [
            models.UniqueConstraint(fields=["round", "record"], name="acceptance_check_unique")
        ]

    def __str__(self) -> str:
        return f"{self.round_id}#{self.position}: {self.record_id}"

    @property
    def is_checked(self) -> bool:
        return self.checked_at is not None
