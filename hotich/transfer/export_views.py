"""Pages of the deliverable package: the register's builds, starting a build, the two files.

A register, and so its builds, is found through the user's register scope (404 outside it). The
page is for everyone who sees the register; building and downloading, which hand out the whole
register's personal data, are for its administrators (`transfer_can_export`, 403 otherwise).
Files are streamed through `package_download` only: there is no public URL to a package.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hotich.accounts.models import User
from hotich.core.models import Job
from hotich.registers.models import Register
from hotich.registers.queries import register_list_for_user
from hotich.transfer.export import (
    DOWNLOADABLE,
    package_changes_since,
    package_open,
    package_out_of_date,
    package_problems,
    package_start,
)
from hotich.transfer.models import PackageBuild
from hotich.transfer.queries import package_list_for_user, register_packages, transfer_can_export

#: problems shown per build (and for the current state); the count says how many there are.
PROBLEMS_SHOWN = 50
#: A blocked package keeps its files for the office to look at, under names that cannot be
#: mistaken for a deliverable.
BLOCKED_PREFIX = "CHUA-DAT_"
#: A package built before the register's data last changed, likewise.
OUT_OF_DATE_PREFIX = "LOI-THOI_"
_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _register(request: HttpRequest, register_id: int) -> Register:
    return get_object_or_404(register_list_for_user(_user(request)), pk=register_id)


@login_required
@require_GET
def package_list(request: HttpRequest, register_id: int) -> HttpResponse:
    user = _user(request)
    register = _register(request, register_id)
    builds = list(register_packages(register)[:30])
    for b in builds:
        b.changes = package_changes_since(b, register) if b.status in DOWNLOADABLE else []  # type: ignore[attr-defined]
        # Against the Ministry's "about 100 kB per A4 page".
        b.kb_per_page = round(b.zip_size / 1024 / b.pages) if b.pages else 0  # type: ignore[attr-defined]
    running = next(
        (
            b
            for b in builds
            if b.status == PackageBuild.Status.BUILDING
            and b.job is not None
            and b.job.status in (Job.Status.QUEUED, Job.Status.RUNNING)
        ),
        None,
    )
    can_export = transfer_can_export(user, register)
    problems = package_problems(register) if can_export and running is None else []
    return render(
        request,
        "transfer/package_list.html",
        {
            "register": register,
            "builds": builds,
            "running": running,
            # The job status endpoint answers only to whoever started the job.
            "poll": running is not None
            and running.job is not None
            and running.job.created_by_id == user.pk,
            "can_export": can_export,
            "problems": problems[:PROBLEMS_SHOWN],
            "problem_count": len(problems),
            "problems_shown": PROBLEMS_SHOWN,
            "downloadable": DOWNLOADABLE,
        },
    )


@login_required
@require_POST
def package_create(request: HttpRequest, register_id: int) -> HttpResponse:
    register = _register(request, register_id)
    try:
        package_start(actor=_user(request), register=register)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đang tạo gói bàn giao; trang sẽ cập nhật khi xong."))
    return redirect("transfer:package_list", register_id=register.pk)


@login_required
@require_GET
def package_download(request: HttpRequest, package_id: int, kind: str) -> FileResponse:
    user = _user(request)
    build = get_object_or_404(
        package_list_for_user(user).select_related("register"),
        pk=package_id,
        status__in=DOWNLOADABLE,
    )
    if kind not in _TYPES:
        raise Http404
    try:
        handle, name = package_open(actor=user, build=build, kind=kind)
    except (ValidationError, OSError) as exc:
        raise Http404 from exc
    if build.status == PackageBuild.Status.BLOCKED:
        name = BLOCKED_PREFIX + name
    elif package_out_of_date(build, build.register):
        name = OUT_OF_DATE_PREFIX + name
    return FileResponse(handle, as_attachment=True, filename=name, content_type=_TYPES[kind])
