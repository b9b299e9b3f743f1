"""A handful of units of both eras, enough for search, page and widget tests."""

from __future__ import annotations

import datetime as dt

import pytest

from hotich.core.text import fold
from hotich.units.models import AdminUnit, UnitSuccession

LEGACY_END = dt.date(2025, 6, 30)
NEW_START = dt.date(2025, 7, 1)


def make_unit(
    era: str, level: str, code: str, name: str, kind: str, parent: AdminUnit | None = None
) -> AdminUnit:
    full_name = f"{name}, {parent.full_name}" if parent else name
    legacy = era == AdminUnit.Era.LEGACY
    return AdminUnit.objects.create(
        era=era,
        level=level,
        code=code,
        name=name,
        kind=kind,
        parent=parent,
        full_name=full_name,
        name_key=fold(name),
        search_key=fold(full_name),
        valid_from=None if legacy else NEW_START,
        valid_to=LEGACY_END if legacy else None,
    )


@pytest.fixture
def units(db):
    """Xã Phước Tỉnh (legacy) and what it became, plus a few neighbours to rank against."""
    legacy, new = AdminUnit.Era.LEGACY, AdminUnit.Era.Y2025
    province, district, commune = (
        AdminUnit.Level.PROVINCE,
        AdminUnit.Level.DISTRICT,
        AdminUnit.Level.COMMUNE,
    )
    brvt = make_unit(legacy, province, "77", "Tỉnh Bà Rịa - Vũng Tàu", "Tỉnh")
    long_dien = make_unit(legacy, district, "753", "Huyện Long Điền", "Huyện", brvt)
    phuoc_tinh = make_unit(legacy, commune, "26674", "Xã Phước Tỉnh", "Xã", long_dien)
    phuoc_hung = make_unit(legacy, commune, "26665", "Xã Phước Hưng", "Xã", long_dien)
    tinh_tien = make_unit(legacy, commune, "26666", "Xã Phước Tỉnh Tiến", "Xã", long_dien)
    hcm = make_unit(new, province, "79", "Thành phố Hồ Chí Minh", "Thành phố trung ương")
    phuoc_hai = make_unit(new, commune, "26704", "Xã Phước Hải", "Xã", hcm)
    long_hai = make_unit(new, commune, "26686", "Xã Long Hải", "Xã", hcm)
    new_tinh = make_unit(new, commune, "26999", "Xã Phước Tỉnh", "Xã", hcm)
    UnitSuccession.objects.create(old=brvt, new=hcm, effective=NEW_START)
    UnitSuccession.objects.create(old=phuoc_tinh, new=long_hai, effective=NEW_START)
    UnitSuccession.objects.create(old=phuoc_hung, new=long_hai, effective=NEW_START)
    UnitSuccession.objects.create(
        old=phuoc_hung, new=phuoc_hai, effective=NEW_START, is_default=False
    )
    return {
        "brvt": brvt,
        "long_dien": long_dien,
        "phuoc_tinh": phuoc_tinh,
        "phuoc_hung": phuoc_hung,
        "tinh_tien": tinh_tien,
        "hcm": hcm,
        "phuoc_hai": phuoc_hai,
        "long_hai": long_hai,
        "new_tinh": new_tinh,
    }
