"""Language: Vietnamese unless the user chose English with the switch.

Django's LocaleMiddleware would follow the browser's Accept-Language, so an office computer
with an English Windows would show English to a Vietnamese civil servant. Here only the explicit
choice (the language cookie set by the VI/EN switch) counts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

log = logging.getLogger(__name__)


class LanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.languages else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class FaultMiddleware:
    """Faults of the machine end in a page that says what happened, never a bare 500.

    - A full disk (files or database): 507 "ổ đĩa đầy", naming the uploaded files not saved.
    - A lost database connection: a page read (GET/HEAD) is tried once more on a new connection;
      otherwise 503 with Retry-After, saying nothing was saved and to try again.
    - A refusal by a service that the view did not handle itself (`UserFacingError`, such as a
      write to an accepted register): 409 with the service's sentence, as a page or, for the
      JSON endpoints of the keying screen and the grid, as `{"error": ...}`.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django import db
        from django.shortcuts import render
        from django.urls import resolve

        from hotich.core.errors import UserFacingError
        from hotich.core.storage import is_disk_full

        if is_disk_full(exception):
            log.error("disk full on %s %s", request.method, request.path, exc_info=exception)
            return render(
                request,
                "core/fault.html",
                {"fault": "disk", "files": _uploaded_names(request)},
                status=507,
            )
        if isinstance(exception, db.OperationalError | db.InterfaceError):
            log.warning(
                "database unavailable on %s %s: %s", request.method, request.path, exception
            )
            for conn in db.connections.all():
                conn.close_if_unusable_or_obsolete()
                if conn.connection is not None and not conn.is_usable():
                    conn.close()
            if request.method in ("GET", "HEAD") and not getattr(request, "_db_retried", False):
                request._db_retried = True  # type: ignore[attr-defined]
                try:
                    db.close_old_connections()
                    match = resolve(request.path_info)
                    return match.func(request, *match.args, **match.kwargs)
                except (db.OperationalError, db.InterfaceError):
                    pass
            response = render(request, "core/fault.html", {"fault": "database"}, status=503)
            response["Retry-After"] = "10"
            return response
        if isinstance(exception, UserFacingError):
            message = str(exception)
            wants_json = "application/json" in request.headers.get("Accept", "") or (
                request.content_type == "application/json"
            )
            if wants_json:
                from django.http import JsonResponse

                return JsonResponse({"error": message}, status=409)
            return render(
                request, "core/fault.html", {"fault": "refused", "message": message}, status=409
            )
        return None


def _uploaded_names(request: HttpRequest) -> list[str]:
    try:
        return [str(f.name) for files in request.FILES.lists() for f in files[1]]
    except Exception:  # the upload itself is what failed to be read
        return []
