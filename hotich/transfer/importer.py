"""Reading a Ministry-template file into rows ready to store, with every problem located.

`analyse` reads the sheet, detects the template and its revision, converts legacy-encoded text
(TCVN3, VNI) to Unicode, and validates every row with the same rules as the keying screen,
plus the numbering rules across the whole file. Nothing is written: storing is
`hotich.records.services.record_bulk_import`, once the person has seen the analysis.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.db.models import Q
from django.utils.translation import gettext as _

from hotich.core.xlsx_guard import WorkbookRefused, workbook_check
from hotich.records import validation
from hotich.records.models import Record
from hotich.records.schema import Kind, RecordType
from hotich.records.services import ImportRow, number_sort_key
from hotich.records.validation import FileCleaner, Issue
from hotich.registers.models import Register
from hotich.transfer.xlsx_read import (
    Layout,
    WorkbookError,
    cell_text,
    detect_layout,
    open_sheet,
)
from hotich.transfer.xlsx_read import (
    check_bytes_of as _check_bytes_of,
)

Progress = Callable[[int, int, str], None]
PREVIEW_ROWS = 12
_SAMPLE = 4000  # non-ASCII texts the legacy-encoding detection looks at
REPORT_LIMIT = 500


@dataclass(slots=True)
class RowResult:
    line: int  # the row's number in Excel (the header is row 1)
    data: dict[str, str]
    issues: list[Issue]
    target: int | None = None
    #: the register already holds this row with the same data (the file imported again).
    skip: bool = False
    #: cells as read (after encoding conversion) that `data` does not hold as they were:
    #: column index -> text. The rest of the row is `data`; see `Analysis.cells`.
    other: dict[int, str] | None = None

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

    def cells(self, row: RowResult) -> list[str]:
        """The row's cells as read (after encoding conversion), as text, in file order.

        Rows are not kept as read (70 cells each: most of the memory of a large file); a cell
        is the cleaned value when cleaning left its text as it was, else kept in `row.other`.
        """
        keyed = [(key, i) for key, i in self.layout.columns.items() if key in row.data]
        width = max([i + 1 for _key, i in keyed] + [i + 1 for i in row.other or ()] + [0])
        out = [""] * width
        for key, index in keyed:
            out[index] = row.data[key]
        for index, text in (row.other or {}).items():
            out[index] = text
        return out

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


def _convert(
    line: int, values: dict[str, str], encoding: str, layout: Layout, preview: list[dict[str, Any]]
) -> None:
    """Convert a row's legacy-encoded texts to Unicode, in place; the first few go to `preview`."""
    from hotich.transfer import legacy

    labels = layout.rtype.by_key
    for key, value in values.items():
        if value.isascii() and "\x7f" not in value:
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


def _detect(sample: list[str]) -> str:
    from hotich.transfer import legacy

    return legacy.detect(sample).encoding


def _numbering(register: Register, rows: list[RowResult]) -> None:
    """Numbers restart at 01 each year, never repeat within authority + type + year (SPEC §5.2).

    Also finds, for each row, the record of this register it fills: a placeholder made from a
    scan's file name, or a row an earlier import of this file left pending.
    """
    keyed: list[tuple[RowResult, int, int]] = []
    from hotich.records.schema.dates import PartialDateError, parse_partial_date

    numbers: dict[str, int | None] = {}  # a register repeats its numbers and dates
    years: dict[str, int | None] = {}
    for row in rows:
        text = row.data.get("so", "")
        number = numbers.get(text, -1)
        if number == -1:
            number = numbers[text] = number_sort_key(text)
        text = row.data.get("ngayDangKy", "")
        year = years.get(text, -1)
        if year == -1:
            try:
                when = parse_partial_date(text)
            except PartialDateError:
                when = None
            year = years[text] = when.year if when is not None else None
        if number is not None and year:
            keyed.append((row, year, number))
    if not keyed:
        return
    years_seen = {year for _r, year, _n in keyed}
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
        .filter(registration_year__in=years_seen)
        .exclude(number_sort=None)
        .values_list("pk", "register_id", "registration_year", "number_sort", "status", "source")
    )
    for pk, register_id, year, number, status, source in existing.iterator():
        key = (year or 0, number or 0)  # both non-null by the filters above
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
            fillable.setdefault((year, number or 0), pk)
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
        # SPEC §5.2: a number never repeats within authority + type + year; a repeat blocks
        # the row (as in keying) until the custodian explains it on the acceptance page.
        explained = (key in seen or key in taken) and validation.duplicate_explained(
            register, year, number
        )
        level = "warning" if explained else "error"
        hint = (
            _(" (đã giải trình)")
            if explained
            else _(
                ": số đăng ký không được trùng trong cùng cơ quan đăng ký, loại sổ và năm; nếu "
                "sổ giấy thật sự ghi trùng, quản trị viên giải trình ở trang Nghiệm thu của sổ."
            )
        )
        if key in seen:
            row.issues.append(
                Issue(
                    "so",
                    level,
                    "duplicate",
                    _("Số %(number)s năm %(year)s trùng với dòng %(line)s của tệp")
                    % {"number": row.data.get("so"), "year": year, "line": seen[key]}
                    + hint,
                )
            )
        elif key in mine and stored.get(mine[key]) == row.data:
            row.skip = True
        elif key in taken:
            row.issues.append(
                Issue(
                    "so",
                    level,
                    "duplicate",
                    _("Số %(number)s năm %(year)s đã có trong %(where)s")
                    % {"number": row.data.get("so"), "year": year, "where": taken[key]}
                    + hint,
                )
            )
        elif key in fillable:
            row.target = fillable.pop(key)
        seen.setdefault(key, row.line)


class RowChecker:
    """Reads, converts and checks the data rows of one sheet (or part of one), in file order.

    Rows are read, converted and checked in one pass, so the sheet's rows are never all held as
    read. The legacy-encoding detection needs the first `_SAMPLE` non-ASCII texts of the file:
    rows wait in `waiting` until they are seen (or the rows end); `decide` gets the sample and
    returns the encoding. `transfer.parallel` runs two of these on the two halves of a file.
    """

    def __init__(
        self,
        register: Register,
        layout: Layout,
        analysis: Analysis,
        *,
        encoding: str | None,
        decide: Callable[[list[list[str]]], str] | None = None,
    ) -> None:
        rtype = layout.rtype
        keyed = {f.key for f in rtype.keyed_fields}
        cols = [(key, index) for key, index in layout.columns.items() if key in keyed]
        self.id_cols = {f.key for f in rtype.keyed_fields if f.kind == Kind.ID}
        self.keys = [key for key, _index in cols]
        indexes = [index for _key, index in cols]
        self.column_of = dict(cols)
        self.keyed_at = set(indexes)
        self.widest = max(indexes, default=-1)
        # C-speed extraction of the wanted cells (itemgetter of one index returns the cell alone).
        self.pick = (
            operator.itemgetter(*indexes) if len(indexes) > 1 else lambda row: [row[indexes[0]]]
        )
        self.others: dict[int, list[int]] = {}  # row width -> indexes of the cells not keyed
        self.texts: dict[str, str] = {}  # one copy of each repeated text kept for the error copy
        self.cleaner = FileCleaner(rtype, register)
        self.layout, self.analysis, self.encoding = layout, analysis, encoding
        self.decide = decide or (lambda sample: encoding or _detect([t for r in sample for t in r]))
        self.waiting: list[tuple[int, dict[str, str], dict[int, str] | None, list[str]]] = []
        self.sample: list[list[str]] = []  # the non-ASCII texts of each row, until known
        self.sampled = 0
        self.known = bool(encoding)
        self.done = 0

    def check(
        self, line: int, values: dict[str, str], other: dict[int, str] | None, numeric: list[str]
    ) -> None:
        analysis, cleaner = self.analysis, self.cleaner
        if analysis.encoding != "unicode":
            _convert(line, values, analysis.encoding, self.layout, analysis.preview)
        data, issues, changed = cleaner.clean(values)
        issues += cleaner.rules(data)
        for key in self.id_cols if numeric else ():  # in the order the checks always used
            if key not in numeric:
                continue
            issues.append(
                Issue(
                    key,
                    "warning",
                    f"{key}:numeric",
                    _("Ô này là số trong Excel: các chữ số 0 ở đầu có thể đã mất."),
                )
            )
        for key in changed:
            if other is None:
                other = {}
            other[self.column_of[key]] = values[key]
        analysis.rows.append(RowResult(line=line, data=data, issues=issues, other=other))

    def feed(self, line: int, row: list[Any]) -> bool:
        """Take one row; False when it is empty (and skipped)."""
        width = len(row)
        if width <= self.widest:
            row = [*row, *([""] * (self.widest + 1 - width))]
            width = len(row)
        cells = zip(self.keys, self.pick(row), strict=True)
        values = {k: c for k, c in cells if c != "" and c is not None}
        numeric: list[str] = []
        for key, cell in values.items():
            if type(cell) is not str:
                values[key] = cell_text(cell)
                if key in self.id_cols and isinstance(cell, (int, float)):
                    numeric.append(key)
        if not values or not any(v.strip() for v in values.values()):
            return False  # an empty row, often formatting left below the data
        other = None
        rest = self.others.get(width)
        if rest is None:
            rest = self.others[width] = [i for i in range(width) if i not in self.keyed_at]
        for index in rest:
            cell = row[index]
            if cell != "" and cell is not None:
                text = cell_text(cell)
                if text:
                    if other is None:
                        other = {}
                    other[index] = self.texts.setdefault(text, text)
        self.done += 1
        if self.known:
            self.check(line, values, other, numeric)
            return True
        self.waiting.append((line, values, other, numeric))
        texts = [value for value in values.values() if not value.isascii()]
        if texts:
            self.sample.append(texts)
            self.sampled += len(texts)
        if self.sampled >= _SAMPLE:
            self._decided(self.decide(self.sample))
        return True

    def _decided(self, encoding: str) -> None:
        self.known = True
        self.analysis.encoding = encoding
        for item in self.waiting:
            self.check(*item)
        self.waiting = []

    def finish(self) -> None:
        """The rows have ended: decide the encoding now if the sample never filled."""
        if not self.known:
            self._decided(self.decide(self.sample))


def analyse(
    register: Register,
    stream: BinaryIO,
    *,
    progress: Progress | None = None,
    encoding: str | None = None,
    name: str = "",
) -> Analysis:
    """Read and check a file for `register`; raises WorkbookError when it cannot be used at all.

    `core.xlsx_guard` checks its sizes first (`name` is the file's name in its messages).

    A large file is read by two processes, half each (`transfer.parallel`), with the same
    result as `_analyse_alone`, which reads the others (and any file that cannot be cut).
    """
    from hotich.core.fastinsert import gc_paused
    from hotich.transfer import parallel

    _check_bytes_of(stream)
    try:
        workbook_check(stream, name=name or _("tệp Excel"))
    except WorkbookRefused as exc:
        raise WorkbookError(str(exc)) from exc
    with gc_paused():
        found = parallel.analyse(register, stream, progress=progress, encoding=encoding)
        if found is not None:
            return found
        return _analyse_alone(register, stream, progress=progress, encoding=encoding)


def _analyse_alone(
    register: Register,
    stream: BinaryIO,
    *,
    progress: Progress | None = None,
    encoding: str | None = None,
) -> Analysis:
    """`analyse` in this process only."""
    sheet = open_sheet(stream)
    layout = check_layout(register, sheet.header)
    analysis = Analysis(sheet=sheet.name, layout=layout, encoding=encoding or "unicode", preview=[])
    checker = RowChecker(register, layout, analysis, encoding=encoding)
    total = sheet.total
    for offset, row in enumerate(sheet.rows):
        if checker.feed(offset + 2, row) and progress and checker.done % 5000 == 0:
            progress(checker.done, total, _("Đang kiểm tra dữ liệu…"))
    del sheet  # calamine's copy of the sheet: hundreds of MB for a large file
    checker.finish()
    _numbering(register, analysis.rows)
    if progress:
        progress(checker.done, checker.done, _("Đã kiểm tra xong."))
    return analysis


def check_layout(register: Register, header: list[Any]) -> Layout:
    """The template of the header row; refused when it is another register type's or lacks a
    required column."""
    layout = detect_layout(header, register.register_type)
    if layout.rtype.code != register.register_type:
        raise WorkbookError(
            _("Tệp theo mẫu %(found)s, nhưng sổ là sổ %(expected)s.")
            % {"found": layout.rtype.code, "expected": register.register_type}
        )
    if layout.missing_required:
        raise WorkbookError(
            _("Thiếu cột bắt buộc: %(columns)s.") % {"columns": ", ".join(layout.missing_required)}
        )
    return layout
