"""Backup and restore of a whole installation: `hotich.core.backup` (decision 0017).

Two cases, one after the other on the run's database and data directory:

- **demo**: what `hotich demo` loads (`hotich.demo.demo_load`: the administrative units of both
  eras, offices, accounts, 60 registers, ~300 keyed records with their people, 12 scanned
  pages, the audit trail);
- **demo + register**: the same with one birth register of `--cases` cases added, each keyed to
  the end (`record_bulk_import`: records, people, audit events) and linked to one scanned page
  of about `--kb` kB stored as the intake stores it — a single-page PDF, a viewer JPEG and a
  thumbnail, every one with content of its own (no two pages share a checksum, so nothing is
  saved by de-duplication).

For each: the first backup into a new folder (everything copied), a second one into the same
folder (nothing new to copy), `--verify` of the folder, and a restore into a new database (a
SQLite file, or a new database on the same PostgreSQL server, dropped at the end) and a new
storage folder.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import secrets
import shutil
import time
from pathlib import Path
from typing import Any

DESCRIPTION = "backup and restore: the demo, then the demo with a register of 1,000 scanned cases"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cases", type=int, default=1000, help="cases in the added register")
    parser.add_argument("--kb", type=int, default=100, help="approximate kB per page PDF")


def _page_files(kb: int, seed: int) -> list[tuple[bytes, bytes, bytes]]:
    """Distinct (page PDF, viewer JPEG, thumbnail) as the intake stores them."""
    import pikepdf
    from PIL import Image

    from bench.package_export import _page_pdfs
    from hotich.scans.processing.pdf import sole_jpeg

    out = []
    for data in _page_pdfs(kb, seed):
        with pikepdf.open(io.BytesIO(data)) as pdf:
            found = sole_jpeg(pdf.pages[0])
        assert found is not None
        viewer = found[0]
        image = Image.open(io.BytesIO(viewer))
        image.thumbnail((240, 240))
        thumb = io.BytesIO()
        image.convert("RGB").save(thumb, "JPEG", quality=70)
        out.append((data, viewer, thumb.getvalue()))
    return out


def _register(args: argparse.Namespace) -> int:
    """A birth register of `args.cases` keyed cases, one scanned page each; returns files."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from bench.package_export import _record_data
    from hotich.accounts.models import Office, User
    from hotich.core.synthetic import Synth
    from hotich.core.text import fold
    from hotich.records.schema import record_type
    from hotich.records.services import ImportRow, record_bulk_import
    from hotich.records.validation import record_validate
    from hotich.registers.models import Register
    from hotich.scans.models import PageLink, ScanBatch, ScanFile, ScanPage

    office = Office.objects.create(name="Phòng Tư pháp huyện Long Điền", kind="district")
    office.path = f"/{office.pk}/"
    office.save(update_fields=["path"])
    admin = User.objects.create(username="bench.quantri", office=office, role="unit_admin")
    authority = "UBND xã Phước Tỉnh, huyện Long Điền, tỉnh Bà Rịa - Vũng Tàu"
    register = Register.objects.create(
        custodian=office,
        register_type="KS",
        authority_name=authority,
        authority_key=fold(authority),
        authority_level="commune",
        year_start=2017,
        volume="01",
        declared_entries=args.cases,
    )
    rtype = record_type("KS")
    synth = Synth(args.seed)
    rows = []
    for i in range(args.cases):
        registered = dt.date(2017, 1, 1) + dt.timedelta(days=min(i // 3, 364))
        cleaned, issues = record_validate(rtype, register, _record_data(synth, i, 2017, registered))
        rows.append(ImportRow(data=cleaned, issues=issues))
    record_bulk_import(actor=admin, register=register, rows=rows)

    batch = ScanBatch.objects.create(register=register, created_by=admin, source="bench")
    source = ScanFile.objects.create(
        register=register, batch=batch, original_name="book.pdf", uploaded_by=admin, status="done"
    )
    bases = _page_files(args.kb, args.seed)
    pages = []
    for i in range(args.cases):
        pdf, viewer, thumb = bases[i % len(bases)]
        unique = f"\n%hotich bench page {i:05d}\n".encode()  # after %%EOF / EOI: still valid
        base = f"scans/r{register.pk}/f{source.pk}/p{i + 1:04d}"
        names = [
            default_storage.save(f"{base}{suffix}", ContentFile(data + unique))
            for suffix, data in ((".pdf", pdf), (".jpg", viewer), ("-t.jpg", thumb))
        ]
        pages.append(
            ScanPage(
                register=register,
                source=source,
                source_index=i,
                sequence=i + 1,
                pdf=names[0],
                image=names[1],
                thumb=names[2],
            )
        )
    pages = ScanPage.objects.bulk_create(pages)
    records = list(register.records.order_by("sequence"))
    PageLink.objects.bulk_create(
        PageLink(record=r, page=p, position=1) for r, p in zip(records, pages, strict=True)
    )
    return 3 * args.cases


def _restore_target(workdir: Path, label: str) -> tuple[dict[str, Any], str | None]:
    """Settings of a new, empty database beside the run's own (and its name to drop)."""
    from django.db import connection

    base = dict(connection.settings_dict)
    if connection.vendor == "sqlite":
        return {**base, "NAME": str(workdir / f"restore-{label}.sqlite3"), "TEST": {}}, None
    name = f"hotich_bench_restore_{secrets.token_hex(4)}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    return {**base, "NAME": name, "TEST": {}}, name


def _case(label: str, workdir: Path) -> dict[str, Any]:
    from django.core.files.storage import FileSystemStorage
    from django.db import connection

    from hotich.core.backup.schema import temporary_alias
    from hotich.core.backup.services import backup_create, backup_restore, backup_verify

    dest = workdir / f"backup-{label}"
    started = time.perf_counter()
    first = backup_create(dest=dest)
    full_s = time.perf_counter() - started
    started = time.perf_counter()
    again = backup_create(dest=dest)
    again_s = time.perf_counter() - started
    started = time.perf_counter()
    verified = backup_verify(dest=dest)
    verify_s = time.perf_counter() - started
    assert verified.count == 0, verified.problems

    settings, created = _restore_target(workdir, label)
    storage = FileSystemStorage(location=str(workdir / f"restore-{label}-files"))
    try:
        with temporary_alias(settings) as alias:
            started = time.perf_counter()
            restored = backup_restore(dest=dest, using=alias, storage=storage)
            restore_s = time.perf_counter() - started
    finally:
        if created:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')
    dump_mb = sum(t["bytes"] for t in first_manifest(dest, first.snapshot)["tables"]) / 1e6
    size = sum(p.stat().st_size for p in dest.rglob("*") if p.is_file())
    shutil.rmtree(workdir / f"restore-{label}-files", ignore_errors=True)
    return {
        "case": label,
        "rows": first.rows,
        "files": first.files,
        "files_mb": round(first.bytes / 1e6, 1),
        "dump_mb": round(dump_mb, 1),
        "backup_s": round(full_s, 2),
        "db_s": first.seconds["database"],
        "files_s": first.seconds["files"],
        "again_s": round(again_s, 2),
        "again_new": again.new,
        "verify_s": round(verify_s, 2),
        "restore_s": round(restore_s, 2),
        "restore_db_s": restored.seconds["database"],
        "restore_files_s": restored.seconds["files"],
        "dest_mb_two_snapshots": round(size / 1e6, 1),
    }


def first_manifest(dest: Path, name: str) -> dict[str, Any]:
    from hotich.core.backup.layout import Dest

    return Dest(dest).manifest(name)


def run(args: argparse.Namespace) -> dict[str, Any]:
    from django.conf import settings

    from hotich.demo import demo_load

    workdir = Path(settings.DATA_DIR)
    started = time.perf_counter()
    demo_load()
    demo_setup = time.perf_counter() - started
    cases = [_case("demo", workdir)]
    started = time.perf_counter()
    _register(args)
    register_setup = time.perf_counter() - started
    cases.append(_case(f"demo + register of {args.cases:,} cases", workdir))
    return {
        "cases_in_register": args.cases,
        "demo_setup_s": round(demo_setup, 1),
        "register_setup_s": round(register_setup, 1),
        "cases_timed": cases,
    }
