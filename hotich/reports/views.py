"""The supervision dashboard and the provincial report, each with its Excel export.

Views parse the filters and hand over to `hotich.reports.queries` (figures) or
`hotich.reports.services` (the audited export); the charts are drawn by `charts.py`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from hotich.accounts.models import User
from hotich.core.http import client_ip
from hotich.records.models import Record
from hotich.registers.domain import Status as RegisterStatus
from hotich.reports import services
from hotich.reports.charts import (
    RECORD_COLOURS,
    REGISTER_COLOURS,
    column_bars,
    sparkline,
    stacked_bars,
)
from hotich.reports.figures import DAILY_MAX_DAYS, Report, ReportScope, Row
from hotich.reports.forms import ReportFilterForm
from hotich.reports.queries import (
    report_build,
    report_heading,
    report_may_see_province,
    report_scope,
)

CHART_MAX_ROWS = 30
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _scope(request: HttpRequest, *, province: bool) -> ReportScope:
    user = _user(request)
    scope = report_scope(user)
    if scope is None or (province and not report_may_see_province(user)):
        raise PermissionDenied
    return scope


def _form(request: HttpRequest, scope: ReportScope) -> ReportFilterForm:
    return ReportFilterForm(request.GET or None, offices=scope.offices)


def _largest(rows: list[Row]) -> list[Row]:
    """The rows with the most records, in their order: a province's hundreds of offices would
    make a chart nobody can read (the table lists them all)."""
    if len(rows) <= CHART_MAX_ROWS:
        return rows
    keep = {id(r) for r in sorted(rows, key=lambda r: -r.record_total)[:CHART_MAX_ROWS]}
    return [r for r in rows if id(r) in keep]


def _charts(report: Report) -> dict[str, Any]:
    register_series = [(str(s.label), REGISTER_COLOURS[s.value]) for s in RegisterStatus]
    record_series = [(str(s.label), RECORD_COLOURS[s.value]) for s in Record.Status]

    def registers(rows: list[Row], title: str) -> Any:
        return stacked_bars(
            title=title,
            desc=_("Số sổ ở mỗi trạng thái; số liệu chi tiết ở bảng bên dưới."),
            rows=[(r.label, r.register_counts()) for r in rows],
            series=register_series,
        )

    def records(rows: list[Row], title: str) -> Any:
        return stacked_bars(
            title=title,
            desc=_("Số trường hợp ở mỗi trạng thái; số liệu chi tiết ở bảng bên dưới."),
            rows=[(r.label, r.record_counts()) for r in rows],
            series=record_series,
        )

    charts: dict[str, Any] = {}
    if report.show_progress and report.total.register_total:
        offices = _largest(report.by_office)

        def title(text: str) -> str:
            if len(offices) == len(report.by_office):
                return text
            return _("%(title)s (%(n)d đơn vị nhiều trường hợp nhất)") % {
                "title": text,
                "n": len(offices),
            }

        charts["office_registers"] = registers(offices, title(_("Sổ theo đơn vị và trạng thái")))
        charts["office_records"] = records(
            offices, title(_("Trường hợp theo đơn vị và trạng thái"))
        )
        charts["type_registers"] = registers(report.by_type, _("Sổ theo loại sổ và trạng thái"))
        charts["phase_records"] = records(
            report.by_phase, _("Trường hợp theo giai đoạn và trạng thái")
        )
    filters = report.filters
    if filters.days <= DAILY_MAX_DAYS:
        per_day = dict(report.daily)
        days = [filters.date_from + dt.timedelta(days=i) for i in range(filters.days)]
        charts["work"] = column_bars(
            title=_("Số trường hợp nhập mỗi ngày"),
            desc=_("Từ %(start)s đến %(end)s; tổng %(n)s trường hợp.")
            % {
                "start": f"{filters.date_from:%d/%m/%Y}",
                "end": f"{filters.date_to:%d/%m/%Y}",
                "n": sum(per_day.values()),
            },
            points=[(f"{d:%d/%m}", per_day.get(d, 0)) for d in days],
        )
    else:
        charts["work"] = column_bars(
            title=_("Số trường hợp nhập mỗi tháng"),
            desc=_("Tổng %(n)s trường hợp.") % {"n": sum(r.keyed for r in report.by_month)},
            points=[(r.label, r.keyed) for r in report.by_month],
        )
    return charts


def _people(report: Report) -> list[tuple[Any, Any]]:
    """Each operator's row with a bar per day of the range (when the range is short enough)."""
    filters = report.filters
    if filters.days > DAILY_MAX_DAYS:
        return [(p, None) for p in report.people]
    days = [filters.date_from + dt.timedelta(days=i) for i in range(filters.days)]
    labels = [f"{d:%d/%m/%Y}" for d in days]
    return [
        (
            p,
            sparkline(
                title=_("Số trường hợp %(name)s nhập mỗi ngày, nhiều nhất %(max)s một ngày")
                % {"name": p.user, "max": p.per_day_max},
                values=[p.per_day.get(d, 0) for d in days],
                labels=labels,
            ),
        )
        for p in report.people
    ]


def _context(request: HttpRequest, *, province: bool) -> dict[str, Any]:
    user = _user(request)
    scope = _scope(request, province=province)
    form = _form(request, scope)
    filters = form.filters()
    report = report_build(scope=scope, filters=filters, every_office=province)
    query = request.GET.urlencode()
    return {
        "form": form,
        "report": report,
        "filters": filters,
        "charts": _charts(report),
        "heading": report_heading(user, filters, province=province),
        "register_statuses": list(RegisterStatus),
        "record_statuses": list(Record.Status),
        "progress_columns": len(RegisterStatus) + len(Record.Status) + 5,
        "people": _people(report),
        "sparks": report.filters.days <= DAILY_MAX_DAYS,
        "province": province,
        "may_see_province": report_may_see_province(user),
        "query": f"?{query}" if query else "",
    }


def _export(request: HttpRequest, *, kind: str) -> HttpResponse:
    scope = _scope(request, province=kind == services.PROVINCE)
    filters = _form(request, scope).filters()
    filename, content = services.report_export(
        actor=_user(request), kind=kind, filters=filters, ip=client_ip(request)
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def report_dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/report_dashboard.html", _context(request, province=False))


@login_required
def report_dashboard_export(request: HttpRequest) -> HttpResponse:
    return _export(request, kind=services.DASHBOARD)


@login_required
def report_province(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/report_province.html", _context(request, province=True))


@login_required
def report_province_export(request: HttpRequest) -> HttpResponse:
    return _export(request, kind=services.PROVINCE)
