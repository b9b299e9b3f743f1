"""Background jobs of the transfer app: analyse and import an Excel file, build a package."""

from __future__ import annotations

import contextlib
from typing import Any

from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from hotich.core.jobs import JobContext, job_handler
from hotich.core.models import Job
from hotich.transfer.export import PACKAGE_BUILD, package_build
from hotich.transfer.models import ImportBatch, PackageBuild


def _reason(job: Job) -> str:
    return (job.message or _("Tác vụ nền đã dừng trước khi xong."))[:500]


def package_build_abandon(job: Job) -> None:
    """A build whose job ended without finishing (crashed for good, cancelled) is failed with
    the reason, and any file it had stored is removed. Safe to run again."""
    build = PackageBuild.objects.filter(
        pk=job.args.get("build"), status=PackageBuild.Status.BUILDING
    ).first()
    if build is None:
        return
    folder = f"packages/{build.register_id}/{build.pk}"
    with contextlib.suppress(OSError, NotImplementedError):
        for name in default_storage.listdir(folder)[1]:
            default_storage.delete(f"{folder}/{name}")
    PackageBuild.objects.filter(pk=build.pk, status=PackageBuild.Status.BUILDING).update(
        status=PackageBuild.Status.FAILED,
        problems=[{"kind": "error", "message": _reason(job)}],
    )


def import_abandon(job: Job) -> None:
    """An import whose job ended without finishing is failed with the reason, never left
    "analysing" or "importing" (the import itself is one transaction: nothing half-written)."""
    ImportBatch.objects.filter(
        pk=job.args.get("batch"),
        status__in=[ImportBatch.Status.ANALYSING, ImportBatch.Status.IMPORTING],
    ).update(status=ImportBatch.Status.FAILED, message=_reason(job), finished_at=timezone.now())


# ---- the deliverable package ---------------------------------------------------------------


@job_handler(PACKAGE_BUILD, on_abandon=package_build_abandon)
def package_build_job(ctx: JobContext) -> dict[str, Any]:
    """Build the package `package_start` recorded; its row holds the outcome and problems."""
    build = PackageBuild.objects.select_related("register__custodian", "built_by__office").get(
        pk=ctx.args["build"]
    )
    build = package_build(
        actor=build.built_by,
        register=build.register,
        build=build,
        progress=ctx.progress,
    )
    return {"build": build.pk, "status": build.status, "problems": len(build.problems)}


# ---- the Excel import ------------------------------------------------------------------------


@job_handler("transfer.import_analyse", on_abandon=import_abandon)
def import_analyse_job(ctx: JobContext) -> dict[str, Any]:
    from hotich.transfer.models import ImportBatch
    from hotich.transfer.services import import_analyse, import_result

    batch = ImportBatch.objects.select_related("register__custodian").get(pk=ctx.args["batch"])
    return import_result(import_analyse(batch, ctx))


@job_handler("transfer.import_run", on_abandon=import_abandon)
def import_run_job(ctx: JobContext) -> dict[str, Any]:
    from hotich.transfer.models import ImportBatch
    from hotich.transfer.services import import_result, import_run

    batch = ImportBatch.objects.select_related("register__custodian", "confirmed_by").get(
        pk=ctx.args["batch"]
    )
    try:
        return import_result(import_run(batch, ctx))
    except Exception as exc:
        message = getattr(exc, "messages", None)
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.FAILED,
            message=(" ".join(message) if message else str(exc))[:500],
        )
        raise
