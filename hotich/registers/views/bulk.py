from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from hotich.accounts.models import User
from hotich.registers.bulk import COLUMNS, BulkFileError, register_rows_read
from hotich.registers.forms import BulkImportForm
from hotich.registers.services import register_bulk_create

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def register_bulk_import(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_admin or user.is_contractor:
        raise Http404
    form = BulkImportForm(request.POST or None, request.FILES or None, actor=user)
    failed = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = register_rows_read(upload, upload.name)
            created, failed = register_bulk_create(
                actor=user, custodian=form.cleaned_data["custodian"], rows=rows
            )
        except BulkFileError as exc:
            form.add_error("file", str(exc))
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            if not failed:
                messages.success(request, _("Đã thêm %(n)s sổ.") % {"n": len(created)})
                return redirect("registers:list")
            form.add_error(
                None,
                _(
                    "Tệp có %(n)s dòng lỗi: chưa thêm sổ nào. Hãy sửa các dòng dưới "
                    "đây rồi tải lên lại."
                )
                % {"n": len(failed)},
            )
    return render(
        request,
        "registers/register_bulk_import.html",
        {"form": form, "failed": failed, "columns": COLUMNS},
    )


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
    sheet.append(
        [
            "KS",
            "UBND xã Phước Tỉnh, huyện Long Điền, tỉnh Bà Rịa - Vũng Tàu",
            "xã",
            "2010",
            "",
            "01",
            "98",
            "96",
            "01",
            "96",
            "1",
            "",
            "",
        ]
    )
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = 18
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="danh-sach-so.xlsx"'
    return response
