"""Check a workbook's sizes before any spreadsheet reader trusts them.

calamine and openpyxl allocate from what a file says: the box from its first to its last cell
(one far cell makes a box of 17 billion cells), the shared-string count, each cell's text. A
7 kB file can so ask for hundreds of GB. `workbook_check` reads the zip's directory and
inflates every member once, in 16 MB pieces (nothing is kept), and refuses, naming the file and
the limit, when:

- the archive is damaged (any failure of `zipfile` or `zlib`), uses an unusual compression, has
  more than `members` members, or a member (or all together) inflates past its limit: the
  sizes the directory declares are checked first, then the real ones (a member that inflates
  to more than it declared fails its checksum);
- a worksheet names a cell beyond `columns` × `rows` (A1:CV150000), holds more than `cells`
  cells, or a text of more than `text_bytes` between two tags;
- the shared-string table declares, or holds, more strings than `cells`.

The limits follow calamine's cost: about 32 bytes per cell of the box and 40 per cell held
(a 100,000-row KS file, a box of 7 million cells with 3.4 million held, peaks at 467 MB); at the
limits the box is 15 million cells. The check takes about 2.5 s on that file, half of
calamine's own reading time. Cells are found in the form every writer uses (`<c r="B2"`); a
sheet written otherwise (another attribute before `r`) gets the slower exact scan. What the
check cannot foresee stops the worker process, never the web server, and a job that stops its
worker three times is quarantined (`core/jobs.py`).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _

from hotich.core.errors import UserFacingError

CHUNK = 16 << 20
MB = 1024 * 1024


class WorkbookRefused(UserFacingError, ValueError):
    """The workbook is refused before it is read; the message names the file and the limit."""


@dataclass(frozen=True)
class Limits:
    members: int = 2_000
    member_bytes: int = 600 * MB  # one part, inflated
    total_bytes: int = 1_000 * MB  # all parts, inflated
    rows: int = 150_000
    columns: int = 100  # A … CV
    cells: int = 6_000_000
    text_bytes: int = 128 * 1024  # Excel's own limit is 32,767 characters a cell


class WorkbookDamaged(WorkbookRefused):
    """The archive itself cannot be read."""


LIMITS = Limits()


def column_name(number: int) -> str:
    """1 -> "A", 100 -> "CV"."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_number(letters: str) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
    return number


def _greater_letters(limit: str) -> bytes:
    """A pattern for column letters after `limit` (same length and later, or longer)."""
    parts = [b"[A-Za-z]{%d,}" % (len(limit) + 1)]
    for i, char in enumerate(limit):
        if char == "Z":
            continue
        after = chr(ord(char) + 1)
        rest = len(limit) - i - 1
        parts.append(
            re.escape(limit[:i]).encode()
            + f"[{after}-Z{after.lower()}-z]".encode()
            + (b"[A-Za-z]{%d}" % rest if rest else b"")
        )
    return b"(?:" + b"|".join(parts) + b")"


def _greater_number(limit: int) -> bytes:
    """A pattern for a decimal number above `limit` (leading zeros allowed)."""
    text = str(limit)
    parts = [b"[1-9][0-9]{%d,}" % len(text)]
    for i, char in enumerate(text):
        if char == "9":
            continue
        rest = len(text) - i - 1
        parts.append(
            text[:i].encode()
            + f"[{int(char) + 1}-9]".encode()
            + (b"[0-9]{%d}" % rest if rest else b"")
        )
    return b"0*(?:" + b"|".join(parts) + b')"'


@dataclass
class _Patterns:
    far: re.Pattern[bytes]
    odd: re.Pattern[bytes]
    exact: re.Pattern[bytes]


def _patterns(limits: Limits, prefix: bytes) -> _Patterns:
    rows = _greater_number(limits.rows)
    columns = _greater_letters(column_name(limits.columns))
    p = re.escape(prefix)
    far = b'<%sc r="(?:%s|[A-Za-z]{1,3}%s)|<%srow r="%s' % (p, columns, rows, p, rows)
    return _Patterns(
        far=re.compile(far),
        # a cell or row tag whose first attribute is not r="…": the exact scan decides
        odd=re.compile(b'<%s(?:c|row)(?! r=")[\\s>/]' % p),
        exact=re.compile(
            b"<%s(?:c|row)\\b[^>]*?\\sr\\s*=\\s*[\"']\\s*([A-Za-z]*)\\s*0*([0-9]*)" % p
        ),
    )


_ROOT = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?worksheet[\s>]")
_SST = re.compile(rb"<(?:[\w.-]+:)?sst\b([^>]*)>")
_COUNT = re.compile(rb"""\b(?:count|uniqueCount)\s*=\s*["']\s*([0-9]+)""")


def _refuse(name: str, text: str) -> WorkbookRefused:
    return WorkbookRefused(_("Tệp “%(name)s”: %(problem)s") % {"name": name, "problem": text})


def _damaged(name: str) -> WorkbookRefused:
    return WorkbookDamaged(
        _("Tệp “%(name)s”: %(problem)s")
        % {
            "name": name,
            "problem": _(
                "tệp Excel bị hỏng hoặc chưa tải lên hết, không đọc được. Hãy mở tệp bằng "
                "Excel, lưu lại dạng .xlsx rồi gửi lại."
            ),
        }
    )


def _too_big(name: str, limit: int) -> WorkbookRefused:
    return _refuse(
        name,
        _(
            "nội dung giải nén vượt quá %(limit)s MB, quá lớn để đọc an toàn. Hãy chia dữ liệu "
            "thành nhiều tệp."
        )
        % {"limit": f"{limit // MB:,}".replace(",", ".")},
    )


def _box(name: str, limits: Limits) -> WorkbookRefused:
    return _refuse(
        name,
        _(
            "có ô nằm ngoài vùng được nhận (tối đa %(columns)s cột, đến cột %(last)s, và "
            "%(rows)s dòng). Hãy xóa các cột và dòng thừa ở cuối trang tính rồi lưu lại."
        )
        % {
            "columns": limits.columns,
            "last": column_name(limits.columns),
            "rows": f"{limits.rows:,}".replace(",", "."),
        },
    )


def _too_many_cells(name: str, limits: Limits) -> WorkbookRefused:
    return _refuse(
        name,
        _("có quá %(cells)s ô dữ liệu. Hãy chia dữ liệu thành nhiều tệp.")
        % {"cells": f"{limits.cells:,}".replace(",", ".")},
    )


def _long_text(name: str, limits: Limits) -> WorkbookRefused:
    return _refuse(
        name,
        _(
            "có một ô chứa văn bản dài quá %(kb)s kB (Excel chỉ cho 32.767 ký tự một ô); "
            "tệp không phải một sổ đăng ký hợp lệ."
        )
        % {"kb": limits.text_bytes // 1024},
    )


class _Sheet:
    """The running check of one worksheet, piece by piece."""

    def __init__(self, name: str, limits: Limits, head: bytes) -> None:
        found = _ROOT.search(head[:65536])
        prefix = (found.group(1) + b":") if found and found.group(1) else b""
        self.name, self.limits = name, limits
        self.patterns = _patterns(limits, prefix)
        self.tag = b"<" + prefix + b"c"
        self.cells = 0
        self.exact = False
        self.tail = b""

    def feed(self, piece: bytes) -> None:
        # `tail` keeps the end of the last piece so a tag cut in two is seen whole.
        data = self.tail + piece
        self.tail = data[-256:]
        self.cells += piece.count(self.tag)
        if self.cells > self.limits.cells:
            raise _too_many_cells(self.name, self.limits)
        if self.patterns.far.search(data):
            raise _box(self.name, self.limits)
        if not self.exact and self.patterns.odd.search(data):
            self.exact = True
        if self.exact:
            self._exact(data)

    def _exact(self, data: bytes) -> None:
        for letters, digits in self.patterns.exact.findall(data):
            if letters and (
                len(letters) > 3 or column_number(letters.decode()) > self.limits.columns
            ):
                raise _box(self.name, self.limits)
            if digits and (len(digits) > 9 or int(digits) > self.limits.rows):
                raise _box(self.name, self.limits)


def _check_text_runs(piece: bytes, name: str, limits: Limits) -> None:
    """Every window of `text_bytes` holds a "<": no text between two tags is twice that long."""
    step = limits.text_bytes
    for start in range(0, max(0, len(piece) - step), step):
        if piece.find(b"<", start, start + step) < 0:
            raise _long_text(name, limits)


def _shared_strings(head: bytes, name: str, limits: Limits) -> None:
    found = _SST.search(head[:65536])
    if found is None:
        return
    for number in _COUNT.findall(found.group(1)):
        if len(number) > 10 or int(number) > limits.cells:
            shown = f"{int(number):,}".replace(",", ".") if len(number) <= 30 else number[:30]
            raise _refuse(
                name,
                _(
                    "bảng chữ dùng chung của tệp khai báo %(n)s mục, quá giới hạn %(cells)s; "
                    "tệp hỏng hoặc không phải do Excel lưu. Hãy mở bằng Excel và lưu lại."
                )
                % {"n": shown, "cells": f"{limits.cells:,}".replace(",", ".")},
            )


def _members(book: zipfile.ZipFile, name: str, limits: Limits) -> list[zipfile.ZipInfo]:
    members = book.infolist()
    if len(members) > limits.members:
        raise _refuse(
            name,
            _("có %(n)s phần bên trong, quá %(limit)s; không phải một bảng tính thông thường.")
            % {"n": len(members), "limit": limits.members},
        )
    total = 0
    for info in members:
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _refuse(
                name,
                _("dùng kiểu nén không thông dụng; hãy mở bằng Excel và lưu lại dạng .xlsx."),
            )
        if info.flag_bits & 0x1:
            raise _refuse(name, _("có phần được mã hóa; hãy bỏ mật khẩu rồi lưu lại."))
        if info.file_size > limits.member_bytes:
            raise _too_big(name, limits.member_bytes)
        total += info.file_size
        if total > limits.total_bytes:
            raise _too_big(name, limits.total_bytes)
    return members


def _central_directory_size(stream: IO[bytes]) -> int | None:
    """The directory's declared length, read before `zipfile` builds an entry per member."""
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(max(0, size - 65_557))
    tail = stream.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        return None
    entries = int.from_bytes(tail[at + 10 : at + 12], "little")
    length = int.from_bytes(tail[at + 12 : at + 16], "little")
    if entries == 0xFFFF or length == 0xFFFFFFFF:
        return None  # ZIP64: zipfile reads the real figures; the member count is checked after
    return length


def workbook_check(source: Path | IO[bytes], *, name: str, limits: Limits = LIMITS) -> None:
    """Raise `WorkbookRefused` when `source` (an .xlsx) is damaged or over a limit."""
    if isinstance(source, Path):
        with source.open("rb") as stream:
            return workbook_check(stream, name=name, limits=limits)
    position = source.tell()
    try:
        _check(source, name, limits)
    except WorkbookRefused:
        raise
    except Exception as exc:  # zipfile and zlib raise a dozen kinds on a damaged archive
        raise _damaged(name) from exc
    finally:
        source.seek(position)


def _check(stream: IO[bytes], name: str, limits: Limits) -> None:
    directory = _central_directory_size(stream)
    if directory is not None and directory > limits.members * 1024:
        raise _refuse(
            name,
            _("có quá %(limit)s phần bên trong; không phải một bảng tính thông thường.")
            % {"limit": limits.members},
        )
    stream.seek(0)
    with zipfile.ZipFile(stream) as book:
        for info in _members(book, name, limits):
            _member(book, info, name, limits)


def _member(book: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, limits: Limits) -> None:
    member = info.filename.replace("\\", "/").lower()
    is_xml = member.endswith((".xml", ".rels")) or "." not in member.rsplit("/", 1)[-1]
    sheet: _Sheet | None = None
    first = True
    with book.open(info) as part:  # reads at most the declared size; a checksum ends it
        while piece := part.read(CHUNK):
            if first:
                first = False
                if member.startswith("xl/worksheets/") and member.endswith(".xml"):
                    sheet = _Sheet(name, limits, piece)
                elif member.endswith("sharedstrings.xml") or b"sst" in piece[:4096]:
                    _shared_strings(piece, name, limits)
            if is_xml:
                _check_text_runs(piece, name, limits)
            if sheet is not None:
                sheet.feed(piece)
