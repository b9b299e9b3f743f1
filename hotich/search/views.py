"""Pages of the look-up: the search page, the look-up log for auditors, the user's API tokens."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from hotich.accounts.models import User
from hotich.core.http import paginate
from hotich.search import services
from hotich.search.extract_views import extract_can_print
from hotich.search.forms import PARAMETERS, SearchForm
from hotich.search.queries import (
    api_token_list_for_user,
    lookup_list_for_user,
    lookup_log_allowed,
)
from hotich.search.search import PAGE_SIZE, person_search


def _user(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not services.search_allowed(user):
        raise PermissionDenied
    return user


def _page_url(request: HttpRequest, page: int) -> str:
    params = request.GET.copy()
    params["trang"] = str(page)
    return "?" + params.urlencode()


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = SearchForm(request.GET or None)
    result = None
    if form.is_bound and form.is_valid():
        criteria = form.criteria()
        if not criteria.is_empty:
            result = person_search(user, criteria, form.cleaned_data.get("trang") or 1)
            services.lookup_log(
                actor=user,
                channel="page",
                query=criteria.q,
                filters=form.asked_filters(),
                purpose=form.cleaned_data.get("muc_dich") or "",
                page=result.page,
                record_ids=result.record_ids,
            )
    advanced = any(request.GET.get(k) for k in PARAMETERS if k not in ("q", "trang", "muc_dich"))
    return render(
        request,
        "search/person_search.html",
        {
            "form": form,
            "result": result,
            "advanced": advanced,
            # filters alone are not a search: they narrow the people found by a name or number
            "needs_query": form.is_bound and form.is_valid() and result is None and advanced,
            "page_size": PAGE_SIZE,
            # Look-up officers and administrators open the person and print extracts.
            "people_links": extract_can_print(user),
            "purpose": form.cleaned_data.get("muc_dich", "")
            if form.is_bound and form.is_valid()
            else "",
            "first_number": ((result.page - 1) * PAGE_SIZE) if result else 0,
            "last_number": ((result.page - 1) * PAGE_SIZE + len(result.hits)) if result else 0,
            "next_url": _page_url(request, result.page + 1) if result and result.has_next else "",
            "prev_url": _page_url(request, result.page - 1) if result and result.page > 1 else "",
        },
    )


class LookupFilterForm(forms.Form):
    actor = forms.CharField(label=gettext_lazy("Tài khoản"), required=False)
    query = forms.CharField(label=gettext_lazy("Nội dung tra cứu"), required=False)
    date_from = forms.DateField(label=gettext_lazy("Từ ngày"), required=False)
    date_to = forms.DateField(label=gettext_lazy("Đến ngày"), required=False)


@login_required
def lookup_log_page(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not lookup_log_allowed(user):
        raise Http404
    form = LookupFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = lookup_list_for_user(
        user,
        actor_name=filters.get("actor", ""),
        query=filters.get("query", ""),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
    )
    page, querystring = paginate(request, qs, per_page=100)
    return render(
        request,
        "search/lookup_log.html",
        {"form": form, "page_obj": page, "querystring_without_page": querystring},
    )


@login_required
def api_token_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    key = ""
    if request.method == "POST":
        name = request.POST.get("name", "").strip()
        if not name:
            messages.error(request, _("Hãy đặt tên cho khóa (hệ thống nào dùng nó)."))
            return redirect("search:api_tokens")
        _token, key = services.api_token_create(actor=user, name=name)
    return render(
        request,
        "search/api_token_list.html",
        {"tokens": api_token_list_for_user(user), "new_key": key},
    )


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    # Only the owner's own tokens: anyone else's id is a 404, whatever their role.
    token = get_object_or_404(api_token_list_for_user(user), pk=token_id)
    services.api_token_revoke(actor=user, token=token)
    messages.success(request, _("Đã thu hồi khóa “%(name)s”.") % {"name": token.name})
    return redirect("search:api_tokens")


@login_required
def api_docs(request: HttpRequest) -> HttpResponse:
    _user(request)
    return render(request, "search/api_docs.html", {"parameters": PARAMETERS})
