"""Background job handlers of the scans app."""

from __future__ import annotations

from typing import Any

from hotich.core.jobs import JobContext, job_handler
from hotich.scans.models import ScanBatch
from hotich.scans.services import PROCESS_BATCH, scan_batch_abandon, scan_batch_process


@job_handler(PROCESS_BATCH, on_abandon=scan_batch_abandon)
def scan_batch_job(ctx: JobContext) -> dict[str, Any]:
    batch = ScanBatch.objects.select_related("register").get(pk=ctx.args["batch"])
    return scan_batch_process(
        batch, progress=lambda done, total, note="": ctx.progress(done, total, note)
    )
