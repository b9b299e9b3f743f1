"""`hotich backup` and `hotich restore` (decision 0017), through the commands an office runs.

Each source is a real installation in a folder of its own: `hotich demo` (offices, accounts,
registers, keyed and reviewed records, scans, duplicate pairs, the audit trail), a package
built with `hotich export-package` and a register imported with `hotich import-packages`
(workbook, zip of case scans). A restore goes into another new place (SQLite file, or a new
database on the local PostgreSQL when it answers) and every row of every table and every
stored file's SHA-256 are compared with the source.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dj_database_url
import pytest
from django.apps import apps as current_apps

from hotich.core.backup.layout import Dest, read_lines
from hotich.core.backup.schema import tables, temporary_alias

ROOT = Path(__file__).resolve().parents[2]
PG_URL = "postgres://postgres@127.0.0.1:5432/test"


def _pg_answers() -> bool:
    try:
        import psycopg

        psycopg.connect(PG_URL, connect_timeout=3).close()
    except Exception:
        return False
    return True


PG = _pg_answers()
ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(not PG, reason="no PG"))]


@dataclass
class Place:
    """An installation: a database and a data directory (whose `files/` is the storage)."""

    engine: str
    url: str
    data: Path

    @property
    def files(self) -> Path:
        return self.data / "files"


def hotich(place: Place, *args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "HOTICH_DATA_DIR": str(place.data),
        "DATABASE_URL": place.url,
        "HOTICH_JOBS": "immediate",
    }
    return subprocess.run(
        [sys.executable, "-m", "hotich.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return result.stdout


class Places:
    """New places, removed at the end (PostgreSQL databases dropped)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.databases: list[str] = []

    def new(self, engine: str) -> Place:
        data = self.root / f"{engine}-{secrets.token_hex(3)}"
        data.mkdir()
        if engine == "sqlite":
            return Place(engine, f"sqlite:///{data / 'hotich.sqlite3'}", data)
        name = f"hotich_bk_{secrets.token_hex(4)}"
        self._admin(f'CREATE DATABASE "{name}"')
        self.databases.append(name)
        return Place(engine, PG_URL.rsplit("/", 1)[0] + f"/{name}", data)

    def clone(self, source: Place) -> Place:
        """A copy of an installation, to change without touching the original."""
        place = self.new(source.engine)
        shutil.copytree(source.files, place.files)
        if source.engine == "sqlite":
            original = sqlite3.connect(source.url.removeprefix("sqlite:///"))
            copy = sqlite3.connect(place.url.removeprefix("sqlite:///"))
            with contextlib.closing(original), contextlib.closing(copy):
                original.backup(copy)
        else:
            name = place.url.rsplit("/", 1)[1]
            self._admin(f'DROP DATABASE "{name}"')
            self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{source.url.rsplit("/", 1)[1]}"')
        return place

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(sql)

    def close(self) -> None:
        for name in self.databases:
            with contextlib.suppress(Exception):
                self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def places(tmp_path_factory) -> Iterator[Places]:
    made = Places(tmp_path_factory.mktemp("backup"))
    yield made
    made.close()


def _zip_of_cases(names: list[str]) -> bytes:
    from hotich.scans.demo_pages import demo_case_pdf

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for n, name in enumerate(names, start=1):
            archive.writestr(name, demo_case_pdf(number=f"{n:02d}", date_text="x", seed=n))
    return out.getvalue()


def shell(place: Place, code: str) -> str:
    return ok(hotich(place, "shell", "-c", code)).strip().splitlines()[-1]


_sources: dict[str, tuple[Place, Path]] = {}


@pytest.fixture(scope="module")
def demo(places, tmp_path_factory):
    """The demo installation of an engine with a package and an import, and its backup."""

    def build(engine: str) -> tuple[Place, Path]:
        if engine in _sources:
            return _sources[engine]
        from tests.transfer.files import BIRTH_ROWS, ministry_file

        place = places.new(engine)
        ok(hotich(place, "demo", "--no-serve"))
        register = shell(
            place,
            "from hotich.scans.models import ScanPage; "
            "print(ScanPage.objects.order_by('id').first().register_id)",
        )
        # Blocked (the register is not keyed to the end), but the build keeps both files.
        hotich(place, "export-package", register, str(place.data / "out"), "--user=nghiloc.admin")
        folder = place.data / "packages" / "KS" / "2010.01"
        folder.mkdir(parents=True)
        (folder / "KS.2010.01.xlsx").write_bytes(ministry_file("KS", BIRTH_ROWS))
        (folder / "KS.2010.01.zip").write_bytes(
            _zip_of_cases(["KS.2010.01.2010-03-10.01.pdf", "KS.2010.01.2010-03-12.02.pdf"])
        )
        ok(hotich(place, "import-packages", str(place.data / "packages"), "--user=nghiloc.admin"))
        dest = place.data.parent / f"backup-of-{place.data.name}"
        ok(hotich(place, "backup", str(dest)))
        _sources[engine] = (place, dest)
        return place, dest

    return build


@contextlib.contextmanager
def database(place: Place, django_db_blocker: Any) -> Iterator[str]:
    with django_db_blocker.unblock(), temporary_alias(dj_database_url.parse(place.url)) as alias:
        yield alias


def all_rows(place: Place, django_db_blocker: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, as Python values (so SQLite and PostgreSQL compare)."""
    with database(place, django_db_blocker) as alias:
        return {
            model._meta.db_table: list(
                model._base_manager.using(alias)
                .order_by("pk")
                .values_list(*[f.attname for f in model._meta.concrete_fields])
            )
            for model in tables(current_apps)
        }


def checksums(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file()
    }


def blob_count(dest: Path) -> int:
    return sum(1 for p in (dest / "files").rglob("*") if p.is_file() and ".tmp" not in p.parts)


def restored_equals_source(source_rows, target_rows) -> None:
    assert source_rows.keys() == target_rows.keys()
    for table, rows in source_rows.items():
        if table == "core_auditevent":
            continue
        assert target_rows[table] == rows, table
    audit = target_rows["core_auditevent"]
    assert audit[: len(source_rows["core_auditevent"])] == source_rows["core_auditevent"]
    extra = audit[len(source_rows["core_auditevent"]) :]
    assert [row[position("core.auditevent", "action")] for row in extra] == ["backup.restore"]


def position(model: str, attname: str) -> int:
    fields = current_apps.get_model(model)._meta.concrete_fields
    return [f.attname for f in fields].index(attname)


# ---- the round trip -------------------------------------------------------------------------


@pytest.mark.parametrize("source_engine", ENGINES)
@pytest.mark.parametrize("target_engine", ENGINES)
def test_a_restored_backup_has_every_row_and_every_file_of_the_source(
    demo, places, django_db_blocker, source_engine, target_engine
):
    source, dest = demo(source_engine)
    rows = all_rows(source, django_db_blocker)
    # The source holds what the brief names: records, scans, packages, imports, audit events.
    for table in (
        "records_record",
        "records_party",
        "scans_scanpage",
        "transfer_packagebuild",
        "transfer_importbatch",
        "core_auditevent",
        "units_adminunit",
    ):
        assert rows[table], table
    files = checksums(source.files)
    named = [
        row[position(f"{table.split('_')[0]}.{table.split('_')[1]}", column)]
        for table, column in (
            ("transfer_packagebuild", "zip_blob"),
            ("transfer_importbatch", "blob"),
            ("scans_scanpage", "pdf"),
        )
        for row in rows[table]
    ]
    assert all(name in files for name in named)

    target = places.new(target_engine)
    out = ok(hotich(target, "restore", str(dest)))
    assert "đã khôi phục" in out

    restored = all_rows(target, django_db_blocker)
    restored_equals_source(rows, restored)
    assert checksums(target.files) == files
    # The restore's own event came after the loaded ids: the sequences were moved past them.
    assert restored["core_auditevent"][-1][0] > max(r[0] for r in rows["core_auditevent"])
    with database(target, django_db_blocker) as alias:
        from hotich.records.models import Record

        record = Record.objects.using(alias).order_by("pk").first()
        assert record is not None and record.register.code and record.data


# ---- refusal --------------------------------------------------------------------------------


def test_restore_refuses_a_place_with_data_says_what_is_there_and_overwrites_with_force(
    demo, places, django_db_blocker
):
    source, dest = demo("sqlite")
    target = places.new("sqlite")
    ok(hotich(target, "restore", str(dest)))
    before = all_rows(target, django_db_blocker)

    refused = hotich(target, "restore", str(dest))
    assert refused.returncode == 1
    message = refused.stderr
    assert "Nơi khôi phục đã có dữ liệu" in message
    assert "units_adminunit 14,149 dòng" in message
    assert f"kho tệp: {len(checksums(source.files)):,} tệp" in message
    assert "--force" in message
    assert all_rows(target, django_db_blocker) == before  # untouched

    ok(hotich(target, "restore", "--force", str(dest)))
    restored_equals_source(all_rows(source, django_db_blocker), all_rows(target, django_db_blocker))
    assert checksums(target.files) == checksums(source.files)


def test_restore_refuses_an_empty_database_when_the_storage_holds_files(demo, places):
    _source, dest = demo("sqlite")
    target = places.new("sqlite")
    (target.files / "scans").mkdir(parents=True)
    (target.files / "scans" / "p0001.pdf").write_bytes(b"%PDF-1.4 someone's scan")
    refused = hotich(target, "restore", str(dest))
    assert refused.returncode == 1
    assert "kho tệp: 1 tệp" in refused.stderr and "cơ sở dữ liệu:" not in refused.stderr
    assert (target.files / "scans" / "p0001.pdf").read_bytes() == b"%PDF-1.4 someone's scan"


# ---- incremental ----------------------------------------------------------------------------


def test_a_second_backup_copies_nothing_and_a_third_only_the_new_scans(demo, places, tmp_path):
    from tests.scans.samples import make_case_pdf

    source = places.clone(demo("sqlite")[0])
    dest = tmp_path / "backup"
    first = ok(hotich(source, "backup", str(dest)))
    blobs = blob_count(dest)
    stored = len(checksums(source.files))
    assert 0 < blobs <= stored  # identical content is kept once
    assert f"đã đọc {stored}, chép mới {blobs} tệp" in first

    second = ok(hotich(source, "backup", str(dest)))
    assert "đã đọc 0, chép mới 0 tệp" in second
    assert blob_count(dest) == blobs
    assert len(Dest(dest).snapshots()) == 2

    register = shell(
        source,
        "from hotich.scans.models import ScanPage; "
        "print(ScanPage.objects.order_by('id').first().register_id)",
    )
    before = set(checksums(source.files))
    scan = make_case_pdf(tmp_path / "scan.pdf", pages=2, seed=99)
    ok(hotich(source, "import-scans", register, str(scan), "--user=nghiloc.admin"))
    added = set(checksums(source.files)) - before
    assert len(added) >= 6  # two pages: page PDF, viewer image, thumbnail each; the original

    third = ok(hotich(source, "backup", str(dest)))
    assert f"đã đọc {len(added)}, chép mới {len(added)} tệp" in third
    assert blob_count(dest) == blobs + len(added)
    latest = Dest(dest).latest()
    assert latest is not None
    listed = {row[0] for row in read_lines(dest / "snapshots" / latest / "files.jsonl.gz")}
    assert added <= listed


def test_a_file_the_database_names_but_the_storage_lost_is_reported_not_hidden(demo, places):
    source = places.clone(demo("sqlite")[0])
    lost = shell(
        source,
        "from hotich.scans.models import ScanPage; print(ScanPage.objects.order_by('id')[0].thumb)",
    )
    (source.files / lost).unlink()
    dest = source.data / "backup"
    result = hotich(source, "backup", str(dest))
    ok(result)
    assert f" ! {lost}" in result.stderr
    assert "Cảnh báo: 1 tệp mà cơ sở dữ liệu nhắc tới không có trong kho tệp" in result.stderr
    latest = Dest(dest).latest()
    assert latest is not None
    manifest = Dest(dest).manifest(latest)
    # A second snapshot found the same name missing: lost before the backup, not during it.
    assert (manifest["dangling"], manifest["attempts"]) == ([lost], 2)


# ---- verify ---------------------------------------------------------------------------------


def test_verify_finds_a_changed_file_a_missing_one_and_a_changed_table(demo, tmp_path):
    _source, original = demo("sqlite")
    dest = tmp_path / "copy"
    shutil.copytree(original, dest)
    place = Place("sqlite", f"sqlite:///{tmp_path / 'unused.sqlite3'}", tmp_path)
    assert "Không có vấn đề" in ok(hotich(place, "backup", "--verify", str(dest)))

    latest = Dest(dest).latest()
    assert latest is not None
    entries = list(read_lines(dest / "snapshots" / latest / "files.jsonl.gz"))
    changed, removed = entries[0], entries[-1]
    blob = Dest(dest).blob(changed[1])
    data = blob.read_bytes()
    blob.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # same size, one bit different
    result = hotich(place, "backup", "--verify", str(dest))
    assert result.returncode == 1
    assert f"tệp {changed[0]} đã bị thay đổi" in result.stderr
    assert "1 vấn đề" in result.stderr

    Dest(dest).blob(removed[1]).unlink()
    (dest / "snapshots" / latest / "db" / "records_record.jsonl.gz").write_bytes(b"tampered")
    result = hotich(place, "backup", "--verify", str(dest))
    assert result.returncode == 1
    assert f"thiếu tệp {removed[0]}" in result.stderr
    assert f"{latest}: db/records_record.jsonl.gz đã bị thay đổi" in result.stderr
    assert "3 vấn đề" in result.stderr


# ---- while the application writes -----------------------------------------------------------

WRITER = """
import collections, os, sys, time, django
django.setup()
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage as storage
from django.db import transaction
from hotich.core.models import AuditEvent
from hotich.scans.models import ScanFile, ScanPage

model = ScanFile.objects.filter(status="done").order_by("id").first()
stop, progress = sys.argv[1], sys.argv[2]
i, pending = 0, collections.deque()
while not os.path.exists(stop):
    i += 1
    # As the intake does: files first, then the rows naming them, in one transaction with
    # the audit event.
    names = [storage.save(f"scans/live/{i}-{k}", ContentFile(os.urandom(3000))) for k in "abc"]
    incoming = storage.save(f"incoming/live/{i}", ContentFile(os.urandom(500)))
    with transaction.atomic():
        page = ScanPage.objects.create(
            register_id=model.register_id, source=model, source_index=1000 + i,
            sequence=1000 + i, pdf=names[0], image=names[1], thumb=names[2],
        )
        upload = ScanFile.objects.create(
            register_id=model.register_id, batch_id=model.batch_id, original_name=f"{i}.pdf",
            incoming=incoming, uploaded_by_id=model.uploaded_by_id,
        )
        AuditEvent.objects.create(action="test.live", object_type="scan", object_id=page.pk)
    pending.append((time.monotonic(), upload))
    while pending and pending[0][0] < time.monotonic() - 0.5:
        # An upload processed half a second later: its file is deleted first, then its row
        # forgets it (as `scans.services` does).
        done = pending.popleft()[1]
        storage.delete(done.incoming)
        ScanFile.objects.filter(pk=done.pk).update(incoming="")
    with open(progress, "w") as fh:
        fh.write(str(i))
print(i)
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_a_backup_taken_while_the_application_writes_is_one_consistent_state(
    demo, places, django_db_blocker, tmp_path, engine
):
    source = places.clone(demo(engine)[0])
    stop, progress = tmp_path / "stop", tmp_path / "progress"
    env = {
        **os.environ,
        "HOTICH_DATA_DIR": str(source.data),
        "DATABASE_URL": source.url,
        "DJANGO_SETTINGS_MODULE": "hotich.settings",
    }
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(stop), str(progress)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not (progress.exists() and progress.read_text() and int(progress.read_text()) >= 5):
            assert writer.poll() is None, writer.communicate()[1][-3000:]
            assert time.monotonic() < deadline
            time.sleep(0.05)
        backup = hotich(source, "backup", str(tmp_path / "backup"))
        ok(backup)
        assert writer.poll() is None  # still writing when the backup ended
    finally:
        stop.touch()
        written, errors = writer.communicate(timeout=60)
    assert writer.returncode == 0, errors[-3000:]
    assert "Cảnh báo" not in backup.stderr

    target = places.new("sqlite")
    ok(hotich(target, "restore", str(tmp_path / "backup")))
    with database(target, django_db_blocker) as alias:
        from hotich.core.models import AuditEvent
        from hotich.scans.models import ScanFile, ScanPage

        pages = ScanPage.objects.using(alias).filter(pdf__startswith="scans/live/")
        events = AuditEvent.objects.using(alias).filter(action="test.live")
        # Rows and their audit events were committed together: a snapshot has both or neither.
        assert 5 <= pages.count() == events.count() < int(written)
        names = [n for p in pages for n in (p.pdf, p.image, p.thumb)]
        names += [
            f.incoming for f in ScanFile.objects.using(alias).exclude(incoming="") if f.incoming
        ]
    missing = [n for n in names if not (target.files / n).is_file()]
    assert missing == []


# ---- an older backup ------------------------------------------------------------------------


def test_a_backup_one_migration_behind_is_restored_and_migrated_forward(places, django_db_blocker):
    from django.db.migrations.loader import MigrationLoader

    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    leaf = graph.leaf_nodes("core")[0]
    parent = sorted(p for p in graph.node_map[leaf].parents if p.key[0] == "core")[0].key

    source = places.new("sqlite")
    ok(hotich(source, "migrate", "-v0"))
    ok(hotich(source, "bootstrap", "--office=Sở Tư pháp thử", "--username=quantri"))
    ok(hotich(source, "migrate", "core", parent[1], "-v0"))
    dest = source.data / "backup"
    ok(hotich(source, "backup", str(dest)))
    latest = Dest(dest).latest()
    assert latest is not None
    recorded = Dest(dest).manifest(latest)["migrations"]
    assert list(parent) in recorded and list(leaf) not in recorded

    target = places.new("sqlite")
    ok(hotich(target, "restore", str(dest)))
    with database(target, django_db_blocker) as alias:
        from django.db import connections
        from django.db.migrations.recorder import MigrationRecorder

        from hotich.accounts.models import User

        applied = MigrationRecorder(connections[alias]).applied_migrations()
        assert leaf in applied
        assert User.objects.using(alias).filter(username="quantri").exists()


# ---- S3 -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def s3_endpoint():
    pytest.importorskip("boto3")
    server = shutil.which("moto_server")
    if server is None:
        pytest.skip("moto_server (pip install 'moto[server]') is not installed")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [server, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    import urllib.request

    for _ in range(100):
        try:
            urllib.request.urlopen(endpoint, timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("moto_server did not start")
    yield endpoint
    proc.terminate()
    proc.wait(timeout=10)


def test_files_in_an_s3_bucket_are_backed_up_through_the_storage_api(
    demo, places, s3_endpoint, monkeypatch, tmp_path
):
    import boto3

    source = places.clone(demo("sqlite")[0])
    bucket = f"hotich-backup-{secrets.token_hex(4)}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=bucket)
    files = checksums(source.files)
    for name in files:
        client.upload_file(str(source.files / name), bucket, name)
    shutil.rmtree(source.files)
    for key, value in {
        "HOTICH_S3_BUCKET": bucket,
        "HOTICH_S3_ENDPOINT_URL": s3_endpoint,
        "HOTICH_S3_ACCESS_KEY": "test",
        "HOTICH_S3_SECRET_KEY": "test",
        "HOTICH_S3_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    dest = tmp_path / "backup"
    backup = hotich(source, "backup", str(dest))
    assert f"Tệp: {len(files)} tệp" in ok(backup) and "Cảnh báo" not in backup.stderr
    assert "Không có vấn đề" in ok(hotich(source, "backup", "--verify", str(dest)))
    assert "đã đọc 0, chép mới 0 tệp" in ok(hotich(source, "backup", str(dest)))

    for key in ("HOTICH_S3_BUCKET", "HOTICH_S3_ENDPOINT_URL"):
        monkeypatch.delenv(key)
    target = places.new("sqlite")
    ok(hotich(target, "restore", str(dest)))
    assert checksums(target.files) == files


# ---- the benchmark --------------------------------------------------------------------------


def test_the_benchmark_backs_up_and_restores_the_demo_and_a_small_register(tmp_path):
    import json

    options = ["--cases", "5", "--kb", "30", "--json", str(tmp_path / "out.json")]
    result = subprocess.run(
        [sys.executable, "-m", "bench", "backup", *options],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    demo_case, register_case = json.loads((tmp_path / "out.json").read_text())["result"][
        "cases_timed"
    ]
    assert register_case["files"] == demo_case["files"] + 15
    assert register_case["rows"] > demo_case["rows"]
    assert demo_case["again_new"] == register_case["again_new"] == 0
