"""The shapes of a report: its scope, its filters, and the rows of its tables.

Pure data with the small sums and ratios the pages and the Excel file show; the queries that
fill them are in `hotich.reports.queries`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hotich.accounts.models import Office, User
from hotich.records.models import Record
from hotich.registers.domain import Phase, RegisterType
from hotich.registers.domain import Status as RegisterStatus
from hotich.registers.models import Register

REGISTER_STATUSES: tuple[str, ...] = tuple(RegisterStatus.values)
RECORD_STATUSES: tuple[str, ...] = tuple(Record.Status.values)
#: a register in one of these has passed acceptance: its records are what a contractor is paid for.
ACCEPTED = (RegisterStatus.ACCEPTED, RegisterStatus.DELIVERED)
#: records counted as keyed (review returns send them back; verified ones were submitted first).
DONE = (Record.Status.SUBMITTED, Record.Status.VERIFIED)
#: the daily chart shows days up to this range; longer ranges show months.
DAILY_MAX_DAYS = 92


@dataclass
class ReportScope:
    """What one user's report covers."""

    kind: str  # OFFICE, CONTRACTOR or SELF
    #: registers whose progress is shown (empty for SELF).
    registers: QuerySet[Register]
    #: the records whose work is counted (keyed, returned, accepted), as lookups on a record.
    work: dict[str, Any]
    #: the offices the office filter offers.
    offices: QuerySet[Office]
    label: str

    def work_q(self, prefix: str = "") -> Q:
        """`work` as a Q over a record relation (`prefix` "record__" from a review decision)."""
        return Q(**{f"{prefix}{key}": value for key, value in self.work.items()})


@dataclass
class Filters:
    date_from: dt.date
    date_to: dt.date
    office: Office | None = None
    register_type: str = ""
    phase: int | None = None

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def span(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) as aware datetimes: local midnight of the first day, and of the day
        after the last."""
        tz = timezone.get_current_timezone()
        start = dt.datetime.combine(self.date_from, dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return start, end

    def register_q(self, prefix: str = "") -> Q:
        """The office, type and phase filters as a Q over a register relation."""
        q = Q()
        if self.office is not None:
            q &= Q(**{f"{prefix}custodian__path__startswith": self.office.path})
        if self.register_type:
            q &= Q(**{f"{prefix}register_type": self.register_type})
        if self.phase:
            q &= Q(**{f"{prefix}phase": self.phase})
        return q

    def describe(self) -> list[tuple[str, str]]:
        """(label, value) pairs, as written at the top of the page and the Excel file."""
        fmt = "%d/%m/%Y"
        return [
            (_("Từ ngày"), self.date_from.strftime(fmt)),
            (_("Đến ngày"), self.date_to.strftime(fmt)),
            (_("Đơn vị"), self.office.name if self.office else _("Tất cả")),
            (
                _("Loại sổ"),
                str(RegisterType(self.register_type).label) if self.register_type else _("Tất cả"),
            ),
            (_("Giai đoạn"), str(Phase(self.phase).label) if self.phase else _("Tất cả")),
        ]


def report_default_filters(today: dt.date | None = None) -> Filters:
    today = today or timezone.localdate()
    return Filters(date_from=today - dt.timedelta(days=29), date_to=today)


@dataclass
class Row:
    """One line of a progress or work table: a group (an office, a type, a phase, a month)."""

    key: Any
    label: str
    depth: int = 0
    registers: Counter[str] = field(default_factory=Counter)
    records: Counter[str] = field(default_factory=Counter)
    declared: int = 0
    pages: int = 0
    keyed: int = 0
    accepted: int = 0
    returned: int = 0
    decided: int = 0

    def add(self, other: Row) -> None:
        self.registers.update(other.registers)
        self.records.update(other.records)
        for name in ("declared", "pages", "keyed", "accepted", "returned", "decided"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def register_total(self) -> int:
        return sum(self.registers.values())

    @property
    def record_total(self) -> int:
        return sum(self.records.values())

    @property
    def done(self) -> int:
        return sum(self.records[s] for s in DONE)

    @property
    def percent(self) -> int:
        """Keyed records against the declared entries (or the records there are)."""
        target = max(self.declared, self.record_total)
        return min(100, round(100 * self.done / target)) if target else 0

    @property
    def error_rate(self) -> float | None:
        return error_rate(self.returned, self.decided)

    def register_counts(self) -> list[int]:
        return [self.registers[s] for s in REGISTER_STATUSES]

    def record_counts(self) -> list[int]:
        return [self.records[s] for s in RECORD_STATUSES]


def error_rate(returned: int, decided: int) -> float | None:
    """Returned / decided, in percent; None when nothing was decided."""
    return round(100 * returned / decided, 1) if decided else None


@dataclass
class PersonRow:
    """The work of one operator over the range."""

    user: User
    per_day: dict[dt.date, int] = field(default_factory=dict)
    keyed: int = 0
    accepted: int = 0
    returned: int = 0
    decided: int = 0

    @property
    def office(self) -> Office | None:
        return self.user.office

    @property
    def days_worked(self) -> int:
        return len(self.per_day)

    @property
    def per_day_average(self) -> float:
        return round(self.keyed / len(self.per_day), 1) if self.per_day else 0.0

    @property
    def per_day_max(self) -> int:
        return max(self.per_day.values(), default=0)

    @property
    def error_rate(self) -> float | None:
        return error_rate(self.returned, self.decided)


@dataclass
class CompanyRow:
    """A contractor company: the sum of its staff's work."""

    office: Office
    staff: int = 0
    keyed: int = 0
    accepted: int = 0
    returned: int = 0
    decided: int = 0

    @property
    def error_rate(self) -> float | None:
        return error_rate(self.returned, self.decided)


@dataclass
class Report:
    scope: ReportScope
    filters: Filters
    by_office: list[Row]
    by_type: list[Row]
    by_phase: list[Row]
    by_month: list[Row]
    total: Row
    people: list[PersonRow]
    companies: list[CompanyRow]
    daily: list[tuple[dt.date, int]]
    show_progress: bool

    @property
    def work_total(self) -> PersonRow:
        total = PersonRow(user=User())
        for p in self.people:
            total.keyed += p.keyed
            total.accepted += p.accepted
            total.returned += p.returned
            total.decided += p.decided
        return total
