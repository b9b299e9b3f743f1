"""Scan files into pages: what comes out for each kind of file, and what is refused and why."""

from __future__ import annotations

import hashlib
import io
import threading
import unicodedata
import zipfile
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import Image

from hotich.scans import processing
from hotich.scans.processing import THUMB_MAX, VIEW_MAX, ScanError
from tests.scans import samples

A4_RATIO = 210 / 297


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("scans")
    return {
        "book": samples.make_book_pdf(d / "book.pdf", pages=6),
        "case": samples.make_case_pdf(d / "KS.2017.01.2017-02-03.05.pdf", pages=2),
        "vector": samples.make_vector_pdf(d / "vector.pdf"),
        "photo": samples.make_jpeg(d / "photo.jpg", size=(2400, 1800)),
        "photo_turned": samples.make_jpeg(d / "turned.jpg", exif_rotation=True, size=(2400, 1800)),
        "png": samples.make_png(d / "page.png"),
        "tiff": samples.make_multipage_tiff(d / "pages.tif", pages=3),
        "encrypted": samples.make_encrypted_pdf(d / "locked.pdf"),
        "corrupt": samples.make_corrupt_pdf(d / "cut.pdf"),
        "empty": samples.make_empty_file(d / "empty.pdf"),
    }


def pages_of(path: Path, **kwargs) -> list[processing.PageOutput]:
    return list(processing.iter_pages(path, processing.sniff(path, path.name), **kwargs))


def open_jpeg(data: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(data))
    assert im.format == "JPEG"
    im.load()
    return im


def page_images(pdf: pikepdf.Pdf) -> list[bytes]:
    return [page.Resources.XObject.Im0.read_raw_bytes() for page in pdf.pages]


def colour_at(im: Image.Image, x: float, y: float) -> tuple[int, ...]:
    """The colour at a point given as fractions of the width and height."""
    return im.convert("RGB").getpixel((int(x * (im.width - 1)), int(y * (im.height - 1))))


def is_red(rgb: tuple[int, ...]) -> bool:
    r, g, b = rgb[:3]
    return r > 150 and g < 90 and b < 90


# ---- sniffing --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("book", "pdf"),
        ("photo", "jpeg"),
        ("png", "png"),
        ("tiff", "tiff"),
        ("encrypted", "pdf"),
        ("corrupt", "pdf"),
    ],
)
def test_sniff_recognises_each_kind_by_content(files, name, kind):
    assert processing.sniff(files[name], files[name].name) == kind
    # The name is not what decides.
    assert processing.sniff(files[name], "scan.txt") == kind


def test_sniff_recognises_a_zip_and_a_pdf_with_junk_before_its_header(files, tmp_path):
    zipped = samples.make_zip(tmp_path / "batch.zip", {"a.pdf": files["case"]})
    assert processing.sniff(zipped, "batch.zip") == "zip"
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"\r\n\x00 mail header\n" + files["case"].read_bytes())
    assert processing.sniff(junk, "junk.pdf") == "pdf"


def test_an_empty_file_is_refused_as_empty(files):
    with pytest.raises(ScanError) as exc:
        processing.sniff(files["empty"], "empty.pdf")
    assert exc.value.code == "empty"
    assert str(exc.value) == "Tệp rỗng, không có nội dung."


@pytest.mark.parametrize(
    ("content", "name", "says"),
    [
        (b"Hello, this is a text file", "notes.txt", "chỉ nhận PDF"),
        (b"<!DOCTYPE html><title>404</title>", "KS.2017.01.pdf", "không phải PDF"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "IMG_0001.HEIC", "HEIC"),
        (b"GIF89a\x01\x00\x01\x00", "scan.gif", "JPEG, PNG hoặc TIFF"),
    ],
)
def test_unsupported_content_is_refused_with_a_reason(tmp_path, content, name, says):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ScanError) as exc:
        processing.sniff(path, name)
    assert exc.value.code == "unsupported"
    assert says in str(exc.value)
    assert name not in str(exc.value)  # the caller adds the file name


def test_an_office_document_is_not_taken_for_a_zip_of_scans(tmp_path):
    docx = tmp_path / "so.docx"
    with zipfile.ZipFile(docx, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(ScanError) as exc:
        processing.sniff(docx, "so.docx")
    assert exc.value.code == "unsupported"
    assert "Word" in str(exc.value)


def test_sha256_file_is_the_checksum_of_the_content(files):
    data = files["book"].read_bytes()
    assert processing.sha256_file(files["book"]) == hashlib.sha256(data).hexdigest()


# ---- page counts -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "count"),
    [("book", 6), ("case", 2), ("vector", 1), ("photo", 1), ("png", 1), ("tiff", 3)],
)
def test_page_count(files, name, count):
    path = files[name]
    assert processing.page_count(path, processing.sniff(path, path.name)) == count


# ---- PDF books -------------------------------------------------------------------------


def test_a_book_becomes_one_output_per_page_in_order(files):
    pages = pages_of(files["book"])
    assert [p.index for p in pages] == list(range(6))
    with pikepdf.open(files["book"]) as book:
        originals = page_images(book)
    for page, original in zip(pages, originals, strict=True):
        with pikepdf.open(io.BytesIO(page.pdf)) as single:
            assert len(single.pages) == 1
            # The page's scan goes into the deliverable as it was, not re-encoded.
            assert page_images(single) == [original]
        image = open_jpeg(page.image)
        assert image.size == page.image_size
        assert max(image.size) == VIEW_MAX
        assert image.width / image.height == pytest.approx(A4_RATIO, rel=0.01)
        thumb = open_jpeg(page.thumb)
        assert max(thumb.size) <= THUMB_MAX
        assert thumb.width / thumb.height == pytest.approx(A4_RATIO, rel=0.02)
        assert page.sha256 == hashlib.sha256(page.image).hexdigest()
    assert len({p.sha256 for p in pages}) == 6


def test_pages_are_the_same_whatever_the_number_of_workers(files):
    one = pages_of(files["book"], workers=1)
    three = pages_of(files["book"], workers=3)
    assert [(p.pdf, p.image, p.thumb) for p in one] == [(p.pdf, p.image, p.thumb) for p in three]


def test_a_page_image_that_already_fits_is_passed_through(tmp_path):
    small = samples.make_book_pdf(tmp_path / "small.pdf", pages=2, size=(1240, 1754))
    with pikepdf.open(small) as book:
        originals = page_images(book)
    assert [p.image for p in pages_of(small)] == originals


def test_a_page_with_text_and_drawings_is_rendered(files):
    [page] = pages_of(files["vector"])
    image = open_jpeg(page.image)
    assert max(image.size) == VIEW_MAX
    assert image.width / image.height == pytest.approx(A4_RATIO, rel=0.01)
    # The red box drawn at x 400-520 pt, y 40-80 pt from the bottom of the A4 page.
    assert is_red(colour_at(image, 460 / 595.28, 1 - 60 / 841.89))
    # The title is dark text on white.
    title = image.convert("L").crop((0, 0, image.width, image.height // 12))
    darkest, lightest = title.getextrema()
    assert darkest < 80 and lightest > 240
    with pikepdf.open(io.BytesIO(page.pdf)) as single:
        assert len(single.pages) == 1


def test_a_turned_page_is_shown_turned(files, tmp_path):
    turned = tmp_path / "turned.pdf"
    with pikepdf.open(files["case"]) as pdf:
        pdf.pages[0].Rotate = 90
        pdf.save(turned)
    first, second = pages_of(turned)
    assert first.image_size[0] > first.image_size[1]  # landscape, as a reader shows it
    assert second.image_size[0] < second.image_size[1]
    with pikepdf.open(io.BytesIO(first.pdf)) as single:
        assert single.pages[0].Rotate == 90


def test_a_scan_placed_smaller_than_its_page_is_rendered_with_its_margins(files, tmp_path):
    framed = tmp_path / "framed.pdf"
    with pikepdf.open(files["case"]) as pdf:
        page = pdf.pages[0]
        page.Contents = pikepdf.Stream(pdf, b"q 297.64 0 0 420.94 0 0 cm /Im0 Do Q")
        pdf.save(framed)
    page = pages_of(framed)[0]
    image = open_jpeg(page.image)
    assert max(image.size) == VIEW_MAX
    assert colour_at(image, 0.9, 0.1) == pytest.approx((255, 255, 255), abs=8)  # empty paper


def test_a_repairable_pdf_is_accepted(files, tmp_path):
    # A wrong cross-reference offset: qpdf rebuilds the table and nothing is missing.
    data = files["case"].read_bytes()
    start = data.rindex(b"startxref") + len(b"startxref\n")
    end = data.index(b"\n", start)
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(data[:start] + b"12345" + data[end:])
    assert processing.page_count(damaged, "pdf") == 2
    assert len(pages_of(damaged)) == 2


def test_abandoning_the_pages_early_leaves_no_threads_behind(files):
    before = threading.active_count()
    first = next(iter(processing.iter_pages(files["book"], "pdf", workers=2)))
    assert first.index == 0
    assert threading.active_count() == before


# ---- image files -----------------------------------------------------------------------


def test_a_photo_is_one_page_within_the_viewer_size(files):
    [page] = pages_of(files["photo"])
    image = open_jpeg(page.image)
    assert image.size == page.image_size == (2000, 1500)
    assert is_red(colour_at(image, 0.05, 0.05))
    assert max(open_jpeg(page.thumb).size) <= THUMB_MAX


def test_exif_orientation_of_a_phone_photo_is_honoured(files):
    [page] = pages_of(files["photo_turned"])
    image = open_jpeg(page.image)
    assert image.size == page.image_size == (1500, 2000)  # stored landscape, shown portrait
    assert is_red(colour_at(image, 0.95, 0.05))  # the stored top-left corner, turned right
    thumb = open_jpeg(page.thumb)
    assert thumb.width < thumb.height and is_red(colour_at(thumb, 0.95, 0.05))
    # The page PDF shows it the same way.
    with pdfium.PdfDocument(page.pdf) as doc:
        shown = doc[0].render(scale=0.3).to_pil()
    assert shown.width < shown.height
    assert is_red(colour_at(shown, 0.95, 0.05))


def test_a_photo_goes_into_its_pdf_as_it_was_without_its_metadata(files):
    [page] = pages_of(files["photo_turned"])
    with pikepdf.open(io.BytesIO(page.pdf)) as single:
        [embedded] = page_images(single)
    im = Image.open(io.BytesIO(embedded))
    assert im.size == (2400, 1800)
    assert "exif" not in im.info  # no camera details or GPS position in the archive
    # Same compressed image data as the photo: not decoded and encoded again.
    original = files["photo_turned"].read_bytes()
    assert embedded[-4096:] == original[-4096:]


def test_a_multipage_tiff_gives_a_page_per_frame(files):
    pages = pages_of(files["tiff"])
    assert [p.index for p in pages] == [0, 1, 2]
    for page in pages:
        with pikepdf.open(io.BytesIO(page.pdf)) as single:
            assert len(single.pages) == 1
        assert open_jpeg(page.image).size == page.image_size == (827, 1170)
    assert len({p.sha256 for p in pages}) == 3


def test_a_png_with_transparency_is_put_on_white(tmp_path):
    png = samples.make_png(tmp_path / "clear.png", size=(600, 800), mode="RGBA")
    [page] = pages_of(png)
    image = open_jpeg(page.image)
    assert image.mode == "RGB" and image.size == (600, 800)
    with pikepdf.open(io.BytesIO(page.pdf)) as single:
        assert len(single.pages) == 1


def test_a_bilevel_tiff_stays_lossless_in_its_pdf(tmp_path):
    path = tmp_path / "fax.tif"
    Image.new("1", (1700, 2200), 1).save(path, compression="group4", dpi=(200, 200))
    [page] = pages_of(path)
    with pikepdf.open(io.BytesIO(page.pdf)) as single:
        image = single.pages[0].Resources.XObject.Im0
        assert image.BitsPerComponent == 1
        assert float(single.pages[0].mediabox[2]) == pytest.approx(1700 * 72 / 200)
    assert open_jpeg(page.image).size == page.image_size == (1545, 2000)


# ---- refusals --------------------------------------------------------------------------


def test_an_encrypted_pdf_is_refused(files):
    for step in (processing.page_count, lambda p, k: list(processing.iter_pages(p, k))):
        with pytest.raises(ScanError) as exc:
            step(files["encrypted"], "pdf")
        assert exc.value.code == "encrypted"
        assert str(exc.value) == "Tệp PDF được đặt mật khẩu: hãy gỡ mật khẩu rồi tải lên lại."


def test_a_truncated_pdf_is_refused_rather_than_giving_blank_pages(files):
    for step in (processing.page_count, lambda p, k: list(processing.iter_pages(p, k))):
        with pytest.raises(ScanError) as exc:
            step(files["corrupt"], "pdf")
        assert exc.value.code == "corrupt"
        assert str(exc.value) == "Tệp PDF bị hỏng, không đọc được."


def test_garbage_after_a_pdf_header_is_corrupt(tmp_path):
    path = tmp_path / "garbage.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    with pytest.raises(ScanError) as exc:
        processing.page_count(path, "pdf")
    assert exc.value.code == "corrupt"


def test_a_pdf_without_pages_is_empty(tmp_path):
    path = tmp_path / "nopages.pdf"
    pikepdf.Pdf.new().save(path)
    with pytest.raises(ScanError) as exc:
        processing.page_count(path, "pdf")
    assert exc.value.code == "empty"
    assert str(exc.value) == "Tệp PDF không có trang nào."


def test_a_truncated_photo_is_corrupt(files, tmp_path):
    data = files["photo"].read_bytes()
    path = tmp_path / "cut.jpg"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ScanError) as exc:
        list(processing.iter_pages(path, "jpeg"))
    assert exc.value.code == "corrupt"
    assert "ảnh bị hỏng" in str(exc.value)


def test_an_image_beyond_the_memory_limit_is_too_large(files, monkeypatch):
    monkeypatch.setattr(processing.photos, "IMAGE_MEMORY", 10_000_000)
    with pytest.raises(ScanError) as exc:
        processing.page_count(files["photo"], "jpeg")
    assert exc.value.code == "too_large"
    assert "2400 × 1800" in str(exc.value)


def test_a_zip_is_not_a_page_source(files, tmp_path):
    zipped = samples.make_zip(tmp_path / "b.zip", {"a.pdf": files["case"]})
    with pytest.raises(ScanError) as exc:
        processing.page_count(zipped, "zip")
    assert exc.value.code == "unsupported"


# ---- zips ------------------------------------------------------------------------------


def test_zip_members_come_out_in_name_order_without_the_clutter(files, tmp_path):
    case, photo = files["case"], files["photo"]
    inner = samples.make_zip(tmp_path / "inner.zip", {"a.pdf": case})
    zipped = samples.make_zip(
        tmp_path / "batch.zip",
        {
            "KS.2017.01/trang 10.jpg": photo,
            "KS.2017.01/trang 2.jpg": photo,
            "KS.2017.01/KS.2017.01.2017-02-03.05.pdf": case,
            "__MACOSX/KS.2017.01/._trang 2.jpg": photo,
            "KS.2017.01/.DS_Store": photo,
            "KS.2017.01/Thumbs.db": photo,
            "inner.zip": inner,
        },
    )
    with zipfile.ZipFile(zipped, "a") as zf:
        zf.writestr(zipfile.ZipInfo("KS.2017.01/empty folder/"), b"")
    members = processing.expand_zip(zipped, tmp_path / "out")
    assert [name for name, _path in members] == [
        "inner.zip/a.pdf",
        "KS.2017.01/KS.2017.01.2017-02-03.05.pdf",
        "KS.2017.01/trang 2.jpg",
        "KS.2017.01/trang 10.jpg",
    ]
    for name, path in members:
        assert (tmp_path / "out") in path.parents
        source = case if name.endswith("pdf") else photo
        assert path.read_bytes() == source.read_bytes()
    # A nested zip is opened in its place; the inner zip itself is not kept.
    assert not list((tmp_path / "out").glob("*.zip"))


def test_zip_names_from_a_mac_come_out_composed(files, tmp_path):
    # macOS stores "Sổ" decomposed (NFD); the rest of the app compares names composed (NFC).
    decomposed = unicodedata.normalize("NFD", "Sổ khai sinh.pdf")
    zipped = samples.make_zip(tmp_path / "mac.zip", {decomposed: files["case"]})
    [(name, _path)] = processing.expand_zip(zipped, tmp_path / "out")
    assert name == unicodedata.normalize("NFC", "Sổ khai sinh.pdf") != decomposed


@pytest.mark.parametrize("bad", ["../evil.pdf", "/etc/evil.pdf", "C:\\evil.pdf", "a/../../x.pdf"])
def test_a_zip_reaching_outside_its_folder_is_refused(files, tmp_path, bad):
    zipped = samples.make_zip(tmp_path / "bad.zip", {"ok.pdf": files["case"], bad: files["case"]})
    with pytest.raises(ScanError) as exc:
        processing.expand_zip(zipped, tmp_path / "out")
    assert exc.value.code == "unsafe"
    assert not (tmp_path / "evil.pdf").exists() and not (tmp_path / "x.pdf").exists()


def test_the_traversal_sample_is_refused(tmp_path):
    with pytest.raises(ScanError) as exc:
        processing.expand_zip(samples.make_zip_traversal(tmp_path / "t.zip"), tmp_path / "o")
    assert exc.value.code == "unsafe"
    assert "../evil.pdf" in str(exc.value)


def test_a_zip_bomb_is_refused(tmp_path):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.pdf", b"\0" * (3 * 1024 * 1024))
    with pytest.raises(ScanError) as exc:
        processing.expand_zip(bomb, tmp_path / "out", max_total_bytes=1024 * 1024)
    assert exc.value.code == "unsafe"


def test_a_zip_lying_about_its_sizes_is_stopped_while_extracting(tmp_path):
    liar = tmp_path / "liar.zip"
    with zipfile.ZipFile(liar, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.pdf", b"\0" * (2 * 1024 * 1024))
    data = bytearray(liar.read_bytes())
    # Declare 1,000 bytes in the central directory (uncompressed size at offset 24).
    central = data.rindex(b"PK\x01\x02")
    data[central + 24 : central + 28] = (1000).to_bytes(4, "little")
    liar.write_bytes(bytes(data))
    with pytest.raises(ScanError) as exc:
        processing.expand_zip(liar, tmp_path / "out")
    assert exc.value.code in {"unsafe", "corrupt"}


def test_a_zip_with_too_many_files_is_refused(files, tmp_path):
    zipped = samples.make_zip(tmp_path / "many.zip", {f"{i}.pdf": files["case"] for i in range(4)})
    with pytest.raises(ScanError) as exc:
        processing.expand_zip(zipped, tmp_path / "out", max_files=3)
    assert exc.value.code == "unsafe"


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda p: zipfile.ZipFile(p, "w").close(), "empty"),
        (lambda p: p.write_bytes(b"PK\x03\x04" + b"\x00" * 100), "corrupt"),
    ],
)
def test_an_empty_or_damaged_zip_is_refused(tmp_path, make, code):
    path = tmp_path / "x.zip"
    make(path)
    with pytest.raises(ScanError) as exc:
        processing.expand_zip(path, tmp_path / "out")
    assert exc.value.code == code


def test_a_password_protected_zip_is_refused(files, tmp_path):
    path = tmp_path / "locked.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("a.pdf", b"%PDF-1.4 (pretend this is encrypted)")
    data = bytearray(path.read_bytes())
    data[6] |= 0x1  # the "encrypted" flag, in the local header and the central directory
    data[data.rindex(b"PK\x01\x02") + 8] |= 0x1
    path.write_bytes(bytes(data))
    with pytest.raises(ScanError) as exc:
        processing.expand_zip(path, tmp_path / "out")
    assert exc.value.code == "encrypted"


# ---- the benchmark ---------------------------------------------------------------------


def test_the_intake_benchmark_runs_on_a_small_book(monkeypatch):
    from argparse import Namespace

    from bench import scan_intake

    monkeypatch.setattr(scan_intake.shutil, "which", lambda name: None)  # no poppler here
    result = scan_intake.run(Namespace(pages=3, kb=20, workers=2, repeat=1, only="", seed=0))
    cases = {row["case"].split(" (")[0]: row for row in result["cases"]}
    assert set(cases) == {
        "iter_pages",
        "same steps, 2 processes",
        "pypdfium2 render + thumb",
        "pikepdf split",
        "pypdf split",
    }
    assert all(row["pages_per_s"] > 0 for row in result["cases"])
    assert cases["iter_pages"]["pdf_kb"] > 0 and cases["iter_pages"]["thumb_kb"] > 0
