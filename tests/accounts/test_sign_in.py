import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from hotich.accounts.models import User
from hotich.core.models import AuditEvent

LOGIN = "/dang-nhap/"


def sign_in(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def test_sign_in_with_the_right_password_opens_my_work(client, users):
    response = sign_in(client, "nhaplieu", "Matkhau2024x")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="user.login", actor_name="nhaplieu").exists()


def test_sign_in_with_a_wrong_password_says_so_in_vietnamese(client, users):
    response = sign_in(client, "nhaplieu", "sai-mat-khau")
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()


def test_repeated_failures_lock_the_account_until_an_administrator_unlocks_it(
    client, users, settings
):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        sign_in(client, "nhaplieu", "sai-mat-khau")
    locked = User.objects.get(username="nhaplieu")
    assert locked.locked_at is not None
    # Even the right password is refused while locked.
    response = sign_in(client, "nhaplieu", "Matkhau2024x")
    assert "bị khoá" in response.content.decode()
    assert AuditEvent.objects.filter(action="account.locked", object_id=str(locked.pk)).exists()

    admin = client
    admin.force_login(users["unit_admin"])
    admin.post(reverse("accounts:user_action", args=[locked.pk]), {"action": "unlock"})
    admin.logout()
    assert sign_in(client, "nhaplieu", "Matkhau2024x").status_code == 302


def test_a_new_account_must_change_its_password_before_anything_else(client, users):
    user = users["operator"]
    user.must_change_password = True
    user.save()
    client.force_login(user)
    assert client.get("/so/")["Location"] == reverse("accounts:password_change")
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "Matkhau2024x",
            "new_password1": "SoHoTich2026moi",
            "new_password2": "SoHoTich2026moi",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password
    assert client.get("/so/").status_code == 200


@pytest.mark.parametrize("weak", ["ngan1", "1234567890123", "abcdefghijkl", "nhaplieu12345"])
def test_the_password_policy_refuses_weak_passwords(client, users, weak):
    client.force_login(users["operator"])
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "Matkhau2024x",
            "new_password1": weak,
            "new_password2": weak,
        },
    )
    assert response.status_code == 200
    users["operator"].refresh_from_db()
    assert users["operator"].check_password("Matkhau2024x")


def test_passwords_are_hashed_with_argon2_in_production_settings():
    from django.conf import settings as real

    # The test run swaps in a fast hasher; the configured first hasher is Argon2.
    from hotich import settings as configured

    assert configured.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert real.SESSION_SAVE_EVERY_REQUEST is True


def test_idle_sessions_expire(client, users, settings):
    client.force_login(users["operator"])
    client.get("/")
    assert 0 < client.session.get_expiry_age() <= settings.SESSION_COOKIE_AGE
    assert settings.SESSION_COOKIE_AGE == 30 * 60


def test_a_contractor_outside_its_contract_period_cannot_sign_in(client, users):
    contractor = users["contractor"]
    contractor.contract_end = timezone.localdate() - dt.timedelta(days=1)
    contractor.save()
    response = sign_in(client, "nhathau", "Matkhau2024x")
    assert response.status_code == 200
    assert "Hợp đồng" in response.content.decode()


def test_a_signed_in_contractor_is_signed_out_when_the_period_closes(client, users):
    contractor = users["contractor"]
    client.force_login(contractor)
    contractor.contract_end = timezone.localdate() - dt.timedelta(days=1)
    contractor.save()
    response = client.get("/so/")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")


def test_pages_need_sign_in(client, db):
    for url in ["/", "/so/", "/tai-khoan/", "/nhat-ky/", "/don-vi/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(LOGIN)


def test_the_interface_switches_to_english(client, users):
    client.force_login(users["operator"])
    assert "Sổ hộ tịch" in client.get("/so/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/so/"})
    assert "Civil-status registers" in client.get("/so/").content.decode()


def test_an_english_browser_still_gets_vietnamese_until_english_is_chosen(client, users):
    client.force_login(users["operator"])
    page = client.get("/so/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Sổ hộ tịch" in page and "Civil-status registers" not in page
