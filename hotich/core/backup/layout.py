"""The backup folder DEST: content-addressed files shared by every snapshot, one folder per
snapshot with its manifest, its tables and its list of files.

    DEST/
      README.txt                 what this folder is and how to restore it
      files/ab/ab12…ef              each stored file once, named by its SHA-256
      snapshots/20261208T101500Z/
        manifest.json               when, engine, migrations, tables (rows, SHA-256), counts
        files.jsonl.gz              [storage name, SHA-256, size, modified] per file, by name
        db/<table>.jsonl.gz         a header line, then one JSON array per row
      snapshots/.partial-…          a snapshot being written (removed by the next run)

A snapshot folder gets its final name only when everything in it is written and flushed to
disk, so a folder with a manifest is complete; an interrupted run leaves a `.partial-` folder.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from hotich.core.errors import UserFacingError

FORMAT = 1
CHUNK = 1024 * 1024
README = """Bản sao lưu Hộ tịch số (hotich) — chứa dữ liệu cá nhân: giữ ở nơi có khóa, mã hóa ổ đĩa.
Hộ tịch số backup — holds personal data: keep it locked away, on an encrypted disk.

Khôi phục / restore:   hotich restore {dest}
Kiểm tra / verify:     hotich backup --verify {dest}
Sao lưu tiếp / again:  hotich backup {dest}     (chỉ chép các tệp mới / copies new files only)

files/       mỗi tệp một lần, tên là SHA-256 / each stored file once, named by its SHA-256
snapshots/   mỗi lần sao lưu một thư mục / one folder per backup
             (manifest.json, db/, files.jsonl.gz)
"""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_lines(path: Path, rows: Iterable[Any]) -> int:
    """Rows as gzip-compressed JSON lines; returns how many."""
    count = 0
    with gzip.open(path, "wb", compresslevel=1) as out:
        for row in rows:
            out.write(orjson.dumps(row) + b"\n")
            count += 1
    return count


def read_lines(path: Path) -> Iterator[Any]:
    with gzip.open(path, "rb") as lines:
        for line in lines:
            yield orjson.loads(line)


def _fsync(path: Path) -> None:
    with path.open("rb") as fh:
        os.fsync(fh.fileno())


class Dest:
    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self.files = self.root / "files"
        self.snapshot_root = self.root / "snapshots"

    # ---- reading

    def snapshots(self) -> list[str]:
        """Complete snapshots, oldest first (names are UTC times, so they sort)."""
        if not self.snapshot_root.is_dir():
            return []
        return sorted(
            p.name
            for p in self.snapshot_root.iterdir()
            if not p.name.startswith(".") and (p / "manifest.json").is_file()
        )

    def latest(self) -> str | None:
        found = self.snapshots()
        return found[-1] if found else None

    def snapshot(self, name: str) -> Path:
        return self.snapshot_root / name

    def manifest(self, name: str) -> dict[str, Any]:
        path = self.snapshot(name) / "manifest.json"
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UserFacingError(f"Không đọc được {path}: {exc}") from exc
        if manifest.get("format") != FORMAT:
            raise UserFacingError(
                f"{path}: định dạng sao lưu {manifest.get('format')!r} không được hỗ trợ "
                f"(phiên bản này đọc định dạng {FORMAT})."
            )
        return manifest

    def choose(self, name: str | None) -> str:
        found = self.snapshots()
        if not found:
            raise UserFacingError(f"Không có bản sao lưu nào trong {self.root}.")
        if name is None:
            return found[-1]
        if name not in found:
            raise UserFacingError(
                f"Không có bản sao lưu “{name}” trong {self.root}; có: {', '.join(found[-5:])}."
            )
        return name

    def blob(self, sha256: str) -> Path:
        return self.files / sha256[:2] / sha256

    # ---- writing

    def prepare(self) -> None:
        for folder in (self.root, self.files, self.snapshot_root):
            # The backup holds every citizen's record: readable by its owner only.
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        readme = self.root / "README.txt"
        if not readme.exists():
            readme.write_text(README.format(dest=self.root), encoding="utf-8")
        for stale in self.snapshot_root.glob(".partial-*"):
            shutil.rmtree(stale, ignore_errors=True)
        shutil.rmtree(self.files / ".tmp", ignore_errors=True)
        (self.files / ".tmp").mkdir(mode=0o700)

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """One backup at a time into a folder (where the system can lock files)."""
        try:
            import fcntl
        except ImportError:  # Windows: no advisory locks; one backup job per folder is enough
            yield
            return
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        with (self.root / ".lock").open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                raise UserFacingError(
                    f"Một lần sao lưu khác đang ghi vào {self.root}; hãy chờ nó xong."
                ) from exc
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def new_partial(self, attempt: int) -> Path:
        path = self.snapshot_root / f".partial-{os.getpid()}-{attempt}"
        shutil.rmtree(path, ignore_errors=True)
        (path / "db").mkdir(mode=0o700, parents=True)
        return path

    def store_blob(self, source: IO[bytes]) -> tuple[str, int, bool]:
        """Copy a stream into the folder under its SHA-256: (sha256, size, whether new)."""
        tmp = self.files / ".tmp" / f"{os.getpid()}-{os.urandom(8).hex()}"
        digest = hashlib.sha256()
        size = 0
        with tmp.open("wb") as out:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
        sha = digest.hexdigest()
        final = self.blob(sha)
        if final.exists():
            tmp.unlink()
            return sha, size, False
        final.parent.mkdir(mode=0o700, exist_ok=True)
        os.replace(tmp, final)
        return sha, size, True

    def finish(self, partial: Path, manifest: dict[str, Any], taken_at: dt.datetime) -> str:
        """Write the manifest and give the snapshot its final name, once all is on disk."""
        path = partial / "manifest.json"
        path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        _fsync(path)
        if hasattr(os, "sync"):
            # The stored files were not flushed one by one (millions of small files): once,
            # here, so that a snapshot with a manifest never names a file still in a cache.
            os.sync()
        name = taken_at.strftime("%Y%m%dT%H%M%SZ")
        final, n = self.snapshot(name), 1
        while final.exists():
            n += 1
            final = self.snapshot(f"{name}-{n}")
        os.replace(partial, final)
        return final.name
