"""Writing a register's records as the Ministry's import workbook (SPEC §5.3–5.5).

Sheet "DL Import": one header row with the column names in the template's order (a column whose
code list is stored as codes carries its codes after a line break, `loaiDangKy` + newline +
`i=[1,2,3,4,5,6]`), then one row per record. Every cell is text, in a column formatted as text, so
"02" and a 12-digit identity number stay what they are when someone opens and saves the file in
Excel. STT is the row number, a `*Str` column repeats its source column, dates are written in
their canonical partial form (`dd.mm.yyyy`, `mm.yyyy`, `yyyy`, unreadable parts kept); every other
keyed value is written exactly as stored: codes as codes, label lists as their labels.

Sheet "Ghi chu": each code list the type uses, once, with the columns that use it.

Values in the file are data, not interface text: headers and the "Ghi chu" sheet are the same in
every interface language.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO

from hotich.core.xlsx_out import xlsx_workbook
from hotich.records.schema import Field, Kind, RecordType
from hotich.records.schema.codes import CodeList
from hotich.records.schema.dates import PartialDateError, parse_partial_date

DATA_SHEET = "DL Import"
CODES_SHEET = "Ghi chu"
CODES_HEADER = ("Cột", "Mã", "Giá trị")
#: parse_partial_date refuses dates after "today"; an export writes what was keyed, whatever
#: the clock says.
_NO_FUTURE_CHECK = dt.date(9999, 12, 31)
_ALREADY_CANONICAL = re.compile(r"^(?:\d{2}\.){0,2}\d{4}$")


def export_fields(rtype: RecordType, older_revision: bool = False) -> tuple[Field, ...]:
    """The template's columns in order; the older revision (KS: 60 columns) lacks some."""
    if not older_revision:
        return rtype.fields
    lacks = set(rtype.older_revision_lacks)
    return tuple(f for f in rtype.fields if f.key not in lacks)


def _hint(codes: CodeList | None) -> str:
    if codes is None or codes.stored_as != "code":
        return ""
    return "i=[" + ",".join(code for code, _label in codes.items) + "]"


def header_cells(rtype: RecordType, older_revision: bool = False) -> list[str]:
    """The header row exactly as written: the column name, and its codes after a line break."""
    cells = []
    for f in export_fields(rtype, older_revision):
        hint = _hint(f.codes) if f.kind == Kind.CODE else ""
        cells.append(f"{f.key}\n{hint}" if hint else f.key)
    return cells


def date_cell(value: str) -> str:
    """A keyed date in its canonical written form; text that is no date is written as it is."""
    if _ALREADY_CANONICAL.match(value):
        # Most dates are keyed this way; parsing would give back the same text (or, for a
        # date that is not one, keep it as it is: the same text too).
        return value
    if not value.strip():
        return ""
    try:
        parsed = parse_partial_date(value, today=_NO_FUTURE_CHECK)
    except PartialDateError:
        return value
    return parsed.canonical() if parsed else ""


def row_cells(fields: tuple[Field, ...], data: Mapping[str, str], serial: int) -> list[str]:
    """One record's cells, in column order."""
    cells = []
    for f in fields:
        if f.kind == Kind.SERIAL:
            cells.append(str(serial))
        elif f.kind == Kind.COPY:
            cells.append(data.get(f.source, "") or "")
        elif f.kind == Kind.DATE:
            cells.append(date_cell(data.get(f.key, "") or ""))
        else:
            cells.append(data.get(f.key, "") or "")
    return cells


def code_lists(rtype: RecordType) -> list[tuple[CodeList, list[str]]]:
    """Each code list the type uses with the columns using it, in the order of first use."""
    found: dict[str, tuple[CodeList, list[str]]] = {}
    for f in rtype.fields:
        if f.kind == Kind.CODE and f.codes is not None:
            found.setdefault(f.codes.name, (f.codes, []))[1].append(f.key)
    return list(found.values())


def write_ministry_xlsx(
    rtype: RecordType,
    rows: Iterable[Mapping[str, str]],
    out: IO[bytes] | str | Path,
    *,
    older_revision: bool = False,
) -> int:
    """Write `rows` (each a record's keyed data by column name) to `out`; returns the row count.

    Rows are streamed (xlsxwriter's constant-memory mode), so any number fits in little memory.
    """
    target = str(out) if isinstance(out, Path) else out
    workbook = xlsx_workbook(target, {"constant_memory": True})
    text = workbook.add_format({"num_format": "@"})
    header = workbook.add_format({"num_format": "@", "bold": True, "text_wrap": True})
    fields = export_fields(rtype, older_revision)

    sheet = workbook.add_worksheet(DATA_SHEET)
    sheet.set_column(0, len(fields) - 1, 16, text)
    sheet.freeze_panes(1, 0)
    for col, cell in enumerate(header_cells(rtype, older_revision)):
        sheet.write_string(0, col, cell, header)
    count = 0
    write = sheet.write_string
    for count, data in enumerate(rows, start=1):
        for col, value in enumerate(row_cells(fields, data, count)):
            if value:
                write(count, col, value, text)

    notes = workbook.add_worksheet(CODES_SHEET)
    notes.set_column(0, 0, 40, text)
    notes.set_column(1, 1, 8, text)
    notes.set_column(2, 2, 60, text)
    for col, cell in enumerate(CODES_HEADER):
        notes.write_string(0, col, cell, header)
    line = 1
    for codes, keys in code_lists(rtype):
        columns = ", ".join(keys)
        for code, label in codes.items:
            notes.write_string(line, 0, columns, text)
            # A list stored as its labels has no codes in the data: only the values are listed.
            if codes.stored_as == "code":
                notes.write_string(line, 1, code, text)
            notes.write_string(line, 2, label, text)
            line += 1
    workbook.close()
    return count
