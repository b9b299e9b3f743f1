"""The deliverable package: Ministry workbook, case PDFs, release check, page and command."""

from __future__ import annotations

import hashlib
import io
import random
import zipfile
import zlib

import openpyxl
import pikepdf
import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.urls import reverse
from PIL import Image, ImageChops

from hotich.core.models import AuditEvent
from hotich.records.models import Record
from hotich.records.schema import Kind, record_type
from hotich.records.services import record_save
from hotich.scans.models import ScanPage
from hotich.transfer.export import case_pdf, compress_page_pdf, package_build, package_problems
from hotich.transfer.models import PackageBuild
from hotich.transfer.xlsx_write import header_cells, write_ministry_xlsx
from tests.records.test_record_save import BIRTH
from tests.scans import samples
from tests.transfer.conftest import upload

# The Ministry's columns as SPEC §5.3 lists them, independent of the schema declaration.
SPEC_COLUMNS = {
    "KS": """
        STT, so, quyenSo, trangSo, ngayDangKy, loaiDangKy, noiDangKy, nguoiKy,
        chucVuNguoiKy, nguoiThucHien, ghiChu, nksSoDinhDanh, nksHoTen, nksGioiTinh,
        nksNgaySinh, nksNgaySinhBangChu, nksNoiSinh, nksNoiSinhDVHC, nksQueQuan, nksDanToc,
        nksQuocTich, nksQuocTichStr, nksQuocTichKhac, nksQuocTichKhacStr, nksLoaiKhaiSinh,
        nksMatTich, nksMatTichNgayGhiChuTuyenBo, nksMatTichCanCuTuyenBo,
        nksMatTichNgayGhiChuHuyTuyenBo, nksMatTichCanCuHuyTuyenBo, nksHanCheNangLucHanhVi,
        nksHanCheNangLucHanhViNgayGhiChuTuyenBo, nksHanCheNangLucHanhViCanCuTuyenBo,
        nksHanCheNangLucHanhViNgayGhiChuHuyTuyenBo,
        nksHanCheNangLucHanhViNgayCanCuHuyTuyenBo, meSoDinhDanhCaNhan, meHoTen, meNgaySinh,
        meDanToc, meQuocTich, meQuocTichStr, meQuocTichKhac, meQuocTichKhacStr, meLoaiCuTru,
        meNoiCuTru, meLoaiGiayToTuyThan, meSoGiayToTuyThan, chaSoDinhDanhCaNhan, chaHoTen,
        chaNgaySinh, chaDanToc, chaQuocTich, chaQuocTichStr, chaQuocTichKhac,
        chaQuocTichKhacStr, chaLoaiCuTru, chaNoiCuTru, chaLoaiGiayToTuyThan,
        chaSoGiayToTuyThan, nycHoTen, nycQuanHe, nycLoaiGiayToTuyThan, nycGiayToKhac,
        nycSoGiayToTuyThan, nycNgayCapGiayToTuyThan, nycNoiCapGiayToTuyThan,
        soDangKyNuocNgoai, ngayDangKyNuocNgoai, cqNuocNgoaiDaDangKy, qgNuocNgoaiDaDangKy""",
    "KH": """
        so, quyenSo, trangSo, ngayDangKy, loaiDangKy, noiDangKy, nguoiKy, chucVuNguoiKy,
        ngayXacLapQuanHeHonNhan, nguoiThucHien, ghiChu, tinhTrangKetHon,
        huyKetHonNgayGhiChu, huyKetHonCanCu, congNhanKetHonNgayGhiChu, congNhanKetHonCanCu,
        chongHoTen, chongNgaySinh, chongDanToc, chongQuocTich, chongQuocTichKhac,
        chongLoaiCuTru, chongNoiCuTru, chongLoaiGiayToTuyThan, chongGiayToKhac,
        chongSoGiayToTuyThan, chongNgayCapGiayToTuyThan, chongNoiCapGiayToTuyThan, voHoTen,
        voNgaySinh, voDanToc, voQuocTich, voQuocTichKhac, voLoaiCuTru, voNoiCuTru,
        voLoaiGiayToTuyThan, voGiayToKhac, voSoGiayToTuyThan, voNgayCapGiayToTuyThan,
        voNoiCapGiayToTuyThan, soDangKyNuocNgoai, ngayDangKyNuocNgoai, cqNuocNgoaiDaDangKy,
        qgNuocNgoaiDaDangKy""",
    "KT": """
        so, quyenSo, trangSo, ngayDangKy, loaiDangKy, noiDangKy, nguoiKy, chucVuNguoiKy,
        nguoiThucHien, ghiChu, nktHoTen, nktGioiTinh, nktNgaySinh, nktDanToc, nktQuocTich,
        nktQuocTichKhac, nktLoaiCuTru, nktNoiCuTru, nktLoaiGiayToTuyThan, nktGiayToKhac,
        nktSoGiayToTuyThan, nktNgayCapGiayToTuyThan, nktNoiCapGiayToTuyThan, nktNgayChet,
        nktNgayChetGhiBangChu, nktGioPhutChet, nktNoiChet, nktNguyenNhanChet,
        nktTinhTrangTuyenBoViecChet, nktNgayGhiChuTuyenBoViecChet, nktCanCuTuyenBoViecChet,
        nktNgayGhiChuHuyTuyenBoViecChet, nktCanCuHuyTuyenBoViecChet, gbtLoai, gbtSo,
        gbtNgay, gbtCoQuanCap, nycHoTen, nycQuanHe, nycLoaiGiayToTuyThan, nycGiayToKhac,
        nycSoGiayToTuyThan, nycNgayCapGiayToTuyThan, nycNoiCapGiayToTuyThan,
        soDangKyNuocNgoai, ngayDangKyNuocNgoai, cqNuocNgoaiDaDangKy, qgNuocNgoaiDaDangKy""",
    "CMC": """
        so, quyenSo, trangSo, quyetDinhSo, ngayDangKy, loaiDangKy, loaiXacNhan, noiDangKy,
        nguoiKy, chucVuNguoiKy, nguoiThucHien, ghiChu, cmHoTen, cmNgaySinh, cmDanToc,
        cmQuocTich, cmQuocTichKhac, cmQueQuan, cmLoaiCuTru, cmNoiCuTru, cmLoaiGiayToTuyThan,
        cmGiayToKhac, cmSoGiayToTuyThan, cmNgayCapGiayToTuyThan, cmNoiCapGiayToTuyThan,
        ncHoTen, ncNgaySinh, ncDanToc, ncQuocTich, ncQuocTichKhac, ncQueQuan, ncLoaiCuTru,
        ncNoiCuTru, ncLoaiGiayToTuyThan, ncGiayToKhac, ncSoGiayToTuyThan,
        ncNgayCapGiayToTuyThan, ncNoiCapGiayToTuyThan, nycHoTen, nycQHNguoiDuocNhan,
        nycQHNguoiNhan, nycLoaiGiayToTuyThan, nycGiayToKhac, nycSoGiayToTuyThan,
        nycNgayCapGiayToTuyThan, nycNoiCapGiayToTuyThan, soDangKyNuocNgoai,
        ngayDangKyNuocNgoai, cqNuocNgoaiDaDangKy, qgNuocNgoaiDaDangKy""",
    "HN": """
        so, quyenSo, trangSo, ngayDangKy, noiCap, nguoiKy, chucVuNguoiKy, nguoiThucHien,
        ghiChu, nxnHoTen, nxnGioiTinh, nxnNgaySinh, nxnDanToc, nxnQuocTich, nxnQuocTichKhac,
        nxnLoaiCuTru, nxnNoiCuTru, nxnLoaiGiayToTuyThan, nxnGiayToKhac, nxnSoGiayToTuyThan,
        nxnNgayCapGiayToTuyThan, nxnNoiCapGiayToTuyThan, nxnThoiGianCuTruTai,
        nxnThoiGianCuTruTu, nxnThoiGianCuTruDen, nxnTinhTrangHonNhan, nxnLoaiMucDichSuDung,
        nxnMucDichSuDung, nycHoTen, nycQuanHe, nycLoaiGiayToTuyThan, nycGiayToKhac,
        nycSoGiayToTuyThan, nycNgayCapGiayToTuyThan, nycNoiCapGiayToTuyThan""",
}
SPEC_COUNTS = {"KS": 70, "KH": 44, "KT": 48, "CMC": 50, "HN": 35}
KS_OLDER_LACKS = {
    "STT",
    "nksSoDinhDanh",
    "meSoDinhDanhCaNhan",
    "chaSoDinhDanhCaNhan",
    "nksQuocTichStr",
    "nksQuocTichKhacStr",
    "meQuocTichStr",
    "meQuocTichKhacStr",
    "chaQuocTichStr",
    "chaQuocTichKhacStr",
}


def columns(code):
    return [c.strip() for c in SPEC_COLUMNS[code].replace("\n", " ").split(",")]


def workbook(rtype, rows, **kw):
    buf = io.BytesIO()
    count = write_ministry_xlsx(rtype, rows, buf, **kw)
    buf.seek(0)
    return count, openpyxl.load_workbook(buf)


def sheet_rows(wb, name="DL Import"):
    return [list(row) for row in wb[name].iter_rows()]


# ---- the workbook --------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["KS", "KH", "KT", "CMC", "HN"])
def test_every_ministry_type_has_its_sheets_and_headers_in_template_order(code):
    count, wb = workbook(record_type(code), [{"so": "01"}])
    assert count == 1
    assert wb.sheetnames == ["DL Import", "Ghi chu"]
    header = [c.value for c in sheet_rows(wb)[0]]
    assert len(header) == SPEC_COUNTS[code]
    assert [h.split("\n")[0] for h in header] == columns(code)
    assert header == header_cells(record_type(code))
    assert all(c.data_type == "s" for row in sheet_rows(wb) for c in row if c.value is not None)


def test_the_older_birth_revision_has_sixty_columns_without_stt_ids_and_str():
    _count, wb = workbook(record_type("KS"), [{"so": "01"}], older_revision=True)
    header = [c.value.split("\n")[0] for c in sheet_rows(wb)[0]]
    assert len(header) == 60
    assert header == [c for c in columns("KS") if c not in KS_OLDER_LACKS]
    assert header_cells(record_type("KS"), True)[0] == "so"


def test_code_columns_carry_their_codes_and_label_lists_do_not():
    ks = dict(zip(columns("KS"), header_cells(record_type("KS")), strict=True))
    assert ks["loaiDangKy"] == "loaiDangKy\ni=[1,2,3,4,5,6]"
    assert ks["nksGioiTinh"] == "nksGioiTinh\ni=[1,2,3]"
    assert ks["meLoaiGiayToTuyThan"] == "meLoaiGiayToTuyThan\ni=[1,2,3,4,5,6,7,8]"
    assert ks["meLoaiCuTru"] == "meLoaiCuTru\ni=[0,1,2]"
    assert ks["nksDanToc"] == "nksDanToc"  # stored as the name of the group
    assert ks["nksQuocTichStr"] == "nksQuocTichStr"
    kt = dict(zip(columns("KT"), header_cells(record_type("KT")), strict=True))
    assert kt["loaiDangKy"] == "loaiDangKy\ni=[0,1,2,3,4]"
    kh = dict(zip(columns("KH"), header_cells(record_type("KH")), strict=True))
    assert kh["tinhTrangKetHon"] == "tinhTrangKetHon"


def test_stt_counts_rows_and_str_columns_repeat_their_source():
    rows = [
        {**BIRTH, "so": "01", "nksQuocTichKhac": "Lào", "meQuocTich": "Campuchia"},
        {**BIRTH, "so": "02"},
    ]
    count, wb = workbook(record_type("KS"), rows)
    assert count == 2
    header, *data = sheet_rows(wb)
    keys = [c.value.split("\n")[0] for c in header]
    first, second = ({k: c.value for k, c in zip(keys, row, strict=True)} for row in data)
    assert (first["STT"], second["STT"]) == ("1", "2")
    assert first["nksQuocTichStr"] == "Việt Nam"
    assert first["nksQuocTichKhacStr"] == "Lào"
    assert first["meQuocTichStr"] == "Campuchia"
    assert second["nksQuocTichKhacStr"] is None  # empty source, empty copy
    assert all(c.data_type == "s" for row in data for c in row if c.value is not None)


def test_dates_are_written_as_the_register_says_them_in_canonical_form():
    typed = {
        "ngayDangKy": "5/3/2010",
        "nksNgaySinh": "2010-03-01",
        "meNgaySinh": "1985",
        "chaNgaySinh": "4/1983",
        "nycNgayCapGiayToTuyThan": "??.03.1999",
        "ngayDangKyNuocNgoai": "không rõ",
    }
    _count, wb = workbook(record_type("KS"), [{**BIRTH, **typed}])
    header, row = sheet_rows(wb)
    cells = {h.value.split("\n")[0]: c.value for h, c in zip(header, row, strict=True)}
    assert cells["ngayDangKy"] == "05.03.2010"
    assert cells["nksNgaySinh"] == "01.03.2010"
    assert cells["meNgaySinh"] == "1985"  # a year stays a year: no day or month invented
    assert cells["chaNgaySinh"] == "04.1983"
    assert cells["nycNgayCapGiayToTuyThan"] == "??.03.1999"
    assert cells["ngayDangKyNuocNgoai"] == "không rõ"  # not a date: written as keyed


def test_every_keyed_value_is_written_exactly_with_leading_zeros_and_codes(register, users):
    data = {
        **BIRTH,
        "quyenSo": "01/2010",
        "nksSoDinhDanh": "001210012345",
        "meLoaiGiayToTuyThan": "Căn cước",
        "meSoGiayToTuyThan": "001185000123",
        "nksDanToc": "Mèo",
        "ghiChu": "Dòng một\nDòng hai",
        "nguoiKy": "=SUM(A1)",
    }
    record = record_save(actor=users["unit_admin"], register=register, raw=data).record
    rtype = record_type("KS")
    _count, wb = workbook(rtype, [record.data])
    header, row = sheet_rows(wb)
    cells = {h.value.split("\n")[0]: c.value or "" for h, c in zip(header, row, strict=True)}
    for f in rtype.keyed_fields:
        stored = record.data.get(f.key, "")
        if f.kind != Kind.DATE:
            assert cells[f.key] == stored, f.key
    assert cells["meLoaiGiayToTuyThan"] == "4"  # the code, as stored
    assert cells["nksDanToc"] == "Mông"  # a label list: the label
    assert cells["nksSoDinhDanh"] == "001210012345"
    assert cells["nguoiKy"] == "=SUM(A1)"  # text, never a formula


def test_the_notes_sheet_lists_each_code_list_once_with_its_columns():
    _count, wb = workbook(record_type("KS"), [])
    rows = [[c.value for c in row] for row in wb["Ghi chu"].iter_rows()]
    assert rows[0] == ["Cột", "Mã", "Giá trị"]
    assert ["loaiDangKy", "4", "Đăng ký quá hạn"] in rows
    sex = [r for r in rows if r[2] == "Nữ"]
    assert sex == [["nksGioiTinh", "2", "Nữ"]]
    ethnic = [r for r in rows if r[2] == "Kinh"]
    assert ethnic == [["nksDanToc, meDanToc, chaDanToc", None, "Kinh"]]


# ---- a register with scans -----------------------------------------------------------------


def test_a_complete_register_is_released_with_one_named_pdf_per_case(scanned, users):
    build = package_build(actor=users["unit_admin"], register=scanned)
    assert build.status == PackageBuild.Status.RELEASED, build.problems
    assert build.problems == []
    assert (build.cases, build.pages) == (3, 4)
    code = scanned.code
    assert (build.xlsx_name, build.zip_name) == (f"{code}.xlsx", f"{code}.zip")
    with default_storage.open(build.zip_blob, "rb") as handle:
        data = handle.read()
    assert len(data) == build.zip_size
    assert hashlib.sha256(data).hexdigest() == build.zip_sha256
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = sorted(zf.namelist())
        assert names == [f"{code}.2010-03-10.{n}.pdf" for n in ("01", "02", "03")]
        assert all(i.compress_type == zipfile.ZIP_STORED for i in zf.infolist())
        counts = {n: len(pikepdf.open(io.BytesIO(zf.read(n))).pages) for n in names}
    assert list(counts.values()) == [1, 2, 1]
    two_pages = case_pdf(Record.objects.get(register=scanned, number="02"))
    assert len(pikepdf.open(io.BytesIO(two_pages)).pages) == 2
    with default_storage.open(build.xlsx_blob, "rb") as handle:
        wb = openpyxl.load_workbook(io.BytesIO(handle.read()))
    _header, *rows = sheet_rows(wb)
    assert [(r[0].value, r[1].value) for r in rows] == [("1", "01"), ("2", "02"), ("3", "03")]
    event = AuditEvent.objects.get(action="transfer.package_build")
    assert event.actor == users["unit_admin"] and event.after["status"] == "released"
    assert event.after["zip"]["sha256"] == build.zip_sha256


def test_a_missing_scan_an_unlinked_page_and_an_unfinished_record_block_the_release(
    scanned, users, tmp_path
):
    admin = users["unit_admin"]
    # A fourth case keyed by hand, without its scan, and left as a draft (no child's name).
    draft = record_save(
        actor=admin, register=scanned, raw={**BIRTH, "so": "04", "nksHoTen": ""}
    ).record
    assert draft.status == Record.Status.DRAFT
    # A page whose file name says nothing: it stays unlinked.
    upload(scanned, admin, [("trang-le.pdf", samples.make_case_pdf(tmp_path / "trang-le.pdf"))])
    loose = ScanPage.objects.get(register=scanned, links__isnull=True)

    problems = package_problems(scanned)
    kinds = sorted(p["kind"] for p in problems)
    assert kinds == ["count", "no_scan", "not_submitted", "unlinked_page"]
    messages = " ".join(p["message"] for p in problems)
    assert "Sổ ghi 3 trường hợp nhưng đã có 4 trường hợp" in messages
    assert f"Trang {loose.sequence} chưa liên kết" in messages
    assert {p.get("record") for p in problems if p["kind"] != "unlinked_page"} >= {draft.pk}

    build = package_build(actor=admin, register=scanned)
    assert build.status == PackageBuild.Status.BLOCKED
    assert sorted(p["kind"] for p in build.problems) == kinds
    with default_storage.open(build.zip_blob, "rb") as handle, zipfile.ZipFile(handle) as zf:
        assert len(zf.namelist()) == 3  # the cases that have their scan, to look at
    assert build.cases == 4


def test_two_cases_with_the_same_number_and_date_cannot_both_be_named(scanned, users):
    record = Record.objects.get(register=scanned, number="03")
    Record.objects.filter(pk=record.pk).update(number="02")
    kinds = [p["kind"] for p in package_problems(scanned)]
    assert kinds.count("duplicate_name") == 2


# ---- compression ---------------------------------------------------------------------------


def photo_jpeg(path, size=(3000, 4200)):
    """A phone photo of a register page: paper, writing and sensor noise, about 1.5 MB."""
    im = samples._texture(size, 11, True)
    samples._handwriting(im, 11)
    grain = samples._noise(random.Random(3), size).point(lambda v: v // 32)
    im = ImageChops.add(im, Image.merge("RGB", [grain] * 3))
    im.save(path, "JPEG", quality=85)
    return path


def test_a_large_photo_page_is_brought_near_100_kb_and_stays_legible(register, users, tmp_path):
    Record.objects.filter(register=register).delete()
    name = f"{register.code}.2010-03-10.01.jpg"
    path = photo_jpeg(tmp_path / name)
    assert path.stat().st_size > 1_000_000
    upload(register, users["unit_admin"], [(name, path)])
    page = ScanPage.objects.get(register=register)
    with default_storage.open(page.pdf, "rb") as handle:
        original = handle.read()
    assert len(original) > 1_000_000

    smaller = compress_page_pdf(original)
    assert len(smaller) <= 200 * 1024
    with pikepdf.open(io.BytesIO(original)) as pdf:
        box = [float(v) for v in pdf.pages[0].mediabox]
    with pikepdf.open(io.BytesIO(smaller)) as pdf:
        (image,) = pdf.pages[0].get_images().values()
        assert max(int(image.Width), int(image.Height)) >= 1600
        assert [float(v) for v in pdf.pages[0].mediabox] == pytest.approx(box)
        decoded = pikepdf.PdfImage(image).as_pil_image()
        assert decoded.mode == "RGB"


def test_a_small_page_is_kept_byte_for_byte(tmp_path):
    data = samples.make_case_pdf(tmp_path / "a.pdf").read_bytes()
    assert len(data) < 150 * 1024
    assert compress_page_pdf(data) is data


def test_a_large_lossless_page_is_rendered_to_a_jpeg_page(tmp_path):
    size = (1240, 1754)
    im = samples._texture(size, 4, True)
    samples._handwriting(im, 4)
    pdf = pikepdf.Pdf.new()
    image = pikepdf.Stream(
        pdf,
        zlib.compress(im.tobytes()),
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Image,
        Width=size[0],
        Height=size[1],
        ColorSpace=pikepdf.Name.DeviceRGB,
        BitsPerComponent=8,
        Filter=pikepdf.Name.FlateDecode,
    )
    pdf.pages.append(
        pikepdf.Page(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Page,
                MediaBox=[0, 0, 595.28, 841.89],
                Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image)),
                Contents=pikepdf.Stream(pdf, b"q 595.28 0 0 841.89 0 0 cm /Im0 Do Q"),
            )
        )
    )
    buf = io.BytesIO()
    pdf.save(buf)
    assert len(buf.getvalue()) > 150 * 1024
    smaller = compress_page_pdf(buf.getvalue())
    assert len(smaller) <= 200 * 1024
    with pikepdf.open(io.BytesIO(smaller)) as out:
        (image,) = out.pages[0].get_images().values()
        assert image.Filter == pikepdf.Name.DCTDecode
        assert max(int(image.Width), int(image.Height)) >= 1600
        assert float(out.pages[0].mediabox[3]) == pytest.approx(841.89, abs=0.5)


# ---- the command ---------------------------------------------------------------------------


def test_the_command_copies_a_released_package_into_the_folder(scanned, users, tmp_path):
    out = io.StringIO()
    call_command("export_package", scanned.code, str(tmp_path / "out"), user="phong", stdout=out)
    code = scanned.code
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [f"{code}.xlsx", f"{code}.zip"]
    assert "sha256" in out.getvalue()
    assert PackageBuild.objects.get().built_by == users["unit_admin"]


def test_the_command_lists_the_problems_and_fails_when_blocked(scanned, users, tmp_path):
    Record.objects.filter(register=scanned, number="02").update(status=Record.Status.DRAFT)
    err = io.StringIO()
    with pytest.raises(CommandError, match="chưa đạt"):
        call_command(
            "export_package", str(scanned.pk), str(tmp_path / "out"), user="phong", stderr=err
        )
    assert "Số 02 (10/03/2010) chưa nhập xong" in err.getvalue()
    assert not (tmp_path / "out").exists()
    assert PackageBuild.objects.get().status == PackageBuild.Status.BLOCKED


def test_the_command_refuses_an_account_that_may_not_build(scanned, users, tmp_path):
    with pytest.raises(CommandError, match="quản trị"):
        call_command("export_package", scanned.code, str(tmp_path), user="nhaplieu")
    assert not PackageBuild.objects.exists()


# ---- the page ------------------------------------------------------------------------------


def test_the_administrator_builds_from_the_page_and_downloads_both_files(login, scanned, users):
    client = login(users["unit_admin"])
    url = reverse("transfer:package_list", args=[scanned.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Tạo gói bàn giao" in page.content.decode()
    assert "Không còn vấn đề nào" in page.content.decode()

    response = client.post(reverse("transfer:package_create", args=[scanned.pk]))
    assert response.status_code == 302 and response.url == url
    build = PackageBuild.objects.get()
    assert build.status == PackageBuild.Status.RELEASED and build.job.status == "done"
    listing = client.get(url).content.decode()
    assert build.zip_sha256 in listing and build.xlsx_sha256 in listing

    download = client.get(reverse("transfer:package_download", args=[build.pk, "zip"]))
    assert download.status_code == 200
    assert f'filename="{scanned.code}.zip"' in download["Content-Disposition"]
    assert len(b"".join(download.streaming_content)) == build.zip_size
    assert AuditEvent.objects.filter(action="transfer.package_download").count() == 1
    assert (
        client.get(reverse("transfer:package_download", args=[build.pk, "pdf"])).status_code == 404
    )


def test_a_blocked_package_downloads_under_a_name_that_says_so(login, scanned, users):
    Record.objects.filter(register=scanned, number="02").update(status=Record.Status.DRAFT)
    build = package_build(actor=users["unit_admin"], register=scanned)
    client = login(users["unit_admin"])
    page = client.get(reverse("transfer:package_list", args=[scanned.pk])).content.decode()
    assert "chưa nhập xong" in page
    download = client.get(reverse("transfer:package_download", args=[build.pk, "xlsx"]))
    assert f"CHUA-DAT_{scanned.code}.xlsx" in download["Content-Disposition"]


def test_an_operator_sees_the_builds_but_may_not_build_or_download(login, scanned, users):
    build = package_build(actor=users["unit_admin"], register=scanned)
    client = login(users["operator"])
    page = client.get(reverse("transfer:package_list", args=[scanned.pk]))
    assert page.status_code == 200
    assert "Tạo gói bàn giao" not in page.content.decode()
    assert client.post(reverse("transfer:package_create", args=[scanned.pk])).status_code == 403
    download = client.get(reverse("transfer:package_download", args=[build.pk, "zip"]))
    assert download.status_code == 403
    assert PackageBuild.objects.count() == 1


def test_another_office_gets_404_for_the_page_the_build_and_the_files(login, scanned, users):
    build = package_build(actor=users["unit_admin"], register=scanned)
    client = login(users["other_admin"])
    assert client.get(reverse("transfer:package_list", args=[scanned.pk])).status_code == 404
    assert client.post(reverse("transfer:package_create", args=[scanned.pk])).status_code == 404
    for kind in ("xlsx", "zip"):
        url = reverse("transfer:package_download", args=[build.pk, kind])
        assert client.get(url).status_code == 404


def test_the_page_lists_builds_in_a_fixed_number_of_queries(login, scanned, users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(users["unit_admin"])
    url = reverse("transfer:package_list", args=[scanned.pk])
    counts = []
    for _n in range(2):
        package_build(actor=users["unit_admin"], register=scanned)
        package_build(actor=users["unit_admin"], register=scanned)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 12


# ---- the benchmark -------------------------------------------------------------------------


def test_the_benchmark_builds_a_small_register_and_reports_the_figures(tmp_path):
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    options = ["--cases", "6", "--kb", "30", "--repeat", "1", "--json", str(tmp_path / "out.json")]
    result = subprocess.run(
        [sys.executable, "-m", "bench", "package_export", *options],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads((tmp_path / "out.json").read_text())["result"]
    assert (report["cases"], report["pages"], report["status"]) == (6, 6, "released")
    assert report["problems"] == 0 and report["zip_mb"] > 0
