"""Valid seed files, generated here (nothing downloaded, nothing committed) for mutations.

Small on purpose (a fuzz campaign runs thousands of files): pages of 620 × 877 pixels, workbooks
of a few rows. Scan files come from `tests.scans.samples` (built with Pillow and pikepdf, never
with the code under test); workbooks from the product's own writer (`write_ministry_xlsx`, as a
package export writes them) and from openpyxl (which writes a shared-strings table, as Excel
does). Every seed is generated once per process and kept as bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

from PIL import Image, ImageDraw

PAGE = (620, 877)


def _in_tmp(make: Callable[[Path], object], suffix: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="hotich-fuzz-seed-") as tmp:
        path = Path(tmp) / f"seed{suffix}"
        make(path)
        return path.read_bytes()


def _page(seed: int, mode: str = "RGB") -> Image.Image:
    from tests.scans import samples

    im = samples._texture(PAGE, seed, mode == "RGB")
    samples._handwriting(im, seed, number=str(seed))
    return im if mode in ("RGB", "L") else im.convert(mode)


def _save(im: Image.Image, fmt: str, **options: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **options)
    return buf.getvalue()


# ---- scans -----------------------------------------------------------------------------------


def _pdf_book() -> bytes:
    from tests.scans import samples

    return _in_tmp(
        lambda p: samples.make_book_pdf(p, pages=2, kb_per_page=30, size=PAGE, seed=3), ".pdf"
    )


def _pdf_vector() -> bytes:
    from tests.scans import samples

    return _in_tmp(samples.make_vector_pdf, ".pdf")


def _pdf_fpdf() -> bytes:
    """Text, a drawn table, a link annotation and a placed PNG: pages pdfium must render."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_creation_date(dt.datetime(2024, 1, 2, tzinfo=dt.UTC))
    for number in (1, 2):
        pdf.add_page()
        pdf.set_font("helvetica", size=14)
        pdf.cell(0, 10, f"SO DANG KY KHAI SINH - trang {number}", link="https://example.org")
        pdf.ln(12)
        for row in range(8):
            pdf.cell(60, 8, f"So {row + 1:02d}", border=1)
            pdf.cell(120, 8, "Nguyen Van A", border=1)
            pdf.ln(8)
        pdf.image(io.BytesIO(_save(_page(number).resize((200, 280)), "PNG")), x=20, y=120, w=60)
    return bytes(pdf.output())


def _jpeg_rgb() -> bytes:
    return _save(_page(1), "JPEG", quality=80, dpi=(150, 150))


def _jpeg_grey() -> bytes:
    return _save(_page(2, "L"), "JPEG", quality=75, dpi=(200, 200))


def _jpeg_photo() -> bytes:
    """A phone photo, landscape as stored, turned by EXIF orientation 6, larger than the viewer."""
    im = _page(3).resize((2400, 1700))
    exif = Image.Exif()
    exif[0x0112] = 6
    return _save(im, "JPEG", quality=70, exif=exif.tobytes(), dpi=(72, 72))


def _jpeg_cmyk() -> bytes:
    return _save(_page(4, "CMYK"), "JPEG", quality=80)


def _png_rgb() -> bytes:
    return _save(_page(5), "PNG", dpi=(150, 150))


def _png_rgba() -> bytes:
    im = _page(6)
    im.putalpha(Image.new("L", PAGE, 200))
    return _save(im, "PNG")


def _png_palette() -> bytes:
    return _save(_page(7).convert("P", palette=Image.Palette.ADAPTIVE, colors=16), "PNG")


def _png_bilevel() -> bytes:
    return _save(_page(8, "L").point(lambda v: 255 if v > 160 else 0).convert("1"), "PNG")


def _png_grey16() -> bytes:
    return _save(_page(9, "L").convert("I").point(lambda v: v * 256).convert("I;16"), "PNG")


def _tiff_pages() -> bytes:
    """Three pages as document scanners write them: deflate colour, LZW grey, group 4 bilevel."""
    frames = [_page(10), _page(11, "L"), _page(12, "L").point(lambda v: 255 * (v > 160))]
    frames[2] = frames[2].convert("1")
    buf = io.BytesIO()
    frames[0].save(
        buf,
        "TIFF",
        save_all=True,
        append_images=frames[1:],
        compression="tiff_deflate",
        dpi=(100, 100),
    )
    return buf.getvalue()


def _tiff_g4() -> bytes:
    im = _page(13, "L").point(lambda v: 255 * (v > 160)).convert("1")
    return _save(im, "TIFF", compression="group4", dpi=(300, 300))


def _tiff_jpeg() -> bytes:
    return _save(_page(14), "TIFF", compression="jpeg", quality=80)


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 2, 3, 4, 5)), data, 8)
    return buf.getvalue()


def _zip_scans() -> bytes:
    """A folder of scans as a commune sends it: case PDFs named by convention, page images."""
    return _zip(
        {
            "KS.2017.01.2017-02-03.05.pdf": seed("pdf_book"),
            "trang/2.jpg": seed("jpeg_grey"),
            "trang/10.png": seed("png_bilevel"),
            "trang/11.tif": seed("tiff_g4"),
        }
    )


def _zip_nested() -> bytes:
    inner = _zip({"KS.2017.01.2017-02-04.06.pdf": seed("pdf_vector"), "a.jpg": seed("jpeg_rgb")})
    middle = _zip({"quyen-01.zip": inner, "b.png": seed("png_palette")})
    return _zip({"ho-so/tinh.zip": middle})


# ---- workbooks -------------------------------------------------------------------------------


def ministry_rows(count: int = 6, synth_seed: int = 0) -> Iterator[dict[str, str]]:
    """Birth records as a commune keys them: numbered from 01, registered after the birth."""
    from hotich.core.synthetic import Synth

    synth = Synth(synth_seed)
    registered = dt.date(2010, 3, 1)
    for number in range(1, count + 1):
        registered += dt.timedelta(days=synth.rng.randint(1, 9))
        born = registered - dt.timedelta(days=synth.rng.randint(1, 60))
        sex = synth.sex()
        mother = born.year - synth.rng.randint(18, 40)
        yield {
            "so": f"{number:02d}",
            "quyenSo": "01",
            "trangSo": str(number // 4 + 1),
            "ngayDangKy": f"{registered:%d.%m.%Y}",
            "loaiDangKy": "1",
            "noiDangKy": "UBND xã Phước Tỉnh",
            "nguoiKy": "Nguyễn Văn Hùng",
            "nksHoTen": synth.person_name(sex, upper=True, year=born.year),
            "nksGioiTinh": str(sex),
            "nksNgaySinh": f"{born:%d.%m.%Y}",
            "nksNoiSinh": "Trạm y tế xã Phước Tỉnh",
            "nksDanToc": synth.ethnicity(),
            "nksQuocTich": "Việt Nam",
            "meHoTen": synth.person_name(2, upper=True, year=mother),
            "meNgaySinh": str(mother),
            "meSoGiayToTuyThan": synth.cmnd(),
            "chaHoTen": synth.person_name(1, upper=True, year=mother - 3),
            "chaNgaySinh": f"{mother - 3}",
        }


def _xlsx_ministry() -> bytes:
    from hotich.records.schema import record_type
    from hotich.transfer.xlsx_write import write_ministry_xlsx

    return _in_tmp(lambda p: write_ministry_xlsx(record_type("KS"), ministry_rows(), p), ".xlsx")


def _xlsx_ministry_older() -> bytes:
    from hotich.records.schema import record_type
    from hotich.transfer.xlsx_write import write_ministry_xlsx

    return _in_tmp(
        lambda p: write_ministry_xlsx(
            record_type("KS"), ministry_rows(4, 1), p, older_revision=True
        ),
        ".xlsx",
    )


def _openpyxl_book(rows: list[list[object]], title: str) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    book.create_sheet("Ghi chu").append(["Cột", "Mã", "Giá trị"])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _xlsx_excel() -> bytes:
    """The same template as Excel saves it: shared strings, some cells typed as numbers."""
    from hotich.records.schema import record_type
    from hotich.transfer.xlsx_write import export_fields, header_cells, row_cells

    rtype = record_type("KS")
    fields = export_fields(rtype)
    rows: list[list[object]] = [list(header_cells(rtype))]
    for serial, data in enumerate(ministry_rows(5, 2), start=1):
        cells: list[object] = list(row_cells(fields, data, serial))
        cells[0] = serial  # STT typed as a number
        rows.append(cells)
    return _openpyxl_book(rows, "DL Import")


REGISTER_HEADER = [
    "Loại sổ",
    "Cơ quan đăng ký",
    "Cấp",
    "Năm",
    "Năm kết thúc",
    "Quyển số",
    "Số trang",
    "Số trường hợp",
    "Số đầu",
    "Số cuối",
    "Độ rõ",
    "Tình trạng vật lý",
    "Ghi chú",
]


def register_rows() -> list[list[object]]:
    rows: list[list[object]] = [list(REGISTER_HEADER)]
    for year, kind in ((2008, "KS"), (2009, "KS"), (2010, "KH"), (2011, "KT")):
        rows.append(
            [kind, "UBND xã Phước Tỉnh", "xã", year, "", "01", 200, 150, "01", "150", 2, "", ""]
        )
    return rows


def _registers_xlsx() -> bytes:
    return _openpyxl_book(register_rows(), "Danh sach so")


def _registers_csv() -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(register_rows())
    return out.getvalue().encode("utf-8-sig")


MAKERS: dict[str, Callable[[], bytes]] = {
    "pdf_book": _pdf_book,
    "pdf_vector": _pdf_vector,
    "pdf_fpdf": _pdf_fpdf,
    "jpeg_rgb": _jpeg_rgb,
    "jpeg_grey": _jpeg_grey,
    "jpeg_photo": _jpeg_photo,
    "jpeg_cmyk": _jpeg_cmyk,
    "png_rgb": _png_rgb,
    "png_rgba": _png_rgba,
    "png_palette": _png_palette,
    "png_bilevel": _png_bilevel,
    "png_grey16": _png_grey16,
    "tiff_pages": _tiff_pages,
    "tiff_g4": _tiff_g4,
    "tiff_jpeg": _tiff_jpeg,
    "zip_scans": _zip_scans,
    "zip_nested": _zip_nested,
    "xlsx_ministry": _xlsx_ministry,
    "xlsx_ministry_older": _xlsx_ministry_older,
    "xlsx_excel": _xlsx_excel,
    "registers_xlsx": _registers_xlsx,
    "registers_csv": _registers_csv,
}


@functools.cache
def seed(name: str) -> bytes:
    return MAKERS[name]()


def draw_page(size: tuple[int, int]) -> Image.Image:
    """A plain page of any size, for mutations that need a fresh image."""
    im = Image.new("L", size, 235)
    ImageDraw.Draw(im).line([(0, 0), size], fill=40, width=3)
    return im
