from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hotich.accounts.forms import UserForm
from hotich.accounts.models import Role, User
from hotich.accounts.queries import user_list_for_user
from hotich.accounts.services import (
    user_create,
    user_reset_password,
    user_set_active,
    user_unlock,
    user_update,
)
from hotich.core.http import add_service_errors, paginate


def _admin(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_admin:
        raise Http404
    return user


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    actor = _admin(request)
    qs = user_list_for_user(actor).order_by("office__path", "username")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    if request.GET.get("role"):
        qs = qs.filter(role=request.GET["role"])
    if request.GET.get("state") == "locked":
        qs = qs.filter(locked_at__isnull=False)
    elif request.GET.get("state") == "inactive":
        qs = qs.filter(is_active=False)
    page, querystring = paginate(request, qs)
    return render(
        request,
        "accounts/user_list.html",
        {
            "page_obj": page,
            "querystring_without_page": querystring,
            "roles": Role.choices,
            "q": q,
        },
    )


@login_required
def user_create_page(request: HttpRequest) -> HttpResponse:
    actor = _admin(request)
    form = UserForm(request.POST or None, actor=actor, initial={"office": actor.office})
    if request.method == "POST" and form.is_valid():
        try:
            user, password = user_create(actor=actor, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(
                form, exc if isinstance(exc, ValidationError) else ValidationError(str(exc))
            )
        else:
            return render(
                request,
                "accounts/user_password.html",
                {"account": user, "password": password, "created": True},
            )
    return render(request, "accounts/user_form.html", {"form": form, "account": None})


@login_required
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    actor = _admin(request)
    account = get_object_or_404(user_list_for_user(actor), pk=user_id)
    initial = {
        f: getattr(account, f)
        for f in [
            "username",
            "full_name",
            "office",
            "role",
            "email",
            "phone",
            "contract_start",
            "contract_end",
        ]
    }
    form = UserForm(request.POST or None, initial=initial, actor=actor, editing=True)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "username"}
        try:
            user_update(actor=actor, user=account, **data)
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(
                form, exc if isinstance(exc, ValidationError) else ValidationError(str(exc))
            )
        else:
            messages.success(request, _("Đã lưu tài khoản."))
            return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "account": account})


@login_required
@require_POST
def user_action(request: HttpRequest, user_id: int) -> HttpResponse:
    actor = _admin(request)
    account = get_object_or_404(user_list_for_user(actor), pk=user_id)
    action = request.POST.get("action")
    try:
        if action == "reset":
            password = user_reset_password(actor=actor, user=account)
            return render(
                request,
                "accounts/user_password.html",
                {"account": account, "password": password, "created": False},
            )
        if action == "unlock":
            user_unlock(actor=actor, user=account)
            messages.success(request, _("Đã mở khoá tài khoản %(u)s.") % {"u": account.username})
        elif action in {"deactivate", "activate"}:
            user_set_active(actor=actor, user=account, active=action == "activate")
            messages.success(
                request, _("Đã cập nhật trạng thái tài khoản %(u)s.") % {"u": account.username}
            )
        else:
            raise Http404
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect("accounts:user_edit", user_id=account.pk)
