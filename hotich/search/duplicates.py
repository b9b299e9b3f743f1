"""Probable duplicates: the same case keyed twice, in one register or across registers and offices.

A record is reduced to a *case*: its type, the principal person (the first headline role: the
child of a birth, the deceased of a death, the husband of a marriage ...) with sex and birth date,
and the names of the other people (mother, father, wife, child ..., not the declarant). Names are
compared folded (`core.text.fold`), so a name keyed without diacritics, in capitals or with other
tone marks is the same name.

Candidates come from blocking: two records are compared only when they share one of these keys,
so the work grows with the number of records, not its square:

1. type, principal name, birth year — finds date typos and a day keyed as the month;
2. type, birth year, day-and-month as an unordered pair, principal's given name — finds typos in
   the family or middle name;
3. type, birth year, day-and-month unordered, family name, sex — finds typos in the given name;
4. type, the other people's names — finds a record whose name and date both differ.

A compared pair is a probable duplicate when the principal names differ by at most two edits
(Levenshtein, on folded names; one edit for names shorter than `LONG_NAME`: two edits turn
"nguyen thi ha" into "nguyen thi ly"), the birth years are equal and day and month are equal,
swapped, or one date lacks them; the registration dates, when both are known, are equal or differ
by a keying error (one character, or day and month exchanged); no other person present in both
records differs by more edits than a name may; and at least one other person agrees unless name
and date both agree exactly. Each difference lowers a score from 100 (an edit in the principal's
name 12, in another person's name 6, a swapped or partial date 10 or 20, a registration date
keyed differently 5); below `MIN_SCORE` the differences add up to another case. Two records of the
same register with different registration numbers are never the same case (twins are). A block
larger than `MAX_BLOCK` (a key shared by very many records says nothing) is not compared.

Pure Python over tuples, so it can run on a million records in a background job; the database
part is `cases_from_db`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from rapidfuzz.distance import Levenshtein

MAX_BLOCK = 400
#: Below this score the differences add up to another case (two names two edits apart each).
MIN_SCORE = 70
MAX_EDITS = 2
#: Names shorter than this may differ by one edit only ("nguyen thi ha" and "nguyen thi ly" are
#: two edits apart and two different names).
LONG_NAME = 14


class Case(NamedTuple):
    record_id: int
    register_id: int
    rtype: str
    number: str
    name: str  # folded
    sex: str
    year: int | None
    month: int | None
    day: int | None
    #: (role, folded name) of the other people, sorted by role.
    others: tuple[tuple[str, str], ...]
    #: the registration date, ISO ("2010-03-10"), or "".
    registered: str = ""


@dataclass(frozen=True, slots=True)
class Pair:
    a: int  # record ids, a < b
    b: int
    score: int  # 0-100, higher is surer
    reasons: tuple[str, ...]


def _day_month(case: Case) -> tuple[int, int] | None:
    if case.month and case.day:
        return (min(case.month, case.day), max(case.month, case.day))
    return None


def _keys(case: Case) -> Iterator[tuple[Any, ...]]:
    name = case.name
    if not name:
        return
    if case.year:
        yield (1, case.rtype, name, case.year)
        dm = _day_month(case)
        if dm:
            tokens = name.split()
            yield (2, case.rtype, case.year, dm, tokens[-1])
            yield (3, case.rtype, case.year, dm, tokens[0], case.sex)
    if case.others:
        yield (4, case.rtype, case.others)


def _edits(a: str, b: str) -> int:
    """Edits between two folded texts; more than allowed for their length is MAX_EDITS + 1."""
    allowed = MAX_EDITS if min(len(a), len(b)) >= LONG_NAME else 1
    edits = Levenshtein.distance(a, b, score_cutoff=allowed)
    return edits if edits <= allowed else MAX_EDITS + 1


def _swapped_iso(a: str, b: str) -> bool:
    return len(a) == len(b) == 10 and a[:4] == b[:4] and a[5:7] == b[8:10] and a[8:10] == b[5:7]


def compare(x: Case, y: Case) -> Pair | None:
    """The pair, when `x` and `y` look like one case keyed twice; else None."""
    if x.rtype != y.rtype:
        return None
    if x.register_id == y.register_id and x.number and y.number and x.number != y.number:
        return None
    if x.sex and y.sex and x.sex != y.sex:
        return None
    if x.year != y.year or x.year is None:
        return None
    name_edits = _edits(x.name, y.name)
    if name_edits > MAX_EDITS:
        return None
    registered = ""
    if x.registered and y.registered and x.registered != y.registered:
        # The same case was registered once: its date may carry a typo, never another day.
        if _swapped_iso(x.registered, y.registered):
            registered = "registered:swapped"
        elif _edits(x.registered, y.registered) <= 1:
            registered = "registered:1"
        else:
            return None
    reasons: list[str] = [registered] if registered else []
    score = 100 - 12 * name_edits - (5 if registered else 0)
    if name_edits:
        reasons.append(f"name:{name_edits}")
    if (x.month, x.day) == (y.month, y.day):
        date_exact = True
    elif x.month and x.day and (x.month, x.day) == (y.day, y.month):
        date_exact = False
        reasons.append("date:swapped")
        score -= 10
    elif not (x.month and x.day and y.month and y.day):
        date_exact = False
        reasons.append("date:partial")
        score -= 20
    else:
        return None
    agree = 0
    theirs = dict(y.others)
    for role, name in x.others:
        other = theirs.get(role)
        if not other or not name:
            continue
        edits = _edits(name, other)
        if edits > MAX_EDITS:
            return None
        agree += 1
        if edits:
            reasons.append(f"{role}:{edits}")
            score -= 6 * edits
    if not agree:
        if name_edits or not date_exact:
            return None
        reasons.append("others:none")
        score -= 25
    if score < MIN_SCORE:
        return None
    a, b = sorted((x.record_id, y.record_id))
    return Pair(a, b, score, tuple(reasons))


def find_pairs(cases: Iterable[Case]) -> tuple[list[Pair], dict[str, int]]:
    """Probable duplicate pairs, surest first, and counts of the work done."""
    blocks: dict[tuple[Any, ...], list[Case]] = defaultdict(list)
    n = 0
    for case in cases:
        n += 1
        for key in _keys(case):
            blocks[key].append(case)
    found: dict[tuple[int, int], Pair] = {}
    compared = skipped = 0
    for members in blocks.values():
        size = len(members)
        if size < 2:
            continue
        if size > MAX_BLOCK:
            skipped += 1
            continue
        for i in range(size - 1):
            x = members[i]
            for j in range(i + 1, size):
                y = members[j]
                compared += 1
                key = (
                    (x.record_id, y.record_id)
                    if x.record_id < y.record_id
                    else (y.record_id, x.record_id)
                )
                if key in found:
                    continue
                pair = compare(x, y)
                if pair is not None:
                    found[key] = pair
    blocks.clear()
    pairs = sorted(found.values(), key=lambda p: (-p.score, p.a, p.b))
    return pairs, {"cases": n, "compared": compared, "blocks_skipped": skipped}


def _case(current: list[Any], others: list[tuple[str, str]], when: str) -> Case:
    rid, register_id, rtype, number, name, sex, year, month, day = current
    return Case(
        rid, register_id, rtype, number, name, sex, year, month, day, tuple(sorted(others)), when
    )


def cases_from_db(records: Any) -> Iterator[Case]:
    """Cases of the records of the queryset `records`, read in one ordered pass over parties."""
    from hotich.records.models import Party
    from hotich.records.schema import record_type

    principal: dict[str, str] = {}

    def first_role(rtype: str) -> str:
        role = principal.get(rtype)
        if role is None:
            t = record_type(rtype)
            role = principal[rtype] = (t.headline or (t.roles[0].key,))[0]
        return role

    rows = (
        Party.objects.filter(record__in=records)
        .exclude(role="declarant")
        .order_by("record_id", "id")
        .values_list(
            "record_id",
            "record__register_id",
            "record__register__register_type",
            "record__number",
            "role",
            "name_key",
            "sex",
            "birth_year",
            "birth_month",
            "birth_day",
            "record__registration_date",
        )
        .iterator(chunk_size=20_000)
    )
    current: list[Any] | None = None
    others: list[tuple[str, str]] = []
    when = ""
    for rid, register_id, rtype, number, role, name, sex, year, month, day, registered in rows:
        if current is None or current[0] != rid:
            if current is not None:
                yield _case(current, others, when)
            current = [rid, register_id, rtype, number, "", "", None, None, None]
            others = []
            when = registered.isoformat() if registered else ""
        if role == first_role(rtype) and not current[4]:
            current[4:9] = [name, sex, year, month, day]
        elif name:
            others.append((role, name))
    if current is not None:
        yield _case(current, others, when)
