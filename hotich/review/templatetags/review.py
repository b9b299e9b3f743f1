"""Review notes on pages of earlier apps (keying screen, "my work"), which may not import review.

{% load review %}
{% review_comments record %}              the open comments of a record, as a panel
{% review_field_comments record key %}    the open comments on one field, beside it
{% review_my_work user %}                 returned records to fix; records waiting for review
"""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Prefetch
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from hotich.accounts.models import Role, User
from hotich.records.models import Record
from hotich.records.schema import record_type
from hotich.review.models import ReviewComment
from hotich.review.queries import (
    open_comments,
    record_open_comments,
    returned_list_for_user,
    review_queue,
)

register = template.Library()

MY_WORK_MAX_ROWS = 50


def _open_by_field(record: Record) -> dict[str, list[ReviewComment]]:
    # Kept on the instance: the keying screen asks once per field, the database is asked once.
    found: dict[str, list[ReviewComment]] | None = getattr(record, "_review_open", None)
    if found is None:
        found = {}
        for comment in record_open_comments(record):
            found.setdefault(comment.field, []).append(comment)
        record._review_open = found  # type: ignore[attr-defined]
    return found


def _labelled(record: Record, comments: list[ReviewComment]) -> list[tuple[ReviewComment, Any]]:
    by_key = record_type(record.register.register_type).by_key
    return [
        (c, by_key[c.field].label if c.field in by_key else c.field or _("Cả trường hợp"))
        for c in comments
    ]


@register.inclusion_tag("review/_keying_comments.html")
def review_comments(record: Record | None) -> dict[str, Any]:
    if record is None or record.pk is None:
        return {"comments": []}
    comments = sorted(
        (c for group in _open_by_field(record).values() for c in group), key=lambda c: c.pk
    )
    return {"record": record, "comments": _labelled(record, comments)}


@register.simple_tag
def review_field_comments(record: Record | None, key: str) -> SafeString | str:
    if record is None or record.pk is None:
        return ""
    comments = _open_by_field(record).get(key, [])
    return format_html_join(
        "",
        '<span class="kf-review" data-review-comment>{} <span class="muted">— {}</span></span>',
        ((c.text, c.by) for c in comments),
    )


@register.inclusion_tag("review/_my_work.html")
def review_my_work(user: User) -> dict[str, Any]:
    returned = returned_list_for_user(user).prefetch_related(
        Prefetch("review_comments", queryset=open_comments(), to_attr="open_list")
    )
    rows = [(r, _labelled(r, r.open_list)) for r in returned[:MY_WORK_MAX_ROWS]]
    # Reviewers by role get the count; others assigned to review have the link in their table.
    reviews = user.is_admin or user.role == Role.REVIEWER
    return {"returned": rows, "waiting": review_queue(user).count() if reviews else 0}
