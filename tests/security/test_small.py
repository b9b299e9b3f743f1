"""The smaller findings of issue 16, each with the request that showed it."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from hotich.records.models import Record
from hotich.records.services import record_save
from hotich.scans.models import ScanBatch, ScanFile, ScanPage
from tests.records.test_record_save import BIRTH


def test_a_huge_number_in_the_review_queue_filter_is_no_error(login, users):
    client = login(users["reviewer"])
    for value in ("9" * 30, "²", "-1"):
        assert client.get(reverse("review:queue"), {"so": value}).status_code == 200
        assert client.get(reverse("review:arbitration_queue"), {"so": value}).status_code == 200


def test_a_quote_in_a_record_number_cannot_add_to_the_extract_file_name(login, users, register):
    record = record_save(actor=users["operator"], register=register, raw=BIRTH).record
    Record.objects.filter(pk=record.pk).update(number='1";filename*=x')  # the column holds 20
    response = login(users["lookup"]).get(reverse("search:extract", args=[record.pk]))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert (
        disposition.count('"') == 2 and "*=" not in disposition and ";filename" not in disposition
    )


def test_scans_are_not_kept_by_the_browser(login, users, register):
    batch = ScanBatch.objects.create(register=register, created_by=users["unit_admin"])
    source = ScanFile.objects.create(
        register=register, batch=batch, original_name="a.pdf", uploaded_by=users["unit_admin"]
    )
    page = ScanPage.objects.create(
        register=register, source=source, source_index=0, sequence=1,
        pdf=default_storage.save("p/1.pdf", ContentFile(b"%PDF-1.4")),
        image=default_storage.save("p/1.jpg", ContentFile(b"\xff\xd8\xff")),
        thumb=default_storage.save("p/1-t.jpg", ContentFile(b"\xff\xd8\xff")),
        width=10, height=10,
    )  # fmt: skip
    client = login(users["unit_admin"])
    for name in ("scans:page_image", "scans:page_thumb", "scans:page_pdf"):
        response = client.get(reverse(name, args=[page.pk]))
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store", name


def test_the_database_and_stored_files_are_readable_by_their_owner_only(tmp_path):
    """A fresh installation (`hotich migrate` in a new data directory) and a stored file."""
    import os
    import stat
    import subprocess
    import sys

    env = {**os.environ, "HOTICH_DATA_DIR": str(tmp_path / "data")}
    env.pop("DATABASE_URL", None)
    code = (
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "from django.core.files.base import ContentFile\n"
        "from django.core.files.storage import default_storage\n"
        "call_command('migrate', verbosity=0)\n"
        "print(default_storage.path(default_storage.save('scans/r1/a.pdf', ContentFile(b'x'))))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "hotich.settings"},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    stored = result.stdout.strip().splitlines()[-1]
    for path in (tmp_path / "data" / "hotich.sqlite3", stored):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path
    assert stat.S_IMODE(os.stat(os.path.dirname(stored)).st_mode) == 0o700


def test_a_contractor_reviewer_cannot_key_on_the_company_assignment(users, register):
    """A keying assignment to a whole company reaches its reviewer: the reviewer still may
    not key (the one who checks never keys)."""
    from hotich.accounts.models import Office
    from hotich.records.queries import record_can_key
    from hotich.registers.models import Assignment
    from tests.factories import UserFactory

    contractor = users["contractor"]
    company = Office.objects.get(pk=contractor.office_id)
    reviewer = UserFactory(username="nhathau.kiemtra", office=company, role="reviewer")
    Assignment.objects.create(
        register=register, office=company, task="keying", assigned_by=users["unit_admin"]
    )
    assert record_can_key(contractor, register)
    assert not record_can_key(reviewer, register)


def test_a_register_is_handed_over_within_its_province_only(users, tree, register):
    import datetime as dt

    import pytest
    from django.core.exceptions import ValidationError

    from hotich.registers.services import register_handover

    with pytest.raises(ValidationError) as refused:
        register_handover(
            actor=users["unit_admin"],
            register=register,
            to_office=tree["so_b"],  # another province
            date=dt.date(2025, 7, 1),
            reason="Sáp nhập",
        )
    assert "cùng tỉnh" in " ".join(refused.value.messages)
    register.refresh_from_db()
    assert register.custodian == tree["phong"]
    # A merger within the province: to another district, outside the actor's own tree.
    moved = register_handover(
        actor=users["unit_admin"],
        register=register,
        to_office=tree["phong2"],
        date=dt.date(2025, 7, 1),
        reason="Sáp nhập",
    )
    assert moved.custodian == tree["phong2"]


def test_an_edit_posted_without_its_version_overwrites_nothing(login, users, register):
    import json

    from hotich.registers.models import Assignment

    Assignment.objects.create(
        register=register, user=users["operator"], task="keying", assigned_by=users["unit_admin"]
    )
    record = record_save(actor=users["operator"], register=register, raw=BIRTH).record
    client = login(users["operator"])
    page = client.post(
        reverse("keying:record", args=[record.pk]), {**BIRTH, "nksHoTen": "KHÁC"}, follow=True
    )
    assert "thiếu phiên bản" in page.content.decode()
    grid = client.post(
        reverse("keying:grid_save", args=[register.pk]),
        json.dumps({"record": record.pk, "values": {**BIRTH, "nksHoTen": "KHÁC"}}),
        content_type="application/json",
    )
    assert grid.status_code == 409 and "thiếu phiên bản" in grid.json()["error"]
    record.refresh_from_db()
    assert record.data["nksHoTen"] == BIRTH["nksHoTen"]


def test_hsts_is_sent_over_https_when_secure_cookies_are_on(settings):
    import os
    import subprocess
    import sys

    from django.test import Client

    def hsts_seconds(secure_cookies: str) -> int:
        env = {
            **os.environ,
            "HOTICH_SECURE_COOKIES": secure_cookies,
            "DJANGO_SETTINGS_MODULE": "hotich.settings",
        }
        code = "from django.conf import settings; print(settings.SECURE_HSTS_SECONDS)"
        result = subprocess.run(
            [sys.executable, "-c", code],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return int(result.stdout.split()[-1])

    assert hsts_seconds("off") == 0
    seconds = hsts_seconds("on")
    assert seconds >= 180 * 24 * 3600
    settings.SECURE_HSTS_SECONDS = seconds  # a new client loads the middleware with it
    response = Client().get(reverse("accounts:login"), secure=True)
    assert response["Strict-Transport-Security"] == f"max-age={seconds}"
