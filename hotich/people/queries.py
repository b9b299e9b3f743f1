"""Reads of the people app: who may use it, a person's appearances, links and duplicate pairs.

Everything is scoped through `record_list_for_user`: a party, a link or a duplicate pair is
visible only when every record it names is. Looking people up, confirming links and deciding
duplicates is for look-up officers and administrators, never contractor accounts (who key the
books, they do not answer citizens); starting the duplicates search is for administrators.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator

from django.db.models import Q, QuerySet

from hotich.accounts.models import Role, User
from hotich.people.links import PARTNER, ROLES, Seen, sex_of
from hotich.people.models import DuplicatePair, PersonLink
from hotich.records.models import Party, Record
from hotich.records.queries import record_list_for_user

PEOPLE_ROLES = frozenset({Role.LOOKUP, Role.UNIT_ADMIN, Role.PROVINCE_ADMIN})
#: The most appearances a person view follows through confirmed links.
MAX_PERSON = 60

Node = tuple[int, str]  # (record id, role)


def people_allowed(user: User) -> bool:
    return bool(user.is_authenticated and user.role in PEOPLE_ROLES and not user.is_contractor)


def duplicates_can_search(user: User) -> bool:
    return bool(user.is_authenticated and user.is_admin and not user.is_contractor)


def party_list_for_user(user: User) -> QuerySet[Party]:
    return Party.objects.filter(record__in=record_list_for_user(user))


def person_link_list_for_user(user: User) -> QuerySet[PersonLink]:
    visible = record_list_for_user(user)
    return PersonLink.objects.filter(record_a__in=visible, record_b__in=visible)


def duplicate_pair_list_for_user(user: User) -> QuerySet[DuplicatePair]:
    visible = record_list_for_user(user)
    return DuplicatePair.objects.filter(record_a__in=visible, record_b__in=visible)


def duplicate_pairs_open(user: User) -> QuerySet[DuplicatePair]:
    """Open pairs the user sees, surest first."""
    return (
        duplicate_pair_list_for_user(user)
        .filter(status=DuplicatePair.Status.OPEN)
        .select_related("record_a__register", "record_b__register")
        .order_by("-score", "found_at", "id")
    )


def seen_rows(parties: QuerySet[Party]) -> Iterator[Seen]:
    """The appearances (`links.Seen`) of the parties, by birth year and name (the order
    `links.propose` reads blocks in), streamed; partners are added later (`partners_of`)."""
    rows = (
        parties.filter(role__in=ROLES, birth_year__isnull=False)
        .exclude(name_key="")
        .order_by("birth_year", "name_key")
        .values_list(
            "record_id", "role", "name_key", "sex", "birth_year", "birth_month", "birth_day", "pid"
        )
        .iterator(chunk_size=20_000)
    )
    for rid, role, name, sex, year, month, day, pid in rows:
        yield Seen(rid, role, name, sex_of(role, sex), year, month, day, pid)


def partners_of(record_ids: Iterable[int]) -> dict[Node, str]:
    """The folded name of each spouse's and parent's partner in the same record:
    (record, "wife") → the husband's name, (record, "mother") → the father's."""
    ids = sorted(set(record_ids))
    names: dict[Node, str] = {}
    for start in range(0, len(ids), 5000):
        rows = (
            Party.objects.filter(record_id__in=ids[start : start + 5000], role__in=PARTNER)
            .exclude(name_key="")
            .values_list("record_id", "role", "name_key")
        )
        for rid, role, name in rows:
            names[(rid, PARTNER[role])] = name
    return names


def person_links_of(nodes: Iterable[Node], links: QuerySet[PersonLink]) -> list[PersonLink]:
    """The links (of `links`, already scoped) touching any of `nodes`."""
    q = Q()
    for rid, role in nodes:
        q |= Q(record_a_id=rid, role_a=role) | Q(record_b_id=rid, role_b=role)
    if not q:
        return []
    return list(links.filter(q))


def person_nodes(user: User, start: Node) -> tuple[list[Node], list[PersonLink]]:
    """The appearances of one person: `start` and every appearance reachable from it through
    confirmed links the user sees, and every link (any status) touching them."""
    scoped = person_link_list_for_user(user)
    seen = {start}
    order = [start]
    queue = deque([start])
    links: dict[int, PersonLink] = {}
    while queue and len(order) < MAX_PERSON:
        batch = [queue.popleft() for _ in range(len(queue))]
        for link in person_links_of(batch, scoped):
            links[link.pk] = link
            if link.status != PersonLink.Status.CONFIRMED:
                continue
            for node in ((link.record_a_id, link.role_a), (link.record_b_id, link.role_b)):
                if node not in seen and len(order) < MAX_PERSON:
                    seen.add(node)
                    order.append(node)
                    queue.append(node)
    return order, sorted(links.values(), key=lambda k: (-k.score, k.pk))


def records_by_id(user: User, ids: Iterable[int]) -> dict[int, Record]:
    return {
        r.pk: r
        for r in record_list_for_user(user)
        .filter(pk__in=set(ids))
        .select_related("register__custodian")
        .prefetch_related("parties")
    }
