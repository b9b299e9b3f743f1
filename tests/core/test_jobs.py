import threading

import pytest
from django.urls import reverse

from hotich.core import jobs
from hotich.core.models import Job


@jobs.job_handler("test.count")
def _count(ctx):
    for i in range(1, 4):
        ctx.progress(i, 3)
    return {"sum": ctx.args["a"] + ctx.args["b"]}


@jobs.job_handler("test.fail")
def _fail(ctx):
    raise ValueError("Tệp hỏng ở dòng 7")


def test_an_immediate_job_runs_and_keeps_its_result_and_progress(users):
    job = jobs.job_enqueue(kind="test.count", args={"a": 2, "b": 3}, user=users["operator"])
    assert job.status == Job.Status.DONE
    assert job.result == {"sum": 5}
    assert (job.progress, job.total, job.percent) == (3, 3, 100)


def test_a_failing_job_is_marked_failed_with_its_message(users):
    job = jobs.job_enqueue(kind="test.fail", args={}, user=users["operator"])
    assert job.status == Job.Status.FAILED
    assert job.message == "Tệp hỏng ở dòng 7"


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


def test_interrupted_jobs_go_back_to_the_queue(db):
    job = Job.objects.create(kind="test.count", args={"a": 1, "b": 1}, status=Job.Status.RUNNING)
    assert jobs.job_requeue_interrupted() == 1
    assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED


def test_job_progress_is_visible_only_to_the_account_that_started_it(login, users):
    job = jobs.job_enqueue(kind="test.count", args={"a": 2, "b": 2}, user=users["operator"])
    data = login(users["operator"]).get(reverse("core:job_status", args=[job.pk])).json()
    assert data["status"] == "done" and data["percent"] == 100 and data["result"] == {"sum": 4}
    other = login(users["reviewer"]).get(reverse("core:job_status", args=[job.pk]))
    assert other.status_code == 404
