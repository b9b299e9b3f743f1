"""A record: one case (entry) of a register, the unit scans attach to and operators key."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from hotich.registers.models import Register

#: How far the data of a record have been checked, wherever they leave the system (search,
#: person view, record page, API, extract): the record's review status, then its register's
#: acceptance and delivery. Only "verified" and above were compared with the paper register.
DATA_STATUSES = {
    "keyed": _("Đã nhập, chưa kiểm tra"),
    "verified": _("Đã kiểm tra"),
    "accepted": _("Đã nghiệm thu"),
    "delivered": _("Đã bàn giao"),
}
CHECKED = frozenset({"verified", "accepted", "delivered"})


def data_status(record_status: str, register_status: str) -> str:
    if register_status in ("accepted", "delivered"):
        return register_status
    return "verified" if record_status == "verified" else "keyed"


class Record(models.Model):
    class Status(models.TextChoices):
        TO_KEY = "to_key", _("Chờ nhập")
        DRAFT = "draft", _("Đang nhập")
        SUBMITTED = "submitted", _("Đã nhập")
        RETURNED = "returned", _("Trả lại để sửa")
        VERIFIED = "verified", _("Đã kiểm tra")

    class Source(models.TextChoices):
        FILENAME = "filename", _("Từ tên tệp scan")
        SPLIT = "split", _("Tách từ sổ scan")
        MANUAL = "manual", _("Tạo tay")
        IMPORT = "import", _("Nhập từ tệp Excel")

    #: no index of its own: the index (register, number_sort) below starts with it (decision 0009).
    register = models.ForeignKey(
        Register, on_delete=models.PROTECT, related_name="records", db_index=False
    )
    number = models.CharField(_("Số đăng ký"), max_length=20, blank=True)
    number_sort = models.PositiveIntegerField(null=True, blank=True, editable=False)
    registration_date = models.DateField(_("Ngày đăng ký"), null=True, blank=True)
    sequence = models.PositiveIntegerField(_("Thứ tự trong sổ"), default=0)
    status = models.CharField(
        _("Trạng thái"), max_length=12, choices=Status.choices, default=Status.TO_KEY
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    #: every keyed column by its template name, as text (see hotich.records.schema).
    data = models.JSONField(default=dict, blank=True)
    #: warnings the operator has seen and accepted (codes from hotich.records.validation).
    ack = models.JSONField(default=list, blank=True)
    error_count = models.PositiveSmallIntegerField(default=0)
    warning_count = models.PositiveSmallIntegerField(default=0)
    has_unreadable = models.BooleanField(_("Có chỗ không đọc được"), default=False)
    registration_year = models.PositiveSmallIntegerField(null=True, blank=True)
    keyed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    keyed_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["register", "sequence", "number_sort", "id"]
        verbose_name = _("Trường hợp")
        indexes = [
            models.Index(fields=["register", "number_sort"]),
            models.Index(fields=["registration_year", "number_sort"]),
        ]

    def __str__(self) -> str:
        if self.number:
            date = f" ({self.registration_date:%d/%m/%Y})" if self.registration_date else ""
            return pgettext("số đăng ký của một trường hợp", "Số %(number)s%(date)s") % {
                "number": self.number,
                "date": date,
            }
        return pgettext("một trường hợp chưa có số", "Trường hợp #%(n)s") % {
            "n": self.sequence or self.pk
        }

    @property
    def data_status(self) -> str:
        """`DATA_STATUSES` key; reads `self.register` (select it with the record)."""
        return data_status(self.status, self.register.status)

    @property
    def data_status_label(self) -> str:
        return str(DATA_STATUSES[self.data_status])

    @property
    def is_checked(self) -> bool:
        return self.data_status in CHECKED


class Bytewise(models.Func):
    """A text column ordered byte by byte: `COLLATE "C"` on PostgreSQL, where a prefix range
    and its order then use the index whatever the database's collation; on SQLite the column
    itself (BINARY is its default). Folded keys are ASCII, so byte order is their order."""

    template = '%(expressions)s COLLATE "C"'
    arity = 1

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return compiler.compile(self.source_expressions[0])


class Party(models.Model):
    """A person in a record, with its role; rewritten from the record's data on every save.

    The record's `data` holds what was keyed; parties are the per-person index that search and
    person-linking read across register types.
    """

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="parties")
    #: the record's register, repeated so that person search checks the user's scope inside
    #: its name indexes (decision 0014); records never change register.
    register = models.ForeignKey(
        Register, on_delete=models.DO_NOTHING, db_index=False, db_constraint=False, related_name="+"
    )
    role = models.CharField(_("Vai trò"), max_length=20)
    #: the record's registration year, repeated (like `register`) so that a search filtered by
    #: it reads the name index alone; parties are rewritten whenever their record is saved.
    registration_year = models.PositiveSmallIntegerField(null=True, blank=True)
    full_name = models.CharField(_("Họ, chữ đệm, tên"), max_length=255, blank=True)
    name_key = models.CharField(max_length=255, blank=True)
    #: the folded tokens in reverse order ("an van nguyen"): a given name is a prefix of it.
    name_rev = models.CharField(max_length=255, blank=True, default="")
    sex = models.CharField(max_length=2, blank=True)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    birth_month = models.PositiveSmallIntegerField(null=True, blank=True)
    birth_day = models.PositiveSmallIntegerField(null=True, blank=True)
    birth_text = models.CharField(max_length=40, blank=True)
    pid = models.CharField(_("Số định danh cá nhân"), max_length=20, blank=True, db_index=True)
    id_number = models.CharField(_("Số giấy tờ tùy thân"), max_length=40, blank=True)
    ethnicity = models.CharField(max_length=60, blank=True)
    nationality = models.CharField(max_length=80, blank=True)
    residence = models.CharField(max_length=255, blank=True)
    birthplace = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["record", "id"]
        verbose_name = _("Người trong trường hợp")
        # Person search (decision 0014): each name index carries the register, so the scope is
        # checked inside the index, and compares bytes (see `Bytewise`). `include` (PostgreSQL
        # only; SQLite indexes end with the row id anyway) lets a search read the index alone,
        # its role, registration-year and parents' name filters included.
        indexes = [
            # The id ends the key (not `include`), so that the index's order is the search's
            # whole order (key, register, id) and a tier stops reading at its page whatever
            # the planner guesses of the range's size.
            models.Index(
                Bytewise("name_key"),
                F("register"),
                F("id"),
                name="party_name_key",
                include=["record", "role", "registration_year"],
            ),
            # The birth year too: the given name with a year ("hoang", 1990) stays in the index.
            models.Index(
                Bytewise("name_rev"),
                F("register"),
                F("id"),
                name="party_name_rev",
                include=["record", "birth_year", "role", "registration_year"],
            ),
            models.Index(
                F("birth_year"),
                Bytewise("name_key"),
                F("register"),
                F("id"),
                name="party_birth_year_name",
                include=["role", "registration_year"],
            ),
            models.Index(
                fields=["id_number"], name="party_id_number", condition=~models.Q(id_number="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.full_name}"


class MarginNote(models.Model):
    """A note written in the register's margin after the entry (divorce, correction, death, ID)."""

    class Kind(models.TextChoices):
        DIVORCE = "divorce", _("Ly hôn")
        ANNULMENT = "annulment", _("Hủy việc kết hôn")
        CORRECTION = "correction", _("Thay đổi, cải chính, bổ sung")
        DEATH = "death", _("Đã chết")
        ID_NUMBER = "id_number", _("Cấp số định danh cá nhân")
        OTHER = "other", _("Khác")

    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="margin_notes")
    kind = models.CharField(_("Loại ghi chú"), max_length=12, choices=Kind.choices)
    date_text = models.CharField(_("Ngày ghi chú"), max_length=40, blank=True)
    date_year = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(_("Nội dung ghi chú"))
    basis = models.CharField(_("Căn cứ"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["record", "date_year", "id"]
        verbose_name = _("Ghi chú bên lề")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date_text}".strip()
