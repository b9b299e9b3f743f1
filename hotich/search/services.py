"""Writes of the search app: the look-up log and API tokens.

`lookup_log` is the read log the issue asks for (who, when, what was asked, why, which records
were shown): one `LookupEvent` per search, in the same transaction as nothing else — a search
changes no data, so the log row is the audit of it (decision 0014). Token creation and revocation
change who may read, so they also go to the audit trail.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from hotich.accounts.models import User
from hotich.core.audit import audit_record
from hotich.search.models import ApiToken, LookupEvent

TOKEN_PREFIX = "htk_"


def search_allowed(user: User) -> bool:
    """Every active account of an office may look people up, except contractor accounts: a
    digitisation company keys the books, it does not answer citizens."""
    if not (user.is_authenticated and user.is_active and user.office_id):
        return False
    return not user.is_contractor and not user.is_locked and user.office_open()


@transaction.atomic
def lookup_log(
    *,
    actor: User,
    channel: str,
    query: str,
    filters: dict[str, Any],
    purpose: str,
    page: int,
    record_ids: list[int],
    token: ApiToken | None = None,
) -> LookupEvent:
    office = actor.office
    return LookupEvent.objects.create(
        actor=actor,
        actor_name=actor.username,
        office_path=office.path if office else "",
        office_name=str(office) if office else "",
        channel=channel,
        token=token,
        query=query[:255],
        filters=filters,
        purpose=purpose[:255],
        page=page,
        record_ids=record_ids,
        result_count=len(record_ids),
    )


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """A new token for `actor` and its key, which is shown once and never stored."""
    if not search_allowed(actor):
        raise PermissionDenied
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor, name=name.strip()[:100], key_hash=_hash(key), prefix=key[:8]
    )
    audit_record(actor=actor, action="api_token.create", obj=token, after={"name": token.name})
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    if token.user_id != actor.pk:
        raise PermissionDenied
    if token.revoked is None:
        token.revoked = timezone.now()
        token.save(update_fields=["revoked"])
        audit_record(actor=actor, action="api_token.revoke", obj=token)
    return token


def api_token_authenticate(key: str) -> ApiToken | None:
    """The active token with this key whose user may search, or None; notes its last use."""
    if not key.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user__office")
        .filter(key_hash=_hash(key), revoked__isnull=True)
        .first()
    )
    if token is None or not search_allowed(token.user):
        return None
    now = timezone.now()
    # Written at most once a minute: a busy client should not make every search a write.
    if token.last_used is None or (now - token.last_used).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        token.last_used = now
    return token
