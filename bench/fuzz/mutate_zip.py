"""Mutations of zips of scans: names that escape or confuse, nesting, nested bombs, crowds."""

from __future__ import annotations

import random

from . import seeds, ziptools

_NAMES = [
    b"../thoat.pdf",
    b"/tuyet-doi.pdf",
    b"C:\\Windows\\x.pdf",
    b"a/../../b.pdf",
    b"nul\x00byte.pdf",
    b"x" * 300 + b".pdf",
    b"y" * 65000 + b".jpg",
    b"\xff\xfe\xfd.pdf",  # not UTF-8, with the UTF-8 flag set
    b"__MACOSX/._a.pdf",
    b".an.pdf",
    b"Thumbs.db",
    b"thu-muc/",
    b"",
    b"KS.2017.01.2017-02-30.05.pdf",  # a conventional name with a date that does not exist
    b"KS.9999.99.9999-99-99.99999999999999999999.pdf",
]


def zip_names(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """Member names that climb out, are absolute, hold NUL, are 65,000 bytes long, are not
    UTF-8 despite the flag, are only junk (macOS, Thumbs.db), or name impossible cases."""
    items = ziptools.members(data)
    entries = [ziptools.entry(info.filename, d) for info, d in items]
    picked = rng.sample(_NAMES, rng.randint(1, 3))
    for name in picked:
        target = rng.randrange(len(entries))
        if rng.random() < 0.5 or name.endswith(b"/"):
            extra = ziptools.entry("x", items[target % len(items)][1])  # entries may be more
            extra.name = name
            entries.append(extra)
        else:
            entries[target].name = name
    return ziptools.build(entries), "names " + ", ".join(repr(n[:30]) for n in picked)


def nest(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """The file wrapped in 2 to 8 levels of zips, with a scan beside it at each level."""
    levels = rng.randint(2, 8)
    out = data
    for level in range(levels):
        members = [(f"muc-{level}/ben-trong.zip", out)]
        if rng.random() < 0.5:
            members.append((f"muc-{level}/trang.jpg", seeds.seed("jpeg_grey")))
        out = ziptools.rezip(members)
    return out, f"{levels} levels"


def bomb_nested(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """42.zip's pattern: `width` copies of the level below at each of `depth` levels, the
    bottom a member of 16 to 256 MB of zeros; every size declared truthfully, so each zip on its
    own is under the 4 GB that one zip may expand to, while the whole is not."""
    width, depth = rng.randint(2, 8), rng.randint(2, 5)
    bottom = rng.choice([16, 64, 256]) << 20
    names = [".pdf", ".jpg", ".tif", ".bin"]
    leaf = ziptools.big_entry("x", bottom)
    level = ziptools.build(
        [
            ziptools.Entry(f"{n}{rng.choice(names)}".encode(), leaf.data, leaf.crc, leaf.size)
            for n in range(width)
        ]
    )
    for _ in range(depth - 1):
        level = ziptools.build([ziptools.entry(f"{n}.zip", level) for n in range(width)])
    total = width**depth * bottom
    return level, f"{width} wide, {depth} deep, {bottom >> 20} MB leaves: {total / 2**30:,.1f} GB"


def many_members(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """5,001 or 70,000 members (past the 5,000-file limit), or 2,000 tiny JPEGs (under it)."""
    how = rng.choice(["5001 empty", "70000 empty", "2000 tiny"])
    if how == "2000 tiny":
        tiny = seeds.draw_page((16, 16))
        import io

        buf = io.BytesIO()
        tiny.save(buf, "JPEG")
        one = ziptools.entry("t.jpg", buf.getvalue())
        count = 2000
    else:
        one = ziptools.entry("t.pdf", b"")
        count = int(how.split()[0])
    entries = [
        ziptools.Entry(f"{n}.{'jpg' if how == '2000 tiny' else 'pdf'}".encode(), one.data,
                       one.crc, one.size)
        for n in range(count)
    ]  # fmt: skip
    return ziptools.build(entries), how


ZIP = [
    ("zip_names", zip_names),
    ("nest", nest),
    ("bomb_nested", bomb_nested),
    ("many_members", many_members),
]
