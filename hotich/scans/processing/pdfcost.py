"""What a PDF page will cost to cut out and render, from what it declares, before any decoding.

pdfium streams most images row by row, but holds progressive JPEG, JPEG 2000 and JBIG2 images
whole, and parses a page's drawing instructions whole: measured, a 3.6 MB file whose one page
inflates to 1.5 GB of instructions took 2.9 GB and ten minutes, and a 5 MB progressive JPEG of
30,000 × 30,000 points 2.7 GB. So every object a page draws from (its content, resources,
forms, patterns, fonts, annotation appearances) is visited once, at most PAGE_OBJECTS of them:
an image is costed from its declared size, colour space and codec; any other stream is inflated
with a bound, in steps, never in full. Links to other pages are not followed.
"""

from __future__ import annotations

import base64
import binascii
import io
import zlib
from dataclasses import dataclass, field

import pikepdf
from django.utils.translation import gettext_lazy as _
from PIL import Image

from .base import IMAGE_MEMORY, ScanError, millions

PAGE_OBJECTS = 100_000  # a scanned page uses about five; a dense drawing a few thousand
PAGE_BYTES = 64 * 1024**2  # stored bytes a page draws from: about the size of its own PDF
# Drawing instructions (inflated) of one page: pdfium holds about 20 bytes of memory for each
# byte of path instructions (64 MB of them took 1.4 GB); a scanned page has a few hundred bytes.
PAGE_CONTENT = 16 * 1024**2
FILE_CONTENT = 512 * 1024**2  # the same over a file, once for every page that draws them

# Only these lead from a page to what it draws; the rest (/Parent, /Annots' /P, /Dest, /A,
# /StructParents...) lead to other pages or to nothing drawn.
_PAGE_KEYS = ("/Contents", "/Resources", "/Annots", "/Group")
_SKIP_KEYS = {
    "/Parent",
    "/P",
    "/Dest",
    "/A",
    "/Next",
    "/Prev",
    "/First",
    "/Last",
    "/Popup",
    "/Metadata",
}
_COMPONENTS = {
    "/DeviceGray": 1,
    "/CalGray": 1,
    "/G": 1,
    "/DeviceRGB": 3,
    "/CalRGB": 3,
    "/RGB": 3,
    "/Lab": 3,
    "/DeviceCMYK": 4,
    "/CMYK": 4,
}
# Most a stored byte can grow to under each filter, for streams not inflated here.
_GROWTH = {
    "/LZWDecode": 2730.0,
    "/LZW": 2730.0,
    "/RunLengthDecode": 64.0,
    "/RL": 64.0,
}
_CHUNK = 1024 * 1024


@dataclass
class PageCost:
    images: float = 0.0  # memory the page's images take to decode
    stored: int = 0  # stored bytes of the streams it draws from
    content: int = 0  # inflated bytes of its other streams


@dataclass
class PdfBudget:
    """What the pages of one file have used so far; inflated sizes are worked out once."""

    content: int = 0
    inflated: dict[tuple[int, int], int] = field(default_factory=dict)

    def check(self, page: pikepdf.Object, number: int) -> PageCost:
        """The page's cost, or a ScanError naming the page and the limit it passes.

        Drawing instructions (content, forms, patterns, Type 3 glyphs) are parsed again for
        every page that uses them, so they count on every such page; fonts, colour profiles and
        the like are read once per file."""
        cost = PageCost()
        other = 0
        for stream, drawing in _streams(page, number):
            cost.stored += _declared_length(stream)
            if cost.stored > PAGE_BYTES:
                raise _refusal(
                    number,
                    _("dùng hơn %(max)s MB dữ liệu, quá giới hạn một trang.")
                    % {"max": PAGE_BYTES // 1024**2},
                )
            if stream.get("/Subtype") == pikepdf.Name.Image:
                one = image_cost(stream)
                cost.images += one
                if cost.images > IMAGE_MEMORY:
                    raise _refusal(number, _image_too_large(stream, max(one, cost.images)))
                continue
            first = stream.objgen not in self.inflated or stream.objgen == (0, 0)
            size = self._inflated(stream, PAGE_CONTENT)
            if drawing or stream.get("/Subtype") == pikepdf.Name.Form:
                cost.content += size
            else:
                other += size
                if first:
                    self.content += size
            if cost.content > PAGE_CONTENT or other > PAGE_CONTENT:
                raise _refusal(number, _too_much_drawing(PAGE_CONTENT))
        self.content += cost.content
        if self.content > FILE_CONTENT:
            raise ScanError(
                "too_large",
                _(
                    "Tệp PDF có quá nhiều nét vẽ để hiển thị (hơn %(max)s MB lệnh vẽ tính trên "
                    "mọi trang): đây không phải bản scan thông thường, hãy xuất lại dạng ảnh."
                )
                % {"max": FILE_CONTENT // 1024**2},
            )
        return cost

    def _inflated(self, stream: pikepdf.Stream, limit: int) -> int:
        key = stream.objgen
        if key != (0, 0) and key in self.inflated:
            return self.inflated[key]
        size = inflated_size(stream, limit)
        if key != (0, 0):
            self.inflated[key] = size
        return size


def _refusal(number: int, reason: str) -> ScanError:
    return ScanError("too_large", _("Trang %(n)s %(reason)s") % {"n": number, "reason": reason})


def _too_much_drawing(limit: int) -> str:
    return _(
        "có hơn %(max)s MB lệnh vẽ, quá giới hạn một trang: đây không phải bản scan thông "
        "thường, hãy xuất lại dạng ảnh."
    ) % {"max": limit // 1024**2}


def _image_too_large(stream: pikepdf.Stream, cost: float) -> str:
    width, height = _int(stream.get("/Width")), _int(stream.get("/Height"))
    most = width * height * IMAGE_MEMORY / cost if cost else 0
    return _(
        "có ảnh %(w)s × %(h)s điểm ảnh (%(mp)s triệu điểm), quá lớn để xử lý: ảnh loại này được "
        "tối đa %(max)s triệu điểm ảnh. Hãy scan lại ở độ phân giải thấp hơn."
    ) % {"w": width, "h": height, "mp": millions(width * height), "max": millions(most)}


def _streams(page: pikepdf.Object, number: int) -> list[tuple[pikepdf.Stream, bool]]:
    """Every stream the page draws from, each once, found without decoding anything, and
    whether it holds drawing instructions (reached as content or as a Type 3 glyph)."""
    found: list[tuple[pikepdf.Stream, bool]] = []
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[pikepdf.Object, bool]] = []
    if isinstance(page, pikepdf.Dictionary):
        stack += [(page[k], k == "/Contents") for k in _PAGE_KEYS if k in page]
        if "/Resources" not in page:
            stack += [(r, False) for r in _inherited_resources(page)]
    visited = 0
    while stack:
        obj, drawing = stack.pop()
        if not isinstance(obj, pikepdf.Dictionary | pikepdf.Array | pikepdf.Stream):
            continue
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        visited += 1
        if visited > PAGE_OBJECTS:
            raise _refusal(
                number,
                _("có hơn %(max)s đối tượng, quá phức tạp để xử lý.") % {"max": PAGE_OBJECTS},
            )
        if isinstance(obj, pikepdf.Array):
            stack.extend((item, drawing) for item in obj)
            continue
        if obj.get("/Type") in (pikepdf.Name.Page, pikepdf.Name.Pages):
            continue  # another page, reached through some link
        if isinstance(obj, pikepdf.Stream):
            found.append((obj, drawing or obj.get("/PatternType") == 1))
        for key in obj.keys():  # noqa: SIM118 (pikepdf objects are not plain dicts)
            if key not in _SKIP_KEYS:
                stack.append((obj[key], key == "/CharProcs" or (drawing and key != "/Resources")))
    return found


def _inherited_resources(page: pikepdf.Dictionary) -> list[pikepdf.Object]:
    node = page.get("/Parent")
    for _depth in range(64):
        if not isinstance(node, pikepdf.Dictionary):
            break
        if "/Resources" in node:
            return [node["/Resources"]]
        node = node.get("/Parent")
    return []


def _int(value: object) -> int:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return 0


def _declared_length(stream: pikepdf.Stream) -> int:
    return max(0, _int(stream.get("/Length")))


def _filters(stream: pikepdf.Stream) -> list[str]:
    value = stream.get("/Filter")
    items = list(value) if isinstance(value, pikepdf.Array) else [value]
    return [str(f) for f in items if isinstance(f, pikepdf.Name)]


def _components(space: object) -> int:
    if isinstance(space, pikepdf.Name):
        return _COMPONENTS.get(str(space), 4)
    if isinstance(space, pikepdf.Array) and len(space) >= 1:
        family = str(space[0]) if isinstance(space[0], pikepdf.Name) else ""
        if family in ("/Indexed", "/I", "/Separation"):
            return 1
        if family == "/DeviceN" and len(space) > 1 and isinstance(space[1], pikepdf.Array):
            return max(1, len(space[1]))
        if family == "/ICCBased" and len(space) > 1 and isinstance(space[1], pikepdf.Stream):
            return _int(space[1].get("/N")) or 4
        return _COMPONENTS.get(family, 4)
    return 4


def image_cost(stream: pikepdf.Stream) -> float:
    """Memory that decoding the image takes in pdfium (or in Pillow, for a page that is one
    JPEG), from its declared size: its samples for codecs read row by row; two bytes a sample
    for JPEG (a progressive one keeps every coefficient); four bytes a sample and up to four
    samples a point for JPEG 2000 (openjpeg); a bitmap for JBIG2."""
    width, height = _int(stream.get("/Width")), _int(stream.get("/Height"))
    if width <= 0 or height <= 0:
        return 0.0  # not drawable: pdfium skips it
    points = float(width) * height
    if stream.get("/ImageMask") is True:
        components, bits = 1, 1
    else:
        components = _components(stream.get("/ColorSpace"))
        bits = _int(stream.get("/BitsPerComponent")) or 8
    codec = (_filters(stream) or [""])[-1]
    if codec in ("/DCTDecode", "/DCT"):
        # The JPEG's own header counts, when it claims more than the PDF does.
        points = max(points, _jpeg_points(stream))
        return points * max(components, 3) * 2
    if codec == "/JPXDecode":
        return points * 4 * 4
    if codec == "/JBIG2Decode":
        return points / 4
    return points * components * max(1, min(bits, 16)) / 8


def _jpeg_points(stream: pikepdf.Stream) -> float:
    if _filters(stream) not in (["/DCTDecode"], ["/DCT"]):
        return 0.0
    try:
        with Image.open(io.BytesIO(stream.read_raw_bytes())) as im:
            return float(im.width) * im.height
    except Image.DecompressionBombError:
        return float("inf")
    except Exception:  # any parser complaint: not a JPEG that pdfium could draw either
        return 0.0


def inflated_size(stream: pikepdf.Stream, limit: int) -> int:
    """The stream's decoded size, or a number above `limit` as soon as it is known to pass it;
    never more than `limit` bytes are held."""
    filters = _filters(stream)
    if not filters:
        return _declared_length(stream)
    data = stream.read_raw_bytes()
    for index, name in enumerate(filters):
        last = index == len(filters) - 1
        if name in ("/FlateDecode", "/Fl"):
            size, data = _inflate(data, limit, keep=not last)
            if last or size > limit:
                return size
        elif name in ("/ASCIIHexDecode", "/AHx"):
            data = _unhex(data)
        elif name in ("/ASCII85Decode", "/A85"):
            data = _un85(data)
        else:
            # LZW, run length or an unusual filter: bounded by how much it can grow at most,
            # decoded by qpdf only within that bound.
            bound = len(data) * _GROWTH.get(name, 1032.0)
            for later in filters[index + 1 :]:
                bound *= _GROWTH.get(later, 1032.0)
            if bound > 4 * limit:
                return limit + 1
            try:
                return len(stream.read_bytes())
            except pikepdf.PdfError:
                return 0  # undecodable: pdfium will draw nothing of it
        if len(data) > limit:
            return len(data)
    return len(data)


def _inflate(data: bytes, limit: int, *, keep: bool) -> tuple[int, bytes]:
    """Decoded size of zlib `data` (stopping past `limit`), and the data itself if `keep`.
    A damaged stream counts for what decodes before the damage, as readers show that much."""
    inflater = zlib.decompressobj()
    size = 0
    kept: list[bytes] = []
    pending = data
    try:
        while size <= limit:
            chunk = inflater.decompress(pending, _CHUNK)
            pending = inflater.unconsumed_tail
            if not chunk:
                break
            size += len(chunk)
            if keep:
                kept.append(chunk)
    except zlib.error:
        pass
    return size, b"".join(kept)


def _unhex(data: bytes) -> bytes:
    text = bytes(c for c in data.split(b">", 1)[0] if c not in b" \t\r\n\f\x00")
    try:
        return binascii.unhexlify(text + b"0" * (len(text) % 2))
    except (binascii.Error, ValueError):
        return b""


def _un85(data: bytes) -> bytes:
    text = data.split(b"~>", 1)[0].strip()
    text = text.removeprefix(b"<~")
    try:
        return base64.a85decode(text, ignorechars=b" \t\r\n\f\x00")
    except ValueError:
        return b""
