"""Reading an Excel file of the Ministry's template: the sheet, its headers, its rows as text.

Files are read with calamine (python-calamine), which parses a 100,000-row sheet several times
faster than openpyxl. Every cell comes back as text the way the register has it: numbers
without a trailing ".0", Excel dates as dd.mm.yyyy, empty cells as "".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from django.utils.translation import gettext as _

from hotich.records.schema import RECORD_TYPES, RecordType

SHEET = "DL Import"
_HINT = re.compile(r"\s*i\s*=\s*\[.*$", re.IGNORECASE | re.DOTALL)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"


class WorkbookError(ValueError):
    """The file cannot be read as a workbook; the message says why, for the person who sent it."""


def header_key(text: Any) -> str:
    """`"loaiDangKy\\ni=[1,2,3] "` -> `"loaidangky"`: trimmed, hint dropped, case-folded."""
    value = "" if text is None else str(text)
    value = value.split("\n", 1)[0]
    return _HINT.sub("", value).strip().casefold()


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return f"{value.day:02d}.{value.month:02d}.{value.year:04d}"
    if isinstance(value, dt.time):
        return f"{value.hour:02d}:{value.minute:02d}"
    if isinstance(value, dt.timedelta):
        minutes = int(value.total_seconds() // 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    return str(value)


@dataclass
class Layout:
    """Which template a header row is, and where each declared column sits."""

    rtype: RecordType
    revision: str  # "full", "older" (no STT / SoDinhDanh / Str), "variant", "partial"
    columns: dict[str, int]  # column key -> index in the row
    headers: list[str]  # the header cells as written
    unknown: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    missing_required: list[str] = field(default_factory=list)


def detect_layout(header: list[Any], expected: str | None = None) -> Layout:
    keys = [header_key(h) for h in header]
    present = {k for k in keys if k}

    def score(rtype: RecordType) -> int:
        return len(present & {k.casefold() for k in rtype.by_key})

    if expected and expected in RECORD_TYPES:
        candidates = [
            RECORD_TYPES[expected],
            *[t for t in RECORD_TYPES.values() if t.code != expected],
        ]
    else:
        candidates = list(RECORD_TYPES.values())
    best = max(candidates, key=score)  # max keeps the first on ties: the expected type
    by_folded = {k.casefold(): k for k in best.by_key}
    columns: dict[str, int] = {}
    unknown = []
    for index, (raw, key) in enumerate(zip(header, keys, strict=False)):
        if not key:
            continue
        if key in by_folded and by_folded[key] not in columns:
            columns[by_folded[key]] = index
        else:
            unknown.append(str(raw).split("\n", 1)[0].strip())
    declared = [f.key for f in best.fields]
    missing = [k for k in declared if k not in columns]
    if not missing:
        revision = "variant" if len(columns) > len(declared) else "full"
    elif set(missing) <= set(best.older_revision_lacks):
        revision = "older"
    else:
        revision = "partial"
    required = [f.key for f in best.fields if f.required]
    return Layout(
        rtype=best,
        revision=revision,
        columns=columns,
        headers=[str(h) if h is not None else "" for h in header],
        unknown=unknown,
        missing=missing,
        missing_required=[k for k in required if k not in columns],
    )


def _check_bytes(head: bytes, size: int) -> None:
    if size == 0:
        raise WorkbookError(_("Tệp rỗng (0 byte)."))
    if head.startswith(_OLE):
        raise WorkbookError(
            _(
                "Tệp được đặt mật khẩu hoặc là định dạng Excel 97–2003 (.xls). Hãy mở bằng "
                "Excel, bỏ mật khẩu và lưu lại dạng .xlsx."
            )
        )
    if not head.startswith(_ZIP):
        raise WorkbookError(_("Tệp không phải bảng tính Excel (.xlsx)."))


def check_bytes_of(stream: BinaryIO) -> None:
    """`_check_bytes` of an open file: empty, .xls or password, not a zip."""
    head = stream.read(8)
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    _check_bytes(head, size)


@dataclass
class Sheet:
    name: str
    header: list[Any]
    rows: Iterator[list[Any]]
    total: int
    #: (row, column) of the sheet's first cell, from 0: where its first row and column are.
    start: tuple[int, int] = (0, 0)


def open_sheet(stream: BinaryIO, *, header_row: bool = True, path: Path | None = None) -> Sheet:
    """The "DL Import" sheet (or the first one): its header row and an iterator of data rows.

    `header_row=False` reads a sheet of data rows only (the second half of a large sheet, see
    `xlsx_split`): `header` is empty and `rows` has every row. `path`: the same file on disk,
    read from there (the parts of a large sheet, which this process wrote itself).
    """
    from python_calamine import CalamineWorkbook

    head = stream.read(8)
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    _check_bytes(head, size)
    try:
        # From a path calamine reads the file itself (no copy through Python): quicker.
        if path is not None:
            book = CalamineWorkbook.from_path(str(path))
        else:
            book = CalamineWorkbook.from_filelike(stream)
        names = book.sheet_names
        name = next((n for n in names if n.strip().casefold() == SHEET.casefold()), names[0])
        sheet = book.get_sheet_by_name(name)
        total = sheet.height
        first_row, first_column = sheet.start or (0, 0)
        start = (int(first_row), int(first_column))
        rows = sheet.iter_rows()
        if not header_row:
            return Sheet(name=name, header=[], rows=rows, total=total, start=start)
        header = next(rows, None)
    except WorkbookError:
        raise
    except Exception as exc:
        raise WorkbookError(
            _(
                "Tệp Excel bị hỏng hoặc không đầy đủ (có thể tải lên chưa xong). Hãy mở tệp "
                "bằng Excel, lưu lại dạng .xlsx rồi gửi lại."
            )
        ) from exc
    if not header or not any(cell_text(c).strip() for c in header):
        raise WorkbookError(_("Trang tính “%(sheet)s” không có dòng tiêu đề.") % {"sheet": name})
    return Sheet(name=name, header=list(header), rows=rows, total=max(0, total - 1), start=start)
