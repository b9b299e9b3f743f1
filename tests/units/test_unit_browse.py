from __future__ import annotations

from django.urls import reverse

URL = reverse("units:browse")


def test_browse_page_needs_login(client, units):
    assert client.get(URL).status_code == 302


def test_browse_page_shows_the_search_box_with_the_picker(login, users, units):
    response = login(users["lookup"]).get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "data-unit-picker" in html
    assert 'role="combobox"' in html
    assert "units/picker.js" in html
    assert "Gõ ít nhất 2 ký tự để tìm." in html


def test_browse_page_lists_the_units_found_without_javascript(login, users, units):
    response = login(users["lookup"]).get(URL, {"q": "PHUOC TINH", "era": "legacy"})
    html = response.content.decode()
    assert "Xã Phước Tỉnh, Huyện Long Điền, Tỉnh Bà Rịa - Vũng Tàu" in html
    assert f"unit={units['phuoc_tinh'].pk}" in html
    assert "Xã Phước Tỉnh, Thành phố Hồ Chí Minh" not in html
    assert 'value="PHUOC TINH"' in html


def test_browse_page_says_when_nothing_is_found(login, users, units):
    response = login(users["lookup"]).get(URL, {"q": "khong co dau"})
    assert "Không tìm thấy đơn vị nào." in response.content.decode()


def test_browse_page_shows_a_chosen_unit_with_parents_and_successors(
    login, users, units, django_assert_max_num_queries
):
    client = login(users["lookup"])
    with django_assert_max_num_queries(12):
        response = client.get(URL, {"unit": units["phuoc_hung"].pk})
    html = response.content.decode()
    assert response.status_code == 200
    title = "Xã Phước Hưng, Huyện Long Điền, Tỉnh Bà Rịa - Vũng Tàu"
    assert f'<h2 id="unit-title">{title}</h2>' in html
    assert f'href="?unit={units["long_dien"].pk}">Huyện Long Điền</a>' in html
    assert f'href="?unit={units["brvt"].pk}">Tỉnh Bà Rịa - Vũng Tàu</a>' in html
    assert f'href="?unit={units["long_hai"].pk}">Xã Long Hải, Thành phố Hồ Chí Minh</a>' in html
    assert f'href="?unit={units["phuoc_hai"].pk}">Xã Phước Hải, Thành phố Hồ Chí Minh</a>' in html
    assert "đơn vị chính" in html
    assert "30/06/2025" in html


def test_browse_page_shows_the_units_a_new_unit_was_formed_from(login, users, units):
    response = login(users["lookup"]).get(URL, {"unit": units["long_hai"].pk})
    html = response.content.decode()
    assert "Hình thành từ" in html
    assert f'href="?unit={units["phuoc_tinh"].pk}"' in html
    assert f'href="?unit={units["phuoc_hung"].pk}"' in html
    assert "Không có đơn vị kế thừa." in html


def test_browse_page_counts_children_of_a_district(login, users, units):
    response = login(users["lookup"]).get(URL, {"unit": units["long_dien"].pk})
    assert "<dt>Đơn vị trực thuộc</dt><dd>3</dd>" in response.content.decode()


def test_browse_page_answers_404_for_an_unknown_unit(login, users, units):
    assert login(users["lookup"]).get(URL, {"unit": 999999}).status_code == 404
