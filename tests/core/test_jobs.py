import datetime as dt
import threading

import pytest
from django.urls import reverse
from django.utils import timezone

from hotich.core import jobs
from hotich.core.errors import UserFacingError
from hotich.core.models import Job


@jobs.job_handler("test.count")
def _count(ctx):
    for i in range(1, 4):
        ctx.progress(i, 3)
    return {"sum": ctx.args["a"] + ctx.args["b"]}


ABANDONED = []


def _abandoned(job):
    ABANDONED.append((job.pk, job.status, job.message))


@jobs.job_handler("test.fail", on_abandon=_abandoned)
def _fail(ctx):
    raise UserFacingError("Tệp hỏng ở dòng 7")


@jobs.job_handler("test.bug", on_abandon=_abandoned)
def _bug(ctx):
    return [][1]  # IndexError: list index out of range


def test_an_immediate_job_runs_and_keeps_its_result_and_progress(users):
    job = jobs.job_enqueue(kind="test.count", args={"a": 2, "b": 3}, user=users["operator"])
    assert job.status == Job.Status.DONE
    assert job.result == {"sum": 5}
    assert (job.progress, job.total, job.percent) == (3, 3, 100)


def test_a_failing_job_is_marked_failed_with_its_message_and_cleaned_up(users):
    ABANDONED.clear()
    job = jobs.job_enqueue(kind="test.fail", args={}, user=users["operator"])
    assert job.status == Job.Status.FAILED
    assert job.message == "Tệp hỏng ở dòng 7"
    assert [(job.pk, Job.Status.FAILED, "Tệp hỏng ở dòng 7")] == ABANDONED


def test_an_unexpected_error_shows_a_reference_never_the_library_text(users, caplog):
    ABANDONED.clear()
    job = jobs.job_enqueue(kind="test.bug", args={}, user=users["operator"])
    assert job.status == Job.Status.FAILED
    assert job.message.startswith("Lỗi không mong đợi (mã tham chiếu J")
    assert "list index" not in job.message and "IndexError" not in job.message
    reference = job.message.split("mã tham chiếu ", 1)[1].split(")", 1)[0]
    logged = [r for r in caplog.records if reference in r.getMessage()]
    assert logged and logged[0].exc_info is not None  # the traceback is in the log
    assert ABANDONED and ABANDONED[0][0] == job.pk


def test_unknown_job_kinds_are_refused(users):
    with pytest.raises(KeyError):
        jobs.job_enqueue(kind="nope", args={}, user=users["operator"])


@pytest.mark.django_db(transaction=True)
def test_the_worker_loop_claims_and_runs_queued_jobs(settings):
    settings.HOTICH_JOBS = "external"
    job = jobs.job_enqueue(kind="test.count", args={"a": 1, "b": 1})
    assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED
    stop = threading.Event()
    worker = threading.Thread(target=jobs.worker_loop, kwargs={"stop": stop, "poll_seconds": 0.05})
    worker.start()
    try:
        jobs.wait_for_jobs(timeout=10)
    finally:
        stop.set()
        worker.join(timeout=10)
    done = Job.objects.get(pk=job.pk)
    assert done.status == Job.Status.DONE and done.result == {"sum": 2}


def _running(kind="test.count", *, lease_seconds, attempts=1, worker="elsewhere:1"):
    return Job.objects.create(
        kind=kind,
        args={"a": 1, "b": 1},
        status=Job.Status.RUNNING,
        attempts=attempts,
        worker=worker,
        lease_until=timezone.now() + dt.timedelta(seconds=lease_seconds),
    )


def test_a_job_whose_worker_still_holds_its_lease_is_left_alone(db):
    _running(lease_seconds=20)
    assert jobs._claim_next("me:2") is None


def test_a_job_whose_lease_ran_out_is_claimed_again_and_finishes(db):
    job = _running(lease_seconds=-1)
    assert jobs._claim_next("me:2") == job.pk
    claimed = Job.objects.get(pk=job.pk)
    assert (claimed.worker, claimed.attempts, claimed.status) == ("me:2", 2, "running")
    assert claimed.lease_until > timezone.now()
    done = jobs.job_run(job.pk, claimed=True)
    assert done.status == Job.Status.DONE and done.result == {"sum": 2}


def test_after_three_interrupted_attempts_a_job_is_quarantined_and_never_started_again(db):
    ABANDONED.clear()
    job = _running("test.fail", lease_seconds=-1, attempts=3)
    assert jobs._claim_next("me:2") is None
    failed = Job.objects.get(pk=job.pk)
    assert failed.status == Job.Status.FAILED and failed.quarantined
    assert "3 lần" in failed.message and "cách ly" in failed.message.lower()
    assert [(job.pk, Job.Status.FAILED, failed.message)] == ABANDONED
    assert jobs._claim_next("me:3") is None  # not by itself, ever


def test_a_job_of_a_dead_local_process_is_released_at_once(db):
    import socket
    import subprocess
    import sys

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], stdout=-1)
    pid = int(gone.stdout)
    dead = _running(lease_seconds=30, worker=f"{socket.gethostname()}:{pid}")
    alive = _running(lease_seconds=30, worker=jobs.worker_name())
    assert jobs.job_release_dead_local() == 1
    assert jobs._claim_next("me:2") == dead.pk
    assert Job.objects.get(pk=alive.pk).worker == jobs.worker_name()


def test_a_cancelled_job_stops_at_its_next_progress_report(db):
    job = Job.objects.create(kind="test.count", args={"a": 1, "b": 1})
    ctx = jobs.JobContext(job)
    ctx.cancelled.set()
    Job.objects.filter(pk=job.pk).update(status=Job.Status.CANCELLED)
    done = jobs.job_run(job.pk, ctx=ctx, claimed=True)
    assert done.status == Job.Status.CANCELLED and done.result is None


def test_a_job_past_its_time_ends_its_attempt_and_waits_for_the_next_claim(db, settings):
    settings.HOTICH_JOB_MAX_ATTEMPTS = 1
    job = _running(lease_seconds=30, worker="me:2")
    ctx = jobs.JobContext(job)
    ctx.cancelled.set()  # what the heartbeat does past HOTICH_JOB_TIMEOUT_MINUTES
    jobs.job_run(job.pk, ctx=ctx, claimed=True)
    assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED
    assert jobs._claim_next("me:3") is None  # at the cap: quarantined
    assert Job.objects.get(pk=job.pk).quarantined


def test_job_progress_is_visible_only_to_the_account_that_started_it(login, users):
    job = jobs.job_enqueue(kind="test.count", args={"a": 2, "b": 2}, user=users["operator"])
    data = login(users["operator"]).get(reverse("core:job_status", args=[job.pk])).json()
    assert data["status"] == "done" and data["percent"] == 100 and data["result"] == {"sum": 4}
    other = login(users["reviewer"]).get(reverse("core:job_status", args=[job.pk]))
    assert other.status_code == 404


def test_a_worker_process_cannot_take_more_memory_than_its_limit(tmp_path):
    """The second line behind the upload checks (HOTICH_WORKER_MEMORY_MB): an allocation past
    the limit fails in the worker, as a MemoryError its job reports."""
    import subprocess
    import sys

    code = (
        "from hotich.core.worker import _memory_limit\n"
        "_memory_limit(768)\n"
        "small = bytearray(100 * 2**20)\n"
        "try:\n"
        "    bytearray(1024 * 2**20)\n"
        "except MemoryError:\n"
        "    print('refused')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "refused"


def test_a_helper_process_ends_when_the_worker_that_started_it_is_killed():
    """The import's helper processes (a reader, a row preparer) watch their parent: a worker
    killed mid-job leaves none of them waiting forever (seen after `kill -9` of a worker)."""
    import os
    import signal
    import subprocess
    import sys
    import time

    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import os, subprocess, sys, time\n"
            "env = dict(os.environ, HOTICH_PARENT_PID=str(os.getpid()))\n"
            "child = subprocess.Popen([sys.executable, '-c', 'from hotich.core.worker import "
            "exit_with_parent; import time; exit_with_parent(); time.sleep(60)'], env=env)\n"
            "print(child.pid, flush=True)\n"
            "time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    child = int(parent.stdout.readline())
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 15
    gone = False
    while time.monotonic() < deadline and not gone:
        try:
            os.kill(child, 0)
            with open(f"/proc/{child}/stat") as stat:
                gone = stat.read().split()[2] == "Z"  # ended, not yet reaped by init
        except (ProcessLookupError, FileNotFoundError):
            gone = True
        time.sleep(0.2)
    if not gone:
        os.kill(child, signal.SIGKILL)
    assert gone
