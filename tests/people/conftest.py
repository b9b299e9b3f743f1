"""A small family in office `phong`: Trần Thị Bình's birth, her marriage to Nguyễn Văn Cường,
their daughter's birth; and a namesake of Bình in office `phong2`, whom `phong` may not see."""

from __future__ import annotations

import pytest

from hotich.records.models import Record
from hotich.records.services import record_save
from tests.factories import RegisterFactory
from tests.records.test_record_save import BIRTH


def birth(register, actor, number: int, **changes: str) -> Record:
    raw = {**BIRTH, "so": f"{number:02d}", **changes}
    return record_save(actor=actor, register=register, raw=raw).record


def party(record: Record, role: str):
    return record.parties.get(role=role)


@pytest.fixture
def family(users, tree, register):
    operator = users["operator"]
    births_1985 = RegisterFactory(custodian=tree["phong"], register_type="KS", year_start=1985)
    marriages = RegisterFactory(custodian=tree["phong"], register_type="KH", year_start=2008)
    elsewhere = RegisterFactory(custodian=tree["phong2"], register_type="KS", year_start=1985)
    binh = birth(
        births_1985,
        operator,
        1,
        ngayDangKy="15.03.1985",
        nksHoTen="Trần Thị Bình",
        nksGioiTinh="2",
        nksNgaySinh="05.03.1985",
        meHoTen="Lê Thị Tư",
        meNgaySinh="1960",
        chaHoTen="Trần Văn Năm",
        chaNgaySinh="1958",
        nycHoTen="Trần Văn Năm",
    )
    marriage = record_save(
        actor=operator,
        register=marriages,
        raw={
            "so": "01",
            "quyenSo": "01",
            "ngayDangKy": "20.05.2008",
            "chongHoTen": "NGUYỄN VĂN CƯỜNG",
            "chongNgaySinh": "12.04.1983",
            "voHoTen": "TRẦN THỊ BÌNH",
            "voNgaySinh": "05.03.1985",
        },
    ).record
    # BIRTH: Nguyễn Thị Hoà, born 2010, mother Trần Thị B ... — here her parents are Bình and
    # Cường, with only their birth years keyed, as a birth record often has.
    daughter = birth(
        register,
        operator,
        1,
        meHoTen="Trần Thị Bình",
        meNgaySinh="1985",
        chaHoTen="Nguyễn Văn Cường",
        chaNgaySinh="1983",
        nycHoTen="Nguyễn Văn Cường",
    )
    namesake = birth(
        elsewhere,
        users["other_admin"],
        1,
        ngayDangKy="15.03.1985",
        nksHoTen="Trần Thị Bình",
        nksGioiTinh="2",
        nksNgaySinh="05.03.1985",
        meHoTen="Phạm Thị Ba",
        chaHoTen="Trần Văn Sáu",
        nycHoTen="Trần Văn Sáu",
    )
    return {"binh": binh, "marriage": marriage, "daughter": daughter, "namesake": namesake}
