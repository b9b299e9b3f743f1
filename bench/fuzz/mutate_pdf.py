"""Mutations of PDF files: absurd counts and boxes, annotations of the wrong type, image
dictionaries that lie, decompression bombs, broken page trees, cross-references and encryption.

Most are made with pikepdf (so the file is otherwise well formed and a reader gets to the damage);
the cross-reference ones edit bytes, so the reader must repair the file first.
"""

from __future__ import annotations

import io
import random
import re
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from . import ziptools


def _edit(data: bytes, change: object) -> bytes:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        change(pdf)  # type: ignore[operator]
        buf = io.BytesIO()
        pdf.save(
            buf,
            deterministic_id=True,
            object_stream_mode=pikepdf.ObjectStreamMode.disable,
            compress_streams=False,
        )
        return buf.getvalue()


def _page(pdf: pikepdf.Pdf, rng: random.Random) -> pikepdf.Object:
    return pdf.pages[rng.randrange(len(pdf.pages))].obj


def pdf_count(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """The page tree's /Count says 10^9 (or -1, 0, a string) pages."""
    value = rng.choice([10**9, 2**31, -1, 0, "abc"])

    def change(pdf: pikepdf.Pdf) -> None:
        pdf.Root.Pages.Count = String(value) if isinstance(value, str) else value

    return _edit(data, change), f"/Count {value}"


_ANNOTS = {
    "integer": lambda pdf: 5,
    "string": lambda pdf: String("annots"),
    "name": lambda pdf: Name.Link,
    "dictionary": lambda pdf: Dictionary(Subtype=Name.Link, Rect=[0, 0, 10, 10]),
    "array of numbers": lambda pdf: Array([1, 2, 3]),
    "array with null": lambda pdf: Array([None, Dictionary(Subtype=Name.Text)]),
    "10,000 links": lambda pdf: Array(
        [Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[0, 0, 5, 5])] * 10_000
    ),
}


def pdf_annots(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """A page's /Annots is not an array of dictionaries."""
    how = rng.choice(sorted(_ANNOTS))

    def change(pdf: pikepdf.Pdf) -> None:
        _page(pdf, rng).Annots = _ANNOTS[how](pdf)

    return _edit(data, change), f"/Annots {how}"


_PAGE_VALUES: dict[str, list[Any]] = {
    "Rotate": [45, -90, 10**10, Name.Ninety, String("90"), 2.5],
    "MediaBox": [
        [0, 0, 0, 0],
        [0, 0, 10**9, 10**9],
        [0, 0, -595, -842],
        [0],
        Name.A4,
        [0, 0, 1, 100_000],
        [0, 0, 14_400, 14_400],
    ],
    "CropBox": [[5000, 5000, 6000, 6000], [0, 0, 0.001, 0.001], String("x")],
    "Resources": [Name.Nothing, 7, Dictionary(XObject=5)],
    "Contents": [42, Array([1, None]), String("q Q"), None],
    "UserUnit": [75_000, 0, -1],
}


def pdf_page_dict(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """A page entry of the wrong type or an absurd value: /Rotate, /MediaBox, /CropBox,
    /Resources, /Contents, /UserUnit."""
    key = rng.choice(sorted(_PAGE_VALUES))
    value = rng.choice(_PAGE_VALUES[key])

    def change(pdf: pikepdf.Pdf) -> None:
        page = _page(pdf, rng)
        if value is None:
            del page[f"/{key}"]
        else:
            page[f"/{key}"] = Array(value) if isinstance(value, list) else value

    return _edit(data, change), f"/{key} {value!r}"


def _first_image(pdf: pikepdf.Pdf) -> pikepdf.Object | None:
    for page in pdf.pages:
        resources = page.obj.get("/Resources")
        xobjects = resources.get("/XObject") if resources is not None else None
        if xobjects is not None:
            for _key, image in xobjects.items():
                return image
    return None


def pdf_image_dims(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """A page image's dictionary lies: 100,000 × 100,000 pixels, zero or negative sizes, bit
    depths and colour spaces that do not exist, or a Flate image declaring 20,000 × 20,000 whose
    data does inflate to that (1.2 GB)."""
    how = rng.choice(["huge", "zero", "negative", "bits", "colour space", "filters", "bomb"])

    def change(pdf: pikepdf.Pdf) -> None:
        image = _first_image(pdf)
        if image is None:  # a page without images: give it one
            page = pdf.pages[0]
            image = pikepdf.Stream(pdf, b"\0" * 12, Type=Name.XObject, Subtype=Name.Image)
            image.Width, image.Height, image.BitsPerComponent = 2, 2, 8
            image.ColorSpace = Name.DeviceRGB
            page.obj.Resources = Dictionary(XObject=Dictionary(Im9=image))
            page.obj.Contents = pikepdf.Stream(pdf, b"q 595 0 0 842 0 0 cm /Im9 Do Q")
        if how == "huge":
            image.Width, image.Height = 100_000, 100_000
        elif how == "zero":
            image.Width, image.Height = 0, 0
        elif how == "negative":
            image.Width, image.Height = -1, 5
        elif how == "bits":
            image.BitsPerComponent = rng.choice([0, 3, 16, 64])
        elif how == "colour space":
            image.ColorSpace = rng.choice(
                [Name.Bogus, Array([Name.ICCBased, pikepdf.Stream(pdf, b"", N=100)]), 5]
            )
        elif how == "filters":
            image.Filter = Array([Name.FlateDecode, Name.DCTDecode, Name.RunLengthDecode])
        else:
            side = 20_000
            stream = ziptools.zlib_repeated(b"", b"\x80" * 60_000, side * side * 3 // 60_000, b"")
            image.write(stream, filter=Name.FlateDecode)
            image.Width, image.Height, image.BitsPerComponent = side, side, 8
            image.ColorSpace = Name.DeviceRGB
            for key in ("/DecodeParms", "/SMask", "/Mask"):
                if key in image:
                    del image[key]

    return _edit(data, change), f"image {how}"


def pdf_flate_bomb(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """A page's content stream inflates to 15 MB (just under the 16 MB limit: the worst page
    accepted) .. 1.5 GB (white space, or drawing operators)."""
    size = rng.choice([15, 64, 512, 1536]) << 20
    chunk = rng.choice([b" " * 65536, b"0 0 m 1 1 l S\n" * 4096, b"q Q " * 16384])

    def change(pdf: pikepdf.Pdf) -> None:
        stream = ziptools.zlib_repeated(b"q ", chunk, size // len(chunk), b" Q")
        contents = pikepdf.Stream(pdf, b"")
        contents.write(stream, filter=Name.FlateDecode)
        _page(pdf, rng).Contents = contents

    return _edit(data, change), f"content inflates to {size >> 20} MB of {chunk[:8]!r}"


def pdf_pages_many(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """6,000 or 100,000 pages (past the 5,000-page limit), or one page object listed 6,000 times."""
    count = rng.choice([6000, 100_000])
    how = rng.choice(["pages", "same page"])

    def change(pdf: pikepdf.Pdf) -> None:
        page = pdf.pages[0].obj
        content = pikepdf.Stream(pdf, b"0 0 m 10 10 l S")
        if how == "same page":
            pdf.Root.Pages.Kids = Array([page] * count)
            pdf.Root.Pages.Count = count
            return
        kids = [
            pdf.make_indirect(
                Dictionary(
                    Type=Name.Page, Parent=pdf.Root.Pages, MediaBox=[0, 0, 595, 842],
                    Contents=content,
                )
            )
            for _ in range(count)
        ]  # fmt: skip
        pdf.Root.Pages.Kids = Array(kids)
        pdf.Root.Pages.Count = count

    return _edit(data, change), f"{count:,} {how}"


def pdf_tree(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """The page tree is broken: a node is its own kid, /Kids is not an array, /Pages is missing,
    pages inherit nothing, 5,000 levels of intermediate nodes."""
    how = rng.choice(["cycle", "kids not array", "no pages", "nothing inherited", "deep"])

    def change(pdf: pikepdf.Pdf) -> None:
        pages = pdf.Root.Pages
        if how == "cycle":
            pages.Kids.append(pages)
            pages.Count = int(pages.Count) + 1
        elif how == "kids not array":
            pages.Kids = rng.choice([Name.Kids, 3, Dictionary()])
        elif how == "no pages":
            del pdf.Root["/Pages"]
        elif how == "nothing inherited":
            for page in pdf.pages:
                for key in ("/MediaBox", "/Resources"):
                    if key in page.obj:
                        del page.obj[key]
        else:
            first = pages.Kids[0]
            node = first
            for _ in range(5000):
                node = pdf.make_indirect(Dictionary(Type=Name.Pages, Kids=[node], Count=1))
            pages.Kids[0] = node

    return _edit(data, change), how


def pdf_xref(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """Bytes edited without fixing the cross-reference table: startxref wrong, the table gone,
    a stream /Length wrong, %%EOF missing, junk before the header."""
    how = rng.choice(["startxref", "no xref", "length", "no eof", "junk prefix", "objects"])
    out = data
    if how == "startxref":
        value = rng.choice([b"0", b"99999999999", b"-5", b"abc"])
        out = re.sub(rb"startxref\s+\d+", b"startxref\n" + value, data)
    elif how == "no xref":
        out = re.sub(rb"xref\s.*?trailer", b"trailer", data, flags=re.S)
    elif how == "length":
        value = rng.choice([b"0", b"999999999999", b"-1", b"3 0 R"])
        lengths = list(re.finditer(rb"/Length (\d+)", data))
        if lengths:
            m = rng.choice(lengths)
            out = data[: m.start(1)] + value + data[m.end(1) :]
    elif how == "no eof":
        out = data.replace(b"%%EOF", b"")
    elif how == "junk prefix":
        out = rng.randbytes(rng.randint(1, 900)).replace(b"%PDF", b"xxxx") + data
    else:
        out = re.sub(rb"\n(\d+) 0 obj", lambda m: b"\n1 0 obj", data, count=3)
    return out, how


def pdf_encrypt(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """An /Encrypt entry that is bogus: random keys, an unknown handler, not a dictionary."""
    how = rng.choice(["random keys", "unknown handler", "integer", "real encryption"])
    if how == "real encryption":
        with pikepdf.open(io.BytesIO(data)) as pdf:
            buf = io.BytesIO()
            user = rng.choice(["", "mat-khau"])
            pdf.save(buf, encryption=pikepdf.Encryption(owner="chu", user=user, R=6))
            return buf.getvalue(), f"AES-256, user password {user!r}"

    def change(pdf: pikepdf.Pdf) -> None:
        if how == "integer":
            pdf.trailer.Encrypt = 7
            return
        pdf.trailer.Encrypt = pdf.make_indirect(
            Dictionary(
                Filter=Name.Standard if how == "random keys" else Name.Bogus,
                V=rng.choice([1, 2, 4, 5, 99]),
                R=rng.choice([2, 3, 4, 6, 99]),
                O=String(rng.randbytes(32)),
                U=String(rng.randbytes(32)),
                P=-4,
                Length=rng.choice([40, 128, 0, 100_000]),
            )
        )

    return _edit(data, change), how


PDF = [
    ("pdf_count", pdf_count),
    ("pdf_annots", pdf_annots),
    ("pdf_page_dict", pdf_page_dict),
    ("pdf_image_dims", pdf_image_dims),
    ("pdf_flate_bomb", pdf_flate_bomb),
    ("pdf_pages_many", pdf_pages_many),
    ("pdf_tree", pdf_tree),
    ("pdf_xref", pdf_xref),
    ("pdf_encrypt", pdf_encrypt),
]
