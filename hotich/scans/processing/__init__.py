"""Turning received scan files into pages: pure file work, no database.

The contract with `hotich.scans.services`, which runs these as ordered steps and records each:

1. `sha256_file(path)` - checksum, for the duplicate check.
2. `sniff(path, filename)` - "pdf", "zip", "jpeg", "png" or "tiff", from the content.
3. `expand_zip(path, dest)` for a zip - its files (those of zips inside it too), each then
   processed as a file of its own; limits on files and bytes hold over all levels together.
4. `page_count(path, kind)` - cheap; also where a damaged, locked, empty or too large file is
   refused: at most MAX_PAGES pages, and images whose decoding would pass IMAGE_MEMORY, from
   what the file declares, before anything is decoded.
5. `iter_pages(path, kind)` - one `PageOutput` per page, in page order: a single-page PDF, a
   viewer JPEG (long side <= VIEW_MAX) and a thumbnail (<= THUMB_MAX). Pages are made on
   `workers` threads a few pages ahead of the caller, so memory stays bounded for any length.

Every refusal is a `ScanError` (a `UserFacingError`) whose `code` says what kind ("empty",
"corrupt", "encrypted", "unsupported", "too_large", "unsafe") and whose `str()` is a Vietnamese
sentence for the user, without the file name, which the caller adds, and without the library's
own words. Anything else raised is a bug.

Libraries: pikepdf (MPL-2.0, on qpdf, Apache-2.0) reads PDFs and writes the page PDFs; pypdfium2
(Apache-2.0/BSD-3-Clause, on PDFium, BSD-3-Clause) renders pages that are not a single JPEG;
Pillow (MIT-CMU) does the pixels. All compatible with the project's GPL-3.0-or-later.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from .archive import expand_zip
from .base import MAX_PAGES, THUMB_MAX, VIEW_MAX, PageOutput, ScanError
from .detect import sha256_file, sniff
from .ordered import default_workers
from .pdf import iter_pdf_pages, pdf_page_count
from .photos import image_page_count, iter_image_pages

IMAGE_KINDS = ("jpeg", "png", "tiff")

__all__ = [
    "MAX_PAGES",
    "THUMB_MAX",
    "VIEW_MAX",
    "PageOutput",
    "ScanError",
    "expand_zip",
    "iter_pages",
    "page_count",
    "sha256_file",
    "sniff",
]


def page_count(path: Path, kind: str) -> int:
    if kind == "pdf":
        return pdf_page_count(path)
    if kind in IMAGE_KINDS:
        return image_page_count(path, kind)
    raise ScanError("unsupported")


def iter_pages(path: Path, kind: str, *, workers: int | None = None) -> Iterator[PageOutput]:
    workers = workers or default_workers()
    if kind == "pdf":
        return iter_pdf_pages(path, workers)
    if kind in IMAGE_KINDS:
        return iter_image_pages(path, kind, workers)
    raise ScanError("unsupported")
