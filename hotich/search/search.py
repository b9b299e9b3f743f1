"""Person search over every party of every record the user may see (decision 0014).

The query is folded like the stored keys (`core.text.fold`), then answered in ranked tiers, each
an index range or an `IN` list on `Party`, with the user's scope and the filters in the same SQL:

0. the exact key (`name_key = q`), or an exact personal ID / identity-document number;
1. one-character differences: keys with one known syllable changed (`vocabulary.name_variants`);
2. the name begins with the query ("trần thị": the family and middle names);
3. the name ends with the query ("văn an": the given name), on the reversed key `name_rev`.

A page is filled tier by tier, each read in index order and cut at what the page still needs, so
a first page of 50 reads a few hundred index entries whatever the table's size. A prefix is a
byte range (`>= "tran thi "` and `< "tran thi!"`): on SQLite `LIKE` is case-insensitive and
skips the index; on PostgreSQL the keys are compared `COLLATE "C"`, as their indexes hold them
(`records.models.Bytewise`), so ranges and their order use the index whatever the collation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import Q, QuerySet

from hotich.accounts.models import User
from hotich.core.text import fold
from hotich.records.models import Party
from hotich.records.schema.types import ROLES
from hotich.registers.models import Assignment, Register
from hotich.registers.queries import register_list_for_user
from hotich.review.queries import record_list_for_review
from hotich.search.vocabulary import name_variants, vocabulary
from hotich.units.models import AdminUnit, UnitSuccession

PAGE_SIZE = 50
MAX_PAGE = 200
PARENT_ROLES = ("mother", "father", "parent", "adoptive_father", "adoptive_mother")
#: the roles that have the record's parents as their parents
CHILD_ROLES = ("registered", "child", "adoptee")

EXACT, ONE_OFF, PREFIX, SUFFIX = 0, 1, 2, 3

ROLE_LABELS = {r.key: r.label for r in ROLES.values()}
_ID_LIKE = re.compile(r"^[A-Za-z]{0,2}\d{6,}$")


@dataclass(frozen=True)
class Criteria:
    """What was asked, parsed (see `forms.SearchForm`)."""

    q: str = ""
    register_type: str = ""
    year_from: int | None = None
    year_to: int | None = None
    authority: str = ""
    birth_year: int | None = None
    birth_month: int | None = None
    birth_day: int | None = None
    parent: str = ""
    role: str = ""

    @property
    def key(self) -> str:
        return fold(self.q)

    @property
    def id_number(self) -> str:
        """The query as a personal ID / document number ("" when it is not one)."""
        compact = re.sub(r"[\s.\-]", "", self.q)
        return compact.upper() if _ID_LIKE.match(compact) else ""

    @property
    def is_empty(self) -> bool:
        return not self.key


class Parent(NamedTuple):
    pk: int
    record_id: int
    role: str
    full_name: str
    birth_text: str

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS.get(self.role, self.role))


_SHOWN = (
    "id", "role", "full_name", "sex", "birth_text", "pid", "id_number", "record_id",
    "register_id", "record__id", "record__number", "record__registration_date",
    "record__sequence", "record__status", "record__register_id", "record__register__id",
    "record__register__register_type", "record__register__volume",
    "record__register__year_start", "record__register__year_end",
    "record__register__authority_name", "record__register__status",
)  # fmt: skip


@dataclass
class Hit:
    party: Party
    rank: int
    parents: list[Parent] = field(default_factory=list)
    can_key: bool = False
    can_review: bool = False

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS.get(self.party.role, self.party.role))


@dataclass
class SearchPage:
    hits: list[Hit]
    page: int
    has_next: bool

    @property
    def record_ids(self) -> list[int]:
        return list(dict.fromkeys(h.party.record_id for h in self.hits))


def _reverse(key: str) -> str:
    return " ".join(reversed(key.split()))


def authority_registers(text: str) -> QuerySet[Register]:
    """Registers whose authority is named like `text`: as written in the book, or a unit of
    that name today or before, with every unit merged into it (successions, transitively)."""
    tokens = fold(text).split()
    if not tokens:
        return Register.objects.all()
    written = Q()
    named = AdminUnit.objects.all()
    for token in tokens:
        written &= Q(authority_key__contains=token)
        named = named.filter(search_key__contains=token)
    units = set(named.values_list("pk", flat=True)[:200])
    frontier = set(units)
    while frontier:  # old units merged into these, and the ones merged into those
        older = set(
            UnitSuccession.objects.filter(new__in=frontier).values_list("old_id", flat=True)
        )
        frontier = older - units
        units |= frontier
    return Register.objects.filter(written | Q(authority_unit__in=units))


_P = '"records_party"'


def _subquery(qs: QuerySet[Any]) -> tuple[str, list[Any]]:
    sql, params = qs.order_by().values("pk").query.sql_with_params()
    return sql, list(params)


#: Up to this many registers, a PostgreSQL scope goes into the statement as a constant array.
INLINE_SCOPE_MAX = 5000


def _scope(registers: QuerySet[Register]) -> tuple[str, list[Any]]:
    """The registers as what `_register_in` checks: on PostgreSQL a constant array when they
    are not too many, else (and on SQLite) a subquery.

    PostgreSQL checks `x = ANY(constant array)` with a hash table built once, but searches an
    array computed at run time (`ARRAY(subquery)`) element by element for every index entry
    read: a common name of a large province is thousands of entries, each compared with the
    hundreds of registers of an office. The array is `bigint[]` like the column, since the hash
    check needs both sides of one type.
    """
    if connection.vendor == "postgresql":
        ids = list(registers.order_by().values_list("pk", flat=True)[: INLINE_SCOPE_MAX + 1])
        if len(ids) <= INLINE_SCOPE_MAX:
            return "%s::bigint[]", [ids]
        sql, params = _subquery(registers)
        return f"ARRAY({sql})", params
    return _subquery(registers)


def _register_in(registers_sql: str, table: str = _P) -> str:
    """The party's register is one of these (`_scope`): checked on the name index's register
    column.

    PostgreSQL would turn `IN (subquery)` into a join that reads every row of the name range;
    `= ANY(array)` is checked as the index is read in order (an index-only scan, the index
    includes the id), `+ 0` keeping it a filter so that the order is the index's and reading
    stops at the page.
    """
    if connection.vendor == "postgresql":
        return f'({table}."register_id" + 0) = ANY({registers_sql})'
    return f'+{table}."register_id" IN ({registers_sql})'


def _filters(user: User, c: Criteria) -> tuple[list[str], list[Any]]:
    """The scope and the filters as SQL conditions on the party and its record.

    The scope is a condition on `Party.register_id`, which every name index carries: a tier
    reads only its index until the page is full. Integer columns are written `+column`, which
    SQLite never reads through an index: every tier starts from its name index (without
    statistics SQLite would sometimes walk all the records of the scope instead).
    """
    conds: list[str] = []
    params: list[Any] = []
    # The register filters narrow the scope itself: one set of registers to check.
    registers = register_list_for_user(user)
    if c.register_type:
        registers = registers.filter(register_type=c.register_type)
    if c.authority.strip():
        registers = registers.filter(pk__in=authority_registers(c.authority).values("pk"))
    scope_sql, scope_params = _scope(registers)
    conds.append(_register_in(scope_sql))
    params += scope_params
    # The registration year is the party's copy of its record's: read in the name index.
    if c.year_from is not None:
        conds.append(f'+{_P}."registration_year" >= %s')
        params.append(c.year_from)
    if c.year_to is not None:
        conds.append(f'+{_P}."registration_year" <= %s')
        params.append(c.year_to)
    if c.role:
        conds.append(f'{_P}."role" = %s')
        params.append(c.role)
    # A date matches what the register wrote, however partial: "1990" matches 05.03.1990.
    if c.birth_month is not None:
        conds.append(f'({_P}."birth_month" = %s OR {_P}."birth_month" IS NULL)')
        params.append(c.birth_month)
    if c.birth_day is not None:
        conds.append(f'({_P}."birth_day" = %s OR {_P}."birth_day" IS NULL)')
        params.append(c.birth_day)
    parent = fold(c.parent)
    if parent:
        # The parents are in the same record, hence in the user's registers too.
        child_roles = ", ".join(["%s"] * len(CHILD_ROLES))
        records_sql, records_params = _parent_records(parent, scope_sql, scope_params)
        conds.append(f'{_P}."role" IN ({child_roles}) AND {_P}."record_id" {records_sql}')
        params += [*CHILD_ROLES, *records_params]
    return conds, params


#: Up to this many records of the parents, PostgreSQL gets them as a constant array.
INLINE_PARENT_RECORDS_MAX = 5000


def _parent_records(parent: str, scope_sql: str, scope_params: list[Any]) -> tuple[str, list[Any]]:
    """`IN (...)` / `= ANY(...)`: the records, in the scope, where a parent bears this name
    (the folded name itself, a name beginning or ending with it).

    The parents' names are selective: their records are found first, by name index. On
    PostgreSQL each of the three name conditions is an index-only scan of its own (the name
    indexes include the record and the role; an OR of them would read every row of the three
    ranges, inside the scope or not), and when the records are few they are read first and
    written into the statement, so that the children are read through their records instead of
    a name range that may hold millions of people ("le" with a mother's name).
    """
    roles = ", ".join(["%s"] * len(PARENT_ROLES))
    prefix, prefix_params = _prefix_sql("name_key", parent + " ", "u")
    suffix, suffix_params = _prefix_sql("name_rev", _reverse(parent) + " ", "u")
    scope = _register_in(scope_sql, "u")
    if connection.vendor != "postgresql":
        sql = (
            f'IN (SELECT u."record_id" FROM {_P} u WHERE u."role" IN ({roles})'
            f" AND ({_key('name_key', 'u')} = %s OR ({prefix}) OR ({suffix})) AND {scope})"
        )
        params = [*PARENT_ROLES, parent, *prefix_params, *suffix_params, *scope_params]
        return sql, params
    branches, params = [], []
    for cond, cond_params in (
        (f"{_key('name_key', 'u')} = %s", [parent]),
        (prefix, prefix_params),
        (suffix, suffix_params),
    ):
        branches.append(
            f'SELECT u."record_id" FROM {_P} u WHERE {cond} AND u."role" IN ({roles}) AND {scope}'
        )
        params += [*cond_params, *PARENT_ROLES, *scope_params]
    union = " UNION ".join(branches)
    with connection.cursor() as cursor:
        cursor.execute(f"{union} LIMIT {INLINE_PARENT_RECORDS_MAX + 1}", params)
        ids = [row[0] for row in cursor.fetchall()]
    if len(ids) <= INLINE_PARENT_RECORDS_MAX:
        return "= ANY(%s::bigint[])", [ids]
    return f"IN ({union})", params


def _key(column: str, table: str = _P) -> str:
    """A folded key column as its index holds it: bytewise (`records.models.Bytewise`)."""
    if connection.vendor == "postgresql":
        return f'({table}."{column}" COLLATE "C")'
    return f'{table}."{column}"'


def _prefix_sql(column: str, prefix: str, table: str = _P) -> tuple[str, list[Any]]:
    """Keys that begin with `prefix` (which ends with a space), served by the column's index."""
    col = _key(column, table)
    return f"{col} >= %s AND {col} < %s", [prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)]


def _tiers(c: Criteria) -> list[tuple[int, str, list[Any], str]]:
    """(rank, condition, its parameters, sort column) of each tier, best first."""
    # The birth year goes with the name key, where (birth_year, name_key) serves both ("nguyen"
    # born 1990); elsewhere it is `+birth_year`, so that the tier's own index is the one read.
    year = plus_year = ""
    year_params: list[Any] = []
    if c.birth_year is not None:
        year, plus_year = f' AND {_P}."birth_year" = %s', f' AND +{_P}."birth_year" = %s'
        year_params = [c.birth_year]
    number = c.id_number
    if number:
        # Two tiers, each an equality on its own index (an OR would scan the table on SQLite);
        # `NOT (id_number = '')` repeats the partial index's condition, so SQLite may use it.
        by_document = f'{_P}."id_number" = %s AND NOT ({_P}."id_number" = \'\'){plus_year}'
        return [
            (EXACT, f'{_P}."pid" = %s{plus_year}', [number, *year_params], "pid"),
            (EXACT, by_document, [number, *year_params], "id_number"),
        ]
    key = c.key
    tiers = [(EXACT, f"{_key('name_key')} = %s{year}", [key, *year_params], "name_key")]
    if len(key.split()) >= 2:
        variants = name_variants(key, vocabulary())
        if variants:
            marks = ", ".join(["%s"] * len(variants))
            cond = f"{_key('name_key')} IN ({marks}){year}"
            tiers.append((ONE_OFF, cond, [*variants, *year_params], "name_key"))
    prefix, prefix_params = _prefix_sql("name_key", key + " ")
    tiers.append((PREFIX, prefix + year, [*prefix_params, *year_params], "name_key"))
    suffix, suffix_params = _prefix_sql("name_rev", _reverse(key) + " ")
    # ("an van an" both begins and ends with "an": `_ranked_ids` keeps its first tier.)
    # PostgreSQL has (birth_year, name_rev) too (migration 0007): a given name with a year is
    # a range of it. SQLite, without that index, filters the name_rev range by the year.
    suffix_year = year if connection.vendor == "postgresql" else plus_year
    tiers.append((SUFFIX, suffix + suffix_year, [*suffix_params, *year_params], "name_rev"))
    return tiers


def ranked_sql(user: User, criteria: Criteria, want: int) -> tuple[str, list[Any]]:
    """The statement of `_ranked_ids`: rows (party id, rank, sort key, register).

    Each tier reads at most `want` rows in the order of its name index, with the scope and
    the filters checked on the way; the tiers go to the database as one UNION ALL.
    """
    conds, base_params = _filters(user, criteria)
    where = " AND ".join(conds)
    source = _P
    parts, params = [], []
    for i, (rank, cond, cond_params, column) in enumerate(_tiers(criteria)):
        # The order is the index's own (key, register, id), so reading stops at `want` rows.
        order = f'{_key(column)}, {_P}."register_id", {_P}."id"'
        parts.append(
            f'SELECT * FROM (SELECT {_P}."id", {rank} AS r, {_P}."{column}" AS k,'
            f' {_P}."register_id" AS g FROM {source} WHERE {cond} AND {where}'
            f" ORDER BY {order} LIMIT {int(want)}) AS t{i}"
        )
        params += [*cond_params, *base_params]
    return " UNION ALL ".join(parts), params


def _ranked_ids(user: User, criteria: Criteria, want: int) -> list[tuple[int, int]]:
    """(party id, rank) of the first `want` matches, in rank order, from one statement."""
    sql, params = ranked_sql(user, criteria, want)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    rows.sort(key=lambda row: (row[1], row[2], row[3], row[0]))
    # A party is found twice when its name both begins and ends with the query, or when its
    # personal ID is also its document number: it keeps its first place.
    first: dict[int, int] = {}
    for pk, rank, _sort_key, _register in rows:
        first.setdefault(pk, rank)
    return list(first.items())[:want]


def person_search(user: User, criteria: Criteria, page: int = 1) -> SearchPage:
    """One page of ranked parties matching `criteria` among the records `user` may see."""
    page = max(1, min(page, MAX_PAGE))
    if criteria.is_empty:
        return SearchPage([], page, False)
    start = (page - 1) * PAGE_SIZE
    ranked = _ranked_ids(user, criteria, start + PAGE_SIZE + 1)
    shown = dict(ranked[start : start + PAGE_SIZE])
    return SearchPage(_hits(user, list(shown), shown), page, len(ranked) > start + PAGE_SIZE)


def _keyable(user: User, register_ids: set[int]) -> set[int]:
    """The registers among these the user may key (as `records.queries.record_can_key`)."""
    if user.is_admin and not user.is_contractor:
        return register_ids
    return set(
        Assignment.objects.filter(
            register_id__in=register_ids, active=True, task=Assignment.Task.KEYING
        )
        .filter(Q(user=user) | Q(office_id=user.office_id, user__isnull=True))
        .values_list("register_id", flat=True)
    )


def _hits(user: User, ids: list[int], ranked: dict[int, int]) -> list[Hit]:
    if not ids:
        return []
    # Only what a result shows: a record's keyed data can be 70 columns of JSON.
    parties = Party.objects.select_related("record__register").only(*_SHOWN).in_bulk(ids)
    record_ids = {p.record_id for p in parties.values()}
    parents: dict[int, list[Parent]] = {}
    rows = (
        Party.objects.filter(record_id__in=record_ids, role__in=PARENT_ROLES)
        .order_by("record_id", "id")
        .values_list("id", "record_id", "role", "full_name", "birth_text")
    )
    for row in rows:
        parent = Parent(*row)
        parents.setdefault(parent.record_id, []).append(parent)
    keyable = _keyable(user, {p.record.register_id for p in parties.values()})
    reviewable: set[int] = set()
    if user.role == "reviewer":  # the review screen is the page such a user may open
        reviewable = set(
            record_list_for_review(user)
            .filter(Q(can_review=True), pk__in=record_ids)
            .values_list("pk", flat=True)
        )
    hits = []
    for pk in ids:
        party = parties[pk]
        hits.append(
            Hit(
                party=party,
                rank=ranked[pk],
                parents=[p for p in parents.get(party.record_id, []) if p.pk != pk],
                can_key=party.record.register_id in keyable,
                can_review=party.record_id in reviewable,
            )
        )
    return hits


RANK_LABELS = {EXACT: "exact", ONE_OFF: "one_char", PREFIX: "prefix", SUFFIX: "suffix"}


def hit_json(hit: Hit) -> dict[str, Any]:
    """A hit as the API returns it (stable keys, documented in the OpenAPI schema)."""
    p = hit.party
    record = p.record
    register = record.register
    return {
        "party_id": p.pk,
        "rank": hit.rank,
        "match": RANK_LABELS[hit.rank],
        "name": p.full_name,
        "role": p.role,
        "sex": p.sex,
        "birth_date": p.birth_text,
        "personal_id": p.pid,
        "id_number": p.id_number,
        "record": {
            "id": record.pk,
            "register_type": register.register_type,
            "number": record.number,
            "registration_date": (
                record.registration_date.isoformat() if record.registration_date else None
            ),
            "status": record.status,
            "data_status": record.data_status,
            "register": {
                "id": register.pk,
                "volume": register.volume,
                "years": register.years_label,
                "authority": register.authority_name,
            },
        },
        "parents": [
            {"role": q.role, "name": q.full_name, "birth_date": q.birth_text} for q in hit.parents
        ],
    }
