"""Scans on an S3-compatible bucket: the same intake and the same permission-checked serving.

A real S3-compatible server is started locally from PyPI (`moto[server]`); the app talks to it
over HTTP through django-storages, exactly as it would to MinIO or Ceph.
"""

import shutil
import socket
import subprocess
import time

import pytest
from django.core.files.storage import default_storage, storages
from django.urls import reverse

from hotich.scans.models import ScanPage
from tests.factories import RegisterFactory
from tests.scans import samples

pytest.importorskip("boto3")
pytest.importorskip("storages")


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    server = shutil.which("moto_server")
    if server is None:
        pytest.skip("moto_server (pip install 'moto[server]') is not installed")
    port = _free_port()
    proc = subprocess.Popen(
        [server, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    import urllib.request

    for _ in range(100):
        try:
            urllib.request.urlopen(endpoint, timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("moto_server did not start")
    yield endpoint
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def s3_storage(settings, s3_endpoint):
    import boto3

    bucket = f"hotich-test-{time.monotonic_ns()}"
    boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
    ).create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": s3_endpoint,
                "access_key": "test",
                "secret_key": "test",
                "region_name": "us-east-1",
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }
    # Django's setting_changed handler rebuilds default_storage for the new STORAGES.
    yield bucket


def test_scans_go_to_the_bucket_and_are_served_through_the_app(
    s3_storage, login, users, tree, tmp_path
):
    from storages.backends.s3 import S3Storage

    assert isinstance(storages["default"], S3Storage)
    register = RegisterFactory(
        custodian=tree["phong"], register_type="KS", year_start=2017, volume="01"
    )
    path = tmp_path / "KS.2017.01.2017-02-03.05.pdf"
    samples.make_case_pdf(path)
    client = login(users["unit_admin"])
    with open(path, "rb") as fh:
        reply = client.post(
            reverse("scans:upload", args=[register.pk]),
            {"files": [fh]},
            HTTP_ACCEPT="application/json",
        ).json()
    status = client.get(reply["status_url"]).json()
    assert status["files"][0]["status"] == "done", status
    page = ScanPage.objects.get(register=register)
    assert default_storage.exists(page.image)
    image = client.get(reverse("scans:page_image", args=[page.pk]))
    assert image.status_code == 200
    assert b"".join(image.streaming_content)[:2] == b"\xff\xd8"
    outsider = login(users["other_admin"]).get(reverse("scans:page_image", args=[page.pk]))
    assert outsider.status_code == 404
