"""The database as one consistent snapshot, written as JSON lines per table.

SQLite: the online backup API copies the live file in one step under a read lock (in WAL mode
writers go on meanwhile), and the rows are read from the copy. PostgreSQL: a second connection
reads every table inside one `REPEATABLE READ READ ONLY` transaction, so all tables are seen
as of the same instant. Rows are read through the ORM on the historical models of the
database's own migrations, so each value comes out as a Python value (aware datetimes, dates,
decoded JSON, booleans) that does not depend on the engine.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import gzip
import json
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from django.apps.registry import Apps
from django.db import connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils.duration import duration_iso_string

from hotich.core.backup.layout import sha256_file
from hotich.core.backup.schema import (
    Migration,
    applied_migrations,
    state_apps,
    tables,
    temporary_alias,
)
from hotich.core.errors import UserFacingError

#: Columns holding names in the default storage; a snapshot must find each of them in the
#: backup (labels, not imports: core sits below these apps).
FILE_FIELDS: dict[str, tuple[str, ...]] = {
    "scans.scanfile": ("incoming", "blob"),
    "scans.scanpage": ("pdf", "image", "thumb"),
    "transfer.importbatch": ("blob", "error_file", "scans_blob"),
    "transfer.packagebuild": ("xlsx_blob", "zip_blob"),
}
#: Of those, names the application deletes once it has used them (an upload, after its
#: pages are made): copied just before the snapshot too, so that one processed while the
#: snapshot is taken is in the backup all the same.
TRANSIENT: dict[str, str] = {"scans.scanfile": "incoming"}
CHUNK_ROWS = 2000


@contextmanager
def snapshot(using: str, scratch: Path) -> Iterator[str]:
    """An alias on which every read sees the database as it was at one instant."""
    conn = connections[using]
    if conn.vendor == "sqlite":
        copy = scratch / "snapshot.sqlite3"
        conn.ensure_connection()
        target = sqlite3.connect(copy)
        try:
            # pages=-1 (the default): the whole file in one step, so one consistent state.
            conn.connection.backup(target)
        finally:
            target.close()
        try:
            with temporary_sqlite(conn.settings_dict, copy) as alias:
                yield alias
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{copy}{suffix}").unlink(missing_ok=True)
    elif conn.vendor == "postgresql":
        with temporary_alias(conn.settings_dict) as alias, transaction.atomic(using=alias):
            with connections[alias].cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield alias
    else:
        raise UserFacingError(f"Chưa sao lưu được cơ sở dữ liệu loại “{conn.vendor}”.")


@contextmanager
def temporary_sqlite(base: dict[str, Any], path: Path) -> Iterator[str]:
    with temporary_alias(base, NAME=str(path), TEST={}) as alias:
        yield alias


def _plain(value: Any) -> Any:
    """What orjson leaves to us; the inverse of each is the field's `to_python`."""
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dt.timedelta):
        return duration_iso_string(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    raise TypeError(f"cannot back up a value of type {type(value).__name__}")


def row_line(row: Iterable[Any]) -> bytes:
    try:
        return orjson.dumps(row, default=_plain) + b"\n"
    except orjson.JSONEncodeError:  # an integer past 64 bits, a lone surrogate in JSON data
        return json.dumps(list(row), default=_plain, separators=(",", ":")).encode() + b"\n"


def database_dump(
    alias: str,
    folder: Path,
    refer: Callable[[Iterable[str]], None],
    rescue: Callable[[], None],
    models_of: Callable[[list[Migration]], Apps],
) -> tuple[list[Migration], list[dict[str, Any]]]:
    """Every table of the snapshot into `folder/db/`; storage names go to `refer`.

    The tables naming stored files come first, then `rescue` is called (to copy at once the
    files they name), then the others: an upload processed (and its file deleted) while the
    rest of a large database is read is still in the backup.
    """
    migrations = applied_migrations(alias)
    if not migrations:
        raise UserFacingError("Cơ sở dữ liệu chưa được khởi tạo (chưa chạy hotich migrate).")
    ordered = tables(models_of(migrations))
    naming = sorted(
        (m for m in ordered if m._meta.label_lower in FILE_FIELDS),
        key=lambda m: m._meta.label_lower not in TRANSIENT,
    )
    written = []
    for model in [*naming, *(m for m in ordered if m not in naming)]:
        meta = model._meta
        columns = [f.attname for f in meta.concrete_fields]
        named = [columns.index(c) for c in FILE_FIELDS.get(meta.label_lower, ()) if c in columns]
        path = folder / "db" / f"{meta.db_table}.jsonl.gz"
        rows = 0
        with gzip.open(path, "wb", compresslevel=1) as out:
            header = {"table": meta.db_table, "model": meta.label_lower, "columns": columns}
            out.write(orjson.dumps(header) + b"\n")
            query = model._base_manager.using(alias).order_by("pk").values_list(*columns)
            for row in query.iterator(chunk_size=CHUNK_ROWS):
                out.write(row_line(row))
                rows += 1
                if named:
                    refer(row[i] for i in named if row[i])
        if named:
            rescue()
        written.append(
            {
                "table": meta.db_table,
                "model": meta.label_lower,
                "rows": rows,
                "file": f"db/{path.name}",
                "bytes": path.stat().st_size,
                "sha256": sha256_file(path),
            }
        )
    return migrations, written


def transient_names(using: str, models_of: Callable[[list[Migration]], Apps]) -> list[str]:
    """The names of `TRANSIENT` columns in the live database now."""
    apps = models_of(applied_migrations(using))
    names: list[str] = []
    for label, column in TRANSIENT.items():
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        query = model._base_manager.using(using).exclude(**{column: ""}).values_list(column)
        names += [name for (name,) in query if name]
    return names


class HistoricalModels:
    """The models of a list of migrations, built once (a second or two: before the snapshot,
    so that the files it names are copied as soon after it as possible)."""

    def __init__(self, using: str) -> None:
        self.loader = MigrationLoader(connections[using], ignore_no_migrations=True)
        self.built: dict[tuple[Migration, ...], Apps] = {}

    def __call__(self, migrations: list[Migration]) -> Apps:
        key = tuple(migrations)
        if key not in self.built:
            self.built[key] = state_apps(self.loader, migrations)
        return self.built[key]


def engine_facts(using: str) -> dict[str, str]:
    conn = connections[using]
    return {
        "engine": conn.vendor,
        "engine_version": ".".join(str(p) for p in conn.get_database_version()),
    }
