"""Server time of every response, in a `Server-Timing: app;dur=<ms>` header.

`ServerTimingMiddleware` is the first entry of `MIDDLEWARE`, so the figure covers everything
Django does for a request: the other middleware (session, authentication, messages), the view,
its database queries and template rendering, up to the moment the response object leaves
Django. It does not include the time the request waited in the web server's queue for a free
thread, nor sending the body (streamed file downloads are sent after the figure is taken).

Browsers show the header in their developer tools (Network → Timing), and `python -m bench
record_save` reads it to tell server time from queueing and network time. It reveals only how
long a request took, which the client can measure anyway.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

HEADER = "Server-Timing"


class ServerTimingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        metric = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        existing = response.headers.get(HEADER)
        response.headers[HEADER] = f"{existing}, {metric}" if existing else metric
        return response
