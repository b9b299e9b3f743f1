"""A register scanned and keyed to the end, for the package tests."""

from __future__ import annotations

import pytest

from hotich.records.models import Record
from hotich.records.services import record_save
from hotich.scans.services import scan_batch_create
from tests.records.test_record_save import BIRTH
from tests.scans import samples


def upload(register, actor, files):
    handles = [(name, path.open("rb")) for name, path in files]
    try:
        scan_batch_create(actor=actor, register=register, files=handles)
    finally:
        for _name, handle in handles:
            handle.close()


def key(register, actor, number, **extra):
    record = Record.objects.get(register=register, number=number)
    raw = {**BIRTH, "so": number, "quyenSo": register.volume, **extra}
    return record_save(actor=actor, register=register, record=record, raw=raw).record


@pytest.fixture
def scanned(register, users, tmp_path):
    """Three birth cases of 10/03/2010, numbers 01–03, scanned by the convention (case 02 on
    two pages) and keyed to the end; the register declares three entries."""
    Record.objects.filter(register=register).delete()
    register.declared_entries = 3
    register.save(update_fields=["declared_entries"])
    files = []
    for number, pages in (("01", 1), ("02", 2), ("03", 1)):
        name = f"{register.code}.2010-03-10.{number}.pdf"
        files.append((name, samples.make_case_pdf(tmp_path / name, pages=pages)))
    upload(register, users["unit_admin"], files)
    for number in ("01", "02", "03"):
        assert key(register, users["unit_admin"], number).status == Record.Status.SUBMITTED
    return register
