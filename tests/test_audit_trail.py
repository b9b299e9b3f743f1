import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from hotich.core.audit import audit_record
from hotich.core.models import AuditEvent


def test_audit_events_cannot_be_changed_or_deleted_even_in_sql(users):
    event = audit_record(actor=users["operator"], action="test.event", object_type="x")
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    table = AuditEvent._meta.db_table
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET action = 'forged' WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


def test_auditors_page_through_and_filter_the_trail_of_their_province(login, users, tree):
    audit_record(
        actor=users["operator"], action="register.update", object_type="registers.register"
    )
    audit_record(
        actor=users["other_operator"], action="register.update", object_type="registers.register"
    )
    client = login(users["auditor"])
    page = client.get(reverse("accounts:audit_list"), {"action": "register.update"})
    events = list(page.context["page_obj"])
    assert [e.actor_name for e in events] == ["nhaplieu"]


def test_audit_detail_of_another_province_is_not_found(login, users):
    event = audit_record(actor=users["other_operator"], action="x", object_type="y")
    client = login(users["auditor"])
    assert client.get(reverse("accounts:audit_detail", args=[event.pk])).status_code == 404


@pytest.mark.parametrize("role", ["operator", "reviewer", "lookup", "contractor"])
def test_working_roles_do_not_see_the_audit_trail(login, users, role):
    assert login(users[role]).get(reverse("accounts:audit_list")).status_code == 404


def test_the_audit_trail_has_no_edit_or_delete_endpoint(login, users):
    event = audit_record(actor=users["operator"], action="x", object_type="y")
    client = login(users["province_admin"])
    url = reverse("accounts:audit_detail", args=[event.pk])
    assert client.post(url, {"action": "changed"}).status_code in {200, 405}
    assert AuditEvent.objects.get(pk=event.pk).action == "x"
