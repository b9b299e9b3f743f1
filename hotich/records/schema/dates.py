"""Partial dates as registers write them: `dd.mm.yyyy`, `mm.yyyy` or `yyyy` (SPEC §5.5).

A date is kept as the register says it: year, optional month, optional day, and the text as
written. Nothing is invented: "03.1975" stays March 1975, never 1 March. A part written with the
unreadable marker ("??.03.1975") is unknown, not zero.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass
from functools import lru_cache

from django.utils import timezone
from django.utils.translation import gettext as _

#: One unreadable character in the register. The agreed convention (decision 0008): the operator
#: types one `?` per character that cannot be read; it is shown highlighted on screen and kept as
#: it is in every export.
UNREADABLE = "?"

_SEP = r"\s*[./\-]\s*"
_PART = r"(\d{1,2}|\?{1,2})"
_YEAR = r"(\d{4}|\d{2}\?{2}|\d{3}\?|\?{4})"
_FULL = re.compile(rf"^{_PART}{_SEP}{_PART}{_SEP}{_YEAR}$")
_MONTH = re.compile(rf"^{_PART}{_SEP}{_YEAR}$")
_YEAR_ONLY = re.compile(rf"^{_YEAR}$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")

MIN_YEAR = 1800


class PartialDateError(ValueError):
    """The text is not a date; the message says why, in the interface language."""


@dataclass(frozen=True)
class PartialDate:
    year: int | None
    month: int | None
    day: int | None
    text: str

    @property
    def is_complete(self) -> bool:
        return self.year is not None and self.month is not None and self.day is not None

    def as_date(self) -> dt.date | None:
        if self.is_complete:
            return dt.date(self.year, self.month, self.day)  # type: ignore[arg-type]
        return None

    def earliest(self) -> dt.date | None:
        """The first day the date can mean, for comparisons (None without a year)."""
        if self.year is None:
            return None
        return dt.date(self.year, self.month or 1, self.day or 1)

    def latest(self) -> dt.date | None:
        if self.year is None:
            return None
        if self.month is None:
            return dt.date(self.year, 12, 31)
        if self.day is None:
            nxt = dt.date(self.year + (self.month == 12), self.month % 12 + 1, 1)
            return nxt - dt.timedelta(days=1)
        return dt.date(self.year, self.month, self.day)

    def canonical(self) -> str:
        """`dd.mm.yyyy`, `mm.yyyy` or `yyyy` as written, digits padded — the export form.

        An unreadable part keeps its place and its marker ("??.03.1975").
        """
        raw = self.text.strip()
        if _ISO.match(raw):
            return f"{self.day:02d}.{self.month:02d}.{self.year:04d}"
        parts = re.split(_SEP, raw)
        head = [p.zfill(2) if p.isdigit() else p for p in parts[:-1]]
        return ".".join([*head, parts[-1]])


def _num(part: str) -> int | None:
    return None if UNREADABLE in part else int(part)


_today_cache: tuple[float, dt.date] = (0.0, dt.date.min)


def _today() -> dt.date:
    # timezone.localdate() costs tens of microseconds; imports parse hundreds of thousands of
    # dates, and "today" only matters for refusing dates in the future.
    global _today_cache
    now = time.monotonic()
    if now - _today_cache[0] > 60:
        _today_cache = (now, timezone.localdate())
    return _today_cache[1]


def parse_partial_date(text: str, *, today: dt.date | None = None) -> PartialDate | None:
    """Parse what the operator typed; None for an empty field; PartialDateError if it is no date."""
    raw = text.strip()
    if not raw:
        return None
    day = today or _today()
    result = _parse_cached(raw, day)
    if result is None:
        _parse(raw, day)  # not cached: raises with the message in the current language
    return result


@lru_cache(maxsize=65_536)
def _parse_cached(raw: str, today: dt.date) -> PartialDate | None:
    """The date, or None when it is not one (cached: imports repeat the same dates)."""
    try:
        return _parse(raw, today)
    except PartialDateError:
        return None


def _parse(raw: str, today: dt.date) -> PartialDate:
    iso = _ISO.match(raw)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
    elif m := _FULL.match(raw):
        day, month, year = _num(m[1]), _num(m[2]), _num(m[3])  # type: ignore[assignment]
    elif m := _MONTH.match(raw):
        day, month, year = None, _num(m[1]), _num(m[2])  # type: ignore[assignment]
    elif m := _YEAR_ONLY.match(raw):
        day, month, year = None, None, _num(m[1])  # type: ignore[assignment]
    else:
        raise PartialDateError(
            _("Ngày không đúng dạng: gõ ngày.tháng.năm (05.03.1975), tháng.năm (03.1975) hoặc năm.")
        )
    if year is not None and not MIN_YEAR <= year <= today.year:
        raise PartialDateError(_("Năm %(year)s không hợp lệ.") % {"year": year})
    if month is not None and not 1 <= month <= 12:
        raise PartialDateError(_("Tháng %(month)s không hợp lệ.") % {"month": month})
    if day is not None:
        try:
            dt.date(year or 2000, month or 1, day)
        except ValueError:
            raise PartialDateError(
                _("Ngày %(day)s không có trong tháng đó.") % {"day": day}
            ) from None
    value = PartialDate(year, month, day, raw)
    complete = value.as_date()
    if complete and complete > today:
        raise PartialDateError(_("Ngày ở tương lai."))
    return value
