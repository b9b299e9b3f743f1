"""The workbook check refuses, naming the file and the limit, before a reader trusts sizes."""

from __future__ import annotations

import io
import zipfile

import pytest

from hotich.core.xlsx_guard import Limits, WorkbookRefused, workbook_check

SHEET = (
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    '<row r="1"><c r="A1" t="inlineStr"><is><t>so</t></is></c></row>{rows}</sheetData></worksheet>'
)


def _book(sheet: str = SHEET.format(rows=""), strings: str | None = None) -> io.BytesIO:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", "<Types/>")
        book.writestr("xl/workbook.xml", "<workbook/>")
        book.writestr("xl/worksheets/sheet1.xml", sheet)
        if strings is not None:
            book.writestr("xl/sharedStrings.xml", strings)
    out.seek(0)
    return out


def test_a_plain_workbook_passes_and_its_stream_is_left_where_it_was():
    book = _book(SHEET.format(rows='<row r="2"><c r="CV2"><v>1</v></c></row>'))
    book.seek(3)
    workbook_check(book, name="so.xlsx")
    assert book.tell() == 3


@pytest.mark.parametrize(
    "rows",
    [
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
        '<row r="2"><c r="CW2"><v>1</v></c></row>',
        '<row r="2"><c r="A150001"><v>1</v></c></row>',
        '<row r="150001"><c><v>1</v></c></row>',
        '<row r="2"><c t="n" r="ZZ2"><v>1</v></c></row>',  # r not the first attribute
    ],
)
def test_a_cell_beyond_the_limits_is_refused_naming_the_file_and_the_limit(rows):
    with pytest.raises(WorkbookRefused) as refused:
        workbook_check(_book(SHEET.format(rows=rows)), name="KS.2010.01.xlsx")
    message = str(refused.value)
    assert "KS.2010.01.xlsx" in message
    assert "100 cột" in message and "150.000 dòng" in message


def test_a_shared_string_table_declaring_four_billion_entries_is_refused():
    strings = '<sst count="4294967295" uniqueCount="4294967295"><si><t>a</t></si></sst>'
    with pytest.raises(WorkbookRefused) as refused:
        workbook_check(_book(strings=strings), name="a.xlsx")
    message = str(refused.value)
    assert "a.xlsx" in message and "4.294.967.295 mục" in message and "6.000.000" in message


def test_too_many_cells_are_refused_before_reading():
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>1</v></c></row>' for n in range(2, 60))
    with pytest.raises(WorkbookRefused, match="quá 50 ô"):
        workbook_check(_book(SHEET.format(rows=rows)), name="a.xlsx", limits=Limits(cells=50))


def test_a_huge_cell_is_refused():
    rows = '<row r="2"><c r="A2" t="inlineStr"><is><t>' + "x" * 300_000 + "</t></is></c></row>"
    with pytest.raises(WorkbookRefused, match="dài quá 128 kB"):
        workbook_check(_book(SHEET.format(rows=rows)), name="a.xlsx")


def test_a_member_declaring_more_than_the_limit_is_refused_before_it_is_inflated():
    rows = '<row r="2"><c r="B2"><v>7</v></c></row>' * 40_000  # 1.6 MB, a few kB packed
    with pytest.raises(WorkbookRefused, match="vượt quá 1 MB"):
        workbook_check(
            _book(SHEET.format(rows=rows)), name="a.xlsx", limits=Limits(member_bytes=1 << 20)
        )


@pytest.mark.parametrize("cut", [30, 200, -10])
def test_a_damaged_or_truncated_archive_is_refused_without_library_text(cut):
    data = _book(SHEET.format(rows='<row r="2"><c r="B2"><v>7</v></c></row>' * 50)).getvalue()
    damaged = data[:cut]
    with pytest.raises(WorkbookRefused) as refused:
        workbook_check(io.BytesIO(damaged), name="hong.xlsx")
    assert "hong.xlsx" in str(refused.value)
    assert "Error" not in str(refused.value) and "zip" not in str(refused.value).lower()


def test_a_member_whose_bytes_were_flipped_fails_its_checksum():
    data = bytearray(
        _book(SHEET.format(rows='<row r="2"><c r="B2"><v>7</v></c></row>' * 50)).getvalue()
    )
    start = data.find(b"xl/worksheets/sheet1.xml") + len("xl/worksheets/sheet1.xml") + 40
    data[start] ^= 0xFF
    with pytest.raises(WorkbookRefused, match="bị hỏng"):
        workbook_check(io.BytesIO(bytes(data)), name="a.xlsx")
