"""Mutations that apply to any file, and to any zip container (workbooks and zips of scans).

A mutation is `fn(rng, data) -> (new data, note)`: deterministic for a given `random.Random`
state, the note saying what was done (shown in the report beside the reproduction command).
"""

from __future__ import annotations

import random
import zipfile
from collections.abc import Callable

from . import ziptools

Mutation = Callable[[random.Random, bytes], tuple[bytes, str]]


def valid(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """The seed as it is: every seed must be accepted, or the harness measures nothing."""
    return data, "unchanged seed"


def truncate(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """Cut short, as an upload that broke off: anywhere, or in the last few hundred bytes."""
    where = rng.choice(["anywhere", "near the end", "first bytes"])
    if where == "anywhere":
        cut = rng.randrange(1, max(2, len(data)))
    elif where == "near the end":
        cut = max(1, len(data) - rng.randint(1, 600))
    else:
        cut = rng.randint(1, 64)
    return data[:cut], f"truncated to {cut} of {len(data)} bytes ({where})"


def flip(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """Random bytes changed (bit flips, 0x00 / 0xFF runs), the first few bytes kept so that the
    type is still recognised."""
    out = bytearray(data)
    count = rng.choice([1, 2, 4, 16, 64])
    keep = min(8, len(out) - 1)
    for _ in range(count):
        pos = rng.randrange(keep, len(out))
        how = rng.random()
        if how < 0.6:
            out[pos] ^= 1 << rng.randrange(8)
        elif how < 0.8:
            out[pos] = rng.choice([0x00, 0xFF, 0x7F, 0x80])
        else:
            run = rng.randint(2, 64)
            out[pos : pos + run] = bytes([rng.choice([0, 0xFF])]) * len(out[pos : pos + run])
    return bytes(out), f"{count} byte changes"


# ---- zip containers -------------------------------------------------------------------------


def _pick_member(
    rng: random.Random, items: list[tuple[zipfile.ZipInfo, bytes]]
) -> tuple[int, zipfile.ZipInfo]:
    candidates = [i for i, (info, _d) in enumerate(items) if not info.is_dir()]
    index = rng.choice(candidates)
    return index, items[index][0]


def _named(items: list[tuple[zipfile.ZipInfo, bytes]]) -> list[tuple[str, bytes]]:
    return [(info.filename, data) for info, data in items]


def member_flip(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """Bytes changed inside one member, re-zipped: the archive is sound, the member is not."""
    items = ziptools.members(data)
    index, info = _pick_member(rng, items)
    damaged, note = flip(rng, items[index][1]) if len(items[index][1]) > 9 else (b"\xff", "")
    named = _named(items)
    named[index] = (info.filename, damaged)
    return ziptools.rezip(named), f"{note} inside {info.filename}"


def member_truncate(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """One member cut short (or emptied), re-zipped."""
    items = ziptools.members(data)
    index, info = _pick_member(rng, items)
    content = items[index][1]
    cut = rng.choice([0, rng.randrange(0, max(1, len(content)))])
    named = _named(items)
    named[index] = (info.filename, content[:cut])
    return ziptools.rezip(named), f"{info.filename} cut to {cut} of {len(content)} bytes"


def member_lying_size(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """One member replaced by one that declares a small size and inflates to a huge one
    (its own content repeated, or zeros, up to 3 GB)."""
    items = ziptools.members(data)
    index, info = _pick_member(rng, items)
    size = rng.choice([256, 1024, 3072]) << 20
    declared = rng.choice([len(items[index][1]), 1024, 0])
    content = items[index][1]
    if content and rng.random() < 0.5:
        # The member's own start, then its body repeated: still looks like what it was.
        head = content[: len(content) // 2]
        chunk = (content[len(content) // 2 :] or b" ") * max(1, 65536 // max(1, len(content)))
        bomb = ziptools.big_entry(info.filename, size, prefix=head, chunk=chunk, declared=declared)
        what = "its own content repeated"
    else:
        bomb = ziptools.big_entry(info.filename, size, declared=declared)
        what = "zeros"
    entries = [
        bomb if i == index else ziptools.entry(i_info.filename, d)
        for i, (i_info, d) in enumerate(items)
    ]
    note = f"{info.filename} declares {declared} bytes, inflates to {size >> 20} MB of {what}"
    return ziptools.build(entries), note


def zip_structure(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """The directory or a header lies: entry count, directory offset, compression method,
    encryption flag, duplicate names, a member that is a symbolic link."""
    items = ziptools.members(data)
    entries = [ziptools.entry(info.filename, d) for info, d in items]
    how = rng.choice(["count", "offset", "method", "encrypted", "duplicate", "symlink", "bzip2"])
    index = rng.randrange(len(entries))
    count, delta = None, 0
    if how == "count":
        count = rng.choice([0, 65535, len(entries) + 1])
    elif how == "offset":
        delta = rng.choice([-1, 1, -len(data), 1 << 20])
    elif how == "method":
        entries[index].method = rng.choice([9, 14, 93, 99, 6])
    elif how == "encrypted":
        entries[index].flags |= 0x1
    elif how == "duplicate":
        entries.append(entries[index])
    elif how == "symlink":
        entries[index].external_attr = 0o120777 << 16
    else:
        import bz2

        content = items[index][1]
        entries[index] = ziptools.Entry(
            entries[index].name, bz2.compress(content), entries[index].crc, len(content), 12
        )
    return ziptools.build(entries, count=count, cd_offset_delta=delta), (
        f"{how} ({entries[index].name.decode(errors='replace')})"
    )


CONTAINER: list[tuple[str, Mutation]] = [
    ("member_flip", member_flip),
    ("member_truncate", member_truncate),
    ("member_lying_size", member_lying_size),
    ("zip_structure", zip_structure),
]
