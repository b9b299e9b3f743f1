"""The functions the upload pages and commands call, run on one file (in a fuzz child).

- `scan_intake`: what the scan job does with an uploaded file (`scans.services._process_local`,
  through the `scans.processing` contract): checksum, `sniff`, `expand_zip` for a zip — each
  member then taken as a file of its own, as the job's rows are, breadth first — otherwise
  `page_count` and every page of `iter_pages`. The contract says anything but `ScanError` is a
  bug; the service would show it as "lỗi không mong đợi".
- `excel_import`: the Excel import page and its job: `transfer.services.import_batch_create`,
  then `import_analyse` (which reads and checks the file and writes the error copy).
- `package_import`: `hotich import-packages` for one workbook: the same, then `import_confirm`
  (clean rows) and `import_run` (which analyses again and stores the rows).
- `registers_read`: the register inventory upload's job: `registers.bulk.register_rows_read`
  then `registers.services.register_bulk_create`.

Database writes happen in a transaction that is rolled back, and files written to storage are
deleted, so every file meets the same database (and a case is reproducible on its own).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: A whole upload (nested zips together) may not expand to more than one zip may on its own;
#: the harness stops it there (the job would go on).
EXPAND_CAP_BYTES = 4 * 1024**3


class Refused(Exception):
    """The service recorded a refusal on its row instead of raising (a failed import batch)."""


class HarnessStop(Exception):
    """The harness stopped the file: the work it had started has no bound."""


def clean_errors() -> tuple[type[BaseException], ...]:
    """The errors meant for the person who sent the file."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from hotich.registers.bulk import BulkFileError
    from hotich.scans.processing import ScanError
    from hotich.transfer.xlsx_read import WorkbookError

    found: list[type[BaseException]] = [
        Refused,
        ScanError,
        WorkbookError,
        ValidationError,
        PermissionDenied,
        BulkFileError,
    ]
    with contextlib.suppress(ImportError):
        from hotich.core.errors import UserFacingError

        found.append(UserFacingError)
    return tuple(found)


@dataclass
class Fixtures:
    """Ids of what the zygote created once: an office, an administrator of it, a register."""

    office: int
    user: int
    register: int

    def load(self) -> tuple[Any, Any, Any]:
        from hotich.accounts.models import Office, User
        from hotich.registers.models import Register

        return (
            Office.objects.get(pk=self.office),
            User.objects.select_related("office").get(pk=self.user),
            Register.objects.select_related("custodian").get(pk=self.register),
        )


def fixtures_create() -> Fixtures:
    from hotich.accounts.models import Office, User
    from hotich.registers.models import Register

    office = Office.objects.create(name="Phòng Tư pháp (fuzz)", kind="district", path="/")
    office.path = f"/{office.pk}/"
    office.save(update_fields=["path"])
    user = User.objects.create(username="fuzz", role="unit_admin", office=office)
    register = Register.objects.create(
        custodian=office,
        register_type="KS",
        authority_name="UBND xã Phước Tỉnh",
        authority_key="ubnd xa phuoc tinh",
        authority_level="commune",
        year_start=2010,
        year_end=2010,
        volume="01",
    )
    return Fixtures(office.pk, user.pk, register.pk)


# ---- scans ------------------------------------------------------------------------------------


def scan_intake(path: Path, name: str, fixtures: Fixtures) -> dict[str, Any]:
    from hotich.scans import processing

    queue: list[tuple[Path, str, int]] = [(path, name, 0)]
    stats: dict[str, Any] = {
        "files": 0,
        "pages": 0,
        "members_refused": 0,
        "expanded_mb": 0,
        "depth": 0,
    }
    expanded = 0
    while queue:
        current, current_name, depth = queue.pop(0)
        stats["files"] += 1
        stats["depth"] = max(stats["depth"], depth)
        try:
            processing.sha256_file(current)
            kind = processing.sniff(current, current_name)
            if kind == "zip":
                members = processing.expand_zip(current, current.parent / f"z{stats['files']}")
                expanded += sum(p.stat().st_size for _n, p in members)
                stats["expanded_mb"] = expanded >> 20
                queue += [(p, f"{current_name}/{n}", depth + 1) for n, p in members]
                if expanded > EXPAND_CAP_BYTES:
                    raise HarnessStop(
                        f"nested zips expanded to {expanded / 1024**3:.1f} GB so far "
                        f"({len(queue)} files waiting, depth {depth + 1}); one zip may expand "
                        f"to {EXPAND_CAP_BYTES / 1024**3:.0f} GB"
                    )
                continue
            count = processing.page_count(current, kind)
            pages = sum(1 for _page in processing.iter_pages(current, kind))
            stats["pages"] += pages
            if pages != count:
                stats.setdefault("count_mismatch", f"{current_name}: {count} counted, {pages}")
        except processing.ScanError:
            if depth == 0:
                raise
            stats["members_refused"] += 1  # that member's row fails; the others go on
        except HarnessStop:
            raise
        except BaseException as exc:
            if depth:
                exc.add_note(f"in zip member {current_name} (depth {depth})")
            raise
        finally:
            if depth:
                current.unlink(missing_ok=True)  # as the job discards a processed member
    return stats


# ---- Excel -----------------------------------------------------------------------------------


@contextlib.contextmanager
def _rolled_back() -> Any:
    from django.db import transaction

    with transaction.atomic():
        try:
            yield
        finally:
            transaction.set_rollback(True)


def _delete(*names: str) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        if name:
            with contextlib.suppress(OSError):
                default_storage.delete(name)


def _import(path: Path, name: str, fixtures: Fixtures, *, store: bool) -> dict[str, Any]:
    from hotich.transfer.models import ImportBatch
    from hotich.transfer.services import (
        import_analyse,
        import_batch_create,
        import_confirm,
        import_run,
    )

    _office, user, register = fixtures.load()
    written: list[str] = []
    try:
        with _rolled_back():
            with path.open("rb") as stream:
                batch = import_batch_create(actor=user, register=register, name=name, stream=stream)
            written.append(batch.blob)
            batch = import_analyse(batch)
            written.append(batch.error_file)
            if batch.status == ImportBatch.Status.FAILED:
                raise Refused(batch.message)
            result = {
                "rows": batch.rows_total,
                "errors": batch.rows_error,
                "warnings": batch.rows_warning,
                "encoding": batch.encoding,
            }
            if store:
                import_confirm(actor=user, batch=batch, mode=ImportBatch.Mode.CLEAN)
                batch.refresh_from_db()
                batch = import_run(batch)
                result["imported"] = batch.rows_imported
                result["pending"] = batch.rows_pending
            return result
    finally:
        _delete(*written)


def excel_import(path: Path, name: str, fixtures: Fixtures) -> dict[str, Any]:
    return _import(path, name, fixtures, store=False)


def package_import(path: Path, name: str, fixtures: Fixtures) -> dict[str, Any]:
    return _import(path, name, fixtures, store=True)


def registers_read(path: Path, name: str, fixtures: Fixtures) -> dict[str, Any]:
    from hotich.registers.bulk import register_rows_read
    from hotich.registers.services import register_bulk_create

    office, user, _register = fixtures.load()
    with path.open("rb") as stream:
        rows = register_rows_read(stream, name)
    with _rolled_back():
        created, failed = register_bulk_create(actor=user, custodian=office, rows=rows)
    return {"rows": len(rows), "created": len(created), "rows_with_errors": len(failed)}


TARGETS: dict[str, Callable[[Path, str, Fixtures], dict[str, Any]]] = {
    "scan_intake": scan_intake,
    "excel_import": excel_import,
    "package_import": package_import,
    "registers_read": registers_read,
}

#: What the harness names as the function under test, in the report.
FUNCTIONS = {
    "scan_intake": "scans.processing (sniff, expand_zip, page_count, iter_pages)",
    "excel_import": "transfer.services.import_batch_create + import_analyse",
    "package_import": "transfer.services import_analyse + import_confirm + import_run",
    "registers_read": "registers.bulk.register_rows_read + register_bulk_create",
}


def preload() -> None:
    """Import what the targets use, once, in the zygote (children then start warm)."""
    import openpyxl  # noqa: F401
    import pikepdf  # noqa: F401
    import pypdfium2  # noqa: F401
    import python_calamine  # noqa: F401
    import xlsxwriter  # noqa: F401
    from PIL import Image

    import hotich.registers.bulk
    import hotich.registers.services
    import hotich.scans.processing
    import hotich.transfer.importer
    import hotich.transfer.legacy
    import hotich.transfer.services  # noqa: F401

    Image.init()
