import datetime as dt

from django.urls import reverse

from hotich.accounts.models import User
from hotich.core.models import AuditEvent


def form(**overrides):
    data = {
        "username": "moi.nhaplieu",
        "full_name": "Trần Văn Mới",
        "role": "operator",
        "email": "",
        "phone": "",
        "contract_start": "",
        "contract_end": "",
    }
    data.update(overrides)
    return data


def test_a_unit_administrator_creates_an_operator_in_its_office(login, users, tree):
    client = login(users["unit_admin"])
    response = client.post(reverse("accounts:user_create"), form(office=tree["phong"].pk))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Mật khẩu tạm thời" in body
    created = User.objects.get(username="moi.nhaplieu")
    assert created.office == tree["phong"] and created.must_change_password
    event = AuditEvent.objects.get(action="user.create", object_id=str(created.pk))
    assert event.actor_name == "phong" and event.after["role"] == "operator"


def test_a_unit_administrator_creates_accounts_for_offices_below(login, users, tree):
    client = login(users["unit_admin"])
    client.post(reverse("accounts:user_create"), form(office=tree["xa"].pk, role="unit_admin"))
    assert User.objects.get(username="moi.nhaplieu").role == "unit_admin"


def test_nobody_grants_more_than_they_hold(login, users, tree):
    client = login(users["unit_admin"])
    response = client.post(
        reverse("accounts:user_create"), form(office=tree["phong"].pk, role="province_admin")
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="moi.nhaplieu").exists()


def test_accounts_cannot_be_created_in_another_office(login, users, tree):
    client = login(users["unit_admin"])
    for office in ["phong2", "so", "phong_b"]:
        client.post(reverse("accounts:user_create"), form(office=tree[office].pk))
        assert not User.objects.filter(username="moi.nhaplieu").exists(), office


def test_contractor_accounts_need_a_contract_period_and_a_working_role(login, users, tree):
    client = login(users["unit_admin"])
    client.post(reverse("accounts:user_create"), form(office=tree["nhathau"].pk))
    assert not User.objects.filter(username="moi.nhaplieu").exists()
    client.post(
        reverse("accounts:user_create"),
        form(
            office=tree["nhathau"].pk,
            role="unit_admin",
            contract_start="01/01/2026",
            contract_end="31/12/2026",
        ),
    )
    assert not User.objects.filter(username="moi.nhaplieu").exists()
    client.post(
        reverse("accounts:user_create"),
        form(office=tree["nhathau"].pk, contract_start="01/01/2026", contract_end="31/12/2026"),
    )
    created = User.objects.get(username="moi.nhaplieu")
    assert created.contract_end == dt.date(2026, 12, 31)


def test_deactivating_an_account_stops_its_sessions(login, users, client):
    operator = users["operator"]
    admin = login(users["unit_admin"])
    admin.post(reverse("accounts:user_action", args=[operator.pk]), {"action": "deactivate"})
    operator.refresh_from_db()
    assert not operator.is_active
    assert AuditEvent.objects.filter(action="user.deactivate", object_id=str(operator.pk)).exists()
    admin.logout()
    client.force_login(operator)
    assert client.get("/so/").status_code == 302


def test_a_password_reset_gives_a_temporary_password_to_change_at_next_sign_in(login, users):
    operator = users["operator"]
    client = login(users["unit_admin"])
    response = client.post(reverse("accounts:user_action", args=[operator.pk]), {"action": "reset"})
    password = response.context["password"]
    operator.refresh_from_db()
    assert operator.check_password(password) and operator.must_change_password


def test_editing_an_account_records_before_and_after(login, users):
    operator = users["operator"]
    client = login(users["unit_admin"])
    client.post(
        reverse("accounts:user_edit", args=[operator.pk]),
        form(
            username=operator.username,
            office=operator.office_id,
            role="reviewer",
            full_name="Tên Mới",
        ),
    )
    event = AuditEvent.objects.get(action="user.update", object_id=str(operator.pk))
    assert event.before["role"] == "operator" and event.after["role"] == "reviewer"
    assert event.after["full_name"] == "Tên Mới"


def test_an_administrator_cannot_demote_or_move_itself(login, users, tree):
    admin = users["unit_admin"]
    client = login(admin)
    client.post(
        reverse("accounts:user_edit", args=[admin.pk]),
        form(username=admin.username, office=tree["xa"].pk, role="operator"),
    )
    admin.refresh_from_db()
    assert admin.role == "unit_admin" and admin.office == tree["phong"]


def test_an_administrator_creates_a_commune_office_below_its_own(login, users, tree):
    client = login(users["unit_admin"])
    client.post(
        reverse("accounts:office_create"),
        {"name": "UBND xã Mới", "kind": "commune", "parent": tree["phong"].pk},
    )
    from hotich.accounts.models import Office

    office = Office.objects.get(name="UBND xã Mới")
    assert office.path == f"{tree['phong'].path}{office.pk}/"
    client.post(
        reverse("accounts:office_create"),
        {"name": "Lạc chỗ", "kind": "commune", "parent": tree["phong2"].pk},
    )
    assert not Office.objects.filter(name="Lạc chỗ").exists()


def test_the_office_list_shows_the_tree_below_only(login, users):
    body = login(users["unit_admin"]).get(reverse("accounts:office_list")).content.decode()
    assert "UBND xã A1a" in body and "Công ty số hóa A" in body
    assert "Phòng Tư pháp A2" not in body and "Sở Tư pháp B" not in body
