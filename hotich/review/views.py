"""The reviewer's queue and the review screen (the scan beside the record, keyboard-first).

Views parse the request and call `hotich.review.services`; who may review what is
`hotich.review.queries`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hotich.accounts.models import User
from hotich.core.text import id_number
from hotich.keying.fields import field_rows
from hotich.records.models import Record
from hotich.records.schema import RecordType, record_type
from hotich.records.validation import record_validate
from hotich.review import services
from hotich.review.domain import review_allows
from hotich.review.queries import (
    record_list_for_review,
    record_open_comments,
    record_review_history,
    review_comment_list_for_user,
    review_queue,
    review_queue_registers,
    review_refusal,
)
from hotich.scans.queries import record_pages
from hotich.scans.views import pages_json

QUEUE_MAX_ROWS = 200
COMMENT = "comment:"  # form names: "comment:<field key>", "comment:" for the whole record


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _register_filter(request: HttpRequest) -> int | None:
    value = request.GET.get("so") or request.POST.get("so") or ""
    return id_number(value)


def _queue_url(register_id: int | None) -> str:
    url = reverse("review:queue")
    return f"{url}?so={register_id}" if register_id else url


def _record_url(record: Record, register_id: int | None) -> str:
    url = reverse("review:record", args=[record.pk])
    return f"{url}?so={register_id}" if register_id else url


@login_required
def review_queue_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    register_id = _register_filter(request)
    queue = review_queue(user, register_id)
    records = list(queue[:QUEUE_MAX_ROWS])
    return render(
        request,
        "review/record_queue.html",
        {
            "records": records,
            "total": len(records) if len(records) < QUEUE_MAX_ROWS else queue.count(),
            "registers": review_queue_registers(user),
            "register_id": register_id,
        },
    )


def _display(cell: dict[str, Any]) -> str:
    """What a field holds, as a reviewer reads it: a code as its list shows it ("2 — Nữ")."""
    value: str = cell["value"]
    return str(dict(cell["choices"]).get(value, value)) if value else value


def _sections(rtype: RecordType, record: Record, typed: dict[str, str]) -> list[dict[str, Any]]:
    _data, issues = record_validate(rtype, record.register, record.data, record=record)
    sections = field_rows(rtype, record.data, issues)
    by_field: dict[str, list[Any]] = {}
    for comment in record_open_comments(record):
        by_field.setdefault(comment.field, []).append(comment)
    for group in sections:
        for cell in group["cells"]:
            cell["display"] = _display(cell)
            cell["open"] = by_field.get(cell["key"], [])
            cell["typed"] = typed.get(cell["key"], "")
    # The whole record, last: a comment that belongs to no one field.
    sections.append(
        {
            "section": None,
            "cells": [
                {
                    "key": "",
                    "field": {"label": _("Cả trường hợp")},
                    "display": "",
                    "open": by_field.get("", []),
                    "typed": typed.get("", ""),
                    "issues": [],
                    "level": "",
                }
            ],
        }
    )
    return sections


def _history(rtype: RecordType, record: Record) -> list[tuple[Any, list[tuple[Any, Any]]]]:
    """Decisions newest first, each with its comments and the label of the field they are on."""
    whole = _("Cả trường hợp")
    return [
        (
            decision,
            [
                (c, rtype.by_key[c.field].label if c.field in rtype.by_key else c.field or whole)
                for c in decision.comments.all()
            ],
        )
        for decision in list(record_review_history(record))[::-1]
    ]


def _render(
    request: HttpRequest,
    record: Record,
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    register = record.register
    register_id = _register_filter(request)
    rtype = record_type(register.register_type)
    pages = list(record_pages(record).prefetch_related("links__record"))
    refusal = review_refusal(user, record)
    following = review_queue(user, register_id).exclude(pk=record.pk).first()
    context = {
        "record": record,
        "register": register,
        "rtype": rtype,
        "sections": _sections(rtype, record, typed or {}),
        "pages": pages,
        "pages_json": pages_json(pages) if pages else "[]",
        "refusal": refusal,
        "can_verify": refusal is None and review_allows(record.status, Record.Status.VERIFIED),
        "can_return": refusal is None and review_allows(record.status, Record.Status.RETURNED),
        "history": _history(rtype, record),
        "following": following,
        "following_url": _record_url(following, register_id) if following else "",
        "queue_url": _queue_url(register_id),
        "register_id": register_id or "",
    }
    return render(request, "review/record_review.html", context, status=status)


def _typed(request: HttpRequest, rtype: RecordType) -> dict[str, str]:
    keys = ["", *(f.key for f in rtype.keyed_fields)]
    return {key: request.POST.get(COMMENT + key, "") for key in keys}


def _decide(request: HttpRequest, record: Record) -> HttpResponse:
    user = _user(request)
    action = request.POST.get("action")
    typed = _typed(request, record_type(record.register.register_type))
    comments = [(key, text) for key, text in typed.items() if text.strip()]
    version_text = request.POST.get("version", "")
    version = id_number(version_text)
    try:
        if action == "verify":
            if comments:
                raise services.ReviewError(
                    _("Có ý kiến chưa gửi: trả lại trường hợp, hoặc xóa ý kiến rồi xác nhận.")
                )
            services.record_verify(actor=user, record=record, version=version)
            messages.success(request, _("Đã xác nhận %(record)s.") % {"record": record})
        elif action == "return":
            services.record_return(actor=user, record=record, comments=comments, version=version)
            messages.success(
                request,
                _("Đã trả lại %(record)s với %(n)d ý kiến.")
                % {"record": record, "n": len(comments)},
            )
        else:
            raise services.ReviewError(_("Hãy chọn xác nhận hoặc trả lại."))
    except services.ReviewError as exc:
        messages.error(request, str(exc))
        record.refresh_from_db()
        return _render(
            request,
            record,
            typed,
            status=409 if isinstance(exc, services.ReviewStale) else 400,
        )
    register_id = _register_filter(request)
    following = review_queue(user, register_id).first()
    if following is None:
        messages.info(request, _("Không còn trường hợp nào chờ bạn kiểm tra."))
        return redirect(_queue_url(register_id))
    return redirect(_record_url(following, register_id))


@login_required
def record_review(request: HttpRequest, record_id: int) -> HttpResponse:
    record = get_object_or_404(
        record_list_for_review(_user(request)).select_related(
            "register__custodian", "keyed_by", "updated_by"
        ),
        pk=record_id,
    )
    if not record.can_review:  # type: ignore[attr-defined]
        raise PermissionDenied
    if request.method == "POST":
        return _decide(request, record)
    return _render(request, record)


@login_required
@require_POST
def comment_resolve(request: HttpRequest, comment_id: int) -> HttpResponse:
    comment = get_object_or_404(review_comment_list_for_user(_user(request)), pk=comment_id)
    try:
        services.comment_resolve(actor=_user(request), comment=comment)
    except services.ReviewError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Đã đánh dấu ý kiến là đã xử lý."))
    url = _record_url(comment.record, _register_filter(request))
    return redirect(url + "#lich-su")
