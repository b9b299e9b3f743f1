"""Generators of scan files for tests and benchmarks: deterministic, fast, written to a given path.

They build their files directly with Pillow and pikepdf, never with the code under test, so a
bug in `hotich.scans.processing` cannot hide itself in its own fixtures. A "book" page looks like
a colour scan of a handwritten register page: tinted paper with a faint blotchy texture and grain,
ruled table lines and rows of blue-ink scribbles, stored as one JPEG image filling an A4 page,
which is how scanning stations write them.
"""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pikepdf
from pikepdf import Dictionary, Name
from PIL import Image, ImageChops, ImageDraw

A4_POINTS = (595.28, 841.89)
_PAPER = ((176, 168, 140), (180, 172, 150), (170, 166, 150), (182, 170, 132))


def _noise(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    # Image.effect_noise draws from C's rand(), which no seed of ours controls.
    return Image.frombytes("L", size, rng.randbytes(size[0] * size[1]))


def _texture(size: tuple[int, int], seed: int, colour: bool) -> Image.Image:
    """Tinted paper: low-frequency blotches plus a little grain."""
    w, h = size
    rng = random.Random(seed)
    blotch = _noise(rng, (max(1, w // 48), max(1, h // 48)))
    blotch = blotch.resize((w, h), Image.Resampling.BICUBIC).point([v // 24 for v in range(256)])
    grain = _noise(rng, (max(1, w // 2), max(1, h // 2))).resize((w, h), Image.Resampling.NEAREST)
    grain = grain.point([v // 48 for v in range(256)])
    grey = ImageChops.add(blotch, grain)
    tint = _PAPER[seed % len(_PAPER)]
    if not colour:
        return grey.point([min(255, v + 180) for v in range(256)])
    bands = [grey.point([min(255, v + t) for v in range(256)]) for t in tint]
    return Image.merge("RGB", bands)


def _handwriting(im: Image.Image, seed: int, *, number: str = "") -> None:
    """Ruled rows and blue-ink scribbles, different on every page."""
    rng = random.Random(seed)
    draw = ImageDraw.Draw(im)
    w, h = im.size
    ink = (40, 50, 120) if im.mode == "RGB" else 50
    rule = (130, 120, 150) if im.mode == "RGB" else 120
    margin = w // 16
    row = max(24, h // 28)
    for x in (margin, w // 3, (2 * w) // 3, w - margin):
        draw.line([(x, margin * 2), (x, h - margin)], fill=rule, width=2)
    for y in range(margin * 2, h - margin, row):
        draw.line([(margin, y), (w - margin, y)], fill=rule, width=2)
        if rng.random() < 0.25:
            continue
        x = margin + rng.randint(10, 60)
        while x < w - margin - 120:
            strokes = rng.randint(4, 14)
            points = [(x + i * 7, y - 8 - rng.randint(0, row // 2)) for i in range(strokes)]
            draw.line(points, fill=ink, width=3)
            x = points[-1][0] + rng.randint(25, 90)
    if number:
        draw.text((w - margin * 3, margin), number, fill=ink)


def _jpeg(im: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def _quality_for(im: Image.Image, target: int) -> int:
    """The JPEG quality whose output is closest to `target` bytes (bisection)."""
    low, high = 5, 95
    while high - low > 2:
        mid = (low + high) // 2
        if len(_jpeg(im, mid)) > target:
            high = mid
        else:
            low = mid
    return low


def _image_page(pdf: pikepdf.Pdf, jpeg: bytes, pixels: tuple[int, int], colour: bool) -> None:
    width, height = A4_POINTS
    if pixels[0] > pixels[1]:
        width, height = height, width
    image = pikepdf.Stream(
        pdf,
        jpeg,
        Type=Name.XObject,
        Subtype=Name.Image,
        Width=pixels[0],
        Height=pixels[1],
        ColorSpace=Name.DeviceRGB if colour else Name.DeviceGray,
        BitsPerComponent=8,
        Filter=Name.DCTDecode,
    )
    content = f"q {width:.2f} 0 0 {height:.2f} 0 0 cm /Im0 Do Q".encode()
    page = Dictionary(
        Type=Name.Page,
        MediaBox=[0, 0, width, height],
        Resources=Dictionary(XObject=Dictionary(Im0=image)),
        Contents=pikepdf.Stream(pdf, content),
    )
    pdf.pages.append(pikepdf.Page(page))


def make_book_pdf(
    path: Path,
    pages: int = 10,
    kb_per_page: int = 100,
    colour: bool = True,
    size: tuple[int, int] = (1654, 2339),
    *,
    seed: int = 0,
) -> Path:
    """A scanned book: each page one JPEG of `size` pixels (A4 at 200 dpi by default), about
    `kb_per_page` kB each, on an A4 page."""
    textures = [_texture(size, seed + i, colour) for i in range(min(pages, 3))]
    quality = 75
    pdf = pikepdf.Pdf.new()
    for index in range(pages):
        im = textures[index % len(textures)].copy()
        _handwriting(im, seed * 100_003 + index, number=str(index + 1))
        if index == 0:
            quality = _quality_for(im, kb_per_page * 1024)
        _image_page(pdf, _jpeg(im, quality), size, colour)
    pdf.save(path, deterministic_id=True)
    return path


def make_case_pdf(path: Path, pages: int = 1, *, seed: int | None = None) -> Path:
    """One case as provincial platforms keep it: a short colour PDF. Different file names give
    different content (as different cases have), unless a seed is given."""
    if seed is None:
        seed = 7 + sum(path.name.encode()) % 9973
    return make_book_pdf(path, pages=pages, seed=seed, kb_per_page=40)


def make_vector_pdf(path: Path) -> Path:
    """A page without any image: text and ruled lines drawn as PDF operators."""
    pdf = pikepdf.Pdf.new()
    font = Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
    lines = ["q 0.2 0.2 0.6 RG 1 w"]
    for y in range(100, 760, 40):
        lines.append(f"50 {y} m 545 {y} l S")
    lines += [
        "Q",
        "BT /F1 28 Tf 60 780 Td (SO DANG KY KHAI SINH) Tj ET",
        "BT /F1 14 Tf 60 740 Td (So: 05   Quyen: 01   Nam: 2017) Tj ET",
        "0.8 0.1 0.1 rg 400 40 120 40 re f",
    ]
    page = Dictionary(
        Type=Name.Page,
        MediaBox=[0, 0, *A4_POINTS],
        Resources=Dictionary(Font=Dictionary(F1=font)),
        Contents=pikepdf.Stream(pdf, "\n".join(lines).encode()),
    )
    pdf.pages.append(pikepdf.Page(page))
    pdf.save(path, deterministic_id=True)
    return path


def _photo(size: tuple[int, int]) -> Image.Image:
    """A photo whose stored top-left quarter is red and the rest paper with writing, so a test
    can tell which way it was turned."""
    im = _texture(size, 1, True)
    _handwriting(im, 1)
    ImageDraw.Draw(im).rectangle([0, 0, size[0] // 4, size[1] // 4], fill=(220, 20, 20))
    return im


def make_jpeg(
    path: Path, exif_rotation: bool = False, *, size: tuple[int, int] = (4032, 3024)
) -> Path:
    """A phone photo (landscape as stored). With `exif_rotation`, EXIF orientation 6: shown
    turned 90° clockwise, so portrait, with the red corner at the top right."""
    im = _photo(size)
    exif = Image.Exif()
    exif[0x0112] = 6 if exif_rotation else 1  # Orientation
    im.save(path, "JPEG", quality=80, exif=exif.tobytes(), dpi=(72, 72))
    return path


def make_png(path: Path, *, size: tuple[int, int] = (1240, 1754), mode: str = "RGB") -> Path:
    """A screenshot-like PNG (A4 at 150 dpi by default); `mode` "RGBA" gives it transparency."""
    im = _photo(size)
    if mode == "RGBA":
        im.putalpha(Image.new("L", size, 200))
    else:
        im = im.convert(mode)
    im.save(path, "PNG", dpi=(150, 150))
    return path


def make_multipage_tiff(path: Path, pages: int = 3, *, size: tuple[int, int] = (827, 1170)) -> Path:
    """A multi-page TIFF from a document scanner (A4 at 100 dpi), deflate-compressed."""
    frames = []
    for index in range(pages):
        im = _texture(size, index, True)
        _handwriting(im, index, number=str(index + 1))
        frames.append(im)
    frames[0].save(
        path,
        "TIFF",
        save_all=True,
        append_images=frames[1:],
        compression="tiff_deflate",
        dpi=(100, 100),
    )
    return path


def make_encrypted_pdf(path: Path) -> Path:
    """A PDF that cannot be opened without its user password."""
    make_book_pdf(path, pages=2, kb_per_page=30, size=(620, 877))
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(owner="chu-so", user="mat-khau", R=6))
    return path


def make_corrupt_pdf(path: Path) -> Path:
    """A PDF cut off halfway through its transfer (the upload broke)."""
    make_book_pdf(path, pages=3, kb_per_page=30, size=(620, 877))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def make_empty_file(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def make_zip(path: Path, members: dict[str, Path]) -> Path:
    """A zip holding each file of `members` under its name (which may contain folders)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, source in members.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 2, 3, 4, 5))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, source.read_bytes())
    return path


def make_zip_traversal(path: Path) -> Path:
    """A zip whose member would be written outside the extraction folder."""
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("ok.pdf", date_time=(2024, 1, 1, 0, 0, 0)), b"%PDF-1.4\n")
        zf.writestr(zipfile.ZipInfo("../evil.pdf", date_time=(2024, 1, 1, 0, 0, 0)), b"%PDF-1.4")
    return path
