"""Keeps a signed-in account inside what its state allows.

An account that must change its password can only reach the password page; a contractor
account whose contract period is closed is signed out.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

ALWAYS_ALLOWED = ("/static/", "/i18n/")


class AccountStateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not request.path.startswith(ALWAYS_ALLOWED):
            if not user.contract_open():  # type: ignore[union-attr]
                logout(request)
                messages.error(request, _("Hợp đồng của tài khoản này không còn hiệu lực."))
                return redirect("accounts:login")
            allowed = {reverse("accounts:password_change"), reverse("accounts:logout")}
            if user.must_change_password and request.path not in allowed:  # type: ignore[union-attr]
                return redirect("accounts:password_change")
        return self.get_response(request)
