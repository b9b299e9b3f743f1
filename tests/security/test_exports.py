"""Formula injection (issue 16): text typed by people — an explanation, a check note, a keyed
field, an office's name — is written as text in every workbook the product produces, never as
a live formula (`core/xlsx_out.py`)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from hotich.acceptance.documents import render
from hotich.acceptance.services import (
    acceptance_round_start,
    completeness_explain,
)
from hotich.records.schema import record_type
from hotich.transfer.xlsx_write import write_ministry_xlsx
from tests.acceptance.test_acceptance import build, check_all
from tests.records.test_record_save import BIRTH

PAYLOADS = ['=HYPERLINK("http://ke-gian.example/","Bấm vào đây")', "+1+2", "-2+3", "@SUM(A1)"]


def _formulas(data: bytes) -> list[str]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [
        f"{sheet.title}!{cell.coordinate}: {cell.value}"
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


def _texts(data: bytes) -> set[str]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {
        str(cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    }


def test_the_acceptance_record_keeps_explanations_and_notes_as_text(users, tree):
    register = build(users, tree, numbers=(1, 2, 4), declared_entries=3, page_count=3)
    completeness_explain(
        actor=users["unit_admin"], register=register, keys=["gap:2010:3-3"], text=PAYLOADS[0]
    )
    acceptance_round = acceptance_round_start(actor=users["unit_admin"], register=register)
    check_all(acceptance_round, users["province_admin"])
    data, _type = render(acceptance_round, "xlsx")
    assert _formulas(data) == []
    assert PAYLOADS[0] in _texts(data)


def test_the_ministry_package_workbook_keeps_keyed_text_as_text(tmp_path):
    rows = [{**BIRTH, "so": "01", "ghiChu": p, "nksHoTen": p} for p in PAYLOADS]
    path = tmp_path / "KS.xlsx"
    write_ministry_xlsx(record_type("KS"), rows, path)
    data = path.read_bytes()
    assert _formulas(data) == []
    assert set(PAYLOADS) <= _texts(data)


def test_the_report_workbook_keeps_an_office_name_as_text(users, tree, login):
    tree["phong"].name = PAYLOADS[0]
    tree["phong"].save(update_fields=["name"])
    build(users, tree)
    response = login(users["province_admin"]).get(reverse("reports:dashboard_export"))
    assert response.status_code == 200
    data = b"".join(response.streaming_content) if response.streaming else response.content
    assert _formulas(data) == []


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_import_error_copy_keeps_a_cell_as_text(register, payload, tmp_path):
    from hotich.transfer.importer import analyse
    from hotich.transfer.services import _error_copy

    # The offered file holds the text as text (a file whose cell is a real formula gives its
    # cached value, which calamine reads).
    path = tmp_path / "KS.x.xlsx"
    write_ministry_xlsx(record_type("KS"), [{**BIRTH, "nksHoTen": payload, "so": ""}], path)
    with path.open("rb") as handle:
        analysis = analyse(register, handle, name=path.name)
    copy = _error_copy(analysis)  # the row has an error (no number): the copy is made
    assert _formulas(copy) == []
    assert payload in _texts(copy)
