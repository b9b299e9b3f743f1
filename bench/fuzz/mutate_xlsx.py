"""Mutations of workbooks: broken XML parts, absurd dimensions and counts, odd cells, bombs.

Every mutation re-zips the workbook honestly (unless it is about the zip itself), so the damage
is where a reader of the XML meets it, not in the archive.
"""

from __future__ import annotations

import random
import re
import zipfile

from . import ziptools

SHEET = "xl/worksheets/sheet1.xml"
PARTS = (
    SHEET,
    "xl/sharedStrings.xml",
    "xl/workbook.xml",
    "[Content_Types].xml",
    "xl/_rels/workbook.xml.rels",
    "xl/styles.xml",
)
_CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"([^>]*?)(/>|>(.*?)</c>)', re.S)
_DATA_ROW = re.compile(rb'<row r="([2-9]|\d\d+)"')


def _open(data: bytes) -> list[tuple[str, bytes]]:
    return [(info.filename, d) for info, d in ziptools.members(data)]


def _replace(items: list[tuple[str, bytes]], name: str, content: bytes) -> bytes:
    return ziptools.rezip([(n, content if n == name else d) for n, d in items])


def _part(items: list[tuple[str, bytes]], name: str) -> bytes:
    return dict(items)[name]


def xml_corrupt(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """One XML part (a sheet, sharedStrings, workbook.xml, [Content_Types].xml, ...) broken."""
    items = _open(data)
    names = [p for p in PARTS if p in dict(items)]
    name = rng.choice(names)
    xml = _part(items, name)
    how = rng.choice(
        [
            "cut",
            "unclosed",
            "garbage",
            "nul",
            "encoding",
            "rename",
            "entities",
            "xxe",
            "empty",
            "deep",
            "attribute",
        ]
    )
    if how == "cut":
        xml = xml[: rng.randrange(1, len(xml))]
    elif how == "unclosed":
        closings = [m.start() for m in re.finditer(rb"</[^>]+>", xml)]
        pos = rng.choice(closings)
        xml = xml[:pos] + re.sub(rb"^</[^>]+>", b"", xml[pos:])
    elif how in ("garbage", "nul"):
        pos = rng.randrange(len(xml))
        junk = b"\x00" * rng.randint(1, 8) if how == "nul" else rng.randbytes(rng.randint(1, 40))
        xml = xml[:pos] + junk + xml[pos:]
    elif how == "encoding":
        declared = rng.choice([b"UTF-16", b"windows-1258", b"x-bogus", b"ISO-8859-1"])
        xml = re.sub(rb'encoding="[^"]*"', b'encoding="' + declared + b'"', xml, count=1)
    elif how == "rename":
        tags = [m.start() for m in re.finditer(rb"<[a-zA-Z]", xml)]
        pos = rng.choice(tags) + 1
        xml = xml[:pos] + b"zz" + xml[pos:]
    elif how in ("entities", "xxe"):
        if how == "entities":
            dtd = b'<!DOCTYPE x [<!ENTITY a0 "lollollollollollollollollollol">'
            for level in range(1, 10):
                refs = (b"&a%d;" % (level - 1)) * 10
                dtd += b'<!ENTITY a%d "%s">' % (level, refs)
            dtd += b"]>"
            ref = b"&a9;"
        else:
            dtd = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            ref = b"&e;"
        end = xml.find(b"?>") + 2 if xml.startswith(b"<?xml") else 0
        xml = xml[:end] + dtd + xml[end:]
        texts = [m.end() for m in re.finditer(rb"<(?:t|v)(?: [^>]*)?>", xml)]
        if texts:
            pos = rng.choice(texts)
            xml = xml[:pos] + ref + xml[pos:]
    elif how == "empty":
        xml = b""
    elif how == "deep":
        depth = rng.choice([1000, 100_000])
        pos = xml.rfind(b"</")
        xml = xml[:pos] + b"<x>" * depth + b"</x>" * depth + xml[pos:]
    else:
        attrs = list(re.finditer(rb'(\w+)="([^"]*)"', xml))
        m = rng.choice(attrs)
        value = rng.choice([b"", b"-1", b"A0", b"ZZZZ99999999999", b"\xc3", b"1e999"])
        xml = xml[: m.start(2)] + value + xml[m.end(2) :]
    return _replace(items, name, xml), f"{name}: {how}"


def dimension_huge(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """The sheet declares absurd dimensions (Excel's whole grid, inverted, garbage)."""
    items = _open(data)
    ref = rng.choice([b"A1:XFD1048576", b"XFD1048576", b"A1:XFD1", b"A1048576:XFD1", b"A0:B0"])
    xml = _part(items, SHEET)
    tag = b'<dimension ref="' + ref + b'"/>'
    if b"<dimension" in xml:
        xml = re.sub(rb"<dimension[^>]*/>", tag, xml, count=1)
    else:
        xml = xml.replace(b"<sheetData", tag + b"<sheetData", 1)
    if rng.random() < 0.5:  # and columns to match
        xml = xml.replace(b"<sheetData", b'<cols><col min="1" max="16384" width="9"/></cols>'
                          b"<sheetData", 1) if b"<cols>" not in xml else xml  # fmt: skip
    return _replace(items, SHEET, xml), f"dimension ref={ref.decode()}"


def cell_far(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """A cell at the far corner of the grid (XFD1048576), or beyond it."""
    items = _open(data)
    ref = rng.choice(["XFD1048576", "A1048576", "XFD2", "XFE1048577", "A4294967295"])
    _column, row = re.match(r"([A-Z]+)(\d+)", ref).groups()  # type: ignore[union-attr]
    cell = f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row>'.encode()
    xml = _part(items, SHEET).replace(b"</sheetData>", cell + b"</sheetData>", 1)
    return _replace(items, SHEET, xml), f"cell at {ref}"


def sst_counts(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """The shared-strings table declares 4,294,967,295 strings, or cells point far past it."""
    items = _open(data)
    names = dict(items)
    how = rng.choice(["counts", "index", "both"])
    notes = []
    if how in ("counts", "both") and "xl/sharedStrings.xml" in names:
        count = rng.choice([b"4294967295", b"-1", b"99999999999999999999"])
        sst = re.sub(
            rb"<sst([^>]*)>",
            lambda m: (
                b"<sst"
                + re.sub(rb'\s(?:unique)?[cC]ount="[^"]*"', b"", m[1])
                + b' count="%s" uniqueCount="%s">' % (count, count)
            ),
            names["xl/sharedStrings.xml"],
            count=1,
        )
        items = [(n, sst if n == "xl/sharedStrings.xml" else d) for n, d in items]
        notes.append(f"count={count.decode()}")
    if how in ("index", "both") or "xl/sharedStrings.xml" not in names:
        index = rng.choice([b"4294967294", b"-1", b"100000000000000000000", b"1.5"])
        xml = dict(items)[SHEET]
        cells = list(_CELL.finditer(xml))[-20:]
        m = rng.choice(cells)
        new = b'<c r="%s%s" t="s"><v>%s</v></c>' % (m[1], m[2], index)
        xml = xml[: m.start()] + new + xml[m.end() :]
        items = [(n, xml if n == SHEET else d) for n, d in items]
        notes.append(f"cell {m[1].decode()}{m[2].decode()} -> string {index.decode()}")
    return ziptools.rezip(items), ", ".join(notes)


_ODD_CELLS = [
    b't="e"><v>#DIV/0!</v>',
    b't="b"><v>7</v>',
    b"><v>1e309</v>",
    b"><v>NaN</v>",
    b"><v>-0</v>",
    b"><v>123456789012345678901234567890</v>",
    b't="d"><v>99999-99-99T25:61:00</v>',
    b't="d"><v>2010-02-31</v>',
    b"><f>1/0</f><v></v>",
    b't="str"><f>A1&amp;A1</f><v>x</v>',
    b't="n"><v>abc</v>',
    b' s="99999"><v>40000</v>',
    't="inlineStr"><is><r><t>NGUYỄN </t></r><r><t>VĂN A</t></r></is>'.encode(),
]


def cell_types(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """Data cells of unexpected types: errors, booleans, overflowing numbers, bad ISO dates,
    formulas, a style index that does not exist."""
    items = _open(data)
    xml = _part(items, SHEET)
    cells = [m for m in _CELL.finditer(xml) if int(m[2]) > 1]
    chosen = sorted(rng.sample(cells, min(len(cells), rng.randint(1, 6))), key=lambda m: m.start())
    out, last, notes = [], 0, []
    for m in chosen:
        odd = rng.choice(_ODD_CELLS)
        out += [xml[last : m.start()], b'<c r="%s%s" ' % (m[1], m[2]), odd, b"</c>"]
        last = m.end()
        notes.append(f"{m[1].decode()}{m[2].decode()}")
    out.append(xml[last:])
    return _replace(items, SHEET, b"".join(out)), f"odd cells at {', '.join(notes)}"


def cell_huge(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """One data cell holding a very long text (33 kB, past Excel's 32,767 characters, to 64 MB)."""
    items = _open(data)
    xml = _part(items, SHEET)
    cells = [m for m in _CELL.finditer(xml) if int(m[2]) > 1]
    m = rng.choice(cells)
    size = rng.choice([32_768, 1 << 20, 64 << 20])
    text = ("NGUYỄN VĂN " * (size // 11 + 1))[:size].encode()
    new = b'<c r="%s%s" t="inlineStr"><is><t>%s</t></is></c>' % (m[1], m[2], text)
    xml = xml[: m.start()] + new + xml[m.end() :]
    return _replace(items, SHEET, xml), f"{size:,} characters in {m[1].decode()}{m[2].decode()}"


def sheet_bomb(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """The sheet inflates to hundreds of MB to GB: a data row repeated millions of times, or one
    row of millions of cells; it may declare its true size (a large sheet, read by two processes
    from 40 MB) or a small one."""
    items = _open(data)
    xml = _part(items, SHEET)
    start = xml.index(b"<sheetData>") + len(b"<sheetData>")
    first = _DATA_ROW.search(xml)
    head = xml[: first.start()] if first else xml[:start]
    how = rng.choice(["rows", "cells"])
    size = rng.choice([64, 400, 1500]) << 20
    if how == "rows" and first is not None:
        end = xml.index(b"</row>", first.start()) + len(b"</row>")
        row = re.sub(rb' r="[A-Z]*\d+"', b"", xml[first.start() : end])  # rows without numbers
        chunk = row * max(1, 65536 // len(row))
        prefix = head
    else:
        chunk = b'<c t="inlineStr"><is><t>9</t></is></c>' * 1500
        prefix = head + b"<row>"
        how = "cells"
    honest = rng.random() < 0.5
    suffix = (b"</row>" if how == "cells" else b"") + b"</sheetData></worksheet>"
    probe = ziptools.big_entry(SHEET, size, prefix=prefix, chunk=chunk, suffix=suffix)
    if not honest:
        probe.size = len(xml)
    entries = [probe if n == SHEET else ziptools.entry(n, d) for n, d in items]
    note = f"sheet of {size >> 20} MB ({how} repeated), declared {probe.size:,} bytes"
    return ziptools.build(entries), note


FUZZ_VALUES = [
    "",
    " ",
    "\u00a0",
    "_x0000_",
    "_x001F_ABC",
    "&#0;",
    "\u202eTRẦN\u202c",
    "NGUYE\u0302\u0303N VA\u0306N A",  # NFD
    "Nguy\xeen V\xe3n A".encode().decode("latin-1"),  # mojibake
    "NGUY£N V¡N A",  # TCVN3-looking
    "31.02.2010",
    "00.00.0000",
    "29.02.1900",
    "01.01.0001",
    "99.99.9999",
    "1e400",
    "-1",
    "999999999999999999999999999999",
    "0" * 300,
    "=1+1",
    "9" * 5000,
    "\ufeff01",
    "\U0001f600",
    "1\n2\r\n3",
    "x" * 40_000,
]


def values(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """Data cells given odd values: dates that are no dates, huge numbers, control characters
    (as Excel escapes them), right-to-left marks, decomposed or mis-decoded Vietnamese."""
    from xml.sax.saxutils import escape

    items = _open(data)
    xml = _part(items, SHEET)
    cells = [m for m in _CELL.finditer(xml) if int(m[2]) > 1]
    chosen = sorted(rng.sample(cells, min(len(cells), rng.randint(2, 12))), key=lambda m: m.start())
    out, last, notes = [], 0, []
    for m in chosen:
        value = rng.choice(FUZZ_VALUES)
        text = escape(value).encode("utf-8", "surrogatepass")
        out += [
            xml[last : m.start()],
            b'<c r="%s%s" t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>'
            % (m[1], m[2], text),
        ]
        last = m.end()
        notes.append(f"{m[1].decode()}{m[2].decode()}={value[:12]!r}")
    out.append(xml[last:])
    return _replace(items, SHEET, b"".join(out)), "; ".join(notes)


def workbook_sheets(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """workbook.xml lists no sheet, the same name twice, a sheet whose part is missing, or a
    sheet name that is only spaces."""
    items = _open(data)
    book = _part(items, "xl/workbook.xml")
    how = rng.choice(["none", "twice", "missing part", "blank name", "rels gone"])
    if how == "none":
        book = re.sub(rb"<sheet [^>]*/>", b"", book)
    elif how == "twice":
        book = re.sub(rb'(<sheet [^>]*name=")[^"]*(")', rb"\1DL Import\2", book)
    elif how == "blank name":
        book = re.sub(rb'(<sheet [^>]*name=")[^"]*(")', rb"\1   \2", book, count=1)
    if how == "missing part":
        items = [(n, d) for n, d in items if n != SHEET]
    elif how == "rels gone":
        items = [(n, d) for n, d in items if n != "xl/_rels/workbook.xml.rels"]
    else:
        items = [(n, book if n == "xl/workbook.xml" else d) for n, d in items]
    return ziptools.rezip(items), how


def not_a_zip_member(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """The sheet stored with a compression Excel never uses, or as another file type."""
    items = _open(data)
    if rng.random() < 0.5:
        return ziptools.rezip(items, zipfile.ZIP_BZIP2), "every member bzip2-compressed"
    return _replace(items, SHEET, b"%PDF-1.4\n" + _part(items, SHEET)), "sheet prefixed by %PDF"
