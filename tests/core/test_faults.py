"""Faults of the machine end in a message, not a 500, and leave nothing half-written."""

import errno
import os
import subprocess
import sys

import pytest
from django.core.files.base import ContentFile
from django.db import OperationalError
from django.test import override_settings
from django.urls import path

from hotich.core.storage import DiskFull, LocalStorage


class _FullDisk(ContentFile):
    """Gives two chunks, then the disk is full."""

    def chunks(self, chunk_size=None):
        yield b"x" * 1000
        raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_removes_the_partial_file_and_says_so(tmp_path):
    storage = LocalStorage(location=str(tmp_path))
    with pytest.raises(DiskFull) as caught:
        storage.save("scans/a.pdf", _FullDisk(b"", name="a.pdf"))
    assert "Ổ đĩa dữ liệu đã đầy" in str(caught.value) and "a.pdf" in str(caught.value)
    assert list(tmp_path.rglob("*.pdf")) == []


def _disk_full_view(request):
    raise OSError(errno.ENOSPC, "No space left on device")


calls = {"n": 0}


def _flaky_db_view(request):
    from django.http import HttpResponse

    calls["n"] += 1
    if calls["n"] == 1:
        raise OperationalError("server closed the connection unexpectedly")
    return HttpResponse("ok")


def _dead_db_view(request):
    raise OperationalError("connection refused")


def _session_on_a_full_disk_view(request):
    """Works, but the session saved on the way out meets a full database disk."""
    from django.db import OperationalError, connection
    from django.http import HttpResponse

    def full(execute, sql, params, many, context):
        if "django_session" in sql and not sql.lstrip().upper().startswith("SELECT"):
            raise OperationalError("database or disk is full")
        return execute(sql, params, many, context)

    connection.execute_wrappers.append(full)
    request.session["seen"] = True
    return HttpResponse("ok")


urlpatterns = [
    path("full/", _disk_full_view),
    path("session-full/", _session_on_a_full_disk_view),
    path("flaky/", _flaky_db_view),
    path("dead/", _dead_db_view),
]


@override_settings(ROOT_URLCONF=__name__)
def test_a_full_disk_is_a_page_naming_what_was_not_saved(client, db):
    client.raise_request_exception = False
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post("/full/", {"tep": SimpleUploadedFile("so-1999.pdf", b"%PDF-1.4")})
    assert response.status_code == 507
    html = response.content.decode()
    assert "Ổ đĩa dữ liệu đã đầy" in html and "so-1999.pdf" in html


@override_settings(ROOT_URLCONF=__name__)
def test_the_upload_screen_gets_the_full_disk_as_json_naming_the_file(client, db):
    client.raise_request_exception = False
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/full/",
        {"files": SimpleUploadedFile("so-1999.pdf", b"%PDF-1.4")},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 507
    assert "Ổ đĩa dữ liệu đã đầy" in response.json()["error"]
    assert "so-1999.pdf" in response.json()["error"]
    lost = client.post("/dead/", HTTP_ACCEPT="application/json")
    assert lost.status_code == 503 and "mất kết nối" in lost.json()["error"]


@override_settings(ROOT_URLCONF=__name__)
def test_a_database_disk_full_on_the_way_out_is_the_disk_page_not_a_500(client, db):
    from django.db import connection

    client.raise_request_exception = False
    try:
        response = client.get("/session-full/")
    finally:
        connection.execute_wrappers[:] = [
            w for w in connection.execute_wrappers if w.__name__ != "full"
        ]
    assert response.status_code == 507
    assert "Ổ đĩa dữ liệu đã đầy" in response.content.decode()


@override_settings(ROOT_URLCONF=__name__)
def test_a_lost_database_connection_is_tried_again_for_a_page_read(client, db):
    calls["n"] = 0
    response = client.get("/flaky/")
    assert response.status_code == 200 and response.content == b"ok" and calls["n"] == 2


@override_settings(ROOT_URLCONF=__name__)
def test_a_database_that_stays_away_is_a_clear_page_with_retry_after(client, db):
    client.raise_request_exception = False
    response = client.post("/dead/")
    assert response.status_code == 503 and response["Retry-After"]
    assert "mất kết nối cơ sở dữ liệu" in response.content.decode().lower()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HOTICH_SECURE_COOKIES", "ture"),
        ("HOTICH_JOBS", "threads"),
        ("HOTICH_SESSION_IDLE_MINUTES", "abc"),
        ("HOTICH_TIME_ZONE", "Asia/Hanoii"),
        ("HOTICH_LOG_LEVEL", "loud"),
        ("HOTICH_ACCEPTANCE_MAX_ERROR_RATE", "0,5"),
        # The server's own numbers, read by `hotich serve` before Django starts.
        ("HOTICH_THREADS", "tám"),
        ("HOTICH_PORT", "tám"),
        ("HOTICH_CONNECTIONS", "tám"),
    ],
)
def test_a_setting_with_a_value_it_does_not_know_stops_the_start(tmp_path, name, value):
    env = {**os.environ, "HOTICH_DATA_DIR": str(tmp_path), name: value}
    env.pop("DATABASE_URL", None)
    command = (
        "serve" if name in ("HOTICH_THREADS", "HOTICH_PORT", "HOTICH_CONNECTIONS") else "check"
    )
    result = subprocess.run(
        [sys.executable, "-m", "hotich.cli", command],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert name in result.stderr and "Traceback" not in result.stderr


def test_the_known_words_are_accepted(monkeypatch):
    from hotich import settings as conf

    monkeypatch.setenv("X_FLAG", "Off")
    assert conf.env_bool("X_FLAG") is False
    monkeypatch.setenv("X_FLAG", " yes ")
    assert conf.env_bool("X_FLAG") is True
    monkeypatch.setenv("X_JOBS", "thread")
    assert conf.env_choice("X_JOBS", "builtin", {"thread": "builtin"}) == "builtin"
