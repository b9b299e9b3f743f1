"""A snapshot's tables into a database: what is there first, the backup's own schema, the rows.

The target is emptied by dropping its tables (never row by row: the audit table refuses
DELETE), migrated to exactly the migrations the backup recorded, loaded table after table in
dependency order inside one transaction (foreign keys are checked at commit on both engines),
its sequences set past the loaded ids (PostgreSQL), and only then migrated forward to this
version of the code, as an installation of that age would be on upgrade.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from django.apps.registry import Apps
from django.core.management.color import no_style
from django.db import DatabaseError, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor

from hotich.core.backup.layout import read_lines
from hotich.core.backup.schema import (
    HOUSEKEEPING,
    Migration,
    migration_targets,
    state_apps,
    tables,
)
from hotich.core.errors import UserFacingError

BATCH = 2000
#: Values the drivers take as they come out of JSON.
AS_IS = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
        "BooleanField",
        "CharField",
        "TextField",
        "SlugField",
        "EmailField",
        "URLField",
        "FloatField",
        "GenericIPAddressField",
        "IPAddressField",
        "FilePathField",
    }
)


def database_contents(using: str) -> list[tuple[str, int]]:
    """(table, rows) of every table holding rows, beyond what `migrate` itself writes."""
    conn = connections[using]
    with conn.cursor() as cursor:
        names = conn.introspection.table_names(cursor)
        found = []
        for name in sorted(set(names) - HOUSEKEEPING):
            cursor.execute(f"SELECT COUNT(*) FROM {conn.ops.quote_name(name)}")
            count = int(cursor.fetchone()[0])
            if count:
                found.append((name, count))
    return found


def tables_drop(using: str) -> int:
    conn = connections[using]
    with conn.cursor() as cursor:
        names = conn.introspection.table_names(cursor)
    if not names:
        return 0
    quoted = [conn.ops.quote_name(n) for n in names]
    if conn.vendor == "sqlite":
        conn.disable_constraint_checking()
        try:
            with conn.cursor() as cursor:
                for name in quoted:
                    cursor.execute(f"DROP TABLE IF EXISTS {name}")
        finally:
            conn.enable_constraint_checking()
    else:
        with transaction.atomic(using=using), conn.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {', '.join(quoted)} CASCADE")
    return len(names)


def migrate_to(using: str, migrations: list[Migration]) -> Apps:
    """Build the schema of the backup (an empty database): exactly its migrations."""
    executor = MigrationExecutor(connections[using])
    apps = state_apps(executor.loader, migrations)  # refuses migrations this code lacks
    executor.migrate(migration_targets(migrations, executor.loader.graph))
    return apps


def _converter(field: models.Field, conn: BaseDatabaseWrapper) -> Callable[[Any], Any] | None:
    kind = field.get_internal_type()
    if field.remote_field is not None and getattr(field, "target_field", None) is not None:
        target = field.target_field  # type: ignore[attr-defined]
        if target.get_internal_type() in AS_IS:
            return None
        return lambda v: target.get_db_prep_save(target.to_python(v), conn)
    if kind in AS_IS:
        return None
    if kind == "JSONField":
        encoder = getattr(field, "encoder", None)
        return lambda v: conn.ops.adapt_json_value(v, encoder)
    return lambda v: field.get_db_prep_save(field.to_python(v), conn)


def _rows(
    path: Path, model: type[models.Model], conn: BaseDatabaseWrapper
) -> tuple[list[str], Iterator[Sequence[Any]]]:
    lines = read_lines(path)
    header = next(lines)
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    columns = list(header["columns"])
    if header["table"] != model._meta.db_table or set(columns) != set(by_attname):
        raise UserFacingError(
            f"Bảng {header['table']} trong bản sao lưu không khớp cấu trúc của bản cập nhật "
            "tương ứng: bản sao lưu có thể đã bị sửa."
        )
    converters = [(i, c) for i, a in enumerate(columns) if (c := _converter(by_attname[a], conn))]

    def rows() -> Iterator[Sequence[Any]]:
        for row in lines:
            for i, convert in converters:
                if row[i] is not None:
                    row[i] = convert(row[i])
            yield row

    return [str(by_attname[a].column) for a in columns], rows()


def _insert(conn: BaseDatabaseWrapper, table: str, columns: list[str], rows: Iterator[Any]) -> int:
    quoted = conn.ops.quote_name(table)
    names = ", ".join(conn.ops.quote_name(c) for c in columns)
    written = 0
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quoted} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    written += 1
            return written
        sql = f"INSERT INTO {quoted} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
        chunk: list[Any] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= BATCH:
                cursor.executemany(sql, chunk)
                written += len(chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)
            written += len(chunk)
    return written


def rows_load(
    using: str,
    apps: Apps,
    snapshot: Path,
    entries: list[dict[str, Any]],
    say: Callable[[str], None],
) -> int:
    """Every table of the snapshot, in one transaction; returns the rows written."""
    conn = connections[using]
    by_table = {e["table"]: e for e in entries}
    order = [m for m in tables(apps) if m._meta.db_table in by_table]
    strange = set(by_table) - {m._meta.db_table for m in order}
    if strange:
        raise UserFacingError(
            f"Bản sao lưu có bảng không thuộc các bản cập nhật nó ghi nhận: {sorted(strange)}."
        )
    total = 0
    with transaction.atomic(using=using):
        for model in order:
            entry = by_table[model._meta.db_table]
            # `migrate` may have written rows (none today); the tables are otherwise new.
            with conn.cursor() as cursor:
                cursor.execute(f"DELETE FROM {conn.ops.quote_name(model._meta.db_table)}")
            columns, rows = _rows(snapshot / entry["file"], model, conn)
            try:
                written = _insert(conn, model._meta.db_table, columns, rows)
            except DatabaseError as exc:
                raise UserFacingError(
                    f"Không ghi được bảng {model._meta.db_table} vào cơ sở dữ liệu đích: {exc}"
                ) from exc
            if written != entry["rows"]:
                raise UserFacingError(
                    f"Bảng {model._meta.db_table}: đọc được {written} dòng, bản sao lưu ghi "
                    f"{entry['rows']}."
                )
            total += written
            if written >= 10_000:
                say(f"  {model._meta.db_table}: {written:,} dòng")
        with conn.cursor() as cursor:
            for sql in conn.ops.sequence_reset_sql(no_style(), order):
                cursor.execute(sql)
    return total
