"""The arbitration queue and screen: the scan beside each differing field with both copies'
values; take A, take B or type the right value, by keyboard.

Views parse the request and call `hotich.review.arbitration`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from hotich.accounts.models import User
from hotich.core.text import id_number
from hotich.keying.models import Comparison
from hotich.keying.services import ArbitrationError
from hotich.records.schema import record_type
from hotich.review.arbitration import arbitration_queue, arbitration_refusal, record_arbitrate
from hotich.review.queries import record_list_for_review
from hotich.scans.queries import record_pages
from hotich.scans.views import pages_json

QUEUE_MAX_ROWS = 200


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _register_filter(request: HttpRequest) -> int | None:
    value = request.GET.get("so") or request.POST.get("so") or ""
    return id_number(value)


def _queue_url(register_id: int | None) -> str:
    url = reverse("review:arbitration_queue")
    return f"{url}?so={register_id}" if register_id else url


@login_required
def arbitration_queue_page(request: HttpRequest) -> HttpResponse:
    register_id = _register_filter(request)
    queue = arbitration_queue(_user(request), register_id)
    comparisons = list(queue[:QUEUE_MAX_ROWS])
    return render(
        request,
        "review/arbitration_queue.html",
        {
            "comparisons": comparisons,
            "total": len(comparisons) if len(comparisons) < QUEUE_MAX_ROWS else queue.count(),
            "register_id": register_id,
        },
    )


def _display(f: Any, value: str) -> str:
    if f is not None and f.codes is not None and value:
        labels = dict(f.codes.choices())
        if value in labels and labels[value] != value:
            return f"{value} — {labels[value]}"
    return value


def _rows(comparison: Comparison, posted: dict[str, tuple[str, str]]) -> list[dict[str, Any]]:
    rtype = record_type(comparison.record.register.register_type)
    rows = []
    for result in comparison.results.filter(agreed=False):
        f = rtype.by_key.get(result.field)
        choice, typed = posted.get(result.field, ("", ""))
        rows.append(
            {
                "key": result.field,
                "label": f.label if f is not None else result.field,
                "section": f.section if f is not None else "",
                "a": result.value_a,
                "b": result.value_b,
                "a_display": _display(f, result.value_a),
                "b_display": _display(f, result.value_b),
                "choice": choice or result.choice,
                "typed": typed,
                "final": _display(f, result.final),
            }
        )
    return rows


def _posted(request: HttpRequest) -> dict[str, tuple[str, str]]:
    out = {}
    for name in request.POST:
        if name.startswith("choice:"):
            key = name.removeprefix("choice:")
            out[key] = (request.POST.get(name, ""), request.POST.get("typed:" + key, ""))
    return out


def _render(
    request: HttpRequest,
    comparison: Comparison,
    refusal: str | None,
    posted: dict[str, tuple[str, str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    record = comparison.record
    pages = list(record_pages(record).prefetch_related("links__record"))
    register_id = _register_filter(request)
    following = (
        arbitration_queue(_user(request), register_id).exclude(pk=comparison.pk).first()
        if refusal is None
        else None
    )
    context = {
        "comparison": comparison,
        "record": record,
        "register": record.register,
        "rtype": record_type(record.register.register_type),
        "rows": _rows(comparison, posted or {}),
        "agreed_count": comparison.results.filter(agreed=True).count(),
        "pages": pages,
        "pages_json": pages_json(pages) if pages else "[]",
        "refusal": refusal,
        "can_decide": refusal is None and comparison.state == Comparison.State.ARBITRATION,
        "following": following,
        "queue_url": _queue_url(register_id),
        "register_id": register_id or "",
    }
    return render(request, "review/arbitration_record.html", context, status=status)


@login_required
def record_arbitration(request: HttpRequest, record_id: int) -> HttpResponse:
    user = _user(request)
    record = get_object_or_404(
        record_list_for_review(user).select_related("register__custodian"), pk=record_id
    )
    comparison = (
        Comparison.objects.select_related("copy_a__by", "copy_b__by", "record__register")
        .filter(record=record)
        .first()
    )
    if comparison is None:
        raise Http404
    refusal = arbitration_refusal(user, comparison)
    if request.method != "POST":
        return _render(request, comparison, refusal, status=403 if refusal else 200)
    posted = _posted(request)
    try:
        record_arbitrate(actor=user, record=record, choices=posted)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return _render(request, comparison, str(exc), posted, status=403)
    except ArbitrationError as exc:
        messages.error(request, str(exc))
        comparison.refresh_from_db()
        return _render(request, comparison, refusal, posted, status=400)
    messages.success(request, _("Đã đối chiếu %(record)s.") % {"record": record})
    register_id = _register_filter(request)
    following = arbitration_queue(user, register_id).first()
    if following is None:
        messages.info(request, _("Không còn trường hợp nào chờ bạn đối chiếu."))
        return redirect(_queue_url(register_id))
    url = reverse("review:arbitration", args=[following.record_id])
    return redirect(f"{url}?so={register_id}" if register_id else url)
