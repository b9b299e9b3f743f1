"""Background jobs of the transfer app: analyse and import an Excel file, build a package."""

from __future__ import annotations

from typing import Any

from hotich.core.jobs import JobContext, job_handler
from hotich.transfer.export import PACKAGE_BUILD, package_build
from hotich.transfer.models import PackageBuild

# ---- the deliverable package ---------------------------------------------------------------


@job_handler(PACKAGE_BUILD)
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


@job_handler("transfer.import_analyse")
def import_analyse_job(ctx: JobContext) -> dict[str, Any]:
    from hotich.transfer.models import ImportBatch
    from hotich.transfer.services import import_analyse, import_result

    batch = ImportBatch.objects.select_related("register__custodian").get(pk=ctx.args["batch"])
    return import_result(import_analyse(batch, ctx))


@job_handler("transfer.import_run")
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
