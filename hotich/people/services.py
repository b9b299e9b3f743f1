"""Writes of the people app: propose, confirm and reject person links; find and decide
probable duplicates; log every view of a person.

Each public function checks who may act (`queries.people_allowed`, `duplicates_can_search`) and
that every record it touches is in the actor's scope, writes in one transaction and records an
audit event in it. The searches over a whole scope run as background jobs (`tasks.py`); what
they store keeps every decision already made: a decided link or pair is never proposed again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hotich.accounts.models import User
from hotich.core.audit import audit_record
from hotich.core.jobs import job_enqueue
from hotich.core.models import Job
from hotich.people.links import propose, with_partners
from hotich.people.models import DuplicatePair, PersonLink
from hotich.people.queries import (
    duplicates_can_search,
    partners_of,
    party_list_for_user,
    people_allowed,
    seen_rows,
)
from hotich.records.models import Party, Record
from hotich.records.queries import record_list_for_user
from hotich.search.duplicates import cases_from_db, find_pairs

LINKS_PROPOSE = "people.links_propose"
DUPLICATES_FIND = "people.duplicates_find"
Progress = Callable[[int, int, str], None]


class PeopleError(Exception):
    """A request the rules refuse; nothing was written. `str()` says why."""


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(
            _("Chỉ cán bộ tra cứu và quản trị đơn vị được xem và xác nhận hồ sơ một người.")
        )


def _visible(actor: User, *record_ids: int) -> None:
    ids = set(record_ids)
    if record_list_for_user(actor).filter(pk__in=ids).count() != len(ids):
        raise PermissionDenied(_("Trường hợp này nằm ngoài phạm vi của bạn."))


# Person links ------------------------------------------------------------------------------


def _links_from(record_ids: list[int]) -> dict[tuple[int, str, int, str], PersonLink]:
    """Stored links whose first record is one of `record_ids` (read in chunks: a scope-wide run
    may name more records than a query may carry parameters)."""
    ids = sorted(set(record_ids))
    found = {}
    for start in range(0, len(ids), 5000):
        for link in PersonLink.objects.filter(record_a_id__in=ids[start : start + 5000]):
            found[(link.record_a_id, link.role_a, link.record_b_id, link.role_b)] = link
    return found


@transaction.atomic
def person_links_propose(
    *, actor: User, records: Iterable[Record] | None = None, progress: Progress | None = None
) -> dict[str, int]:
    """Propose links among the parties the actor sees; with `records`, only links of those.

    New proposals are stored; open ones get the current score; decided ones stay as decided.
    """
    _require(people_allowed(actor))
    pool = party_list_for_user(actor)
    seeds: set[int] | None = None
    if records is not None:
        seeds = {r.pk for r in records}
        _visible(actor, *seeds)
        keys = set(
            Party.objects.filter(record_id__in=seeds, birth_year__isnull=False)
            .exclude(name_key="")
            .values_list("name_key", "birth_year")
        )
        if not keys:
            return {"proposed": 0, "updated": 0, "kept": 0}
        q = Q()
        for name, year in keys:
            q |= Q(name_key=name, birth_year=year)
        pool = pool.filter(q)
    if progress:
        progress(0, 0, _("Đang đọc danh sách người…"))
    proposals = propose(seen_rows(pool), seeds)
    proposals = with_partners(
        proposals, partners_of([p.a[0] for p in proposals] + [p.b[0] for p in proposals])
    )
    existing = _links_from([p.a[0] for p in proposals])
    new: list[PersonLink] = []
    changed: list[PersonLink] = []
    kept = 0
    for p in proposals:
        link = existing.get((*p.a, *p.b))
        if link is None:
            new.append(
                PersonLink(
                    record_a_id=p.a[0],
                    role_a=p.a[1],
                    record_b_id=p.b[0],
                    role_b=p.b[1],
                    score=p.score,
                    reasons=list(p.reasons),
                )
            )
        elif link.status == PersonLink.Status.PROPOSED:
            link.score, link.reasons = p.score, list(p.reasons)
            changed.append(link)
        else:
            kept += 1
    PersonLink.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
    PersonLink.objects.bulk_update(changed, ["score", "reasons"], batch_size=2000)
    counts = {"proposed": len(new), "updated": len(changed), "kept": kept}
    audit_record(
        actor=actor,
        action="person_link.propose",
        object_type="people.personlink",
        after={**counts, "records": sorted(seeds) if seeds is not None else "scope"},
    )
    return counts


def person_links_propose_start(*, actor: User) -> Job:
    """Propose links over the actor's whole scope, in a background job."""
    _require(people_allowed(actor))
    return job_enqueue(kind=LINKS_PROPOSE, args={"user": actor.pk}, user=actor)


@transaction.atomic
def person_link_decide(
    *, actor: User, link: PersonLink, confirmed: bool, note: str = ""
) -> PersonLink:
    """Confirm (one person) or reject (two people) a link; a decision may be changed later,
    and each one is audited with the one before."""
    _require(people_allowed(actor))
    link = PersonLink.objects.select_for_update().get(pk=link.pk)
    _visible(actor, link.record_a_id, link.record_b_id)
    before = {"status": link.status, "note": link.note}
    link.status = PersonLink.Status.CONFIRMED if confirmed else PersonLink.Status.REJECTED
    link.note = note.strip()[:500]
    link.decided_by, link.decided_at = actor, timezone.now()
    link.save(update_fields=["status", "note", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action="person_link.confirm" if confirmed else "person_link.reject",
        obj=link,
        before=before,
        after={
            "status": link.status,
            "note": link.note,
            "a": [link.record_a_id, link.role_a],
            "b": [link.record_b_id, link.role_b],
            "score": link.score,
        },
    )
    return link


@transaction.atomic
def person_view_log(*, actor: User, party: Party, record_ids: list[int], purpose: str = "") -> None:
    """Every view of a person is logged: who, when, whom, why, which records were shown."""
    _require(people_allowed(actor))
    audit_record(
        actor=actor,
        action="person.view",
        object_type="records.party",
        object_id=party.pk,
        object_repr=party.full_name,
        after={
            "record": party.record_id,
            "role": party.role,
            "record_ids": record_ids,
            "purpose": purpose.strip()[:255],
        },
    )


# Probable duplicates -----------------------------------------------------------------------


def duplicates_find_start(*, actor: User) -> Job:
    """Search the actor's scope for probable duplicates, in a background job."""
    if not duplicates_can_search(actor):
        raise PermissionDenied(_("Chỉ quản trị đơn vị được chạy tìm bản trùng."))
    return job_enqueue(kind=DUPLICATES_FIND, args={"user": actor.pk}, user=actor)


def _counted(cases: Iterable[Any], total: int, progress: Progress | None) -> Iterable[Any]:
    for n, case in enumerate(cases, 1):
        if progress and n % 5000 == 0:
            progress(n, total, "")
        yield case


def duplicates_find(*, actor: User, progress: Progress | None = None) -> dict[str, int]:
    """Run the duplicate detection over the records the actor sees and store its pairs: new
    ones open, open ones with the current score, decided ones untouched; an open pair of the
    scope no longer found (a record was corrected) is dropped."""
    if not duplicates_can_search(actor):
        raise PermissionDenied(_("Chỉ quản trị đơn vị được chạy tìm bản trùng."))
    records = record_list_for_user(actor)
    total = records.count()
    if progress:
        progress(0, total, "")
    pairs, work = find_pairs(_counted(cases_from_db(records), total, progress))
    with transaction.atomic():
        existing = {
            (d.record_a_id, d.record_b_id): d
            for d in DuplicatePair.objects.filter(record_a__in=records, record_b__in=records)
        }
        new: list[DuplicatePair] = []
        changed: list[DuplicatePair] = []
        kept = 0
        for p in pairs:
            pair = existing.pop((p.a, p.b), None)
            if pair is None:
                new.append(
                    DuplicatePair(
                        record_a_id=p.a, record_b_id=p.b, score=p.score, reasons=p.reasons
                    )
                )
            elif pair.status == DuplicatePair.Status.OPEN:
                pair.score, pair.reasons = p.score, list(p.reasons)
                changed.append(pair)
            else:
                kept += 1
        stale = [d.pk for d in existing.values() if d.status == DuplicatePair.Status.OPEN]
        DuplicatePair.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
        DuplicatePair.objects.bulk_update(changed, ["score", "reasons"], batch_size=2000)
        DuplicatePair.objects.filter(pk__in=stale).delete()
        counts = {
            "found": len(pairs),
            "new": len(new),
            "updated": len(changed),
            "kept": kept,
            "dropped": len(stale),
            "records": total,
            "compared": work["compared"],
        }
        audit_record(
            actor=actor, action="duplicates.find", object_type="people.duplicatepair", after=counts
        )
    if progress:
        progress(total, total, "")
    return counts


@transaction.atomic
def duplicate_pair_decide(
    *, actor: User, pair: DuplicatePair, same: bool, note: str = ""
) -> DuplicatePair:
    """Decide whether two records are one case keyed twice. A decided pair stays decided: the
    search never proposes it again, and a second decision is refused."""
    _require(people_allowed(actor))
    pair = DuplicatePair.objects.select_for_update().get(pk=pair.pk)
    _visible(actor, pair.record_a_id, pair.record_b_id)
    if pair.status != DuplicatePair.Status.OPEN:
        raise PeopleError(
            _("Cặp này đã được quyết định: %(status)s.")
            % {"status": DuplicatePair.Status(pair.status).label}
        )
    pair.status = DuplicatePair.Status.SAME if same else DuplicatePair.Status.NOT_SAME
    pair.note = note.strip()[:500]
    pair.decided_by, pair.decided_at = actor, timezone.now()
    pair.save(update_fields=["status", "note", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action="duplicate.same" if same else "duplicate.not_same",
        obj=pair,
        before={"status": DuplicatePair.Status.OPEN},
        after={
            "status": pair.status,
            "note": pair.note,
            "records": [pair.record_a_id, pair.record_b_id],
            "score": pair.score,
            "reasons": pair.reasons,
        },
    )
    return pair
