"""Probable duplicates: the list (surest first), the search job, the side-by-side decision."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hotich.core.http import paginate
from hotich.core.models import Job
from hotich.people import services
from hotich.people.display import (
    duplicate_reasons,
    pages_by_record,
    record_facts,
    side_by_side,
)
from hotich.people.models import DuplicatePair
from hotich.people.queries import (
    duplicate_pair_list_for_user,
    duplicate_pairs_open,
    duplicates_can_search,
)
from hotich.people.views import allowed_user, request_user
from hotich.scans.models import ScanPage
from hotich.scans.views import pages_json

DECIDED = "da-quyet-dinh"


@login_required
def duplicate_list(request: HttpRequest) -> HttpResponse:
    user = allowed_user(request)
    decided = request.GET.get("trang-thai") == DECIDED
    if decided:
        qs = (
            duplicate_pair_list_for_user(user)
            .exclude(status=DuplicatePair.Status.OPEN)
            .select_related("record_a__register", "record_b__register", "decided_by")
            .order_by("-decided_at", "-id")
        )
    else:
        qs = duplicate_pairs_open(user)
    page, querystring = paginate(
        request, qs.prefetch_related("record_a__parties", "record_b__parties")
    )
    rows = [
        {
            "pair": pair,
            "a": record_facts(pair.record_a),
            "b": record_facts(pair.record_b),
            "reasons": duplicate_reasons(pair.reasons, pair.record_a),
        }
        for pair in page.object_list
    ]
    job = (
        Job.objects.filter(created_by=user, kind=services.DUPLICATES_FIND)
        .order_by("-created_at", "-id")
        .first()
    )
    return render(
        request,
        "people/duplicate_list.html",
        {
            "rows": rows,
            "page_obj": page,
            "querystring_without_page": querystring,
            "decided": decided,
            "can_search": duplicates_can_search(user),
            "job": job,
        },
    )


@login_required
@require_POST
def duplicates_find(request: HttpRequest) -> HttpResponse:
    user = allowed_user(request)
    services.duplicates_find_start(actor=user)
    messages.info(request, _("Đang tìm bản trùng trong phạm vi của bạn."))
    return redirect("people:duplicates")


def _pages(record_id: int) -> str:
    pages = list(
        ScanPage.objects.filter(links__record_id=record_id, is_current=True)
        .order_by("links__position", "sequence")
        .prefetch_related("links__record")
    )
    return pages_json(pages) if pages else ""


@login_required
def duplicate_pair(request: HttpRequest, pair_id: int) -> HttpResponse:
    user = request_user(request)
    pair = get_object_or_404(
        duplicate_pair_list_for_user(user).select_related(
            "record_a__register__custodian", "record_b__register__custodian", "decided_by"
        ),
        pk=pair_id,
    )
    user = allowed_user(request)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action not in ("same", "not_same"):
                raise services.PeopleError(_("Hãy chọn: cùng một trường hợp, hoặc không phải."))
            services.duplicate_pair_decide(
                actor=user, pair=pair, same=action == "same", note=request.POST.get("note", "")
            )
        except services.PeopleError as exc:
            messages.error(request, str(exc))
            pair.refresh_from_db()
            status = 400
        else:
            messages.success(request, _("Đã ghi nhận quyết định."))
            following = duplicate_pairs_open(user).first()
            if following is None:
                return redirect("people:duplicates")
            return redirect("people:pair", pair_id=following.pk)
    a, b = pair.record_a, pair.record_b
    pages = pages_by_record([a.pk, b.pk])
    return render(
        request,
        "people/duplicate_pair.html",
        {
            "pair": pair,
            "a": {**record_facts(a), "pages": pages.get(a.pk, []), "pages_json": _pages(a.pk)},
            "b": {**record_facts(b), "pages": pages.get(b.pk, []), "pages_json": _pages(b.pk)},
            "sections": side_by_side(a, b),
            "reasons": duplicate_reasons(pair.reasons, a),
            "is_open": pair.status == DuplicatePair.Status.OPEN,
        },
        status=status,
    )
