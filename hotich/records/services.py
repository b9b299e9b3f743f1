"""Writes of records: placeholders from scans, keyed saves with their parties, margin notes.

A placeholder carries only what scans can tell (number and date from a file name, or its position
in a split book). `record_save` validates keyed data against the register type's declaration,
refuses a save made on an older version than the stored one (two people on one record), rewrites
the record's parties and writes the audit event, all in one transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from hotich.core.audit import audit_record
from hotich.core.text import fold
from hotich.records.models import MarginNote, Party, Record
from hotich.records.schema import RecordType, record_type
from hotich.records.schema.dates import PartialDateError, parse_partial_date
from hotich.records.validation import Issue, has_unreadable, record_validate
from hotich.registers.models import Register


def number_sort_key(number: str) -> int | None:
    digits = number.strip().lstrip("0") or ("0" if number.strip() else "")
    return int(digits) if digits.isdigit() else None


@transaction.atomic
def record_create_placeholder(
    *,
    actor: Any,
    register: Register,
    source: str,
    number: str = "",
    registration_date: dt.date | None = None,
    sequence: int | None = None,
) -> Record:
    if sequence is None:
        last = register.records.aggregate(m=Max("sequence"))["m"] or 0
        sequence = last + 1
    record = Record.objects.create(
        register=register,
        number=number,
        number_sort=number_sort_key(number),
        registration_date=registration_date,
        sequence=sequence,
        source=source,
    )
    audit_record(
        actor=actor,
        action="record.create",
        obj=record,
        office_path=register.custodian.path,
        after={
            "register": register.pk,
            "number": number,
            "registration_date": registration_date,
            "source": source,
        },
    )
    return record


class RecordConflict(Exception):
    """The record changed since the form was opened; nothing was written."""

    def __init__(self, current: Record, theirs: dict[str, tuple[str, str]]) -> None:
        super().__init__("record changed since it was opened")
        self.current = current
        #: field -> (value when the form was opened, value saved by the other person)
        self.theirs = theirs


@dataclass
class SaveResult:
    record: Record
    issues: list[Issue] = field(default_factory=list)
    created: bool = False

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.level == "error"]

    @property
    def open_warnings(self) -> list[Issue]:
        ack = set(self.record.ack)
        return [i for i in self.issues if i.level == "warning" and i.code not in ack]


def _parties(rtype: RecordType, record: Record, data: dict[str, str]) -> list[Party]:
    people: dict[str, dict[str, str]] = {}
    for f in rtype.keyed_fields:
        if f.role and f.attr and data.get(f.key):
            people.setdefault(f.role, {})[f.attr] = data[f.key]
    out = []
    for role in rtype.roles:
        attrs = people.get(role.key)
        if not attrs or not attrs.get("name"):
            continue
        party = Party(
            record=record,
            role=role.key,
            full_name=attrs["name"][:255],
            name_key=fold(attrs["name"])[:255],
            sex=attrs.get("sex", "")[:2],
            pid=attrs.get("pid", "")[:20],
            id_number=attrs.get("id_number", "")[:40],
            ethnicity=attrs.get("ethnicity", "")[:60],
            nationality=attrs.get("nationality", "")[:80],
            residence=attrs.get("residence", "")[:255],
            birthplace=attrs.get("birthplace", "")[:255],
        )
        try:
            birth = parse_partial_date(attrs.get("birth", ""))
        except PartialDateError:
            birth = None
        if birth is not None:
            party.birth_year, party.birth_month, party.birth_day = (
                birth.year,
                birth.month,
                birth.day,
            )
            party.birth_text = birth.text[:40]
        out.append(party)
    return out


def _apply(record: Record, rtype: RecordType, data: dict[str, str], issues: list[Issue]) -> None:
    record.data = data
    record.number = data.get("so", "")[:20]
    record.number_sort = number_sort_key(record.number)
    try:
        registered = parse_partial_date(data.get("ngayDangKy", ""))
    except PartialDateError:
        registered = None
    record.registration_date = registered.as_date() if registered else None
    record.registration_year = registered.year if registered else None
    record.error_count = sum(1 for i in issues if i.level == "error")
    codes = {i.code for i in issues if i.level == "warning"}
    record.ack = [code for code in record.ack if code in codes]
    record.warning_count = len(codes)
    record.has_unreadable = has_unreadable(data)
    open_warnings = codes - set(record.ack)
    done = record.error_count == 0 and not open_warnings
    record.status = Record.Status.SUBMITTED if done else Record.Status.DRAFT


@transaction.atomic
def record_save(
    *,
    actor: Any,
    register: Register,
    raw: dict[str, Any],
    record: Record | None = None,
    base_version: int | None = None,
    base_data: dict[str, str] | None = None,
    ack: list[str] | tuple[str, ...] = (),
) -> SaveResult:
    """Save what the operator keyed: always kept (as a draft while errors or unseen warnings
    remain), refused only when someone else saved the record since `base_version`."""
    rtype = record_type(register.register_type)
    created = record is None
    if record is not None:
        record = Record.objects.select_for_update().get(pk=record.pk, register=register)
        if base_version is not None and record.version != base_version:
            base = base_data or {}
            theirs = {
                key: (base.get(key, ""), record.data.get(key, ""))
                for key in sorted(set(base) | set(record.data))
                if base.get(key, "") != record.data.get(key, "")
            }
            raise RecordConflict(record, theirs)
        before = dict(record.data)
        sequence = record.sequence
    else:
        # Lock the register so two operators adding records get distinct sequence numbers.
        Register.objects.select_for_update().filter(pk=register.pk).first()
        before = {}
        sequence = (register.records.aggregate(m=Max("sequence"))["m"] or 0) + 1
        record = Record(register=register, sequence=sequence, source=Record.Source.MANUAL)
    data, issues = record_validate(rtype, register, raw, record=record, sequence=sequence)
    record.ack = sorted(set(ack))
    _apply(record, rtype, data, issues)
    now = timezone.now()
    record.updated_by = actor
    if record.status == Record.Status.SUBMITTED and record.keyed_by_id is None:
        record.keyed_by, record.keyed_at = actor, now
    if not created:
        record.version += 1
    record.save()
    Party.objects.filter(record=record).delete()
    Party.objects.bulk_create(_parties(rtype, record, data))
    changed = sorted(k for k in set(before) | set(data) if before.get(k) != data.get(k))
    audit_record(
        actor=actor,
        action="record.create" if created else "record.update",
        obj=record,
        office_path=register.custodian.path,
        before={k: before.get(k, "") for k in changed} if not created else None,
        after={
            **{k: data.get(k, "") for k in changed},
            "status": record.status,
            "version": record.version,
        },
    )
    return SaveResult(record=record, issues=issues, created=created)


@transaction.atomic
def margin_note_add(
    *,
    actor: Any,
    record: Record,
    kind: str,
    text: str,
    date_text: str = "",
    basis: str = "",
) -> MarginNote:
    """Attach a note written later in the margin; its date is kept as written (partial allowed)."""
    when = parse_partial_date(date_text) if date_text.strip() else None
    note = MarginNote.objects.create(
        record=record,
        kind=kind,
        text=text.strip(),
        date_text=when.canonical() if when else "",
        date_year=when.year if when else None,
        basis=basis.strip(),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="record.margin_note",
        obj=record,
        office_path=record.register.custodian.path,
        after={"kind": kind, "date": note.date_text, "text": note.text, "basis": note.basis},
    )
    return note
