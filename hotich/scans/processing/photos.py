"""Image files: a phone photo (JPEG), a PNG, a TIFF whose every frame is a page.

A JPEG photo goes into its page PDF as it is (metadata stripped), turned by the page's /Rotate
when its EXIF orientation is a plain rotation; a 1-bit scan goes in losslessly; anything else is
encoded once as JPEG. The viewer image and thumbnail are always upright.

Nothing is decoded before the headers have been read and checked: the number of frames (at most
MAX_PAGES) and, frame by frame, what decoding it will cost in memory (`_cost`), which must stay
within IMAGE_MEMORY. A frame goes to a worker thread as a copy only when the copies in flight fit
in that budget too; otherwise frames are done one after the other, without copies.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from .base import (
    IMAGE_CORRUPT,
    IMAGE_MEMORY,
    MAX_PAGES,
    VIEW_MAX,
    PageOutput,
    ScanError,
    decoding,
    fit,
    millions,
    pillow_bytes,
    reading,
)
from .imaging import (
    PDF_QUALITY,
    Rendition,
    encode_jpeg,
    flatten,
    image_pdf,
    photo_rendition,
    rendition,
    strip_jpeg_metadata,
)
from .ordered import ordered_map

_EXIF_ROTATE = {3: 180, 6: 90, 8: 270}  # EXIF orientation -> PDF /Rotate (clockwise)
_COLOURS = {"L": "DeviceGray", "RGB": "DeviceRGB"}
_TRANSPARENT = ("LA", "La", "PA", "RGBA", "RGBa")

# Working memory of a page, in bytes per declared pixel, on top of the decoded frame itself
# (`pillow_bytes` of its mode): the full-size flat copy for the page PDF (none for RGB and L,
# which are flat already; a one-byte grey copy for 1-bit, for the viewer's reduction), a
# transposed copy when the frame says it is turned, and the page's JPEG (about one byte a pixel
# for noisy colour scans, held three times while the one-page PDF is written). Measured with
# `tests/scans/test_limits.py::peak_rss`; see the figures in its docstring.
_PDF_JPEG = 3.0
_FLAT_COPY = {"RGB": 0, "L": 0, "1": 1, "P": 4, "CMYK": 4, "I": 9, "F": 9, "LA": 4, "RGBA": 4}


def _cost(mode: str, size: tuple[int, int], info: dict) -> float:
    """Bytes that turning one frame of `mode` and `size` into its page may take at its peak."""
    pixels = size[0] * size[1]
    per_pixel = pillow_bytes(mode)
    if mode.startswith("I;16"):
        flat = 5.0  # 32-bit copy, then 8-bit
    elif "transparency" in info and mode not in _TRANSPARENT:
        flat = 8.0  # an RGBA copy, then the flat one
    else:
        flat = _FLAT_COPY.get(mode, 4)
    jpeg = 0.0 if mode == "1" else _PDF_JPEG
    return pixels * (2 * per_pixel + flat + jpeg)


def _jpeg_cost(im: Image.Image, file_size: int) -> float:
    """A JPEG photo is decoded at 1/2 to 1/8 of its size (libjpeg does the shrinking) and put
    into its PDF as the file is (held about three times); a progressive one keeps every
    coefficient of the full image while decoding (two bytes a sample); CMYK and mirrored photos
    are decoded in full, turned and encoded again."""
    pixels = im.width * im.height
    drafted = fit(im.size, 2 * VIEW_MAX)
    cost = 8 * drafted[0] * drafted[1] + 3 * file_size
    if im.info.get("progressive") or im.info.get("progression"):
        cost += 2 * len(im.getbands()) * pixels
    if not _jpeg_as_is(im):
        cost += 10 * pixels
    return cost


def _jpeg_as_is(im: Image.Image) -> bool:
    with decoding(IMAGE_CORRUPT):
        orientation = im.getexif().get(0x0112, 1)
    return im.mode in _COLOURS and orientation in (1, *_EXIF_ROTATE)


def _refuse_size(im: Image.Image, cost: float, page: int | None) -> ScanError:
    # The largest picture of the same kind that fits, to tell people what to aim for.
    most = im.width * im.height * IMAGE_MEMORY / cost
    message = _(
        "Ảnh %(w)s × %(h)s điểm ảnh (%(mp)s triệu điểm) quá lớn để xử lý: ảnh loại này được tối "
        "đa %(max)s triệu điểm ảnh. Hãy scan hoặc lưu lại ở độ phân giải thấp hơn."
    ) % {
        "w": im.width,
        "h": im.height,
        "mp": millions(im.width * im.height),
        "max": millions(most),
    }
    if page is not None:
        message = _("Trang %(n)s: %(reason)s") % {"n": page, "reason": message}
    return ScanError("too_large", message)


def _opened(path: Path) -> Image.Image:
    with decoding(IMAGE_CORRUPT):
        im = Image.open(path)
        if im.width <= 0 or im.height <= 0:
            raise ScanError("corrupt", IMAGE_CORRUPT)
    return im


@dataclass
class _Plan:
    count: int  # frames (pages)
    largest: float  # bytes the costliest frame may take


def _plan(im: Image.Image, kind: str, path: Path) -> _Plan:
    """Frames and what each will cost, from the headers alone: nothing is decoded here."""
    if kind == "jpeg":
        cost = _jpeg_cost(im, path.stat().st_size)
        if cost > IMAGE_MEMORY:
            raise _refuse_size(im, cost, None)
        return _Plan(1, cost)
    # A JPEG may carry a second, preview frame (MPO) and a PNG animation frames: one page.
    largest = 0.0
    index = 0
    while True:
        if im.width <= 0 or im.height <= 0:
            raise ScanError("corrupt", IMAGE_CORRUPT)
        cost = _cost(im.mode, im.size, im.info)
        if cost > IMAGE_MEMORY:
            raise _refuse_size(im, cost, index + 1 if kind == "tiff" else None)
        largest = max(largest, cost)
        if kind != "tiff":
            break
        with decoding(IMAGE_CORRUPT):
            try:
                im.seek(index + 1)
            except EOFError:
                break
        index += 1
        if index >= MAX_PAGES:
            raise ScanError(
                "too_large",
                _("Tệp TIFF có hơn %(max)s trang, quá giới hạn: hãy chia nhỏ.")
                % {"max": MAX_PAGES},
            )
    if index:
        with decoding(IMAGE_CORRUPT):
            im.seek(0)
    return _Plan(index + 1, largest)


def image_page_count(path: Path, kind: str) -> int:
    with reading(IMAGE_CORRUPT), _opened(path) as im:
        return _plan(im, kind, path).count


def iter_image_pages(path: Path, kind: str, workers: int) -> Iterator[PageOutput]:
    with reading(IMAGE_CORRUPT), _opened(path) as im:
        plan = _plan(im, kind, path)
        if kind == "jpeg":
            yield _jpeg_page(path, im)
            return
        ahead = 2 * workers
        # In flight: `ahead` copies waiting or being worked on, the frame being read, and the
        # file's own decoded frame.
        parallel = plan.count > 1 and workers > 1 and plan.largest * (ahead + 2) <= IMAGE_MEMORY

        def frames() -> Iterator[tuple[int, Image.Image]]:
            for index in range(plan.count):
                with decoding(IMAGE_CORRUPT):
                    im.seek(index)
                    im.load()
                # One after the other, the frame is done before the file moves on: no copy.
                yield index, im.copy() if parallel else im

        yield from ordered_map(_frame_page, frames(), workers if parallel else 1, ahead=ahead)


def _jpeg_page(path: Path, im: Image.Image) -> PageOutput:
    with decoding(IMAGE_CORRUPT):
        orientation = im.getexif().get(0x0112, 1)
    as_is = _jpeg_as_is(im)
    mode, size, dpi = im.mode, im.size, _dpi(im)
    with decoding(IMAGE_CORRUPT):
        made = photo_rendition(im)
    if as_is:
        pdf = image_pdf(
            strip_jpeg_metadata(path.read_bytes()),
            size=size,
            colour=_COLOURS[mode],
            dpi=dpi,
            rotate=_EXIF_ROTATE.get(orientation, 0),
        )
    else:  # CMYK, or a mirrored orientation: re-encode once, upright
        with Image.open(path) as full:
            with decoding(IMAGE_CORRUPT):
                full.load()
            upright = ImageOps.exif_transpose(full) if orientation != 1 else full
            pdf = _encoded_pdf(upright, dpi)
    return _output(0, pdf, made)


def _frame_page(item: tuple[int, Image.Image]) -> PageOutput:
    index, frame = item
    dpi = _dpi(frame)
    with decoding(IMAGE_CORRUPT):
        if frame.getexif().get(0x0112, 1) != 1:
            # A new, turned image: `frame` may be the file's own, which reads the next frame.
            frame = ImageOps.exif_transpose(frame)
    if frame.mode == "1":
        # A bilevel scan: packed rows, 1 = white in both Pillow and DeviceGray.
        pdf = image_pdf(
            frame.tobytes(), size=frame.size, colour="DeviceGray", dpi=dpi, flate_bits=True
        )
        return _output(index, pdf, rendition(frame))
    flat = flatten(frame)
    pdf = image_pdf(
        encode_jpeg(flat, PDF_QUALITY), size=flat.size, colour=_COLOURS[flat.mode], dpi=dpi
    )
    return _output(index, pdf, rendition(flat))


def _encoded_pdf(im: Image.Image, dpi: float | None) -> bytes:
    flat = flatten(im)
    data = encode_jpeg(flat, PDF_QUALITY)
    return image_pdf(data, size=flat.size, colour=_COLOURS[flat.mode], dpi=dpi)


def _output(index: int, pdf: bytes, made: Rendition) -> PageOutput:
    digest = hashlib.sha256(made.image).hexdigest()
    return PageOutput(index, pdf, made.image, made.size, made.thumb, digest)


def _dpi(im: Image.Image) -> float | None:
    dpi = im.info.get("dpi")
    try:
        return float(dpi[0]) if dpi else None
    except (TypeError, ValueError, IndexError):
        return None
