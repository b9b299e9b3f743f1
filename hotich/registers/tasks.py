"""Background job handlers of the registers app: a few lines around a service each."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import default_storage

from hotich.accounts.models import Office, User
from hotich.core.jobs import JobContext, job_handler
from hotich.core.models import Job
from hotich.registers.bulk import BulkFileError, register_rows_read
from hotich.registers.services import register_bulk_create

BULK_IMPORT = "registers.bulk_import"


def register_bulk_abandon(job: Job) -> None:
    """The uploaded list of a job that never finished is removed (its handler removes it when
    it ends, even in failure; a crash skips that)."""
    name = job.args.get("file")
    if name:
        default_storage.delete(name)


@job_handler(BULK_IMPORT, on_abandon=register_bulk_abandon)
def register_bulk_import_job(ctx: JobContext) -> dict[str, Any]:
    """Read, check and create a spreadsheet list of registers; the outcome goes to job.result."""
    args = ctx.args
    actor = User.objects.select_related("office").get(pk=args["actor"])
    custodian = Office.objects.get(pk=args["custodian"])
    try:
        with default_storage.open(args["file"], "rb") as stream:
            rows = register_rows_read(stream, args["filename"])
        ctx.progress(0, 2 * len(rows))
        created, failed = register_bulk_create(
            actor=actor, custodian=custodian, rows=rows, progress=ctx.progress
        )
    except BulkFileError as exc:
        return {"file_error": str(exc)}
    finally:
        default_storage.delete(args["file"])
    if failed:
        return {
            "created": 0,
            "failed": [[row.number, col, why] for row in failed for col, why in row.errors],
        }
    ctx.progress(2 * len(rows), 2 * len(rows), f"{len(created)}")
    return {"created": len(created)}
