from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from hotich.accounts.models import User
from hotich.core.jobs import job_enqueue
from hotich.core.models import Job
from hotich.registers.bulk import COLUMNS
from hotich.registers.forms import BulkImportForm
from hotich.registers.tasks import BULK_IMPORT

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _manager(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_admin or user.is_contractor:
        raise Http404
    return user


@login_required
def register_bulk_import(request: HttpRequest) -> HttpResponse:
    """Upload a list; the check and the import run in the background with a progress bar."""
    user = _manager(request)
    form = BulkImportForm(request.POST or None, request.FILES or None, actor=user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        stored = default_storage.save(f"imports/registers/{upload.name}", upload)
        job = job_enqueue(
            kind=BULK_IMPORT,
            user=user,
            args={
                "file": stored,
                "filename": upload.name,
                "custodian": form.cleaned_data["custodian"].pk,
                "actor": user.pk,
            },
        )
        return redirect("registers:bulk_import_result", job_id=job.pk)
    return render(
        request, "registers/register_bulk_import.html", {"form": form, "columns": COLUMNS}
    )


@login_required
def register_bulk_import_result(request: HttpRequest, job_id: int) -> HttpResponse:
    user = _manager(request)
    job = get_object_or_404(Job, pk=job_id, kind=BULK_IMPORT, created_by=user)
    return render(request, "registers/register_bulk_result.html", {"job": job, "columns": COLUMNS})


@login_required
def register_bulk_template(request: HttpRequest) -> HttpResponse:
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = _("Danh sách sổ")
    sheet.append([str(c.label) for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    example = ["KS", "UBND xã Phước Tỉnh, huyện Long Điền, tỉnh Bà Rịa - Vũng Tàu", "xã"]
    sheet.append([*example, "2010", "", "01", "98", "96", "01", "96", "1", "", ""])
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = 18
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="danh-sach-so.xlsx"'
    return response
