"""A record as the look-up officer reads it: every field, its people, its margin notes and
its scans, read-only. Each view is recorded like a person view (who, when, which record, why).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from hotich.accounts.models import User
from hotich.core.audit import audit_record
from hotich.people.display import pages_by_record, role_label
from hotich.people.queries import people_allowed
from hotich.records.models import MarginNote, Record
from hotich.records.schema import record_type
from hotich.search.extract import display, reference
from hotich.search.extract_views import extract_can_print, visible_record


@transaction.atomic
def record_view_log(*, actor: User, record: Record, purpose: str = "") -> None:
    """Every read of a record on this page is logged, with the purpose the officer gave."""
    if not people_allowed(actor):
        raise PermissionDenied(_("Chỉ cán bộ tra cứu và quản trị đơn vị được xem hồ sơ tra cứu."))
    audit_record(
        actor=actor,
        action="record.view",
        obj=record,
        office_path=record.register.custodian.path,
        after={"purpose": purpose.strip()[:255], "register": record.register_id},
    )


def record_sections(record: Record) -> list[dict[str, Any]]:
    """The keyed fields with a value, section by section, codes shown as their labels."""
    rtype = record_type(record.register.register_type)
    data: dict[str, str] = record.data or {}
    out: list[dict[str, Any]] = []
    for section, fields in rtype.sections():
        rows = [(f.label, display(f, data[f.key])) for f in fields if data.get(f.key, "").strip()]
        if not rows:
            continue
        if out and out[-1]["key"] == section.key:
            out[-1]["rows"].extend(rows)
        else:
            out.append({"key": section.key, "label": section.label, "rows": rows})
    return out


@login_required
@require_GET
def record_page(request: HttpRequest, record_id: int) -> HttpResponse:
    user, record, purpose = visible_record(request, record_id)
    record_view_log(actor=user, record=record, purpose=purpose)
    parties = [
        {"party": p, "role_label": role_label(record, p.role)}
        for p in record.parties.order_by("id")
    ]
    return render(
        request,
        "search/record_detail.html",
        {
            "record": record,
            "register": record.register,
            "type_label": record_type(record.register.register_type).label,
            "reference": reference(record),
            "sections": record_sections(record),
            "parties": parties,
            "notes": MarginNote.objects.filter(record=record).order_by("created_at", "id"),
            "pages": pages_by_record([record.pk]).get(record.pk, []),
            "can_extract": extract_can_print(user),
            "purpose": purpose,
        },
    )
