"""Which appearances of a name are probably one person: the rules, as pure functions.

An appearance is a party of a record reduced to a `Seen`: the record, the role, the folded name,
the sex (implied by the role for parents and spouses), the birth date as far as it is known, the
personal ID and the folded name of the partner in that record (the other parent, the spouse).

Two appearances are proposed as one person when their folded names are equal, their birth
years are equal and the rest does not contradict it (sex, month and day when both are known,
personal IDs when both are known), and the pair makes sense as one life:

- a person's own records: the child of a birth, the husband or wife of a marriage, the deceased
  of a death. Two births or two deaths of one name and date are not one person's two records but
  one case keyed twice: that is the duplicates review, not a link;
- a parent in a child's birth record and the same person's own record (a mother and the wife of
  a marriage, or the child of her own birth). When the partners agree too (the child's father
  is the husband of that marriage) the proposal is surer.

Appearances are blocked by (name, birth year); a block shared by more than `MAX_BLOCK`
appearances is a common name and date that proves nothing, and is not proposed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby, islice
from typing import NamedTuple

from django.utils.translation import gettext_lazy as _

#: Roles of a person's own records (births, marriages, deaths).
OWN_ROLES = frozenset({"registered", "husband", "wife", "deceased"})
#: Roles of a parent in a child's birth record.
PARENT_ROLES = frozenset({"mother", "father"})
ROLES = OWN_ROLES | PARENT_ROLES
#: A person has one birth and one death: two of them are duplicates, not a person's records.
ONCE_ROLES = frozenset({"registered", "deceased"})
IMPLIED_SEX = {"husband": "1", "father": "1", "wife": "2", "mother": "2"}
PARTNER = {"husband": "wife", "wife": "husband", "mother": "father", "father": "mother"}
MAX_BLOCK = 30
MIN_SCORE = 60
PARTNER_BONUS = 15

REASONS = {
    "name": _("cùng họ tên"),
    "year": _("cùng năm sinh"),
    "date": _("cùng ngày, tháng, năm sinh"),
    "month": _("cùng tháng, năm sinh"),
    "partner": _("cùng tên vợ/chồng"),
    "pid": _("cùng số định danh"),
}


class Seen(NamedTuple):
    record_id: int
    role: str
    name: str  # folded
    sex: str
    year: int | None
    month: int | None
    day: int | None
    pid: str = ""
    partner: str = ""  # folded name of the spouse or the other parent in the same record


@dataclass(frozen=True, slots=True)
class Proposal:
    a: tuple[int, str]  # (record id, role), a < b
    b: tuple[int, str]
    score: int
    reasons: tuple[str, ...]


def sex_of(role: str, sex: str) -> str:
    return IMPLIED_SEX.get(role, sex)


def compare(x: Seen, y: Seen) -> Proposal | None:
    """The proposal that `x` and `y` are one person, or None."""
    if x.record_id == y.record_id or not x.name or x.name != y.name:
        return None
    if x.year is None or x.year != y.year:
        return None
    if x.role in PARENT_ROLES and y.role in PARENT_ROLES:
        return None  # two children of one parent: each links to the parent's own records
    if x.role in ONCE_ROLES and x.role == y.role:
        return None
    if x.sex and y.sex and x.sex != y.sex:
        return None
    if x.pid and y.pid and x.pid != y.pid:
        return None
    reasons = ["name", "year"]
    score = 60
    if x.month and y.month:
        if x.month != y.month:
            return None
        if x.day and y.day:
            if x.day != y.day:
                return None
            reasons[-1] = "date"
            score += 20
        else:
            reasons[-1] = "month"
            score += 10
    if x.partner and y.partner and x.partner == y.partner:
        reasons.append("partner")
        score += PARTNER_BONUS
    if x.pid and x.pid == y.pid:
        reasons.append("pid")
        score += 20
    a, b = sorted(((x.record_id, x.role), (y.record_id, y.role)))
    return Proposal(a, b, min(score, 100), tuple(reasons))


def propose(seen: Iterable[Seen], seeds: set[int] | None = None) -> list[Proposal]:
    """Proposals among `seen`, surest first; with `seeds`, only those touching a seed record.

    `seen` must come ordered by birth year and name (the database does it, with an index), so
    each block is compared as it is read and the whole list is never held in memory.
    """
    found: list[Proposal] = []
    usable = (s for s in seen if s.name and s.year is not None and s.role in ROLES)
    for _key, block in groupby(usable, key=lambda s: (s.year, s.name)):
        members = list(islice(block, MAX_BLOCK + 1))
        if len(members) < 2 or len(members) > MAX_BLOCK:
            continue
        for i, x in enumerate(members):
            for y in members[i + 1 :]:
                if seeds is not None and x.record_id not in seeds and y.record_id not in seeds:
                    continue
                p = compare(x, y)
                if p is not None and p.score >= MIN_SCORE:
                    found.append(p)
    return sorted(set(found), key=lambda p: (-p.score, p.a, p.b))


def with_partners(
    proposals: Iterable[Proposal], partner: dict[tuple[int, str], str]
) -> list[Proposal]:
    """The proposals, surer where both appearances have the same partner (`partner`: the folded
    name of the spouse or other parent of each (record, role))."""
    out = []
    for p in proposals:
        mine, theirs = partner.get(p.a, ""), partner.get(p.b, "")
        if mine and mine == theirs and "partner" not in p.reasons:
            reasons = (*p.reasons[:2], "partner", *p.reasons[2:])
            p = Proposal(p.a, p.b, min(p.score + PARTNER_BONUS, 100), reasons)
        out.append(p)
    return sorted(out, key=lambda p: (-p.score, p.a, p.b))
