"""Validation of a record's data against its register type's declaration, in Vietnamese.

Errors block submission (a draft still saves with them); warnings are shown and can be
acknowledged by their code. The same function serves validation as you type, on save, and
for imported rows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from hotich.core.text import nfc
from hotich.records.models import Record
from hotich.records.schema import Field, Kind, RecordType
from hotich.records.schema.dates import (
    UNREADABLE,
    PartialDate,
    PartialDateError,
    parse_partial_date,
)
from hotich.registers.models import Register

_TIME = re.compile(r"^([01]?\d|2[0-3])\s*[:hg.]\s*([0-5]\d)?\s*(?:phút|p)?$", re.IGNORECASE)
_ID = re.compile(r"^[0-9A-Za-z?]+$")

#: days allowed by law before a registration is late (Luật Hộ tịch: birth 60, death 15).
LATE_AFTER_DAYS = {"KS": 60, "KT": 15}
#: loaiDangKy values that say the registration was on time (or say nothing).
_ON_TIME = {"", "1"}


@dataclass(frozen=True)
class Issue:
    field: str
    level: str  # "error" | "warning"
    code: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {
            "field": self.field,
            "level": self.level,
            "code": self.code,
            "message": self.message,
        }


def _error(f: Field | str, message: str) -> Issue:
    key = f if isinstance(f, str) else f.key
    return Issue(key, "error", f"{key}:invalid", message)


def clean_data(rtype: RecordType, raw: Mapping[str, Any]) -> tuple[dict[str, str], list[Issue]]:
    """Normalise every keyed field (NFC, trimmed, canonical code values); report what is wrong.

    Values that fail a check are kept as typed, so a draft loses nothing.
    """
    data: dict[str, str] = {}
    issues: list[Issue] = []
    for f in rtype.keyed_fields:
        value = raw.get(f.key)
        text = "" if value is None else str(value)
        text = text.strip() if f.kind == Kind.LONGTEXT else nfc(text)
        if f.kind == Kind.ID:
            text = text.replace(" ", "")
        if not text:
            if f.required:
                issues.append(Issue(f.key, "error", f"{f.key}:required", _("Bắt buộc nhập.")))
            continue
        if len(text) > f.max_length:
            issues.append(_error(f, _("Dài quá %(n)d ký tự.") % {"n": f.max_length}))
            text = text[: f.max_length]
        if f.kind == Kind.CODE and f.codes is not None and UNREADABLE not in text:
            canonical = f.codes.normalise(text)
            if canonical is None:
                issues.append(
                    _error(f, _("“%(value)s” không có trong danh mục.") % {"value": text})
                )
            else:
                text = canonical
        elif f.kind == Kind.DATE:
            try:
                parse_partial_date(text)
            except PartialDateError as exc:
                issues.append(_error(f, str(exc)))
        elif f.kind == Kind.TIME and not _TIME.match(text) and UNREADABLE not in text:
            issues.append(_error(f, _("Giờ không đúng dạng: gõ giờ:phút, ví dụ 14:30.")))
        elif f.kind == Kind.ID and not _ID.match(text):
            issues.append(_error(f, _("Số giấy tờ chỉ gồm chữ số và chữ cái, không dấu.")))
        data[f.key] = text
    return data, issues


def _date(data: Mapping[str, str], key: str) -> PartialDate | None:
    try:
        return parse_partial_date(data.get(key, ""))
    except PartialDateError:
        return None


def _warn(key: str, code: str, message: str) -> Issue:
    return Issue(key, "warning", code, message)


def check_rules(rtype: RecordType, data: Mapping[str, str], register: Register) -> list[Issue]:
    """Rules within one record: identity numbers, dates against each other and the register."""
    issues: list[Issue] = []
    for f in rtype.keyed_fields:
        value = data.get(f.key, "")
        if (
            f.kind == Kind.ID
            and f.digits
            and value
            and UNREADABLE not in value
            and (not value.isdigit() or len(value) not in f.digits)
        ):
            issues.append(
                _warn(f.key, f"{f.key}:digits", _("Số định danh cá nhân thường có 12 chữ số."))
            )
        if f.attr == "id_type" and value in ("1", "4"):
            number = data.get(f.key.replace("LoaiGiayToTuyThan", "SoGiayToTuyThan"), "")
            expected = (9, 12) if value == "1" else (12,)
            if (
                number
                and UNREADABLE not in number
                and (not number.isdigit() or len(number) not in expected)
            ):
                key = f.key.replace("LoaiGiayToTuyThan", "SoGiayToTuyThan")
                issues.append(
                    _warn(
                        key,
                        f"{key}:digits",
                        _("CMND có 9 hoặc 12 chữ số, thẻ căn cước công dân có 12 chữ số."),
                    )
                )
    registered = _date(data, "ngayDangKy")
    if registered and registered.year:
        last_year = register.year_end or register.year_start
        if not register.year_start <= registered.year <= last_year:
            issues.append(
                _warn(
                    "ngayDangKy",
                    "outside_register_years",
                    _("Ngày đăng ký không thuộc năm của sổ (%(years)s).")
                    % {"years": register.years_label},
                )
            )
    event = _date(data, rtype.event_date) if rtype.event_date else None
    if registered and event and event.earliest() and registered.latest():
        if event.earliest() > registered.latest():  # type: ignore[operator]
            label = rtype.by_key[rtype.event_date].label
            issues.append(
                _warn(
                    rtype.event_date,
                    "event_after_registration",
                    _("%(event)s sau ngày đăng ký.") % {"event": label},
                )
            )
        elif rtype.code in LATE_AFTER_DAYS and data.get("loaiDangKy", "") in _ON_TIME:
            limit = LATE_AFTER_DAYS[rtype.code]
            gap = registered.earliest() - event.latest()  # type: ignore[operator]
            if gap > dt.timedelta(days=limit):
                issues.append(
                    _warn(
                        "ngayDangKy",
                        "late_registration",
                        _(
                            "Đăng ký sau %(days)d ngày kể từ %(event)s (quá %(limit)d ngày): "
                            "kiểm tra loại đăng ký (quá hạn?)."
                        )
                        % {
                            "days": gap.days,
                            "event": str(rtype.by_key[rtype.event_date].label).lower(),
                            "limit": limit,
                        },
                    )
                )
    return issues


def check_numbering(
    register: Register, data: Mapping[str, str], record: Record | None, sequence: int | None
) -> list[Issue]:
    """Numbers restart at 01 each year and never repeat within authority + type + year."""
    from hotich.records.services import number_sort_key

    number = number_sort_key(data.get("so", ""))
    registered = _date(data, "ngayDangKy")
    year = registered.year if registered else None
    if number is None or year is None:
        return []
    issues: list[Issue] = []
    previous = register.records.exclude(number_sort=None)
    if record is not None:
        previous = previous.exclude(pk=record.pk)
    seq = sequence if sequence is not None else (record.sequence if record else None)
    if seq is not None:
        previous = previous.filter(sequence__lt=seq)
    prev = previous.order_by("-sequence", "-id").values("number_sort", "registration_year").first()
    if prev is not None and prev["registration_year"]:
        expected = 1 if prev["registration_year"] < year else (prev["number_sort"] or 0) + 1
        if prev["registration_year"] <= year and number != expected:
            issues.append(
                _warn(
                    "so",
                    "sequence",
                    _("Số %(number)s không liền sau số trước (%(expected)s).")
                    % {"number": data.get("so"), "expected": f"{expected:02d}"},
                )
            )
    same = Record.objects.filter(
        register__register_type=register.register_type,
        registration_year=year,
        number_sort=number,
    ).filter(
        Q(register__authority_unit_id=register.authority_unit_id)
        if register.authority_unit_id
        else Q(register__authority_key=register.authority_key)
    )
    if record is not None:
        same = same.exclude(pk=record.pk)
    clash = same.select_related("register").first()
    if clash is not None:
        issues.append(
            _warn(
                "so",
                "duplicate",
                _("Số %(number)s năm %(year)s đã có ở %(where)s.")
                % {"number": data.get("so"), "year": year, "where": f"{clash.register} – {clash}"},
            )
        )
    return issues


def record_validate(
    rtype: RecordType,
    register: Register,
    raw: Mapping[str, Any],
    *,
    record: Record | None = None,
    sequence: int | None = None,
) -> tuple[dict[str, str], list[Issue]]:
    data, issues = clean_data(rtype, raw)
    issues += check_rules(rtype, data, register)
    issues += check_numbering(register, data, record, sequence)
    return data, issues


def has_unreadable(data: Mapping[str, str]) -> bool:
    return any(UNREADABLE in value for value in data.values())
