"""Import of a Ministry KS file: parse, validate, store and index, against django-import-export.

Generates a birth-register file of `--rows` rows in the Ministry's template (synthetic people,
realistic fill: about 30 of the 70 columns), then, in one run on the same database engine:

1. hotich's import — `transfer.importer.analyse` (read with calamine, legacy-encoding check,
   every row validated, numbering checked) and `records.services.record_bulk_import` (records
   and their people written in one transaction) — timed and its peak memory measured;
2. django-import-export, the library most Django projects would use: a `ModelResource` on
   `Record` with bulk inserts on, reading the same file with tablib. It is given the easier job —
   the row's columns go into `Record.data` with no validation and no people rows — so the ratio
   understates the difference. `--die-rows N` limits it to the first N rows (its time is then
   scaled to the whole file and reported as such); `--die-rows 0` skips it.

Peak memory: the kernel's high-water mark of this process (VmHWM), reset before each case, and
those of the import's helper processes — the one that reads and checks the second half of a
large file (`transfer.parallel`), then the one that prepares half of the rows to store (SQLite,
`records.bulk_helper`); they never run at the same time, so the memory target is checked on
this process's peak plus the larger helper's.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import tempfile
import time
from pathlib import Path
from typing import Any

DESCRIPTION = "Excel import of a KS file: parse, validate, store, index; vs django-import-export"

TARGET_SECONDS = 8.0
TARGET_MB = 1024
TARGET_RATIO = 10.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rows", type=int, default=100_000, help="rows in the generated file")
    parser.add_argument(
        "--die-rows",
        type=int,
        default=None,
        help="rows given to django-import-export (default: all; 0: skip it)",
    )
    parser.add_argument("--file", help="import this .xlsx instead of generating one")
    parser.add_argument(
        "--no-index-rebuild",
        action="store_true",
        help="grow the indexes row by row, as an import into a large database does",
    )


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _helper_peaks_mb() -> tuple[float, float]:
    """The high-water marks the import's helper processes reported, reading then storing (0:
    no helper ran)."""
    from hotich.records import bulk_helper
    from hotich.transfer import parallel

    return parallel.last_helper_peak_kb[0] / 1024, bulk_helper.last_result.get("peak_kb", 0) / 1024


def _reset_peak() -> None:
    # Linux: writing 5 to clear_refs resets VmHWM to the current RSS.
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _rows(count: int, seed: int) -> Any:
    from hotich.core.synthetic import Synth

    synth = Synth(seed)
    # A register is written in order: each birth is registered 1 to 60 days after it, and the
    # rows follow the registration dates, numbered from 01 each year.
    events = sorted(
        (born + dt.timedelta(days=synth.rng.randint(1, 60)), born)
        for born in (synth.birth_date((2000, 2015)) for _ in range(count))
    )
    per_year: dict[int, int] = {}
    for registered, born in events:
        sex = synth.sex()
        year = born.year
        number = per_year[registered.year] = per_year.get(registered.year, 0) + 1
        mother_year = year - synth.rng.randint(18, 40)
        yield {
            "so": f"{number:02d}",
            "quyenSo": "01",
            "trangSo": str(number // 4 + 1),
            "ngayDangKy": f"{registered:%d.%m.%Y}",
            "loaiDangKy": "1",
            "noiDangKy": "UBND xã Phước Tỉnh",
            "nguoiKy": "Nguyễn Văn Hùng",
            "chucVuNguoiKy": "Chủ tịch",
            "nguoiThucHien": "Trần Thị Lan",
            "nksHoTen": synth.person_name(sex, upper=True, year=year),
            "nksGioiTinh": str(sex),
            "nksNgaySinh": f"{born:%d.%m.%Y}",
            "nksNoiSinh": "Trạm y tế xã Phước Tỉnh",
            "nksQueQuan": "Phước Tỉnh, Long Điền, Bà Rịa - Vũng Tàu",
            "nksDanToc": synth.ethnicity(),
            "nksQuocTich": "Việt Nam",
            "meHoTen": synth.person_name(2, upper=True, year=mother_year),
            "meNgaySinh": str(mother_year),
            "meDanToc": "Kinh",
            "meQuocTich": "Việt Nam",
            "meNoiCuTru": "Phước Tỉnh, Long Điền",
            "meLoaiGiayToTuyThan": "1",
            "meSoGiayToTuyThan": synth.cmnd(),
            "chaHoTen": synth.person_name(1, upper=True, year=mother_year - 3),
            "chaNgaySinh": f"{mother_year - 3}",
            "chaDanToc": "Kinh",
            "chaQuocTich": "Việt Nam",
            "chaNoiCuTru": "Phước Tỉnh, Long Điền",
            "nycHoTen": "NGƯỜI KHAI",
            "nycQuanHe": "Cha",
        }


def _generate(path: Path, rows: int, seed: int) -> float:
    from hotich.records.schema import record_type
    from hotich.transfer.xlsx_write import write_ministry_xlsx

    started = time.perf_counter()
    write_ministry_xlsx(record_type("KS"), _rows(rows, seed), path)
    return time.perf_counter() - started


def _setup() -> tuple[Any, Any]:
    from hotich.accounts.models import Office, User
    from hotich.registers.models import Register

    office = Office.objects.create(name="Phòng Tư pháp (bench)", kind="district", path="/")
    office.path = f"/{office.pk}/"
    office.save(update_fields=["path"])
    user = User.objects.create(username="bench", role="unit_admin", office=office)
    register = Register.objects.create(
        custodian=office,
        register_type="KS",
        authority_name="UBND xã Phước Tỉnh",
        authority_key="ubnd xa phuoc tinh",
        authority_level="commune",
        year_start=2000,
        year_end=2016,
        volume="01",
    )
    return user, register


def _hotich(path: Path, user: Any, register: Any) -> dict[str, Any]:
    from hotich.records import bulk_helper
    from hotich.records.models import Party, Record
    from hotich.records.services import record_bulk_import
    from hotich.transfer import parallel

    bulk_helper.last_result.clear()
    parallel.last_helper_peak_kb[0] = 0
    from hotich.transfer.importer import analyse

    _reset_peak()
    started = time.perf_counter()
    with bulk_helper.spare():  # as `transfer.services.import_run` does
        with path.open("rb") as stream:
            analysis = analyse(register, stream)
        parsed = time.perf_counter()
        counts = record_bulk_import(actor=user, register=register, rows=analysis.import_rows())
    done = time.perf_counter()
    reading, storing = _helper_peaks_mb()
    return {
        "seconds": round(done - started, 2),
        "analyse_seconds": round(parsed - started, 2),
        "store_seconds": round(done - parsed, 2),
        "peak_mb": round(_peak_mb()),
        "read_helper_mb": round(reading),
        "store_helper_mb": round(storing),
        "rows": len(analysis.rows),
        "records": Record.objects.filter(register=register).count(),
        "parties": Party.objects.filter(record__register=register).count(),
        "imported": counts["submitted"],
        "pending": counts["pending"],
    }


def _die(path: Path, rows: int, user: Any, register: Any) -> dict[str, Any]:
    import json

    import openpyxl
    import tablib
    from import_export import resources

    from hotich.records.models import Record
    from hotich.records.schema import record_type

    keys = [f.key for f in record_type("KS").keyed_fields]

    class RecordResource(resources.ModelResource):
        class Meta:
            model = Record
            fields = ("register", "number", "sequence", "source", "data", "status")
            import_id_fields: tuple[str, ...] = ()
            use_bulk = True
            batch_size = 1000
            skip_diff = True
            force_init_instance = True

        def before_import_row(self, row: Any, **kwargs: Any) -> None:
            # Its JSONField widget takes the column's text, as a file would hold it.
            row["data"] = json.dumps({k: row[k] for k in keys if row.get(k)}, ensure_ascii=False)
            row["number"] = row.get("so") or ""
            row["register"] = register.pk
            row["sequence"] = 0
            row["source"] = "import"
            row["status"] = "submitted"

    _reset_peak()
    started = time.perf_counter()
    # tablib's own xlsx loader, limited to `rows` rows (openpyxl read-only, as it uses).
    book = openpyxl.load_workbook(path, read_only=True)
    sheet = book["DL Import"]
    values = sheet.iter_rows(values_only=True)
    header = [str(h) for h in next(values)]
    dataset = tablib.Dataset(headers=[*header, "data", "number", "register", "sequence",
                                      "source", "status"])  # fmt: skip
    for n, row in enumerate(values):
        if n >= rows:
            break
        dataset.append([*("" if v is None else str(v) for v in row), "", "", "", "", "", ""])
    book.close()
    result = RecordResource().import_data(dataset, dry_run=False, raise_errors=True)
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 2),
        "rows": rows,
        "peak_mb": round(_peak_mb()),
        "errors": len(result.row_errors()),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    # The run's own temporary directory (removed at the end unless --keep).
    folder = Path(os.environ.get("HOTICH_DATA_DIR") or tempfile.mkdtemp(prefix="hotich-bench-"))
    path = Path(args.file) if args.file else folder / "KS.2010.01.xlsx"
    generated = 0.0 if args.file else _generate(path, args.rows, args.seed)
    if args.no_index_rebuild:
        from hotich.core import fastinsert

        fastinsert.REBUILD_MIN_ROWS = 2**62
    user, register = _setup()
    ours = _hotich(path, user, register)
    result: dict[str, Any] = {
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "generate_seconds": round(generated, 1),
        "hotich": [ours],
        "meets_time_target": ours["seconds"] <= TARGET_SECONDS,
        # This process and its larger helper at their peaks at once (the two helpers never run
        # together): an upper bound of what the import needs.
        "meets_memory_target": (
            ours["peak_mb"] + max(ours["read_helper_mb"], ours["store_helper_mb"]) < TARGET_MB
        ),
    }
    die_rows = ours["rows"] if args.die_rows is None else min(args.die_rows, ours["rows"])
    if die_rows:
        _user, other = _setup_again(register)
        theirs = _die(path, die_rows, user, other)
        scaled = theirs["seconds"] * ours["rows"] / die_rows
        theirs["seconds_whole_file"] = round(scaled, 1)
        result["django_import_export"] = [theirs]
        result["speedup"] = round(scaled / ours["seconds"], 1)
        result["meets_ratio_target"] = scaled / ours["seconds"] >= TARGET_RATIO
    return result


def _setup_again(register: Any) -> tuple[Any, Any]:
    from hotich.registers.models import Register

    other = Register.objects.create(
        custodian=register.custodian,
        register_type="KS",
        authority_name=register.authority_name,
        authority_key=register.authority_key,
        authority_level="commune",
        year_start=2000,
        year_end=2016,
        volume="02",
    )
    return None, other
