"""Bulk inventory: a spreadsheet list of registers (one row a book) read, checked, then created.

Reading is separate from writing: `register_rows_read` turns an .xlsx or .csv file into rows
with errors per row and column (in Vietnamese); `register_bulk_create` (in services) creates all
rows in one transaction, or none.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotich.core.text import fold, nfc
from hotich.core.xlsx_guard import Limits, WorkbookDamaged, WorkbookRefused, workbook_check
from hotich.registers.domain import AuthorityLevel, Legibility, RegisterType


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    required: bool = False
    aliases: tuple[str, ...] = ()


COLUMNS = [
    Column("register_type", gettext_lazy("Loại sổ"), True, ("loai so", "type", "loai")),
    Column(
        "authority_name",
        gettext_lazy("Cơ quan đăng ký"),
        True,
        ("co quan dang ky", "noi dang ky", "authority"),
    ),
    Column("authority_level", gettext_lazy("Cấp"), True, ("cap", "cap co quan dang ky", "level")),
    Column("year_start", gettext_lazy("Năm"), True, ("nam", "nam bat dau", "year")),
    Column("year_end", gettext_lazy("Năm kết thúc"), False, ("nam ket thuc", "year end")),
    Column("volume", gettext_lazy("Quyển số"), True, ("quyen so", "quyen", "volume")),
    Column("page_count", gettext_lazy("Số trang"), False, ("so trang", "pages")),
    Column(
        "declared_entries",
        gettext_lazy("Số trường hợp"),
        False,
        ("so truong hop", "so ban ghi", "entries"),
    ),
    Column("first_number", gettext_lazy("Số đầu"), False, ("so dau", "so dang ky dau", "first")),
    Column("last_number", gettext_lazy("Số cuối"), False, ("so cuoi", "so dang ky cuoi", "last")),
    Column("legibility", gettext_lazy("Độ rõ"), False, ("do ro", "tinh trang do ro", "legibility")),
    Column(
        "condition_note",
        gettext_lazy("Tình trạng vật lý"),
        False,
        ("tinh trang vat ly", "tinh trang", "condition"),
    ),
    Column("note", gettext_lazy("Ghi chú"), False, ("ghi chu", "note")),
]
MAX_ROWS = 20000
#: An inventory list is small: a few columns, at most MAX_ROWS rows.
LIMITS = Limits(rows=MAX_ROWS + 100, columns=60, cells=1_000_000, total_bytes=200 * 1024 * 1024)


@dataclass
class ParsedRow:
    number: int  # the spreadsheet row number, as the user sees it
    data: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column label, reason)


class BulkFileError(Exception):
    """The file as a whole cannot be read; the message says why, in Vietnamese."""


def _header_key(text: Any) -> str:
    # Headers may carry hints after a line break and trailing spaces (as the Ministry's do).
    return fold(str(text or "").split("\n")[0])


def _choice(value: str, choices: list[tuple[Any, Any]]) -> Any:
    key = fold(value)
    for code, label in choices:
        if key in {fold(str(code)), fold(str(label))}:
            return code
    return None


def _level(value: str) -> str | None:
    key = fold(value)
    if key.startswith(("xa", "phuong", "thi tran", "ubnd cap xa", "commune")):
        return AuthorityLevel.COMMUNE
    if key.startswith(
        ("huyen", "quan", "thi xa", "thanh pho thuoc tinh", "phong", "ubnd cap huyen", "district")
    ):
        return AuthorityLevel.DISTRICT
    if key.startswith(("tinh", "so", "thanh pho truc thuoc", "ubnd cap tinh", "province")):
        return AuthorityLevel.PROVINCE
    return _choice(value, list(AuthorityLevel.choices))


def _int(value: str) -> int:
    text = value.strip()
    if text.endswith(".0"):
        text = text[:-2]
    return int(text)


def _cells_xlsx(stream: IO[bytes], filename: str) -> list[list[Any]]:
    import openpyxl

    try:
        workbook_check(stream, name=filename, limits=LIMITS)
    except WorkbookDamaged as exc:
        raise BulkFileError(
            _("Không đọc được tệp Excel (tệp hỏng, có mật khẩu, hoặc không phải .xlsx).")
        ) from exc
    except WorkbookRefused as exc:
        raise BulkFileError(str(exc)) from exc
    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
        if not workbook.worksheets:
            raise BulkFileError(_("Tệp Excel không có trang tính nào."))
        sheet = workbook.worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        workbook.close()
    except BulkFileError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on damaged parts, read lazily
        raise BulkFileError(
            _("Không đọc được tệp Excel (tệp hỏng, có mật khẩu, hoặc không phải .xlsx).")
        ) from exc
    return rows


#: An inventory list of MAX_ROWS registers is a few MB; past this the file is not one.
MAX_CSV_BYTES = 20 * 1024 * 1024


def _cells_csv(stream: IO[bytes], filename: str) -> list[list[Any]]:
    raw = stream.read(MAX_CSV_BYTES + 1)
    if len(raw) > MAX_CSV_BYTES:
        raise BulkFileError(
            _("Tệp %(name)s lớn hơn %(mb)s MB: không phải một danh sách sổ (tối đa %(n)s dòng).")
            % {"name": filename, "mb": MAX_CSV_BYTES // (1024 * 1024), "n": MAX_ROWS}
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BulkFileError(
            _("Tệp CSV không ở mã UTF-8. Hãy lưu lại tệp với mã UTF-8 (Excel: “CSV UTF-8”).")
        ) from exc
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    if "\x00" in text:
        raise BulkFileError(_("Tệp CSV chứa ký tự rỗng (NUL): không phải tệp văn bản."))
    rows: list[list[Any]] = []
    try:
        for row in csv.reader(io.StringIO(text), dialect):
            if any(cell.strip() for cell in row):
                rows.append(list(row))
                if len(rows) - 1 > MAX_ROWS:  # stop reading: refused below, by the count
                    break
        return rows
    except csv.Error as exc:
        raise BulkFileError(
            _("Tệp CSV không đúng định dạng (một ô quá dài hoặc dấu ngoặc kép không đóng).")
        ) from exc


def register_rows_read(stream: IO[bytes], filename: str) -> list[ParsedRow]:
    name = filename.lower()
    if name.endswith(".xlsx"):
        cells = _cells_xlsx(stream, filename)
    elif name.endswith(".csv"):
        cells = _cells_csv(stream, filename)
    else:
        raise BulkFileError(_("Chỉ nhận tệp .xlsx hoặc .csv."))
    cells = [row for row in cells if any(str(c or "").strip() for c in row)]
    if not cells:
        raise BulkFileError(_("Tệp không có dữ liệu."))
    if len(cells) - 1 > MAX_ROWS:
        raise BulkFileError(_("Tệp có quá %(n)s dòng.") % {"n": MAX_ROWS})
    index: dict[str, int] = {}
    by_alias: dict[str, Column] = {}
    for col in COLUMNS:
        # Headers are accepted in every interface language, whoever downloaded the template.
        for language in ("vi", "en"):
            with translation.override(language):
                by_alias[fold(str(col.label))] = col
        for alias in col.aliases:
            by_alias[alias] = col
    for position, header in enumerate(cells[0]):
        column = by_alias.get(_header_key(header))
        if column and column.key not in index:
            index[column.key] = position
    missing = [str(c.label) for c in COLUMNS if c.required and c.key not in index]
    if missing:
        raise BulkFileError(_("Thiếu cột bắt buộc: %(cols)s.") % {"cols": ", ".join(missing)})
    return [_parse_row(n, row, index) for n, row in enumerate(cells[1:], start=2)]


def _parse_row(number: int, row: list[Any], index: dict[str, int]) -> ParsedRow:
    parsed = ParsedRow(number=number)
    for column in COLUMNS:
        position = index.get(column.key)
        raw = row[position] if position is not None and position < len(row) else None
        value = nfc(str(raw)) if raw is not None else ""
        label = str(column.label)
        if not value:
            if column.required:
                parsed.errors.append((label, _("Bỏ trống.")))
            continue
        try:
            parsed.data[column.key] = _convert(column.key, value)
        except ValueError as exc:
            parsed.errors.append((label, str(exc)))
    return parsed


def _convert(key: str, value: str) -> Any:
    if key == "register_type":
        code = _choice(value, list(RegisterType.choices))
        if code is None:
            raise ValueError(
                _("Loại sổ “%(v)s” không có trong danh mục (KS, KH, KT, CMC, HN, …).")
                % {"v": value}
            )
        return code
    if key == "authority_level":
        level = _level(value)
        if level is None:
            raise ValueError(_("Cấp “%(v)s” không hợp lệ (xã, huyện, tỉnh).") % {"v": value})
        return level
    if key == "legibility":
        code = _choice(value, list(Legibility.choices))
        if code is None:
            raise ValueError(_("Độ rõ phải là 1, 2 hoặc 3."))
        return int(code)
    if key in {"year_start", "year_end", "page_count", "declared_entries"}:
        try:
            number = _int(value)
        except ValueError:
            raise ValueError(_("“%(v)s” không phải là số.") % {"v": value}) from None
        if number < 0:
            raise ValueError(_("Không được là số âm."))
        return number
    if key in {"first_number", "last_number", "volume"} and value.endswith(".0"):
        return value[:-2]  # a number typed into a cell Excel stored as float
    return value
