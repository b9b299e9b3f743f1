"""Reads for review: who may review what, the reviewer's queue, a record's review history.

May review a register: reviewers and administrators of its custodian's scope (not contractor
accounts), or whoever holds an active review assignment on it (a user, or a whole contractor
company). On top of that, review is independent (SPEC §2, §7): nobody reviews a record they
keyed or saved last, and a contractor's account never reviews what its own company keyed.
"""

from __future__ import annotations

from django.db.models import BooleanField, Count, Exists, OuterRef, Q, QuerySet, Value
from django.utils.translation import gettext as _

from hotich.accounts.models import Role, User
from hotich.records.models import Record
from hotich.records.queries import record_list_for_keying, record_list_for_user
from hotich.registers.models import Assignment, Register
from hotich.review.models import ReviewComment, ReviewDecision


def _can_review(user: User, register: str) -> Exists | Value:
    """Whether `user` may review the register at `register` (a field of the outer query)."""
    if (user.is_admin or user.role == Role.REVIEWER) and not user.is_contractor:
        return Value(True, output_field=BooleanField())
    return Exists(
        Assignment.objects.filter(
            register=OuterRef(register), active=True, task=Assignment.Task.REVIEW
        ).filter(Q(user=user) | Q(office_id=user.office_id, user__isnull=True))
    )


def _independent(user: User) -> Q:
    """Records whose keyed data owes nothing to `user` (or, for a contractor, to its company)."""
    # A double-keyed record's copies count as keying it (decision 0011).
    q = ~Q(keyed_by=user) & ~Q(updated_by=user) & ~Q(keyed_copies__by=user)
    if user.is_contractor:
        q &= ~Q(keyed_by__office_id=user.office_id) & ~Q(updated_by__office_id=user.office_id)
        q &= ~Q(keyed_copies__by__office_id=user.office_id)
    return q


def record_list_for_review(user: User) -> QuerySet[Record]:
    """The records the user sees, each with `can_review` for its register."""
    return record_list_for_user(user).annotate(can_review=_can_review(user, "register_id"))


def review_queue(user: User, register_id: int | None = None) -> QuerySet[Record]:
    """Submitted records the user may review, the longest waiting first."""
    qs = (
        record_list_for_review(user)
        .filter(Q(can_review=True), status=Record.Status.SUBMITTED)
        .filter(_independent(user))
    )
    if register_id is not None:
        qs = qs.filter(register_id=register_id)
    return qs.select_related("register", "keyed_by", "updated_by").order_by("updated_at", "id")


def review_queue_registers(user: User) -> list[tuple[Register, int]]:
    """The registers with records waiting for the user, each with how many."""
    counts = dict(
        review_queue(user)
        .order_by()
        .values_list("register_id")
        .annotate(n=Count("id"))
        .values_list("register_id", "n")
    )
    registers = Register.objects.filter(pk__in=counts).order_by("register_type", "year_start")
    return [(r, counts[r.pk]) for r in registers]


def review_refusal(user: User, record: Record) -> str | None:
    """Why `user` may not review `record`, or None when they may."""
    if not record_list_for_review(user).filter(Q(can_review=True), pk=record.pk).exists():
        return _("Bạn không được giao kiểm tra sổ này.")
    copies = list(record.keyed_copies.values_list("by_id", flat=True))
    if user.pk in (record.keyed_by_id, record.updated_by_id, *copies):
        return _("Bạn đã nhập hoặc sửa trường hợp này: người khác phải kiểm tra.")
    if user.is_contractor and user.office_id is not None:
        people = [pk for pk in (record.keyed_by_id, record.updated_by_id, *copies) if pk]
        if User.objects.filter(pk__in=people, office_id=user.office_id).exists():
            return _("Trường hợp do đơn vị thi công của bạn nhập: cần người kiểm tra độc lập.")
    return None


def review_can_review(user: User, record: Record) -> bool:
    return review_refusal(user, record) is None


def record_review_history(record: Record) -> QuerySet[ReviewDecision]:
    """Every decision on the record, oldest first, with its comments."""
    return record.review_decisions.select_related("reviewer").prefetch_related(
        "comments__resolved_by"
    )


def open_comments() -> QuerySet[ReviewComment]:
    return ReviewComment.objects.filter(resolved_at__isnull=True).order_by("at", "id")


def record_open_comments(record: Record) -> QuerySet[ReviewComment]:
    return open_comments().filter(record=record).select_related("by")


def review_comment_list_for_user(user: User) -> QuerySet[ReviewComment]:
    return ReviewComment.objects.filter(record__in=record_list_for_user(user))


def returned_list_for_user(user: User) -> QuerySet[Record]:
    """Returned records the user may fix (may key their register), the longest waiting first,
    each with `open_comments`."""
    return (
        record_list_for_keying(user)
        .filter(Q(can_key=True), status=Record.Status.RETURNED)
        .annotate(
            open_comments=Count(
                "review_comments", filter=Q(review_comments__resolved_at__isnull=True)
            )
        )
        .select_related("register")
        .order_by("updated_at", "id")
    )
