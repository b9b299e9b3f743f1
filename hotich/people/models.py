"""Links between the records of one person, and probable duplicate records.

A person in a record is a `records.Party`, but party rows are rewritten on every save of their
record (decision 0008), so a link names the person by what is stable: the record and the role
in it (one person per role and record). See decision 0015.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotich.records.models import Record


class PersonLink(models.Model):
    """Two appearances of (probably) one person: (record_a, role_a) and (record_b, role_b),
    ordered so that (record_a, role_a) < (record_b, role_b)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Đề xuất")
        CONFIRMED = "confirmed", _("Đã xác nhận")
        REJECTED = "rejected", _("Không phải một người")

    record_a = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    role_a = models.CharField(max_length=20)
    record_b = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    role_b = models.CharField(max_length=20)
    status = models.CharField(
        _("Trạng thái"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    score = models.PositiveSmallIntegerField(_("Độ tin cậy"), default=0)
    #: why the link was proposed: codes of `hotich.people.links.REASONS`.
    reasons = models.JSONField(default=list, blank=True)
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("Ghi chú"), max_length=500, blank=True)

    class Meta:
        ordering = ["-score", "id"]
        verbose_name = _("Liên kết người")
        constraints = [
            models.UniqueConstraint(
                fields=["record_a", "role_a", "record_b", "role_b"], name="person_link_unique"
            )
        ]
        indexes = [
            models.Index(fields=["record_b", "role_b"]),
            models.Index(fields=["status", "score"]),
        ]

    def __str__(self) -> str:
        return f"{self.record_a_id}:{self.role_a} ~ {self.record_b_id}:{self.role_b}"


class DuplicatePair(models.Model):
    """Two records that look like one case keyed twice (`hotich.search.duplicates`), and what a
    person decided about them; record_a has the lower id."""

    class Status(models.TextChoices):
        OPEN = "open", _("Chờ xem xét")
        SAME = "same", _("Cùng một trường hợp")
        NOT_SAME = "not_same", _("Không phải một trường hợp")

    record_a = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    record_b = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(_("Độ tin cậy"), default=0)
    reasons = models.JSONField(default=list, blank=True)
    status = models.CharField(
        _("Trạng thái"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    note = models.CharField(_("Ghi chú"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    found_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score", "id"]
        verbose_name = _("Cặp nghi trùng")
        constraints = [
            models.UniqueConstraint(fields=["record_a", "record_b"], name="duplicate_pair_unique")
        ]
        indexes = [models.Index(fields=["status", "score"])]

    def __str__(self) -> str:
        return f"{self.record_a_id} ~ {self.record_b_id} ({self.score})"
