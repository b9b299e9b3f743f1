"""The extract of a record, as a PDF download: who may print one, and the trace it leaves."""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from hotich.accounts.models import Role, User
from hotich.core.audit import audit_record
from hotich.records.models import Record
from hotich.records.queries import record_list_for_user
from hotich.search.extract import extract_pdf

#: Who hands extracts to citizens: look-up officers and the office's administrators.
#: Contractor accounts key and review; they never print a citizen's extract.
EXTRACT_ROLES = frozenset({Role.LOOKUP, Role.UNIT_ADMIN, Role.PROVINCE_ADMIN})


def extract_can_print(user: User) -> bool:
    return user.role in EXTRACT_ROLES and not user.is_contractor


@transaction.atomic
def record_extract_print(*, actor: User, record: Record, purpose: str = "") -> bytes:
    """The extract's PDF; the print is recorded (who, when, which record, why)."""
    if not extract_can_print(actor):
        raise PermissionDenied(_("Chỉ cán bộ tra cứu và quản trị đơn vị được in trích lục."))
    content = extract_pdf(record, printed_by=actor.get_full_name() or actor.username)
    audit_record(
        actor=actor,
        action="record.extract",
        obj=record,
        office_path=record.register.custodian.path,
        after={
            "purpose": purpose[:500],
            "register": record.register_id,
            "bytes": len(content),
            "data_status": record.data_status,
        },
    )
    return content


def visible_record(request: HttpRequest, record_id: int) -> tuple[User, Record, str]:
    """The user, the record if the user may see it (404 otherwise) and the purpose asked."""
    user: User = request.user  # type: ignore[assignment]
    record = get_object_or_404(
        record_list_for_user(user).select_related("register", "register__custodian"),
        pk=record_id,
    )
    # "muc_dich" is what the search page and the person view call the purpose they carry.
    purpose = request.GET.get("muc_dich") or request.GET.get("purpose") or ""
    return user, record, purpose.strip()[:255]


@login_required
@require_GET
def record_extract(request: HttpRequest, record_id: int) -> HttpResponse:
    user, record, purpose = visible_record(request, record_id)
    content = record_extract_print(actor=user, record=record, purpose=purpose)
    register = record.register
    name = f"TrichLuc.{register.register_type}.{register.year_start}.{register.volume}"
    name += f".{record.number or record.pk}.pdf"
    # A number is typed by people: keep only what a file name may hold (a `"` or `;` in it
    # would add a parameter to the header).
    name = re.sub(r"[^0-9A-Za-z._-]+", "-", name.replace("/", "-"))
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
