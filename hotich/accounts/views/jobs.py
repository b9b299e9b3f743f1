"""Background jobs of the administrator's scope: stuck, failed and quarantined ones to act on."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from hotich.accounts.queries import job_list_for_user
from hotich.core.http import paginate
from hotich.core.jobs import job_cancel, job_is_stuck, job_retry
from hotich.core.models import Job

KIND_LABELS = {
    "scans.process_batch": gettext_lazy("Xử lý tệp scan"),
    "registers.bulk_import": gettext_lazy("Nhập danh sách sổ"),
    "transfer.import_analyse": gettext_lazy("Phân tích tệp Excel"),
    "transfer.import_run": gettext_lazy("Nhập dữ liệu từ Excel"),
    "transfer.package_build": gettext_lazy("Lập gói dữ liệu bàn giao"),
    "people.links_propose": gettext_lazy("Đề xuất liên kết người"),
    "people.duplicates_find": gettext_lazy("Tìm bản trùng"),
}
FILTERS = {
    "problems": gettext_lazy("Cần xử lý (treo, lỗi, cách ly)"),
    "active": gettext_lazy("Đang chờ hoặc đang chạy"),
    "all": gettext_lazy("Tất cả"),
}


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _rows(jobs: list[Job]) -> list[dict]:
    rows = []
    for job in jobs:
        stuck = job_is_stuck(job)
        if job.quarantined:
            state = _("Cách ly")
        elif stuck:
            state = _("Treo (tiến trình nền không còn chạy)")
        else:
            state = job.get_status_display()
        rows.append(
            {
                "job": job,
                "kind": KIND_LABELS.get(job.kind, job.kind),
                "state": state,
                "problem": stuck or job.status in (Job.Status.FAILED, Job.Status.CANCELLED),
                "can_retry": job.status in (Job.Status.FAILED, Job.Status.CANCELLED),
                "can_cancel": job.status in (Job.Status.QUEUED, Job.Status.RUNNING),
            }
        )
    return rows


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    if not request.user.is_admin or request.user.is_contractor:  # type: ignore[union-attr]
        raise Http404
    shown = request.GET.get("loc", "problems")
    if shown not in FILTERS:
        shown = "problems"
    qs = job_list_for_user(request.user)  # type: ignore[arg-type]
    if shown == "problems":
        qs = qs.filter(
            status__in=[Job.Status.FAILED, Job.Status.CANCELLED, Job.Status.RUNNING]
        ).exclude(status=Job.Status.RUNNING, lease_until__gte=timezone.now())
    elif shown == "active":
        qs = qs.filter(status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
    page, querystring = paginate(request, qs.order_by("-created_at", "-pk"), per_page=50)
    return render(
        request,
        "accounts/job_list.html",
        {
            "page_obj": page,
            "rows": _rows(list(page)),
            "querystring_without_page": querystring,
            "filters": FILTERS,
            "shown": shown,
        },
    )


@login_required
@require_POST
def job_action(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(job_list_for_user(request.user), pk=job_id)  # type: ignore[arg-type]
    action = request.POST.get("action")
    try:
        if action == "retry":
            job_retry(actor=request.user, job=job, ip=_client_ip(request))
            messages.success(request, _("Đã xếp tác vụ #%(id)s chạy lại.") % {"id": job.pk})
        elif action == "cancel":
            job_cancel(actor=request.user, job=job, ip=_client_ip(request))
            messages.success(request, _("Đã hủy tác vụ #%(id)s.") % {"id": job.pk})
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(request.POST.get("next") or "accounts:job_list")
