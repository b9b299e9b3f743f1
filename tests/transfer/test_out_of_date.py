"""A package is the data as they were when it was built: one built before a later change —
a record keyed, a scan linked, a margin note the law adds to an accepted record — is shown
"đã lỗi thời" with what changed, downloads under a LOI-THOI_ name, and the register cannot be
marked delivered on it (issue 15)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from hotich.records.models import Record
from hotich.records.services import margin_note_add
from hotich.registers.models import Register
from hotich.registers.services import register_transition
from hotich.review.services import record_verify
from hotich.scans.models import ScanPage
from hotich.scans.services import page_mark
from hotich.transfer.export import package_build, package_changes_since, package_out_of_date
from hotich.transfer.models import PackageBuild


def _accept(register):
    Register.objects.filter(pk=register.pk).update(status="accepted")
    register.refresh_from_db()


def test_a_margin_note_on_an_accepted_register_makes_its_package_out_of_date(scanned, users):
    admin = users["unit_admin"]
    build = package_build(actor=admin, register=scanned)
    assert build.status == PackageBuild.Status.RELEASED, build.problems
    _accept(scanned)
    assert not package_out_of_date(build, scanned)
    record = Record.objects.get(register=scanned, number="02")
    margin_note_add(actor=admin, record=record, kind="other", text="Đã ly hôn", date_text="2020")
    scanned.refresh_from_db()
    assert package_out_of_date(build, scanned)
    changes = package_changes_since(build, scanned)
    assert any("Ghi chú bên lề" in c and "02" in c for c in changes), changes
    # Delivered only on a package built after the change.
    with pytest.raises(ValidationError) as refused:
        register_transition(actor=admin, register=scanned, to="delivered")
    assert "tạo lại gói" in " ".join(refused.value.messages)
    again = package_build(actor=admin, register=scanned)
    assert again.status == PackageBuild.Status.RELEASED and not package_out_of_date(again, scanned)
    delivered = register_transition(actor=admin, register=scanned, to="delivered")
    assert delivered.status == "delivered"


def test_the_package_page_and_download_say_out_of_date(scanned, users, login):
    admin = users["unit_admin"]
    build = package_build(actor=admin, register=scanned)
    client = login(admin)
    page = client.get(reverse("transfer:package_list", args=[scanned.pk])).content.decode()
    assert "Đã lỗi thời" not in page
    download = client.get(reverse("transfer:package_download", args=[build.pk, "zip"]))
    assert f'filename="{scanned.code}.zip"' in download["Content-Disposition"]
    record = Record.objects.get(register=scanned, number="03")
    margin_note_add(actor=admin, record=record, kind="other", text="Cải chính", date_text="2021")
    page = client.get(reverse("transfer:package_list", args=[scanned.pk])).content.decode()
    assert "Đã lỗi thời" in page and "Ghi chú bên lề mới ở trường hợp số 03" in page
    download = client.get(reverse("transfer:package_download", args=[build.pk, "zip"]))
    assert f'filename="LOI-THOI_{scanned.code}.zip"' in download["Content-Disposition"]


def test_a_change_made_while_the_package_is_built_keeps_it_from_release(scanned, users):
    admin = users["unit_admin"]
    record = Record.objects.get(register=scanned, number="01")
    calls = []

    def meanwhile(done, total=None, message=""):
        if not calls:
            margin_note_add(actor=admin, record=record, kind="other", text="x", date_text="2022")
        calls.append(done)

    build = package_build(actor=admin, register=scanned, progress=meanwhile)
    assert build.status == PackageBuild.Status.BLOCKED
    assert [p["kind"] for p in build.problems] == ["changed"]


def test_verifying_records_or_marking_a_page_is_no_change_of_the_data(scanned, users):
    admin = users["unit_admin"]
    build = package_build(actor=admin, register=scanned)
    record_verify(actor=users["reviewer"], record=Record.objects.get(register=scanned, number="01"))
    page_mark(actor=admin, page=ScanPage.objects.filter(register=scanned).first(), status="ok")
    scanned.refresh_from_db()
    assert not package_out_of_date(build, scanned)
