"""A deactivated office's accounts stop working — no sign-in, no session, no look-up — and the
office can be reactivated from its page (issue 16: they kept signing in and searching, and the
page answered 404)."""

from __future__ import annotations

from django.urls import reverse

from hotich.accounts.models import Office
from hotich.search.services import search_allowed


def test_a_deactivated_office_signs_its_accounts_out_and_can_be_reactivated(
    client, login, users, tree
):
    operator = users["operator"]
    session = login(operator)
    assert session.get(reverse("home")).status_code == 200
    Office.objects.filter(pk=tree["phong"].pk).update(is_active=False)
    operator.refresh_from_db()
    # The open session ends at the next request; a new sign-in is refused with the reason.
    assert session.get(reverse("home")).status_code == 302
    session.logout()
    page = client.post(
        reverse("accounts:login"), {"username": operator.username, "password": "Matkhau2024x"}
    )
    assert page.status_code == 200 and "ngừng hoạt động" in page.content.decode()
    assert not search_allowed(operator)
    # The province administrator opens the office's page and reactivates it.
    admin = login(users["province_admin"])
    edit = reverse("accounts:office_edit", args=[tree["phong"].pk])
    assert admin.get(edit).status_code == 200
    response = admin.post(edit, {"name": tree["phong"].name, "is_active": "on"})
    assert response.status_code == 302, response.content.decode()[:500]
    assert Office.objects.get(pk=tree["phong"].pk).is_active
