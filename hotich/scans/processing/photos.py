"""Image files: a phone photo (JPEG), a PNG, a TIFF whose every frame is a page.

A JPEG photo goes into its page PDF as it is (metadata stripped), turned by the page's /Rotate
when its EXIF orientation is a plain rotation; a 1-bit scan goes in losslessly; anything else is
encoded once as JPEG. The viewer image and thumbnail are always upright.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from .base import IMAGE_CORRUPT, MAX_PIXELS, PageOutput, ScanError, reading
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


def _opened(path: Path) -> Image.Image:
    im = Image.open(path)
    if im.width * im.height > MAX_PIXELS:
        im.close()
        raise ScanError(
            "too_large",
            _("Ảnh %(w)s × %(h)s điểm ảnh quá lớn, không xử lý được.")
            % {"w": im.width, "h": im.height},
        )
    return im


def image_page_count(path: Path, kind: str) -> int:
    with reading(IMAGE_CORRUPT), _opened(path) as im:
        # A JPEG may carry a second, preview frame (MPO) and a PNG animation frames: one page.
        return getattr(im, "n_frames", 1) if kind == "tiff" else 1


def iter_image_pages(path: Path, kind: str, workers: int) -> Iterator[PageOutput]:
    with reading(IMAGE_CORRUPT), _opened(path) as im:
        if kind == "jpeg":
            yield _jpeg_page(path, im)
            return
        count = getattr(im, "n_frames", 1) if kind == "tiff" else 1

        def frames() -> Iterator[tuple[int, Image.Image]]:
            for index in range(count):
                im.seek(index)
                im.load()
                yield index, im.copy()

        yield from ordered_map(_frame_page, frames(), workers if count > 1 else 1)


def _jpeg_page(path: Path, im: Image.Image) -> PageOutput:
    orientation = im.getexif().get(0x0112, 1)
    mode, size, dpi = im.mode, im.size, _dpi(im)
    made = photo_rendition(im)
    if mode in _COLOURS and orientation in (1, *_EXIF_ROTATE):
        pdf = image_pdf(
            strip_jpeg_metadata(path.read_bytes()),
            size=size,
            colour=_COLOURS[mode],
            dpi=dpi,
            rotate=_EXIF_ROTATE.get(orientation, 0),
        )
    else:  # CMYK, or a mirrored orientation: re-encode once, upright
        with Image.open(path) as full:
            pdf = _encoded_pdf(ImageOps.exif_transpose(full), dpi)
    return _output(0, pdf, made)


def _frame_page(item: tuple[int, Image.Image]) -> PageOutput:
    index, frame = item
    dpi = _dpi(frame)
    ImageOps.exif_transpose(frame, in_place=True)
    if frame.mode == "1":
        # A bilevel scan: packed rows, 1 = white in both Pillow and DeviceGray.
        pdf = image_pdf(
            frame.tobytes(), size=frame.size, colour="DeviceGray", dpi=dpi, flate_bits=True
        )
    else:
        pdf = _encoded_pdf(frame, dpi)
    return _output(index, pdf, rendition(frame))


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
