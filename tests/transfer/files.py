"""Excel files the tests build themselves: the Ministry template, variants and broken ones."""

from __future__ import annotations

import io
from typing import Any

import openpyxl

from hotich.records.schema import record_type
from hotich.transfer.legacy import unicode_to_tcvn3, unicode_to_vni

BIRTH_ROWS = [
    {
        "so": "01",
        "quyenSo": "01",
        "ngayDangKy": "10.03.2010",
        "loaiDangKy": "1",
        "noiDangKy": "UBND xã Phước Tỉnh",
        "nksHoTen": "NGUYỄN THỊ HOÀ",
        "nksGioiTinh": "2",
        "nksNgaySinh": "01.03.2010",
        "nksDanToc": "Kinh",
        "nksQuocTich": "Việt Nam",
        "meHoTen": "TRẦN THỊ BÍCH",
        "meNgaySinh": "1985",
        "chaHoTen": "NGUYỄN VĂN CƯỜNG",
        "chaNgaySinh": "04.1983",
        "chaSoDinhDanhCaNhan": "001083012345",
    },
    {
        "so": "02",
        "quyenSo": "01",
        "ngayDangKy": "12.03.2010",
        "loaiDangKy": "1",
        "noiDangKy": "UBND xã Phước Tỉnh",
        "nksHoTen": "LÊ VĂN ĐỨC",
        "nksGioiTinh": "1",
        "nksNgaySinh": "02.03.2010",
        "nksDanToc": "Kinh",
        "nksQuocTich": "Việt Nam",
        "meHoTen": "PHẠM THỊ LAN",
    },
    {
        "so": "03",
        "quyenSo": "01",
        "ngayDangKy": "15.03.2010",
        "loaiDangKy": "1",
        "noiDangKy": "UBND xã Phước Tỉnh",
        "nksHoTen": "VÕ THỊ MAI",
        "nksGioiTinh": "2",
        "nksNgaySinh": "03.2010",
        "nksDanToc": "Kinh",
        "nksQuocTich": "Việt Nam",
    },
]


def workbook_bytes(
    header: list[Any], rows: list[list[Any]], *, sheet: str = "DL Import", extra_sheet: bool = True
) -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(header)
    for row in rows:
        ws.append(row)
    if extra_sheet:
        book.create_sheet("Ghi chu").append(["loaiDangKy", "1", "Đăng ký đúng hạn"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ministry_file(
    code: str,
    rows: list[dict[str, Any]],
    *,
    older: bool = False,
    hints: bool = False,
    encode: str | None = None,
    sheet: str = "DL Import",
) -> bytes:
    """The template's columns in order; `encode` writes text in a legacy encoding."""
    rtype = record_type(code)
    keys = [f.key for f in rtype.fields if not (older and f.key in rtype.older_revision_lacks)]
    header: list[Any] = []
    for key in keys:
        f = rtype.by_key[key]
        if hints and f.codes is not None and f.codes.stored_as == "code":
            header.append(f"{key} \ni=[{','.join(c for c, _l in f.codes.items)}]")
        else:
            header.append(key)
    convert = {"tcvn3": unicode_to_tcvn3, "vni": unicode_to_vni}.get(encode or "", lambda t: t)
    body = []
    for n, row in enumerate(rows, start=1):
        cells: list[Any] = []
        for key in keys:
            value = row.get(key, str(n) if key == "STT" else None)
            cells.append(convert(value) if isinstance(value, str) else value)
        body.append(cells)
    return workbook_bytes(header, body, sheet=sheet)
