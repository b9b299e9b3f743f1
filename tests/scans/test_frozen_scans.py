"""Scans follow the register's lifecycle: the first upload moves an inventoried register to
"đang scan", and an accepted or delivered register refuses every scan write — upload, link,
unlink, move, split, page mark, rescan — in the service and through the pages, writing
nothing (issue 15)."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from hotich.core.models import AuditEvent
from hotich.records.models import Record
from hotich.records.services import record_create_placeholder
from hotich.registers.models import Register
from hotich.registers.services import RegisterFrozen
from hotich.scans.models import PageLink, ScanBatch, ScanFile, ScanPage
from hotich.scans.services import (
    page_link,
    page_mark,
    page_move,
    page_rescan,
    page_unlink,
    register_split,
    scan_batch_create,
)
from tests.scans import samples

FROZEN = ["accepted", "delivered"]


def _upload(register, actor, files):
    handles = [(name, path.open("rb")) for name, path in files]
    try:
        return scan_batch_create(actor=actor, register=register, files=handles)
    finally:
        for _name, handle in handles:
            handle.close()


@pytest.fixture
def scanned(register, users, tmp_path):
    """Case 01 scanned by the convention (linked to its record), plus one page without a
    name (left unlinked), and an empty record 02 to link to."""
    name = f"{register.code}.2010-03-10.01.pdf"
    _upload(
        register,
        users["unit_admin"],
        [
            (name, samples.make_case_pdf(tmp_path / name)),
            ("trang-le.pdf", samples.make_case_pdf(tmp_path / "trang-le.pdf")),
        ],
    )
    record_create_placeholder(
        actor=users["unit_admin"], register=register, source="scan", number="02"
    )
    return register


def _freeze(register, status):
    Register.objects.filter(pk=register.pk).update(status=status)
    register.refresh_from_db()


def _files():
    found = []

    def walk(folder):
        dirs, names = default_storage.listdir(folder)
        found.extend(f"{folder}/{n}" for n in names)
        for d in dirs:
            walk(f"{folder}/{d}" if folder else d)

    walk("")
    return sorted(found)


def _state(register):
    return (
        list(ScanPage.objects.filter(register=register).values_list("pk", "status", "is_current")),
        list(PageLink.objects.filter(page__register=register).values_list("page", "record")),
        ScanBatch.objects.filter(register=register).count(),
        ScanFile.objects.filter(register=register).count(),
        Record.objects.filter(register=register).count(),
        AuditEvent.objects.count(),
        _files(),
    )


def test_the_first_upload_moves_an_inventoried_register_to_scanning(register, users, tmp_path):
    assert register.status == "inventoried"
    path = samples.make_case_pdf(tmp_path / "a.pdf")
    _upload(register, users["unit_admin"], [("a.pdf", path)])
    register.refresh_from_db()
    assert register.status == "scanning"
    moved = AuditEvent.objects.get(action="register.auto_transition", object_id=str(register.pk))
    assert (moved.before["status"], moved.after["status"]) == ("inventoried", "scanning")


@pytest.mark.parametrize("status", FROZEN)
def test_every_scan_write_of_a_frozen_register_is_refused_and_nothing_is_written(
    scanned, users, tmp_path, status
):
    admin = users["unit_admin"]
    linked = ScanPage.objects.get(register=scanned, links__isnull=False)
    loose = ScanPage.objects.get(register=scanned, links__isnull=True)
    first = Record.objects.get(register=scanned, number="01")
    second = Record.objects.get(register=scanned, number="02")
    _freeze(scanned, status)
    before = _state(scanned)
    again = samples.make_case_pdf(tmp_path / "b.pdf")
    writes = {
        "upload": lambda: _upload(scanned, admin, [("b.pdf", again)]),
        "link": lambda: page_link(actor=admin, page=loose, record=second),
        "unlink": lambda: page_unlink(actor=admin, page=linked, record=first),
        "move": lambda: page_move(actor=admin, page=linked, from_record=first, to_record=second),
        "split": lambda: register_split(actor=admin, register=scanned, cases_per_page=1),
        "mark": lambda: page_mark(actor=admin, page=linked, status="rescan", note="mờ"),
        "rescan": lambda: page_rescan(
            actor=admin, page=linked, name="b.pdf", stream=again.open("rb")
        ),
    }
    for what, write in writes.items():
        with pytest.raises(RegisterFrozen) as refused:
            write()
        text = str(refused.value)
        assert "đã được khóa" in text and "mở lại" in text, what
    assert _state(scanned) == before


@pytest.mark.parametrize("status", FROZEN)
def test_the_scan_pages_refuse_a_direct_post_with_the_reason(
    scanned, users, login, tmp_path, status
):
    linked = ScanPage.objects.get(register=scanned, links__isnull=False)
    loose = ScanPage.objects.get(register=scanned, links__isnull=True)
    first = Record.objects.get(register=scanned, number="01")
    second = Record.objects.get(register=scanned, number="02")
    _freeze(scanned, status)
    before = _state(scanned)
    client = login(users["unit_admin"])
    action = reverse("scans:page_action", args=[linked.pk])
    posts = [
        (action, {"action": "mark", "status": "rescan", "note": "mờ"}),
        (reverse("scans:page_action", args=[loose.pk]), {"action": "link", "record": second.pk}),
        (action, {"action": "unlink", "record": first.pk}),
        (action, {"action": "move", "from_record": first.pk, "record": second.pk}),
        (reverse("scans:split", args=[scanned.pk]), {"mode": "1"}),
    ]
    for url, data in posts:
        response = client.post(url, data, follow=True)
        assert response.status_code in (200, 409), (url, data)
        assert "đã được khóa" in response.content.decode(), (url, data)
    with samples.make_case_pdf(tmp_path / "c.pdf").open("rb") as handle:
        rescan = client.post(action, {"action": "rescan", "file": handle}, follow=True)
    assert "đã được khóa" in rescan.content.decode()
    with samples.make_case_pdf(tmp_path / "d.pdf").open("rb") as handle:
        upload = client.post(reverse("scans:upload", args=[scanned.pk]), {"files": handle})
    assert upload.status_code in (200, 302, 409)
    assert _state(scanned) == before


def test_a_conventional_name_with_an_impossible_date_is_reported_not_left_silent(
    register, users, tmp_path, login
):
    name = f"{register.code}.2010-13-45.10.pdf"
    batch = _upload(register, users["unit_admin"], [(name, samples.make_case_pdf(tmp_path / "x"))])
    scan_file = ScanFile.objects.get(batch=batch)
    assert scan_file.status == ScanFile.Status.DONE
    assert "2010-13-45" in scan_file.message and "không có thật" in scan_file.message
    assert not PageLink.objects.filter(page__register=register).exists()
    page = login(users["unit_admin"]).get(reverse("scans:register", args=[register.pk]))
    assert "ngày “2010-13-45” không có thật" in page.content.decode()


def test_a_keyed_number_that_differs_from_the_scan_name_is_flagged(register, users, tmp_path):
    from hotich.records.services import record_save
    from tests.records.test_record_save import BIRTH

    name = f"{register.code}.2010-03-10.07.pdf"
    _upload(register, users["unit_admin"], [(name, samples.make_case_pdf(tmp_path / "x"))])
    record = Record.objects.get(register=register, number="07")
    raw = {**BIRTH, "quyenSo": register.volume, "ngayDangKy": "10/03/2010"}
    wrong = record_save(
        actor=users["operator"], register=register, record=record, raw={**raw, "so": "70"}
    )
    flagged = [i for i in wrong.issues if i.code == "scan_name"]
    assert flagged and "07" in flagged[0].message and name in flagged[0].message
    right = record_save(
        actor=users["operator"],
        register=register,
        record=wrong.record,
        raw={**raw, "so": "07"},
    )
    assert not [i for i in right.issues if i.code == "scan_name"]
