"""Acceptance pages: registers waiting, a register's completeness and rounds, a round, the check
screen (the scan beside the record, keyboard-first), the acceptance record downloads.

Views parse the request and call `hotich.acceptance.services`; what a user sees is scoped by
`hotich.acceptance.queries` (404 outside it).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hotich.acceptance import services
from hotich.acceptance.models import AcceptanceCheck, AcceptanceRound
from hotich.acceptance.queries import (
    acceptance_can_manage,
    acceptance_check_list_for_user,
    acceptance_refusal,
    acceptance_registers_for_user,
    acceptance_round_list_for_user,
    field_label,
    register_completeness,
    round_checks,
    round_figures,
    round_next_check,
)
from hotich.accounts.models import Role, User
from hotich.core.text import id_number
from hotich.keying.fields import field_rows
from hotich.records.schema import record_type
from hotich.registers.domain import FROZEN
from hotich.registers.domain import Status as RegisterStatus
from hotich.registers.models import Register
from hotich.registers.queries import register_list_for_user
from hotich.scans.queries import record_pages
from hotich.scans.views import pages_json

WRONG = "wrong"  # form name of the checked boxes: one value per field found wrong


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _messages(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


def _register(request: HttpRequest, register_id: int) -> Register:
    return get_object_or_404(register_list_for_user(_user(request)), pk=register_id)


def _round(request: HttpRequest, round_id: int) -> AcceptanceRound:
    return get_object_or_404(
        acceptance_round_list_for_user(_user(request)).select_related(
            "register__custodian", "created_by", "decided_by"
        ),
        pk=round_id,
    )


@login_required
def acceptance_list(request: HttpRequest) -> HttpResponse:
    registers = list(acceptance_registers_for_user(_user(request))[:200])
    return render(request, "acceptance/register_list.html", {"registers": registers})


@login_required
def register_acceptance(request: HttpRequest, register_id: int) -> HttpResponse:
    user = _user(request)
    register = _register(request, register_id)
    completeness = register_completeness(register)
    rounds = list(
        register.acceptance_rounds.select_related("created_by", "decided_by").order_by(
            "-created_at", "-id"
        )
    )
    can_manage = acceptance_can_manage(user, register)
    open_round = next((r for r in rounds if r.status == AcceptanceRound.Status.OPEN), None)
    context = {
        "register": register,
        "completeness": completeness,
        "groups": completeness.by_kind(),
        "rounds": rounds,
        "open_round": open_round,
        "can_manage": can_manage,
        "can_explain": can_manage
        and register.status not in (RegisterStatus.ACCEPTED, RegisterStatus.DELIVERED),
        "can_start": can_manage
        and register.status == RegisterStatus.REVIEW
        and open_round is None
        and completeness.complete,
        "in_review": register.status == RegisterStatus.REVIEW,
        "can_reopen": register.status in FROZEN
        and user.role == Role.UNIT_ADMIN
        and not user.is_contractor
        and user.office_id == register.custodian_id,
        "frozen": register.status in FROZEN,
    }
    return render(request, "acceptance/register_acceptance.html", context)


@login_required
@require_POST
def completeness_explain(request: HttpRequest, register_id: int) -> HttpResponse:
    user = _user(request)
    register = _register(request, register_id)
    if not acceptance_can_manage(user, register):
        raise Http404
    keys = request.POST.getlist("key")
    try:
        notes = services.completeness_explain(
            actor=user, register=register, keys=keys, text=request.POST.get("text", "")
        )
    except ValidationError as exc:
        _messages(request, exc)
    else:
        messages.success(request, _("Đã ghi giải trình cho %(n)d vấn đề.") % {"n": len(notes)})
    return redirect("acceptance:register", register_id=register.pk)


@login_required
@require_POST
def round_start(request: HttpRequest, register_id: int) -> HttpResponse:
    user = _user(request)
    register = _register(request, register_id)
    if not acceptance_can_manage(user, register):
        raise Http404
    try:
        started = services.acceptance_round_start(actor=user, register=register)
    except ValidationError as exc:
        _messages(request, exc)
        return redirect("acceptance:register", register_id=register.pk)
    messages.success(
        request,
        _("Đã chọn mẫu %(n)d trường hợp.") % {"n": started.checks.count()},
    )
    return redirect("acceptance:round", round_id=started.pk)


@login_required
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    user = _user(request)
    acceptance_round = _round(request, round_id)
    register = acceptance_round.register
    rtype = record_type(register.register_type)
    checks = list(round_checks(acceptance_round))
    figures = round_figures(acceptance_round)
    for check in checks:
        check.wrong_labels = [field_label(rtype, k) for k in check.wrong_fields]  # type: ignore[attr-defined]
    fields = [{**f, "label": field_label(rtype, f["key"])} for f in figures["fields"]]
    is_open = acceptance_round.status == AcceptanceRound.Status.OPEN
    can_manage = acceptance_can_manage(user, register)
    following = round_next_check(user, acceptance_round) if is_open else None
    context = {
        "round": acceptance_round,
        "register": register,
        "checks": checks,
        "figures": figures,
        "fields": fields,
        "is_open": is_open,
        "can_decide": can_manage and is_open and figures["checked"] == figures["sample"],
        "can_cancel": can_manage and is_open,
        "following": following,
        "voided": (acceptance_round.figures or {}).get("voided"),
        # The failed round's list to fix: the sampled records it sent back, as they are now.
        "returned": [c.record for c in checks if c.record_id in _returned_ids(acceptance_round)],
    }
    return render(request, "acceptance/round_detail.html", context)


def _returned_ids(acceptance_round: AcceptanceRound) -> set[int]:
    return set((acceptance_round.figures or {}).get("returned_records") or [])


@login_required
@require_POST
def register_reopen(request: HttpRequest, register_id: int) -> HttpResponse:
    user = _user(request)
    register = _register(request, register_id)
    try:
        services.acceptance_reopen(
            actor=user, register=register, reason=request.POST.get("reason", "")
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        _messages(request, exc)
    else:
        messages.warning(
            request,
            _(
                "Đã mở lại sổ: kết quả nghiệm thu trước đã hủy, sổ quay về “Đang kiểm tra”. "
                "Sau khi sửa, sổ phải được nghiệm thu lại."
            ),
        )
    return redirect("acceptance:register", register_id=register.pk)


@login_required
@require_POST
def round_decide(request: HttpRequest, round_id: int) -> HttpResponse:
    user = _user(request)
    acceptance_round = _round(request, round_id)
    if not acceptance_can_manage(user, acceptance_round.register):
        raise Http404
    try:
        decided = services.acceptance_round_decide(actor=user, acceptance_round=acceptance_round)
    except ValidationError as exc:
        _messages(request, exc)
    else:
        if decided.status == AcceptanceRound.Status.ACCEPTED:
            messages.success(request, _("Nghiệm thu đạt: sổ đã chuyển sang “Đã nghiệm thu”."))
        else:
            messages.warning(request, _("Nghiệm thu không đạt: sổ đã được trả lại để sửa."))
    return redirect("acceptance:round", round_id=acceptance_round.pk)


@login_required
@require_POST
def round_cancel(request: HttpRequest, round_id: int) -> HttpResponse:
    user = _user(request)
    acceptance_round = _round(request, round_id)
    if not acceptance_can_manage(user, acceptance_round.register):
        raise Http404
    try:
        services.acceptance_round_cancel(
            actor=user, acceptance_round=acceptance_round, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        _messages(request, exc)
    else:
        messages.info(request, _("Đã hủy đợt nghiệm thu."))
    return redirect("acceptance:round", round_id=acceptance_round.pk)


def _document(request: HttpRequest, round_id: int, kind: str) -> HttpResponse:
    acceptance_round = _round(request, round_id)
    try:
        content, name, content_type = services.acceptance_document(
            actor=_user(request), acceptance_round=acceptance_round, kind=kind
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def round_pdf(request: HttpRequest, round_id: int) -> HttpResponse:
    return _document(request, round_id, "pdf")


@login_required
@require_GET
def round_xlsx(request: HttpRequest, round_id: int) -> HttpResponse:
    return _document(request, round_id, "xlsx")


def _check_sections(rtype: Any, data: dict[str, str], wrong: list[str]) -> list[dict[str, Any]]:
    sections = field_rows(rtype, data, [])
    for group in sections:
        for cell in group["cells"]:
            value = cell["value"]
            cell["display"] = str(dict(cell["choices"]).get(value, value)) if value else value
            cell["wrong"] = cell["key"] in wrong
    return sections


def _check_render(
    request: HttpRequest,
    check: AcceptanceCheck,
    wrong: list[str] | None = None,
    note: str | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    record = check.record
    register = check.round.register
    rtype = record_type(register.register_type)
    pages = list(record_pages(record).prefetch_related("links__record"))
    refusal = acceptance_refusal(user, check)
    following = (
        round_next_check(user, check.round, after=check)
        if check.round.status == AcceptanceRound.Status.OPEN
        else None
    )
    context = {
        "check": check,
        "round": check.round,
        "record": record,
        "register": register,
        "rtype": rtype,
        "sections": _check_sections(
            rtype, record.data, check.wrong_fields if wrong is None else wrong
        ),
        "note": check.note if note is None else note,
        "pages": pages,
        "pages_json": pages_json(pages) if pages else "[]",
        "refusal": refusal,
        "following": following,
    }
    return render(request, "acceptance/check.html", context, status=status)


@login_required
def check_record(request: HttpRequest, check_id: int) -> HttpResponse:
    user = _user(request)
    check = get_object_or_404(
        acceptance_check_list_for_user(user).select_related(
            "round__register__custodian", "record__keyed_by", "record__updated_by", "checked_by"
        ),
        pk=check_id,
    )
    if request.method != "POST":
        return _check_render(request, check)
    wrong = request.POST.getlist(WRONG)
    note = request.POST.get("note", "")
    version_text = request.POST.get("version", "")
    try:
        services.acceptance_check_save(
            actor=user,
            check=check,
            wrong_fields=wrong,
            note=note,
            version=id_number(version_text),
        )
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("Bạn không được kiểm tra trường hợp này."))
        return _check_render(request, check, wrong, note, status=403)
    except ValidationError as exc:
        _messages(request, exc)
        check.record.refresh_from_db()
        return _check_render(request, check, wrong, note, status=400)
    messages.success(
        request,
        _("Đã ghi kết quả kiểm tra %(record)s: %(n)d trường sai.")
        % {"record": check.record, "n": len(set(wrong))},
    )
    following = round_next_check(user, check.round, after=check)
    if following is None:
        return redirect("acceptance:round", round_id=check.round_id)
    return redirect("acceptance:check", check_id=following.pk)
