"""Scan intake end to end through the pages and the command: upload, steps, linking, errors."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from hotich.core.models import AuditEvent
from hotich.records.models import Record
from hotich.registers.services import register_assign
from hotich.scans.models import PageLink, ScanFile, ScanPage
from tests.factories import RegisterFactory
from tests.scans import samples


@pytest.fixture
def ks2017(tree):
    return RegisterFactory(
        custodian=tree["phong"],
        register_type="KS",
        year_start=2017,
        volume="01/2017",
        declared_entries=3,
    )


def upload(client, register, paths):
    handles = [open(p, "rb") for p in paths]  # noqa: SIM115
    try:
        return client.post(
            reverse("scans:upload", args=[register.pk]),
            {"files": handles},
            HTTP_ACCEPT="application/json",
        )
    finally:
        for handle in handles:
            handle.close()


def test_case_files_named_by_the_convention_link_themselves(login, users, ks2017, tmp_path):
    names = ["KS.2017.01.2017-02-03.05.pdf", "KS.2017.01.2017-02-04.06.pdf"]
    paths = []
    for name in names:
        samples.make_case_pdf(tmp_path / name, pages=2 if name.endswith("06.pdf") else 1)
        paths.append(tmp_path / name)
    client = login(users["unit_admin"])
    reply = upload(client, ks2017, paths).json()
    status = client.get(reply["status_url"]).json()
    assert status["finished"] and [f["status"] for f in status["files"]] == ["done", "done"]
    records = {r.number: r for r in Record.objects.filter(register=ks2017)}
    assert set(records) == {"05", "06"}
    assert str(records["05"].registration_date) == "2017-02-03"
    assert PageLink.objects.filter(record=records["06"]).count() == 2
    assert ScanPage.objects.filter(register=ks2017).count() == 3


def test_the_same_file_twice_is_recognised_and_not_stored_twice(login, users, ks2017, tmp_path):
    path = tmp_path / "KS.2017.01.2017-02-03.05.pdf"
    samples.make_case_pdf(path)
    client = login(users["unit_admin"])
    upload(client, ks2017, [path])
    copy = tmp_path / "copy-of-the-same.pdf"
    copy.write_bytes(path.read_bytes())
    status = client.get(upload(client, ks2017, [copy]).json()["status_url"]).json()
    assert status["files"][0]["status"] == "duplicate"
    assert "Trùng nội dung" in status["files"][0]["message"]
    assert ScanPage.objects.filter(register=ks2017).count() == 1


def test_bad_files_are_named_and_the_rest_of_the_batch_goes_through(login, users, ks2017, tmp_path):
    good = tmp_path / "KS.2017.01.2017-02-03.05.pdf"
    samples.make_case_pdf(good)
    bad = {
        "hong.pdf": samples.make_corrupt_pdf,
        "mat-khau.pdf": samples.make_encrypted_pdf,
        "rong.pdf": samples.make_empty_file,
    }
    paths = [good]
    for name, make in bad.items():
        make(tmp_path / name)
        paths.append(tmp_path / name)
    (tmp_path / "ghi-chu.docx").write_bytes(b"PK\x03\x04 not a scan")
    paths.append(tmp_path / "ghi-chu.docx")
    client = login(users["unit_admin"])
    status = client.get(upload(client, ks2017, paths).json()["status_url"]).json()
    by_name = {f["name"]: f for f in status["files"]}
    assert by_name[good.name]["status"] == "done"
    for name in [*bad, "ghi-chu.docx"]:
        assert by_name[name]["status"] == "failed", name
        assert by_name[name]["message"].startswith(name), by_name[name]["message"]
    assert ScanPage.objects.filter(register=ks2017).count() == 1


def test_a_zip_of_case_pdfs_is_opened_and_each_member_processed(login, users, ks2017, tmp_path):
    members = {}
    for n in (7, 8, 9):
        path = tmp_path / f"KS.2017.01.2017-03-0{n}.{n:02d}.pdf"
        samples.make_case_pdf(path)
        members[path.name] = path
    samples.make_zip(tmp_path / "quyen.zip", members)
    client = login(users["unit_admin"])
    status = client.get(upload(client, ks2017, [tmp_path / "quyen.zip"]).json()["status_url"])
    files = status.json()["files"]
    assert len(files) == 4 and all(f["status"] == "done" for f in files)
    assert sorted(Record.objects.filter(register=ks2017).values_list("number", flat=True)) == [
        "07",
        "08",
        "09",
    ]


def test_photos_and_multipage_tiffs_become_pages(login, users, ks2017, tmp_path):
    samples.make_jpeg(tmp_path / "anh.jpg", exif_rotation=True)
    samples.make_multipage_tiff(tmp_path / "so.tif", pages=3)
    client = login(users["unit_admin"])
    upload(client, ks2017, [tmp_path / "anh.jpg", tmp_path / "so.tif"])
    assert ScanPage.objects.filter(register=ks2017).count() == 4


def test_a_whole_book_is_split_into_cases_at_the_marked_pages(login, users, ks2017, tmp_path):
    samples.make_book_pdf(tmp_path / "ca-quyen.pdf", pages=5, kb_per_page=20)
    client = login(users["unit_admin"])
    upload(client, ks2017, [tmp_path / "ca-quyen.pdf"])
    pages = list(ScanPage.objects.filter(register=ks2017).order_by("sequence"))
    assert [p.sequence for p in pages] == [1, 2, 3, 4, 5]
    client.post(
        reverse("scans:split", args=[ks2017.pk]),
        {"mode": "starts", "starts": [pages[0].pk, pages[2].pk, pages[3].pk]},
    )
    records = list(Record.objects.filter(register=ks2017).order_by("sequence"))
    spans = [[link.page.sequence for link in r.page_links.order_by("position")] for r in records]
    assert spans == [[1, 2], [3], [4, 5]]
    assert AuditEvent.objects.filter(action="scans.split").exists()


def test_two_cases_per_page_links_each_page_to_two_records(login, users, ks2017, tmp_path):
    samples.make_book_pdf(tmp_path / "ca-quyen.pdf", pages=2, kb_per_page=20)
    client = login(users["unit_admin"])
    upload(client, ks2017, [tmp_path / "ca-quyen.pdf"])
    client.post(reverse("scans:split", args=[ks2017.pk]), {"mode": "2"})
    assert Record.objects.filter(register=ks2017).count() == 4
    for page in ScanPage.objects.filter(register=ks2017):
        assert page.links.count() == 2


def test_pages_move_between_records_and_unlink_with_an_audit_trail(login, users, ks2017, tmp_path):
    samples.make_book_pdf(tmp_path / "b.pdf", pages=2, kb_per_page=20)
    client = login(users["unit_admin"])
    upload(client, ks2017, [tmp_path / "b.pdf"])
    client.post(reverse("scans:split", args=[ks2017.pk]), {"mode": "1"})
    first, second = Record.objects.filter(register=ks2017).order_by("sequence")
    page = ScanPage.objects.get(register=ks2017, sequence=2)
    url = reverse("scans:page_action", args=[page.pk])
    client.post(url, {"action": "move", "from_record": second.pk, "record": first.pk})
    assert list(first.page_links.values_list("page__sequence", flat=True)) == [1, 2]
    assert not second.page_links.exists()
    client.post(url, {"action": "unlink", "record": first.pk})
    assert list(first.page_links.values_list("page__sequence", flat=True)) == [1]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"scans.page_link", "scans.page_unlink"} <= actions


def test_a_reviewer_marks_a_page_for_rescan_and_the_rescan_keeps_history(
    login, users, ks2017, tmp_path
):
    path = tmp_path / "KS.2017.01.2017-02-03.05.pdf"
    samples.make_case_pdf(path)
    login(users["unit_admin"])
    upload(login(users["unit_admin"]), ks2017, [path])
    page = ScanPage.objects.get(register=ks2017)
    reviewer = login(users["reviewer"])
    reviewer.post(
        reverse("scans:page_action", args=[page.pk]),
        {"action": "mark", "status": "rescan", "note": "mờ góc trái"},
    )
    page.refresh_from_db()
    assert page.status == "rescan" and page.status_note == "mờ góc trái"
    admin = login(users["unit_admin"])
    samples.make_jpeg(tmp_path / "lai.jpg")
    with open(tmp_path / "lai.jpg", "rb") as fh:
        admin.post(reverse("scans:page_action", args=[page.pk]), {"action": "rescan", "file": fh})
    page.refresh_from_db()
    new = page.replaced_by
    assert new is not None and not page.is_current and new.is_current
    assert new.sequence == page.sequence and new.status == "ok"
    assert list(new.links.values_list("record__number", flat=True)) == ["05"]
    # the old page and its image are still there
    assert admin.get(reverse("scans:page_image", args=[page.pk])).status_code == 200


def test_coverage_counts_records_pages_and_what_is_missing(login, users, ks2017, tmp_path):
    samples.make_case_pdf(tmp_path / "KS.2017.01.2017-02-03.05.pdf")
    samples.make_book_pdf(tmp_path / "le.pdf", pages=1, kb_per_page=20)
    client = login(users["unit_admin"])
    upload(client, ks2017, [tmp_path / "KS.2017.01.2017-02-03.05.pdf", tmp_path / "le.pdf"])
    from hotich.records.services import record_create_placeholder

    record_create_placeholder(
        actor=users["unit_admin"], register=ks2017, source="manual", number="04"
    )
    coverage = client.get(reverse("scans:register", args=[ks2017.pk])).context["coverage"]
    assert coverage["declared"] == 3 and coverage["records"] == 2
    assert coverage["records_with_scan"] == 1 and coverage["pages_unlinked"] == 1
    assert [r.number for r in coverage["records_without_scan_list"]] == ["04"]
    assert not coverage["matches_declared"]


def test_scan_files_are_served_only_through_a_permission_check(login, users, ks2017, tmp_path):
    samples.make_case_pdf(tmp_path / "KS.2017.01.2017-02-03.05.pdf")
    upload(login(users["unit_admin"]), ks2017, [tmp_path / "KS.2017.01.2017-02-03.05.pdf"])
    page = ScanPage.objects.get(register=ks2017)
    own = login(users["operator"])
    image = own.get(reverse("scans:page_image", args=[page.pk]))
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert b"".join(image.streaming_content)[:2] == b"\xff\xd8"
    pdf = own.get(reverse("scans:page_pdf", args=[page.pk]))
    assert b"".join(pdf.streaming_content)[:5] == b"%PDF-"
    for outsider in ["other_admin", "other_operator", "contractor"]:
        response = login(users[outsider]).get(reverse("scans:page_image", args=[page.pk]))
        assert response.status_code == 404, outsider


def test_only_assigned_staff_upload(login, users, ks2017, tmp_path):
    samples.make_case_pdf(tmp_path / "a.pdf")
    operator = login(users["operator"])
    assert upload(operator, ks2017, [tmp_path / "a.pdf"]).status_code == 404
    register_assign(
        actor=users["unit_admin"], register=ks2017, task="scanning", user=users["operator"]
    )
    assert upload(operator, ks2017, [tmp_path / "a.pdf"]).status_code == 200


def test_a_contractor_uploads_to_the_registers_of_its_company(login, users, tree, ks2017, tmp_path):
    register_assign(
        actor=users["unit_admin"], register=ks2017, task="keying", office=tree["nhathau"]
    )
    samples.make_case_pdf(tmp_path / "a.pdf")
    assert upload(login(users["contractor"]), ks2017, [tmp_path / "a.pdf"]).status_code == 200


def test_import_scans_command_reads_a_folder(users, ks2017, tmp_path, capsys):
    folder = tmp_path / "KS" / "2017.01"
    folder.mkdir(parents=True)
    for n in (1, 2):
        samples.make_case_pdf(folder / f"KS.2017.01.2017-01-0{n}.0{n}.pdf")
    (folder / "readme.txt").write_text("bỏ qua")
    call_command("import_scans", "KS.2017.01", str(tmp_path), user="phong")
    out = capsys.readouterr().out
    assert "2 trang" in out and "0 tệp lỗi" in out
    assert Record.objects.filter(register=ks2017).count() == 2
    assert ScanFile.objects.filter(batch__source="cli").count() == 2


def test_a_file_named_for_another_register_is_not_linked(login, users, ks2017, tmp_path):
    path = tmp_path / "KH.2016.02.2016-05-05.11.pdf"
    samples.make_case_pdf(path)
    client = login(users["unit_admin"])
    status = client.get(upload(client, ks2017, [path]).json()["status_url"]).json()
    assert "không phải sổ KS.2017.01" in status["files"][0]["message"]
    assert not Record.objects.filter(register=ks2017).exists()


def test_an_upload_with_no_file_is_refused(login, users, ks2017):
    client = login(users["unit_admin"])
    response = client.post(
        reverse("scans:upload", args=[ks2017.pk]), {}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400 and "Hãy chọn" in response.json()["error"]


def test_the_register_scan_page_renders_with_the_viewer(login, users, ks2017, tmp_path):
    samples.make_book_pdf(tmp_path / "b.pdf", pages=3, kb_per_page=20)
    client = login(users["unit_admin"])
    upload(client, ks2017, [tmp_path / "b.pdf"])
    body = client.get(reverse("scans:register", args=[ks2017.pk])).content.decode()
    assert "scan-viewer" in body and "Tách trang thành trường hợp" in body
    assert body.count('id="scan-viewer-pages"') == 1


def test_a_job_killed_halfway_leaves_no_pages_and_runs_again_cleanly(
    settings, users, ks2017, tmp_path, monkeypatch
):
    import datetime as dt

    from django.utils import timezone

    from hotich.core.jobs import _claim_next, job_run
    from hotich.core.models import Job
    from hotich.scans import processing
    from hotich.scans.services import scan_batch_create

    settings.HOTICH_JOBS = "external"
    samples.make_book_pdf(tmp_path / "book.pdf", pages=6, kb_per_page=20)
    with open(tmp_path / "book.pdf", "rb") as fh:
        batch = scan_batch_create(
            actor=users["unit_admin"], register=ks2017, files=[("book.pdf", fh)]
        )
    real_iter_pages = processing.iter_pages

    def dies_after_three(path, kind, **kw):
        for n, page in enumerate(real_iter_pages(path, kind, **kw)):
            if n == 3:
                raise SystemExit("power cut")
            yield page

    monkeypatch.setattr(processing, "iter_pages", dies_after_three)
    with pytest.raises(SystemExit):
        job_run(batch.job.pk)
    assert not ScanPage.objects.filter(register=ks2017).exists()
    monkeypatch.setattr(processing, "iter_pages", real_iter_pages)
    # The worker is gone: its lease runs out and another worker claims the job again.
    Job.objects.filter(pk=batch.job.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))
    assert _claim_next() == batch.job.pk
    job_run(batch.job.pk, claimed=True)
    assert ScanPage.objects.filter(register=ks2017).count() == 6
    assert ScanFile.objects.get(batch=batch).status == "done"
    batch.refresh_from_db()
    assert batch.status == "done"
