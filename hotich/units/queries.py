"""Reads of administrative units: the type-ahead search and the succession links.

`unit_search` is the one search every picker, page and import uses. It matches the accent-free
`search_key` ("xa phuoc tinh huyen long dien tinh ba ria vung tau") with one LIKE per query token:
a scan of ~14,000 short rows, a few milliseconds on SQLite and PostgreSQL, so no trigram or
full-text index is needed. Exact and leading name matches come first, with or without the unit's
kind ("Phước Tỉnh" and "Xã Phước Tỉnh" both match the name "Xã Phước Tỉnh" exactly).
"""

from __future__ import annotations

import datetime as dt
import operator
from functools import reduce

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404

from hotich.core.text import fold
from hotich.units.models import AdminUnit, UnitSuccession

MAX_RESULTS = 50

# Folded kinds a unit's name may start with; a query without one still matches the name exactly.
_KIND_PREFIXES = (
    "tinh",
    "thanh pho",
    "quan",
    "huyen",
    "thi xa",
    "xa",
    "phuong",
    "thi tran",
    "dac khu",
)


def _with_kinds(key: str) -> list[str]:
    return [key] + [f"{kind} {key}" for kind in _KIND_PREFIXES if not key.startswith(kind + " ")]


def _rank(tokens: list[str]) -> Case:
    key = " ".join(tokens)
    names = _with_kinds(key)
    starts = reduce(operator.or_, (Q(name_key__startswith=name) for name in names))
    # "phuoc tinh long dien": the name, then its district or province.
    leading = [name for n in range(1, len(tokens)) for name in _with_kinds(" ".join(tokens[:n]))]
    return Case(
        When(name_key__in=names, then=Value(0)),
        When(starts, then=Value(1)),
        When(name_key__contains=key, then=Value(2)),
        When(name_key__in=leading or [""], then=Value(3)),
        default=Value(4),
        output_field=IntegerField(),
    )


def unit_search_queryset(
    q: str,
    *,
    era: str | None = None,
    level: str | None = None,
    on_date: dt.date | None = None,
) -> QuerySet[AdminUnit]:
    """Units whose full name holds every word of `q` (accents and case ignored), best first."""
    key = fold(q)
    tokens = list(dict.fromkeys(key.split()))
    if not tokens:
        return AdminUnit.objects.none()
    qs = AdminUnit.objects.all()
    if era:
        qs = qs.filter(era=era)
    if level:
        qs = qs.filter(level=level)
    if on_date:
        qs = qs.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on_date))
        qs = qs.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on_date))
    phrase = qs.filter(search_key__contains=" ".join(tokens))
    if len(tokens) > 1 and phrase.exists():
        # The words as typed, side by side ("phuoc tinh"): scattered matches ("Phước ... Tỉnh
        # Đồng Nai", where "tinh" is the province's kind) would only bury the unit meant.
        qs = phrase
    else:
        for token in tokens:
            qs = qs.filter(search_key__contains=token)
    return qs.annotate(
        rank=_rank(tokens),
        era_rank=Case(When(era=AdminUnit.Era.Y2025, then=Value(0)), default=Value(1)),
        level_rank=Case(
            When(level=AdminUnit.Level.PROVINCE, then=Value(0)),
            When(level=AdminUnit.Level.DISTRICT, then=Value(1)),
            default=Value(2),
        ),
    ).order_by("rank", "era_rank", "level_rank", "name_key", "search_key", "pk")


def unit_search(
    q: str,
    *,
    era: str | None = None,
    level: str | None = None,
    on_date: dt.date | None = None,
    limit: int = 20,
) -> list[AdminUnit]:
    """The best `limit` units for a type-ahead query (at most `MAX_RESULTS`)."""
    limit = max(1, min(limit, MAX_RESULTS))
    return list(unit_search_queryset(q, era=era, level=level, on_date=on_date)[:limit])


def unit_get(pk: int) -> AdminUnit:
    """One unit with its parent chain loaded and `children_count`; 404 if absent."""
    qs = AdminUnit.objects.select_related("parent__parent").annotate(
        children_count=Count("children")
    )
    return get_object_or_404(qs, pk=pk)


def unit_ancestors(unit: AdminUnit) -> list[AdminUnit]:
    """Parents from the province down, without the unit itself."""
    chain = []
    parent = unit.parent
    while parent is not None:
        chain.append(parent)
        parent = parent.parent
    return chain[::-1]


def unit_successors(unit: AdminUnit) -> list[UnitSuccession]:
    """Links to the units this one became, the default successor first."""
    return list(
        UnitSuccession.objects.filter(old=unit)
        .select_related("new__parent")
        .order_by("-is_default", "new__name_key", "pk")
    )


def unit_predecessors(unit: AdminUnit) -> list[UnitSuccession]:
    """Links from the units this one was formed from."""
    return list(
        UnitSuccession.objects.filter(new=unit)
        .select_related("old__parent__parent")
        .order_by("old__level", "old__search_key", "pk")
    )
