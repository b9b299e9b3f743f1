"""Bulk inserts without building model instances, for imports of 100,000 rows and more.

`bulk_create` spends most of its time preparing each field of each instance; an import of a
register file inserts half a million rows (records and their people), so it writes prepared
tuples with `executemany` instead. Callers pass values already in database form: use
`db_datetime` / `db_date` and `json_text` below.
"""

from __future__ import annotations

import contextlib
import gc
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import orjson
from django.db import connection, models, transaction


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block (then as before).

    Reading or storing a large file makes millions of objects that live until the end (rows,
    their dicts, the tuples to insert); each automatic collection walks all of them again, a
    quarter of the time of checking 100,000 rows (measured). The blocks this wraps make no
    reference cycles worth collecting; plain reference counting still frees everything else,
    and the next full collection sees any cycle.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            # What the block made goes straight to the oldest generation (freeze, then unfreeze:
            # no scan), so that the first collection after it does not walk it all at once.
            gc.freeze()
            gc.unfreeze()
            gc.enable()


@contextmanager
def checks_skipped() -> Iterator[None]:
    """SQLite: no CHECK constraints inside the block, for rows this code prepared itself.

    Django's CHECKs there are JSON_VALID on the JSON columns and `>= 0` on the positive
    numbers; the rows of an import are JSON from `json_text` and numbers parsed from digits, so
    re-parsing every record's JSON only costs time (a third of the INSERT of a record). Foreign
    keys and NOT NULL are still enforced.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA ignore_check_constraints")
        before = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA ignore_check_constraints = 1")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA ignore_check_constraints = {before:d}")


def db_datetime(value: Any) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def db_date(value: Any) -> Any:
    return connection.ops.adapt_datefield_value(value)


def json_text(value: Any) -> str:
    """Compact JSON, non-ASCII text as it is: what `json.dumps(value, ensure_ascii=False,
    separators=(",", ":"))` gives for the data of a record, four times quicker (orjson)."""
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:  # what orjson refuses (a lone surrogate, a key not text)
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def lock_row(model: type[models.Model], pk: int) -> None:
    """Take the write lock: on PostgreSQL the row's, on SQLite the database's (so that ids read
    next cannot be taken by another writer before this transaction commits)."""
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(str(model._meta.pk.column))
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = {column} WHERE {column} = %s", [pk])


def large_write_cache() -> None:
    """SQLite: a page cache big enough for the indexes an import grows (the default 2 MB makes
    every index insert of a large import a disk read). Lasts for this connection; connections
    are not reused across requests on SQLite (CONN_MAX_AGE = 0)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")


@contextmanager
def checkpoint_after_commit() -> Iterator[None]:
    """SQLite (WAL), around the writes of a transaction: let its commit return without copying
    the WAL into the database file; a background thread does that right after, on its own
    connection.

    A large import writes hundreds of MB; SQLite's automatic checkpoint would copy them all
    again inside the commit, with the import still waiting (about 1 s for 100,000 rows).
    Readers and writers are not blocked by the later (passive) checkpoint. If the block fails,
    automatic checkpoints are switched back on at once (a rollback leaves nothing to copy).
    """
    if connection.vendor != "sqlite" or not connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        wal = str(cursor.fetchone()[0]).lower() == "wal"
        cursor.execute("PRAGMA wal_autocheckpoint")
        before = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA database_list")
        path = next((row[2] for row in cursor.fetchall() if row[1] == "main"), "")
    if not wal or not path or before <= 0:
        yield
        return

    def set_autocheckpoint(pages: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint = {pages:d}")

    def after_commit() -> None:
        set_autocheckpoint(before)
        checkpoint_in_background(path)

    set_autocheckpoint(0)
    try:
        yield
    except BaseException:
        set_autocheckpoint(before)
        raise
    transaction.on_commit(after_commit)


def checkpoint_in_background(path: str) -> threading.Thread:
    """Copy the WAL of the SQLite database at `path` into it, in a thread of its own."""

    def run() -> None:
        with contextlib.suppress(sqlite3.Error):
            db = sqlite3.connect(path, timeout=30)
            try:
                db.execute("PRAGMA wal_checkpoint(PASSIVE)")
            finally:
                db.close()

    thread = threading.Thread(target=run, name="hotich-wal-checkpoint", daemon=True)
    thread.start()
    return thread


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` fresh primary keys for rows inserted in this transaction (after `lock_row`)."""
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, str(model._meta.pk.column), count],
            )
            return [row[0] for row in cursor.fetchall()]
        column = connection.ops.quote_name(str(model._meta.pk.column))
        cursor.execute(f"SELECT COALESCE(MAX({column}), 0) FROM {connection.ops.quote_name(table)}")
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    json_columns: Sequence[str] = (),
    batch: int = 5000,
) -> int:
    """INSERT the rows (tuples in `columns` order); returns how many were written.

    On PostgreSQL the rows go through `COPY ... FROM STDIN` (psycopg writes them in the text
    format as they come: several times faster than INSERTs, and JSON text lands in `jsonb`
    as it is); on SQLite through prepared INSERTs, `batch` rows per `executemany`.
    """
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    if connection.vendor == "postgresql":
        return _copy_rows(table, names, rows)
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    marks = ", ".join(f"%s{cast}" if c in json_columns else "%s" for c in columns)
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
    written = 0
    chunk: list[Sequence[Any]] = []
    with connection.cursor() as cursor:
        for row in rows:
            chunk.append(row)
            if len(chunk) >= batch:
                cursor.executemany(sql, chunk)
                written += len(chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)
            written += len(chunk)
    return written


def _copy_rows(table: str, names: str, rows: Iterable[Sequence[Any]]) -> int:
    written = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                written += 1
    return written


#: Below this many new rows an import never rebuilds indexes (see `indexes_deferred`).
REBUILD_MIN_ROWS = 20_000
#: Rebuild while the table holds at most this many rows per new row: SQLite's CREATE INDEX
#: sorts, about three times cheaper per row than growing a B-tree one random key at a time
#: (measured on the import benchmark), so rebuilding pays off until the rows already there
#: outnumber the new ones about two to one.
REBUILD_MAX_RATIO = 2


@contextmanager
def indexes_deferred(model: type[models.Model], new_rows: int) -> Iterator[bool]:
    """SQLite, inside a transaction: drop the table's plain indexes, let the block insert, then
    build them again — when that is cheaper, i.e. when `new_rows` is large against the rows
    already in the table (a first import of a large file). Yields whether it did.

    DDL is transactional in SQLite: a failure rolls the drops back with the rows, and readers
    (WAL) keep using the indexes of the last committed state meanwhile. Unique indexes are
    left alone. On PostgreSQL nothing changes: dropping an index there locks out every reader.
    """
    if connection.vendor != "sqlite" or new_rows < REBUILD_MIN_ROWS:
        yield False
        return
    if not connection.in_atomic_block:
        raise RuntimeError("indexes_deferred needs a transaction")
    table = model._meta.db_table
    column = connection.ops.quote_name(str(model._meta.pk.column))
    with connection.cursor() as cursor:
        # The largest id bounds the row count from above without counting (cheap on any size).
        cursor.execute(f"SELECT COALESCE(MAX({column}), 0) FROM {connection.ops.quote_name(table)}")
        if cursor.fetchone()[0] > REBUILD_MAX_RATIO * new_rows:
            yield False
            return
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s"
            " AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%'",
            [table],
        )
        found = cursor.fetchall()
        for name, _sql in found:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield True
    # Only reached when the block succeeded; on an error the rollback restores the indexes.
    with connection.cursor() as cursor:
        for _name, sql in found:
            cursor.execute(sql)
