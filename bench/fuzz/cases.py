"""What file number `index` of a campaign with seed `seed` is: its format, mutation and bytes.

The format is `FORMATS[index % len(FORMATS)]` and the mutation cycles through that format's
kinds, so the first `len(FORMATS) * kinds` files cover every (format, kind) pair once (`cover`);
the mutation's own choices come from `random.Random(f"{seed}:{index}")`. A case is therefore
reproduced from (seed, index) alone, whatever other options the campaign had.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from typing import NamedTuple

from . import mutate_common as common
from . import mutate_images as images
from . import mutate_pdf as pdf
from . import mutate_xlsx as xlsx
from . import mutate_zip as zips
from . import seeds
from .mutate_common import Mutation

# ---- CSV -------------------------------------------------------------------------------------


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _csv(rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding, "replace")


def csv_field_huge(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """A field of 200,000 characters (the csv module's limit is 131,072)."""
    rows = _csv_rows(data)
    rows[rng.randrange(1, len(rows))][rng.randrange(13)] = "A" * 200_000
    return _csv(rows), "a 200,000-character field"


def csv_encoding(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """Not UTF-8: UTF-16, Windows-1258, Latin-1, or bytes that decode as nothing."""
    how = rng.choice(["utf-16", "cp1258", "latin-1", "invalid bytes"])
    if how == "invalid bytes":
        pos = rng.randrange(3, len(data))
        return data[:pos] + b"\xc3\x28\xff" + data[pos:], how
    return _csv(_csv_rows(data), how), how


def csv_nul(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """NUL and other control characters inside fields and between lines."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        out.insert(rng.randrange(3, len(out)), rng.choice([0, 0, 1, 0x1B, 0x0B, 0x0C]))
    return bytes(out), "control characters"


def csv_quotes(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """An opening quote never closed (the rest of the file is one field), or quotes inside."""
    text = data.decode("utf-8-sig")
    pos = text.index("\n") + 1
    if rng.random() < 0.5:
        return ('"' + text[:pos] + '"' + text[pos:]).encode(), "quote never closed"
    return (text[:pos] + '"KS""' + text[pos:] + ("x" * 150_000)).encode(), "quote then 150 kB"


def csv_rows_many(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """20,001 rows (one past the limit) or 1,000,000 rows."""
    rows = _csv_rows(data)
    count = rng.choice([20_001, 1_000_000])
    return _csv([rows[0]] + [rows[1]] * count), f"{count:,} rows"


def csv_wide(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """A header or a row of 100,000 columns."""
    rows = _csv_rows(data)
    where = rng.choice([0, 1])
    rows[where] = rows[where] + ["x"] * 100_000
    return _csv(rows), f"{'header' if where == 0 else 'row'} of 100,013 columns"


_REGISTER_VALUES = ["99999999999999999999", "-5", "1e5", "2010.5", "0", "", "٢٠١٠", "nan",
                    "2010\n", " 2010 ", "inf", "9" * 400, "xã\u0000", "KS;KH"]  # fmt: skip


def csv_values(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """Fields given odd values: years of 20 digits, negative counts, Arabic-Indic digits, NUL."""
    rows = _csv_rows(data)
    notes = []
    for _ in range(rng.randint(1, 6)):
        row, col = rng.randrange(1, len(rows)), rng.randrange(13)
        rows[row][col] = rng.choice(_REGISTER_VALUES)
        notes.append(f"r{row + 1}c{col + 1}={rows[row][col][:10]!r}")
    return _csv(rows), "; ".join(notes)


# ---- the table -------------------------------------------------------------------------------


class Kind(NamedTuple):
    name: str
    mutate: Mutation
    seeds: tuple[str, ...] = ()  # the seeds this kind needs (default: the format's)


class Format(NamedTuple):
    name: str
    target: str  # a key of `targets.TARGETS`
    filename: str  # the name the file is uploaded under
    seeds: tuple[str, ...]
    kinds: tuple[Kind, ...]


def _kinds(*pairs: tuple[str, Mutation], **needs: tuple[str, ...]) -> tuple[Kind, ...]:
    return tuple(Kind(name, fn, needs.get(name, ())) for name, fn in pairs)


_BASIC = [("valid", common.valid), ("truncate", common.truncate), ("flip", common.flip)]
_XLSX_ALL = [
    ("xml_corrupt", xlsx.xml_corrupt),
    ("dimension_huge", xlsx.dimension_huge),
    ("cell_far", xlsx.cell_far),
    ("sst_counts", xlsx.sst_counts),
    ("cell_types", xlsx.cell_types),
    ("cell_huge", xlsx.cell_huge),
    ("sheet_bomb", xlsx.sheet_bomb),
    ("values", xlsx.values),
    ("workbook_sheets", xlsx.workbook_sheets),
    ("not_a_zip_member", xlsx.not_a_zip_member),
]


def _scan_mutants() -> list[tuple[str, str, Mutation]]:
    return [
        (f.name, k.name, k.mutate)
        for f in FORMATS
        if f.target == "scan_intake" and f.name != "zip"
        for k in f.kinds
    ]


_EXTENSIONS = {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png", "tiff": ".tif"}


def zip_of_mutants(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """A zip of 2 to 5 scans, each mutated by another format's mutation (nesting of damage)."""
    from . import ziptools

    members, notes = [], []
    for n in range(rng.randint(2, 5)):
        fmt_name, kind_name, mutate = rng.choice(_scan_mutants())
        fmt = FORMAT_BY_NAME[fmt_name]
        source = seeds.seed(rng.choice(fmt.seeds))
        mutated, _note = mutate(rng, source)
        members.append((f"{n + 1}{_EXTENSIONS[fmt_name]}", mutated))
        notes.append(f"{fmt_name}/{kind_name}")
    return ziptools.rezip(members), ", ".join(notes)


FORMATS: tuple[Format, ...] = (
    Format(
        "xlsx",
        "excel_import",
        "KS.2010.01.xlsx",
        ("xlsx_ministry", "xlsx_ministry_older", "xlsx_excel"),
        _kinds(*_BASIC, *common.CONTAINER, *_XLSX_ALL, sst_counts=("xlsx_excel",)),
    ),
    Format(
        "package",
        "package_import",
        "KS.2010.01.xlsx",
        ("xlsx_ministry",),
        _kinds(
            ("valid", common.valid),
            ("truncate", common.truncate),
            ("member_flip", common.member_flip),
            ("xml_corrupt", xlsx.xml_corrupt),
            ("cell_types", xlsx.cell_types),
            ("cell_huge", xlsx.cell_huge),
            ("values", xlsx.values),
            ("sheet_bomb", xlsx.sheet_bomb),
            ("dimension_huge", xlsx.dimension_huge),
            ("cell_far", xlsx.cell_far),
        ),
    ),
    Format(
        "registers",
        "registers_read",
        "danh-sach-so.xlsx",
        ("registers_xlsx",),
        _kinds(
            *_BASIC,
            ("member_flip", common.member_flip),
            ("member_lying_size", common.member_lying_size),
            ("xml_corrupt", xlsx.xml_corrupt),
            ("dimension_huge", xlsx.dimension_huge),
            ("cell_far", xlsx.cell_far),
            ("sst_counts", xlsx.sst_counts),
            ("cell_types", xlsx.cell_types),
            ("values", xlsx.values),
            ("workbook_sheets", xlsx.workbook_sheets),
        ),
    ),
    Format(
        "csv",
        "registers_read",
        "danh-sach-so.csv",
        ("registers_csv",),
        _kinds(
            *_BASIC,
            ("csv_field_huge", csv_field_huge),
            ("csv_encoding", csv_encoding),
            ("csv_nul", csv_nul),
            ("csv_quotes", csv_quotes),
            ("csv_rows_many", csv_rows_many),
            ("csv_wide", csv_wide),
            ("csv_values", csv_values),
        ),
    ),
    Format(
        "pdf",
        "scan_intake",
        "KS.2017.01.2017-02-03.05.pdf",
        ("pdf_book", "pdf_vector", "pdf_fpdf"),
        _kinds(*_BASIC, *pdf.PDF),
    ),
    Format(
        "jpeg",
        "scan_intake",
        "trang-01.jpg",
        ("jpeg_rgb", "jpeg_grey", "jpeg_photo", "jpeg_cmyk"),
        _kinds(*_BASIC, *images.JPEG),
    ),
    Format(
        "png",
        "scan_intake",
        "trang-02.png",
        ("png_rgb", "png_rgba", "png_palette", "png_bilevel", "png_grey16"),
        _kinds(*_BASIC, *images.PNG),
    ),
    Format(
        "tiff",
        "scan_intake",
        "quyen-01.tif",
        ("tiff_pages", "tiff_g4", "tiff_jpeg"),
        _kinds(*_BASIC, *images.TIFF),
    ),
    Format(
        "zip",
        "scan_intake",
        "ban-scan.zip",
        ("zip_scans", "zip_nested"),
        _kinds(
            *_BASIC,
            *common.CONTAINER,
            *zips.ZIP,
            ("zip_of_mutants", zip_of_mutants),
        ),
    ),
)
FORMAT_BY_NAME = {f.name: f for f in FORMATS}


@dataclass
class Case:
    seed: int
    index: int
    format: str
    kind: str
    seed_file: str
    filename: str
    target: str
    note: str = ""
    data: bytes = b""

    @property
    def label(self) -> str:
        return f"{self.format}/{self.kind}"


def describe(seed: int, index: int) -> Case:
    """The case without its bytes (cheap)."""
    fmt = FORMATS[index % len(FORMATS)]
    kind = fmt.kinds[(index // len(FORMATS)) % len(fmt.kinds)]
    rng = random.Random(f"{seed}:{index}")
    seed_file = rng.choice(kind.seeds or fmt.seeds)
    return Case(seed, index, fmt.name, kind.name, seed_file, fmt.filename, fmt.target)


def make(seed: int, index: int) -> Case:
    """The case with its bytes."""
    case = describe(seed, index)
    fmt = FORMAT_BY_NAME[case.format]
    kind = next(k for k in fmt.kinds if k.name == case.kind)
    rng = random.Random(f"{seed}:{index}")
    rng.choice(kind.seeds or fmt.seeds)  # the same draw `describe` made
    case.data, case.note = kind.mutate(rng, seeds.seed(case.seed_file))
    return case


def cover_indexes() -> list[int]:
    """The first index of every (format, kind) pair."""
    width = len(FORMATS)
    return [
        position * width + number
        for number, fmt in enumerate(FORMATS)
        for position in range(len(fmt.kinds))
    ]
