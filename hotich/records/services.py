"""Writes of records: placeholders from scans, keyed saves with their parties, margin notes.

A placeholder carries only what scans can tell (number and date from a file name, or its position
in a split book). `record_save` validates keyed data against the register type's declaration,
refuses a save made on an older version than the stored one (two people on one record), rewrites
the record's parties and writes the audit event, all in one transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from hotich.core.audit import audit_record
from hotich.core.text import fold
from hotich.records.models import MarginNote, Party, Record
from hotich.records.schema import RecordType, record_type
from hotich.records.schema.dates import PartialDateError, parse_partial_date
from hotich.records.validation import LOOK_UP, Issue, has_unreadable, record_validate
from hotich.registers.domain import Status as RegisterStatus
from hotich.registers.models import Register
from hotich.registers.services import (
    register_data_changed,
    register_follow_work,
    register_lock_writable,
)

#: No register numbers its entries past this; a longer run of digits is a typo or a stray value,
#: sorted as text (and it would not fit the database's integer column).
NUMBER_SORT_MAX_DIGITS = 9


def number_sort_key(number: str) -> int | None:
    digits = number.strip().lstrip("0") or ("0" if number.strip() else "")
    if not digits.isdigit() or len(digits) > NUMBER_SORT_MAX_DIGITS:
        return None
    # isdigit() is also true of other scripts' digits ("²", "٣"): only ASCII ones sort.
    return int(digits) if digits.isascii() else None


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
    register_lock_writable(register)
    if sequence is None:
        last = register.records.aggregate(m=Max("sequence"))["m"] or 0
        sequence = last + 1
    record = Record.objects.create(
        register=register,
        number=number,
        number_sort=number_sort_key(number),
        registration_date=registration_date,
        registration_year=registration_date.year if registration_date else None,
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


_PARTY_FIELDS = (
    "role", "full_name", "name_key", "name_rev", "sex", "pid", "id_number", "ethnicity",
    "nationality", "residence", "birthplace", "birth_year", "birth_month", "birth_day",
    "birth_text",
)  # fmt: skip


_PERSON_FIELDS: dict[str, tuple[tuple[str, str, str], ...]] = {}


def _person_fields(rtype: RecordType) -> tuple[tuple[str, str, str], ...]:
    found = _PERSON_FIELDS.get(rtype.code)
    if found is None:
        found = tuple((f.key, f.role, f.attr) for f in rtype.keyed_fields if f.attr and f.role)
        _PERSON_FIELDS[rtype.code] = found
    return found


_PARTY_ATTRS = (
    "name", "sex", "pid", "id_number", "ethnicity", "nationality", "residence", "birthplace",
    "birth",
)  # fmt: skip
_PARTY_PLANS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {}


def _party_plan(rtype: RecordType) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Per role, in order, the data key of each attribute in `_PARTY_ATTRS` ("": none)."""
    found = _PARTY_PLANS.get(rtype.code)
    if found is None:
        keys: dict[tuple[str, str], str] = {}
        for key, role, attr in _person_fields(rtype):
            # Two columns for one attribute of a person: the plan cannot say which one a record
            # uses (the last non-empty one); none of the register types has that.
            assert (role, attr) not in keys, f"{key}: two columns for {role}.{attr}"
            keys[role, attr] = key
        found = tuple(
            (role.key, tuple(keys.get((role.key, attr), "") for attr in _PARTY_ATTRS))
            for role in rtype.roles
        )
        _PARTY_PLANS[rtype.code] = found
    return found


_FOLDED: dict[str, tuple[str, str]] = {}


def _fold_name(name: str) -> tuple[str, str]:
    """The name's folded key and the same tokens reversed (the key given-name search reads)."""
    # Imports fold hundreds of thousands of names, many of them the same.
    folded = _FOLDED.get(name)
    if folded is None:
        if len(_FOLDED) > 100_000:
            _FOLDED.clear()
        key = fold(name)[:255]
        folded = _FOLDED[name] = (key, " ".join(reversed(key.split())))
    return folded


_Birth = tuple[int | None, int | None, int | None, str]


def _birth(text: str) -> _Birth:
    """A birth date as the party columns hold it: year, month, day, the text as written."""
    try:
        birth = parse_partial_date(text)
    except PartialDateError:
        birth = None
    if birth is None:
        return (None, None, None, "")
    return (birth.year, birth.month, birth.day, birth.text[:40])


def _party_values(
    rtype: RecordType, data: dict[str, str], births: dict[str, _Birth] | None = None
) -> list[tuple[Any, ...]]:
    """The people of a record as tuples in `_PARTY_FIELDS` order; `births` remembers parsed
    dates across the records of an import (a register repeats the same years)."""
    out = []
    get = data.get
    for role, (name_key, sex, pid, id_number, ethnicity, nationality, residence, birthplace,
               birth_key) in _party_plan(rtype):  # fmt: skip
        name = get(name_key)
        if not name:
            continue
        text = get(birth_key, "")
        birth = births.get(text) if births is not None else None
        if birth is None:
            birth = _birth(text)
            if births is not None and len(births) < 50_000:
                births[text] = birth
        out.append(
            (
                role,
                name[:255],
                *_fold_name(name),
                get(sex, "")[:2],
                get(pid, "")[:20],
                get(id_number, "")[:40],
                get(ethnicity, "")[:60],
                get(nationality, "")[:80],
                get(residence, "")[:255],
                get(birthplace, "")[:255],
                *birth,
            )
        )
    return out


def record_parties(rtype: RecordType, record: Record, data: dict[str, str]) -> list[Party]:
    """The people of a record, from its data (not saved)."""
    return [
        Party(
            record=record,
            register_id=record.register_id,
            registration_year=record.registration_year,
            **dict(zip(_PARTY_FIELDS, values, strict=True)),
        )
        for values in _party_values(rtype, data)
    ]


def _derive(data: dict[str, str], issues: list[Issue], ack: list[str]) -> dict[str, Any]:
    """The columns a record's data and its validation decide."""
    number = data.get("so", "")[:20]
    try:
        registered = parse_partial_date(data.get("ngayDangKy", ""))
    except PartialDateError:
        registered = None
    errors = sum(1 for i in issues if i.level == "error")
    codes = {i.code for i in issues if i.level == "warning"}
    kept = [code for code in ack if code in codes]
    done = errors == 0 and not (codes - set(kept))
    return {
        "number": number,
        "number_sort": number_sort_key(number),
        "registration_date": registered.as_date() if registered else None,
        "registration_year": registered.year if registered else None,
        "error_count": errors,
        "warning_count": len(codes),
        "ack": kept,
        "has_unreadable": has_unreadable(data),
        "status": Record.Status.SUBMITTED if done else Record.Status.DRAFT,
    }


def _status_after_save(before: str, derived: str, *, changed: bool) -> str:
    """A save keeps what review decided until the data undoes it (decision 0010): a returned
    record stays returned until it is complete again, then goes back to review as submitted; a
    verified record stays verified only while its data is unchanged."""
    if before == Record.Status.RETURNED and derived == Record.Status.DRAFT:
        return Record.Status.RETURNED
    if before == Record.Status.VERIFIED and derived == Record.Status.SUBMITTED and not changed:
        return Record.Status.VERIFIED
    return derived


def _apply(record: Record, rtype: RecordType, data: dict[str, str], issues: list[Issue]) -> None:
    record.data = data
    for name, value in _derive(data, issues, list(record.ack)).items():
        setattr(record, name, value)


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
    # Also serialises two operators adding records (distinct sequence numbers).
    locked = register_lock_writable(register)
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
        previous = LOOK_UP
    else:
        before = {}
        # The last record gives the next sequence number and, when it is numbered, the number
        # the new one should follow: one query for both.
        last = (
            register.records.order_by("-sequence", "-id")
            .values("sequence", "number_sort", "registration_year")
            .first()
        )
        sequence = (last["sequence"] if last else 0) + 1
        previous = last if last is None or last["number_sort"] is not None else LOOK_UP
        record = Record(register=register, sequence=sequence, source=Record.Source.MANUAL)
    data, issues = record_validate(
        rtype, register, raw, record=record, sequence=sequence, previous=previous
    )
    record.ack = sorted(set(ack))
    reviewed = record.status
    _apply(record, rtype, data, issues)
    record.status = _status_after_save(reviewed, record.status, changed=data != before)
    now = timezone.now()
    record.updated_by = actor
    if record.status == Record.Status.SUBMITTED and record.keyed_by_id is None:
        record.keyed_by, record.keyed_at = actor, now
    if not created:
        record.version += 1
    record.save()
    if not created:  # a new record has no parties yet
        Party.objects.filter(record=record).delete()
    Party.objects.bulk_create(record_parties(rtype, record, data))
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
    _follow_work(actor, locked, submitted=record.status == Record.Status.SUBMITTED)
    return SaveResult(record=record, issues=issues, created=created)


def _follow_work(actor: Any, register: Register, *, submitted: bool) -> None:
    """The register's status follows the keying (decision 0002): keyed → "đang nhập liệu",
    every declared entry submitted → "đang kiểm tra"."""
    if register.status in (RegisterStatus.INVENTORIED, RegisterStatus.SCANNING):
        register_follow_work(
            actor=actor,
            register=register,
            to=RegisterStatus.KEYING,
            reason=gettext("Đã bắt đầu nhập liệu sổ."),
        )
    if not submitted or register.status != RegisterStatus.KEYING:
        return
    declared = register.declared_entries
    if not declared:
        return
    done = Record.objects.filter(
        register_id=register.pk, status__in=[Record.Status.SUBMITTED, Record.Status.VERIFIED]
    ).count()
    if done >= declared:
        register_follow_work(
            actor=actor,
            register=register,
            to=RegisterStatus.REVIEW,
            reason=gettext("Đã nhập đủ %(n)s / %(declared)s trường hợp theo sổ.")
            % {"n": done, "declared": declared},
        )


def record_set_status(*, record: Record, status: str) -> Record:
    """Write a status decided by review (`hotich.review.services`, which holds the transition
    rules, the row lock and the audit event). The version moves on, so a keying form opened
    before the decision is refused on save; who saved the data last and when stay as they were.
    """
    register_lock_writable(record.register_id, changes_data=False)  # the data stay as keyed
    record.status = status
    record.version += 1
    Record.objects.filter(pk=record.pk).update(status=status, version=record.version)
    return record


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
    """Attach a note written later in the margin; its date is kept as written (partial allowed).

    The one change an accepted or delivered register still takes (the law adds these later):
    its packages are out of date from now on."""
    when = parse_partial_date(date_text) if date_text.strip() else None
    register_data_changed(record.register_id)
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


@dataclass
class ImportRow:
    """One row of a file to store: the cleaned data and what validation said of it."""

    data: dict[str, str]
    issues: list[Issue]
    #: an existing record of the register this row fills (a placeholder from a scan name, or a
    #: row left pending by an earlier import of the same file).
    target: int | None = None


RECORD_COLUMNS = (
    "id", "register_id", "sequence", "source", "data", "number", "number_sort",
    "registration_date", "registration_year", "error_count", "warning_count", "ack",
    "has_unreadable", "status", "keyed_by_id", "keyed_at", "updated_by_id", "created_at",
    "updated_at", "version",
)  # fmt: skip


PARTY_COLUMNS = ("record_id", "register_id", "registration_year", *_PARTY_FIELDS)
_CHUNK = 5000  # rows of a bulk import prepared and written at a time


@dataclass
class PreparedChunk:
    """Rows of an import in database form (`RECORD_COLUMNS`, `PARTY_COLUMNS` order)."""

    records: list[tuple[Any, ...]]
    parties: list[tuple[Any, ...]]
    submitted: int


def prepare_import_rows(
    rtype: RecordType,
    register_id: int,
    ids: list[int],
    rows: list[tuple[dict[str, str], list[Issue]]],
    *,
    sequence: int,
    actor_id: int | None,
    now_db: Any,
) -> Iterator[PreparedChunk]:
    """New records of an import and their people, `_CHUNK` records at a time, ready to INSERT.

    Pure: reads no database, so that a helper process can prepare part of a file (the ids and
    sequence numbers are decided by the caller, who holds the register's lock).
    """
    from django.db import connection

    from hotich.core.fastinsert import json_text

    record_rows: list[tuple[Any, ...]] = []
    party_rows: list[tuple[Any, ...]] = []
    submitted = 0
    acks: dict[tuple[str, ...], str] = {}  # the few distinct `ack` lists, as JSON
    # What `_derive` would say, worked out once per distinct text (a register repeats them).
    adapt_date = connection.ops.adapt_datefield_value
    dates: dict[str, tuple[Any, int | None]] = {}  # ngayDangKy -> (date for the db, year)
    numbers: dict[str, tuple[str, int | None]] = {}  # so -> (number, its sort key)
    births: dict[str, _Birth] = {}
    source = Record.Source.IMPORT
    submitted_status, draft_status = Record.Status.SUBMITTED, Record.Status.DRAFT
    for n, (pk, (data, issues)) in enumerate(zip(ids, rows, strict=True), start=1):
        # An import acknowledges every warning (see `record_bulk_import`): a row is submitted
        # when it has no error, as `_derive` decides with all warning codes acknowledged.
        errors = 0
        codes: set[str] = set()
        for issue in issues:
            if issue.level == "error":
                errors += 1
            elif issue.level == "warning":
                codes.add(issue.code)
        ack = tuple(sorted(codes))
        ack_json = acks.get(ack)
        if ack_json is None:
            ack_json = acks[ack] = json_text(list(ack))
        text = data.get("so", "")
        number = numbers.get(text)
        if number is None:
            number = numbers[text] = (text[:20], number_sort_key(text[:20]))
        text = data.get("ngayDangKy", "")
        registered = dates.get(text)
        if registered is None:
            try:
                when = parse_partial_date(text)
            except PartialDateError:
                when = None
            registered = (adapt_date(when.as_date() if when else None), when.year if when else None)
            if len(dates) < 50_000:
                dates[text] = registered
        done = errors == 0
        submitted += done
        record_rows.append(
            (
                pk, register_id, sequence, source, json_text(data), number[0], number[1],
                registered[0], registered[1], errors, len(codes), ack_json,
                has_unreadable(data), submitted_status if done else draft_status,
                actor_id if done else None, now_db if done else None, actor_id, now_db, now_db, 1,
            )
        )  # fmt: skip
        sequence += 1
        year = registered[1]
        party_rows.extend((pk, register_id, year, *v) for v in _party_values(rtype, data, births))
        if n % _CHUNK == 0 or n == len(ids):
            yield PreparedChunk(record_rows, party_rows, submitted)
            record_rows, party_rows, submitted = [], [], 0


@transaction.atomic
def record_bulk_import(
    *, actor: Any, register: Register, rows: list[ImportRow], source_name: str = ""
) -> dict[str, int]:
    """Store imported rows in one transaction: all of them or, if anything fails, none.

    Rows with errors are stored as drafts ("pending"), rows with only warnings as submitted with
    the warnings acknowledged by the import (the file was the previous project's final data).
    New rows are written with prepared INSERTs (see `hotich.core.fastinsert`); rows that fill an
    existing record go through the ORM.
    """
    from hotich.core.fastinsert import (
        checkpoint_after_commit,
        checks_skipped,
        db_datetime,
        gc_paused,
        indexes_deferred,
        insert_rows,
        large_write_cache,
        lock_row,
        reserve_ids,
    )
    from hotich.records import bulk_helper

    rtype = record_type(register.register_type)
    large_write_cache()
    lock_row(Register, register.pk)
    locked = register_lock_writable(register)
    next_sequence = (register.records.aggregate(m=Max("sequence"))["m"] or 0) + 1
    targets = {r.target for r in rows if r.target}
    existing = {
        rec.pk: rec
        for rec in Record.objects.filter(pk__in=targets, register=register).select_for_update()
    }
    fresh = [row for row in rows if not (row.target and row.target in existing)]
    ids = reserve_ids(Record, len(fresh))
    now = timezone.now()
    now_db = db_datetime(now)
    actor_id = getattr(actor, "pk", None)
    submitted = parties = 0
    party_rows: list[tuple[Any, ...]] = []
    with contextlib.ExitStack() as deferred:
        # The commit of a large import does not wait for SQLite's checkpoint.
        deferred.enter_context(checkpoint_after_commit())
        deferred.enter_context(gc_paused())
        deferred.enter_context(checks_skipped())  # rows prepared here: valid JSON, no negatives
        # A large first import builds the indexes once at the end instead of row by row.
        deferred.enter_context(indexes_deferred(Record, len(fresh)))
        deferred.enter_context(indexes_deferred(Party, len(fresh) * len(rtype.roles)))
        # A large import on SQLite hands its last rows to a second process, which prepares
        # them while this one prepares and writes the first ones (see `bulk_helper`).
        helper = deferred.enter_context(bulk_helper.start(len(fresh)))
        mine = len(fresh)
        if helper is not None:
            mine = len(fresh) - helper.share(len(fresh))
            job = {
                "rtype": rtype.code, "register": register.pk, "ids": ids[mine:],
                "sequence": next_sequence + mine, "actor": actor_id, "now": now_db,
            }  # fmt: skip
            helper.send(job, [(row.data, row.issues) for row in fresh[mine:]])
        prepared = prepare_import_rows(
            rtype, register.pk, ids[:mine], [(row.data, row.issues) for row in fresh[:mine]],
            sequence=next_sequence, actor_id=actor_id, now_db=now_db,
        )  # fmt: skip
        for chunk in prepared:
            # Written a chunk at a time: the prepared rows of a whole file would take hundreds
            # of MB. Records and parties keep the ids they would get all at once.
            insert_rows(Record, RECORD_COLUMNS, chunk.records, json_columns=("data", "ack"))
            parties += insert_rows(Party, PARTY_COLUMNS, chunk.parties)
            submitted += chunk.submitted
        if helper is not None:
            done = helper.copy_into(Record, Party)
            submitted += done["submitted"]
            parties += done["parties"]
    updated: list[Record] = []
    for row in rows:
        record = existing.get(row.target) if row.target else None
        if record is None:
            continue
        record.ack = sorted({i.code for i in row.issues if i.level == "warning"})
        _apply(record, rtype, row.data, row.issues)
        record.version += 1
        record.updated_by, record.updated_at = actor, now
        if record.status == Record.Status.SUBMITTED:
            record.keyed_by, record.keyed_at = actor, now
            submitted += 1
        updated.append(record)
        party_rows.extend(
            (record.pk, register.pk, record.registration_year, *values)
            for values in _party_values(rtype, row.data)
        )
    if updated:
        Record.objects.bulk_update(
            updated,
            [
                "data", "ack", "number", "number_sort", "registration_date", "registration_year",
                "status", "error_count", "warning_count", "has_unreadable", "keyed_by", "keyed_at",
                "updated_by", "updated_at", "version",
            ],
            batch_size=1000,
        )  # fmt: skip
        Party.objects.filter(record__in=updated).delete()
    parties += insert_rows(Party, PARTY_COLUMNS, party_rows)
    counts = {
        "created": len(fresh),
        "filled": len(updated),
        "submitted": submitted,
        "pending": len(fresh) + len(updated) - submitted,
        "parties": parties,
    }
    audit_record(
        actor=actor,
        action="record.import",
        obj=register,
        office_path=register.custodian.path,
        after={"file": source_name, **counts},
    )
    _follow_work(actor, locked, submitted=submitted > 0)
    return counts
