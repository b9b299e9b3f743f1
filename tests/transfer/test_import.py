"""Importing the Ministry's Excel files: every type and revision, legacy text, broken files."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from hotich.records.models import Party, Record
from hotich.records.services import record_create_placeholder
from hotich.transfer.models import ImportBatch
from hotich.transfer.services import (
    AlreadyImported,
    import_batch_create,
    import_confirm,
)
from tests.factories import RegisterFactory
from tests.transfer.files import BIRTH_ROWS, ministry_file, workbook_bytes


@pytest.fixture
def admin(users):
    return users["unit_admin"]


def offer(register, actor, data: bytes, name="KS.2010.01.xlsx"):
    return import_batch_create(actor=actor, register=register, name=name, stream=io.BytesIO(data))


def imported(register, actor, data: bytes, mode="all", **kw):
    batch = offer(register, actor, data)
    assert batch.status == ImportBatch.Status.READY, batch.message
    import_confirm(actor=actor, batch=batch, mode=mode, **kw)
    batch.refresh_from_db()
    return batch


def test_a_full_birth_file_is_imported_with_every_field_and_person(register, admin):
    batch = imported(register, admin, ministry_file("KS", BIRTH_ROWS))
    assert batch.status == ImportBatch.Status.DONE
    assert (batch.revision, batch.rows_total, batch.rows_imported) == ("full", 3, 3)
    records = list(register.records.order_by("sequence"))
    assert [r.data for r in records] == BIRTH_ROWS
    assert all(r.status == Record.Status.SUBMITTED for r in records)
    father = Party.objects.get(record=records[0], role="father")
    assert (father.birth_year, father.birth_month, father.birth_day) == (1983, 4, None)
    assert father.pid == "001083012345"
    assert records[2].data["nksNgaySinh"] == "03.2010"


def test_the_older_sixty_column_revision_is_recognised(register, admin):
    rows = [{k: v for k, v in r.items() if k != "chaSoDinhDanhCaNhan"} for r in BIRTH_ROWS]
    batch = imported(register, admin, ministry_file("KS", rows, older=True))
    assert batch.revision == "older"
    assert register.records.count() == 3


@pytest.mark.parametrize(
    ("code", "row"),
    [
        ("KH", {"so": "01", "ngayDangKy": "02.02.2010", "noiDangKy": "UBND xã A",
                "chongHoTen": "NGUYỄN VĂN AN", "voHoTen": "LÊ THỊ BÌNH", "loaiDangKy": "1"}),
        ("KT", {"so": "01", "ngayDangKy": "02.02.2010", "noiDangKy": "UBND xã A",
                "nktHoTen": "TRẦN VĂN CHÍN", "nktNgayChet": "30.01.2010", "gbtLoai": "1"}),
        ("CMC", {"so": "01", "ngayDangKy": "02.02.2010", "noiDangKy": "UBND xã A",
                 "loaiXacNhan": "1", "cmHoTen": "PHẠM VĂN DŨNG", "ncHoTen": "PHẠM THỊ EM"}),
        ("HN", {"so": "01", "ngayDangKy": "02.02.2010", "noiCap": "UBND xã A",
                "nxnHoTen": "ĐỖ THỊ GIANG", "nxnTinhTrangHonNhan": "Chưa kết hôn"}),
    ],
)  # fmt: skip
def test_every_ministry_type_imports_into_its_own_register(tree, admin, code, row):
    register = RegisterFactory(custodian=tree["phong"], register_type=code)
    batch = imported(register, admin, ministry_file(code, [row]))
    assert batch.status == ImportBatch.Status.DONE
    assert register.records.get().data == row


def test_headers_are_matched_after_trimming_hints_and_case(register, admin):
    data = ministry_file("KS", BIRTH_ROWS, hints=True)
    book = openpyxl.load_workbook(io.BytesIO(data))
    book.active["B1"] = "  SO  "
    out = io.BytesIO()
    book.save(out)
    batch = imported(register, admin, out.getvalue())
    assert batch.rows_imported == 3 and batch.unknown_columns == []


def test_numbers_and_excel_dates_become_text_and_codes_accept_labels(register, admin):
    header = ["so", "ngayDangKy", "noiDangKy", "nksHoTen", "nksGioiTinh", "nksNgaySinh",
              "nksDanToc", "Cột lạ"]  # fmt: skip
    excel_date = dt.datetime(2010, 3, 10)  # noqa: DTZ001 — an Excel date has no time zone
    rows = [[7, excel_date, "UBND xã A", "NGÔ THỊ HẠNH", "Nữ", 2010, "kinh", "x"]]
    batch = imported(register, admin, workbook_bytes(header, rows))
    record = register.records.get()
    assert record.data["so"] == "7"
    assert record.data["ngayDangKy"] == "10.03.2010"
    assert record.data["nksNgaySinh"] == "2010"
    assert record.data["nksGioiTinh"] == "2"
    assert record.data["nksDanToc"] == "Kinh"
    assert batch.unknown_columns == ["Cột lạ"]


def test_an_identity_number_typed_as_a_number_is_flagged(register, admin):
    header = ["so", "ngayDangKy", "noiDangKy", "nksHoTen", "nksGioiTinh", "nksNgaySinh",
              "chaHoTen", "chaSoDinhDanhCaNhan"]  # fmt: skip
    rows = [["01", "10.03.2010", "UBND xã A", "A", "1", "01.03.2010", "B", 1083012345]]
    batch = offer(register, admin, workbook_bytes(header, rows))
    assert any(i["column"] == "chaSoDinhDanhCaNhan" for i in batch.report)
    assert "số 0 ở đầu" in " ".join(i["message"] for i in batch.report)


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_legacy_text_is_detected_previewed_and_converted_on_confirmation(register, admin, encoding):
    rows = [
        {**r, "nksHoTen": name, "noiDangKy": "Ủy ban nhân dân xã Phước Tỉnh"}
        for r, name in zip(BIRTH_ROWS, ["Nguyễn Thị Hoà", "Lê Văn Đức", "Võ Thị Mai"], strict=True)
    ]
    batch = offer(register, admin, ministry_file("KS", rows, encode=encoding))
    assert batch.encoding == encoding
    assert {"before", "after"} <= set(batch.preview[0])
    assert any(p["after"] == "Nguyễn Thị Hoà" for p in batch.preview)
    import_confirm(actor=admin, batch=batch, mode="all")
    names = set(register.records.values_list("data__nksHoTen", flat=True))
    assert names == {"Nguyễn Thị Hoà", "Lê Văn Đức", "Võ Thị Mai"}


def test_decomposed_text_is_composed(register, admin):
    rows = [{**BIRTH_ROWS[0], "nksHoTen": "NGUYE\u0302\u0303N THI\u0323 HOA\u0300"}]
    imported(register, admin, ministry_file("KS", rows))
    assert register.records.get().data["nksHoTen"] == "NGUYỄN THỊ HOÀ"


BROKEN = [
    {**BIRTH_ROWS[0], "nksNgaySinh": "31.02.2010"},
    {**BIRTH_ROWS[1], "nksDanToc": "Sao Hỏa"},
    {**BIRTH_ROWS[2], "nksHoTen": ""},
    {**BIRTH_ROWS[2], "so": "04", "nksHoTen": "ĐINH VĂN KHOA"},
]


def test_row_errors_name_the_row_column_and_reason_in_vietnamese(register, admin):
    batch = offer(register, admin, ministry_file("KS", BROKEN))
    assert (batch.rows_total, batch.rows_error, batch.rows_valid) == (4, 3, 1)
    by_row = {(i["row"], i["column"]): i["message"] for i in batch.report if i["level"] == "error"}
    assert "không có trong tháng" in by_row[(2, "nksNgaySinh")]
    assert "không có trong danh mục" in by_row[(3, "nksDanToc")]
    assert by_row[(4, "nksHoTen")] == "Bắt buộc nhập."


def test_a_file_with_errors_cannot_be_imported_whole(register, admin):
    batch = offer(register, admin, ministry_file("KS", BROKEN))
    with pytest.raises(ValidationError):
        import_confirm(actor=admin, batch=batch, mode="all")
    assert not register.records.exists()


def test_clean_rows_can_be_imported_and_bad_ones_kept_pending(register, admin):
    batch = imported(register, admin, ministry_file("KS", BROKEN), mode="clean")
    assert (batch.rows_imported, batch.rows_pending) == (1, 3)
    statuses = dict(register.records.values_list("number", "status"))
    assert statuses == {"01": "draft", "02": "draft", "03": "draft", "04": "submitted"}
    draft = register.records.get(number="01")
    assert draft.data["nksNgaySinh"] == "31.02.2010"  # kept as written, to fix on screen


def test_the_error_copy_has_a_column_saying_what_is_wrong(client, register, admin):
    batch = offer(register, admin, ministry_file("KS", BROKEN))
    client.force_login(admin)
    response = client.get(reverse("transfer:import_error_file", args=[batch.pk]))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    assert header[-1] == "Lỗi (Hộ tịch số)"
    assert "nksNgaySinh" in sheet.cell(row=2, column=len(header)).value
    assert sheet.cell(row=5, column=len(header)).value is None


def test_numbers_out_of_order_are_warnings_and_a_repeat_is_an_error_until_explained(
    register, admin
):
    from hotich.acceptance.models import CompletenessNote

    rows = [BIRTH_ROWS[0], {**BIRTH_ROWS[1], "so": "05"}, {**BIRTH_ROWS[2], "so": "01"}]
    batch = offer(register, admin, ministry_file("KS", rows))
    codes = [(i["row"], i["level"], i["message"]) for i in batch.report]
    assert any(row == 3 and lv == "warning" and "không liền sau" in m for row, lv, m in codes)
    assert any(row == 4 and lv == "error" and "trùng với dòng 2" in m for row, lv, m in codes)
    # SPEC §5.2: explained on the acceptance page (the paper register repeats it), a warning.
    year = int(BIRTH_ROWS[0]["ngayDangKy"][-4:])
    CompletenessNote.objects.create(
        register=register,
        kind="repeat",
        key=f"repeat:{year}:1",
        text="Sổ giấy ghi trùng số 01",
        by=admin,
    )
    rows[1] = {**rows[1], "ghiChu": "bản sửa"}  # another file: the same one is refused
    again = offer(register, admin, ministry_file("KS", rows), name="KS.2010.01-b.xlsx")
    codes = [(i["row"], i["level"], i["message"]) for i in again.report]
    assert any(row == 4 and lv == "warning" and "đã giải trình" in m for row, lv, m in codes)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "rỗng"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "mật khẩu"),
        (b"STT;so;ngayDangKy\n1;01;01.01.2010\n", "không phải bảng tính"),
        ("truncated", "hỏng"),
    ],
)
def test_unusable_files_are_refused_with_a_reason_and_nothing_is_written(
    register, admin, data, words
):
    if data == "truncated":
        whole = ministry_file("KS", BIRTH_ROWS)
        data = whole[: len(whole) // 2]
    batch = offer(register, admin, data)
    assert batch.status == ImportBatch.Status.FAILED
    assert words in batch.message
    assert not register.records.exists()


def test_a_file_of_another_register_type_or_missing_a_required_column_is_refused(register, admin):
    wrong = offer(register, admin, ministry_file("KH", [{"so": "01"}]), name="KH.xlsx")
    assert "mẫu KH" in wrong.message
    header = ["so", "ngayDangKy", "nksHoTen", "nksGioiTinh", "nksNgaySinh"]
    missing = offer(
        register, admin, workbook_bytes(header, [["01", "01.01.2010", "A", "1", "2010"]])
    )
    assert missing.status == ImportBatch.Status.FAILED
    assert "noiDangKy" in missing.message


def test_the_same_file_is_never_imported_twice(register, admin):
    data = ministry_file("KS", BIRTH_ROWS)
    imported(register, admin, data)
    with pytest.raises(AlreadyImported) as exc:
        offer(register, admin, data)
    assert "đã được nhập" in " ".join(exc.value.messages)
    assert register.records.count() == 3


def test_a_corrected_file_fills_the_pending_rows_without_duplicating_the_rest(register, admin):
    imported(register, admin, ministry_file("KS", BROKEN), mode="clean")
    fixed = [BIRTH_ROWS[0], BIRTH_ROWS[1], BIRTH_ROWS[2], BROKEN[3]]
    batch = imported(register, admin, ministry_file("KS", fixed))
    assert batch.rows_skipped == 1
    assert register.records.count() == 4
    assert set(register.records.values_list("status", flat=True)) == {"submitted"}


def test_rows_fill_the_records_made_from_scan_file_names(register, admin):
    placeholder = record_create_placeholder(
        actor=admin,
        register=register,
        source=Record.Source.FILENAME,
        number="02",
        registration_date=dt.date(2010, 3, 12),
    )
    imported(register, admin, ministry_file("KS", BIRTH_ROWS))
    assert register.records.count() == 3
    placeholder.refresh_from_db()
    assert placeholder.data["nksHoTen"] == "LÊ VĂN ĐỨC"


def test_an_import_that_fails_halfway_leaves_nothing_and_can_run_again(
    register, admin, monkeypatch
):
    from hotich.core import fastinsert

    real = fastinsert.insert_rows
    calls = {"n": 0}

    def dies_on_people(model, *args, **kwargs):
        calls["n"] += 1
        if model is Party:
            raise RuntimeError("mất điện")
        return real(model, *args, **kwargs)

    monkeypatch.setattr(fastinsert, "insert_rows", dies_on_people)
    batch = offer(register, admin, ministry_file("KS", BIRTH_ROWS))
    import_confirm(actor=admin, batch=batch, mode="all")
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    assert calls["n"] == 2  # the records were written, then the transaction rolled back
    assert not register.records.exists()
    monkeypatch.setattr(fastinsert, "insert_rows", real)
    from hotich.core.jobs import job_run

    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.IMPORTING)
    job_run(batch.job_id)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    assert register.records.count() == 3


def test_the_pages_take_a_file_through_analysis_and_confirmation(client, register, admin):
    client.force_login(admin)
    upload = io.BytesIO(ministry_file("KS", BIRTH_ROWS))
    upload.name = "KS.2010.01.xlsx"
    response = client.post(reverse("transfer:import_start", args=[register.pk]), {"file": upload})
    batch = ImportBatch.objects.get()
    assert response.url == reverse("transfer:import_detail", args=[batch.pk])
    page = client.get(response.url).content.decode()
    assert "Kết quả kiểm tra" in page and "Nhập cả 3 dòng" in page
    client.post(reverse("transfer:import_confirm", args=[batch.pk]), {"mode": "all"})
    assert register.records.count() == 3
    assert "Đã nhập" in client.get(response.url).content.decode()


def test_someone_without_keying_rights_cannot_import(client, register, users):
    client.force_login(users["operator"])  # not assigned to this register
    response = client.get(reverse("transfer:import_start", args=[register.pk]))
    assert response.status_code == 403
