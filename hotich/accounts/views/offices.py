from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from hotich.accounts.forms import OfficeForm
from hotich.accounts.queries import (
    office_editable_for_user,
    office_list_for_user,
)
from hotich.accounts.services import office_create, office_update
from hotich.core.http import add_service_errors


def _require_admin(request: HttpRequest) -> None:
    if not request.user.is_admin:  # type: ignore[union-attr]
        raise Http404


@login_required
def office_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    offices = office_list_for_user(request.user).annotate(  # type: ignore[arg-type]
        user_count=Count("users", distinct=True), register_count=Count("registers", distinct=True)
    )
    return render(request, "accounts/office_list.html", {"offices": offices})


@login_required
def office_create_page(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = OfficeForm(request.POST or None, actor=request.user)  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        try:
            office = office_create(actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(
                form, exc if isinstance(exc, ValidationError) else ValidationError(str(exc))
            )
        else:
            messages.success(request, _("Đã tạo đơn vị “%(n)s”.") % {"n": office.name})
            return redirect("accounts:office_list")
    return render(request, "accounts/office_form.html", {"form": form, "office": None})


@login_required
def office_edit(request: HttpRequest, office_id: int) -> HttpResponse:
    _require_admin(request)
    office = get_object_or_404(office_editable_for_user(request.user), pk=office_id)  # type: ignore[arg-type]
    initial = {"name": office.name, "unit": office.unit, "is_active": office.is_active}
    form = OfficeForm(request.POST or None, initial=initial, actor=request.user, editing=True)  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        try:
            office_update(actor=request.user, office=office, **form.cleaned_data)  # type: ignore[arg-type]
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(
                form, exc if isinstance(exc, ValidationError) else ValidationError(str(exc))
            )
        else:
            messages.success(request, _("Đã lưu đơn vị."))
            return redirect("accounts:office_list")
    return render(request, "accounts/office_form.html", {"form": form, "office": office})
