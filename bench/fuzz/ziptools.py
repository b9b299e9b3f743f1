"""Zip files built by hand: members that lie about their size, bombs, broken directories.

Python's `zipfile` only writes honest archives, so the lying ones are assembled here from their
records (local header, data, central directory, end record). Large inflated contents are never
made: a deflate stream of N copies of a chunk is N copies of that chunk's stream after a full
flush (which resets the compressor), and its CRC-32 is combined arithmetically.
"""

from __future__ import annotations

import functools
import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

STORED, DEFLATED, BZIP2 = 0, 8, 12


@dataclass
class Entry:
    name: bytes
    data: bytes  # as stored in the archive (already compressed)
    crc: int
    size: int  # declared uncompressed size (may lie)
    method: int = DEFLATED
    flags: int = 0x800  # UTF-8 names
    external_attr: int = 0o100644 << 16


def members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(info, zf.read(info)) for info in zf.infolist()]


def rezip(items: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """An honest archive of `items` in this order."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in items:
            zf.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 2, 3, 4, 5)), data, method)
    return buf.getvalue()


def deflate(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def entry(name: str, data: bytes, method: int = DEFLATED) -> Entry:
    packed = data if method == STORED else deflate(data)
    return Entry(name.encode(), packed, zlib.crc32(data), len(data), method)


def build(entries: list[Entry], *, count: int | None = None, cd_offset_delta: int = 0) -> bytes:
    """The archive of `entries`; `count` overrides the entry count of the end record and
    `cd_offset_delta` shifts where it says the central directory starts."""
    out = io.BytesIO()
    central = []
    for e in entries:
        offset = out.tell()
        header = struct.pack(
            "<4sHHHHHIIIHH",
            b"PK\x03\x04",
            20,
            e.flags,
            e.method,
            0x6000,
            0x5821,
            e.crc,
            len(e.data),
            e.size,
            len(e.name),
            0,
        )
        out.write(header + e.name + e.data)
        central.append(
            struct.pack(
                "<4sHHHHHHIIIHHHHHII",
                b"PK\x01\x02",
                0x031E,
                20,
                e.flags,
                e.method,
                0x6000,
                0x5821,
                e.crc,
                len(e.data),
                e.size,
                len(e.name),
                0,
                0,
                0,
                0,
                e.external_attr,
                offset,
            )
            + e.name
        )
    start = out.tell()
    directory = b"".join(central)
    out.write(directory)
    n = len(entries) if count is None else count
    out.write(
        struct.pack(
            "<4sHHHHIIH",
            b"PK\x05\x06",
            0,
            0,
            min(n, 0xFFFF),
            min(n, 0xFFFF),
            len(directory),
            (start + cd_offset_delta) & 0xFFFFFFFF,
            0,
        )
    )
    return out.getvalue()


# ---- large contents, cheaply ------------------------------------------------------------------


def _gf2_times(mat: list[int], vec: int) -> int:
    total, i = 0, 0
    while vec:
        if vec & 1:
            total ^= mat[i]
        vec >>= 1
        i += 1
    return total


def _gf2_square(mat: list[int]) -> list[int]:
    return [_gf2_times(mat, mat[n]) for n in range(32)]


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """CRC-32 of A + B from crc(A), crc(B) and len(B) (zlib's crc32_combine, in Python)."""
    if len2 <= 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]
    even = _gf2_square(odd)
    odd = _gf2_square(even)
    while True:
        even = _gf2_square(odd)
        if len2 & 1:
            crc1 = _gf2_times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = _gf2_square(even)
        if len2 & 1:
            crc1 = _gf2_times(odd, crc1)
        len2 >>= 1
        if not len2:
            break
    return crc1 ^ crc2


def crc32_repeat(chunk: bytes, times: int) -> int:
    """CRC-32 of `chunk * times`, by doubling."""
    result, result_len = 0, 0
    power, power_len = zlib.crc32(chunk), len(chunk)
    while times:
        if times & 1:
            result = crc32_combine(result, power, power_len) if result_len else power
            result_len += power_len
        times >>= 1
        if times:
            power = crc32_combine(power, power, power_len)
            power_len *= 2
    return result


@functools.cache
def repeated(prefix: bytes, chunk: bytes, times: int, suffix: bytes) -> tuple[bytes, int, int]:
    """(raw deflate stream, CRC-32, size) of prefix + chunk * times + suffix."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    assert block == again, "a full flush must make the chunk's stream repeatable"
    tail = c.compress(suffix) + c.flush()
    stream = head + block * times + tail
    crc = zlib.crc32(prefix)
    crc = crc32_combine(crc, crc32_repeat(chunk, times), len(chunk) * times)
    crc = crc32_combine(crc, zlib.crc32(suffix), len(suffix))
    return stream, crc, len(prefix) + len(chunk) * times + len(suffix)


def big_entry(
    name: str,
    size: int,
    *,
    prefix: bytes = b"",
    chunk: bytes = b"\0" * (1 << 20),
    suffix: bytes = b"",
    declared: int | None = None,
) -> Entry:
    """A member inflating to about `size` bytes; `declared` makes it claim another size."""
    times = max(1, (size - len(prefix) - len(suffix)) // len(chunk))
    stream, crc, real = repeated(prefix, chunk, times, suffix)
    return Entry(name.encode(), stream, crc, real if declared is None else declared)


def _adler32_combine(adler1: int, adler2: int, len2: int) -> int:
    base = 65521
    rem = len2 % base
    sum1 = adler1 & 0xFFFF
    sum2 = (rem * sum1) % base
    sum1 += (adler2 & 0xFFFF) + base - 1
    sum2 += ((adler1 >> 16) & 0xFFFF) + ((adler2 >> 16) & 0xFFFF) + base - rem
    sum1 %= base
    sum2 %= base
    return sum1 | (sum2 << 16)


def _adler32_repeat(chunk: bytes, times: int) -> int:
    result, result_len = 1, 0
    power, power_len = zlib.adler32(chunk), len(chunk)
    while times:
        if times & 1:
            result = _adler32_combine(result, power, power_len)
            result_len += power_len
        times >>= 1
        if times:
            power = _adler32_combine(power, power, power_len)
            power_len *= 2
    return result


def zlib_repeated(prefix: bytes, chunk: bytes, times: int, suffix: bytes) -> bytes:
    """A zlib stream (as PDF's FlateDecode and PNG's IDAT hold) of prefix + chunk * times +
    suffix, with its true Adler-32."""
    stream, _crc, _size = repeated(prefix, chunk, times, suffix)
    adler = zlib.adler32(prefix)
    adler = _adler32_combine(adler, _adler32_repeat(chunk, times), len(chunk) * times)
    adler = _adler32_combine(adler, zlib.adler32(suffix), len(suffix))
    return b"\x78\xda" + stream + struct.pack(">I", adler)
