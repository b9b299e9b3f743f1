"""Pixels: viewer images, thumbnails, JPEG encoding, and one-image PDF pages.

Speed matters here (a 300-page book must go through in a few seconds on two cores), so:
- a JPEG is decoded at 1/2, 1/4 or 1/8 scale by libjpeg itself (`Image.draft`) whenever that
  still leaves at least the viewer size, which is much cheaper than decoding in full and shrinking;
- what is left to shrink is at most a factor 2; up to `NEAREST_UP_TO` it is done by dropping
  pixels (about 3 ms a page) rather than by Pillow's filtered resize (about 40 ms a page on the
  reference machine, more than everything else together). At such mild factors the two are hard
  to tell apart on scanned handwriting; beyond it the filtered resize is used;
- a re-encoded viewer image is never given finer quantisation than its source JPEG had: that
  only makes the file bigger (2.3x for typical 100 kB scans) without adding detail;
- a source JPEG that already fits is passed through untouched.
"""

from __future__ import annotations

import io
import os
import tempfile
import threading
import zlib
from dataclasses import dataclass
from typing import IO

import pikepdf
from pikepdf import Dictionary, Name
from PIL import Image, ImageOps

from .base import THUMB_MAX, VIEW_MAX, fit

VIEW_QUALITY = 80
THUMB_QUALITY = 75
PDF_QUALITY = 85  # pages rebuilt from PNG/TIFF for the deliverable
NEAREST_UP_TO = 1.25
A4_LONG_SIDE = 841.89  # points; for photos whose dpi says nothing

# libjpeg's luminance table (ITU T.81 Annex K), to compare a source's quantisation with ours.
_LUMA = (
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
    14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
    18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
)  # fmt: skip
_ROTATE = {
    90: Image.Transpose.ROTATE_270,  # PDF /Rotate turns clockwise, Pillow counter-clockwise
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_90,
}


_REDUCIBLE = ("L", "RGB", "RGBA", "LA", "CMYK", "I", "F", "YCbCr")


@dataclass
class Rendition:
    image: bytes
    size: tuple[int, int]
    thumb: bytes


def shrink(im: Image.Image, limit: int) -> Image.Image:
    """`im` with its long side at most `limit` (returned as is when it fits)."""
    target = fit(im.size, limit)
    if target == im.size:
        return im
    factor = max(im.size) / limit
    if factor >= 2:
        im = im.reduce(int(factor))  # box filter, cheap
        factor = max(im.size) / limit
        if fit(im.size, limit) == im.size:
            return im
    method = Image.Resampling.NEAREST if factor <= NEAREST_UP_TO else Image.Resampling.BILINEAR
    return im.resize(target, method)


def flatten(im: Image.Image) -> Image.Image:
    """An "RGB" or "L" image of `im`, transparency composited on white, 16 bits cut to 8.

    Written for full-size pages: at most one copy besides `im` (two for a palette or colour key
    with transparency, which is first spread to RGBA)."""
    if im.mode in ("RGB", "L"):
        return im
    if im.mode == "1":
        return im.convert("L")
    if im.mode.startswith("I;16") or im.mode in ("I", "F"):
        wide = im if im.mode == "I" else im.convert("I")
        return wide.point(_HIGH_BYTE, "L")
    if im.mode == "PA" or (im.mode == "P" and "transparency" in im.info):
        im = im.convert("RGBA")
    if im.mode in ("LA", "La", "RGBA", "RGBa"):
        white = Image.new("RGB", im.size, (255, 255, 255))
        white.paste(im, mask=im)  # RGBA and LA paste onto RGB without a converted copy
        return white
    return im.convert("RGB")


# 32-bit grey (from 16-bit) to 8-bit: the high byte, values past 16 bits clipped.
_HIGH_BYTE = [v >> 8 for v in range(65536)]


def encode_jpeg(im: Image.Image, quality: int, source_tables: dict | None = None) -> bytes:
    tables = source_tables if _coarser(source_tables, quality, im.mode) else None
    # Pillow lets go of the GIL only while encoding into a real file, not into a BytesIO: on
    # two threads that is 4.8 against 7.9 ms for a viewer image. So: a scratch file in memory,
    # one per thread, reused.
    scratch = _scratch_file()
    scratch.seek(0)
    if tables:
        im.save(scratch, "JPEG", qtables=tables)
    else:
        im.save(scratch, "JPEG", quality=quality)
    size = scratch.tell()
    scratch.seek(0)
    data = scratch.read(size)
    if size > 16 * 1024 * 1024:
        scratch.truncate(0)  # a full-size page for a PDF; do not keep that much around
    return data


_scratch = threading.local()


def _scratch_file() -> IO[bytes]:
    file: IO[bytes] | None = getattr(_scratch, "file", None)
    if file is None:
        # Unbuffered, so that tell() is the true size of what Pillow wrote to the descriptor.
        if hasattr(os, "memfd_create"):
            file = io.FileIO(os.memfd_create("hotich-jpeg", os.MFD_CLOEXEC), "w+b")
        else:
            file = tempfile.TemporaryFile(buffering=0)  # noqa: SIM115 (lives with the thread)
        _scratch.file = file
    return file


def _coarser(tables: dict | None, quality: int, mode: str) -> bool:
    if not tables or len(tables) != (1 if mode == "L" else 2):
        return False
    scale = 5000 / quality if quality < 50 else 200 - 2 * quality
    ours = sum(min(255, max(1, (v * scale + 50) // 100)) for v in _LUMA)
    return sum(tables[0]) >= ours


def rendition(im: Image.Image, *, rotate: int = 0, tables: dict | None = None) -> Rendition:
    """Viewer image and thumbnail of a decoded page image."""
    # Pillow reduces neither 1-bit, palette nor 16-bit images: those are flattened first.
    reducible = im.mode in _REDUCIBLE
    view = flatten(shrink(im, VIEW_MAX)) if reducible else shrink(flatten(im), VIEW_MAX)
    if rotate in _ROTATE:
        view = view.transpose(_ROTATE[rotate])
    image = encode_jpeg(view, VIEW_QUALITY, tables if view.mode == im.mode else None)
    return Rendition(image, view.size, thumbnail(view))


def thumbnail(im: Image.Image) -> bytes:
    small = im.resize(fit(im.size, THUMB_MAX), Image.Resampling.BILINEAR, reducing_gap=2.0)
    return encode_jpeg(small, THUMB_QUALITY)


def jpeg_rendition(
    data: bytes, *, rotate: int = 0, expect: tuple[str, tuple[int, int]] | None = None
) -> Rendition | None:
    """Viewer image and thumbnail of a page that is one JPEG (`rotate`: the page's /Rotate);
    None when the JPEG's mode or size is not the `expect`ed one (the PDF says otherwise)."""
    im = Image.open(io.BytesIO(data))
    if im.format != "JPEG":
        raise OSError("not a JPEG stream")
    if expect is not None and (im.mode, im.size) != expect:
        return None
    if _passes_through(im, rotate):
        size = im.size
        im.draft(None, fit(size, THUMB_MAX))
        return Rendition(data, size, thumbnail(im))
    tables = getattr(im, "quantization", None)
    im.draft(None, fit(im.size, VIEW_MAX))
    im.load()
    return rendition(im, rotate=rotate, tables=tables)


def _passes_through(im: Image.Image, rotate: int) -> bool:
    # EXIF is left out: browsers would apply an orientation tag that PDF readers ignore.
    return (
        rotate == 0
        and max(im.size) <= VIEW_MAX
        and im.mode in ("RGB", "L")
        and "exif" not in im.info
    )


def photo_rendition(im: Image.Image) -> Rendition:
    """Viewer image and thumbnail of a JPEG photo, turned upright by its EXIF orientation."""
    tables = getattr(im, "quantization", None)
    im.draft(None, fit(im.size, VIEW_MAX))
    return rendition(ImageOps.exif_transpose(im), tables=tables)


def image_pdf(
    data: bytes,
    *,
    size: tuple[int, int],
    colour: str,
    dpi: float | None,
    rotate: int = 0,
    flate_bits: bool = False,
) -> bytes:
    """A one-page PDF showing one image: `data` is a JPEG stream (embedded as is) or, with
    `flate_bits`, the packed rows of a 1-bit image."""
    width, height = size
    if not dpi or not 100 <= dpi <= 1200:
        dpi = max(width, height) * 72 / A4_LONG_SIDE
    w_pt, h_pt = width * 72 / dpi, height * 72 / dpi
    pdf = pikepdf.Pdf.new()
    attrs = {
        "Type": Name.XObject,
        "Subtype": Name.Image,
        "Width": width,
        "Height": height,
        "ColorSpace": Name("/" + colour),
        "BitsPerComponent": 1 if flate_bits else 8,
        "Filter": Name.FlateDecode if flate_bits else Name.DCTDecode,
    }
    image = pikepdf.Stream(pdf, zlib.compress(data, 6) if flate_bits else data, **attrs)
    page = Dictionary(
        Type=Name.Page,
        MediaBox=[0, 0, round(w_pt, 2), round(h_pt, 2)],
        Resources=Dictionary(XObject=Dictionary(Im0=image)),
        Contents=pikepdf.Stream(pdf, f"q {w_pt:.2f} 0 0 {h_pt:.2f} 0 0 cm /Im0 Do Q".encode()),
    )
    if rotate:
        page.Rotate = rotate
    pdf.pages.append(pikepdf.Page(page))
    buf = io.BytesIO()
    pdf.save(buf, deterministic_id=True)
    return buf.getvalue()


def strip_jpeg_metadata(data: bytes) -> bytes:
    """`data` without EXIF/XMP (APP1), Photoshop (APP13) and comment segments: phone photos
    carry GPS positions and camera details that have no place in an archive deliverable."""
    if data[:2] != b"\xff\xd8":
        return data
    out = [data[:2]]
    pos = 2
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker == 0xDA:  # start of scan: the rest is image data
            out.append(data[pos:])
            return b"".join(out)
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        end = pos + 2 + length
        if length < 2 or end > len(data):
            return data
        if marker not in (0xE1, 0xED, 0xFE):
            out.append(data[pos:end])
        pos = end
    return data
