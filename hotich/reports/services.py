"""The one write of this app: exporting a report, which hands figures out of the system and is
therefore recorded in the audit trail (who exported which report, with which filters)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from hotich.accounts.models import User
from hotich.core.audit import audit_record
from hotich.reports.excel import report_workbook
from hotich.reports.figures import Filters
from hotich.reports.queries import (
    report_build,
    report_heading,
    report_heading_lines,
    report_may_see_province,
    report_scope,
)

DASHBOARD, PROVINCE = "dashboard", "province"


@transaction.atomic
def report_export(
    *, actor: User, kind: str, filters: Filters, ip: str | None = None
) -> tuple[str, bytes]:
    """The report as an .xlsx file (name, content); refused to whoever may not see it."""
    scope = report_scope(actor)
    province = kind == PROVINCE
    if scope is None or (province and not report_may_see_province(actor)):
        raise PermissionDenied
    report = report_build(scope=scope, filters=filters, every_office=province)
    heading = report_heading(actor, filters, province=province)
    content = report_workbook(report, report_heading_lines(heading))
    name = "bao-cao-tinh" if province else "bao-cao-so-hoa"
    filename = f"{name}-{filters.date_from:%Y%m%d}-{filters.date_to:%Y%m%d}.xlsx"
    audit_record(
        actor=actor,
        action="report.export",
        object_type="report",
        object_id=kind,
        object_repr=filename,
        after={
            "kind": kind,
            "scope": scope.kind,
            "date_from": filters.date_from,
            "date_to": filters.date_to,
            "office": filters.office.pk if filters.office else None,
            "register_type": filters.register_type,
            "phase": filters.phase,
        },
        ip=ip,
    )
    return filename, content
