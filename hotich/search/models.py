"""The look-up log, API tokens, and the vocabulary of name syllables that typo search reads."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LookupEvent(models.Model):
    """One search (page or API): who asked what, why, and which records were shown.

    Append-only like the audit trail; scoped the same way (the actor's office path, a prefix).
    """

    class Channel(models.TextChoices):
        PAGE = "page", _("Trang tra cứu")
        API = "api", _("API")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("Người tra cứu"), max_length=150)
    office_path = models.CharField(max_length=255, db_index=True)
    office_name = models.CharField(max_length=255, blank=True)
    at = models.DateTimeField(_("Thời điểm"), auto_now_add=True, db_index=True)
    channel = models.CharField(_("Kênh"), max_length=4, choices=Channel.choices)
    token = models.ForeignKey(
        "ApiToken", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    query = models.CharField(_("Nội dung tra cứu"), max_length=255, blank=True)
    #: the filters as asked (GET parameter names and values), without empty ones.
    filters = models.JSONField(_("Điều kiện lọc"), default=dict, blank=True)
    purpose = models.CharField(_("Mục đích tra cứu"), max_length=255, blank=True)
    page = models.PositiveIntegerField(default=1)
    #: ids of the records shown, in the order shown.
    record_ids = models.JSONField(default=list, blank=True)
    result_count = models.PositiveIntegerField(_("Số kết quả hiển thị"), default=0)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("Lượt tra cứu")

    def __str__(self) -> str:
        return f"{self.actor_name}: {self.query}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("the look-up log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("the look-up log is append-only")


class ApiToken(models.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored (the key is shown once)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("Tên khóa"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("Khóa API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked is None


class NameToken(models.Model):
    """A folded name syllable seen in the data ("nguyen", "thi", "anh"): the vocabulary typo
    candidates are checked against. A few thousand rows; derived, rebuilt from `Party`."""

    token = models.CharField(max_length=60, primary_key=True)

    def __str__(self) -> str:
        return self.token


class VocabularyState(models.Model):
    """One row: the highest `Party.id` whose name tokens are in `NameToken`."""

    party_watermark = models.BigIntegerField(default=0)
    updated = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return str(self.party_watermark)
