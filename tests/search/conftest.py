"""A few keyed birth records in office `phong` (and one elsewhere) to look people up in."""

from __future__ import annotations

import pytest

from hotich.records.models import Record
from hotich.records.services import record_save
from hotich.search.vocabulary import vocabulary_forget
from tests.factories import RegisterFactory
from tests.records.test_record_save import BIRTH


def key(register, actor, number: int, **changes: str) -> Record:
    raw = {**BIRTH, "so": f"{number:02d}", **changes}
    return record_save(actor=actor, register=register, raw=raw).record


@pytest.fixture(autouse=True)
def _fresh_vocabulary():
    vocabulary_forget()
    yield
    vocabulary_forget()


@pytest.fixture
def people(users, tree, register):
    """Records of office `phong` (register 2010), of its commune, and of office `phong2`."""
    operator = users["operator"]
    other = RegisterFactory(custodian=tree["phong2"], register_type="KS", year_start=1992)
    marriage = RegisterFactory(custodian=tree["phong"], register_type="KH", year_start=2015)
    records = {
        "an": key(
            register,
            operator,
            1,
            nksHoTen="Nguyễn Văn An",
            nksGioiTinh="1",
            nksNgaySinh="05.03.1990",
            nksSoDinhDanh="001090012345",
            meHoTen="Trần Thị Bình",
            chaHoTen="Nguyễn Văn Cường",
            nycHoTen="Nguyễn Văn Cường",
        ),
        "anh": key(
            register,
            operator,
            2,
            nksHoTen="NGUYỄN VĂN ANH",
            nksGioiTinh="1",
            nksNgaySinh="1990",
            meHoTen="Lê Thị Hồng",
            chaHoTen="Nguyễn Văn Dũng",
            nycHoTen="Nguyễn Văn Dũng",
        ),
        "hoa": key(
            register,
            operator,
            3,
            # the old accent placement, "hoà": the search for "hòa" must find it
            nksHoTen="Nguyễn Thị Hoà",
            nksNgaySinh="12.1988",
            meHoTen="Phạm Thị Mai",
            chaHoTen="Nguyễn Văn Tâm",
            nycHoTen="Phạm Thị Mai",
        ),
        "dang": key(
            register,
            operator,
            4,
            nksHoTen="Đặng Văn Minh",
            nksNgaySinh="20.07.1975",
            meHoTen="Trần Thị Lan",
            chaHoTen="Đặng Văn Hùng",
            nycHoTen="Đặng Văn Hùng",
        ),
        "lan": key(
            register,
            operator,
            5,
            nksHoTen="Trần Thị Lan",
            nksNgaySinh="1985",
            meHoTen="Võ Thị Sáu",
            chaHoTen="Trần Văn Tư",
            nycHoTen="Trần Văn Tư",
            nksGioiTinh="2",
        ),
        # another office: nobody in `phong` may see it
        "other_an": key(
            other,
            users["other_admin"],
            1,
            ngayDangKy="10.03.1992",
            nksHoTen="Nguyễn Văn An",
            nksNgaySinh="01.01.1992",
            meHoTen="Hoàng Thị Yến",
            chaHoTen="Nguyễn Văn Bảo",
            nycHoTen="Nguyễn Văn Bảo",
        ),
    }
    records["an_married"] = record_save(
        actor=operator,
        register=marriage,
        raw={
            "so": "01",
            "quyenSo": "01",
            "ngayDangKy": "12.06.2015",
            "chongHoTen": "NGUYEN VAN AN",
            "chongNgaySinh": "05.03.1990",
            "chongSoGiayToTuyThan": "B1234567",
            "voHoTen": "Lê Thị Thu",
            "voNgaySinh": "1992",
        },
    ).record
    records["registers"] = {"birth": register, "other": other, "marriage": marriage}
    return records
