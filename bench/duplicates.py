"""Probable duplicates over a province's records: recall, precision, time and memory.

Generates `--records` birth records (synthetic people: child, mother, father — the father left
empty in 8 % of them — and the declarant) in birth registers of two offices, one register per
office and year, stored through `records.services.record_bulk_import` like an import. Then plants
`--planted` near-duplicates: copies of random records keyed again with one or two keying errors
— a typo in the child's, the mother's or the father's name (a letter replaced, dropped or
doubled), every name keyed without diacritics, day and month exchanged in the birth date, the
father's name left out — half in the other office's register of the same year, a quarter in a
second volume of the same office, a quarter in the same register (keyed twice, same number).

Timed (not the generation): `search.duplicates.cases_from_db` over every record of the province
(as the detection job reads them) and `find_pairs`. Recall is the share of planted pairs found;
precision the share of flagged pairs that are planted (a pair of generated records that happen
to look alike counts against precision). Peak memory is the process's high-water mark (VmHWM),
reset before the timed part.

Target (issue 7): ≥ 90 % recall and ≥ 90 % precision over 1,000,000 records with 1,000 planted,
in ≤ 2 minutes and ≤ 4 GB.
"""

from __future__ import annotations

import argparse
import contextlib
import time
from pathlib import Path
from typing import Any

DESCRIPTION = "probable duplicates over N generated birth records with planted near-duplicates"

YEARS = range(2000, 2016)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--records", type=int, default=1_000_000, help="generated records")
    parser.add_argument("--planted", type=int, default=1000, help="near-duplicates planted")
    parser.add_argument(
        "--show", type=int, default=0, help="print this many flagged pairs that were not planted"
    )


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _reset_peak() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _setup() -> tuple[Any, Any, dict[tuple[str, int, str], Any]]:
    from hotich.accounts.models import Office, User
    from hotich.registers.models import Register

    province = Office.objects.create(name="Sở Tư pháp (bench)", kind="province", path="/")
    province.path = f"/{province.pk}/"
    province.save(update_fields=["path"])
    registers: dict[tuple[str, int, str], Any] = {}
    for label in ("A", "B"):
        office = Office.objects.create(
            name=f"Phòng Tư pháp {label}", kind="district", parent=province, path="/"
        )
        office.path = f"{province.path}{office.pk}/"
        office.save(update_fields=["path"])
        for year in YEARS:
            for volume in ("01", "02"):
                registers[(label, year, volume)] = Register.objects.create(
                    custodian=office,
                    register_type="KS",
                    authority_name=f"UBND xã {label}",
                    authority_key=f"ubnd xa {label.lower()}",
                    authority_level="commune",
                    year_start=year,
                    volume=volume,
                )
    user = User.objects.create(username="bench-tinh", role="province_admin", office=province)
    return user, province, registers


def _record(synth: Any, number: int) -> dict[str, str]:
    rng = synth.rng
    sex = synth.sex()
    born = synth.birth_date((YEARS[0], YEARS[-1]))
    registered = born.replace(day=min(born.day + rng.randint(1, 20), 28))
    mother_year = born.year - rng.randint(18, 40)
    data = {
        "so": f"{number:02d}",
        "quyenSo": "01",
        "ngayDangKy": f"{registered:%d.%m.%Y}",
        "loaiDangKy": "1",
        "noiDangKy": "UBND xã",
        "nksHoTen": synth.person_name(sex, upper=True, year=born.year),
        "nksGioiTinh": str(sex),
        "nksNgaySinh": f"{born:%d.%m.%Y}",
        "nksDanToc": "Kinh",
        "nksQuocTich": "Việt Nam",
        "meHoTen": synth.person_name(2, year=mother_year),
        "meNgaySinh": str(mother_year),
        "nycHoTen": "",
        "nycQuanHe": "Mẹ",
    }
    if rng.random() > 0.08:
        data["chaHoTen"] = synth.person_name(1, year=mother_year - 2)
        data["chaNgaySinh"] = str(mother_year - rng.randint(0, 8))
    data["nycHoTen"] = data["meHoTen"]
    return data


def _perturb(synth: Any, data: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    rng = synth.rng
    copy = dict(data)
    kinds = ["typo_child", "typo_mother", "typo_father", "no_diacritics", "swap", "no_father"]
    chosen = rng.sample(kinds, rng.choice((1, 1, 2)))
    for kind in chosen:
        if kind == "typo_child":
            copy["nksHoTen"] = synth.typo(copy["nksHoTen"])
        elif kind == "typo_mother":
            copy["meHoTen"] = synth.typo(copy["meHoTen"])
        elif kind == "typo_father" and copy.get("chaHoTen"):
            copy["chaHoTen"] = synth.typo(copy["chaHoTen"])
        elif kind == "no_diacritics":
            for key in ("nksHoTen", "meHoTen", "chaHoTen", "nycHoTen"):
                if copy.get(key):
                    copy[key] = synth.strip_diacritics(copy[key])
        elif kind == "swap":
            d, m, y = (int(p) for p in copy["nksNgaySinh"].split("."))
            date = {"year": y, "month": m, "day": d, "text": copy["nksNgaySinh"]}
            swapped = synth.swap_day_month(date)
            copy["nksNgaySinh"] = swapped["text"]
        elif kind == "no_father":
            copy.pop("chaHoTen", None)
            copy.pop("chaNgaySinh", None)
    return copy, chosen


def _generate(
    n: int, planted: int, seed: int, user: Any, registers: dict[tuple[str, int, str], Any]
) -> set[tuple[int, int]]:
    from hotich.core.synthetic import Synth
    from hotich.records.models import Record
    from hotich.records.services import ImportRow, record_bulk_import

    synth = Synth(seed)
    rng = synth.rng
    per_register: dict[tuple[str, int, str], list[dict[str, str]]] = {}
    numbers: dict[tuple[str, int, str], int] = {}
    for _ in range(n):
        # The year comes from the birth date; draw the record, then file it.
        data = _record(synth, 0)
        year = int(data["nksNgaySinh"][-4:])
        office = "A" if rng.random() < 0.5 else "B"
        key = (office, year, "01")
        numbers[key] = numbers.get(key, 0) + 1
        data["so"] = f"{numbers[key]:02d}"
        per_register.setdefault(key, []).append(data)
    # Planted copies: chosen among the generated rows, appended to their target registers.
    keys = sorted(per_register)
    plants: list[tuple[tuple[str, int, str], int, tuple[str, int, str], int]] = []
    for _ in range(planted):
        source = rng.choice(keys)
        index = rng.randrange(len(per_register[source]))
        copy, _kinds = _perturb(synth, per_register[source][index])
        office, year, _volume = source
        r = rng.random()
        if r < 0.5:
            target = ("B" if office == "A" else "A", year, "01")
        elif r < 0.75:
            target = (office, year, "02")
        else:
            target = source
        if target != source:
            numbers[target] = numbers.get(target, 0) + 1
            copy["so"] = f"{numbers[target]:02d}"
        per_register.setdefault(target, []).append(copy)
        plants.append((source, index, target, len(per_register[target]) - 1))
    for key, rows in per_register.items():
        record_bulk_import(
            actor=user,
            register=registers[key],
            rows=[ImportRow(data=row, issues=[]) for row in rows],
        )
    # Rows get sequences 1.. in order within their register.
    ids = {
        (register_id, sequence): pk
        for pk, register_id, sequence in Record.objects.values_list(
            "pk", "register_id", "sequence"
        ).iterator(chunk_size=50_000)
    }
    truth = set()
    for source, index, target, at in plants:
        a = ids[(registers[source].pk, index + 1)]
        b = ids[(registers[target].pk, at + 1)]
        truth.add((min(a, b), max(a, b)))
    return truth


def run(args: argparse.Namespace) -> dict[str, Any]:
    from hotich.records.queries import record_list_for_user
    from hotich.search.duplicates import cases_from_db, find_pairs

    user, _province, registers = _setup()
    started = time.perf_counter()
    truth = _generate(args.records, args.planted, args.seed, user, registers)
    generated = time.perf_counter() - started

    _reset_peak()
    started = time.perf_counter()
    cases = list(cases_from_db(record_list_for_user(user)))
    loaded = time.perf_counter()
    pairs, work = find_pairs(cases)
    done = time.perf_counter()
    peak = _peak_mb()

    flagged = {(p.a, p.b) for p in pairs}
    if args.show:
        by_id = {c.record_id: c for c in cases}
        for p in [p for p in pairs if (p.a, p.b) not in truth][: args.show]:
            print(p.score, p.reasons, by_id[p.a], by_id[p.b], sep="\n  ")
    hits = len(flagged & truth)
    recall = hits / len(truth) if truth else 1.0
    precision = hits / len(flagged) if flagged else 1.0
    seconds = done - started
    return {
        "generate_seconds": round(generated, 1),
        "duplicates": [
            {
                "records": work["cases"],
                "planted": len(truth),
                "flagged": len(flagged),
                "found": hits,
                "recall_%": round(100 * recall, 1),
                "precision_%": round(100 * precision, 1),
                "load_s": round(loaded - started, 1),
                "match_s": round(done - loaded, 1),
                "seconds": round(seconds, 1),
                "peak_mb": round(peak),
                "compared": work["compared"],
            }
        ],
        "meets_recall": recall >= 0.9,
        "meets_precision": precision >= 0.9,
        "meets_time": seconds <= 120,
        "meets_memory": peak <= 4096,
    }
