"""Reading a Ministry-template file into rows ready to store, with every problem located.

`analyse` reads the sheet, detects the template and its revision, converts legacy-encoded text
(TCVN3, VNI) to Unicode, and validates every row with the same rules as the keying screen,
plus the numbering rules across the whole file. Nothing is written: storing is
`hotich.records.services.record_bulk_import`, once the person has seen the analysis.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.db.models import Q
from django.utils.translation import gettext as _

from hotich.records.models import Record
from hotich.records.schema import Kind, RecordType
from hotich.records.services import ImportRow, number_sort_key
from hotich.records.validation import Issue, check_rules, clean_data
from hotich.registers.models import Register
from hotich.transfer.xlsx_read import Layout, WorkbookError, cell_text, detect_layout, open_sheet

Progress = Callable[[int, int, str], None]
PREVIEW_ROWS = 12
REPORT_LIMIT = 500


@dataclass
class RowResult:
    line: int  # the row's number in Excel (the header is row 1)
    raw: list[Any]  # the cells as read (after encoding conversion), in file order
    data: dict[str, str]
    issues: list[Issue]
    target: int | None = None
    #: the register already holds this row with the same data (the file imported again).
    skip: bool = False

    @property
    def has_error(self) -> bool:
        return any(i.level == "error" for i in self.issues)


@dataclass
class Analysis:
    sheet: str
    layout: Layout
    encoding: str
    preview: list[dict[str, Any]]
    rows: list[RowResult] = field(default_factory=list)

    @property
    def rtype(self) -> RecordType:
        return self.layout.rtype

    def counts(self) -> dict[str, int]:
        rows = [r for r in self.rows if not r.skip]
        errors = sum(1 for r in rows if r.has_error)
        warnings = sum(1 for r in rows if not r.has_error and r.issues)
        return {
            "total": len(self.rows),
            "error": errors,
            "warning": warnings,
            "valid": len(rows) - errors,
            "skipped": len(self.rows) - len(rows),
        }

    def report(self, limit: int = REPORT_LIMIT) -> list[dict[str, Any]]:
        """The first problems, row by row: {"row", "column", "label", "level", "message"}."""
        out: list[dict[str, Any]] = []
        by_key = self.rtype.by_key
        for row in self.rows:
            if row.skip:
                continue
            for issue in sorted(row.issues, key=lambda i: i.level):
                label = str(by_key[issue.field].label) if issue.field in by_key else ""
                out.append(
                    {
                        "row": row.line,
                        "column": issue.field,
                        "label": label,
                        "level": issue.level,
                        "message": issue.message,
                    }
                )
                if len(out) >= limit:
                    return out
        return out

    def import_rows(self, *, clean_only: bool = False) -> list[ImportRow]:
        return [
            ImportRow(data=r.data, issues=r.issues, target=r.target)
            for r in self.rows
            if not r.skip and not (clean_only and r.has_error)
        ]


def _text_cells(rows: list[tuple[int, dict[str, str]]], limit: int = 4000) -> list[str]:
    sample: list[str] = []
    for _line, values in rows:
        for value in values.values():
            if not value.isascii():
                sample.append(value)
        if len(sample) >= limit:
            break
    return sample


def _convert(
    rows: list[tuple[int, dict[str, str]]], layout: Layout, forced: str | None
) -> tuple[str, list[dict[str, Any]]]:
    from hotich.transfer import legacy

    encoding = forced or legacy.detect(_text_cells(rows)).encoding
    if encoding == "unicode":
        return encoding, []
    preview: list[dict[str, Any]] = []
    labels = layout.rtype.by_key
    for line, values in rows:
        for key, value in values.items():
            if value.isascii() and not any(ch in value for ch in "\x7f"):
                continue
            after = legacy.to_unicode(value, encoding)
            if after != value:
                values[key] = after
                if len(preview) < PREVIEW_ROWS:
                    preview.append(
                        {
                            "row": line,
                            "column": key,
                            "label": str(labels[key].label),
                            "before": value,
                            "after": after,
                        }
                    )
    return encoding, preview


def _numbering(register: Register, rows: list[RowResult]) -> None:
    """Numbers restart at 01 each year, never repeat within authority + type + year (SPEC §5.2).

    Also finds, for each row, the record of this register it fills: a placeholder made from a
    scan's file name, or a row an earlier import of this file left pending.
    """
    keyed: list[tuple[RowResult, int, int]] = []
    from hotich.records.schema.dates import PartialDateError, parse_partial_date

    for row in rows:
        number = number_sort_key(row.data.get("so", ""))
        try:
            when = parse_partial_date(row.data.get("ngayDangKy", ""))
        except PartialDateError:
            when = None
        if number is not None and when is not None and when.year:
            keyed.append((row, when.year, number))
    if not keyed:
        return
    years = {year for _r, year, _n in keyed}
    same_authority = (
        Q(register__authority_unit_id=register.authority_unit_id)
        if register.authority_unit_id
        else Q(register__authority_key=register.authority_key)
    )
    fillable: dict[tuple[int, int], int] = {}
    taken: dict[tuple[int, int], str] = {}
    mine: dict[tuple[int, int], int] = {}  # submitted records of this register
    existing = (
        Record.objects.filter(same_authority, register__register_type=register.register_type)
        .filter(registration_year__in=years)
        .exclude(number_sort=None)
        .values_list("pk", "register_id", "registration_year", "number_sort", "status", "source")
    )
    for pk, register_id, year, number, status, source in existing.iterator():
        key = (year, number)
        pending_import = source == Record.Source.IMPORT and status == Record.Status.DRAFT
        if register_id == register.pk and (status == Record.Status.TO_KEY or pending_import):
            fillable.setdefault(key, pk)
        else:
            if register_id == register.pk:
                mine.setdefault(key, pk)
            taken[key] = _("sổ %(register)s") % {"register": register_id}
    wanted = [mine[(y, n)] for _r, y, n in keyed if (y, n) in mine]
    stored = dict(Record.objects.filter(pk__in=wanted).values_list("pk", "data")) if wanted else {}
    placeholders = Record.objects.filter(
        register=register, status=Record.Status.TO_KEY, number_sort__isnull=False
    ).values_list("pk", "number_sort", "registration_year")
    for pk, number, year in placeholders:
        if year:
            fillable.setdefault((year, number), pk)
    seen: dict[tuple[int, int], int] = {}
    previous: tuple[int, int] | None = None
    for row, year, number in keyed:
        key = (year, number)
        if previous is not None and previous[0] <= year:
            expected = 1 if previous[0] < year else previous[1] + 1
            if number != expected:
                row.issues.append(
                    Issue(
                        "so",
                        "warning",
                        "sequence",
                        _("Số %(number)s không liền sau số trước (%(expected)s).")
                        % {"number": row.data.get("so"), "expected": f"{expected:02d}"},
                    )
                )
        previous = key
        if key in seen:
            row.issues.append(
                Issue(
                    "so",
                    "warning",
                    "duplicate",
                    _("Số %(number)s năm %(year)s trùng với dòng %(line)s của tệp.")
                    % {"number": row.data.get("so"), "year": year, "line": seen[key]},
                )
            )
        elif key in mine and stored.get(mine[key]) == row.data:
            row.skip = True
        elif key in taken:
            row.issues.append(
                Issue(
                    "so",
                    "warning",
                    "duplicate",
                    _("Số %(number)s năm %(year)s đã có trong %(where)s.")
                    % {"number": row.data.get("so"), "year": year, "where": taken[key]},
                )
            )
        elif key in fillable:
            row.target = fillable.pop(key)
        seen.setdefault(key, row.line)


def analyse(
    register: Register,
    stream: BinaryIO,
    *,
    progress: Progress | None = None,
    encoding: str | None = None,
) -> Analysis:
    """Read and check a file for `register`; raises WorkbookError when it cannot be used at all."""
    sheet = open_sheet(stream)
    layout = detect_layout(sheet.header, register.register_type)
    if layout.rtype.code != register.register_type:
        raise WorkbookError(
            _("Tệp theo mẫu %(found)s, nhưng sổ là sổ %(expected)s.")
            % {"found": layout.rtype.code, "expected": register.register_type}
        )
    if layout.missing_required:
        raise WorkbookError(
            _("Thiếu cột bắt buộc: %(columns)s.") % {"columns": ", ".join(layout.missing_required)}
        )
    keyed = {f.key for f in layout.rtype.keyed_fields}
    cols = [(key, index) for key, index in layout.columns.items() if key in keyed]
    id_cols = {f.key for f in layout.rtype.keyed_fields if f.kind == Kind.ID}
    total = sheet.total
    read: list[tuple[int, dict[str, str]]] = []
    numeric_ids: list[tuple[int, str]] = []
    raws: dict[int, list[Any]] = {}
    for offset, row in enumerate(sheet.rows):
        line = offset + 2
        width = len(row)
        values: dict[str, str] = {}
        for key, index in cols:
            if index < width:
                cell = row[index]
                if cell is None or cell == "":
                    continue
                text = cell if isinstance(cell, str) else cell_text(cell)
                if text:
                    values[key] = text
                    if key in id_cols and isinstance(cell, (int, float)):
                        numeric_ids.append((line, key))
        if not values or not any(v.strip() for v in values.values()):
            continue  # an empty row, often formatting left below the data
        read.append((line, values))
        raws[line] = row
        if progress and len(read) % 5000 == 0:
            progress(len(read), total, _("Đang đọc tệp…"))
    encoding, preview = _convert(read, layout, encoding)
    analysis = Analysis(sheet=sheet.name, layout=layout, encoding=encoding, preview=preview)
    rtype = layout.rtype
    numeric = set(numeric_ids)
    for done, (line, values) in enumerate(read, start=1):
        data, issues = clean_data(rtype, values)
        issues += check_rules(rtype, data, register)
        for key in id_cols:
            if (line, key) in numeric:
                issues.append(
                    Issue(
                        key,
                        "warning",
                        f"{key}:numeric",
                        _("Ô này là số trong Excel: các chữ số 0 ở đầu có thể đã mất."),
                    )
                )
        raw = raws.pop(line)
        if encoding != "unicode":
            raw = list(raw)
            for key, index in cols:
                if key in values and index < len(raw):
                    raw[index] = values[key]
        analysis.rows.append(RowResult(line=line, raw=raw, data=data, issues=issues))
        if progress and done % 5000 == 0:
            progress(done, len(read), _("Đang kiểm tra dữ liệu…"))
    _numbering(register, analysis.rows)
    if progress:
        progress(len(read), len(read), _("Đã kiểm tra xong."))
    return analysis
