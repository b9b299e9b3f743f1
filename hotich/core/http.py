"""Small helpers the views of every app share."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.forms import Form
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")


def paginate(request: HttpRequest, qs: Any, per_page: int = 50) -> tuple[Page, str]:
    """The requested page and the query string without `page`, for the pager links."""
    page = Paginator(qs, per_page).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page, params.urlencode()


def add_service_errors(form: Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: per field where it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
