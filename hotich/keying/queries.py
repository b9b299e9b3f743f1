"""Reads of double keying: a register's plan, where a record stands, an operator's own copy and
next record, and the agreement rates (per field, per operator) that supervision and reports read.

Everything is scoped through `records.queries.record_list_for_user`; a copy is only ever read
for its own operator (blind keying), comparisons only through a user's scope.
"""

from __future__ import annotations

from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from hotich.accounts.models import User
from hotich.keying.models import Comparison, DoubleKeying, FieldComparison, KeyedCopy
from hotich.records.models import Record
from hotich.records.queries import record_list_for_user, register_records
from hotich.records.schema import RecordType, record_type
from hotich.registers.models import Register

#: where a record stands for keying (`record_double_state`)
NORMAL = "normal"  # keyed once, on the record itself (no plan, or settled, or keyed before)
BLIND = "blind"  # each operator keys their own copy
WAITING = "waiting"  # both copies in, differences wait for arbitration

MAX_COPIES = 2


def double_keying_plan(register: Register) -> DoubleKeying | None:
    """The register's plan, active or cleared (a cleared one still rules records in progress)."""
    return DoubleKeying.objects.filter(register=register).first()


def plan_is_active(register: Register) -> bool:
    return DoubleKeying.objects.filter(register=register, active=True).exists()


def compared_keys(rtype: RecordType, plan: DoubleKeying | None) -> list[str]:
    """The fields two copies are compared on, in the template's order."""
    chosen = set(plan.fields) if plan is not None and plan.fields else None
    return [f.key for f in rtype.keyed_fields if chosen is None or f.key in chosen]


def record_double_state(record: Record) -> str:
    """NORMAL, BLIND or WAITING; one query for a register that was never double-keyed."""
    active = (
        DoubleKeying.objects.filter(register_id=record.register_id)
        .values_list("active", flat=True)
        .first()
    )
    if active is None:  # copies exist only under a plan, and a plan is cleared, never deleted
        return NORMAL
    comparison = Comparison.objects.filter(record=record).values_list("state", flat=True).first()
    if comparison is not None:
        return WAITING if comparison == Comparison.State.ARBITRATION else NORMAL
    if record.keyed_copies.exists():
        return BLIND
    # Records keyed (or imported) before the plan was set stay single-keyed.
    return BLIND if active and record.status == Record.Status.TO_KEY else NORMAL


def copy_of(record: Record, user: User) -> KeyedCopy | None:
    """The user's own copy of the record: the only copy the keying screen ever shows them."""
    return KeyedCopy.objects.filter(record=record, by=user).first()


def copy_refusal(user: User, record: Record) -> str | None:
    """Why the user may not key their copy of a blind record, or None."""
    from django.utils.translation import gettext as _

    if Comparison.objects.filter(record=record).exists():
        return _("Hai bản nhập của trường hợp này đã được so sánh: không sửa bản nhập nữa.")
    others = KeyedCopy.objects.filter(record=record).exclude(by=user).count()
    if others >= MAX_COPIES and not KeyedCopy.objects.filter(record=record, by=user).exists():
        return _(
            "Trường hợp này đã có hai người nhập (nhập liệu hai lần): "
            "người thứ ba không nhập thêm. Hãy sang trường hợp khác."
        )
    return None


def copy_next_for(user: User, register: Register) -> Record | None:
    """In a double-keyed register, the first record this user still has to key: a blind record
    without their submitted copy and with room for them, or a single-keyed one not finished."""
    active = plan_is_active(register)
    copies = KeyedCopy.objects.filter(record=OuterRef("pk"))
    others = (
        copies.exclude(by=user).order_by().values("record").annotate(n=Count("id")).values("n")[:1]
    )
    qs = (
        register_records(register)
        .filter(double_comparison__isnull=True)
        .annotate(
            has_copies=Exists(copies),
            mine_done=Exists(copies.filter(by=user, status=KeyedCopy.Status.SUBMITTED)),
            others=Coalesce(Subquery(others, output_field=IntegerField()), 0),
            active=Value(active, output_field=BooleanField()),
        )
    )
    blind = (
        Q(status=Record.Status.TO_KEY)
        & (Q(has_copies=True) | Q(active=True))
        & Q(mine_done=False)
        & Q(others__lt=MAX_COPIES)
    )
    single = Q(status__in=(Record.Status.DRAFT, Record.Status.RETURNED)) | (
        Q(status=Record.Status.TO_KEY, has_copies=False, active=False)
    )
    return qs.filter(blind | single).first()


def copy_carry_from(user: User, register: Register, record: Record | None) -> dict[str, str]:
    """The user's own copy before this record (or their last one in the register): blind
    keying carries over what repeats from the operator's own work, never the other's."""
    qs = KeyedCopy.objects.filter(record__register=register, by=user).exclude(data={})
    if record is not None:
        qs = qs.filter(
            Q(record__sequence__lt=record.sequence)
            | Q(record__sequence=record.sequence, record_id__lt=record.pk)
        )
    found = qs.order_by("-record__sequence", "-record_id").values_list("data", flat=True).first()
    return dict(found or {})


def comparison_list_for_user(user: User) -> QuerySet[Comparison]:
    return Comparison.objects.filter(record__in=record_list_for_user(user))


def _results(user: User, register: Register | None) -> QuerySet[FieldComparison]:
    qs = FieldComparison.objects.filter(comparison__in=comparison_list_for_user(user))
    if register is not None:
        qs = qs.filter(comparison__record__register=register)
    return qs


def _rate(agreed: int, compared: int) -> float | None:
    return round(100 * agreed / compared, 1) if compared else None


def agreement_by_field(*, user: User, register: Register | None = None) -> list[dict[str, Any]]:
    """Per register type and field: fields compared (at least one copy had a value), how many
    agreed and the rate in percent; the weakest fields first."""
    rows = (
        _results(user, register)
        .values(register_type=F("comparison__record__register__register_type"), key=F("field"))
        .annotate(compared=Count("id"), n_agreed=Count("id", filter=Q(agreed=True)))
        .order_by()
    )
    out = []
    for row in rows:
        rtype = record_type(row["register_type"])
        f = rtype.by_key.get(row["key"])
        agreed, compared = row["n_agreed"], row["compared"]
        out.append(
            {
                "register_type": row["register_type"],
                "key": row["key"],
                "label": f.label if f is not None else row["key"],
                "section": f.section if f is not None else "",
                "compared": compared,
                "agreed": agreed,
                "rate": _rate(agreed, compared),
            }
        )
    out.sort(key=lambda r: (r["rate"] if r["rate"] is not None else 101, r["register_type"]))
    return out


def agreement_by_operator(*, user: User, register: Register | None = None) -> list[dict[str, Any]]:
    """Per operator: fields of their copies compared, agreed, the rate, and `overruled`: the
    differences arbitration decided against their value."""
    results = _results(user, register)
    totals: dict[int, dict[str, int]] = {}
    for side in ("a", "b"):
        rows = (
            results.values(operator=F(f"comparison__copy_{side}__by"))
            .annotate(
                compared=Count("id"),
                n_agreed=Count("id", filter=Q(agreed=True)),
                overruled=Count(
                    "id",
                    filter=Q(agreed=False, decided_at__isnull=False) & ~Q(final=F(f"value_{side}")),
                ),
            )
            .order_by()
        )
        for row in rows:
            total = totals.setdefault(row["operator"], {"compared": 0, "agreed": 0, "overruled": 0})
            total["compared"] += row["compared"]
            total["agreed"] += row["n_agreed"]
            total["overruled"] += row["overruled"]
    people = User.objects.in_bulk(list(totals))
    out = [
        {"user": people[pk], **t, "rate": _rate(t["agreed"], t["compared"])}
        for pk, t in totals.items()
    ]
    out.sort(key=lambda r: (r["rate"] if r["rate"] is not None else 101, str(r["user"])))
    return out


def agreement_summary(*, user: User, register: Register | None = None) -> dict[str, Any]:
    """Records compared, agreed at once, waiting for and settled by arbitration."""
    qs = comparison_list_for_user(user)
    if register is not None:
        qs = qs.filter(record__register=register)
    counts = qs.aggregate(
        compared=Count("id"),
        agreed=Count("id", filter=Q(state=Comparison.State.AGREED)),
        waiting=Count("id", filter=Q(state=Comparison.State.ARBITRATION)),
        arbitrated=Count("id", filter=Q(state=Comparison.State.ARBITRATED)),
    )
    return {**counts, "rate": _rate(counts["agreed"], counts["compared"])}
