"""Scan pages of a register: upload with progress, coverage, the viewer, splitting and linking.

Every view finds its register, batch or page through the user's register scope and answers 404
outside it; files are streamed through these views only (there is no public URL to a scan).
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hotich.accounts.models import User
from hotich.core.views import job_label
from hotich.records.models import Record
from hotich.registers.queries import register_list_for_user
from hotich.scans.models import PageLink, ScanBatch, ScanFile, ScanPage
from hotich.scans.queries import (
    register_coverage,
    register_pages,
    scan_batch_list_for_user,
    scan_can_review,
    scan_can_upload,
    scan_page_list_for_user,
)
from hotich.scans.services import (
    page_link,
    page_mark,
    page_move,
    page_rescan,
    page_unlink,
    register_split,
    scan_batch_create,
    scan_max_bytes,
)

MAX_FILES_PER_UPLOAD = 500


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _register(request: HttpRequest, register_id: int) -> Any:
    return get_object_or_404(register_list_for_user(_user(request)), pk=register_id)


def _page(request: HttpRequest, page_id: int) -> ScanPage:
    return get_object_or_404(
        scan_page_list_for_user(_user(request)).select_related("register__custodian"),
        pk=page_id,
    )


def pages_json(pages: list[ScanPage]) -> str:
    """The viewer's page list; `<` escaped so the JSON can sit inside a <script> element."""
    data = [
        {
            "id": p.pk,
            "image": reverse("scans:page_image", args=[p.pk]),
            "thumb": reverse("scans:page_thumb", args=[p.pk]),
            "width": p.width,
            "height": p.height,
            "label": _("Trang %(n)s") % {"n": p.sequence},
            "status": p.status,
            "records": [str(link.record) for link in p.links.all()],
        }
        for p in pages
    ]
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


@login_required
def scan_register_page(request: HttpRequest, register_id: int) -> HttpResponse:
    user = _user(request)
    register = _register(request, register_id)
    pages = list(
        register_pages(register).prefetch_related(
            Prefetch("links", queryset=PageLink.objects.select_related("record"))
        )
    )
    batches = register.scan_batches.select_related("job", "created_by").prefetch_related("files")[
        :5
    ]
    records = register.records.prefetch_related("page_links__page").order_by(
        "sequence", "number_sort", "id"
    )[:500]
    return render(
        request,
        "scans/register_scans.html",
        {
            "register": register,
            "pages": pages,
            "pages_json": pages_json(pages),
            "batches": batches,
            "coverage": register_coverage(register),
            "records": records,
            "can_upload": scan_can_upload(user, register),
            "can_review": scan_can_review(user, register),
            "page_statuses": ScanPage.Status.choices,
            "max_files": MAX_FILES_PER_UPLOAD,
            "max_bytes": scan_max_bytes(),
            "max_mb": scan_max_bytes() // 1024**2,
        },
    )


@login_required
@require_POST
def scan_upload(request: HttpRequest, register_id: int) -> HttpResponse:
    user = _user(request)
    register = _register(request, register_id)
    uploads = request.FILES.getlist("files")
    wants_json = "application/json" in request.headers.get("Accept", "")
    if not uploads or len(uploads) > MAX_FILES_PER_UPLOAD:
        message = _("Hãy chọn từ 1 đến %(n)s tệp mỗi lần tải lên.") % {"n": MAX_FILES_PER_UPLOAD}
        if wants_json:
            return JsonResponse({"error": message}, status=400)
        messages.error(request, message)
        return redirect("scans:register", register_id=register.pk)
    try:
        batch = scan_batch_create(
            actor=user, register=register, files=[(f.name, f) for f in uploads]
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    status_url = reverse("scans:batch_status", args=[batch.pk])
    # Files over the size limit were not stored: say so now, by name, not only in the table.
    refused = list(
        batch.files.filter(status=ScanFile.Status.FAILED, step=ScanFile.Step.RECEIVED).values_list(
            "message", flat=True
        )
    )
    if wants_json:
        return JsonResponse({"batch": batch.pk, "status_url": status_url, "refused": refused})
    for message in refused:
        messages.error(request, message)
    accepted = len(uploads) - len(refused)
    if accepted:
        messages.success(request, _("Đã nhận %(n)s tệp; đang xử lý.") % {"n": accepted})
    return redirect("scans:register", register_id=register.pk)


@login_required
@require_GET
def scan_batch_status(request: HttpRequest, batch_id: int) -> JsonResponse:
    batch = get_object_or_404(scan_batch_list_for_user(_user(request)), pk=batch_id)
    files = [
        {
            "name": f.original_name,
            "status": f.status,
            "status_label": f.get_status_display(),
            "step": f.get_step_display(),
            "pages_done": f.pages_done,
            "page_count": f.page_count,
            "message": f.message,
        }
        for f in batch.files.all()
    ]
    job = batch.job
    finished = batch.status != ScanBatch.Status.PROCESSING or all(
        f["status"] not in {ScanFile.Status.QUEUED, ScanFile.Status.PROCESSING} for f in files
    )
    return JsonResponse(
        {
            "files": files,
            "finished": finished,
            "status": batch.status,
            "message": batch.message,
            "percent": job.percent if job else 0,
            "label": job_label(job) if job else "",
        }
    )


def _serve(request: HttpRequest, page_id: int, attr: str, content_type: str) -> FileResponse:
    page = _page(request, page_id)
    name = getattr(page, attr)
    try:
        handle = default_storage.open(name, "rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=content_type)
    # A citizen's scanned record: never kept by the browser or a proxy after the page is
    # left (a shared office computer); every view of it is asked for again.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def scan_page_image(request: HttpRequest, page_id: int) -> FileResponse:
    return _serve(request, page_id, "image", "image/jpeg")


@login_required
@require_GET
def scan_page_thumb(request: HttpRequest, page_id: int) -> FileResponse:
    return _serve(request, page_id, "thumb", "image/jpeg")


@login_required
@require_GET
def scan_page_pdf(request: HttpRequest, page_id: int) -> FileResponse:
    return _serve(request, page_id, "pdf", "application/pdf")


def _record(page: ScanPage, value: str | None) -> Record:
    if not value or not value.isdigit():
        raise ValidationError(_("Chưa chọn trường hợp."))
    record = page.register.records.filter(pk=int(value)).first()
    if record is None:
        raise ValidationError(_("Trường hợp không thuộc sổ này."))
    return record


@login_required
@require_POST
def scan_page_action(request: HttpRequest, page_id: int) -> HttpResponse:
    user = _user(request)
    page = _page(request, page_id)
    action = request.POST.get("action", "")
    try:
        if action == "mark":
            page_mark(
                actor=user,
                page=page,
                status=request.POST.get("status", ""),
                note=request.POST.get("note", ""),
            )
        elif action == "link":
            page_link(actor=user, page=page, record=_record(page, request.POST.get("record")))
        elif action == "unlink":
            page_unlink(actor=user, page=page, record=_record(page, request.POST.get("record")))
        elif action == "move":
            page_move(
                actor=user,
                page=page,
                from_record=_record(page, request.POST.get("from_record")),
                to_record=_record(page, request.POST.get("record")),
            )
        elif action == "rescan" and request.FILES.get("file"):
            upload = request.FILES["file"]
            page_rescan(actor=user, page=page, name=upload.name, stream=upload)
        else:
            raise ValidationError(_("Thao tác không hợp lệ."))
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã cập nhật trang %(n)s.") % {"n": page.sequence})
    return redirect(f"{reverse('scans:register', args=[page.register_id])}#trang-{page.pk}")


@login_required
@require_POST
def scan_split(request: HttpRequest, register_id: int) -> HttpResponse:
    user = _user(request)
    register = _register(request, register_id)
    mode = request.POST.get("mode", "")
    try:
        if mode in {"1", "2"}:
            records = register_split(actor=user, register=register, cases_per_page=int(mode))
        else:
            starts = [int(v) for v in request.POST.getlist("starts") if v.isdigit()]
            records = register_split(actor=user, register=register, starts=starts)
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã tạo %(n)s trường hợp từ các trang.") % {"n": len(records)})
    return redirect("scans:register", register_id=register.pk)
