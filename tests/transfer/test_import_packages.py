"""`hotich import-packages`, and the round trip: export a register, import it elsewhere."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.management import call_command

from hotich.records.models import Record
from hotich.records.schema import record_type
from hotich.registers.models import Register
from hotich.scans.demo_pages import demo_case_pdf
from hotich.scans.models import PageLink
from hotich.transfer.services import import_batch_create, import_confirm
from hotich.transfer.xlsx_write import write_ministry_xlsx
from tests.factories import RegisterFactory
from tests.transfer.files import BIRTH_ROWS, ministry_file


def _zip(names: list[str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for n, name in enumerate(names, start=1):
            archive.writestr(name, demo_case_pdf(number=f"{n:02d}", date_text="x", seed=n))
    return out.getvalue()


def test_a_folder_of_packages_becomes_registers_with_records_linked_to_their_scans(
    tmp_path, users, capsys
):
    folder = tmp_path / "Nghe An" / "Nghi Loc" / "Nghi Cong Bac" / "KS" / "2010.01"
    folder.mkdir(parents=True)
    (folder / "KS.2010.01.xlsx").write_bytes(ministry_file("KS", BIRTH_ROWS))
    (folder / "KS.2010.01.zip").write_bytes(
        _zip(
            [
                "KS.2010.01.2010-03-10.01.pdf",
                "KS.2010.01.2010-03-12.02.pdf",
                "KS.2010.01.2010-03-15.03.pdf",
            ]
        )
    )
    call_command("import_packages", str(tmp_path), user=users["unit_admin"].username)
    out = capsys.readouterr().out
    register = Register.objects.get(register_type="KS", year_start=2010, volume="01")
    assert register.custodian == users["unit_admin"].office
    assert register.authority_name == "Nghi Cong Bac, Nghi Loc, Nghe An"
    records = list(register.records.order_by("sequence"))
    assert [r.number for r in records] == ["01", "02", "03"]
    assert all(r.status == Record.Status.SUBMITTED for r in records)
    linked = {link.record_id for link in PageLink.objects.filter(record__register=register)}
    assert linked == {r.pk for r in records}
    assert "✓" in out and "3 đã nhập" in out and "3 trang scan" in out


def test_two_communes_packages_of_the_same_code_go_to_two_registers_never_one(
    tmp_path, users, capsys
):
    admin = users["unit_admin"].username
    for commune, rows in (("Nghi Cong Bac", BIRTH_ROWS[:2]), ("Nghi Phong", BIRTH_ROWS[2:])):
        folder = tmp_path / "a" / "Nghe An" / "Nghi Loc" / commune / "KS" / "2010.01"
        folder.mkdir(parents=True)
        (folder / "KS.2010.01.xlsx").write_bytes(ministry_file("KS", rows))
    call_command("import_packages", str(tmp_path / "a"), user=admin)
    registers = Register.objects.filter(register_type="KS", year_start=2010, volume="01")
    by_authority = {r.authority_name: r.records.count() for r in registers}
    assert by_authority == {
        "Nghi Cong Bac, Nghi Loc, Nghe An": 2,
        "Nghi Phong, Nghi Loc, Nghe An": 1,
    }
    # Without the folder layout or --authority, two candidates: refused, both named.
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "KS.2010.01.xlsx").write_bytes(
        ministry_file("KS", [{**BIRTH_ROWS[0], "so": "09"}])
    )
    with pytest.raises(SystemExit):
        call_command("import_packages", str(tmp_path / "b"), user=admin)
    out = capsys.readouterr().out
    assert "không biết nhập vào sổ nào" in out
    assert "Nghi Cong Bac, Nghi Loc, Nghe An" in out and "Nghi Phong, Nghi Loc, Nghe An" in out
    # Named, it goes to that commune's register.
    call_command("import_packages", str(tmp_path / "b"), user=admin, authority="Nghi Phong")
    assert registers.get(authority_name__startswith="Nghi Phong").records.count() == 2


def test_a_broken_package_is_reported_and_the_command_fails(tmp_path, users, capsys):
    (tmp_path / "KS.2011.01.xlsx").write_bytes(b"")
    with pytest.raises(SystemExit):
        call_command("import_packages", str(tmp_path), user=users["unit_admin"].username)
    assert "rỗng" in capsys.readouterr().out


@pytest.mark.parametrize("code", ["KS", "KH", "KT", "CMC", "HN"])
def test_a_register_exported_and_imported_elsewhere_gives_back_identical_data(tree, users, code):
    from hotich.core.synthetic import Synth

    rtype = record_type(code)
    synth = Synth(seed=7)
    rows = []
    for n in range(1, 6):
        data: dict[str, str] = {}
        for f in rtype.keyed_fields:
            if f.kind == "name":
                data[f.key] = synth.person_name(upper=True)
            elif f.kind == "date":
                data[f.key] = ["05.03.2010", "03.2009", "1980", "??.04.1975"][n % 4]
            elif f.kind == "code" and f.codes is not None:
                values = [v for v, _l in f.codes.choices()]
                data[f.key] = values[n % len(values)]
            elif f.kind == "id":
                data[f.key] = f"0010830{n:05d}"
            elif f.kind == "time":
                data[f.key] = "14:30"
            elif f.kind == "number":
                data[f.key] = f"{n:02d}/2010"
            else:
                data[f.key] = f"Giá trị {f.key} số {n} – Phước Tỉnh"
        data["so"] = f"{n:02d}"
        data["ngayDangKy"] = f"{n + 10:02d}.03.2010"
        rows.append(data)
    out = io.BytesIO()
    write_ministry_xlsx(rtype, rows, out)
    target = RegisterFactory(custodian=tree["phong2"], register_type=code)
    admin = users["other_admin"]
    batch = import_batch_create(
        actor=admin, register=target, name=f"{code}.xlsx", stream=io.BytesIO(out.getvalue())
    )
    assert batch.rows_error == 0, batch.report
    import_confirm(actor=admin, batch=batch, mode="clean")
    got = [r.data for r in target.records.order_by("sequence")]
    assert got == rows
