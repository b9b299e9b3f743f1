"""PDF files: page count, a single-page PDF per page, and each page's image.

A scanned book page is almost always one JPEG filling the page. Such a page's image is taken
straight out of the file (pikepdf) instead of being rendered; every other page (text, drawings,
several images, masks, other filters or colour spaces, a cropped or turned placement,
annotations) is rendered with pdfium. pikepdf objects are only touched on the calling thread;
pdfium, which is not thread-safe, only under `_PDFIUM`.

Before a page is cut out or rendered, what it draws from is costed (`pdfcost`): a page that would
take too much memory or time is refused with its number, and pages are made ahead of the caller
only as far as their weight allows.

pikepdf objects come from the file as they are: wherever a dictionary, array, number or stream is
expected, something else may be there (an /Annots that is a number, a /Resources that is an
array), so every walk checks the type before using it and cycles are cut by object number.
"""

from __future__ import annotations

import hashlib
import io
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
from django.utils.translation import gettext_lazy as _
from pikepdf import Name
from PIL import Image

from .base import (
    IMAGE_MEMORY,
    MAX_PAGES,
    PDF_CORRUPT,
    PDF_EMPTY,
    VIEW_MAX,
    PageOutput,
    ScanError,
    decoding,
    reading,
)
from .imaging import Rendition, jpeg_rendition, rendition
from .ordered import ordered_map
from .pdfcost import PdfBudget

_PDFIUM = threading.Lock()
_SIMPLE_CONTENT = 4096  # bytes; a placed scan is "q w 0 0 h x y cm /Im0 Do Q"
_EDGE = 0.015  # how far the image's edges may be from the page's, as a share of its size
_MODES = {"/DeviceRGB": "RGB", "/CalRGB": "RGB", "/DeviceGray": "L", "/CalGray": "L"}
Matrix = tuple[float, float, float, float, float, float]


@contextmanager
def open_pdf(path: Path) -> Iterator[pikepdf.Pdf]:
    """The opened PDF, known to have pages that can be read."""
    with reading(PDF_CORRUPT):
        pdf = pikepdf.open(path)
    try:
        with reading(PDF_CORRUPT):
            if pdf.get_warnings():
                _verify_damaged(pdf)
            count = len(pdf.pages)
        if count == 0:
            raise ScanError("empty", PDF_EMPTY)
        if count > MAX_PAGES:
            raise ScanError(
                "too_large",
                _("Tệp PDF có %(n)s trang, quá %(max)s trang: hãy chia nhỏ.")
                % {"n": count, "max": MAX_PAGES},
            )
        yield pdf
    finally:
        pdf.close()


def _verify_damaged(pdf: pikepdf.Pdf) -> None:
    """qpdf rebuilt a damaged file (typically cut short). Accept it only if every page's
    content and images are really there: otherwise pages would come out blank. Within the
    limits of `pdfcost`, which are checked first: a damaged file is read here in full."""
    budget = PdfBudget()
    for number, page in enumerate(pdf.pages, start=1):
        budget.check(page.obj, number)
        contents = page.obj.get("/Contents")
        items = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
        streams = [s for s in items if isinstance(s, pikepdf.Stream)]
        if not streams or len(streams) != len(items):
            raise pikepdf.PdfError("page without content")
        text = b"\n".join(s.read_bytes() for s in streams)
        resources = page.obj.get("/Resources")
        xobjects = resources.get("/XObject") if isinstance(resources, pikepdf.Dictionary) else None
        # The names the content draws ("/Im0 Do"), without parsing it into objects.
        for name in set(_DRAWN.findall(text)):
            xobject = xobjects.get("/" + name.decode("latin-1")) if xobjects is not None else None
            if not isinstance(xobject, pikepdf.Stream):
                raise pikepdf.PdfError("missing image")
            xobject.read_raw_bytes()
    if pdf.get_warnings():
        raise pikepdf.PdfError("unrecoverable stream data")


_DRAWN = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s+Do\b")


def pdf_page_count(path: Path) -> int:
    with open_pdf(path) as pdf:
        return len(pdf.pages)


def iter_pdf_pages(path: Path, workers: int) -> Iterator[PageOutput]:
    with reading(PDF_CORRUPT), open_pdf(path) as pdf:
        renderer = _Renderer(path)
        budget = PdfBudget()
        try:
            jobs = (_plan(pdf.pages[i], i, renderer, budget) for i in range(len(pdf.pages)))
            yield from ordered_map(
                _finish,
                jobs,
                workers if len(pdf.pages) > 1 else 1,
                weight=_weight,
                budget=IMAGE_MEMORY,
            )
        finally:
            renderer.close()


@dataclass
class _Job:
    index: int
    pdf: bytes
    renderer: _Renderer
    jpeg: bytes | None = None
    rotate: int = 0
    expect: tuple[str, tuple[int, int]] | None = None
    images: float = 0.0  # what decoding its images takes


def _weight(job: _Job) -> float:
    """Memory a page holds while it waits and is worked on."""
    return len(job.pdf) + len(job.jpeg or b"") + job.images


def _plan(
    page: pikepdf.Page, index: int, renderer: _Renderer, budget: PdfBudget | None = None
) -> _Job:
    """The pikepdf part of a page, on the calling thread: its cost checked, its own PDF, and
    its JPEG if the page is nothing but that JPEG."""
    cost = (budget or PdfBudget()).check(page.obj, index + 1)
    job = _Job(index, single_page_pdf(page), renderer, images=cost.images)
    try:
        found = sole_jpeg(page)
    except (TypeError, ValueError, AttributeError, KeyError, pikepdf.PdfError):
        found = None  # malformed page structure: pdfium is the more forgiving reader
    if found is not None:
        job.jpeg, job.rotate, job.expect = found
    return job


def _finish(job: _Job) -> PageOutput:
    """The pixel part of a page, on a worker thread."""
    made: Rendition | None = None
    if job.jpeg is not None:
        with decoding(PDF_CORRUPT):  # the JPEG inside may be as damaged as any JPEG file
            made = jpeg_rendition(job.jpeg, rotate=job.rotate, expect=job.expect)
    if made is None:
        made = rendition(job.renderer.render(job.index))
    digest = hashlib.sha256(made.image).hexdigest()
    return PageOutput(job.index, job.pdf, made.image, made.size, made.thumb, digest)


def single_page_pdf(page: pikepdf.Page) -> bytes:
    out = pikepdf.Pdf.new()
    out.pages.append(page)
    copy = out.pages[0]
    annots = copy.obj.get("/Annots")
    if annots is not None:
        # Links point at other pages of the book, which this file does not have. Anything that
        # is not an annotation dictionary is damage and goes too.
        items = list(annots) if isinstance(annots, pikepdf.Array) else [annots]
        kept = [
            a for a in items if isinstance(a, pikepdf.Dictionary) and a.get("/Subtype") != Name.Link
        ]
        if kept:
            copy.obj.Annots = pikepdf.Array(kept)
        else:
            del copy.obj["/Annots"]
    # Pages of some books share one resource dictionary listing every image of the book.
    if isinstance(copy.obj.get("/Resources"), pikepdf.Dictionary):
        copy.remove_unreferenced_resources()
    buf = io.BytesIO()
    out.save(buf, deterministic_id=True)
    return buf.getvalue()


def sole_jpeg(page: pikepdf.Page) -> tuple[bytes, int, tuple[str, tuple[int, int]]] | None:
    """(JPEG data, page rotation, expected (mode, size)) when the page shows exactly one
    upright JPEG covering its visible area and nothing else; None when it must be rendered."""
    obj = page.obj
    rotate = int(obj.get("/Rotate", 0)) % 360
    if rotate % 90 or obj.get("/Annots"):
        return None
    contents = obj.get("/Contents")
    if contents is None:
        return None
    streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    if sum(len(s.read_raw_bytes()) for s in streams) > _SIMPLE_CONTENT:
        return None
    placed = _placed_image(page)
    if placed is None:
        return None
    name, ctm = placed
    resources = obj.get("/Resources")
    xobjects = resources.get("/XObject") if resources is not None else None
    image = xobjects.get(name) if xobjects is not None else None
    mode = _jpeg_mode(image)
    if image is None or mode is None or not _covers(ctm, page.cropbox):
        return None
    return image.read_raw_bytes(), rotate, (mode, (int(image.Width), int(image.Height)))


def _placed_image(page: pikepdf.Page) -> tuple[str, Matrix] | None:
    """The one image the content draws and its transformation, if it draws nothing else."""
    ctm: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    stack: list[Matrix] = []
    drawn: list[tuple[str, Matrix]] = []
    for instruction in pikepdf.parse_content_stream(page):
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            return None
        op = str(instruction.operator)
        if op == "q":
            stack.append(ctm)
        elif op == "Q":
            ctm = stack.pop() if stack else ctm
        elif op == "cm" and len(instruction.operands) == 6:
            m = tuple(float(v) for v in instruction.operands)
            ctm = _multiply(m, ctm)  # type: ignore[arg-type]
        elif op == "Do" and instruction.operands:
            drawn.append((str(instruction.operands[0]), ctm))
        else:
            return None
    return drawn[0] if len(drawn) == 1 else None


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    na, nb, nc, nd, ne, nf = n
    return (
        a * na + b * nc,
        a * nb + b * nd,
        c * na + d * nc,
        c * nb + d * nd,
        e * na + f * nc + ne,
        e * nb + f * nd + nf,
    )


def _covers(ctm: Matrix, box: pikepdf.Array) -> bool:
    """The image is upright, not mirrored, and its edges are the visible box's edges."""
    a, b, c, d, e, f = ctm
    if a <= 0 or d <= 0 or abs(b) > 1e-6 * a or abs(c) > 1e-6 * d:
        return False
    x0, y0, x1, y1 = (float(v) for v in box)
    x0, x1 = sorted((x0, x1))
    y0, y1 = sorted((y0, y1))
    w, h = x1 - x0, y1 - y0
    return (
        abs(e - x0) <= _EDGE * w
        and abs(e + a - x1) <= _EDGE * w
        and abs(f - y0) <= _EDGE * h
        and abs(f + d - y1) <= _EDGE * h
    )


def _jpeg_mode(image: pikepdf.Object | None) -> str | None:
    """The Pillow mode ("RGB" or "L") of a plain 8-bit JPEG image XObject, else None."""
    if image is None or not isinstance(image, pikepdf.Stream):
        return None
    if image.get("/Subtype") != Name.Image or image.get("/BitsPerComponent", 8) != 8:
        return None
    if any(k in image for k in ("/SMask", "/Mask", "/Decode", "/ImageMask", "/DecodeParms")):
        return None
    filters = image.get("/Filter")
    if isinstance(filters, pikepdf.Array):
        filters = filters[0] if len(filters) == 1 else None
    if filters != Name.DCTDecode:
        return None
    space = image.get("/ColorSpace")
    if isinstance(space, pikepdf.Array) and len(space) == 2 and space[0] == Name.ICCBased:
        return {1: "L", 3: "RGB"}.get(int(space[1].get("/N", 0)))
    return _MODES.get(str(space)) if isinstance(space, pikepdf.Name) else None


class _Renderer:
    """pdfium, opened on first need, used by one thread at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.doc: pdfium.PdfDocument | None = None

    def render(self, index: int) -> Image.Image:
        with _PDFIUM:
            if self.doc is None:
                self.doc = pdfium.PdfDocument(self.path)
            page = self.doc[index]
            try:
                width, height = page.get_size()  # points, page rotation applied
                bitmap = page.render(scale=VIEW_MAX / max(width, height, 1.0))
                try:
                    im = bitmap.to_pil()
                    # Only some pixel formats share the bitmap's memory; copy those out.
                    return im.copy() if im.mode in ("RGBA", "RGBX", "L") else im
                finally:
                    bitmap.close()
            finally:
                page.close()

    def close(self) -> None:
        with _PDFIUM:
            if self.doc is not None:
                self.doc.close()
                self.doc = None
