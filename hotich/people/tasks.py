"""Background job handlers of the people app: a few lines around the services."""

from __future__ import annotations

from typing import Any

from hotich.accounts.models import User
from hotich.core.jobs import JobContext, job_handler
from hotich.people import services


def _progress(ctx: JobContext) -> services.Progress:
    def report(done: int, total: int, note: str) -> None:
        ctx.progress(done, total or None, note)

    return report


@job_handler(services.DUPLICATES_FIND)
def duplicates_find_job(ctx: JobContext) -> dict[str, Any]:
    actor = User.objects.select_related("office").get(pk=ctx.args["user"])
    return services.duplicates_find(actor=actor, progress=_progress(ctx))


@job_handler(services.LINKS_PROPOSE)
def links_propose_job(ctx: JobContext) -> dict[str, Any]:
    actor = User.objects.select_related("office").get(pk=ctx.args["user"])
    return services.person_links_propose(actor=actor, progress=_progress(ctx))
