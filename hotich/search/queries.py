"""Scoped reads of the search app: the look-up log for auditors, a user's own API tokens.

The log is scoped like the audit trail (`accounts.queries.audit_scope_for_user`): auditors and
administrators see the look-ups made in their office and the offices below it.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from hotich.accounts.models import User
from hotich.accounts.queries import audit_scope_for_user
from hotich.search.models import ApiToken, LookupEvent


def lookup_log_allowed(user: User) -> bool:
    return audit_scope_for_user(user) is not None


def lookup_list_for_user(
    user: User,
    *,
    actor_name: str = "",
    query: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[LookupEvent]:
    scope = audit_scope_for_user(user)
    if scope is None:
        return LookupEvent.objects.none()
    path, _below = scope
    qs = LookupEvent.objects.filter(office_path__startswith=path)
    if actor_name:
        qs = qs.filter(actor_name__icontains=actor_name)
    if query:
        qs = qs.filter(query__icontains=query)
    if date_from:
        qs = qs.filter(at__date__gte=date_from)
    if date_to:
        qs = qs.filter(at__date__lte=date_to)
    return qs.order_by("-at", "-id")


def api_token_list_for_user(user: User) -> QuerySet[ApiToken]:
    """A user's own tokens: nobody else, not even an administrator, handles them."""
    if not user.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user=user)
