"""Arbitration of double-keyed differences (decision 0011): who may arbitrate, the queue, the
decision.

May arbitrate: whoever may review the register (`queries.record_list_for_review`: reviewers and
administrators of its custodian's scope, review assignments), never an operator who keyed one of
the two copies, nor a contractor account a copy of its own company. The decision itself —
choices validated, record data written, audit — is `keying.services.comparison_resolve`.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from hotich.accounts.models import User
from hotich.keying.models import Comparison
from hotich.keying.services import arbitration_independence, comparison_resolve
from hotich.records.models import Record
from hotich.review.queries import record_list_for_review


def arbitration_refusal(user: User, comparison: Comparison) -> str | None:
    """Why `user` may not arbitrate this comparison, or None when they may."""
    if (
        not record_list_for_review(user)
        .filter(Q(can_review=True), pk=comparison.record_id)
        .exists()
    ):
        return _("Bạn không được giao kiểm tra sổ này.")
    return arbitration_independence(user, comparison)


def arbitration_queue(user: User, register_id: int | None = None) -> QuerySet[Comparison]:
    """Comparisons waiting for arbitration that the user may decide, the longest waiting first."""
    records = record_list_for_review(user).filter(Q(can_review=True))
    qs = (
        Comparison.objects.filter(state=Comparison.State.ARBITRATION, record__in=records)
        .exclude(Q(copy_a__by=user) | Q(copy_b__by=user))
        .select_related("record__register")
        .annotate(differing=Count("results", filter=Q(results__agreed=False)))
    )
    if user.is_contractor:
        qs = qs.exclude(
            Q(copy_a__by__office_id=user.office_id) | Q(copy_b__by__office_id=user.office_id)
        )
    if register_id is not None:
        qs = qs.filter(record__register_id=register_id)
    return qs.order_by("compared_at", "id")


@transaction.atomic
def record_arbitrate(
    *, actor: User, record: Record, choices: Mapping[str, tuple[str, str]]
) -> Comparison:
    """Decide the record's differences: `choices[field] = ("a" | "b" | "typed", typed text)`."""
    comparison = Comparison.objects.select_related("copy_a__by", "copy_b__by").get(record=record)
    refusal = arbitration_refusal(actor, comparison)
    if refusal:
        raise PermissionDenied(refusal)
    return comparison_resolve(actor=actor, record=record, choices=choices)
