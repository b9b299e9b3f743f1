"""Reads for acceptance: a register's completeness problems, who may accept and check, figures.

Completeness (`register_completeness`) compares what the register declares with what was
keyed, scanned and linked, and lists each problem under a stable key: a count that differs, a
gap or a repeat in the registration numbers of the registering authority, type and year (across
volumes, as numbering continues from one volume to the next), a page linked to no record, a
flagged page, a record without a scan, a record not yet verified. An explanation
(`CompletenessNote`) is attached to a key; the register may be accepted only when every
problem has one. Who may see a register is `register_list_for_user`; accepting is for the
administrators of its custodian, checking a sampled record for an independent reviewer.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from hotich.acceptance.domain import Rates, error_rates, passes
from hotich.acceptance.models import AcceptanceCheck, AcceptanceRound, CompletenessNote
from hotich.accounts.models import Office, User
from hotich.accounts.queries import office_scope_q
from hotich.records.models import Record
from hotich.records.schema import record_type
from hotich.registers.domain import Status as RegisterStatus
from hotich.registers.models import Register
from hotich.registers.queries import register_list_for_user
from hotich.review.models import ReviewDecision
from hotich.review.queries import review_refusal
from hotich.scans.models import PageLink, ScanPage
from hotich.scans.queries import register_coverage, register_pages

Kind = CompletenessNote.Kind

#: records that carry keyed data that can be sampled (complete, reviewed or waiting for review).
SAMPLED_STATUSES = (Record.Status.SUBMITTED, Record.Status.VERIFIED)


# ---- scope


def acceptance_round_list_for_user(user: User) -> QuerySet[AcceptanceRound]:
    return AcceptanceRound.objects.filter(register__in=register_list_for_user(user))


def acceptance_check_list_for_user(user: User) -> QuerySet[AcceptanceCheck]:
    return AcceptanceCheck.objects.filter(round__register__in=register_list_for_user(user))


def acceptance_can_manage(user: User, register: Register) -> bool:
    """Explaining, starting a round and deciding: administrators of the custodian's scope (the
    lead unit accepts the work, SPEC §3), never a contractor account."""
    if not user.is_authenticated or not user.is_admin or user.is_contractor or not user.office:
        return False
    return Office.objects.filter(office_scope_q(user), pk=register.custodian_id).exists()


def acceptance_registers_for_user(user: User) -> QuerySet[Register]:
    """Registers waiting for acceptance or with an open round, for the acceptance list page."""
    open_round = AcceptanceRound.objects.filter(
        register=OuterRef("pk"), status=AcceptanceRound.Status.OPEN
    )
    return (
        register_list_for_user(user)
        .annotate(has_open_round=Exists(open_round))
        .filter(Q(status=RegisterStatus.REVIEW) | Q(has_open_round=True))
        .order_by("priority", "year_start", "volume", "id")
    )


# ---- completeness


@dataclass
class Problem:
    kind: str
    key: str
    params: dict[str, Any]
    note: CompletenessNote | None = None
    record_id: int | None = None
    page_id: int | None = None

    @property
    def label(self) -> str:
        return problem_label(self.kind, self.params)

    @property
    def explained(self) -> bool:
        return self.note is not None


@dataclass
class Completeness:
    counts: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)

    @property
    def unexplained(self) -> list[Problem]:
        return [p for p in self.problems if not p.explained]

    @property
    def complete(self) -> bool:
        return not self.unexplained

    def by_kind(self) -> list[tuple[str, str, list[Problem]]]:
        """(kind, its label, its problems) in the order of `CompletenessNote.Kind`."""
        groups: dict[str, list[Problem]] = defaultdict(list)
        for problem in self.problems:
            groups[problem.kind].append(problem)
        return [(k.value, str(k.label), groups[k.value]) for k in Kind if groups.get(k.value)]


def record_label(number: str, sequence: int) -> str:
    if number:
        return _("Số %(number)s") % {"number": number}
    return _("Trường hợp #%(n)s") % {"n": sequence}


def field_label(rtype: Any, key: str) -> str:
    """A field as the acceptance record names it: its person first where it has one ("Mẹ: Họ,
    chữ đệm, tên"), as the same label serves every person of a record."""
    f = rtype.by_key.get(key)
    if f is None:
        return key
    roles = {r.key: r.label for r in rtype.roles}
    return f"{roles[f.role]}: {f.label}" if f.role in roles else str(f.label)


def _number(n: int) -> str:
    return f"{n:02d}"


def problem_label(kind: str, p: dict[str, Any]) -> str:
    """The problem in words, from the facts stored with it (so a stored figure reads in the
    language of whoever reads it)."""
    if kind == Kind.COUNT:
        if p.get("declared") is None:
            return _("Sổ chưa ghi số trường hợp; đã có %(records)s trường hợp.") % p
        return _("Sổ ghi %(declared)s trường hợp, đã có %(records)s trường hợp.") % p
    if kind == Kind.PAGES:
        return _("Sổ ghi %(declared)s trang, đã scan %(pages)s trang.") % p
    if kind == Kind.GAP:
        if p["first"] == p["last"]:
            return _("Năm %(year)s: thiếu số %(first)s.") % {
                "year": p["year"],
                "first": _number(p["first"]),
            }
        return _("Năm %(year)s: thiếu các số %(first)s – %(last)s (%(n)s số).") % {
            "year": p["year"],
            "first": _number(p["first"]),
            "last": _number(p["last"]),
            "n": p["last"] - p["first"] + 1,
        }
    if kind == Kind.REPEAT:
        text = _("Năm %(year)s: số %(number)s có %(count)s trường hợp") % {
            "year": p["year"],
            "number": _number(p["number"]),
            "count": p["count"],
        }
        if p.get("elsewhere"):
            text += " " + _("(%(n)s ở quyển khác)") % {"n": p["elsewhere"]}
        return text + "."
    if kind == Kind.PAGE:
        return _("Trang %(sequence)s chưa gắn với trường hợp nào.") % p
    if kind == Kind.FLAGGED:
        status = str(ScanPage.Status(p["status"]).label)
        text = _("Trang %(sequence)s: %(status)s") % {"sequence": p["sequence"], "status": status}
        return f"{text}{' — ' + p['note'] if p.get('note') else ''}."
    if kind == Kind.NO_SCAN:
        return _("%(record)s chưa có trang scan.") % {
            "record": record_label(p["number"], p["sequence"])
        }
    if kind == Kind.UNVERIFIED:
        return _("%(record)s: %(status)s, chưa kiểm tra xong.") % {
            "record": record_label(p["number"], p["sequence"]),
            "status": str(Record.Status(p["status"]).label).lower(),
        }
    return str(p)


def _group_q(register: Register) -> Q:
    """The registers whose numbering this one shares: same type and registering authority (the
    linked historical unit when there is one, else the authority as written)."""
    q = Q(register__register_type=register.register_type)
    if register.authority_unit_id:
        return q & Q(register__authority_unit_id=register.authority_unit_id)
    return q & Q(register__authority_key=register.authority_key)


def _numbering_problems(register: Register) -> list[Problem]:
    mine = [
        (year, number, pk, text, sequence)
        for year, number, pk, text, sequence in register.records.values_list(
            "registration_year", "number_sort", "id", "number", "sequence"
        )
        if year is not None and number is not None
    ]
    if not mine:
        return []
    years = sorted({row[0] for row in mine})
    shared = Record.objects.filter(
        _group_q(register), registration_year__in=years, number_sort__isnull=False
    ).values_list("registration_year", "number_sort", "register_id")
    everyone: dict[int, Counter[int]] = defaultdict(Counter)
    elsewhere: dict[int, Counter[int]] = defaultdict(Counter)
    for year, number, register_id in shared:
        if year is None or number is None:
            continue
        everyone[year][number] += 1
        if register_id != register.pk:
            elsewhere[year][number] += 1
    own: dict[int, list[tuple[int, int, str, int]]] = defaultdict(list)
    for year, number, pk, text, sequence in mine:
        own[year].append((number, pk, text, sequence))
    first_year, last_year = register.year_start, register.year_end or register.year_start
    problems: list[Problem] = []
    for year in years:
        numbers = sorted(n for n, *_rest in own[year])
        present = set(everyone[year])
        if year == first_year and register.first_number.strip().isdigit():
            low = int(register.first_number)
        else:
            below = [n for n in present if n < numbers[0]]
            low = max(below) + 1 if below else 1
        high = numbers[-1]
        if year == last_year and register.last_number.strip().isdigit():
            high = max(high, int(register.last_number))
        inside = sorted(n for n in present if low <= n <= high)
        # The missing runs between consecutive numbers present (no enumeration of a range that
        # a mistyped number makes huge).
        edges = [low - 1, *inside, high + 1]
        for before, after in pairwise(edges):
            if after - before > 1:
                first, last = before + 1, after - 1
                problems.append(
                    Problem(
                        Kind.GAP,
                        f"gap:{year}:{first}-{last}",
                        {"year": year, "first": first, "last": last},
                    )
                )
        for number, count in sorted(everyone[year].items()):
            if count > 1 and number in numbers:
                problems.append(
                    Problem(
                        Kind.REPEAT,
                        f"repeat:{year}:{number}",
                        {
                            "year": year,
                            "number": number,
                            "count": count,
                            "elsewhere": elsewhere[year][number],
                        },
                    )
                )
    problems.sort(key=lambda p: (p.kind != Kind.GAP, p.params["year"], p.key))
    return problems


def register_completeness(register: Register) -> Completeness:
    """The register's counts and every problem, each with its explanation if there is one."""
    coverage = register_coverage(register)
    records = register.records.order_by("sequence", "number_sort", "id")
    statuses = Counter(records.values_list("status", flat=True))
    counts = {
        "declared": register.declared_entries,
        "records": coverage["records"],
        "keyed": coverage["records"] - statuses.get(Record.Status.TO_KEY, 0),
        "verified": statuses.get(Record.Status.VERIFIED, 0),
        "pages_declared": register.page_count,
        "pages": coverage["pages"],
        "pages_linked": coverage["pages"] - coverage["pages_unlinked"],
        "records_with_scan": coverage["records_with_scan"],
    }
    problems: list[Problem] = []
    declared, total = counts["declared"], counts["records"]
    if declared is None or declared != total:
        problems.append(
            Problem(
                Kind.COUNT,
                f"count:{'-' if declared is None else declared}:{total}",
                {"declared": declared, "records": total},
            )
        )
    if register.page_count is not None and register.page_count != counts["pages"]:
        problems.append(
            Problem(
                Kind.PAGES,
                f"pages:{register.page_count}:{counts['pages']}",
                {"declared": register.page_count, "pages": counts["pages"]},
            )
        )
    problems += _numbering_problems(register)
    pages = register_pages(register).annotate(
        linked=Exists(PageLink.objects.filter(page=OuterRef("pk")))
    )
    for page in pages.only("id", "sequence", "status", "status_note"):
        if not page.linked:
            problems.append(
                Problem(Kind.PAGE, f"page:{page.pk}", {"sequence": page.sequence}, page_id=page.pk)
            )
        if page.status != ScanPage.Status.OK:
            problems.append(
                Problem(
                    Kind.FLAGGED,
                    f"flagged:{page.pk}",
                    {"sequence": page.sequence, "status": page.status, "note": page.status_note},
                    page_id=page.pk,
                )
            )
    scanned = Exists(PageLink.objects.filter(record=OuterRef("pk"), page__is_current=True))
    for record in records.annotate(scanned=scanned).only("id", "number", "sequence", "status"):
        facts = {"number": record.number, "sequence": record.sequence}
        if not record.scanned:
            problems.append(
                Problem(Kind.NO_SCAN, f"no_scan:{record.pk}", facts, record_id=record.pk)
            )
        if record.status != Record.Status.VERIFIED:
            problems.append(
                Problem(
                    Kind.UNVERIFIED,
                    f"unverified:{record.pk}",
                    {**facts, "status": record.status},
                    record_id=record.pk,
                )
            )
    notes = {n.key: n for n in register.completeness_notes.select_related("by")}
    for problem in problems:
        problem.note = notes.get(problem.key)
    order = {k.value: i for i, k in enumerate(Kind)}
    problems.sort(key=lambda p: order[p.kind])  # stable: keeps the order within a kind
    return Completeness(counts=counts, problems=problems)


# ---- sampling and checking


def sample_population(register: Register) -> QuerySet[Record]:
    """The records a round samples: those with complete keyed data."""
    return register.records.filter(status__in=SAMPLED_STATUSES)


def acceptance_refusal(user: User, check: AcceptanceCheck) -> str | None:
    """Why `user` may not check this sampled record, or None when they may.

    The review rules first (assigned or office reviewer; never one's own or one's own company's
    keying); then acceptance is independent of the review too: nobody checks a record they
    verified, and a contractor's account never checks what its own company verified.
    """
    if check.round.status != AcceptanceRound.Status.OPEN:
        return _("Đợt nghiệm thu này đã kết thúc.")
    record = check.record
    refusal = review_refusal(user, record)
    if refusal:
        return refusal
    verified = ReviewDecision.objects.filter(record=record, outcome=ReviewDecision.Outcome.VERIFIED)
    if verified.filter(reviewer=user).exists():
        return _("Bạn đã xác nhận trường hợp này khi kiểm tra: nghiệm thu cần người khác.")
    company = user.office_id if user.is_contractor else None
    if company is not None and verified.filter(reviewer__office_id=company).exists():
        return _("Trường hợp do đơn vị thi công của bạn kiểm tra: cần người nghiệm thu độc lập.")
    return None


def round_checks(acceptance_round: AcceptanceRound) -> QuerySet[AcceptanceCheck]:
    return acceptance_round.checks.select_related("record", "checked_by").order_by("position")


def round_next_check(
    user: User, acceptance_round: AcceptanceRound, after: AcceptanceCheck | None = None
) -> AcceptanceCheck | None:
    """The next unchecked sampled record `user` may check, in sample order."""
    pending = round_checks(acceptance_round).filter(checked_at__isnull=True)
    if after is not None:
        pending = pending.exclude(pk=after.pk)
    for check in pending.select_related("round"):
        if acceptance_refusal(user, check) is None:
            return check
    return None


def round_rates(acceptance_round: AcceptanceRound) -> Rates:
    rtype = record_type(acceptance_round.register.register_type)
    checked = acceptance_round.checks.filter(checked_at__isnull=False).select_related("record")
    return error_rates(
        ((c.record.data, c.wrong_fields) for c in checked),
        [f.key for f in rtype.keyed_fields],
    )


def round_figures(acceptance_round: AcceptanceRound) -> dict[str, Any]:
    """What the acceptance record shows: the rule, completeness, explanations, error rates.

    A decided round keeps the figures it was decided on; an open one is computed now.
    """
    if acceptance_round.status != AcceptanceRound.Status.OPEN and acceptance_round.figures:
        return acceptance_round.figures
    register = acceptance_round.register
    completeness = register_completeness(register)
    rates = round_rates(acceptance_round)
    sample = acceptance_round.checks.count()
    checked = acceptance_round.checks.filter(checked_at__isnull=False).count()
    return {
        "completeness": completeness.counts,
        "problems": [
            {
                "kind": p.kind,
                "key": p.key,
                "params": p.params,
                "explanation": p.note.text if p.note else "",
                "by": str(p.note.by) if p.note else "",
                "at": p.note.at.isoformat() if p.note else "",
            }
            for p in completeness.problems
        ],
        "unexplained": len(completeness.unexplained),
        "population": acceptance_round.population,
        "percent": acceptance_round.percent,
        "minimum": acceptance_round.minimum,
        "threshold": acceptance_round.threshold,
        "sample": sample,
        "checked": checked,
        "records_wrong": rates.records_wrong,
        "fields_checked": rates.fields_checked,
        "fields_wrong": rates.fields_wrong,
        "rate": round(rates.rate, 4),
        "passed": passes(rates.rate, acceptance_round.threshold),
        "fields": [
            {"key": f.key, "checked": f.checked, "wrong": f.wrong, "rate": round(f.rate, 4)}
            for f in rates.by_field.values()
            if f.checked
        ],
        "checkers": sorted(
            {
                str(c.checked_by)
                for c in acceptance_round.checks.filter(checked_by__isnull=False).select_related(
                    "checked_by"
                )
            }
        ),
    }


def duplicate_explained(register: Register, year: int, number: int) -> bool:
    """Whether the custodian explained the repeat of `number` in `year` for this register."""
    return CompletenessNote.objects.filter(
        register=register, key=f"repeat:{year}:{number}"
    ).exists()
