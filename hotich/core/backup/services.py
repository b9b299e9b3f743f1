"""Backup, verification and restore of a whole installation (decision 0017).

`backup_create` writes one consistent snapshot of the database and every stored file the
snapshot refers to into a folder, copying only content not there yet. The database is read
first; the files are listed after it, so a file the snapshot names already existed (files are
written before the rows naming them commit). A file deleted between the snapshot and its copy
(an upload processed meanwhile, whose row has since been cleared) would be missing: the run
then takes a new snapshot and copies again, until the snapshot's references are all in the
backup or only names remain that the storage itself no longer has (reported as dangling).

`backup_verify` re-reads every file of every snapshot against its SHA-256. `backup_restore`
puts a snapshot into an empty database and storage (or, with `force`, over what is there).
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.files.storage import Storage, default_storage
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, transaction

import hotich
from hotich.core.backup import files as stored
from hotich.core.backup.dump import (
    HistoricalModels,
    database_dump,
    engine_facts,
    snapshot,
    transient_names,
)
from hotich.core.backup.layout import FORMAT, Dest, read_lines, sha256_file, write_lines
from hotich.core.backup.load import (
    database_contents,
    migrate_to,
    rows_load,
    tables_drop,
)
from hotich.core.backup.schema import applied_migrations
from hotich.core.errors import UserFacingError

MAX_ATTEMPTS = 4
Say = Callable[[str], None]


def _quiet(_message: str) -> None:
    pass


@dataclass
class BackupResult:
    snapshot: str
    path: Path
    tables: int
    rows: int
    files: int
    bytes: int
    read: int
    new: int
    new_bytes: int
    attempts: int
    dangling: list[str]
    seconds: dict[str, float] = field(default_factory=dict)


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def backup_create(
    *,
    dest: Path,
    using: str = DEFAULT_DB_ALIAS,
    storage: Storage | None = None,
    say: Say = _quiet,
) -> BackupResult:
    storage = storage or default_storage
    target = Dest(dest)
    location = getattr(storage, "location", None)
    if (
        location
        and not getattr(storage, "bucket", None)
        and _inside(target.root, Path(location).resolve())
    ):
        raise UserFacingError(
            f"Thư mục sao lưu {target.root} nằm trong kho tệp {location}: hãy chọn nơi khác "
            "(tốt nhất là một ổ đĩa khác)."
        )
    with target.locked():
        target.prepare()
        with tempfile.TemporaryDirectory(prefix="hotich-backup-") as scratch:
            catalog = stored.Catalog(Path(scratch) / "catalog.sqlite3")
            try:
                return _backup(target, using, storage, catalog, say)
            finally:
                catalog.close()


def _rescuer(
    storage: Storage, target: Dest, catalog: stored.Catalog, into: stored.CopyCounts
) -> Callable[[], None]:
    def rescue() -> None:
        started = time.perf_counter()
        catalog.db.commit()
        found = stored.files_rescue(storage, target, catalog)
        into.seconds += time.perf_counter() - started
        into.read += found.read
        into.new += found.new
        into.new_bytes += found.new_bytes

    return rescue


def _backup(
    target: Dest, using: str, storage: Storage, catalog: stored.Catalog, say: Say
) -> BackupResult:
    previous = target.latest()
    if previous is not None:
        catalog.remember(read_lines(target.snapshot(previous) / "files.jsonl.gz"))
    models_of = HistoricalModels(using)
    models_of(applied_migrations(using))
    seconds: dict[str, float] = {"database": 0.0, "files": 0.0}
    missing_before: set[str] | None = None
    partial: Path | None = None
    for attempt in range(1, MAX_ATTEMPTS + 1):
        if partial is not None:
            shutil.rmtree(partial, ignore_errors=True)
        partial = target.new_partial(attempt)
        catalog.start_pass()
        started = time.perf_counter()
        taken_at = dt.datetime.now(dt.UTC)
        rescued = stored.CopyCounts()
        for _ in range(3):  # until a pass finds nothing new: then the snapshot follows at once
            begun = time.perf_counter()
            early = stored.files_rescue(storage, target, catalog, transient_names(using, models_of))
            rescued.seconds += time.perf_counter() - begun
            rescued.read += early.read
            rescued.new += early.new
            rescued.new_bytes += early.new_bytes
            if not early.read:
                break
        with snapshot(using, partial) as alias:
            migrations, written = database_dump(
                alias,
                partial,
                catalog.refer,
                _rescuer(storage, target, catalog, rescued),
                models_of,
            )
        catalog.db.commit()
        # The files copied during the snapshot count as time spent on files.
        database_s = time.perf_counter() - started - rescued.seconds
        rows = sum(t["rows"] for t in written)
        say(f"Cơ sở dữ liệu: {len(written)} bảng, {rows:,} dòng ({database_s:.1f} s)")
        started = time.perf_counter()
        counts = stored.files_copy(storage, target, catalog, say)
        counts.files, counts.bytes = catalog.totals()  # with rescued files deleted since
        counts.read += rescued.read
        counts.new += rescued.new
        counts.new_bytes += rescued.new_bytes
        files_s = time.perf_counter() - started + rescued.seconds
        seconds["database"] += database_s
        seconds["files"] += files_s
        say(
            f"Tệp: {counts.files:,} tệp ({counts.bytes / 1e6:,.1f} MB); đã đọc {counts.read:,}, "
            f"chép mới {counts.new:,} tệp ({counts.new_bytes / 1e6:,.1f} MB) ({files_s:.1f} s)"
        )
        missing = set(catalog.missing())
        # Stop when every reference is in the backup, or when another snapshot found no
        # missing name the previous one had not: those are gone from the storage itself.
        if not missing or (missing_before is not None and missing <= missing_before):
            break
        if attempt < MAX_ATTEMPTS:
            say(
                f"{len(missing)} tệp mà cơ sở dữ liệu nhắc tới đã bị xóa trong lúc sao lưu: "
                "chụp lại cơ sở dữ liệu."
            )
        missing_before = missing
    assert partial is not None  # MAX_ATTEMPTS >= 1
    listing = partial / "files.jsonl.gz"
    write_lines(listing, catalog.entries())
    dangling = sorted(missing)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "app": "hotich",
        "version": hotich.__version__,
        "taken_at": taken_at.isoformat(),
        **engine_facts(using),
        "storage": f"{type(storage).__module__}.{type(storage).__qualname__}",
        "migrations": [list(m) for m in migrations],
        "tables": written,
        "files": {
            "list": listing.name,
            "sha256": sha256_file(listing),
            "count": counts.files,
            "bytes": counts.bytes,
        },
        "copied": {"read": counts.read, "new": counts.new, "new_bytes": counts.new_bytes},
        "attempts": attempt,
        "dangling": dangling[:1000],
        "dangling_count": len(dangling),
    }
    name = target.finish(partial, manifest, taken_at)
    return BackupResult(
        snapshot=name,
        path=target.snapshot(name),
        tables=len(written),
        rows=rows,
        files=counts.files,
        bytes=counts.bytes,
        read=counts.read,
        new=counts.new,
        new_bytes=counts.new_bytes,
        attempts=attempt,
        dangling=dangling,
        seconds={k: round(v, 3) for k, v in seconds.items()},
    )


# ---- verify ---------------------------------------------------------------------------------


@dataclass
class VerifyResult:
    snapshots: int
    files: int
    problems: list[str]
    count: int


def _snapshot_problems(target: Dest, name: str, manifest: dict[str, Any]) -> list[str]:
    """The table dumps and the file list of a snapshot against its manifest."""
    problems = []
    folder = target.snapshot(name)
    parts = [(t["file"], t["sha256"]) for t in manifest["tables"]]
    parts.append((manifest["files"]["list"], manifest["files"]["sha256"]))
    for relative, expected in parts:
        path = folder / relative
        if not path.is_file():
            problems.append(f"{name}: thiếu {relative}")
        elif sha256_file(path) != expected:
            problems.append(f"{name}: {relative} đã bị thay đổi (SHA-256 khác bản kê)")
    return problems


def backup_verify(*, dest: Path, limit: int = 20) -> VerifyResult:
    """Every snapshot's tables and every stored file against the SHA-256 in the manifests."""
    target = Dest(dest)
    names = target.snapshots()
    if not names:
        raise UserFacingError(f"Không có bản sao lưu nào trong {target.root}.")
    problems: list[str] = []
    count = 0

    def problem(text: str) -> None:
        nonlocal count
        count += 1
        if len(problems) < limit:
            problems.append(text)

    with tempfile.TemporaryDirectory(prefix="hotich-verify-") as scratch:
        blobs = sqlite3.connect(Path(scratch) / "blobs.sqlite3")
        blobs.execute("CREATE TABLE blob (sha TEXT PRIMARY KEY, size INT, name TEXT)")
        for name in names:
            try:
                manifest = target.manifest(name)
            except UserFacingError as exc:
                problem(str(exc))
                continue
            found = _snapshot_problems(target, name, manifest)
            for text in found:
                problem(text)
            listing = target.snapshot(name) / manifest["files"]["list"]
            if listing.is_file() and not any(manifest["files"]["list"] in t for t in found):
                blobs.executemany(
                    "INSERT OR IGNORE INTO blob VALUES (?, ?, ?)",
                    ((sha, size, n) for n, sha, size, _m in read_lines(listing)),
                )
        files = 0
        for sha, size, name in blobs.execute("SELECT sha, size, name FROM blob ORDER BY sha"):
            files += 1
            path = target.blob(sha)
            if not path.is_file():
                problem(f"thiếu tệp {name} ({path.relative_to(target.root)})")
            elif path.stat().st_size != size:
                problem(f"tệp {name} sai kích thước: {path.stat().st_size:,} thay vì {size:,} byte")
            elif sha256_file(path) != sha:
                problem(f"tệp {name} đã bị thay đổi: SHA-256 khác bản kê ({path.name[:12]}…)")
        blobs.close()
    return VerifyResult(snapshots=len(names), files=files, problems=problems, count=count)


# ---- restore --------------------------------------------------------------------------------


@dataclass
class RestoreResult:
    snapshot: str
    taken_at: str
    engine_from: str
    tables: int
    rows: int
    files: int
    bytes: int
    seconds: dict[str, float] = field(default_factory=dict)


def _refusal(tables: list[tuple[str, int]], files: int) -> str:
    lines = ["Nơi khôi phục đã có dữ liệu, không ghi đè (the target is not empty):"]
    if tables:
        tables = sorted(tables, key=lambda t: (-t[1], t[0]))
        shown = ", ".join(f"{name} {rows:,} dòng" for name, rows in tables[:6])
        more = f" và {len(tables) - 6} bảng khác" if len(tables) > 6 else ""
        lines.append(f"  cơ sở dữ liệu: {len(tables)} bảng có dữ liệu ({shown}{more})")
    if files:
        lines.append(f"  kho tệp: {files:,} tệp")
    lines.append(
        "Dùng --force để xóa toàn bộ cơ sở dữ liệu đích và ghi đè các tệp trùng tên "
        "(các tệp khác trong kho được giữ nguyên)."
    )
    return "\n".join(lines)


def backup_restore(
    *,
    dest: Path,
    snapshot_name: str | None = None,
    using: str = DEFAULT_DB_ALIAS,
    storage: Storage | None = None,
    force: bool = False,
    say: Say = _quiet,
) -> RestoreResult:
    storage = storage or default_storage
    target = Dest(dest)
    name = target.choose(snapshot_name)
    manifest = target.manifest(name)
    folder = target.snapshot(name)
    damaged = _snapshot_problems(target, name, manifest)
    if damaged:
        raise UserFacingError("Bản sao lưu bị hỏng, không khôi phục: " + "; ".join(damaged[:5]))
    there = database_contents(using)
    files_there = stored.storage_count(storage)
    if (there or files_there) and not force:
        raise UserFacingError(_refusal(there, files_there))
    say(f"Khôi phục bản {name} (chụp lúc {manifest['taken_at']}, {manifest['engine']}).")
    seconds = {}
    started = time.perf_counter()
    files, size = stored.files_restore(
        storage, target, folder / manifest["files"]["list"], replace=bool(files_there), say=say
    )
    seconds["files"] = time.perf_counter() - started
    say(f"Tệp: {files:,} tệp ({size / 1e6:,.1f} MB) ({seconds['files']:.1f} s)")
    started = time.perf_counter()
    tables_drop(using)
    migrations = [(app, migration) for app, migration in manifest["migrations"]]
    apps = migrate_to(using, migrations)
    rows = rows_load(using, apps, folder, manifest["tables"], say)
    call_command("migrate", database=using, interactive=False, verbosity=0)
    seconds["database"] = time.perf_counter() - started
    say(
        f"Cơ sở dữ liệu: {len(manifest['tables'])} bảng, {rows:,} dòng "
        f"({seconds['database']:.1f} s)"
    )
    result = RestoreResult(
        snapshot=name,
        taken_at=manifest["taken_at"],
        engine_from=manifest["engine"],
        tables=len(manifest["tables"]),
        rows=rows,
        files=files,
        bytes=size,
        seconds={k: round(v, 3) for k, v in seconds.items()},
    )
    _audit(using, result, connections[using].vendor)
    return result


def _audit(using: str, result: RestoreResult, engine_to: str) -> None:
    """The trail says where its own events before this one came from."""
    from hotich.core.models import AuditEvent

    with transaction.atomic(using=using):
        AuditEvent.objects.using(using).create(
            action="backup.restore",
            object_type="backup",
            object_id=result.snapshot[:64],
            object_repr=f"Khôi phục bản sao lưu {result.snapshot}",
            after={
                "snapshot": result.snapshot,
                "taken_at": result.taken_at,
                "engine_from": result.engine_from,
                "engine_to": engine_to,
                "rows": result.rows,
                "files": result.files,
            },
        )
