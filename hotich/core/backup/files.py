"""The stored files (scans, page files, imports, packages: everything in Django's default
storage, a local folder or an S3 bucket) into the backup folder and back, by the storage API.

A file is copied into DEST once, under its SHA-256. A later run does not even read a file again
when the previous snapshot lists the same name with the same size and modification time
(stored files are written once and never rewritten in place); anything else is read, hashed
and copied only if that content is not there yet. The bookkeeping of one run (what the last
snapshot listed, what this run found, which names the database refers to) lives in a scratch
SQLite file, so millions of files cost disk, not memory.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.files.storage import Storage

from hotich.core.backup.layout import Dest, read_lines, sha256_file
from hotich.core.errors import UserFacingError

log = logging.getLogger(__name__)

Entry = tuple[str, str, int, str | None]  # name, sha256, size, modified


def storage_listing(storage: Storage) -> Iterator[tuple[str, int, str | None]]:
    """(name, size, modified) of every stored file."""
    bucket = getattr(storage, "bucket", None)
    if bucket is not None and hasattr(bucket, "objects"):
        # S3: one listing gives sizes and times (no request per file).
        prefix = str(getattr(storage, "location", "") or "").strip("/")
        prefix = f"{prefix}/" if prefix else ""
        for obj in bucket.objects.filter(Prefix=prefix):
            name = obj.key[len(prefix) :]
            if name and not name.endswith("/"):
                yield name, int(obj.size), obj.last_modified.isoformat()
        return
    yield from _walk(storage, "")


def _walk(storage: Storage, folder: str) -> Iterator[tuple[str, int, str | None]]:
    try:
        dirs, names = storage.listdir(folder)
    except FileNotFoundError:  # a new installation has no files folder yet
        return
    for name in sorted(names):
        path = f"{folder}/{name}" if folder else name
        try:
            size = storage.size(path)
        except OSError:  # removed since the listing
            continue
        try:
            modified: str | None = storage.get_modified_time(path).isoformat()
        except (NotImplementedError, OSError):
            modified = None
        yield path, size, modified
    for sub in sorted(dirs):
        yield from _walk(storage, f"{folder}/{sub}" if folder else sub)


class Catalog:
    """Scratch tables of one run: `known` (last snapshot, then every file this run hashed),
    `now` (the files of this pass), `refs` (names the database snapshot refers to)."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path)
        self.db.executescript(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
            "CREATE TABLE known (name TEXT PRIMARY KEY, sha TEXT, size INT, modified TEXT);"
            "CREATE TABLE now (name TEXT PRIMARY KEY, sha TEXT, size INT, modified TEXT);"
            "CREATE TABLE refs (name TEXT PRIMARY KEY);"
        )

    def close(self) -> None:
        self.db.close()

    def remember(self, entries: Iterable[Entry]) -> None:
        self.db.executemany("INSERT OR REPLACE INTO known VALUES (?, ?, ?, ?)", entries)

    def known(self, name: str) -> tuple[str, int, str | None] | None:
        row = self.db.execute(
            "SELECT sha, size, modified FROM known WHERE name = ?", [name]
        ).fetchone()
        return (row[0], row[1], row[2]) if row else None

    def start_pass(self) -> None:
        self.db.execute("DELETE FROM now")
        self.db.execute("DELETE FROM refs")

    def found(self, entry: Entry) -> None:
        self.db.execute("INSERT OR REPLACE INTO now VALUES (?, ?, ?, ?)", entry)
        self.db.execute("INSERT OR REPLACE INTO known VALUES (?, ?, ?, ?)", entry)

    def refer(self, names: Iterable[str]) -> None:
        self.db.executemany("INSERT OR IGNORE INTO refs VALUES (?)", ((n,) for n in names))

    def unsaved_refs(self) -> list[str]:
        """Referred names this pass has not found yet, after taking the known ones as found."""
        self.db.execute(
            "INSERT OR REPLACE INTO now SELECT k.* FROM known k JOIN refs r ON r.name = k.name"
        )
        return [
            row[0]
            for row in self.db.execute(
                "SELECT name FROM refs WHERE name NOT IN (SELECT name FROM now) ORDER BY name"
            )
        ]

    def missing(self) -> list[str]:
        """Names the database refers to that this pass did not find in storage."""
        return [
            row[0]
            for row in self.db.execute(
                "SELECT name FROM refs WHERE name NOT IN (SELECT name FROM now) ORDER BY name"
            )
        ]

    def totals(self) -> tuple[int, int]:
        count, size = self.db.execute("SELECT COUNT(*), COALESCE(SUM(size), 0) FROM now").fetchone()
        return int(count), int(size)

    def entries(self) -> Iterator[list[Any]]:
        for row in self.db.execute("SELECT name, sha, size, modified FROM now ORDER BY name"):
            yield list(row)


@dataclass
class CopyCounts:
    files: int = 0
    bytes: int = 0
    read: int = 0
    new: int = 0
    new_bytes: int = 0
    unreadable: int = 0
    seconds: float = 0.0


def files_copy(
    storage: Storage, dest: Dest, catalog: Catalog, say: Callable[[str], None]
) -> CopyCounts:
    """One pass over the storage: every file listed into `now`, new content into DEST."""
    counts = CopyCounts()
    for name, size, modified in storage_listing(storage):
        seen = catalog.known(name)
        if (
            seen is not None
            and modified is not None
            and (seen[1], seen[2]) == (size, modified)
            and dest.blob(seen[0]).exists()
        ):
            sha = seen[0]
        else:
            try:
                with storage.open(name, "rb") as source:
                    sha, size, new = dest.store_blob(source)
            except Exception as exc:  # removed since the listing, or unreadable
                # If the database refers to it, the reference check reports it by name.
                log.warning("backup: could not read stored file %s: %s", name, exc)
                counts.unreadable += 1
                continue
            counts.read += 1
            if new:
                counts.new += 1
                counts.new_bytes += size
        catalog.found((name, sha, size, modified))
        counts.files += 1
        counts.bytes += size
        if counts.files % 5000 == 0:
            say(f"  … {counts.files:,} tệp ({counts.new:,} tệp mới)")
    catalog.db.commit()
    return counts


def files_rescue(
    storage: Storage, dest: Dest, catalog: Catalog, names: Iterable[str] | None = None
) -> CopyCounts:
    """Copy at once stored files the backup does not hold yet: those the snapshot names
    (`names` None: they join this pass's list), or `names` read from the live database just
    before the snapshot (remembered only: they join the list if the snapshot names them)."""
    counts = CopyCounts()
    wanted = (
        catalog.unsaved_refs()
        if names is None
        else sorted(n for n in set(names) if catalog.known(n) is None)
    )
    for name in wanted:
        try:
            with storage.open(name, "rb") as source:
                sha, size, new = dest.store_blob(source)
            modified: str | None = storage.get_modified_time(name).isoformat()
            if storage.size(name) != size:
                modified = None  # changed meanwhile: the listing pass reads it again
        except Exception:  # already deleted: the reference check decides what that means
            continue
        entry = (name, sha, size, modified)
        if names is None:
            catalog.found(entry)
        else:
            catalog.remember([entry])
        counts.read += 1
        counts.new += new
        counts.new_bytes += size if new else 0
    catalog.db.commit()
    return counts


def storage_count(storage: Storage) -> int:
    return sum(1 for _ in storage_listing(storage))


def files_restore(
    storage: Storage,
    dest: Dest,
    listing: Path,
    *,
    replace: bool,
    say: Callable[[str], None],
) -> tuple[int, int]:
    """Every file of a snapshot back into storage under its name, each checked against its
    SHA-256 first; returns (files, bytes)."""
    files = size = 0
    for name, sha, length, _modified in read_lines(listing):
        blob = dest.blob(sha)
        if not blob.is_file():
            raise UserFacingError(f"Bản sao lưu thiếu tệp {name} ({blob}): không khôi phục được.")
        if sha256_file(blob) != sha:
            raise UserFacingError(
                f"Tệp {name} trong bản sao lưu đã bị thay đổi ({blob}): không khôi phục được. "
                "Chạy “hotich backup --verify” để xem mọi tệp hỏng."
            )
        if replace:
            with contextlib.suppress(FileNotFoundError):
                storage.delete(name)
        with blob.open("rb") as handle:
            saved = storage.save(name, File(handle, name=name))
        if saved != name:
            raise UserFacingError(f"Kho tệp lưu {name} dưới tên khác ({saved}).")
        files += 1
        size += length
        if files % 5000 == 0:
            say(f"  … {files:,} tệp")
    return files, size
