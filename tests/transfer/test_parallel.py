"""A large file is read by two processes, half each: the analysis is the same as one process's."""

from __future__ import annotations

import io
import re
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from python_calamine import CalamineWorkbook

from hotich.records.schema import record_type
from hotich.transfer import importer, parallel
from hotich.transfer.xlsx_split import data_sheet_member, write_part
from hotich.transfer.xlsx_write import write_ministry_xlsx
from tests.transfer.files import BIRTH_ROWS, ministry_file


def _rows(count: int) -> list[dict[str, Any]]:
    """A register of `count` births with the usual faults sprinkled through it."""
    out = []
    for n in range(1, count + 1):
        row = {**BIRTH_ROWS[n % 3], "so": f"{n:02d}", "ngayDangKy": f"{n % 28 + 1:02d}.03.2010"}
        row["nksHoTen"] = f"{row['nksHoTen']} {['AN', 'BÌNH', 'CƯỜNG', 'DŨNG'][n % 4]}"
        if n % 37 == 0:
            row["nksNgaySinh"] = "31.02.2010"  # no such date
        if n % 41 == 0:
            row["nksGioiTinh"] = "9"  # not in the code list
        if n % 43 == 0:
            row["so"] = "05"  # a number already used
        if n % 47 == 0:
            row["nksHoTen"] = ""  # a required field left empty
        out.append(row)
    return out


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """Scratch folders go under the test's folder, so that the test sees they are removed."""
    folder = tmp_path / "scratch"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _analyse(register, path: Path, monkeypatch, *, split: bool, **kwargs) -> tuple[Any, bool]:
    """The analysis, and whether two processes made it."""
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0 if split else 10**15)
    seen: list[bool] = []
    real = parallel.analyse

    def watched(*args, **kw):
        found = real(*args, **kw)
        seen.append(found is not None)
        return found

    monkeypatch.setattr(parallel, "analyse", watched)
    with path.open("rb") as stream:
        found = importer.analyse(register, stream, **kwargs)
    monkeypatch.setattr(parallel, "analyse", real)
    return found, seen == [True]


def _same(one, two) -> None:
    def rows(a):
        return [(r.line, r.data, r.issues, r.target, r.skip, r.other) for r in a.rows]

    assert rows(one) == rows(two)
    assert [one.cells(r) for r in one.rows] == [two.cells(r) for r in two.rows]
    assert (one.encoding, one.preview, one.sheet) == (two.encoding, two.preview, two.sheet)
    assert one.layout == two.layout
    assert one.counts() == two.counts()
    assert one.report() == two.report()


def _write(tmp_path: Path, data: bytes, name: str = "KS.2010.01.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _sheet_rows(path: Path) -> list[tuple[int, list[Any]]]:
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("DL Import")
    return [(n + 1, row) for n, row in enumerate(sheet.iter_rows()) if any(row)]


@pytest.mark.parametrize("writer", ["openpyxl", "ours"])
def test_the_two_parts_hold_every_row_once_at_its_line(tmp_path, writer):
    path = tmp_path / "KS.2010.01.xlsx"
    if writer == "ours":  # inline strings, as the export writes them
        write_ministry_xlsx(record_type("KS"), iter(_rows(300)), path)
    else:  # shared strings, as Excel and openpyxl write them
        path.write_bytes(ministry_file("KS", _rows(300)))
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert write_part(path, 0, first, cut_at=0.4)
    assert write_part(path, 1, second, cut_at=0.4)
    whole = _sheet_rows(path)
    one, two = _sheet_rows(first), _sheet_rows(second)
    assert one[0] == whole[0]  # the header stays with the first part
    assert 100 < len(one) < len(whole) - 100
    # Together they are the sheet's rows, each once, at its own line (row numbers kept).
    width = len(whole[0][1])
    assert [(n, r[:width] + [""] * (width - len(r))) for n, r in one + two] == [
        (n, r[:width] + [""] * (width - len(r))) for n, r in whole
    ]


def test_a_large_file_is_analysed_by_two_processes_with_the_same_result(
    tmp_path, register, monkeypatch, scratch
):
    path = _write(tmp_path, ministry_file("KS", _rows(400)))
    two, split = _analyse(register, path, monkeypatch, split=True)
    assert split
    one, split = _analyse(register, path, monkeypatch, split=False)
    assert not split
    _same(one, two)
    assert one.counts()["error"] > 20 and one.counts()["warning"] > 5
    lines = [r.line for r in two.rows]
    assert lines == sorted(lines) and len(set(lines)) == len(lines) == 400
    assert list(scratch.iterdir()) == []  # the scratch folder is gone


def test_when_the_first_half_fills_the_encoding_sample_alone(
    tmp_path, register, monkeypatch, scratch
):
    # 2,000 rows of about six non-ASCII texts: the first 4,000 are in the first half.
    path = _write(tmp_path, ministry_file("KS", _rows(2000)))
    two, split = _analyse(register, path, monkeypatch, split=True)
    one, _ = _analyse(register, path, monkeypatch, split=False)
    assert split
    _same(one, two)


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_legacy_text_is_detected_on_the_whole_files_first_texts(
    tmp_path, register, monkeypatch, scratch, encoding
):
    # Too few texts in the first half: the helper's first texts complete the sample.
    path = _write(tmp_path, ministry_file("KS", _rows(300), encode=encoding))
    two, split = _analyse(register, path, monkeypatch, split=True)
    one, _ = _analyse(register, path, monkeypatch, split=False)
    assert split and two.encoding == encoding
    _same(one, two)
    assert len(two.preview) == importer.PREVIEW_ROWS
    # The encoding chosen by the person applies to both halves.
    two, split = _analyse(register, path, monkeypatch, split=True, encoding="unicode")
    one, _ = _analyse(register, path, monkeypatch, split=False, encoding="unicode")
    assert split and two.encoding == "unicode" and two.preview == []
    _same(one, two)


def _without_row_numbers(source: Path, target: Path) -> None:
    with zipfile.ZipFile(source) as book, zipfile.ZipFile(target, "w") as out:
        member = data_sheet_member(book)
        for info in book.infolist():
            data = book.read(info.filename)
            if info.filename == member:
                data = re.sub(rb'(<row[^>]*?) r="\d+"', rb"\1", data)
            out.writestr(info.filename, data)


def test_a_sheet_that_cannot_be_cut_is_read_by_one_process(
    tmp_path, register, monkeypatch, scratch
):
    source = _write(tmp_path, ministry_file("KS", _rows(200)), name="a.xlsx")
    path = tmp_path / "KS.2010.01.xlsx"
    _without_row_numbers(source, path)  # rows without their numbers: lines would be lost
    assert not write_part(path, 1, tmp_path / "b.xlsx")
    found, split = _analyse(register, path, monkeypatch, split=True)
    assert not split
    one, _ = _analyse(register, source, monkeypatch, split=False)
    _same(one, found)
    assert list(scratch.iterdir()) == []


@pytest.mark.skipif(not Path("/bin/false").exists(), reason="needs a command that fails")
def test_when_the_helper_cannot_run_one_process_reads_the_whole_file(
    tmp_path, register, monkeypatch, scratch
):
    path = _write(tmp_path, ministry_file("KS", _rows(200)))
    one, _ = _analyse(register, path, monkeypatch, split=False)
    monkeypatch.setattr(sys, "executable", "/bin/false")
    found, split = _analyse(register, path, monkeypatch, split=True)
    assert not split
    _same(one, found)
    assert list(scratch.iterdir()) == []


def test_an_upload_held_in_memory_is_read_by_one_process(register, monkeypatch):
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    stream = io.BytesIO(ministry_file("KS", _rows(20)))
    assert parallel.analyse(register, stream) is None
    assert len(importer.analyse(register, stream).rows) == 20


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the store helper is SQLite's")
def test_an_import_through_the_pages_services_uses_both_helpers_and_stores_every_row(
    register, users, monkeypatch, scratch
):
    """Upload, analysis, confirmation, import: as the pages run them, with both helpers."""
    from hotich.records import bulk_helper
    from hotich.records.models import Party, Record
    from hotich.transfer.models import ImportBatch
    from hotich.transfer.services import import_batch_create, import_confirm

    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(bulk_helper, "PARALLEL_MIN_ROWS", 10)
    split: list[bool] = []
    real = parallel.analyse
    monkeypatch.setattr(
        parallel, "analyse", lambda *a, **k: split.append(bool(r := real(*a, **k))) or r
    )
    stored: list[int] = []
    adopted: list[bulk_helper.Helper] = []
    real_copy = bulk_helper.Helper.copy_into

    def copy_into(self, *models):
        result = real_copy(self, *models)
        stored.append(result["submitted"])
        adopted.append(self)
        return result

    warmed: list[bulk_helper.Helper | None] = []
    real_warm = bulk_helper.warm

    def warm():
        real_warm()
        warmed.append(getattr(bulk_helper._spare, "helper", None))

    monkeypatch.setattr(bulk_helper, "warm", warm)

    monkeypatch.setattr(bulk_helper.Helper, "copy_into", copy_into)
    admin = users["unit_admin"]
    rows = _rows(240)
    batch = import_batch_create(
        actor=admin,
        register=register,
        name="KS.2010.01.xlsx",
        stream=io.BytesIO(ministry_file("KS", rows)),
    )
    assert batch.status == ImportBatch.Status.READY, batch.message
    assert batch.rows_total == 240 and batch.rows_error > 0
    import_confirm(actor=admin, batch=batch, mode="clean")
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE, batch.message
    assert split == [True, True]  # the analysis, then the import's own reading
    assert stored and 0 < stored[0] < batch.rows_imported  # the helper stored part of them
    # The analysis on upload starts no store helper; the import's own reading starts it once
    # its reading helper is done, and the store adopts that one.
    assert warmed[0] is None and warmed[1] is not None and adopted == [warmed[1]]
    records = Record.objects.filter(register=register)
    assert records.count() == 240  # clean rows submitted, the others kept pending
    assert batch.rows_imported + batch.rows_pending == 240
    assert records.filter(status=Record.Status.DRAFT).count() == batch.rows_pending
    by_line = dict(records.values_list("sequence", "data__nksHoTen"))
    assert by_line[1] == rows[0]["nksHoTen"] and by_line[240] == rows[239]["nksHoTen"]
    assert Party.objects.filter(record__register=register, role="registered").count() == 240 - 5
    assert list(scratch.iterdir()) == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the store helper is SQLite's")
def test_a_store_helper_started_ahead_and_not_used_is_stopped(db, monkeypatch):
    from hotich.records import bulk_helper

    with bulk_helper.spare():
        bulk_helper.warm()
        helper = bulk_helper._spare.helper
        assert helper is not None and helper.process.poll() is None
    assert helper.process.poll() is not None  # stopped
    assert not helper.folder.exists()
    bulk_helper.warm()  # outside a `spare` block nothing starts
    assert getattr(bulk_helper._spare, "helper", None) is None


def test_a_stream_is_split_only_when_its_name_is_the_file_it_reads(tmp_path, monkeypatch):
    real = _write(tmp_path, ministry_file("KS", _rows(5)), name="real.xlsx")
    with real.open("rb") as stream:
        assert parallel._path_of(stream) == real
    # An upload is named as the person named it; a file of that name here is another file.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "KS.2010.01.xlsx").write_bytes(b"another file")

    class Upload(io.BytesIO):
        name = "KS.2010.01.xlsx"

    assert parallel._path_of(Upload(b"x")) is None
    with Path("real.xlsx").open("rb") as stream:  # a relative name is the same file
        assert parallel._path_of(stream) == real

    class Renamed(io.BufferedReader):
        """Reads one file but carries another's path as its name."""

        def __init__(self, raw, name):
            super().__init__(raw)
            self._name = name

        @property
        def name(self):
            return self._name

    with (tmp_path / "KS.2010.01.xlsx").open("rb", buffering=0) as raw:
        assert parallel._path_of(Renamed(raw, str(real))) is None
