"""Shared fixtures: an office tree, a user per role, a register, the immediate job runner."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files")},
        },
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.HOTICH_JOBS = "immediate"
    # Each test starts in the default language: a test that switched to English (a page, a
    # job) must not leave service messages of the next test translated.
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def tree(db):
    """Two provinces' worth of offices:

    so (Sở Tư pháp A) ─┬─ phong (Phòng Tư pháp A1) ─┬─ xa (UBND xã A1a)
                      │                            └─ nhathau (contractor of A1)
                      └─ phong2 (Phòng Tư pháp A2)
    so_b (Sở Tư pháp B) ── phong_b (Phòng Tư pháp B1)
    """
    from tests.factories import OfficeFactory

    so = OfficeFactory(name="Sở Tư pháp A", kind="province", parent=None)
    phong = OfficeFactory(name="Phòng Tư pháp A1", kind="district", parent=so)
    xa = OfficeFactory(name="UBND xã A1a", kind="commune", parent=phong)
    nhathau = OfficeFactory(name="Công ty số hóa A", kind="contractor", parent=phong)
    phong2 = OfficeFactory(name="Phòng Tư pháp A2", kind="district", parent=so)
    so_b = OfficeFactory(name="Sở Tư pháp B", kind="province", parent=None)
    phong_b = OfficeFactory(name="Phòng Tư pháp B1", kind="district", parent=so_b)
    return {
        "so": so,
        "phong": phong,
        "xa": xa,
        "nhathau": nhathau,
        "phong2": phong2,
        "so_b": so_b,
        "phong_b": phong_b,
    }


@pytest.fixture
def users(tree):
    """One account per role, named by role and office."""
    import datetime as dt

    from django.utils import timezone

    from tests.factories import UserFactory

    today = timezone.localdate()
    return {
        "province_admin": UserFactory(username="tinh", office=tree["so"], role="province_admin"),
        "unit_admin": UserFactory(username="phong", office=tree["phong"], role="unit_admin"),
        "operator": UserFactory(username="nhaplieu", office=tree["phong"], role="operator"),
        "reviewer": UserFactory(username="kiemtra", office=tree["phong"], role="reviewer"),
        "lookup": UserFactory(username="tracuu", office=tree["phong"], role="lookup"),
        "auditor": UserFactory(username="thanhtra", office=tree["so"], role="auditor"),
        "commune_admin": UserFactory(username="xa", office=tree["xa"], role="unit_admin"),
        "contractor": UserFactory(
            username="nhathau",
            office=tree["nhathau"],
            role="operator",
            contract_start=today - dt.timedelta(days=30),
            contract_end=today + dt.timedelta(days=30),
        ),
        "other_admin": UserFactory(username="phong2", office=tree["phong2"], role="unit_admin"),
        "other_province": UserFactory(username="tinhb", office=tree["so_b"], role="province_admin"),
        "other_operator": UserFactory(
            username="nhaplieub", office=tree["phong_b"], role="operator"
        ),
    }


@pytest.fixture
def register(tree):
    from tests.factories import RegisterFactory

    return RegisterFactory(custodian=tree["phong"])


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login
