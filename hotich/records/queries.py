"""Reads of records, scoped through their register: who may key, neighbours, carry-over, progress.

A record is visible exactly when its register is (`register_list_for_user`). Keying needs more:
an administrator of the custodian (not a contractor), or an active keying assignment.
"""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, Count, Exists, OuterRef, Q, QuerySet, Value

from hotich.accounts.models import Role, User
from hotich.records.models import MarginNote, Record
from hotich.records.schema import record_type
from hotich.registers.models import Assignment, Register
from hotich.registers.queries import register_list_for_user


def record_list_for_user(user: User) -> QuerySet[Record]:
    return Record.objects.filter(register__in=register_list_for_user(user))


def _can_key(user: User, register: str) -> Exists | Value:
    """Whether `user` may key the register at `register` (a field of the outer query):
    administrators of the custodian (not contractors), or an operator with an active keying
    assignment to them or to their whole company (as `register_is_assigned`)."""
    if user.is_admin and not user.is_contractor:
        return Value(True, output_field=BooleanField())
    if user.role != Role.OPERATOR:
        # A keying assignment to a whole company reaches its reviewers too: they check what
        # others keyed and never key themselves.
        return Value(False, output_field=BooleanField())
    return Exists(
        Assignment.objects.filter(
            register=OuterRef(register), active=True, task=Assignment.Task.KEYING
        ).filter(Q(user=user) | Q(office_id=user.office_id, user__isnull=True))
    )


def register_list_for_keying(user: User) -> QuerySet[Register]:
    """The registers the user sees, each with `can_key` (what `record_can_key` answers): the
    keying views find the register and check the permission in one query."""
    return register_list_for_user(user).annotate(can_key=_can_key(user, "pk"))


def record_list_for_keying(user: User) -> QuerySet[Record]:
    """The records the user sees, each with `can_key` for its register."""
    return record_list_for_user(user).annotate(can_key=_can_key(user, "register_id"))


def record_can_key(user: User, register: Register) -> bool:
    found = register_list_for_keying(user).filter(pk=register.pk).first()
    return found is not None and bool(found.can_key)  # type: ignore[attr-defined]


def register_records(register: Register) -> QuerySet[Record]:
    return register.records.order_by("sequence", "number_sort", "id")


def record_neighbours(record: Record) -> tuple[Record | None, Record | None]:
    """The records before and after this one in the register's order."""
    records = register_records(record.register)
    before = (
        records.filter(
            Q(sequence__lt=record.sequence) | Q(sequence=record.sequence, id__lt=record.pk)
        )
        .order_by("-sequence", "-id")
        .first()
    )
    return before, record_after(record)


def record_after(record: Record) -> Record | None:
    """The record after this one in the register's order (where "save and next" goes)."""
    return (
        register_records(record.register)
        .filter(Q(sequence__gt=record.sequence) | Q(sequence=record.sequence, id__gt=record.pk))
        .first()
    )


def record_next_to_key(register: Register) -> Record | None:
    """The first record not yet submitted (or returned by review), in the register's order."""
    done = (Record.Status.SUBMITTED, Record.Status.VERIFIED)
    return register_records(register).exclude(status__in=done).first()


def record_carry_over(register: Register, before: Record | None = None) -> dict[str, str]:
    """Values that repeat down a register, from the record before (or the last one), with the
    registration number after its number (numbers restart at 01 with a new year)."""
    rtype = record_type(register.register_type)
    if before is None:
        before = register_records(register).exclude(data={}).last()
    data: dict[str, str] = {}
    if before is None or not before.data:
        data["quyenSo"] = register.volume
        return {k: v for k, v in data.items() if k in rtype.by_key}
    for key in rtype.carry_keys:
        if before.data.get(key):
            data[key] = before.data[key]
    if before.number_sort is not None:
        width = max(2, len(before.number))
        data["so"] = str(_next_free(register, before)).zfill(width)
    return data


def _next_free(register: Register, before: Record) -> int:
    """The number after `before`'s that no record of the register holds in that year yet (a
    placeholder from a scan name already holds its number)."""
    start = (before.number_sort or 0) + 1
    taken = set(
        register.records.filter(
            registration_year=before.registration_year,
            number_sort__gte=start,
            number_sort__lt=start + 1000,
        ).values_list("number_sort", flat=True)
    )
    number = start
    while number in taken:
        number += 1
    return number


def record_proposed_values(record: Record) -> dict[str, str]:
    """What a record not keyed yet opens with: a placeholder from a scan file name carries its
    number and date, and the values that repeat down the register come from the record before."""
    if record.data:
        return dict(record.data)
    before, _after = record_neighbours(record)
    values = record_carry_over(record.register, before)
    if record.number:
        values["so"] = record.number
    if record.registration_date:
        values["ngayDangKy"] = record.registration_date.strftime("%d.%m.%Y")
    return values


def register_progress(register: Register) -> dict[str, Any]:
    """Keyed (submitted) and started records against the declared number of entries."""
    counts = register.records.aggregate(
        total=Count("id"),
        # Verified records were submitted first; returned ones are back with the operator.
        submitted=Count(
            "id", filter=Q(status__in=(Record.Status.SUBMITTED, Record.Status.VERIFIED))
        ),
        drafts=Count("id", filter=Q(status=Record.Status.DRAFT)),
    )
    declared = register.declared_entries or 0
    target = declared or counts["total"]
    percent = round(100 * counts["submitted"] / target) if target else 0
    return {**counts, "declared": register.declared_entries, "percent": min(percent, 100)}


def record_margin_notes(record: Record) -> QuerySet[MarginNote]:
    return record.margin_notes.select_related("created_by")
