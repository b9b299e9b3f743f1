"""List pages cost a fixed number of queries however many rows they show."""

from django.urls import reverse

from hotich.core.audit import audit_record
from tests.factories import OfficeFactory, RegisterFactory, UserFactory


def test_the_account_list_does_not_grow_with_accounts(
    login, users, tree, django_assert_max_num_queries
):
    for n in range(40):
        UserFactory(username=f"u{n}", office=tree["xa"] if n % 2 else tree["phong"])
    client = login(users["unit_admin"])
    with django_assert_max_num_queries(8):
        assert client.get(reverse("accounts:user_list")).status_code == 200


def test_the_office_list_does_not_grow_with_offices(
    login, users, tree, django_assert_max_num_queries
):
    for n in range(30):
        office = OfficeFactory(name=f"UBND xã {n}", kind="commune", parent=tree["phong"])
        RegisterFactory(custodian=office)
    client = login(users["province_admin"])
    with django_assert_max_num_queries(8):
        assert client.get(reverse("accounts:office_list")).status_code == 200


def test_the_audit_list_does_not_grow_with_events(login, users, django_assert_max_num_queries):
    for n in range(60):
        audit_record(actor=users["operator"], action="test", object_type="x", object_id=n)
    client = login(users["auditor"])
    with django_assert_max_num_queries(8):
        assert client.get(reverse("accounts:audit_list")).status_code == 200


def test_my_work_does_not_grow_with_assignments(login, users, tree, django_assert_max_num_queries):
    from hotich.registers.services import register_assign

    for n in range(25):
        register = RegisterFactory(custodian=tree["phong"], volume=f"{n + 40}")
        register_assign(
            actor=users["unit_admin"], register=register, task="keying", user=users["operator"]
        )
    client = login(users["operator"])
    with django_assert_max_num_queries(9):  # one of them counts every row's progress
        assert len(client.get("/").context["rows"]) == 25
