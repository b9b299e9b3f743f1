from __future__ import annotations

import pytest
from django.urls import reverse

from hotich.core.text import fold
from hotich.units.models import AdminUnit

URL = reverse("units:search")


def results(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.json()["results"]


def test_search_endpoint_sends_anonymous_visitors_to_login(client, units):
    response = client.get(URL, {"q": "phuoc tinh"})
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_search_endpoint_answers_with_unit_fields_and_labels(login, users, units):
    client = login(users["operator"])
    found = results(client, q="phuoc tinh", era="legacy", limit=1)
    assert found == [
        {
            "id": units["phuoc_tinh"].pk,
            "name": "Xã Phước Tỉnh",
            "full_name": "Xã Phước Tỉnh, Huyện Long Điền, Tỉnh Bà Rịa - Vũng Tàu",
            "level": "commune",
            "level_label": "Xã",
            "era": "legacy",
            "era_label": "Trước 01/7/2025 (3 cấp)",
            "valid_to": "2025-06-30",
        }
    ]


def test_search_endpoint_returns_nothing_for_a_query_shorter_than_two_characters(
    login, users, units
):
    client = login(users["operator"])
    assert results(client, q="x") == []
    assert results(client, q=" ") == []
    assert results(client) == []


def test_search_endpoint_respects_the_limit_and_never_sends_more_than_50(login, users, db):
    hanoi = AdminUnit.objects.create(
        era="2025",
        level="province",
        code="01",
        name="Thành phố Hà Nội",
        full_name="Thành phố Hà Nội",
        name_key="thanh pho ha noi",
        search_key="thanh pho ha noi",
    )
    AdminUnit.objects.bulk_create(
        AdminUnit(
            era="2025",
            level="commune",
            code=f"{n:05d}",
            name=f"Phường {n}",
            parent=hanoi,
            full_name=f"Phường {n}, Thành phố Hà Nội",
            name_key=fold(f"Phường {n}"),
            search_key=fold(f"Phường {n}, Thành phố Hà Nội"),
        )
        for n in range(1, 61)
    )
    client = login(users["operator"])
    assert len(results(client, q="phuong", limit=5)) == 5
    assert len(results(client, q="phuong")) == 20
    assert len(results(client, q="phuong", limit=1000)) == 50


@pytest.mark.parametrize("date", ["01/01/2020", "2020-01-01"])
def test_search_endpoint_filters_by_date_in_either_format(login, users, units, date):
    client = login(users["operator"])
    found = results(client, q="phuoc tinh", date=date)
    assert {unit["era"] for unit in found} == {"legacy"}


def test_search_endpoint_filters_by_era_and_level(login, users, units):
    client = login(users["operator"])
    assert [u["id"] for u in results(client, q="phuoc tinh", era="2025")] == [units["new_tinh"].pk]
    assert [u["id"] for u in results(client, q="ba ria", level="province")] == [units["brvt"].pk]


def test_search_endpoint_rejects_an_unknown_era_or_a_bad_date(login, users, units):
    client = login(users["operator"])
    assert client.get(URL, {"q": "phuoc", "era": "1990"}).status_code == 400
    response = client.get(URL, {"q": "phuoc", "date": "31/02/2020"})
    assert response.status_code == 400
    assert "date" in response.json()["errors"]
