"""Writes of records that other capabilities need before keying exists: create a placeholder.

A record created here carries only what scans can tell (number and date from a file name, or its
position in a split book); the keying capability fills in the rest.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max

from hotich.core.audit import audit_record
from hotich.records.models import Record
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
