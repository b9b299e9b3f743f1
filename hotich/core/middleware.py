"""Language: Vietnamese unless the user chose English with the switch.

Django's LocaleMiddleware would follow the browser's Accept-Language, so an office computer
with an English Windows would show English to a Vietnamese civil servant. Here only the explicit
choice (the language cookie set by the VI/EN switch) counts.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext

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
    - A lost database connection, wherever in the request it shows (a view, a middleware
      reading the account, the session saved on the way out): a page read (GET/HEAD) is run
      once more, from the first middleware on, on a new connection; otherwise 503 with
      Retry-After, saying nothing was saved and to try again. It sits before the session and
      account middlewares so that it sees their failures too.
    - A refusal by a service that the view did not handle itself (`UserFacingError`, such as a
      write to an accepted register): 409 with the service's sentence, as a page or, for the
      JSON endpoints of the keying screen and the grid, as `{"error": ...}`.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self._watched(request)
        if response.status_code < 400 or not _database_lost(request):
            return response
        _connections_reset()
        if _disk_full(request):  # the database could not write (the session, on the way out)
            log.error(
                "disk full on %s %s", request.method, request.path, exc_info=_db_error(request)
            )
            return _disk_page(request)
        if request.method in ("GET", "HEAD"):
            request._db_fault = False  # type: ignore[attr-defined]
            response = self._watched(request)
            if response.status_code < 400 or not _database_lost(request):
                return response
            _connections_reset()
        return _database_page(request)

    def _watched(self, request: HttpRequest) -> HttpResponse:
        """The request, with every query that meets a lost connection noted on it: the session
        middleware turns its own such failure into a 400 and may reconnect for that page."""
        from django import db

        def watch(execute: Callable[..., Any], *args: Any) -> Any:
            try:
                return execute(*args)
            except (db.OperationalError, db.InterfaceError) as exc:
                request._db_fault = True  # type: ignore[attr-defined]
                request._db_error = exc  # type: ignore[attr-defined]
                raise

        with contextlib.ExitStack() as stack:
            for conn in db.connections.all():
                stack.enter_context(conn.execute_wrapper(watch))
            return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django import db
        from django.shortcuts import render

        from hotich.core.errors import UserFacingError
        from hotich.core.storage import is_disk_full

        if is_disk_full(exception):
            log.error("disk full on %s %s", request.method, request.path, exc_info=exception)
            return _disk_page(request)
        if isinstance(exception, db.OperationalError | db.InterfaceError):
            log.warning(
                "database unavailable on %s %s: %s", request.method, request.path, exception
            )
            request._db_fault = True  # type: ignore[attr-defined]
            return _database_page(request)  # __call__ tries a page read again
        if isinstance(exception, UserFacingError):
            message = str(exception)
            if _wants_json(request):
                from django.http import JsonResponse

                return JsonResponse({"error": message}, status=409)
            return render(
                request, "core/fault.html", {"fault": "refused", "message": message}, status=409
            )
        return None


def _caused_by_lost_database(error: BaseException) -> BaseException | None:
    from django import db

    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, db.OperationalError | db.InterfaceError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, with one difference: a session that could not be saved because the database
    connection was lost (Django answers "the session was deleted", 400) marks the request, so
    that `FaultMiddleware` runs a page read again or says the database is away."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        try:
            return super().process_response(request, response)
        except Exception as exc:
            lost = _caused_by_lost_database(exc)
            if lost is not None:
                request._db_fault = True  # type: ignore[attr-defined]
                request._db_error = lost  # type: ignore[attr-defined]
            raise


def _note_database_error(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """Any error page Django makes of a lost connection marks its request, wherever it was
    raised (opening the connection, a middleware, a query outside the watched ones)."""
    import sys

    from django import db
    from django.db.transaction import TransactionManagementError

    error = sys.exc_info()[1]
    if request is None or error is None:
        return
    lost = isinstance(error, db.OperationalError | db.InterfaceError) or (
        # What follows a connection lost inside a transaction ("you can't execute queries
        # until the end of the 'atomic' block"), when a connection is indeed gone.
        isinstance(error, db.DatabaseError | TransactionManagementError)
        and any(
            c.connection is None or not c.is_usable()
            for c in db.connections.all(initialized_only=True)
            if c.errors_occurred
        )
    )
    if lost:
        request._db_fault = True  # type: ignore[attr-defined]
        request._db_error = error  # type: ignore[attr-defined]


def _connect_signals() -> None:
    from django.core.signals import got_request_exception

    got_request_exception.connect(_note_database_error, dispatch_uid="hotich-database-error")


_connect_signals()


def _database_lost(request: HttpRequest) -> bool:
    """Did this request meet a lost database connection? A view's error says so itself; one in
    a middleware leaves its mark on the connection (`errors_occurred`, checked with a query)."""
    from django import db

    if getattr(request, "_db_fault", False):
        return True
    for conn in db.connections.all(initialized_only=True):
        if conn.errors_occurred and (conn.connection is None or not conn.is_usable()):
            log.warning("database connection lost on %s %s", request.method, request.path)
            return True
    return False


def _connections_reset() -> None:
    from django import db

    for conn in db.connections.all(initialized_only=True):
        if conn.connection is None or conn.errors_occurred:
            conn.close()


def _wants_json(request: HttpRequest) -> bool:
    """The keying screen's, the grid's and the upload's calls read JSON, not a page."""
    return "application/json" in request.headers.get("Accept", "") or (
        request.content_type == "application/json"
    )


def _db_error(request: HttpRequest) -> BaseException | None:
    return getattr(request, "_db_error", None)


def _disk_full(request: HttpRequest) -> bool:
    from hotich.core.storage import is_disk_full

    error = _db_error(request)
    return error is not None and is_disk_full(error)


def _disk_page(request: HttpRequest) -> HttpResponse:
    """The page for a full disk, naming the uploaded files not saved; without the menu's
    context, as the database may be what could not write."""
    from django.http import JsonResponse
    from django.template.loader import render_to_string

    from hotich.core.storage import DiskFull

    files = _uploaded_names(request)
    if _wants_json(request):
        message = " ".join(str(DiskFull(name)) for name in files) or str(DiskFull())
        return JsonResponse({"error": message}, status=507)
    html = render_to_string(
        "core/fault.html", {"fault": "disk", "files": files, "request": request}
    )
    return HttpResponse(html, status=507)


def _database_page(request: HttpRequest) -> HttpResponse:
    """The page for a lost database, rendered without the menu's context (it reads the
    account, from the database that is gone)."""
    from django.template.loader import render_to_string

    if _wants_json(request):
        from django.http import JsonResponse

        response: HttpResponse = JsonResponse(
            {
                "error": gettext(
                    "Tạm thời mất kết nối cơ sở dữ liệu: thao tác vừa rồi chưa được lưu. Hãy "
                    "thử lại sau ít giây."
                )
            },
            status=503,
        )
        response["Retry-After"] = "10"
        return response
    html = render_to_string("core/fault.html", {"fault": "database", "request": request})
    response = HttpResponse(html, status=503)
    response["Retry-After"] = "10"
    return response


def _uploaded_names(request: HttpRequest) -> list[str]:
    try:
        return [str(f.name) for files in request.FILES.lists() for f in files[1]]
    except Exception:  # the upload itself is what failed to be read
        return []
