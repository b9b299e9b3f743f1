"""Validation of a record's data against its register type's declaration, in Vietnamese.

Errors block submission (a draft still saves with them); warnings are shown and can be
acknowledged by their code. The same function serves validation as you type, on save, and
for imported rows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from hotich.core.text import nfc
from hotich.records.models import Record
from hotich.records.schema import Kind, RecordType
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


def _error(key: str, message: str) -> Issue:
    return Issue(key, "error", f"{key}:invalid", message)


_Plan = tuple[dict[str, tuple[Kind, Any, int]], tuple[str, ...]]
_PLANS: dict[str, _Plan] = {}
_CODES: dict[tuple[str, str], str | None] = {}


def _plan(rtype: RecordType) -> _Plan:
    plan = _PLANS.get(rtype.code)
    if plan is None:
        fields = rtype.keyed_fields
        plan = (
            {f.key: (f.kind, f.codes, f.max_length) for f in fields},
            tuple(f.key for f in fields if f.required),
        )
        _PLANS[rtype.code] = plan
    return plan


def _code(codes: Any, text: str) -> str | None:
    # Imports repeat the same few values thousands of times: remember each answer.
    key = (codes.name, text)
    if key not in _CODES:
        if len(_CODES) > 100_000:
            _CODES.clear()
        _CODES[key] = codes.normalise(text)
    return _CODES[key]


def _date_error(text: str) -> str:
    try:
        parse_partial_date(text)
    except PartialDateError as exc:
        return str(exc)
    return ""


def _clean_value(key: str, spec: tuple[Kind, Any, int], value: Any) -> tuple[str, list[Issue]]:
    """One keyed field: its normalised text ("" when there is nothing) and what is wrong."""
    issues: list[Issue] = []
    kind, codes, max_length = spec
    text = value if isinstance(value, str) else str(value)
    text = text.strip() if kind == Kind.LONGTEXT else nfc(text)
    if kind == Kind.ID:
        text = text.replace(" ", "")
    if not text:
        return "", issues
    if len(text) > max_length:
        issues.append(_error(key, _("Dài quá %(n)d ký tự.") % {"n": max_length}))
        text = text[:max_length]
    if kind == Kind.CODE and codes is not None:
        if UNREADABLE not in text:
            canonical = _code(codes, text)
            if canonical is None:
                issues.append(
                    _error(key, _("“%(value)s” không có trong danh mục.") % {"value": text})
                )
            else:
                text = canonical
    elif kind == Kind.DATE:
        message = _date_error(text)
        if message:
            issues.append(_error(key, message))
    elif kind == Kind.TIME and not _TIME.match(text) and UNREADABLE not in text:
        issues.append(_error(key, _("Giờ không đúng dạng: gõ giờ:phút, ví dụ 14:30.")))
    elif kind == Kind.ID and not _ID.match(text):
        issues.append(_error(key, _("Số giấy tờ chỉ gồm chữ số và chữ cái, không dấu.")))
    return text, issues


def _required_issues(required: tuple[str, ...], data: Mapping[str, str]) -> list[Issue]:
    missing = [key for key in required if key not in data]
    if not missing:
        return []
    message = _("Bắt buộc nhập.")
    return [Issue(key, "error", f"{key}:required", message) for key in missing]


def clean_data(rtype: RecordType, raw: Mapping[str, Any]) -> tuple[dict[str, str], list[Issue]]:
    """Normalise every keyed field (NFC, trimmed, canonical code values); report what is wrong.

    Values that fail a check are kept as typed, so a draft loses nothing.
    """
    data: dict[str, str] = {}
    issues: list[Issue] = []
    plan, required = _plan(rtype)
    for key, value in raw.items():
        spec = plan.get(key)
        if spec is None or not value:
            continue
        text, found = _clean_value(key, spec, value)
        issues += found
        if text:
            data[key] = text
    issues[:0] = _required_issues(required, data)
    return data, issues


class FileCleaner:
    """`clean_data` for the rows of one file, remembering each column's answers.

    A register file repeats the same dates, places and codes thousands of times; the answer for a
    cell depends only on its column and its text, so each is worked out once. Columns of unique
    values (names, identity numbers) stop growing their memory at `LIMIT` entries.
    """

    LIMIT = 20_000

    def __init__(self, rtype: RecordType, register: Register) -> None:
        self.rtype, self.register = rtype, register
        plan, self.required = _plan(rtype)
        self._required_set = frozenset(self.required)
        self._specs = plan
        self._memo: dict[str, dict[str, tuple[str, tuple[Issue, ...], bool]]] = {
            key: {} for key in plan
        }
        self._dates: dict[tuple[str, str, bool], tuple[Issue, ...]] = {}

    def clean(self, raw: Mapping[str, str]) -> tuple[dict[str, str], list[Issue], list[str]]:
        """As `clean_data` for a row of non-empty texts; also the keys whose text changed."""
        data: dict[str, str] = {}
        issues: list[Issue] = []
        changed: list[str] = []
        memo = self._memo
        for key, value in raw.items():
            seen = memo.get(key)
            if seen is None:
                continue  # not a keyed column
            hit = seen.get(value)
            if hit is None:
                cleaned, problems = _clean_value(key, self._specs[key], value)
                hit = (cleaned, tuple(problems), cleaned == value)
                if len(seen) < self.LIMIT:
                    seen[value] = hit
            text, found, same = hit
            if found:
                issues += found
            if not same:
                changed.append(key)
            if text:
                data[key] = text
        # Almost every row has them all: one set comparison, in C, before listing what lacks.
        if self.required and not self._required_set <= data.keys():
            issues[:0] = _required_issues(self.required, data)
        return data, issues, changed

    def rules(self, data: Mapping[str, str]) -> list[Issue]:
        """As `check_rules`; the date rules depend on three texts that repeat: remembered."""
        issues = _id_rules(self.rtype, data)
        inputs = _date_inputs(self.rtype, data)
        found = self._dates.get(inputs)
        if found is None:
            found = tuple(_date_rules(self.rtype, self.register, *inputs))
            if len(self._dates) < self.LIMIT:
                self._dates[inputs] = found
        issues += found
        return issues


def _date(data: Mapping[str, str], key: str) -> PartialDate | None:
    try:
        return parse_partial_date(data.get(key, ""))
    except PartialDateError:
        return None


def _warn(key: str, code: str, message: str) -> Issue:
    return Issue(key, "warning", code, message)


_ID_FIELDS: dict[str, tuple[Any, ...]] = {}


def _id_fields(rtype: RecordType) -> tuple[Any, ...]:
    found = _ID_FIELDS.get(rtype.code)
    if found is None:
        found = tuple(
            f for f in rtype.keyed_fields if (f.kind == Kind.ID and f.digits) or f.attr == "id_type"
        )
        _ID_FIELDS[rtype.code] = found
    return found


def check_rules(rtype: RecordType, data: Mapping[str, str], register: Register) -> list[Issue]:
    """Rules within one record: identity numbers, dates against each other and the register."""
    issues = _id_rules(rtype, data)
    issues += _date_rules(rtype, register, *_date_inputs(rtype, data))
    return issues


def _date_inputs(rtype: RecordType, data: Mapping[str, str]) -> tuple[str, str, bool]:
    """What `_date_rules` reads of a record: registration date, event date, on-time kind."""
    event = data.get(rtype.event_date, "") if rtype.event_date else ""
    return data.get("ngayDangKy", ""), event, data.get("loaiDangKy", "") in _ON_TIME


def _id_rules(rtype: RecordType, data: Mapping[str, str]) -> list[Issue]:
    issues: list[Issue] = []
    for f in _id_fields(rtype):
        value = data.get(f.key, "")
        if (
            f.digits
            and value
            and UNREADABLE not in value
            and (not value.isdigit() or len(value) not in f.digits)
        ):
            issues.append(
                _warn(f.key, f"{f.key}:digits", _("Số định danh cá nhân thường có 12 chữ số."))
            )
        if f.attr == "id_type" and value in ("1", "4"):
            key = f.key.replace("LoaiGiayToTuyThan", "SoGiayToTuyThan")
            number = data.get(key, "")
            expected = (9, 12) if value == "1" else (12,)
            if (
                number
                and UNREADABLE not in number
                and (not number.isdigit() or len(number) not in expected)
            ):
                issues.append(
                    _warn(
                        key,
                        f"{key}:digits",
                        _("CMND có 9 hoặc 12 chữ số, thẻ căn cước công dân có 12 chữ số."),
                    )
                )
    return issues


def _parsed(text: str) -> PartialDate | None:
    try:
        return parse_partial_date(text)
    except PartialDateError:
        return None


def _date_rules(
    rtype: RecordType, register: Register, registered_text: str, event_text: str, on_time: bool
) -> list[Issue]:
    issues: list[Issue] = []
    registered = _parsed(registered_text)
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
    event = _parsed(event_text) if rtype.event_date else None
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
        elif rtype.code in LATE_AFTER_DAYS and on_time:
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


#: `previous` of `check_numbering` when the caller does not have it: look it up.
LOOK_UP: Any = object()


def _never_explained(register: Register, year: int, number: int) -> bool:
    return False


#: Whether the register's custodian explained a repeated number (year, number) in its
#: completeness notes. The acceptance app, which keeps those notes and comes after this one,
#: installs the real answer when it starts (`acceptance.apps`).
duplicate_explained: Callable[[Register, int, int], bool] = _never_explained


def _no_scan_name(record: Record) -> tuple[str, str] | None:
    return None


#: The number in the conventional file name of a scan linked to the record, with that name, or
#: None. The scans app, which comes after this one, installs the real answer (`scans.apps`).
scan_name_number: Callable[[Record], tuple[str, str] | None] = _no_scan_name


def _range_issue(register: Register, number: int, year: int, text: str) -> Issue | None:
    """A number before the register's declared first number (in its first year) or after its
    declared last number (in its last year) is flagged: a typo, or a page of another volume."""
    first, last = register.first_number.strip(), register.last_number.strip()
    low = int(first) if first.isdigit() and year == register.year_start else None
    last_year = register.year_end or register.year_start
    high = int(last) if last.isdigit() and year == last_year else None
    if (low is not None and number < low) or (high is not None and number > high):
        return _warn(
            "so",
            "outside_range",
            _("Số %(number)s nằm ngoài khoảng số đã khai của sổ (%(first)s – %(last)s).")
            % {"number": text, "first": first or "…", "last": last or "…"},
        )
    return None


def check_numbering(
    register: Register,
    data: Mapping[str, str],
    record: Record | None,
    sequence: int | None,
    *,
    previous: Any = LOOK_UP,
) -> list[Issue]:
    """Numbers restart at 01 each year and never repeat within authority + type + year.

    `previous` is the numbered record before this one as {"number_sort", "registration_year"}
    (None: there is none), for a caller that already read it; by default it is looked up.
    """
    from hotich.records.services import number_sort_key

    number = number_sort_key(data.get("so", ""))
    registered = _date(data, "ngayDangKy")
    year = registered.year if registered else None
    if number is None or year is None:
        return []
    issues: list[Issue] = []
    outside = _range_issue(register, number, year, data.get("so", ""))
    if outside is not None:
        issues.append(outside)
    named = scan_name_number(record) if record is not None and record.pk else None
    if named is not None and number_sort_key(named[0]) != number:
        issues.append(
            _warn(
                "so",
                "scan_name",
                _(
                    "Số %(keyed)s khác số %(named)s trong tên tệp scan “%(file)s”: hãy đối "
                    "chiếu lại với bản scan."
                )
                % {"keyed": data.get("so"), "named": named[0], "file": named[1]},
            )
        )
    if previous is LOOK_UP:
        earlier = register.records.exclude(number_sort=None)
        if record is not None:
            earlier = earlier.exclude(pk=record.pk)
        seq = sequence if sequence is not None else (record.sequence if record else None)
        if seq is not None:
            earlier = earlier.filter(sequence__lt=seq)
        previous = (
            earlier.order_by("-sequence", "-id").values("number_sort", "registration_year").first()
        )
    prev = previous
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
        where = f"{clash.register.code} – {clash}"
        params = {"number": data.get("so"), "year": year, "where": where}
        if duplicate_explained(register, year, number):
            issues.append(
                _warn(
                    "so",
                    "duplicate",
                    _("Số %(number)s năm %(year)s đã có ở %(where)s (đã giải trình).") % params,
                )
            )
        else:
            # SPEC §5.2: a number never repeats within authority + type + year. Until the
            # custodian explains it (the paper register really repeats it), the record cannot
            # be submitted.
            issues.append(
                Issue(
                    "so",
                    "error",
                    "duplicate",
                    _(
                        "Số %(number)s năm %(year)s đã có ở %(where)s: số đăng ký không được trùng "
                        "trong cùng cơ quan đăng ký, loại sổ và năm. Hãy xem lại số; nếu sổ giấy "
                        "thật sự ghi trùng, quản trị viên giải trình ở trang Nghiệm thu của sổ rồi "
                        "lưu lại trường hợp này."
                    )
                    % params,
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
    previous: Any = LOOK_UP,
) -> tuple[dict[str, str], list[Issue]]:
    data, issues = clean_data(rtype, raw)
    issues += check_rules(rtype, data, register)
    issues += check_numbering(register, data, record, sequence, previous=previous)
    return data, issues


def has_unreadable(data: Mapping[str, str]) -> bool:
    # The marker is one character, so it cannot span two values: one search, in C.
    return UNREADABLE in "".join(data.values())
