"""Administrative units as they were and as they are: versioned, never rewritten (SPEC §4)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AdminUnit(models.Model):
    """A province, district or commune of one era of the unit list.

    A code is not a stable identity across eras (new units reuse predecessors' codes), so the
    identity is (era, level, code) and history is carried by `UnitSuccession` links.
    """

    class Era(models.TextChoices):
        LEGACY = "legacy", _("Trước 01/7/2025 (3 cấp)")
        Y2025 = "2025", _("Từ 01/7/2025 (2 cấp)")

    class Level(models.TextChoices):
        PROVINCE = "province", _("Tỉnh")
        DISTRICT = "district", _("Huyện")
        COMMUNE = "commune", _("Xã")

    era = models.CharField(_("Thời kỳ"), max_length=8, choices=Era.choices)
    level = models.CharField(_("Cấp"), max_length=10, choices=Level.choices)
    code = models.CharField(_("Mã"), max_length=10)
    name = models.CharField(_("Tên"), max_length=120)
    kind = models.CharField(_("Loại"), max_length=40, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("Thuộc"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    full_name = models.CharField(_("Tên đầy đủ"), max_length=400)
    name_key = models.CharField(max_length=120, db_index=True)
    search_key = models.CharField(max_length=400)
    valid_from = models.DateField(_("Hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("Hiệu lực đến"), null=True, blank=True)

    class Meta:
        ordering = ["era", "level", "code"]
        verbose_name = _("Đơn vị hành chính")
        constraints = [
            models.UniqueConstraint(
                fields=["era", "level", "code"], name="unit_unique_code_per_era"
            )
        ]

    def __str__(self) -> str:
        return self.full_name


class UnitSuccession(models.Model):
    """An old unit became (all or part of) a new one on `effective`."""

    old = models.ForeignKey(AdminUnit, on_delete=models.CASCADE, related_name="successors")
    new = models.ForeignKey(AdminUnit, on_delete=models.CASCADE, related_name="predecessors")
    effective = models.DateField()
    is_default = models.BooleanField(
        default=True, help_text=_("Đơn vị mới chính khi đơn vị cũ bị chia cho nhiều đơn vị")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["old", "new"], name="unit_succession_unique")
        ]

    def __str__(self) -> str:
        return f"{self.old} → {self.new}"
