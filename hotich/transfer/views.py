"""Pages of the Excel import: upload, analysis with legacy-encoding preview, confirm, progress."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from hotich.accounts.models import User
from hotich.records.queries import record_can_key
from hotich.registers.queries import register_list_for_user
from hotich.transfer import services
from hotich.transfer.models import ImportBatch
from hotich.transfer.services import import_batch_create, import_cancel


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Tệp Excel theo mẫu của Bộ Tư pháp (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    scans = forms.FileField(
        label=gettext_lazy("Tệp nén các bản scan (.zip, không bắt buộc)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".zip"}),
    )


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _batch(request: HttpRequest, import_id: int) -> ImportBatch:
    user = _user(request)
    batch = get_object_or_404(
        ImportBatch.objects.select_related("register__custodian", "created_by", "job"),
        pk=import_id,
        register__in=register_list_for_user(user),
    )
    if not record_can_key(user, batch.register):
        raise PermissionDenied
    return batch


@login_required
def import_start(request: HttpRequest, register_id: int) -> HttpResponse:
    user = _user(request)
    register = get_object_or_404(register_list_for_user(user), pk=register_id)
    if not record_can_key(user, register):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        scans = form.cleaned_data.get("scans")
        try:
            batch = import_batch_create(
                actor=user,
                register=register,
                name=upload.name,
                stream=upload,
                scans=(scans.name, scans) if scans else None,
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return redirect("transfer:import_detail", batch.pk)
    recent = register.imports.select_related("created_by")[:10]
    return render(
        request,
        "transfer/import_start.html",
        {"register": register, "form": form, "recent": recent},
    )


@login_required
def import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    batch = _batch(request, import_id)
    job = batch.job
    percent = round(100 * job.progress / job.total) if job and job.total else 0
    return render(
        request,
        "transfer/import_detail.html",
        {
            "batch": batch,
            "register": batch.register,
            "job": job,
            "percent": percent,
            "running": batch.status in (ImportBatch.Status.ANALYSING, ImportBatch.Status.IMPORTING),
            "modes": ImportBatch.Mode,
        },
    )


@login_required
@require_POST
def import_confirm_view(request: HttpRequest, import_id: int) -> HttpResponse:
    batch = _batch(request, import_id)
    if request.POST.get("action") == "cancel":
        import_cancel(actor=_user(request), batch=batch)
        messages.info(request, _("Đã hủy lần nhập này; không dòng nào được nhập."))
        return redirect("transfer:import_start", batch.register_id)
    legacy = batch.encoding not in ("", "unicode")
    choice = request.POST.get("encoding", "")
    if legacy and choice not in ("convert", "keep"):
        messages.error(request, _("Hãy xem phần chuyển bảng mã và chọn chuyển hay giữ nguyên."))
        return redirect("transfer:import_detail", batch.pk)
    try:
        services.import_confirm(
            actor=_user(request),
            batch=batch,
            mode=request.POST.get("mode", ""),
            keep_encoding=legacy and choice == "keep",
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("transfer:import_detail", batch.pk)


import_confirm = import_confirm_view  # the URL configuration names the view by its page


@login_required
def import_error_file(request: HttpRequest, import_id: int) -> HttpResponse:
    batch = _batch(request, import_id)
    if not batch.error_file:
        raise Http404
    stem = batch.original_name.rsplit(".", 1)[0]
    return FileResponse(
        default_storage.open(batch.error_file, "rb"),
        as_attachment=True,
        filename=f"{stem}.loi.xlsx",
    )
