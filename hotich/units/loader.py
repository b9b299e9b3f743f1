"""Loading both unit lists and the links between them from the two public data packages.

`units_load` upserts the pre-1/7/2025 three-tier list (from `vietnamadminunits`, read straight
from its SQLite file: importing that package pulls in geopy and shapely), today's two-tier list
(from `vietnam-provinces`) and the old→new `UnitSuccession` links of the 2025 reorganisation
(from `vietnamadminunits`' converter table). Rows are identified by (era, level, code) and only
new or changed rows are written, so running it again changes nothing. New communes are matched
by (province, name) and never by code: the two packages disagree on ~114 of the 2025 codes.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import logging
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from django.db import connection, transaction

from hotich.core.audit import audit_record
from hotich.core.text import fold, nfc
from hotich.units.models import AdminUnit, UnitSuccession

logger = logging.getLogger(__name__)

EFFECTIVE_2025 = dt.date(2025, 7, 1)
LEGACY_END = dt.date(2025, 6, 30)

Era = AdminUnit.Era
Level = AdminUnit.Level
UnitKey = tuple[str, str, str]  # (era, level, code)

_UNIT_FIELDS = [
    "name",
    "kind",
    "parent_id",
    "full_name",
    "name_key",
    "search_key",
    "valid_from",
    "valid_to",
]


class Writer(Protocol):
    def write(self, message: str, /) -> object: ...


@dataclass(frozen=True)
class UnitRow:
    era: str
    level: str
    code: str
    name: str
    kind: str
    full_name: str
    parent: UnitKey | None = None

    @property
    def key(self) -> UnitKey:
        return (self.era, self.level, self.code)


@dataclass
class Source:
    """Both lists as rows, plus the name keys the converter table uses to point at them."""

    rows: list[UnitRow]
    legacy_keys: dict[str, UnitKey]  # "provinceKey" or "provinceKey_districtKey_wardKey"
    new_provinces: dict[str, UnitKey]  # province key
    new_communes: dict[tuple[str, str], UnitKey]  # (province key, commune key)


def compact_key(name: str) -> str:
    """The converter's key for a name: "Phường Phúc Xá" -> "phuongphucxa"."""
    return fold(name).replace(" ", "")


def _accented_key(name: str) -> str:
    # Where two communes of one province fold to the same key (Cẩm Giang / Cẩm Giàng), the
    # converter keeps the accents: "xãcẩmgiàng".
    return nfc(name).lower().replace(" ", "")


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"Python package {name!r} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def _read_2025(rows: list[UnitRow], source: Source) -> None:
    import vietnam_provinces

    data = json.loads(Path(vietnam_provinces.NESTED_DIVISIONS_JSON_PATH).read_text("utf-8"))
    folded: dict[tuple[str, str], list[UnitKey]] = {}
    for province in data:
        name = nfc(province["name"])
        # The package writes "Cao Bằng" but "Thành phố Hà Nội": give provinces their title.
        if not name.startswith(("Tỉnh ", "Thành phố ")):
            name = f"Tỉnh {name}"
        prow = UnitRow(
            Era.Y2025,
            Level.PROVINCE,
            f"{province['code']:02d}",
            name,
            nfc(province["division_type"]).capitalize(),
            name,
        )
        rows.append(prow)
        pkey = compact_key(name)
        source.new_provinces[pkey] = prow.key
        for ward in province["wards"]:
            wname = nfc(ward["name"])
            wrow = UnitRow(
                Era.Y2025,
                Level.COMMUNE,
                f"{ward['code']:05d}",
                wname,
                nfc(ward["division_type"]).capitalize(),
                f"{wname}, {name}",
                prow.key,
            )
            rows.append(wrow)
            source.new_communes[(pkey, _accented_key(wname))] = wrow.key
            folded.setdefault((pkey, compact_key(wname)), []).append(wrow.key)
    source.new_communes.update({k: v[0] for k, v in folded.items() if len(v) == 1})


def _read_legacy(rows: list[UnitRow], source: Source, db_path: Path) -> None:
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        records = con.execute(
            "SELECT province, district, ward, districtType, wardType, provinceCode, districtCode,"
            " wardCode, provinceKey, districtKey, wardKey FROM admin_units_legacy"
            " ORDER BY provinceCode, districtCode, wardCode"
        ).fetchall()
    finally:
        con.close()
    seen: set[UnitKey] = set()

    def add(row: UnitRow) -> None:
        if row.key not in seen:
            seen.add(row.key)
            rows.append(row)

    for province, district, ward, dtype, wtype, pcode, dcode, wcode, pk, dk, wk in records:
        province, district = nfc(province), nfc(district)
        pkind = "Thành phố" if province.startswith("Thành phố") else "Tỉnh"
        prow = UnitRow(Era.LEGACY, Level.PROVINCE, pcode.zfill(2), province, pkind, province)
        add(prow)
        source.legacy_keys[pk] = prow.key
        drow = UnitRow(
            Era.LEGACY,
            Level.DISTRICT,
            dcode.zfill(3),
            district,
            nfc(dtype),
            f"{district}, {province}",
            prow.key,
        )
        add(drow)
        if not ward:
            # Island districts (Bạch Long Vĩ, Cồn Cỏ, Hoàng Sa, Lý Sơn, Côn Đảo) have no commune;
            # the converter points at them as "province_district_".
            source.legacy_keys[f"{pk}_{dk}_"] = drow.key
            continue
        ward = nfc(ward)
        wrow = UnitRow(
            Era.LEGACY,
            Level.COMMUNE,
            wcode.zfill(5),
            ward,
            nfc(wtype),
            f"{ward}, {district}, {province}",
            drow.key,
        )
        add(wrow)
        source.legacy_keys[f"{pk}_{dk}_{wk}"] = wrow.key


def units_read() -> tuple[Source, dict[str, Any]]:
    """Both unit lists from the installed packages, and the converter table, without the DB."""
    vau = _package_dir("vietnamadminunits") / "data"
    source = Source(rows=[], legacy_keys={}, new_provinces={}, new_communes={})
    _read_legacy(source.rows, source, vau / "dataset.db")
    _read_2025(source.rows, source)
    converter = json.loads((vau / "converter_2025.json").read_text("utf-8"))
    return source, converter


def _validity(era: str) -> tuple[dt.date | None, dt.date | None]:
    return (None, LEGACY_END) if era == Era.LEGACY else (EFFECTIVE_2025, None)


def _upsert_units(rows: list[UnitRow], ids: dict[UnitKey, int]) -> tuple[int, int]:
    """Create or update one level's rows; fills `ids` with the keys of the rows written."""
    existing = {
        (u.era, u.level, u.code): u
        for u in AdminUnit.objects.filter(level=rows[0].level, era__in={r.era for r in rows})
    }
    to_create, to_update = [], []
    for row in rows:
        valid_from, valid_to = _validity(row.era)
        values = {
            "name": row.name,
            "kind": row.kind,
            "full_name": row.full_name,
            "parent_id": ids[row.parent] if row.parent else None,
            "name_key": fold(row.name),
            "search_key": fold(row.full_name),
            "valid_from": valid_from,
            "valid_to": valid_to,
        }
        unit = existing.get(row.key)
        if unit is None:
            to_create.append(AdminUnit(era=row.era, level=row.level, code=row.code, **values))
        elif any(getattr(unit, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(unit, field, value)
            to_update.append(unit)
    AdminUnit.objects.bulk_create(to_create, batch_size=500)
    AdminUnit.objects.bulk_update(to_update, _UNIT_FIELDS, batch_size=500)
    for era, level, code, pk in AdminUnit.objects.filter(
        level=rows[0].level, era__in={r.era for r in rows}
    ).values_list("era", "level", "code", "pk"):
        ids[(era, level, code)] = pk
    return len(to_create), len(to_update)


def _successions(source: Source, converter: dict[str, Any]) -> tuple[dict, list[str]]:
    """(old key, new key) -> is_default, and the converter keys that matched no unit."""
    links: dict[tuple[UnitKey, UnitKey], bool] = {}
    unmatched: list[str] = []

    def link(old: str, new: UnitKey | None, new_name: str, is_default: bool) -> None:
        old_key = source.legacy_keys.get(old)
        if old_key is None:
            unmatched.append(f"cũ:{old}")
        if new is None:
            unmatched.append(f"mới:{new_name}")
        if old_key and new:
            links[(old_key, new)] = is_default

    for new_province, olds in converter["DICT_PROVINCE"].items():
        for old in olds:
            link(old, source.new_provinces.get(new_province), new_province, True)
    for new_province, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_ward, olds in wards.items():
            new = source.new_communes.get((new_province, new_ward))
            for old in olds:
                link(old, new, f"{new_province}/{new_ward}", True)
    # An old commune split across several new ones: one of them is its default successor.
    for new_province, olds in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, parts in olds.items():
            for part in parts:
                new = source.new_communes.get((new_province, part["newWardKey"]))
                name = f"{new_province}/{part['newWardKey']}"
                link(old, new, name, bool(part.get("isDefaultNewWard")))
    return links, sorted(set(unmatched))


def _upsert_successions(links: dict, ids: dict[UnitKey, int]) -> tuple[int, int]:
    existing = {
        (s.old_id, s.new_id): s for s in UnitSuccession.objects.filter(effective=EFFECTIVE_2025)
    }
    to_create, to_update = [], []
    for (old, new), is_default in links.items():
        pair = (ids[old], ids[new])
        succession = existing.get(pair)
        if succession is None:
            to_create.append(
                UnitSuccession(
                    old_id=pair[0], new_id=pair[1], effective=EFFECTIVE_2025, is_default=is_default
                )
            )
        elif succession.is_default != is_default:
            succession.is_default = is_default
            to_update.append(succession)
    UnitSuccession.objects.bulk_create(to_create, batch_size=500)
    UnitSuccession.objects.bulk_update(to_update, ["is_default"], batch_size=500)
    return len(to_create), len(to_update)


def _analyze() -> None:
    # Fresh planner statistics: without them SQLite may join the two eras of 14,000 units
    # as a cross product (seconds instead of milliseconds).
    with connection.cursor() as cursor:
        for model in (AdminUnit, UnitSuccession):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def units_load(*, stdout: Writer | None = None) -> dict[str, Any]:
    """Load or refresh both unit lists and the 2025 succession links; returns the counts."""
    started = time.monotonic()

    def say(message: str) -> None:
        if stdout is not None:
            stdout.write(message + "\n")
        else:
            logger.info(message)

    source, converter = units_read()
    say(f"Đã đọc {len(source.rows)} đơn vị từ hai gói dữ liệu.")
    counts: dict[str, Any] = {}
    by_level: dict[tuple[str, str], int] = {}
    for row in source.rows:
        by_level[(row.era, row.level)] = by_level.get((row.era, row.level), 0) + 1
    for (era, level), n in sorted(by_level.items()):
        counts[f"{level}_{era}"] = n

    created = updated = 0
    ids: dict[UnitKey, int] = {}
    with transaction.atomic():
        for level in (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE):
            rows = [row for row in source.rows if row.level == level]
            c, u = _upsert_units(rows, ids)
            created, updated = created + c, updated + u
            say(f"  {Level(level).label}: {len(rows)} đơn vị, {c} mới, {u} cập nhật")
        links, unmatched = _successions(source, converter)
        s_created, s_updated = _upsert_successions(links, ids)
        say(f"  kế thừa 01/7/2025: {len(links)} liên kết, {s_created} mới, {s_updated} cập nhật")
        if unmatched:
            say(f"  {len(unmatched)} khoá trong bảng chuyển đổi không khớp đơn vị nào, ví dụ:")
            for key in unmatched[:10]:
                say(f"    {key}")
        counts.update(
            units=len(source.rows),
            created=created,
            updated=updated,
            successions=len(links),
            successions_created=s_created,
            successions_updated=s_updated,
            unmatched=len(unmatched),
        )
        if created or updated or s_created or s_updated:
            audit_record(
                actor=None,
                action="units.load",
                object_type="units.adminunit",
                object_repr="Danh mục đơn vị hành chính",
                after=counts,
            )
        if created or s_created:
            _analyze()
    counts["seconds"] = round(time.monotonic() - started, 2)
    say(f"Xong trong {counts['seconds']} giây.")
    return counts
