"""The Server-Timing header: Django's own time for every response."""

from __future__ import annotations

import re

from django.http import HttpResponse
from django.test import RequestFactory

from hotich.core.timing import ServerTimingMiddleware


def test_every_response_says_how_long_django_took(client, db):
    response = client.get("/dang-nhap/")
    assert re.fullmatch(r"app;dur=\d+\.\d", response["Server-Timing"])


def test_a_metric_already_set_by_the_view_is_kept():
    def view(request):
        response = HttpResponse()
        response["Server-Timing"] = "db;dur=3"
        return response

    response = ServerTimingMiddleware(view)(RequestFactory().get("/"))
    assert re.fullmatch(r"db;dur=3, app;dur=\d+\.\d", response["Server-Timing"])
