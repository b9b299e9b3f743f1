"""The keying screen: the scan beside a form declared by the register type, keyboard-first.

Views only parse the request and call `hotich.records.services`; what a field is, how it is
validated and which values carry over all come from `hotich.records.schema`. In a double-keyed
register a record not yet settled is keyed as the operator's own copy (`double_views`).
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from hotich.accounts.models import User
from hotich.keying import double_views
from hotich.keying.fields import field_rows, grid_columns, grid_row, issues_by_field
from hotich.keying.queries import (
    BLIND,
    NORMAL,
    WAITING,
    copy_next_for,
    double_keying_plan,
    plan_is_active,
    record_double_state,
)
from hotich.records.models import MarginNote, Record
from hotich.records.queries import (
    record_after,
    record_carry_over,
    record_list_for_keying,
    record_margin_notes,
    record_neighbours,
    record_next_to_key,
    record_proposed_values,
    register_list_for_keying,
    register_progress,
    register_records,
)
from hotich.records.schema import RecordType, record_type
from hotich.records.schema.dates import PartialDateError
from hotich.records.services import RecordConflict, SaveResult, margin_note_add, record_save
from hotich.records.validation import Issue, record_validate
from hotich.registers.models import Register
from hotich.scans.queries import record_pages
from hotich.scans.views import pages_json

GRID_MAX_ROWS = 300


def _grid_refused() -> str:
    return _(
        "Sổ này nhập liệu hai lần: mỗi người nhập bản của mình trên màn hình nhập từng "
        "trường hợp; không nhập dạng bảng."
    )


def _waiting() -> str:
    return _(
        "Hai bản nhập của trường hợp này khác nhau và đang chờ đối chiếu: "
        "chưa sửa được cho đến khi đối chiếu xong."
    )


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _register(request: HttpRequest, register_id: int) -> Register:
    # One query: the register if the user sees it (else 404), and whether they may key it.
    register = get_object_or_404(register_list_for_keying(_user(request)), pk=register_id)
    if not register.can_key:  # type: ignore[attr-defined]
        raise PermissionDenied
    return register


def _record(request: HttpRequest, record_id: int) -> Record:
    record = get_object_or_404(
        record_list_for_keying(_user(request)).select_related("register__custodian", "updated_by"),
        pk=record_id,
    )
    if not record.can_key:  # type: ignore[attr-defined]
        raise PermissionDenied
    return record


_MISSING_VERSION = gettext_lazy(
    "Không lưu: thiếu phiên bản của trường hợp đang sửa. Hãy tải lại trang rồi lưu lại."
)


def _raw(request: HttpRequest, rtype: RecordType) -> dict[str, str]:
    return {f.key: request.POST.get(f.key, "") for f in rtype.keyed_fields}


def _base(request: HttpRequest) -> tuple[int | None, dict[str, str]]:
    try:
        version = int(request.POST.get("version") or 0) or None
        base = json.loads(request.POST.get("base") or "{}")
    except (ValueError, TypeError):
        return None, {}
    return version, base if isinstance(base, dict) else {}


def _context(
    request: HttpRequest,
    register: Register,
    record: Record | None,
    values: dict[str, str],
    issues: list[Issue],
    ack: list[str],
    conflict: RecordConflict | None = None,
    last: Record | None = None,
) -> dict[str, Any]:
    """`last`: the register's last record, when the caller (a new record's page) has it."""
    rtype = record_type(register.register_type)
    pages = list(record_pages(record).prefetch_related("links__record")) if record else []
    if record is not None:
        before, after = record_neighbours(record)
    else:
        before, after = last or register_records(register).last(), None
    current = conflict.current if conflict else record
    return {
        "register": register,
        "rtype": rtype,
        "record": record,
        "sections": field_rows(rtype, values, issues),
        "issues": issues,
        "errors": [i for i in issues if i.level == "error"],
        "warnings": [i for i in issues if i.level == "warning"],
        "ack": ack,
        "version": current.version if current else "",
        "base_json": json.dumps(current.data if current else {}, ensure_ascii=False),
        "pages": pages,
        "pages_json": pages_json(pages) if pages else "[]",
        "before": before,
        "after": after,
        "progress": register_progress(register),
        "notes": record_margin_notes(record) if record else [],
        "note_kinds": MarginNote.Kind.choices,
        "conflict": conflict,
        "conflict_rows": [
            (rtype.by_key[k].label if k in rtype.by_key else k, mine, theirs)
            for k, (mine, theirs) in (conflict.theirs.items() if conflict else [])
        ],
        "datalists": sorted(
            {
                f.codes.name: f.codes
                for f in rtype.keyed_fields
                if f.codes and f.codes.stored_as == "label"
            }.values(),
            key=lambda c: c.name,
        ),
    }


def _after_save(request: HttpRequest, register: Register, result: SaveResult) -> HttpResponse:
    record = result.record
    errors, warnings = result.errors, result.open_warnings
    if errors or warnings:
        messages.warning(
            request,
            _("Đã lưu nháp %(record)s: còn %(e)d lỗi, %(w)d cảnh báo chưa xác nhận.")
            % {"record": record, "e": len(errors), "w": len(warnings)},
        )
        return redirect("keying:record", record.pk)
    messages.success(request, _("Đã lưu %(record)s.") % {"record": record})
    if request.POST.get("action") == "next":
        after = record_after(record)
        if after is not None:
            return redirect("keying:record", after.pk)
        return redirect("keying:new", register.pk)
    return redirect("keying:record", record.pk)


def _save(request: HttpRequest, register: Register, record: Record | None) -> HttpResponse:
    rtype = record_type(register.register_type)
    raw = _raw(request, rtype)
    version, base = _base(request)
    ack = request.POST.getlist("ack")
    if record is not None and version is None:
        # An edit must say which version it was made on, or it would overwrite unseen work.
        messages.error(request, _MISSING_VERSION)
        return redirect("keying:record", record.pk)
    try:
        result = record_save(
            actor=_user(request),
            register=register,
            record=record,
            raw=raw,
            base_version=version,
            base_data=base,
            ack=ack,
        )
    except RecordConflict as conflict:
        who = conflict.current.updated_by
        messages.error(
            request,
            _(
                "Không lưu: %(who)s đã lưu trường hợp này lúc %(when)s, sau khi bạn mở nó. "
                "Dữ liệu bạn nhập vẫn còn trên màn hình; xem phần thay đổi của họ bên dưới, "
                "sửa nếu cần rồi lưu lại."
            )
            % {
                "who": who.get_full_name() or who.username if who else _("người khác"),
                "when": conflict.current.updated_at.strftime("%H:%M %d/%m/%Y"),
            },
        )
        _data, issues = record_validate(rtype, register, raw, record=record)
        context = _context(request, register, record, raw, issues, ack, conflict)
        return render(request, "keying/record_key.html", context, status=409)
    return _after_save(request, register, result)


@login_required
def key_register(request: HttpRequest, register_id: int) -> HttpResponse:
    register = _register(request, register_id)
    if double_keying_plan(register) is not None:
        record = copy_next_for(_user(request), register)
    else:
        record = record_next_to_key(register)
    if record is None:
        return redirect("keying:new", register.pk)
    return redirect("keying:record", record.pk)


@login_required
def key_new(request: HttpRequest, register_id: int) -> HttpResponse:
    register = _register(request, register_id)
    if plan_is_active(register):
        return double_views.copy_page(request, register, None)
    if request.method == "POST":
        return _save(request, register, None)
    # The last record is the one before the new one and, when keyed, the one to carry from.
    last = register_records(register).last()
    values = record_carry_over(register, last if last is not None and last.data else None)
    return render(
        request,
        "keying/record_key.html",
        _context(request, register, None, values, [], [], last=last),
    )


@login_required
def key_record(request: HttpRequest, record_id: int) -> HttpResponse:
    record = _record(request, record_id)
    register = record.register
    state = record_double_state(record)
    if state == BLIND:
        return double_views.copy_page(request, register, record)
    if state == WAITING:
        return double_views.refused(
            request, register, _waiting(), 409 if request.method == "POST" else 200
        )
    if request.method == "POST":
        return _save(request, register, record)
    rtype = record_type(register.register_type)
    values = record_proposed_values(record)
    if not record.data:
        # A placeholder from a scan file name: offer what it carries and what repeats.
        issues: list[Issue] = []
    else:
        _data, issues = record_validate(rtype, register, values, record=record)
    return render(
        request,
        "keying/record_key.html",
        _context(request, register, record, values, issues, list(record.ack)),
    )


@login_required
@require_POST
def key_validate(request: HttpRequest, register_id: int) -> JsonResponse:
    """Validation as you type: the same checks as a save, nothing written."""
    register = _register(request, register_id)
    rtype = record_type(register.register_type)
    record = None
    if request.POST.get("record"):
        record = get_object_or_404(register.records, pk=request.POST["record"])
    _data, issues = record_validate(rtype, register, _raw(request, rtype), record=record)
    return JsonResponse({"issues": [i.as_json() for i in issues]})


@login_required
@require_POST
def margin_note_create(request: HttpRequest, record_id: int) -> HttpResponse:
    record = _record(request, record_id)
    if record_double_state(record) != NORMAL:
        # Notes are on the record, which both operators of a blind record would see.
        messages.error(request, _("Ghi chú bên lề được thêm sau khi hai bản nhập đã đối chiếu."))
        return redirect("keying:record", record.pk)
    kind = request.POST.get("kind", "")
    text = request.POST.get("text", "").strip()
    if kind not in MarginNote.Kind.values or not text:
        messages.error(request, _("Ghi chú bên lề cần có loại và nội dung."))
        return redirect("keying:record", record.pk)
    try:
        margin_note_add(
            actor=_user(request),
            record=record,
            kind=kind,
            text=text,
            date_text=request.POST.get("date", ""),
            basis=request.POST.get("basis", ""),
        )
    except PartialDateError as exc:
        messages.error(request, _("Ngày ghi chú: %(error)s") % {"error": exc})
        return redirect("keying:record", record.pk)
    messages.success(request, _("Đã thêm ghi chú bên lề."))
    return redirect(reverse("keying:record", args=[record.pk]) + "#ghi-chu")


@login_required
def key_grid(request: HttpRequest, register_id: int) -> HttpResponse:
    """One row per record, spreadsheet-like, for registers whose pages hold several entries."""
    register = _register(request, register_id)
    if plan_is_active(register):
        return double_views.refused(request, register, _grid_refused(), 200)
    rtype = record_type(register.register_type)
    records = list(register_records(register)[:GRID_MAX_ROWS])
    carry = record_carry_over(register)
    return render(
        request,
        "keying/record_grid.html",
        {
            "register": register,
            "rtype": rtype,
            "columns": grid_columns(rtype),
            # A placeholder row shows the number and date its scan name gave.
            "rows": [grid_row(rtype, record_proposed_values(r), r, base=r.data) for r in records],
            "blank": grid_row(rtype, carry, None),
            "truncated": register.records.count() > GRID_MAX_ROWS,
            "progress": register_progress(register),
            "datalists": sorted(
                {
                    f.codes.name: f.codes
                    for f in rtype.keyed_fields
                    if f.codes and f.codes.stored_as == "label"
                }.values(),
                key=lambda c: c.name,
            ),
        },
    )


@login_required
@require_POST
def key_grid_save(request: HttpRequest, register_id: int) -> JsonResponse:
    """Save one grid row; answers with the row's new version, status and issues."""
    register = _register(request, register_id)
    rtype = record_type(register.register_type)
    try:
        body = json.loads(request.body or b"{}")
        values = body.get("values") or {}
        version = int(body["version"]) if body.get("version") else None
        base = body.get("base") or {}
    except (ValueError, TypeError, AttributeError):
        return JsonResponse({"error": _("Dữ liệu gửi lên không đúng.")}, status=400)
    record = None
    if body.get("record"):
        record = get_object_or_404(register.records, pk=body["record"])
    if plan_is_active(register) or (record is not None and record_double_state(record) != NORMAL):
        return JsonResponse({"error": _grid_refused()}, status=409)
    if record is not None and version is None:
        return JsonResponse({"error": str(_MISSING_VERSION)}, status=409)
    try:
        result = record_save(
            actor=_user(request),
            register=register,
            record=record,
            raw={f.key: values.get(f.key, "") for f in rtype.keyed_fields},
            base_version=version,
            base_data=base if isinstance(base, dict) else {},
            ack=body.get("ack") or [],
        )
    except RecordConflict as conflict:
        return JsonResponse(
            {
                "conflict": True,
                "message": _(
                    "Người khác đã lưu dòng này sau khi bạn mở trang; "
                    "dữ liệu của bạn chưa được lưu."
                ),
                "theirs": {k: v[1] for k, v in conflict.theirs.items()},
                "version": conflict.current.version,
            },
            status=409,
        )
    saved = result.record
    return JsonResponse(
        {
            "record": saved.pk,
            "version": saved.version,
            "status": saved.status,
            "status_label": str(saved.get_status_display()),
            "data": saved.data,
            "issues": [i.as_json() for i in result.issues],
            "progress": register_progress(register),
        }
    )


__all__ = ["issues_by_field"]
