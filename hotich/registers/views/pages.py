from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hotich.accounts.models import User
from hotich.core.audit import audit_list
from hotich.core.http import add_service_errors, paginate
from hotich.registers.domain import TRANSITIONS, Status
from hotich.registers.forms import (
    AssignForm,
    HandoverForm,
    RegisterFilterForm,
    RegisterForm,
    TransitionForm,
)
from hotich.registers.models import Register
from hotich.registers.queries import (
    register_assignees,
    register_filter,
    register_list_assigned_to,
    register_list_for_user,
    register_progress_for,
)
from hotich.registers.services import (
    register_assign,
    register_create,
    register_handover,
    register_transition,
    register_unassign,
    register_update,
)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _register(request: HttpRequest, register_id: int) -> Register:
    """The register, if the user may see it; 404 otherwise (never 403: no leak of existence)."""
    return get_object_or_404(register_list_for_user(_user(request)), pk=register_id)


def _as_validation(exc: Exception) -> ValidationError:
    return exc if isinstance(exc, ValidationError) else ValidationError(str(exc))


@login_required
def register_my_work(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    assigned = register_list_assigned_to(user)
    mine = list(assigned.order_by("priority", "year_start")[:200])
    tasks: dict[int, list[str]] = {}
    for register in mine:
        tasks[register.pk] = []
    for a in user.assignments.filter(active=True, register__in=mine).values("register_id", "task"):
        tasks[a["register_id"]].append(a["task"])
    progress = register_progress_for(mine)
    context = {"rows": [(register, tasks[register.pk], progress[register.pk]) for register in mine]}
    if user.is_admin:
        scoped = register_list_for_user(user)
        counts = dict(scoped.values_list("status").annotate(n=Count("id")).order_by())
        context["status_counts"] = [(s, label, counts.get(s, 0)) for s, label in Status.choices]
        context["total"] = sum(counts.values())
    return render(request, "registers/register_my_work.html", context)


@login_required
def register_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = RegisterFilterForm(request.GET or None, actor=user)
    qs = register_list_for_user(user)
    if form.is_valid():
        params = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        if "custodian" in params:
            params["custodian"] = params["custodian"].pk
        qs = register_filter(qs, params)
    page, querystring = paginate(request, qs)
    progress = register_progress_for(page)  # the page's rows, kept by Page once read
    for register in page:
        register.progress = progress[register.pk]  # type: ignore[attr-defined]
    return render(
        request,
        "registers/register_list.html",
        {
            "form": form,
            "page_obj": page,
            "querystring_without_page": querystring,
            "can_manage": user.is_admin and not user.is_contractor,
        },
    )


@login_required
def register_create_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not user.is_admin:
        raise Http404
    form = RegisterForm(request.POST or None, actor=user, initial={"custodian": user.office})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        custodian = data.pop("custodian")
        try:
            register = register_create(actor=user, custodian=custodian, data=data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, _as_validation(exc))
        else:
            messages.success(request, _("Đã thêm sổ %(code)s.") % {"code": register.code})
            if "save_add" in request.POST:
                return redirect("registers:create")
            return redirect("registers:detail", register_id=register.pk)
    return render(request, "registers/register_form.html", {"form": form, "register": None})


@login_required
def register_edit(request: HttpRequest, register_id: int) -> HttpResponse:
    user = _user(request)
    register = _register(request, register_id)
    if not user.is_admin or user.is_contractor:
        raise Http404
    form = RegisterForm(
        request.POST or None,
        instance=register,
        actor=user,
        editing=True,
        initial={"version": register.version},
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            register_update(
                actor=user, register=register, data=data, version=form.cleaned_data.get("version")
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, _as_validation(exc))
        else:
            messages.success(request, _("Đã lưu sổ."))
            return redirect("registers:detail", register_id=register.pk)
    return render(request, "registers/register_form.html", {"form": form, "register": register})


@login_required
def register_detail(request: HttpRequest, register_id: int) -> HttpResponse:
    user = _user(request)
    register = _register(request, register_id)
    can_manage = user.is_admin and not user.is_contractor
    context = {
        "register": register,
        "custody": register.custody.select_related("from_office", "to_office", "by"),
        "assignments": register_assignees(register),
        "can_manage": can_manage,
        "next_statuses": [
            (s, Status(s).label) for s in Status.values if s in TRANSITIONS[register.status]
        ],
    }
    if can_manage:
        context["assign_form"] = AssignForm(actor=user)
        context["handover_form"] = HandoverForm()
    if user.office is not None and (user.is_admin or user.role == "auditor"):
        context["history"] = audit_list(
            office_path="/",
            include_below=True,
            object_type="registers.register",
            object_id=str(register.pk),
        ).filter(Q(office_path__startswith=user.office.path))[:50]
    return render(request, "registers/register_detail.html", context)


@login_required
@require_POST
def register_transition_page(request: HttpRequest, register_id: int) -> HttpResponse:
    user = _user(request)
    register = _register(request, register_id)
    form = TransitionForm(request.POST)
    if form.is_valid():
        try:
            register_transition(actor=user, register=register, **form.cleaned_data)
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Đã chuyển trạng thái sổ."))
    return redirect("registers:detail", register_id=register.pk)


@login_required
def register_handover_page(request: HttpRequest, register_id: int) -> HttpResponse:
    user = _user(request)
    register = _register(request, register_id)
    if not user.is_admin or user.is_contractor:
        raise Http404
    form = HandoverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            register_handover(actor=user, register=register, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(form, _as_validation(exc))
        else:
            messages.success(request, _("Đã bàn giao sổ."))
            if register_list_for_user(user).filter(pk=register.pk).exists():
                return redirect("registers:detail", register_id=register.pk)
            return redirect("registers:list")
    return render(request, "registers/register_handover.html", {"form": form, "register": register})


@login_required
@require_POST
def register_assign_page(request: HttpRequest, register_id: int) -> HttpResponse:
    user = _user(request)
    register = _register(request, register_id)
    if not user.is_admin or user.is_contractor:
        raise Http404
    form = AssignForm(request.POST, actor=user)
    if form.is_valid():
        try:
            register_assign(actor=user, register=register, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(_as_validation(exc).messages))
        else:
            messages.success(request, _("Đã phân công."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("registers:detail", register_id=register.pk)


@login_required
@require_POST
def register_unassign_page(
    request: HttpRequest, register_id: int, assignment_id: int
) -> HttpResponse:
    user = _user(request)
    register = _register(request, register_id)
    if not user.is_admin or user.is_contractor:
        raise Http404
    assignment = get_object_or_404(register.assignments, pk=assignment_id, active=True)
    try:
        register_unassign(actor=user, assignment=assignment)
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(request, _("Đã huỷ phân công."))
    return redirect("registers:detail", register_id=register.pk)
