"""A large import on SQLite hands its last rows to a helper process: same rows, all or nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from django.db import connection, transaction

from hotich.core import fastinsert
from hotich.records import bulk_helper
from hotich.records.models import Party, Record
from hotich.records.services import ImportRow, record_bulk_import
from hotich.records.validation import Issue
from tests.factories import RegisterFactory

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the helper process is used on SQLite only"
)

_RECORD_FIELDS = (
    "sequence", "source", "data", "number", "number_sort", "registration_date",
    "registration_year", "error_count", "warning_count", "ack", "has_unreadable", "status",
    "keyed_by_id", "updated_by_id", "version",
)  # fmt: skip
_PARTY_FIELDS = (
    "role", "registration_year", "full_name", "name_key", "name_rev", "sex", "birth_year",
    "birth_month", "birth_day", "birth_text", "pid", "id_number", "ethnicity", "nationality",
    "residence", "birthplace",
)  # fmt: skip


def _rows(count: int) -> list[ImportRow]:
    rows = []
    for n in range(1, count + 1):
        issues = []
        data = {
            "so": f"{n:02d}",
            "ngayDangKy": f"{n % 28 + 1:02d}.01.2010",
            "loaiDangKy": "1",
            "noiDangKy": "UBND xã Nghi Lộc",
            "nksHoTen": f"NGUYỄN VĂN AN {n}",
            "nksGioiTinh": "1",
            "nksNgaySinh": f"{n % 28 + 1:02d}.12.2009",
            "meHoTen": "TRẦN THỊ BÌNH",
            "meNgaySinh": "1985",
            "meSoGiayToTuyThan": f"{n:09d}",
            "chaHoTen": "LÊ VĂN CƯỜNG" if n % 3 else "",
        }
        if n % 7 == 0:  # a row with an error is kept as a draft
            issues.append(Issue("nksGioiTinh", "error", "nksGioiTinh:invalid", "Sai mã."))
        if n % 5 == 0:  # a warning is acknowledged by the import
            issues.append(Issue("so", "warning", "sequence", "Số không liền sau."))
        rows.append(ImportRow(data={k: v for k, v in data.items() if v}, issues=issues))
    return rows


def _stored(register) -> tuple[list[tuple], list[tuple]]:
    records = list(
        Record.objects.filter(register=register).order_by("sequence").values_list(*_RECORD_FIELDS)
    )
    parties = list(
        Party.objects.filter(record__register=register)
        .order_by("record__sequence", "id")
        .values_list("record__sequence", *_PARTY_FIELDS)
    )
    return records, parties


@pytest.fixture
def helper_from_ten(monkeypatch):
    monkeypatch.setattr(bulk_helper, "PARALLEL_MIN_ROWS", 10)


@pytest.fixture
def watched_helpers(monkeypatch):
    started: list[bulk_helper.Helper] = []
    real = bulk_helper.Helper.__init__

    def init(self):
        real(self)
        started.append(self)

    monkeypatch.setattr(bulk_helper.Helper, "__init__", init)
    return started


@sqlite_only
def test_the_helper_stores_exactly_what_one_process_stores(
    register, users, helper_from_ten, watched_helpers, settings
):
    actor = users["unit_admin"]
    settings.IMPORT_HELPER = False
    with transaction.atomic():
        alone = record_bulk_import(actor=actor, register=register, rows=_rows(41))
    assert watched_helpers == []
    other = RegisterFactory(custodian=register.custodian, register_type="KS", volume="99")
    settings.IMPORT_HELPER = True
    with transaction.atomic():
        shared = record_bulk_import(actor=actor, register=other, rows=_rows(41))
    assert len(watched_helpers) == 1
    helper = watched_helpers[0]
    assert helper.process.returncode == 0
    assert not helper.folder.exists()  # the scratch folder is gone
    assert shared == alone
    assert alone["created"] == 41 and alone["pending"] == 5  # rows 7, 14, … 35
    assert _stored(other) == _stored(register)
    # Records and people ids are in file order: the helper's rows follow the import's own.
    ids = list(
        Record.objects.filter(register=other).order_by("sequence").values_list("pk", flat=True)
    )
    assert ids == sorted(ids) and ids[-1] - ids[0] == 40


@sqlite_only
def test_a_helper_that_dies_rolls_the_whole_import_back(
    register, users, helper_from_ten, watched_helpers, monkeypatch
):
    def send_garbage(self, job, rows):
        (self.folder / "rows.pickle").write_bytes(b"not a pickle")

    monkeypatch.setattr(bulk_helper.Helper, "send", send_garbage)
    with pytest.raises(bulk_helper.HelperFailed, match="exit status 1"), transaction.atomic():
        record_bulk_import(actor=users["unit_admin"], register=register, rows=_rows(30))
    assert not Record.objects.filter(register=register).exists()
    assert not Party.objects.filter(register=register).exists()
    assert not watched_helpers[0].folder.exists()


@sqlite_only
def test_a_failure_after_the_copy_rolls_back_and_the_next_import_works(
    register, users, helper_from_ten, watched_helpers, monkeypatch
):
    real = bulk_helper.Helper.copy_into

    def copy_then_fail(self, *models):
        real(self, *models)
        assert Record.objects.filter(register=register).count() == 30
        raise RuntimeError("mất điện")

    monkeypatch.setattr(bulk_helper.Helper, "copy_into", copy_then_fail)
    with pytest.raises(RuntimeError), transaction.atomic():
        record_bulk_import(actor=users["unit_admin"], register=register, rows=_rows(30))
    assert not Record.objects.filter(register=register).exists()
    monkeypatch.setattr(bulk_helper.Helper, "copy_into", real)
    # The rolled-back import left its scratch database attached: the next one still works.
    with transaction.atomic():
        counts = record_bulk_import(actor=users["unit_admin"], register=register, rows=_rows(30))
    assert counts["created"] == 30
    assert Record.objects.filter(register=register).count() == 30
    # (Inside a test the rollback is a savepoint's, so the leftover stays attached here; after
    # a real rollback the next import detaches it.)


def test_small_imports_and_postgresql_stay_in_one_process(db, settings):
    assert bulk_helper.wanted(19_999) is False
    assert bulk_helper.wanted(100_000) is (connection.vendor == "sqlite")
    settings.IMPORT_HELPER = False
    assert bulk_helper.wanted(100_000) is False


def test_the_checkpoint_after_a_commit_empties_the_wal(tmp_path: Path):
    path = tmp_path / "wal.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA wal_autocheckpoint = 0")
    db.execute("CREATE TABLE t (x)")
    db.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * 2000)
    wal = Path(f"{path}-wal")
    assert wal.stat().st_size > 500_000
    fastinsert.checkpoint_in_background(str(path)).join(timeout=30)
    busy, pages, copied = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert (busy, pages, copied) == (0, copied, pages)  # nothing left to copy
    assert db.execute("SELECT count(*) FROM t").fetchone() == (2000,)
    db.close()


@sqlite_only
def test_the_commit_of_an_import_leaves_automatic_checkpoints_as_they_were(register, users):
    def autocheckpoint() -> int:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint")
            return cursor.fetchone()[0]

    before = autocheckpoint()
    with transaction.atomic():
        record_bulk_import(actor=users["unit_admin"], register=register, rows=_rows(3))
    assert autocheckpoint() == before
    with pytest.raises(RuntimeError), transaction.atomic(), fastinsert.checkpoint_after_commit():
        raise RuntimeError("mất điện")
    assert autocheckpoint() == before
