"""A transfer job that never finishes (its worker killed three times, or cancelled) leaves its
batch or build failed with the reason, never "analysing" or "building" forever, and no file of
a half-built package behind."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from hotich.core import jobs
from hotich.core.models import Job
from hotich.transfer.models import ImportBatch, PackageBuild


def _crashed_three_times(kind: str, args: dict) -> Job:
    """A job whose third attempt's worker died: its lease ran out."""
    return Job.objects.create(
        kind=kind,
        args=args,
        status=Job.Status.RUNNING,
        worker="gone:1",
        attempts=3,
        lease_until=timezone.now() - dt.timedelta(seconds=1),
    )


def test_an_analysis_that_crashed_three_times_fails_its_batch_with_the_reason(register, users):
    batch = ImportBatch.objects.create(
        register=register,
        original_name="KS.2010.01.xlsx",
        blob="imports/x.xlsx",
        sha256="0" * 64,
        created_by=users["operator"],
    )
    assert batch.status == ImportBatch.Status.ANALYSING
    job = _crashed_three_times("transfer.import_analyse", {"batch": batch.pk})
    assert jobs._claim_next("me:2") is None
    assert Job.objects.get(pk=job.pk).quarantined
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED and batch.finished_at
    assert "cách ly" in batch.message.lower()


def test_a_build_whose_job_was_cancelled_fails_and_its_stored_files_are_removed(register, users):
    build = PackageBuild.objects.create(register=register, built_by=users["unit_admin"])
    written = default_storage.save(
        f"packages/{register.pk}/{build.pk}/KS.2010.01.xlsx", ContentFile(b"half")
    )
    job = Job.objects.create(kind="transfer.package_build", args={"build": build.pk})
    jobs.job_cancel(actor=users["unit_admin"], job=job)
    build.refresh_from_db()
    assert build.status == PackageBuild.Status.FAILED and build.problems
    assert not default_storage.exists(written)
