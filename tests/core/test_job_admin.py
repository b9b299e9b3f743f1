"""Administrators see the stuck, failed and quarantined jobs of their scope and act on them."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from hotich.core.models import AuditEvent, Job
from tests.core.test_jobs import ABANDONED


def _job(tree, **fields):
    return Job.objects.create(kind="test.fail", office_path=tree["phong"].path, **fields)


def test_the_page_lists_the_jobs_that_need_someone_with_their_reason(login, users, tree):
    stuck = _job(
        tree,
        status="running",
        attempts=1,
        worker="h:1",
        lease_until=timezone.now() - dt.timedelta(minutes=5),
    )
    quarantined = _job(tree, status="failed", quarantined=True, message="Đã cách ly: thử 3 lần")
    healthy = _job(tree, status="running", lease_until=timezone.now() + dt.timedelta(minutes=1))
    elsewhere = Job.objects.create(kind="test.fail", status="failed", office_path=tree["so_b"].path)
    page = login(users["unit_admin"]).get(reverse("accounts:job_list"))
    assert page.status_code == 200
    ids = [row["job"].pk for row in page.context["rows"]]
    assert stuck.pk in ids and quarantined.pk in ids
    assert healthy.pk not in ids and elsewhere.pk not in ids
    html = page.content.decode()
    assert "Đã cách ly: thử 3 lần" in html and "Cách ly" in html and "Treo" in html


def test_only_administrators_open_it(login, users):
    for role in ("operator", "reviewer", "lookup", "auditor", "contractor"):
        assert login(users[role]).get(reverse("accounts:job_list")).status_code == 404, role


def test_retry_queues_a_quarantined_job_from_its_first_attempt_and_is_audited(login, users, tree):
    job = _job(tree, status="failed", quarantined=True, attempts=3, message="cách ly")
    client = login(users["unit_admin"])
    response = client.post(reverse("accounts:job_action", args=[job.pk]), {"action": "retry"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.quarantined, job.attempts, job.message) == ("queued", False, 0, "")
    event = AuditEvent.objects.get(action="job.retry")
    assert event.object_id == str(job.pk) and event.before["quarantined"] is True


def test_cancel_of_a_stuck_job_ends_it_and_runs_its_clean_up(login, users, tree):
    ABANDONED.clear()
    job = _job(
        tree,
        status="running",
        attempts=1,
        worker="h:1",
        lease_until=timezone.now() - dt.timedelta(minutes=5),
    )
    client = login(users["province_admin"])
    client.post(reverse("accounts:job_action", args=[job.pk]), {"action": "cancel"})
    job.refresh_from_db()
    assert job.status == "cancelled" and "tinh" in job.message
    assert ABANDONED and ABANDONED[0][0] == job.pk
    assert AuditEvent.objects.filter(action="job.cancel", object_id=str(job.pk)).exists()


def test_a_finished_job_cannot_be_cancelled_nor_a_running_one_retried(login, users, tree):
    done = _job(tree, status="done")
    running = _job(tree, status="running", lease_until=timezone.now() + dt.timedelta(minutes=1))
    client = login(users["unit_admin"])
    client.post(reverse("accounts:job_action", args=[done.pk]), {"action": "cancel"})
    client.post(reverse("accounts:job_action", args=[running.pk]), {"action": "retry"})
    assert Job.objects.get(pk=done.pk).status == "done"
    assert Job.objects.get(pk=running.pk).status == "running"
    assert not AuditEvent.objects.filter(action__startswith="job.").exists()
