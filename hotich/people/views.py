"""The person view and the person links (proposed, confirmed, rejected).

Views find the object in the user's scope (404 otherwise), check the role (403), and call one
service; what a page shows is read through `hotich.people.queries`.
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
from hotich.core.http import paginate
from hotich.core.models import Job
from hotich.people import services
from hotich.people.display import link_reasons, pages_by_record, record_facts
from hotich.people.links import PARENT_ROLES
from hotich.people.models import PersonLink
from hotich.people.queries import (
    party_list_for_user,
    people_allowed,
    person_link_list_for_user,
    person_nodes,
    records_by_id,
)
from hotich.records.models import Party


def request_user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def allowed_user(request: HttpRequest) -> User:
    user = request_user(request)
    if not people_allowed(user):
        raise PermissionDenied
    return user


def _party_ids(nodes: set[tuple[int, str]]) -> dict[tuple[int, str], int]:
    """Today's party id of each (record, role): the address of that person's page."""
    if not nodes:
        return {}
    rows = Party.objects.filter(record_id__in={rid for rid, _r in nodes}).values_list(
        "record_id", "role", "pk"
    )
    return {(rid, role): pk for rid, role, pk in rows if (rid, role) in nodes}


def _by_date(facts: dict[str, Any]) -> tuple[bool, Any]:
    when = facts["record"].registration_date
    return (when is None, when)


@login_required
def person_page(request: HttpRequest, party_id: int) -> HttpResponse:
    user = request_user(request)
    party = get_object_or_404(party_list_for_user(user), pk=party_id)
    user = allowed_user(request)
    start = (party.record_id, party.role)
    nodes, links = person_nodes(user, start)
    node_set = set(nodes)
    others = {
        end
        for link in links
        for end in ((link.record_a_id, link.role_a), (link.record_b_id, link.role_b))
        if end not in node_set
    }
    records = records_by_id(user, {rid for rid, _r in node_set | others})
    pages = pages_by_record(records)
    party_ids = _party_ids(node_set | others)

    def facts(node: tuple[int, str]) -> dict[str, Any] | None:
        record = records.get(node[0])
        if record is None:
            return None
        return {
            **record_facts(record, node[1]),
            "pages": pages.get(record.pk, []),
            "party_id": party_ids.get(node),
        }

    own: list[dict[str, Any]] = []
    as_parent: list[dict[str, Any]] = []
    for node in nodes:
        shown = facts(node)
        if shown is not None:
            (as_parent if node[1] in PARENT_ROLES else own).append(shown)
    own.sort(key=_by_date)
    as_parent.sort(key=_by_date)
    link_rows: list[dict[str, Any]] = []
    for link in links:
        a, b = (link.record_a_id, link.role_a), (link.record_b_id, link.role_b)
        if b not in node_set:
            other = b
        elif a not in node_set:
            other = a
        else:  # both already part of this person: show the end that is not this page's
            other = a if b == start else b
        shown = facts(other)
        if shown is not None:
            link_rows.append({"link": link, "other": shown, "reasons": link_reasons(link.reasons)})
    proposed = [r for r in link_rows if r["link"].status == PersonLink.Status.PROPOSED]
    decided = [r for r in link_rows if r["link"].status != PersonLink.Status.PROPOSED]
    shown_ids = sorted({f["record"].pk for f in own + as_parent + [r["other"] for r in link_rows]})
    services.person_view_log(
        actor=user, party=party, record_ids=shown_ids, purpose=request.GET.get("muc_dich", "")
    )
    return render(
        request,
        "people/person_detail.html",
        {
            "party": party,
            "own": own,
            "as_parent": as_parent,
            "proposed": proposed,
            "decided": decided,
            "purpose": request.GET.get("muc_dich", ""),
        },
    )


@login_required
@require_POST
def person_propose(request: HttpRequest, party_id: int) -> HttpResponse:
    """Look for this person's other records now (the scope-wide search is a job)."""
    user = request_user(request)
    party = get_object_or_404(party_list_for_user(user).select_related("record"), pk=party_id)
    user = allowed_user(request)
    counts = services.person_links_propose(actor=user, records=[party.record])
    messages.success(request, _("Đã tìm: %(n)d đề xuất liên kết mới.") % {"n": counts["proposed"]})
    return redirect("people:person", party_id=party.pk)


@login_required
@require_POST
def link_decide(request: HttpRequest, link_id: int) -> HttpResponse:
    user = request_user(request)
    link = get_object_or_404(person_link_list_for_user(user), pk=link_id)
    user = allowed_user(request)
    action = request.POST.get("action")
    if action not in ("confirm", "reject"):
        messages.error(request, _("Hãy chọn xác nhận hoặc loại liên kết."))
    else:
        services.person_link_decide(
            actor=user,
            link=link,
            confirmed=action == "confirm",
            note=request.POST.get("note", ""),
        )
        messages.success(
            request,
            _("Đã xác nhận: cùng một người.")
            if action == "confirm"
            else _("Đã ghi nhận: không phải một người."),
        )
    back = request.POST.get("nguoi", "")
    if back.isdigit():
        return redirect(reverse("people:person", args=[int(back)]) + "#lien-ket")
    return redirect("people:links")


@login_required
def link_list(request: HttpRequest) -> HttpResponse:
    """Proposed links waiting for a decision, surest first; and the scope-wide search."""
    user = allowed_user(request)
    qs = (
        person_link_list_for_user(user)
        .filter(status=PersonLink.Status.PROPOSED)
        .order_by("-score", "proposed_at", "id")
    )
    page, querystring = paginate(request, qs)
    links = list(page.object_list)
    records = records_by_id(user, {k.record_a_id for k in links} | {k.record_b_id for k in links})
    nodes = {(k.record_a_id, k.role_a) for k in links} | {(k.record_b_id, k.role_b) for k in links}
    party_ids = _party_ids(nodes)
    rows = []
    for link in links:
        a, b = records.get(link.record_a_id), records.get(link.record_b_id)
        if a is None or b is None:
            continue
        rows.append(
            {
                "link": link,
                "a": {
                    **record_facts(a, link.role_a),
                    "party_id": party_ids.get((a.pk, link.role_a)),
                },
                "b": {
                    **record_facts(b, link.role_b),
                    "party_id": party_ids.get((b.pk, link.role_b)),
                },
                "reasons": link_reasons(link.reasons),
            }
        )
    job = (
        Job.objects.filter(created_by=user, kind=services.LINKS_PROPOSE)
        .order_by("-created_at", "-id")
        .first()
    )
    return render(
        request,
        "people/link_list.html",
        {"rows": rows, "page_obj": page, "querystring_without_page": querystring, "job": job},
    )


@login_required
@require_POST
def links_propose(request: HttpRequest) -> HttpResponse:
    user = allowed_user(request)
    services.person_links_propose_start(actor=user)
    messages.info(request, _("Đang tìm liên kết giữa các hồ sơ trong phạm vi của bạn."))
    return redirect("people:links")
