"""A second process for the last rows of a large import on SQLite, so that both cores work.

Preparing a record and its people for INSERT is Python work on one core, and binding those
values one by one is most of what SQLite's INSERTs cost. For a large file the import hands the
last part of its rows to a helper process: the helper prepares them (the same code,
`records.services.prepare_import_rows`) and writes them to a scratch database of its own, while
the import prepares and writes the first part. The import then copies the helper's rows with one
`INSERT … SELECT` per table (SQLite's own loop, no Python per row), inside its transaction.

All or nothing still holds: the helper never touches the real database, a failure on either
side rolls the import back, and the scratch folder is removed either way.

Started with `python -m hotich.records.bulk_helper FOLDER`; it reads `FOLDER/rows.pickle`
(written by this process, so trusted) and writes `FOLDER/out.sqlite3` and `FOLDER/result.json`.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

#: Smaller imports stay in one process: starting the helper costs about half a second.
PARALLEL_MIN_ROWS = 20_000
#: The helper's part of the rows. It starts half a second later, but writes to a database with
#: no constraints or indexes to check: half keeps both sides about equal (measured).
SHARE = 0.5
#: How long the import waits for its helper before giving up.
TIMEOUT_SECONDS = 1800
_ALIAS = "hotich_helper_"
#: What the last helper of this process reported ({"submitted", "parties", "peak_kb"}).
last_result: dict[str, int] = {}


def wanted(rows: int) -> bool:
    from django.conf import settings
    from django.db import connection

    return (
        connection.vendor == "sqlite"
        and rows >= PARALLEL_MIN_ROWS
        and (os.cpu_count() or 1) >= 2
        and getattr(settings, "IMPORT_HELPER", True)
    )


@contextlib.contextmanager
def start(rows: int) -> Iterator[Helper | None]:
    """A started helper when `rows` new records are worth one (see `wanted`), else None: the
    one `warm` started ahead, if any."""
    if not wanted(rows):
        yield None
        return
    _detach_leftovers()
    helper = getattr(_spare, "helper", None)
    _spare.helper = None
    if helper is None or helper.process.poll() is not None:
        if helper is not None:
            helper.close()
        helper = Helper()
    try:
        yield helper
    finally:
        helper.close()


_spare = threading.local()


@contextlib.contextmanager
def spare() -> Iterator[None]:
    """Around the reading and the storing of one file: the helper may be started ahead, while
    the file is still being checked (`warm`), so that its start-up (half a second of Python
    imports) is done by the time the rows come. Closed at the end if not used."""
    _spare.wanted, _spare.helper = True, None
    try:
        yield
    finally:
        helper = getattr(_spare, "helper", None)
        _spare.wanted, _spare.helper = False, None
        if helper is not None:
            helper.close()


def warm() -> None:
    """Start the helper now if a `spare` block asks for one (the reading of a large file calls
    this when its own helper is done: the second core is free again)."""
    if not getattr(_spare, "wanted", False) or getattr(_spare, "helper", None) is not None:
        return
    if wanted(PARALLEL_MIN_ROWS):  # SQLite, two cores, not switched off
        _spare.helper = Helper()


class HelperFailed(RuntimeError):
    """The helper process stopped without finishing its part; the import is rolled back."""


class Helper:
    def __init__(self) -> None:
        from django.conf import settings

        self.folder = Path(tempfile.mkdtemp(prefix="hotich-import-"))
        self._stderr = (self.folder / "stderr.txt").open("wb")
        module = os.environ.get("DJANGO_SETTINGS_MODULE") or settings.SETTINGS_MODULE
        env = dict(
            os.environ,
            DJANGO_SETTINGS_MODULE=module or "hotich.settings",
            HOTICH_PARENT_PID=str(os.getpid()),
        )
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "hotich.records.bulk_helper", str(self.folder)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self._stderr,
                env=env,
            )
        except BaseException:
            self._stderr.close()
            shutil.rmtree(self.folder, ignore_errors=True)
            raise

    @staticmethod
    def share(rows: int) -> int:
        return int(rows * SHARE)

    def send(self, job: dict[str, Any], rows: list[Any]) -> None:
        """Hand over the rows and what else `prepare_import_rows` needs (written, then renamed,
        so the helper never reads half a file)."""
        partial = self.folder / "rows.partial"
        with partial.open("wb") as out:
            pickle.dump((job, rows), out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(partial, self.folder / "rows.pickle")

    def wait(self) -> dict[str, int]:
        try:
            code = self.process.wait(timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired as exc:
            raise HelperFailed("import helper did not finish") from exc
        result = self.folder / "result.json"
        if code != 0 or not result.exists():
            self._stderr.flush()
            tail = (self.folder / "stderr.txt").read_text(errors="replace")[-2000:]
            raise HelperFailed(f"import helper stopped (exit status {code}): {tail}")
        return json.loads(result.read_text())

    def copy_into(self, record_model: Any, party_model: Any) -> dict[str, int]:
        """Wait for the helper, then copy its rows into the import's tables (this transaction).

        The scratch database stays attached until the transaction ends: SQLite refuses to
        detach a database a transaction has read.
        """
        from django.db import connection, transaction

        from hotich.records.services import PARTY_COLUMNS, RECORD_COLUMNS

        result = self.wait()
        last_result.clear()
        last_result.update(result)
        alias = f"{_ALIAS}{uuid.uuid4().hex[:12]}"
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(f"ATTACH DATABASE %s AS {alias}", [str(self.folder / "out.sqlite3")])
            for model, columns, table in (
                (record_model, RECORD_COLUMNS, "record"),
                (party_model, PARTY_COLUMNS, "party"),
            ):
                names = ", ".join(quote(c) for c in columns)
                cursor.execute(
                    f"INSERT INTO {quote(model._meta.db_table)} ({names}) "
                    f"SELECT {names} FROM {alias}.{table} ORDER BY rowid"
                )
        transaction.on_commit(lambda: _detach(alias))
        return result

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._stderr.close()
        # On Windows a scratch file still attached (after a rollback) cannot be removed yet.
        shutil.rmtree(self.folder, ignore_errors=True)


def _detach(alias: str) -> None:
    from django.db import connection

    with contextlib.suppress(Exception), connection.cursor() as cursor:
        cursor.execute(f"DETACH DATABASE {alias}")


def _detach_leftovers() -> None:
    """Scratch databases left attached by an import that was rolled back on this connection
    (at most ten databases can be attached); this transaction has not read them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA database_list")
        names = [row[1] for row in cursor.fetchall() if str(row[1]).startswith(_ALIAS)]
    for name in names:
        _detach(name)


# ---- the helper process ------------------------------------------------------------------------


def _table_sql(table: str, columns: tuple[str, ...]) -> str:
    return f"CREATE TABLE {table} ({', '.join(columns)})"


def main(folder: Path) -> None:
    import django

    django.setup()
    from hotich.core.worker import exit_with_parent

    exit_with_parent()  # a worker killed mid-job leaves no helper waiting for it
    from hotich.core.fastinsert import gc_paused

    with gc_paused():
        _prepare(folder)


def _prepare(folder: Path) -> None:
    from hotich.records.schema import record_type
    from hotich.records.services import PARTY_COLUMNS, RECORD_COLUMNS, prepare_import_rows

    source = folder / "rows.pickle"
    waited = 0.0
    while not source.exists():  # the import pickles the rows while this process starts
        time.sleep(0.005)
        waited += 0.005
        if waited > TIMEOUT_SECONDS:
            raise SystemExit("no rows to prepare")
    with source.open("rb") as stream:
        job, rows = pickle.load(stream)
    out = sqlite3.connect(folder / "out.sqlite3", isolation_level=None)
    out.execute("PRAGMA journal_mode = OFF")
    out.execute("PRAGMA synchronous = OFF")
    out.execute(_table_sql("record", RECORD_COLUMNS))
    out.execute(_table_sql("party", PARTY_COLUMNS))
    record_sql = f"INSERT INTO record VALUES ({', '.join('?' * len(RECORD_COLUMNS))})"
    party_sql = f"INSERT INTO party VALUES ({', '.join('?' * len(PARTY_COLUMNS))})"
    submitted = parties = 0
    out.execute("BEGIN")
    for chunk in prepare_import_rows(
        record_type(job["rtype"]),
        job["register"],
        job["ids"],
        rows,
        sequence=job["sequence"],
        actor_id=job["actor"],
        now_db=job["now"],
    ):
        out.executemany(record_sql, chunk.records)
        out.executemany(party_sql, chunk.parties)
        submitted += chunk.submitted
        parties += len(chunk.parties)
    out.execute("COMMIT")
    out.close()
    partial = folder / "result.partial"
    result = {"submitted": submitted, "parties": parties, "peak_kb": _peak_kb()}
    partial.write_text(json.dumps(result))
    os.replace(partial, folder / "result.json")


def _peak_kb() -> int:
    """This process's memory high-water mark (Linux; 0 elsewhere), for the benchmark."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


if __name__ == "__main__":
    main(Path(sys.argv[1]))
