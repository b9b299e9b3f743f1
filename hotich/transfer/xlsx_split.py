"""A large sheet cut in two workbooks, so that two processes can read half of it each.

The reader (calamine) parses a whole sheet before giving back its first row, on one core. For a
large file the import writes two smaller workbooks: the first with the header and the rows of
the first part of the sheet's XML, the second with the rows of the rest only (their row
numbers, the `r` attribute, are kept, so every row keeps its line in Excel). Each is read by its
own process (`transfer.parallel`). Both parts meet at the same place: the first `<row` element
at or after a given fraction of the sheet's uncompressed XML.

Nothing is parsed here: the XML is copied as bytes, a megabyte at a time. Whatever does not
look like a plain worksheet (no `<sheetData>`, rows written with a namespace prefix, rows without
their number) gives `None`, and the caller reads the whole file as usual.
"""

from __future__ import annotations

import html
import re
import zipfile
from pathlib import Path

from hotich.transfer.xlsx_read import SHEET

CHUNK = 1 << 20
_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)>")
_REL_TAG = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)>")
_ATTR = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')
_ROW = re.compile(rb"<row[\s>]")
_ROW_NUMBER = re.compile(rb'^<row\b[^>]*\sr="\d+"')
_SHEET_DATA = re.compile(rb"<sheetData\s*>")


def _attrs(raw: bytes) -> dict[str, str]:
    return {
        key.decode().split(":")[-1] if key.startswith(b"r:") else key.decode(): html.unescape(
            value.decode("utf-8", "replace")
        )
        for key, value in _ATTR.findall(raw)
    }


def data_sheet_member(book: zipfile.ZipFile) -> str | None:
    """The zip member of the sheet the import reads ("DL Import", else the first one)."""
    try:
        workbook = book.read("xl/workbook.xml")
        rels = book.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return None
    sheets = [_attrs(m) for m in _SHEET_TAG.findall(workbook)]
    if not sheets:
        return None
    chosen = next(
        (s for s in sheets if s.get("name", "").strip().casefold() == SHEET.casefold()), sheets[0]
    )
    targets = {a.get("Id"): a.get("Target", "") for a in map(_attrs, _REL_TAG.findall(rels))}
    target = targets.get(chosen.get("id"))
    if not target:
        return None
    member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return member if member in book.namelist() else None


def _boundary(window: bytes, start: int) -> int | None:
    """The position of the first row element at or after `start` in `window`, if any."""
    found = _ROW.search(window, start)
    return found.start() if found else None


def write_part(source: Path, part: int, out: Path, *, cut_at: float = 0.5) -> bool:
    """Write part `part` (0: the header and the rows before the cut, 1: the rows after it) of
    the data sheet of `source` as a workbook at `out`; the cut is the first row at or after
    `cut_at` of the sheet's XML (both parts must be written with the same `cut_at`).

    False (and nothing usable at `out`) when the sheet cannot be cut safely.
    """
    with zipfile.ZipFile(source) as book:
        member = data_sheet_member(book)
        if member is None:
            return False
        size = book.getinfo(member).file_size
        middle = int(size * cut_at)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED, allowZip64=True) as target:
            for info in book.infolist():
                if info.filename != member and not info.is_dir():
                    target.writestr(info.filename, book.read(info.filename))
            with book.open(member) as xml, target.open(member, "w", force_zip64=True) as dst:
                return _copy_half(xml, dst, part, middle)


def _copy_half(xml: object, dst: object, part: int, middle: int) -> bool:
    read = xml.read  # type: ignore[attr-defined]
    write = dst.write  # type: ignore[attr-defined]
    position = 0  # of `window`'s first byte in the XML
    window = b""
    prefix_done = False
    while True:
        chunk = read(CHUNK)
        if not chunk and not window:
            return False
        window += chunk
        if not prefix_done:
            tag = _SHEET_DATA.search(window)
            if tag is None:
                if not chunk or len(window) > 8 * CHUNK:
                    return False
                continue
            prefix_done = True
            if part == 1:  # the worksheet's opening (namespaces, columns), without any row
                write(window[: tag.end()])
        if position + len(window) < middle + 1024 and chunk:
            # Not at the middle yet: the first half copies, the second skips. Keep a tail so
            # that a row tag cut between two chunks is still found.
            keep = 64
            if part == 0:
                write(window[:-keep])
            position += len(window) - keep
            window = window[-keep:]
            continue
        cut = _boundary(window, max(0, middle - position))
        while (cut is None or cut + 512 > len(window)) and (chunk := read(CHUNK)):
            window += chunk
            cut = _boundary(window, max(0, middle - position))
        if cut is None:
            return False  # no row after the middle: a small or unusual sheet
        closing = window.find(b"</sheetData>", 0, cut)
        if closing != -1 or not _ROW_NUMBER.match(window[cut : cut + 512]):
            return False  # past the rows, or rows without their numbers
        if part == 0:
            write(window[:cut])
            write(b"</sheetData></worksheet>")
            return True
        write(window[cut:])
        while chunk := read(CHUNK):
            write(chunk)
        return True
