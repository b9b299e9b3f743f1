"""Writes of the Excel import: receive a file, analyse it, import it once confirmed.

A file is stored as received and analysed in the background (template, revision, legacy
encoding, every row validated); nothing reaches the register until a person has seen the
analysis and confirmed. The import itself is one transaction (`record_bulk_import`): a process
killed halfway leaves nothing behind, and the job is simply run again. The same file (by
SHA-256) is never imported twice into a register.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
import uuid
import zipfile
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from hotich.accounts.models import User
from hotich.core.audit import audit_record
from hotich.core.jobs import JobContext, job_enqueue
from hotich.records.queries import record_can_key
from hotich.records.services import record_bulk_import
from hotich.registers.models import Register
from hotich.registers.services import register_lock_writable
from hotich.transfer.importer import Analysis, analyse
from hotich.transfer.models import ImportBatch
from hotich.transfer.xlsx_read import WorkbookError, cell_text

IMPORT_ANALYSE = "transfer.import_analyse"
IMPORT_RUN = "transfer.import_run"
MAX_BYTES = 200 * 1024 * 1024


class AlreadyImported(ValidationError):
    """The same file was imported into this register before."""


def _check(actor: User, register: Register) -> None:
    if not record_can_key(actor, register):
        raise PermissionDenied(_("Bạn không được giao nhập liệu sổ này."))


def _sha256(stream: IO[bytes]) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        digest.update(chunk)
        size += len(chunk)
    stream.seek(0)
    return digest.hexdigest(), size


@transaction.atomic
def import_batch_create(
    *,
    actor: User,
    register: Register,
    name: str,
    stream: IO[bytes],
    scans: tuple[str, IO[bytes]] | None = None,
) -> ImportBatch:
    """Store the file and queue its analysis. The same file offered again while its analysis
    waits for confirmation returns that batch; a file already imported is refused."""
    _check(actor, register)
    register_lock_writable(register, changes_data=False)  # the import itself changes the data
    sha, size = _sha256(stream)
    if size > MAX_BYTES:
        raise ValidationError(_("Tệp lớn quá 200 MB."))
    done = register.imports.filter(sha256=sha, status=ImportBatch.Status.DONE).first()
    if done is not None:
        raise AlreadyImported(
            _("Tệp này đã được nhập vào sổ %(register)s lúc %(when)s (%(who)s); không nhập lại.")
            % {
                "register": register.code,
                "when": timezone.localtime(done.finished_at or done.created_at).strftime(
                    "%H:%M %d/%m/%Y"
                ),
                "who": done.confirmed_by or done.created_by,
            }
        )
    waiting = register.imports.filter(
        sha256=sha,
        status__in=[
            ImportBatch.Status.ANALYSING,
            ImportBatch.Status.READY,
            ImportBatch.Status.IMPORTING,
        ],
    ).first()
    if waiting is not None:
        return waiting
    clean = get_valid_filename(Path(name).name) or "tep.xlsx"
    blob = default_storage.save(f"imports/{register.pk}/{uuid.uuid4().hex}-{clean}", File(stream))
    batch = ImportBatch.objects.create(
        register=register,
        original_name=Path(name).name[:255],
        blob=blob,
        sha256=sha,
        size=size,
        created_by=actor,
    )
    if scans is not None:
        scan_name, scan_stream = scans
        scan_clean = get_valid_filename(Path(scan_name).name) or "scan.zip"
        batch.scans_blob = default_storage.save(
            f"imports/{register.pk}/{uuid.uuid4().hex}-{scan_clean}", File(scan_stream)
        )
        batch.scans_name = Path(scan_name).name[:255]
        batch.save(update_fields=["scans_blob", "scans_name"])
    audit_record(
        actor=actor,
        action="import.upload",
        obj=batch,
        office_path=register.custodian.path,
        after={"file": batch.original_name, "sha256": sha, "size": size},
    )
    batch.job = job_enqueue(kind=IMPORT_ANALYSE, args={"batch": batch.pk}, user=actor)
    ImportBatch.objects.filter(pk=batch.pk).update(job=batch.job)
    batch.refresh_from_db()
    return batch


def _local(name: str) -> tuple[Path, bool]:
    """A real file for the reader; storage may be a bucket."""
    try:
        return Path(default_storage.path(name)), False
    except NotImplementedError:
        handle, tmp = tempfile.mkstemp(suffix=".xlsx")
        with default_storage.open(name, "rb") as src, open(handle, "wb") as dst:
            for chunk in iter(lambda: src.read(1 << 20), b""):
                dst.write(chunk)
        return Path(tmp), True


def _analyse(batch: ImportBatch, ctx: JobContext | None, encoding: str | None = None) -> Analysis:
    path, temporary = _local(batch.blob)
    try:
        with path.open("rb") as stream:
            return analyse(
                batch.register,
                stream,
                progress=ctx.progress if ctx else None,
                encoding=encoding,
                name=batch.original_name,
            )
    finally:
        if temporary:
            path.unlink(missing_ok=True)


def _error_copy(analysis: Analysis) -> bytes:
    """The file as read, with a last column saying what is wrong in each row."""
    from hotich.core.xlsx_out import xlsx_workbook

    out = io.BytesIO()
    book = xlsx_workbook(out, {"constant_memory": True, "in_memory": True})
    sheet = book.add_worksheet(analysis.sheet[:31] or "DL Import")
    bad = book.add_format({"bg_color": "#FDE2E1", "text_wrap": True})
    warn = book.add_format({"bg_color": "#FEF0C7", "text_wrap": True})
    headers = analysis.layout.headers
    for col, text in enumerate(headers):
        sheet.write_string(0, col, text)
    err_col = len(headers)
    sheet.write_string(0, err_col, _("Lỗi (Hộ tịch số)"))
    sheet.set_column(err_col, err_col, 60)
    labels = analysis.rtype.by_key
    for line, row in enumerate(analysis.rows, start=1):
        for col, cell in enumerate(analysis.cells(row)):
            text = cell_text(cell)
            if text:
                sheet.write_string(line, col, text)
        if row.issues:
            text = "; ".join(
                f"{labels[i.field].label if i.field in labels else i.field} ({i.field}): "
                f"{i.message}"
                for i in row.issues
            )
            sheet.write_string(line, err_col, text, bad if row.has_error else warn)
    book.close()
    return out.getvalue()


def import_analyse(batch: ImportBatch, ctx: JobContext | None = None) -> ImportBatch:
    """Read and check the file; the batch then waits for a person to confirm."""
    try:
        analysis = _analyse(batch, ctx)
    except WorkbookError as exc:
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.FAILED, message=str(exc)[:500], finished_at=timezone.now()
        )
        batch.refresh_from_db()
        return batch
    counts = analysis.counts()
    error_file = ""
    if counts["error"] or counts["warning"]:
        error_file = default_storage.save(
            f"imports/{batch.register_id}/{uuid.uuid4().hex}-loi.xlsx",
            ContentFile(_error_copy(analysis)),
        )
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.READY,
        message="",  # an earlier attempt's reason (a retried job) is no longer true
        record_type=analysis.rtype.code,
        revision=analysis.layout.revision,
        encoding=analysis.encoding,
        rows_total=counts["total"],
        rows_valid=counts["valid"],
        rows_error=counts["error"],
        rows_warning=counts["warning"],
        rows_skipped=counts["skipped"],
        report=analysis.report(),
        preview=analysis.preview,
        unknown_columns=analysis.layout.unknown,
        error_file=error_file,
    )
    batch.refresh_from_db()
    return batch


@transaction.atomic
def import_confirm(
    *, actor: User, batch: ImportBatch, mode: str, keep_encoding: bool = False
) -> ImportBatch:
    """The person has seen the analysis: import all rows or only the clean ones."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    _check(actor, batch.register)
    register_lock_writable(batch.register_id, changes_data=False)
    if batch.status != ImportBatch.Status.READY:
        raise ValidationError(_("Lần nhập này không còn chờ xác nhận."))
    if mode not in ImportBatch.Mode.values:
        raise ValidationError(_("Hãy chọn cách nhập."))
    if mode == ImportBatch.Mode.ALL and batch.rows_error:
        raise ValidationError(
            _("Tệp còn %(n)d dòng lỗi: sửa tệp rồi tải lên lại, hoặc chọn nhập các dòng đúng.")
            % {"n": batch.rows_error}
        )
    if keep_encoding:
        batch.encoding = "unicode"
    batch.mode = mode
    batch.status = ImportBatch.Status.IMPORTING
    batch.confirmed_by = actor
    batch.save(update_fields=["mode", "status", "confirmed_by", "encoding"])
    audit_record(
        actor=actor,
        action="import.confirm",
        obj=batch,
        office_path=batch.register.custodian.path,
        after={"mode": mode, "encoding": batch.encoding},
    )
    batch.job = job_enqueue(kind=IMPORT_RUN, args={"batch": batch.pk}, user=actor)
    ImportBatch.objects.filter(pk=batch.pk).update(job=batch.job)
    return batch


@transaction.atomic
def import_cancel(*, actor: User, batch: ImportBatch) -> None:
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    _check(actor, batch.register)
    if batch.status in (ImportBatch.Status.READY, ImportBatch.Status.FAILED):
        batch.status = ImportBatch.Status.CANCELLED
        batch.save(update_fields=["status"])
        audit_record(actor=actor, action="import.cancel", obj=batch)


def import_run(batch: ImportBatch, ctx: JobContext | None = None) -> ImportBatch:
    """Import the confirmed file: one transaction, so all of it or nothing."""
    from hotich.records import bulk_helper

    actor = batch.confirmed_by or batch.created_by
    with bulk_helper.spare():  # the store's helper may start while the file is checked
        return _import_run(batch, actor, ctx)


def _import_run(batch: ImportBatch, actor: User, ctx: JobContext | None) -> ImportBatch:
    analysis = _analyse(batch, ctx, encoding=batch.encoding or None)
    clean_only = batch.mode == ImportBatch.Mode.CLEAN
    if not clean_only and any(r.has_error for r in analysis.rows):
        raise ValidationError(_("Tệp còn dòng lỗi; không nhập dòng nào."))
    if ctx:
        ctx.progress(0, len(analysis.rows), _("Đang ghi vào cơ sở dữ liệu…"))
    with transaction.atomic():
        counts = record_bulk_import(
            actor=actor,
            register=batch.register,
            rows=analysis.import_rows(),
            source_name=batch.original_name,
        )
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.DONE,
            rows_imported=counts["submitted"],
            rows_pending=counts["pending"],
            finished_at=timezone.now(),
            message="",
        )
    batch.refresh_from_db()
    if batch.scans_blob:
        _scans_after_import(actor, batch)
    return batch


def _scans_after_import(actor: User, batch: ImportBatch) -> None:
    """The zip of case PDFs that came with the file: into scan intake, linked by file name."""
    from hotich.scans.services import scan_batch_create

    with default_storage.open(batch.scans_blob, "rb") as stream:
        scan_batch = scan_batch_create(
            actor=actor,
            register=batch.register,
            files=[(batch.scans_name or "scans.zip", stream)],
            source="import",
        )
    ImportBatch.objects.filter(pk=batch.pk).update(scan_batch=scan_batch)


def zip_names(stream: IO[bytes]) -> list[str]:
    """The PDF names inside a zip (for the summary of a package import)."""
    try:
        with zipfile.ZipFile(stream) as archive:
            return [n for n in archive.namelist() if n.lower().endswith(".pdf")]
    except zipfile.BadZipFile:
        return []


def import_result(batch: ImportBatch) -> dict[str, Any]:
    return {
        "batch": batch.pk,
        "status": batch.status,
        "imported": batch.rows_imported,
        "pending": batch.rows_pending,
        "errors": batch.rows_error,
    }
