"""The look-up log (page and API, with the purpose), the JSON API and its tokens, the schema."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from hotich.core.models import AuditEvent
from hotich.search.forms import PARAMETERS, SearchForm
from hotich.search.models import ApiToken, LookupEvent
from hotich.search.services import api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db


def bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_a_page_search_is_logged_with_what_was_asked_why_and_what_was_shown(client, users, people):
    client.force_login(users["lookup"])
    client.get(
        reverse("search:page"),
        {"q": "Nguyễn Văn An", "ngay_sinh": "1990", "muc_dich": "Công dân xin trích lục"},
    )
    event = LookupEvent.objects.get()
    assert (event.actor, event.channel, event.query) == (users["lookup"], "page", "Nguyễn Văn An")
    assert event.filters == {"ngay_sinh": "1990"}
    assert event.purpose == "Công dân xin trích lục"
    assert event.office_path == users["lookup"].office.path
    assert set(event.record_ids) == {people["an"].pk, people["anh"].pk, people["an_married"].pk}
    assert event.result_count == 3


def test_opening_the_page_without_a_query_logs_nothing(client, users, people):
    client.force_login(users["lookup"])
    client.get(reverse("search:page"))
    client.get(reverse("search:page"), {"q": "   "})
    assert not LookupEvent.objects.exists()


def test_the_log_is_append_only(users, people, client):
    client.force_login(users["lookup"])
    client.get(reverse("search:page"), {"q": "an"})
    event = LookupEvent.objects.get()
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def test_auditors_read_the_log_of_their_office_and_below_and_nobody_else_does(
    client, users, people
):
    client.force_login(users["lookup"])
    client.get(reverse("search:page"), {"q": "tran thi lan", "muc_dich": "Xác minh nhân thân"})
    client.force_login(users["other_province"])
    client.get(reverse("search:page"), {"q": "le van b"})
    client.force_login(users["auditor"])  # Sở Tư pháp A
    body = client.get(reverse("search:log")).content.decode()
    assert "tran thi lan" in body and "Xác minh nhân thân" in body and "tracuu" in body
    assert "le van b" not in body  # province B's look-up
    client.force_login(users["other_province"])
    body = client.get(reverse("search:log")).content.decode()
    assert "le van b" in body and "tran thi lan" not in body
    for role in ("lookup", "operator", "reviewer"):
        client.force_login(users[role])
        assert client.get(reverse("search:log")).status_code == 404, role


def test_the_log_can_be_filtered_by_account_and_query(client, users, people):
    client.force_login(users["lookup"])
    client.get(reverse("search:page"), {"q": "tran thi lan"})
    client.force_login(users["unit_admin"])
    client.get(reverse("search:page"), {"q": "dang van minh"})
    client.force_login(users["auditor"])
    body = client.get(reverse("search:log"), {"actor": "tracuu"}).content.decode()
    assert "tran thi lan" in body and "dang van minh" not in body
    body = client.get(reverse("search:log"), {"query": "dang"}).content.decode()
    assert "dang van minh" in body and "tran thi lan" not in body


def test_the_api_answers_with_ranked_json_for_a_valid_token(client, users, people):
    _token, key = api_token_create(actor=users["lookup"], name="Một cửa")
    response = client.get(reverse("search:api_search"), {"q": "nguyen van an"}, **bearer(key))
    assert response.status_code == 200
    data = response.json()
    assert [(r["name"], r["match"]) for r in data["results"]][:3] == [
        ("Nguyễn Văn An", "exact"),
        ("NGUYEN VAN AN", "exact"),
        ("NGUYỄN VĂN ANH", "one_char"),
    ]
    first = data["results"][0]
    assert first["record"]["register_type"] == "KS"
    assert first["record"]["registration_date"] == "2010-03-10"
    assert first["birth_date"] == "05.03.1990"
    assert {p["name"] for p in first["parents"]} == {"Trần Thị Bình", "Nguyễn Văn Cường"}
    assert data["next"] is None
    assert people["other_an"].pk not in {r["record"]["id"] for r in data["results"]}


def test_an_api_search_is_logged_with_its_token_and_purpose(client, users, people):
    token, key = api_token_create(actor=users["lookup"], name="Một cửa")
    client.get(
        reverse("search:api_search"),
        {"q": "001090012345", "muc_dich": "Hồ sơ số 12"},
        **bearer(key),
    )
    event = LookupEvent.objects.get()
    assert (event.channel, event.token, event.actor) == ("api", token, users["lookup"])
    assert event.purpose == "Hồ sơ số 12"
    assert event.record_ids == [people["an"].pk]
    token.refresh_from_db()
    assert token.last_used is not None


def test_the_api_refuses_a_missing_unknown_or_revoked_token(client, users, people):
    url = reverse("search:api_search")
    assert client.get(url, {"q": "an"}).status_code == 401
    response = client.get(url, {"q": "an"}, HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert client.get(url, {"q": "an"}, **bearer("htk_not-a-real-key")).status_code == 401
    token, key = api_token_create(actor=users["lookup"], name="Cũ")
    assert client.get(url, {"q": "an"}, **bearer(key)).status_code == 200
    api_token_revoke(actor=users["lookup"], token=token)
    assert client.get(url, {"q": "an"}, **bearer(key)).status_code == 401
    assert LookupEvent.objects.count() == 1  # refused calls searched nothing


def test_a_signed_in_session_is_no_api_credential(client, users, people):
    client.force_login(users["lookup"])
    assert client.get(reverse("search:api_search"), {"q": "an"}).status_code == 401


def test_a_token_of_a_disabled_account_stops_working(client, users, people):
    _token, key = api_token_create(actor=users["lookup"], name="Một cửa")
    users["lookup"].is_active = False
    users["lookup"].save()
    response = client.get(reverse("search:api_search"), {"q": "an"}, **bearer(key))
    assert response.status_code == 401


def test_a_token_of_another_office_sees_only_that_offices_records(client, users, people):
    _token, key = api_token_create(actor=users["other_admin"], name="A2")
    data = client.get(reverse("search:api_search"), {"q": "nguyen van an"}, **bearer(key)).json()
    assert {r["record"]["id"] for r in data["results"]} == {people["other_an"].pk}
    _token, key = api_token_create(actor=users["other_province"], name="B")
    data = client.get(reverse("search:api_search"), {"q": "nguyen van an"}, **bearer(key)).json()
    assert data["results"] == []


def test_the_api_explains_invalid_parameters(client, users, people):
    _token, key = api_token_create(actor=users["lookup"], name="Một cửa")
    url = reverse("search:api_search")
    response = client.get(url, {"q": "an", "nam_tu": "abc"}, **bearer(key))
    assert response.status_code == 400 and "nam_tu" in response.json()["fields"]
    assert client.get(url, {}, **bearer(key)).status_code == 400


def test_the_api_pages_through_results_with_next_links(client, users, register):
    from tests.search.conftest import key as key_record

    for n in range(1, 53):
        key_record(register, users["operator"], n, nksHoTen="Lý Thị Mai", nycHoTen="Lý Văn Ba")
    _token, key = api_token_create(actor=users["lookup"], name="Một cửa")
    data = client.get(reverse("search:api_search"), {"q": "ly thi mai"}, **bearer(key)).json()
    assert len(data["results"]) == 50 and "trang=2" in data["next"]
    data = client.get(data["next"], **bearer(key)).json()
    assert (len(data["results"]), data["page"], data["next"]) == (2, 2, None)


def test_users_create_and_revoke_their_own_tokens_on_the_token_page(client, users):
    client.force_login(users["lookup"])
    response = client.post(reverse("search:api_tokens"), {"name": "Phần mềm một cửa"})
    token = ApiToken.objects.get()
    key = response.context["new_key"]
    assert key.startswith("htk_") and key in response.content.decode()
    assert token.key_hash != key and key not in token.key_hash  # only the hash is kept
    assert AuditEvent.objects.filter(action="api_token.create", object_id=str(token.pk)).exists()
    # the key is shown once
    assert key not in client.get(reverse("search:api_tokens")).content.decode()
    client.force_login(users["unit_admin"])  # even an administrator cannot revoke it
    url = reverse("search:api_token_revoke", args=[token.pk])
    assert client.post(url).status_code == 404
    client.force_login(users["lookup"])
    assert client.post(url).status_code == 302
    token.refresh_from_db()
    assert token.revoked is not None
    assert AuditEvent.objects.filter(action="api_token.revoke", object_id=str(token.pk)).exists()


def test_tokens_are_created_and_revoked_from_the_command_line(users, capsys):
    call_command("create_api_token", user=users["lookup"].username, name="Cổng dịch vụ công")
    out = capsys.readouterr().out
    token = ApiToken.objects.get()
    assert "htk_" in out and token.name == "Cổng dịch vụ công"
    call_command("revoke_api_token", str(token.pk))
    token.refresh_from_db()
    assert token.revoked is not None


def test_the_openapi_schema_documents_every_parameter_the_search_reads(client, users):
    schema = client.get(reverse("search:openapi")).json()
    assert schema["openapi"].startswith("3.")
    operation = schema["paths"][reverse("search:api_search")]["get"]
    documented = {p["name"] for p in operation["parameters"]}
    # every field of the form the endpoint parses, and nothing it does not read
    assert documented == set(SearchForm.base_fields) == set(PARAMETERS)
    assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert {"200", "400", "401"} <= set(operation["responses"])
    hit = schema["components"]["schemas"]["Hit"]["properties"]
    assert set(hit) >= {"name", "role", "rank", "match", "record", "parents", "birth_date"}


def test_the_schema_describes_what_the_api_returns(client, users, people):
    schema = client.get(reverse("search:openapi")).json()
    hit_props = schema["components"]["schemas"]["Hit"]["properties"]
    _token, key = api_token_create(actor=users["lookup"], name="Một cửa")
    data = client.get(reverse("search:api_search"), {"q": "an"}, **bearer(key)).json()
    assert data["results"]
    for result in data["results"]:
        assert set(result) == set(hit_props)
        assert set(result["record"]) == set(hit_props["record"]["properties"])


def test_the_api_docs_page_lists_the_parameters(client, users):
    client.force_login(users["lookup"])
    body = client.get(reverse("search:api_docs")).content.decode()
    for name in PARAMETERS:
        assert f"<code>{name}</code>" in body
    assert reverse("search:openapi") in body
