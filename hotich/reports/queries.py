"""Supervision figures, aggregated in the database and scoped to what the user may see.

`report_scope` decides what a user's report covers: administrators and auditors the registers of
their office subtree (and every record in them, whoever keyed it); a contractor's account the
registers assigned to it or its company, and the work of its company's staff; other operators
and reviewers their own work only; look-up officers nothing. `report_build` runs a fixed number
of GROUP BY queries over that scope — about a dozen, however many records there are — and
rolls the small grouped rows up in Python into the tables the pages and the Excel file show.

Status counts are the state now; the date range applies to work: records keyed (`keyed_at`),
review decisions made (`ReviewDecision.at`) and accepted records (keyed in the range, in a
register now accepted or delivered).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from hotich.accounts.models import Office, Role, User
from hotich.accounts.queries import office_list_for_user, sees_subtree
from hotich.records.models import Record
from hotich.registers.domain import Phase, RegisterType
from hotich.registers.models import Register
from hotich.registers.queries import register_list_for_user
from hotich.reports.figures import (
    ACCEPTED,
    CompanyRow,
    Filters,
    PersonRow,
    Report,
    ReportScope,
    Row,
)
from hotich.review.models import ReviewDecision
from hotich.scans.models import ScanPage

OFFICE, CONTRACTOR, SELF = "office", "contractor", "self"
PROVINCE_ROLES = frozenset({Role.PROVINCE_ADMIN, Role.AUDITOR})


def report_scope(user: User) -> ReportScope | None:
    """What `user`'s report covers, or None when they may not see reports at all."""
    if not user.is_authenticated or not user.is_active or user.office is None:
        return None
    no_offices = Office.objects.none()
    if user.is_contractor:
        registers = register_list_for_user(user)
        work: dict[str, Any] = (
            {"keyed_by__office_id": user.office_id} if user.contract_open() else {"pk__in": []}
        )
        offices = Office.objects.filter(pk__in=registers.values("custodian_id"))
        label = _("%(company)s: các sổ được giao và công việc của nhân viên đơn vị") % {
            "company": user.office.name
        }
        return ReportScope(CONTRACTOR, registers, work, offices, label)
    if sees_subtree(user):
        registers = register_list_for_user(user)
        offices = office_list_for_user(user).exclude(kind=Office.Kind.CONTRACTOR)
        label = _("%(office)s và các đơn vị trực thuộc") % {"office": user.office.name}
        return ReportScope(OFFICE, registers, {"register__in": registers}, offices, label)
    if user.role in (Role.OPERATOR, Role.REVIEWER):
        label = _("Số liệu của %(name)s") % {"name": user}
        return ReportScope(SELF, Register.objects.none(), {"keyed_by": user}, no_offices, label)
    return None


def report_may_see_province(user: User) -> bool:
    return user.role in PROVINCE_ROLES and sees_subtree(user)


# ---- the figures


Cell = tuple[int, str, int | None]  # (custodian id, register type, phase)


def _cells(
    scope: ReportScope, filters: Filters, start: dt.datetime, end: dt.datetime
) -> dict[Cell, Row]:
    """Everything about registers at the finest grouping (office, type, phase): five queries."""
    cells: dict[Cell, Row] = defaultdict(lambda: Row(key=None, label=""))
    registers = scope.registers.filter(filters.register_q()).order_by()
    group = ("custodian_id", "register_type", "phase")
    for row in registers.values(*group, "status").annotate(
        n=Count("id"), declared=Sum("declared_entries")
    ):
        cell = cells[(row["custodian_id"], row["register_type"], row["phase"])]
        cell.registers[row["status"]] += row["n"]
        cell.declared += row["declared"] or 0
    rgroup = tuple(f"register__{g}" for g in group)
    records = Record.objects.filter(register__in=registers.values("pk")).order_by()
    for row in records.values(*rgroup, "status").annotate(n=Count("id")):
        cells[_cell(row)].records[row["status"]] += row["n"]
    keyed = records.filter(keyed_at__gte=start, keyed_at__lt=end)
    for row in keyed.values(*rgroup).annotate(
        n=Count("id"), accepted=Count("id", filter=Q(register__status__in=ACCEPTED))
    ):
        cell = cells[_cell(row)]
        cell.keyed += row["n"]
        cell.accepted += row["accepted"]
    pages = ScanPage.objects.filter(register__in=registers.values("pk"), is_current=True)
    for row in pages.order_by().values(*rgroup).annotate(n=Count("id")):
        cells[_cell(row)].pages += row["n"]
    decisions = ReviewDecision.objects.filter(
        record__register__in=registers.values("pk"), at__gte=start, at__lt=end
    ).order_by()
    dgroup = tuple(f"record__{g}" for g in rgroup)
    for row in decisions.values(*dgroup).annotate(
        n=Count("id"), returned=Count("id", filter=Q(outcome=ReviewDecision.Outcome.RETURNED))
    ):
        cell = cells[_cell(row, "record__register__")]
        cell.decided += row["n"]
        cell.returned += row["returned"]
    return cells


def _cell(row: dict[str, Any], prefix: str = "register__") -> Cell:
    return (row[f"{prefix}custodian_id"], row[f"{prefix}register_type"], row[f"{prefix}phase"])


def _roll_up(cells: dict[Cell, Row], index: int, labels: dict[Any, str]) -> list[Row]:
    rows: dict[Any, Row] = {}
    for key, cell in cells.items():
        value = key[index]
        if value not in rows:
            rows[value] = Row(key=value, label=labels.get(value, str(value)))
        rows[value].add(cell)
    return list(rows.values())


def _office_rows(
    cells: dict[Cell, Row], offices: Iterable[Office], every_office: bool
) -> list[Row]:
    """A row per custodian office in tree order; with `every_office`, offices holding nothing
    get a row of zeros (the provincial report lists every office of the province)."""
    offices = list(offices)
    by_id = {o.pk: o for o in offices}
    rows = {r.key: r for r in _roll_up(cells, 0, {o.pk: o.name for o in offices})}
    if every_office:
        for office in offices:
            rows.setdefault(office.pk, Row(key=office.pk, label=office.name))
    root = min((o.depth for o in offices), default=0)
    for row in rows.values():
        found = by_id.get(row.key)
        row.depth = found.depth - root if found else 0
    return sorted(rows.values(), key=lambda r: by_id[r.key].path if r.key in by_id else "~")


def _people(
    scope: ReportScope, filters: Filters, start: dt.datetime, end: dt.datetime
) -> tuple[list[PersonRow], list[tuple[dt.date, int]], list[Row]]:
    """Work per operator and per day, and per month with the records' status now: four queries."""
    work = (
        Record.objects.filter(scope.work_q())
        .filter(filters.register_q("register__"))
        .filter(keyed_at__isnull=False)
        .order_by()
    )
    keyed = work.filter(keyed_at__gte=start, keyed_at__lt=end)
    people: dict[int, PersonRow] = {}
    daily: Counter[dt.date] = Counter()
    per_user: dict[int, dict[str, Any]] = defaultdict(lambda: {"days": {}, "n": 0, "acc": 0})
    for row in keyed.values("keyed_by_id", day=TruncDate("keyed_at")).annotate(
        n=Count("id"), accepted=Count("id", filter=Q(register__status__in=ACCEPTED))
    ):
        entry = per_user[row["keyed_by_id"]]
        entry["days"][row["day"]] = row["n"]
        entry["n"] += row["n"]
        entry["acc"] += row["accepted"]
        daily[row["day"]] += row["n"]
    decided: dict[int, tuple[int, int]] = {}
    decisions = ReviewDecision.objects.filter(
        scope.work_q("record__"),
        filters.register_q("record__register__"),
        record__keyed_at__isnull=False,
        at__gte=start,
        at__lt=end,
    ).order_by()
    for drow in decisions.values("record__keyed_by_id").annotate(
        n=Count("id"), returned=Count("id", filter=Q(outcome=ReviewDecision.Outcome.RETURNED))
    ):
        decided[drow["record__keyed_by_id"]] = (drow["returned"], drow["n"])
    ids = set(per_user) | set(decided)
    for user in User.objects.filter(pk__in=ids).select_related("office"):
        entry = per_user.get(user.pk, {"days": {}, "n": 0, "acc": 0})
        returned, n = decided.get(user.pk, (0, 0))
        people[user.pk] = PersonRow(
            user=user,
            per_day=dict(sorted(entry["days"].items())),
            keyed=entry["n"],
            accepted=entry["acc"],
            returned=returned,
            decided=n,
        )
    months: dict[dt.date, Row] = {}
    for mrow in keyed.values("status", month=TruncMonth("keyed_at")).annotate(
        n=Count("id"), accepted=Count("id", filter=Q(register__status__in=ACCEPTED))
    ):
        month = _as_date(mrow["month"])
        line = months.setdefault(month, Row(key=month, label=f"{month:%m/%Y}"))
        line.records[mrow["status"]] += mrow["n"]
        line.keyed += mrow["n"]
        line.accepted += mrow["accepted"]
    ordered = sorted(
        people.values(), key=lambda p: (-p.keyed, (p.office.path if p.office else ""), str(p.user))
    )
    return ordered, sorted(daily.items()), [months[m] for m in sorted(months)]


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _companies(people: list[PersonRow]) -> list[CompanyRow]:
    companies: dict[int, CompanyRow] = {}
    for person in people:
        office = person.office
        if office is None or not office.is_contractor:
            continue
        company = companies.setdefault(office.pk, CompanyRow(office=office))
        company.staff += 1
        company.keyed += person.keyed
        company.accepted += person.accepted
        company.returned += person.returned
        company.decided += person.decided
    return sorted(companies.values(), key=lambda c: -c.keyed)


def report_build(*, scope: ReportScope, filters: Filters, every_office: bool = False) -> Report:
    """All the figures of a dashboard or of the provincial report, in a fixed number of queries."""
    start, end = filters.span()
    show_progress = scope.kind != SELF
    cells = _cells(scope, filters, start, end) if show_progress else {}
    offices: Iterable[Office] = []
    if show_progress:
        office_ids = {key[0] for key in cells}
        if every_office:
            listed = scope.offices
            if filters.office is not None:
                listed = listed.filter(path__startswith=filters.office.path)
            offices = Office.objects.filter(Q(pk__in=listed.values("pk")) | Q(pk__in=office_ids))
        else:
            offices = Office.objects.filter(pk__in=office_ids)
    type_labels = {t.value: str(t.label) for t in RegisterType}
    phase_labels: dict[Any, str] = {p.value: str(p.label) for p in Phase}
    phase_labels[None] = _("Chưa xác định giai đoạn")
    by_type = _roll_up(cells, 1, type_labels)
    type_order = list(RegisterType.values)
    by_type.sort(key=lambda r: type_order.index(r.key) if r.key in type_order else 99)
    by_phase = sorted(_roll_up(cells, 2, phase_labels), key=lambda r: (r.key is None, r.key or 0))
    total = Row(key=None, label=_("Tổng cộng"))
    for cell in cells.values():
        total.add(cell)
    people, daily, by_month = _people(scope, filters, start, end)
    return Report(
        scope=scope,
        filters=filters,
        by_office=_office_rows(cells, offices, every_office),
        by_type=by_type,
        by_phase=by_phase,
        by_month=by_month,
        total=total,
        people=people,
        companies=_companies(people),
        daily=daily,
        show_progress=show_progress,
    )


# ---- headings


def report_province_office(user: User) -> Office | None:
    """The top office of the user's tree (their Sở Tư pháp)."""
    if user.office is None:
        return None
    root = user.office.path.strip("/").split("/")[0]
    if not root.isdigit() or int(root) == user.office_id:
        return user.office
    return Office.objects.filter(pk=int(root)).first()


def report_heading(user: User, filters: Filters, *, province: bool) -> dict[str, Any]:
    """The heading of a report: who issues it, to whom, the title and the period."""
    period = _("Kỳ báo cáo: từ ngày %(start)s đến ngày %(end)s") % {
        "start": filters.date_from.strftime("%d/%m/%Y"),
        "end": filters.date_to.strftime("%d/%m/%Y"),
    }
    issuer = user.office.name if user.office else ""
    if not province:
        return {
            "issuer": issuer,
            "title": _("Báo cáo tiến độ số hóa sổ hộ tịch"),
            "subtitle": "",
            "to": "",
            "period": period,
        }
    top = report_province_office(user)
    if top is not None and top.pk == user.office_id:
        to = _("Lãnh đạo %(office)s") % {"office": top.name}
    else:
        to = top.name if top else ""
    return {
        "issuer": issuer,
        "title": _("Báo cáo"),  # the official form: issuer, national motto, title, addressee
        "subtitle": _(
            "Kết quả số hóa sổ hộ tịch (dữ liệu hộ tịch lịch sử) của các đơn vị trên địa bàn tỉnh"
        ),
        "to": _("Kính gửi: %(to)s") % {"to": to} if to else "",
        "period": period,
    }


def report_heading_lines(heading: dict[str, Any]) -> list[str]:
    """The heading as lines of text, for the Excel file."""
    lines = [heading["issuer"].upper()]
    if heading["to"]:
        lines.append(_("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM — Độc lập - Tự do - Hạnh phúc"))
    lines.append(heading["title"].upper())
    lines += [heading[k] for k in ("subtitle", "to", "period") if heading[k]]
    return lines
