"""The case file-name convention of provincial platforms (SPEC §6).

`<TYPE>.<YEAR>.<VOLUME>.<yyyy-mm-dd>.<NUMBER>.pdf`, e.g. `KS.2017.01.2017-02-03.05.pdf`: birth
register of 2017, volume 01, registered 3/2/2017, number 05.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_PATTERN = re.compile(
    r"^(?P<type>[A-Za-z]{2,4})\.(?P<year>\d{4})\.(?P<volume>[0-9A-Za-z]{1,10})\."
    r"(?P<date>\d{4}-\d{2}-\d{2})\.(?P<number>[0-9A-Za-z/-]{1,20})"
    r"\.(?:pdf|jpe?g|png|tiff?)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CaseName:
    register_type: str
    year: int
    volume: str
    date: dt.date
    number: str

    def filename(self, ext: str = "pdf") -> str:
        date = f"{self.date:%Y-%m-%d}"
        return f"{self.register_type}.{self.year}.{self.volume}.{date}.{self.number}.{ext}"


def _match(name: str) -> re.Match[str] | None:
    return _PATTERN.match(name.replace("\\", "/").rsplit("/", 1)[-1].strip())


def parse_case_filename(name: str) -> CaseName | None:
    """The parts of a conventional case file name, or None when the name does not follow it."""
    match = _match(name)
    if not match:
        return None
    try:
        date = dt.date.fromisoformat(match["date"])
    except ValueError:
        return None
    return CaseName(
        register_type=match["type"].upper(),
        year=int(match["year"]),
        volume=match["volume"],
        date=date,
        number=match["number"],
    )


def impossible_date(name: str) -> str | None:
    """The date of a name that follows the convention but names a day that does not exist
    (`KS.2010.01.2010-13-45.10.pdf`), or None: such a file would otherwise go unlinked
    without a word."""
    match = _match(name)
    if not match:
        return None
    try:
        dt.date.fromisoformat(match["date"])
    except ValueError:
        return match["date"]
    return None


def volume_matches(volume_written: str, volume_in_name: str) -> bool:
    """ "01/2017" in the register and "01" (or "1") in the file name are the same volume."""
    head = volume_written.split("/")[0].strip()
    return head.lstrip("0") == volume_in_name.lstrip("0")
