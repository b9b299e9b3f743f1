"""Background jobs on the database: no broker is needed for a first run.

A job is a row (`core.Job`). `job_enqueue` writes it; after the surrounding transaction commits,
a worker picks it up. Workers are always separate processes (`hotich worker`, or the one that
`hotich serve` / `hotich demo` start and supervise), so a native crash in a library ends a
worker, never the web server; tests run jobs inline ("immediate").

A worker claims a row with a lease (`lease_until`) and renews it every few seconds while the
job runs. A job whose lease ran out lost its worker (killed, crashed, machine gone): any live
worker claims it again. Each claim counts an attempt; a job claimed `JOB_MAX_ATTEMPTS` times
without ever finishing is failed and quarantined, with the reason on its page, and never
started again by itself (decision 0001). A job that runs past `JOB_TIMEOUT` is asked to stop;
if it does not, its worker process exits and its supervisor starts a new one.

A handler reports progress through `JobContext.progress`. An exception marks the job failed:
a `UserFacingError` (or Django's `ValidationError`, `PermissionDenied`) with its own text,
anything else as "Lỗi không mong đợi" with a reference to the logged traceback. The handler's
own transaction guarantees nothing half-written; `on_abandon` cleans up what lies outside it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import secrets
import socket
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections, connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hotich.core.errors import UserFacingError
from hotich.core.models import Job

log = logging.getLogger(__name__)

Handler = Callable[["JobContext"], Any]
Abandon = Callable[[Job], None]
_HANDLERS: dict[str, Handler] = {}
_ON_ABANDON: dict[str, Abandon] = {}
_wakeup = threading.Event()
#: The write end of the pipe that wakes the supervised worker (set by `hotich serve`/`demo`).
_wake_fd: int | None = None


class JobCancelled(BaseException):
    """Raised inside a handler (by `JobContext.progress`) once its job was cancelled or ran past
    its time. A BaseException, like KeyboardInterrupt: a handler's `except Exception` that
    records one bad file and goes on must not swallow it."""


def job_handler(kind: str, *, on_abandon: Abandon | None = None) -> Callable[[Handler], Handler]:
    """Register the handler of a job kind.

    `on_abandon(job)` runs, in its own transaction, whenever a job of this kind ends without
    success: its handler raised (the handler's own transaction has rolled back), it was
    quarantined after repeated crashes or time-outs, or an administrator cancelled it. `job.message`
    then holds the reason shown to people. It marks the job's own object (a batch, a build)
    failed with that reason and removes files the job wrote; it must be idempotent.
    """

    def register(fn: Handler) -> Handler:
        _HANDLERS[kind] = fn
        if on_abandon is not None:
            _ON_ABANDON[kind] = on_abandon
        return fn

    return register


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.HOTICH_JOB_LEASE_SECONDS)


@dataclass
class JobContext:
    job: Job
    cancelled: threading.Event = field(default_factory=threading.Event)

    @property
    def args(self) -> dict[str, Any]:
        return self.job.args

    def progress(self, done: int, total: int | None = None, message: str = "") -> None:
        if self.cancelled.is_set():
            raise JobCancelled
        fields: dict[str, Any] = {"progress": done}
        if total is not None:
            fields["total"] = total
        if message:
            fields["message"] = message
        Job.objects.filter(pk=self.job.pk, status=Job.Status.RUNNING).update(**fields)


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
    if settings.HOTICH_JOBS == "immediate":
        # Inline, at once: tests and scripts see the outcome on return.
        job_run(job.pk)
        job.refresh_from_db()
    else:
        transaction.on_commit(_wake)
    return job


def _wake() -> None:
    _wakeup.set()
    if _wake_fd is not None:
        # A full pipe means the worker has been told already; a gone one, that it will poll.
        with contextlib.suppress(OSError):
            os.write(_wake_fd, b"!")


def _failure_message(job: Job, exc: BaseException) -> tuple[str, bool]:
    """The sentence people see for a job that raised, and whether it was expected."""
    if isinstance(exc, ValidationError):
        return " ".join(str(m) for m in exc.messages), True
    if isinstance(exc, UserFacingError | PermissionDenied) and str(exc):
        return str(exc), True
    reference = f"J{job.pk}-{secrets.token_hex(3)}"
    log.error(
        "job %s (%s) failed unexpectedly, reference %s", job.pk, job.kind, reference, exc_info=exc
    )
    return (
        _(
            "Lỗi không mong đợi (mã tham chiếu %(reference)s). Lỗi đã được ghi vào nhật ký hệ "
            "thống; hãy báo quản trị viên kèm mã này."
        )
        % {"reference": reference},
        False,
    )


def _abandon(job_id: int) -> None:
    job = Job.objects.get(pk=job_id)
    hook = _ON_ABANDON.get(job.kind)
    if hook is None:
        return
    language = job.args.get("_language") or settings.LANGUAGE_CODE
    try:
        with translation.override(language), transaction.atomic():
            hook(job)
    except Exception:
        log.exception("clean-up of job %s (%s) failed", job.pk, job.kind)


def job_run(job_id: int, *, ctx: JobContext | None = None, claimed: bool = False) -> Job:
    """Run one job here and now. A worker passes `claimed=True` for a job it has leased."""
    job = Job.objects.get(pk=job_id)
    handler = _HANDLERS[job.kind]
    if not claimed:
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.RUNNING,
            started_at=timezone.now(),
            attempts=F("attempts") + 1,
            worker=worker_name(),
        )
        job.refresh_from_db()
    ctx = ctx or JobContext(job)
    ctx.job = job
    language = job.args.get("_language") or settings.LANGUAGE_CODE
    mine = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, worker=job.worker)
    try:
        # Messages a job writes (errors per row and column) are read by whoever started it.
        with translation.override(language):
            result = handler(ctx)
    except JobCancelled:
        # Cancelled by an administrator: the row already says so. Past its time: the attempt
        # ended like a crash; the job waits for its next claim, which quarantines it at the cap.
        if mine.update(status=Job.Status.QUEUED, lease_until=None) == 0:
            _abandon(job.pk)
    except Exception as exc:
        message, expected = _failure_message(job, exc)
        if expected:
            log.info("job %s (%s) refused: %s", job.pk, job.kind, message)
        mine.update(
            status=Job.Status.FAILED,
            message=message,
            result=None if expected else {"traceback": traceback.format_exc(limit=8)},
            finished_at=timezone.now(),
            lease_until=None,
        )
        _abandon(job.pk)
    else:
        mine.update(
            status=Job.Status.DONE, result=result, finished_at=timezone.now(), lease_until=None
        )
    job.refresh_from_db()
    return job


def _quarantine(job: Job) -> None:
    minutes = round(settings.HOTICH_JOB_TIMEOUT_SECONDS / 60)
    reason = _(
        "Tác vụ đã được chạy %(attempts)s lần và lần nào cũng dừng giữa chừng (tiến trình nền bị "
        "dừng đột ngột hoặc chạy quá %(minutes)s phút). Đã cách ly: không tự chạy lại. Quản trị "
        "viên có thể chạy lại hoặc hủy tác vụ này."
    ) % {"attempts": job.attempts, "minutes": minutes}
    if job.message:
        reason = f"{reason} {job.message}"
    Job.objects.filter(pk=job.pk, status=job.status, attempts=job.attempts).update(
        status=Job.Status.FAILED,
        quarantined=True,
        message=reason,
        finished_at=timezone.now(),
        lease_until=None,
    )
    log.error("job %s (%s) quarantined after %s attempts", job.pk, job.kind, job.attempts)


def _claim_next(worker: str | None = None) -> int | None:
    """Lease the oldest job waiting, or one whose worker stopped renewing its lease."""
    worker = worker or worker_name()
    while True:
        now = timezone.now()
        abandoned: int | None = None
        with transaction.atomic():
            qs = Job.objects.filter(
                Q(status=Job.Status.QUEUED) | Q(status=Job.Status.RUNNING, lease_until__lt=now)
            ).order_by("created_at")
            if connection.vendor == "postgresql":
                qs = qs.select_for_update(skip_locked=True)
            job = qs.first()
            if job is None:
                return None
            if job.attempts >= settings.HOTICH_JOB_MAX_ATTEMPTS:
                # Started that many times and never finished: a crash loop. Stop it here.
                _quarantine(job)
                abandoned = job.pk
            else:
                claimed = Job.objects.filter(
                    pk=job.pk, status=job.status, attempts=job.attempts
                ).update(
                    status=Job.Status.RUNNING,
                    worker=worker,
                    started_at=now,
                    heartbeat_at=now,
                    lease_until=now + _lease(),
                    attempts=job.attempts + 1,
                )
                if claimed:
                    if job.status == Job.Status.RUNNING:
                        log.warning(
                            "job %s (%s) claimed again: its worker %s stopped renewing its lease",
                            job.pk,
                            job.kind,
                            job.worker,
                        )
                    return job.pk
        if abandoned is not None:
            _abandon(abandoned)


def job_release_dead_local() -> int:
    """Jobs held by a process of this machine that no longer exists may be claimed at once.

    Used when a worker starts: a worker on this host that died (the laptop was switched off,
    the process was killed) need not make its job wait for the lease to run out.
    """
    host = socket.gethostname()
    released = 0
    for job in Job.objects.filter(status=Job.Status.RUNNING, worker__startswith=f"{host}:"):
        try:
            pid = int(job.worker.rsplit(":", 1)[1])
            os.kill(pid, 0)
        except ProcessLookupError:
            pass  # dead: release it
        except (ValueError, PermissionError):
            continue
        else:
            continue
        released += Job.objects.filter(pk=job.pk, worker=job.worker, status=job.status).update(
            lease_until=timezone.now() - dt.timedelta(seconds=1)
        )
    return released


class _Heartbeat(threading.Thread):
    """Renews the lease of the running job; stops it when cancelled or past its time."""

    def __init__(self, job_id: int, worker: str, ctx: JobContext, *, exit_on_overrun: bool):
        super().__init__(name=f"hotich-heartbeat-{job_id}", daemon=True)
        self.job_id, self.worker, self.ctx = job_id, worker, ctx
        self.exit_on_overrun = exit_on_overrun
        self.done = threading.Event()

    def run(self) -> None:
        lease = settings.HOTICH_JOB_LEASE_SECONDS
        timeout = settings.HOTICH_JOB_TIMEOUT_SECONDS
        started = time.monotonic()
        asked_to_stop_at: float | None = None
        try:
            while not self.done.wait(max(1.0, lease / 3)):
                now = timezone.now()
                try:
                    renewed = Job.objects.filter(
                        pk=self.job_id, worker=self.worker, status=Job.Status.RUNNING
                    ).update(lease_until=now + _lease(), heartbeat_at=now)
                except Exception:  # a busy or lost database: try again at the next beat
                    log.warning("job %s: lease not renewed this time", self.job_id, exc_info=True)
                    continue
                if not renewed:
                    self.ctx.cancelled.set()  # cancelled, or another worker holds it now
                elapsed = time.monotonic() - started
                if elapsed > timeout and asked_to_stop_at is None:
                    log.error("job %s ran past %s s: asking it to stop", self.job_id, timeout)
                    Job.objects.filter(pk=self.job_id, worker=self.worker).update(
                        message=_("Tác vụ chạy quá %(minutes)s phút nên đã bị dừng.")
                        % {"minutes": round(timeout / 60)}
                    )
                    asked_to_stop_at = elapsed
                    self.ctx.cancelled.set()
                if (
                    asked_to_stop_at is not None
                    and self.exit_on_overrun
                    and elapsed - asked_to_stop_at > lease
                ):
                    # Stuck where Python cannot stop it (native code): end this worker process;
                    # its supervisor starts a new one and the job is claimed again or quarantined.
                    log.critical("job %s does not stop: ending worker %s", self.job_id, self.worker)
                    Job.objects.filter(pk=self.job_id, worker=self.worker).update(
                        lease_until=timezone.now()
                    )
                    os._exit(75)
        finally:
            connection.close()


def _run_claimed(job_id: int, worker: str, *, exit_on_overrun: bool) -> None:
    job = Job.objects.get(pk=job_id)
    ctx = JobContext(job)
    beat = _Heartbeat(job_id, worker, ctx, exit_on_overrun=exit_on_overrun)
    beat.start()
    started = time.monotonic()
    try:
        done = job_run(job_id, ctx=ctx, claimed=True)
    finally:
        beat.done.set()
        beat.join(timeout=5)
    log.info(
        "job %s (%s) %s on %s in %.1f s, attempt %s",
        done.pk,
        done.kind,
        done.status,
        worker,
        time.monotonic() - started,
        done.attempts,
    )


def worker_loop(
    *,
    stop: threading.Event,
    poll_seconds: float = 2.0,
    wake_fd: int | None = None,
    exit_on_overrun: bool = False,
) -> None:
    """Claim and run jobs until `stop` is set. `wake_fd`: a pipe whose bytes mean "look now"."""
    import select

    worker = worker_name()
    try:
        job_release_dead_local()
    except Exception:
        log.exception("job queue unavailable")
    while not stop.is_set():
        close_old_connections()
        try:
            job_id = _claim_next(worker)
        except Exception:
            log.exception("job queue unavailable")
            job_id = None
        if job_id is None:
            if wake_fd is not None:
                ready, _w, _x = select.select([wake_fd], [], [], poll_seconds)
                if ready:
                    with contextlib.suppress(OSError):
                        os.read(wake_fd, 4096)
            else:
                _wakeup.wait(poll_seconds)
                _wakeup.clear()
            continue
        _run_claimed(job_id, worker, exit_on_overrun=exit_on_overrun)


# ---- administrators: stuck, failed and quarantined jobs -------------------------------------


def job_is_stuck(job: Job) -> bool:
    return (
        job.status == Job.Status.RUNNING
        and job.lease_until is not None
        and job.lease_until < timezone.now()
    )


def job_retry(*, actor: Any, job: Job, ip: str | None = None) -> Job:
    """Queue a failed, quarantined or cancelled job again, from its first attempt (audited)."""
    from hotich.core.audit import audit_record

    if job.status not in (Job.Status.FAILED, Job.Status.CANCELLED):
        raise ValidationError(_("Chỉ chạy lại được tác vụ đã lỗi hoặc đã hủy."))
    with transaction.atomic():
        before = {"status": job.status, "quarantined": job.quarantined, "attempts": job.attempts}
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.QUEUED,
            quarantined=False,
            attempts=0,
            message="",
            result=None,
            progress=0,
            finished_at=None,
            lease_until=None,
            worker="",
        )
        audit_record(
            actor=actor,
            action="job.retry",
            obj=job,
            object_repr=f"{job.kind} #{job.pk}",
            office_path=job.office_path,
            before=before,
            after={"status": Job.Status.QUEUED},
            ip=ip,
        )
        transaction.on_commit(_wake)
    job.refresh_from_db()
    return job


def job_cancel(*, actor: Any, job: Job, ip: str | None = None) -> Job:
    """Stop a waiting, running or stuck job for good (audited); its clean-up runs."""
    from hotich.core.audit import audit_record

    if job.status not in (Job.Status.QUEUED, Job.Status.RUNNING):
        raise ValidationError(_("Tác vụ này đã kết thúc, không hủy được."))
    with transaction.atomic():
        changed = Job.objects.filter(pk=job.pk, status=job.status).update(
            status=Job.Status.CANCELLED,
            message=_("Đã hủy bởi %(user)s.") % {"user": getattr(actor, "username", "")},
            finished_at=timezone.now(),
            lease_until=None,
        )
        if not changed:
            raise ValidationError(_("Tác vụ vừa thay đổi trạng thái; hãy tải lại trang."))
        audit_record(
            actor=actor,
            action="job.cancel",
            obj=job,
            object_repr=f"{job.kind} #{job.pk}",
            office_path=job.office_path,
            before={"status": job.status},
            after={"status": Job.Status.CANCELLED},
            ip=ip,
        )
    # A running job notices at its next progress report (its heartbeat sees the row changed)
    # and rolls back; the clean-up runs here too, idempotently, for one whose worker is gone.
    if job.status == Job.Status.QUEUED or job_is_stuck(job):
        _abandon(job.pk)
    job.refresh_from_db()
    return job


def wait_for_jobs(timeout: float = 10.0) -> None:
    """Used by the CLI: block until the queue is empty."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not Job.objects.filter(status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).exists():
            return
        time.sleep(0.1)
