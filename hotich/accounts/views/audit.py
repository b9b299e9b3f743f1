from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from hotich.accounts.forms import AuditFilterForm
from hotich.accounts.queries import audit_scope_for_user
from hotich.core.audit import audit_list as audit_query
from hotich.core.http import paginate


def _scope(request: HttpRequest) -> tuple[str, bool]:
    scope = audit_scope_for_user(request.user)  # type: ignore[arg-type]
    if scope is None:
        raise Http404
    return scope


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    path, below = _scope(request)
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = audit_query(
        office_path=path,
        include_below=below,
        action=filters.get("action", ""),
        actor_name=filters.get("actor", ""),
        object_type=filters.get("object_type", ""),
        object_id=filters.get("object_id", ""),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    page, querystring = paginate(request, qs, per_page=100)
    return render(
        request,
        "accounts/audit_list.html",
        {"form": form, "page_obj": page, "querystring_without_page": querystring},
    )


@login_required
def audit_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    path, below = _scope(request)
    event = get_object_or_404(audit_query(office_path=path, include_below=below), pk=event_id)
    keys = sorted(set(event.before or {}) | set(event.after or {}))
    rows = [(k, (event.before or {}).get(k), (event.after or {}).get(k)) for k in keys]
    return render(request, "accounts/audit_detail.html", {"event": event, "rows": rows})
