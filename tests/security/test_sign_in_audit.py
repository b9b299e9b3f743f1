"""Every sign-in, failed sign-in and sign-out is in the audit trail, with the client's address
and user agent (issue 16)."""

from __future__ import annotations

from django.urls import reverse

from hotich.core.models import AuditEvent

AGENT = "Mozilla/5.0 (phòng một cửa)"


def _post(client, username, password):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        HTTP_USER_AGENT=AGENT,
        REMOTE_ADDR="10.1.2.3",
    )


def test_failed_and_successful_sign_ins_and_sign_outs_are_audited(client, users):
    operator = users["operator"]
    _post(client, operator.username, "sai-mat-khau")
    _post(client, "khong-co-ai", "sai-mat-khau")
    failed = list(AuditEvent.objects.filter(action="user.login_failed").order_by("pk"))
    assert [(e.object_id, e.after["username"], e.after["known"]) for e in failed] == [
        (str(operator.pk), operator.username, True),
        ("", "khong-co-ai", False),
    ]
    assert all(e.ip == "10.1.2.3" and e.after["user_agent"] == AGENT for e in failed)
    assert failed[0].office_path == operator.office.path

    assert _post(client, operator.username, "Matkhau2024x").status_code == 302
    signed_in = AuditEvent.objects.get(action="user.login")
    assert (signed_in.actor, signed_in.ip, signed_in.after["user_agent"]) == (
        operator,
        "10.1.2.3",
        AGENT,
    )
    client.post(reverse("accounts:logout"), HTTP_USER_AGENT=AGENT, REMOTE_ADDR="10.1.2.3")
    signed_out = AuditEvent.objects.get(action="user.logout")
    assert (signed_out.actor, signed_out.ip) == (operator, "10.1.2.3")
