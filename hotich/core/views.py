from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _

from hotich.core.models import Job


def job_label(job: Job) -> str:
    if job.status == Job.Status.QUEUED:
        return _("Đang chờ xử lý…")
    if job.status == Job.Status.RUNNING:
        if job.total:
            return _("Đang xử lý %(done)s / %(total)s") % {"done": job.progress, "total": job.total}
        return _("Đang xử lý…")
    if job.status == Job.Status.FAILED:
        return _("Lỗi: %(message)s") % {"message": job.message}
    if job.status == Job.Status.CANCELLED:
        return job.message or _("Đã hủy")
    return job.message or _("Hoàn thành")


@login_required
def job_status(request: HttpRequest, job_id: int) -> JsonResponse:
    # A job is visible to the account that started it only: its arguments may name files
    # and registers of that account's scope.
    job = Job.objects.filter(pk=job_id, created_by_id=request.user.pk).first()
    if job is None:
        raise Http404
    return JsonResponse(
        {
            "id": job.pk,
            "status": job.status,
            "progress": job.progress,
            "total": job.total,
            "percent": job.percent,
            "label": job_label(job),
            "result": job.result if job.status == Job.Status.DONE else None,
        }
    )
