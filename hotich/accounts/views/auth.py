from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hotich.accounts.forms import LoginForm, PasswordChangeForm
from hotich.accounts.services import (
    user_change_password,
    user_sign_in_failed,
    user_signed_in,
    user_signed_out,
)
from hotich.core.http import add_service_errors, client_ip


def login_page(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
        )
        if user is None:
            user_sign_in_failed(
                username=form.cleaned_data["username"],
                ip=client_ip(request),
                user_agent=request.headers.get("User-Agent", ""),
            )
            if getattr(request, "hotich_locked", False):
                form.add_error(
                    None,
                    _(
                        "Tài khoản đã bị khoá do nhập sai mật khẩu nhiều lần. "
                        "Hãy liên hệ quản trị đơn vị để mở khoá."
                    ),
                )
            else:
                form.add_error(None, _("Tên đăng nhập hoặc mật khẩu không đúng."))
        elif not user.office_open():  # type: ignore[attr-defined]
            form.add_error(
                None,
                _("Đơn vị của tài khoản này đã ngừng hoạt động. Hãy liên hệ quản trị cấp trên."),
            )
        elif not user.contract_open():  # type: ignore[attr-defined]
            form.add_error(None, _("Hợp đồng của tài khoản này không còn hiệu lực."))
        else:
            login(request, user)
            user_signed_in(
                user=user,  # type: ignore[arg-type]
                ip=client_ip(request),
                user_agent=request.headers.get("User-Agent", ""),
            )
            if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
                next_url = ""
            return redirect(next_url or "home")
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


@require_POST
def logout_page(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        user_signed_out(
            user=request.user,  # type: ignore[arg-type]
            ip=client_ip(request),
            user_agent=request.headers.get("User-Agent", ""),
        )
    logout(request)
    return redirect("accounts:login")


def password_change(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_change_password(
                user=request.user,  # type: ignore[arg-type]
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Đã đổi mật khẩu."))
            return redirect("home")
    return render(request, "accounts/password_change.html", {"form": form})
