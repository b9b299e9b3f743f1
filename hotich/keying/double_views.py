"""Double keying pages: an operator's blind copy on the keying screen, the register's plan, and
the agreement rates.

The keying screen of a blind record shows and saves only the operator's own copy
(`keying.services.copy_save`); nothing of the other copy or of the record's data reaches it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from hotich.accounts.models import Role, User
from hotich.core.text import id_number
from hotich.keying.models import Comparison, KeyedCopy
from hotich.keying.queries import (
    agreement_by_field,
    agreement_by_operator,
    agreement_summary,
    copy_carry_from,
    copy_next_for,
    copy_of,
    copy_refusal,
    double_keying_plan,
)
from hotich.keying.services import (
    CopyConflict,
    CopyRefused,
    CopyResult,
    copy_save,
    double_keying_clear,
    double_keying_set,
)
from hotich.records.models import Record
from hotich.records.schema import record_type
from hotich.records.validation import Issue, record_validate
from hotich.registers.models import Register
from hotich.registers.queries import register_list_for_user


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def refused(request: HttpRequest, register: Register, message: str, status: int) -> HttpResponse:
    return render(
        request,
        "keying/copy_refused.html",
        {"register": register, "message": message},
        status=status,
    )


def _blank(request: HttpRequest, register: Register, record: Record | None) -> dict[str, str]:
    """A copy not started: what repeats, from this operator's own copies; the number and date a
    scan file name gave the record."""
    rtype = record_type(register.register_type)
    carry = copy_carry_from(_user(request), register, record)
    values = {k: carry[k] for k in rtype.carry_keys if carry.get(k)}
    number = carry.get("so", "")
    digits = number.lstrip("0")
    if digits.isdigit():
        values["so"] = str(int(digits) + 1).zfill(max(2, len(number)))
    if not carry:
        values["quyenSo"] = register.volume
    if record is not None and record.number:
        values["so"] = record.number
    if record is not None and record.registration_date:
        values["ngayDangKy"] = record.registration_date.strftime("%d.%m.%Y")
    return {k: v for k, v in values.items() if k in rtype.by_key}


def _copy_context(
    request: HttpRequest,
    register: Register,
    record: Record | None,
    copy: KeyedCopy | None,
    values: dict[str, str],
    issues: list[Issue],
    ack: list[str],
) -> dict[str, Any]:
    from hotich.keying.views import _context

    context = _context(request, register, record, values, issues, ack)
    # The record's own data is empty until the comparison; never send it, nor the other copy.
    context["version"] = copy.version if copy else ""
    context["base_json"] = "{}"
    context["notes"] = []
    context["double"] = {"copy": copy}
    return context


def copy_page(request: HttpRequest, register: Register, record: Record | None) -> HttpResponse:
    """GET: the operator's own copy (or a blank one); POST: save it."""
    user = _user(request)
    if record is not None:
        refusal = copy_refusal(user, record)
        if refusal:
            return refused(request, register, refusal, 403)
    rtype = record_type(register.register_type)
    copy = copy_of(record, user) if record is not None else None
    if request.method == "POST":
        return _copy_save(request, register, record, copy)
    if copy is not None:
        values, ack = dict(copy.data), list(copy.ack)
        _data, issues = record_validate(rtype, register, values, record=record)
    else:
        values, ack, issues = _blank(request, register, record), [], []
    context = _copy_context(request, register, record, copy, values, issues, ack)
    return render(request, "keying/record_key.html", context)


def _copy_save(
    request: HttpRequest, register: Register, record: Record | None, copy: KeyedCopy | None
) -> HttpResponse:
    user = _user(request)
    rtype = record_type(register.register_type)
    raw = {f.key: request.POST.get(f.key, "") for f in rtype.keyed_fields}
    ack = request.POST.getlist("ack")
    version_text = request.POST.get("version", "")
    try:
        result = copy_save(
            actor=user,
            register=register,
            record=record,
            raw=raw,
            base_version=id_number(version_text),
            ack=ack,
        )
    except CopyRefused as exc:
        return refused(request, register, str(exc), 409)
    except CopyConflict as conflict:
        messages.error(
            request,
            _(
                "Không lưu: bản nhập của bạn đã được lưu ở một cửa sổ khác sau khi mở trang này. "
                "Dữ liệu bạn nhập vẫn còn trên màn hình; kiểm tra rồi lưu lại."
            ),
        )
        _data, issues = record_validate(rtype, register, raw, record=record)
        context = _copy_context(request, register, record, conflict.current, raw, issues, ack)
        return render(request, "keying/record_key.html", context, status=409)
    return _after_copy_save(request, register, result)


def _after_copy_save(request: HttpRequest, register: Register, result: CopyResult) -> HttpResponse:
    record = result.copy.record
    if result.errors or result.open_warnings:
        messages.warning(
            request,
            _("Đã lưu nháp bản nhập %(record)s: còn %(e)d lỗi, %(w)d cảnh báo chưa xác nhận.")
            % {"record": record, "e": len(result.errors), "w": len(result.open_warnings)},
        )
        return redirect("keying:record", record.pk)
    comparison = result.comparison
    if comparison is None:
        messages.success(
            request, _("Đã lưu bản nhập %(record)s; chờ bản nhập thứ hai.") % {"record": record}
        )
    elif comparison.state == Comparison.State.AGREED:
        messages.success(
            request,
            _("Đã lưu %(record)s: hai bản nhập khớp nhau, trường hợp đã nhập xong.")
            % {"record": record},
        )
    else:
        messages.info(
            request,
            _("Đã lưu %(record)s: hai bản nhập có chỗ khác nhau, trường hợp chờ đối chiếu.")
            % {"record": record},
        )
    if request.POST.get("action") == "next":
        following = copy_next_for(_user(request), register)
        if following is not None:
            return redirect("keying:record", following.pk)
        return redirect("keying:new", register.pk)
    if comparison is not None:
        return redirect("keying:register", register.pk)
    return redirect("keying:record", record.pk)


def _may_see_rates(user: User) -> bool:
    return user.is_admin or user.role in (Role.REVIEWER, Role.AUDITOR)


@login_required
def double_plan(request: HttpRequest, register_id: int) -> HttpResponse:
    """A register's double keying: the plan (set or cleared by its administrators) and how well
    its copies agree."""
    user = _user(request)
    register = get_object_or_404(register_list_for_user(user), pk=register_id)
    plan = double_keying_plan(register)
    rtype = record_type(register.register_type)
    can_manage = user.is_admin and not user.is_contractor
    if request.method == "POST":
        try:
            if request.POST.get("action") == "clear":
                double_keying_clear(actor=user, register=register)
                messages.success(request, _("Sổ này trở lại nhập liệu một lần."))
            else:
                scope = request.POST.get("scope")
                fields = request.POST.getlist("fields") if scope == "fields" else []
                if scope == "fields" and not fields:
                    raise ValidationError(_("Hãy chọn ít nhất một trường nhập hai lần."))
                double_keying_set(actor=user, register=register, fields=fields)
                messages.success(request, _("Đã đặt chế độ nhập liệu hai lần cho sổ này."))
        except PermissionDenied as exc:
            return refused(request, register, str(exc) or _("Không được phép."), 403)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            return redirect("keying:double_plan", register.pk)
    show_rates = can_manage or _may_see_rates(user)
    chosen = set(plan.fields) if plan is not None and plan.active else set()
    return render(
        request,
        "keying/double_plan.html",
        {
            "register": register,
            "plan": plan,
            "can_manage": can_manage,
            "sections": [
                (section, [(f, f.key in chosen) for f in fields])
                for section, fields in rtype.sections()
            ],
            "show_rates": show_rates,
            **(
                {
                    "summary": agreement_summary(user=user, register=register),
                    "by_field": agreement_by_field(user=user, register=register),
                    "by_operator": agreement_by_operator(user=user, register=register),
                }
                if show_rates
                else {}
            ),
        },
    )


@login_required
def agreement_page(request: HttpRequest) -> HttpResponse:
    """Agreement rates of double keying over every register the user sees."""
    user = _user(request)
    if not _may_see_rates(user):
        raise PermissionDenied
    return render(
        request,
        "keying/agreement.html",
        {
            "summary": agreement_summary(user=user),
            "by_field": agreement_by_field(user=user),
            "by_operator": agreement_by_operator(user=user),
        },
    )
