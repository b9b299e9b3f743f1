"""Background jobs on the database: no broker is needed for a first run.

A job is a row (`core.Job`). `job_enqueue` writes it and, after the surrounding transaction
commits, the configured runner picks it up: inline in tests ("immediate"), on a thread inside
the web process for the embedded default ("thread"), or in separate `hotich worker` processes.
Workers claim rows with `SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL, so any number of them
can run. A handler reports progress through `JobContext.progress`; an exception marks the job
failed with its message, and the handler's own transaction guarantees nothing half-written.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone, translation

from hotich.core.models import Job

log = logging.getLogger(__name__)

Handler = Callable[["JobContext"], Any]
_HANDLERS: dict[str, Handler] = {}
_wakeup = threading.Event()


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _HANDLERS[kind] = fn
        return fn

    return register


@dataclass
class JobContext:
    job: Job

    @property
    def args(self) -> dict[str, Any]:
        return self.job.args

    def progress(self, done: int, total: int | None = None, message: str = "") -> None:
        fields: dict[str, Any] = {"progress": done}
        if total is not None:
            fields["total"] = total
        if message:
            fields["message"] = message
        Job.objects.filter(pk=self.job.pk).update(**fields)


def job_enqueue(*, kind: str, args: dict[str, Any], user: Any = None) -> Job:
    if kind not in _HANDLERS:
        raise KeyError(f"no handler for job kind {kind!r}")
    office = getattr(user, "office", None)
    job = Job.objects.create(
        kind=kind,
        args={**args, "_language": translation.get_language() or settings.LANGUAGE_CODE},
        created_by=user if getattr(user, "pk", None) else None,
        office_path=getattr(office, "path", "") or "",
    )
    mode = settings.HOTICH_JOBS
    if mode == "immediate":
        # Inline, at once: tests and scripts see the outcome on return.
        job_run(job.pk)
        job.refresh_from_db()
    else:
        transaction.on_commit(_wakeup.set)
    return job


def job_run(job_id: int) -> Job:
    job = Job.objects.get(pk=job_id)
    handler = _HANDLERS[job.kind]
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, started_at=timezone.now(), attempts=job.attempts + 1
    )
    job.refresh_from_db()
    language = job.args.get("_language") or settings.LANGUAGE_CODE
    try:
        # Messages a job writes (errors per row and column) are read by whoever started it.
        with translation.override(language):
            result = handler(JobContext(job))
    except Exception as exc:
        log.warning("job %s failed: %s", job.pk, exc)
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED,
            message=str(exc) or exc.__class__.__name__,
            result={"traceback": traceback.format_exc(limit=5)},
            finished_at=timezone.now(),
        )
    else:
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.DONE, result=result, finished_at=timezone.now()
        )
    job.refresh_from_db()
    return job


def _claim_next() -> int | None:
    with transaction.atomic():
        qs = Job.objects.filter(status=Job.Status.QUEUED).order_by("created_at")
        if connection.vendor == "postgresql":
            qs = qs.select_for_update(skip_locked=True)
        job = qs.first()
        if job is None:
            return None
        claimed = Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
            status=Job.Status.RUNNING
        )
        return job.pk if claimed else None


def job_requeue_interrupted() -> int:
    """Jobs left running by a process that died go back to the queue (their work rolled back)."""
    return Job.objects.filter(status=Job.Status.RUNNING).update(status=Job.Status.QUEUED)


def worker_loop(*, stop: threading.Event, poll_seconds: float = 2.0) -> None:
    while not stop.is_set():
        close_old_connections()
        try:
            job_id = _claim_next()
        except Exception:
            log.exception("job queue unavailable")
            job_id = None
        if job_id is None:
            _wakeup.wait(poll_seconds)
            _wakeup.clear()
            continue
        job_run(job_id)


def worker_start_thread() -> threading.Event:
    stop = threading.Event()
    thread = threading.Thread(
        target=worker_loop, kwargs={"stop": stop}, name="hotich-worker", daemon=True
    )
    thread.start()
    return stop


def wait_for_jobs(timeout: float = 10.0) -> None:
    """Used by the CLI: block until the queue is empty."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not Job.objects.filter(status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).exists():
            return
        time.sleep(0.1)
