"""Mutations of JPEG, PNG and TIFF files, made on their structure (segments, chunks, IFDs) with
checksums recomputed, so a decoder gets past the header to the lie: 100,000 × 100,000 pixels,
6,000 pages, IFD loops, EXIF that is not, decompression bombs within the declared sizes."""

from __future__ import annotations

import random
import struct
import zlib

from . import ziptools

# ---- JPEG ------------------------------------------------------------------------------------

_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _segments(data: bytes) -> list[tuple[int, int, int]]:
    """(offset, marker, total length) of each segment before the scan data."""
    found, pos = [], 2
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        found.append((pos, marker, 2 + length))
        if marker == 0xDA:
            break
        pos += 2 + length
    return found


def jpeg_dims(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """The frame header declares 65,500 × 65,500, 12,000 × 12,000 (under the pixel limit, with
    the data of a small image), zero, or 1 × 65,535 pixels."""
    width, height = rng.choice([(65500, 65500), (12000, 12000), (0, 0), (1, 65535), (65535, 1)])
    out = bytearray(data)
    for pos, marker, _length in _segments(data):
        if marker in _SOF:
            out[pos + 5 : pos + 9] = struct.pack(">HH", height, width)
    return bytes(out), f"SOF {width} x {height}"


def jpeg_markers(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """Segments broken: a length of 0, 1 or 65,535, a second frame header, tables removed,
    64 APP segments of 64 kB, an unknown marker, the scan removed, restart markers everywhere."""
    segs = _segments(data)
    how = rng.choice(["length", "second SOF", "no tables", "big APP", "unknown", "no scan", "RST"])
    out = data
    if how == "length":
        pos, _m, _l = rng.choice(segs)
        value = rng.choice([0, 1, 65535])
        out = data[: pos + 2] + struct.pack(">H", value) + data[pos + 4 :]
    elif how == "second SOF":
        pos, _m, length = next(s for s in segs if s[1] in _SOF)
        out = data[: pos + length] + data[pos : pos + length] + data[pos + length :]
    elif how == "no tables":
        drop = [s for s in segs if s[1] in (0xC4, 0xDB)]
        for pos, _m, length in sorted(drop, reverse=True):
            out = out[:pos] + out[pos + length :]
    elif how == "big APP":
        app = b"\xff\xe2" + struct.pack(">H", 65535) + b"A" * 65533
        out = data[:2] + app * 64 + data[2:]
    elif how == "unknown":
        out = data[:2] + b"\xff\x01\xff\x4f\x00\x04ab" + data[2:]
    elif how == "no scan":
        pos = segs[-1][0] if segs and segs[-1][1] == 0xDA else len(data) // 2
        out = data[:pos] + b"\xff\xd9"
    else:
        pos = segs[-1][0] + segs[-1][2] if segs else 2
        body = bytearray(data[pos:])
        for n in range(0, len(body) - 2, 97):
            if body[n] != 0xFF and body[n + 1] != 0xFF:
                body[n : n + 2] = bytes([0xFF, 0xD0 + n % 8])
        out = data[:pos] + bytes(body)
    return out, how


def _exif(entries: list[tuple[int, int, int, bytes]], *, count: int | None = None) -> bytes:
    """An APP1 EXIF segment: little-endian TIFF with one IFD of (tag, type, count, value)."""
    n = len(entries) if count is None else count
    body = struct.pack("<2sHI", b"II", 42, 8) + struct.pack("<H", n)
    extra_at = 8 + 2 + 12 * len(entries) + 4
    extra = b""
    for tag, kind, number, value in entries:
        if len(value) <= 4:
            body += struct.pack("<HHI", tag, kind, number) + value.ljust(4, b"\0")
        else:
            body += struct.pack("<HHII", tag, kind, number, extra_at + len(extra))
            extra += value
    body += struct.pack("<I", 0) + extra
    payload = b"Exif\0\0" + body
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def jpeg_exif(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """EXIF that is not what it claims: orientation 0, 9, 65,535 or as text, resolutions of
    1/0, 65,535 entries declared, an offset past the end, a next-IFD loop."""
    how = rng.choice(["orientation", "orientation text", "resolution", "count", "offset", "loop"])
    if how == "orientation":
        value = rng.choice([0, 2, 5, 7, 9, 65535])
        seg = _exif([(0x0112, 3, 1, struct.pack("<H", value))])
        how += f" {value}"
    elif how == "orientation text":
        seg = _exif([(0x0112, 2, 4, b"six\0")])
    elif how == "resolution":
        seg = _exif([(0x011A, 5, 1, struct.pack("<II", 300, 0)), (0x0128, 3, 1, b"\2\0")])
    elif how == "count":
        seg = _exif([(0x0112, 3, 1, b"\6\0")], count=65535)
    elif how == "offset":
        seg = _exif([(0x8769, 4, 1, struct.pack("<I", 0x7FFFFFF0))])
    else:
        seg = _exif([(0x0112, 3, 1, b"\6\0")])
        seg = seg[:-4] + struct.pack("<I", 8)  # next IFD: itself
    return data[:2] + seg + data[2:], how


def jpeg_density(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """The JFIF header says 0 or 65,535 dots per inch, units that do not exist."""
    units = rng.choice([0, 1, 2, 3])
    x, y = rng.choice([(0, 0), (65535, 65535), (1, 65535)])
    app0 = b"\xff\xe0" + struct.pack(">H5sBBBHHBB", 16, b"JFIF\0", 1, 2, units, x, y, 0, 0)
    segs = [s for s in _segments(data) if s[1] == 0xE0]
    if segs:
        pos, _m, length = segs[0]
        return data[:pos] + app0 + data[pos + length :], f"units {units} density {x}x{y}"
    return data[:2] + app0 + data[2:], f"units {units} density {x}x{y}"


# ---- PNG -------------------------------------------------------------------------------------


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    out, pos = [], 8
    while pos + 8 <= len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        out.append((kind, data[pos + 8 : pos + 8 + length]))
        pos += 12 + length
    return out


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _png(chunks: list[tuple[bytes, bytes]]) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"".join(_chunk(k, b) for k, b in chunks)


def png_dims(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """IHDR declares 100,000 × 100,000, 12,000 × 12,000, zero, 2^31-1 × 1 pixels (CRC fixed)."""
    width, height = rng.choice([(100_000, 100_000), (12000, 12000), (0, 0), (2**31 - 1, 1)])
    chunks = _chunks(data)
    kind, body = chunks[0]
    chunks[0] = (kind, struct.pack(">II", width, height) + body[8:])
    return _png(chunks), f"IHDR {width} x {height}"


def png_chunks(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """Chunks that break the rules: bit depth / colour type that do not go together, interlace
    2, a length of 2^31, a wrong CRC, no IDAT, no IEND, two IHDR, an unknown critical chunk."""
    chunks = _chunks(data)
    how = rng.choice(
        ["depth", "interlace", "length", "crc", "no IDAT", "no IEND", "two IHDR", "critical"]
    )
    if how in ("depth", "interlace"):
        body = bytearray(chunks[0][1])
        if how == "depth":
            body[8], body[9] = rng.choice([(3, 0), (16, 3), (8, 5), (1, 2), (0, 0)])
        else:
            body[12] = 2
        chunks[0] = (b"IHDR", bytes(body))
        return _png(chunks), f"{how} {bytes(body[8:13]).hex()}"
    if how in ("length", "crc"):
        out = bytearray(_png(chunks))
        at = 8 + 12 + len(chunks[0][1])  # the second chunk
        if how == "length":
            out[at : at + 4] = struct.pack(">I", 2**31)
        else:
            out[at + 8] ^= 0xFF
        return bytes(out), how
    if how == "no IDAT":
        chunks = [c for c in chunks if c[0] != b"IDAT"]
    elif how == "no IEND":
        chunks = [c for c in chunks if c[0] != b"IEND"]
    elif how == "two IHDR":
        chunks.insert(1, (b"IHDR", struct.pack(">IIBBBBB", 5000, 5000, 8, 2, 0, 0, 0)))
    else:
        chunks.insert(1, (b"ABCD", b"critical and unknown"))
    return _png(chunks), how


def png_bomb(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """Decompression bombs: a text or ICC chunk inflating to 256 MB, or image data that truly is
    11,000 × 11,000 grey pixels (121 megapixels, under the 150-megapixel limit: a valid file),
    or 16-bit RGBA 6,000 × 6,000 (288 MB decoded)."""
    how = rng.choice(["zTXt", "iCCP", "grey 11000", "rgba16 6000"])
    chunks = _chunks(data)
    if how in ("zTXt", "iCCP"):
        inflated = ziptools.zlib_repeated(b"", b"A" * 65536, 4096, b"")
        body = (b"Comment\0\0" if how == "zTXt" else b"icc\0\0") + inflated
        chunks.insert(1, (how.encode(), body))
        return _png(chunks), f"{how} inflating to 256 MB"
    if how == "grey 11000":
        side, mode, depth, per_pixel = 11_000, 0, 8, 1
    else:
        side, mode, depth, per_pixel = 6_000, 6, 16, 8
    row = b"\0" + b"\x7f" * (side * per_pixel)
    idat = ziptools.zlib_repeated(b"", row, side, b"")
    ihdr = struct.pack(">IIBBBBB", side, side, depth, mode, 0, 0, 0)
    return _png([(b"IHDR", ihdr), (b"IDAT", idat), (b"IEND", b"")]), how


def png_apng(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """An animation control chunk declaring 2^31-1 frames, or frame controls past the image."""
    chunks = _chunks(data)
    frames = rng.choice([2**31 - 1, 0, 1000])
    chunks.insert(1, (b"acTL", struct.pack(">II", frames, 0)))
    if rng.random() < 0.5:
        fctl = struct.pack(">IIIIIHHBB", 0, 100_000, 100_000, 5, 5, 1, 1, 0, 0)
        chunks.insert(2, (b"fcTL", fctl))
    return _png(chunks), f"acTL {frames} frames"


# ---- TIFF ------------------------------------------------------------------------------------


def _ifds(data: bytes) -> tuple[str, list[int]]:
    endian = "<" if data[:2] == b"II" else ">"
    offsets: list[int] = []
    at = struct.unpack(endian + "I", data[4:8])[0]
    while 0 < at < len(data) - 2 and at not in offsets and len(offsets) < 10_000:
        offsets.append(at)
        count = struct.unpack(endian + "H", data[at : at + 2])[0]
        end = at + 2 + 12 * count
        at = struct.unpack(endian + "I", data[end : end + 4])[0] if end + 4 <= len(data) else 0
    return endian, offsets


def _set_tag(out: bytearray, endian: str, ifd: int, tag: int, kind: int, value: int) -> bool:
    count = struct.unpack(endian + "H", out[ifd : ifd + 2])[0]
    for n in range(count):
        at = ifd + 2 + 12 * n
        if struct.unpack(endian + "H", out[at : at + 2])[0] == tag:
            packed = struct.pack(endian + ("H" if kind == 3 else "I"), value).ljust(4, b"\0")
            out[at + 2 : at + 12] = struct.pack(endian + "HI", kind, 1) + packed
            return True
    return False


def tiff_dims(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """A page declares 100,000 × 100,000 pixels: the first one, or a later one (only the first
    is checked when the file is opened)."""
    endian, ifds = _ifds(data)
    which = rng.choice(["first", "last"])
    ifd = ifds[0] if which == "first" else ifds[-1]
    side = rng.choice([100_000, 40_000])
    out = bytearray(data)
    _set_tag(out, endian, ifd, 256, 4, side)
    _set_tag(out, endian, ifd, 257, 4, side)
    return bytes(out), f"{which} of {len(ifds)} pages declares {side} x {side}"


def many_page_tiff(pages: int, *, loop: bool = False) -> bytes:
    """`pages` pages of 8 × 8 grey pixels sharing one strip; with `loop` the last page's
    next-IFD offset points back at the first."""
    pixels = bytes(range(64))
    out = bytearray(struct.pack("<2sHI", b"II", 42, 8 + len(pixels)) + pixels)
    tags = [(256, 3, 8), (257, 3, 8), (258, 3, 8), (259, 3, 1), (262, 3, 1), (273, 4, 8),
            (277, 3, 1), (278, 3, 8), (279, 4, 64)]  # fmt: skip
    first = len(out)
    for page in range(pages):
        at = len(out)
        out += struct.pack("<H", len(tags))
        for tag, kind, value in tags:
            out += struct.pack("<HHI", tag, kind, 1) + struct.pack("<I", value)
        following = at + 2 + 12 * len(tags) + 4
        last = page == pages - 1
        out += struct.pack("<I", (first if loop else 0) if last else following)
    return bytes(out)


def tiff_pages(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """A TIFF of 6,000 or 100,000 pages, or one whose pages loop back to the first."""
    how = rng.choice(["6000", "100000", "loop", "self loop"])
    if how == "self loop":
        out = bytearray(data)
        endian, ifds = _ifds(data)
        count = struct.unpack(endian + "H", out[ifds[0] : ifds[0] + 2])[0]
        end = ifds[0] + 2 + 12 * count
        out[end : end + 4] = struct.pack(endian + "I", ifds[0])
        return bytes(out), "first page's next page is itself"
    pages = {"6000": 6000, "100000": 100_000, "loop": 50}[how]
    looping = " looping" if how == "loop" else ""
    return many_page_tiff(pages, loop=how == "loop"), f"{pages:,} pages{looping}"


_TIFF_TAGS = {
    "strip offset past the end": (273, 4, 0x7FFFFFF0),
    "strip byte count 2 GB": (279, 4, 0x7FFFFFFF),
    "bits per sample 0": (258, 3, 0),
    "bits per sample 64": (258, 3, 64),
    "samples per pixel 255": (277, 3, 255),
    "compression 99": (259, 3, 99),
    "compression JPEG 2000": (259, 3, 34712),
    "photometric 99": (262, 3, 99),
    "orientation 9": (274, 3, 9),
    "planar 2": (284, 3, 2),
    "rows per strip 0": (278, 4, 0),
}


def tiff_tags(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """A tag of a page given a value that cannot work (strips past the end, 0 or 64 bits,
    unknown compression or photometric), or an IFD declaring 65,535 entries."""
    endian, ifds = _ifds(data)
    ifd = rng.choice(ifds)
    out = bytearray(data)
    how = rng.choice([*sorted(_TIFF_TAGS), "65535 entries"])
    if how == "65535 entries":
        out[ifd : ifd + 2] = struct.pack(endian + "H", 65535)
    else:
        tag, kind, value = _TIFF_TAGS[how]
        if not _set_tag(out, endian, ifd, tag, kind, value):
            how += " (tag absent: unchanged)"
    return bytes(out), f"page {ifds.index(ifd) + 1}: {how}"


JPEG = [
    ("jpeg_dims", jpeg_dims),
    ("jpeg_markers", jpeg_markers),
    ("jpeg_exif", jpeg_exif),
    ("jpeg_density", jpeg_density),
]
PNG = [
    ("png_dims", png_dims),
    ("png_chunks", png_chunks),
    ("png_bomb", png_bomb),
    ("png_apng", png_apng),
]
TIFF = [("tiff_dims", tiff_dims), ("tiff_pages", tiff_pages), ("tiff_tags", tiff_tags)]
