"""Bulk inserts: a large first import builds its indexes once, and a failure changes nothing."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from hotich.core import fastinsert
from hotich.records.models import Party, Record
from hotich.records.services import ImportRow, record_bulk_import

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="indexes are rebuilt on SQLite only"
)


def _indexes(table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s"
            " AND sql IS NOT NULL",
            [table],
        )
        return dict(cursor.fetchall())


def _rows(count: int) -> list[ImportRow]:
    return [
        ImportRow(
            data={
                "so": f"{n:02d}",
                "ngayDangKy": f"{n % 28 + 1:02d}.01.2010",
                "loaiDangKy": "1",
                "noiDangKy": "UBND xã Nghi Lộc",
                "nksHoTen": f"NGUYỄN VĂN AN {n}",
                "nksGioiTinh": "1",
                "nksNgaySinh": "01.01.2010",
                "meHoTen": "TRẦN THỊ BÌNH",
                "meSoGiayToTuyThan": f"{n:09d}",
            },
            issues=[],
        )
        for n in range(1, count + 1)
    ]


@pytest.fixture
def rebuild_small(monkeypatch):
    """Rebuild from 10 rows on, so that the tests stay small."""
    monkeypatch.setattr(fastinsert, "REBUILD_MIN_ROWS", 10)


@sqlite_only
def test_a_large_first_import_drops_and_rebuilds_the_same_indexes(
    register, users, rebuild_small, monkeypatch
):
    before = {t: _indexes(t) for t in ("records_party", "records_record")}
    assert "party_name_key" in before["records_party"]
    seen: list[bool] = []
    real = fastinsert.indexes_deferred

    def watched(model, new_rows):
        cm = real(model, new_rows)

        class Watch:
            def __enter__(self):
                did = cm.__enter__()
                seen.append(did)
                # Inside the block the plain indexes are gone, the unique ones stay.
                if did:
                    left = _indexes(model._meta.db_table)
                    assert "party_name_key" not in left and "party_name_rev" not in left
                return did

            def __exit__(self, *exc):
                return cm.__exit__(*exc)

        return Watch()

    monkeypatch.setattr(fastinsert, "indexes_deferred", watched)
    with transaction.atomic():
        counts = record_bulk_import(actor=users["unit_admin"], register=register, rows=_rows(30))
    assert seen == [True, True]
    assert counts["created"] == 30
    assert {t: _indexes(t) for t in before} == before
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM records_party WHERE name_key = 'tran thi binh'"
        )
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "party_name_key" in plan or "party_birth_year_name" in plan
    assert Party.objects.filter(name_key="tran thi binh").count() == 30
    # Each person carries its record's registration year (the search reads it in the index).
    assert set(Party.objects.values_list("registration_year", flat=True)) == {2010}


@sqlite_only
def test_an_import_that_fails_with_the_indexes_dropped_leaves_them_and_no_rows(
    register, users, rebuild_small, monkeypatch
):
    before = _indexes("records_party")
    real = fastinsert.insert_rows

    def dies_on_people(model, *args, **kwargs):
        if model is Party:
            raise RuntimeError("mất điện")
        return real(model, *args, **kwargs)

    monkeypatch.setattr(fastinsert, "insert_rows", dies_on_people)
    with pytest.raises(RuntimeError), transaction.atomic():
        record_bulk_import(actor=users["unit_admin"], register=register, rows=_rows(30))
    assert _indexes("records_party") == before
    assert not Record.objects.filter(register=register).exists()


@sqlite_only
def test_a_table_already_larger_than_the_import_keeps_its_indexes(register, rebuild_small):
    with transaction.atomic():
        record_bulk_import(actor=None, register=register, rows=_rows(40))
    before = _indexes("records_record")
    assert len(before) >= 4
    with transaction.atomic(), fastinsert.indexes_deferred(Record, 10) as did:
        assert did is False  # 40 records there, 10 new: growing the indexes is cheaper
        assert _indexes("records_record") == before
    with transaction.atomic(), fastinsert.indexes_deferred(Record, 25) as did:
        assert did is True
        assert _indexes("records_record") == {}
    assert _indexes("records_record") == before


def test_small_imports_and_postgresql_never_drop_an_index(db):
    with transaction.atomic(), fastinsert.indexes_deferred(Party, 19_999) as did:
        assert did is False
    with transaction.atomic(), fastinsert.indexes_deferred(Party, 100_000) as did:
        assert did is (connection.vendor == "sqlite")


@sqlite_only
def test_outside_a_transaction_it_refuses(transactional_db):
    with pytest.raises(RuntimeError), fastinsert.indexes_deferred(Party, 100_000):
        pass


@sqlite_only
def test_check_constraints_are_skipped_only_inside_the_block(db):
    def ignored() -> int:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA ignore_check_constraints")
            return cursor.fetchone()[0]

    assert ignored() == 0
    with pytest.raises(RuntimeError), fastinsert.checks_skipped():
        assert ignored() == 1
        raise RuntimeError("mất điện")
    assert ignored() == 0
