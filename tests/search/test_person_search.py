"""Person search: every spelling of a name, partial names, typos, each filter, IDs, scoping.

Tests go through `person_search` (what the page and the API both call) and the page itself.
"""

from __future__ import annotations

import unicodedata

import pytest
from django.urls import reverse

from hotich.search.search import EXACT, ONE_OFF, PREFIX, SUFFIX, Criteria, person_search
from hotich.search.vocabulary import name_variants, token_variants

pytestmark = pytest.mark.django_db


def found(user, **criteria) -> list[tuple[str, str, int]]:
    """(full name, role, rank) of every hit on the first page."""
    page = person_search(user, Criteria(**criteria))
    return [(h.party.full_name, h.party.role, h.rank) for h in page.hits]


def names(user, **criteria) -> list[str]:
    return [name for name, _role, _rank in found(user, **criteria)]


@pytest.mark.parametrize(
    "query",
    [
        "nguyen van an",
        "Nguyễn Văn An",
        "NGUYEN VAN AN",
        "NGUYỄN VĂN AN",
        unicodedata.normalize("NFD", "nguyễn văn an"),
        "  nguyễn   văn  an ",
    ],
)
def test_every_spelling_of_a_name_finds_the_same_people_first(users, people, query):
    hits = found(users["lookup"], q=query)
    exact = [(n, role) for n, role, rank in hits if rank == EXACT]
    assert exact == [("Nguyễn Văn An", "registered"), ("NGUYEN VAN AN", "husband")]


@pytest.mark.parametrize("query", ["hòa", "hoà", "Nguyễn Thị Hòa", "nguyen thi hoa", "HOÀ"])
def test_old_and_new_accent_placement_find_the_same_name(users, people, query):
    assert "Nguyễn Thị Hoà" in names(users["lookup"], q=query)


@pytest.mark.parametrize("query", ["dang van minh", "Đặng Văn Minh", "đặng văn minh", "DANG"])
def test_d_with_stroke_is_found_by_plain_d(users, people, query):
    assert "Đặng Văn Minh" in names(users["lookup"], q=query)


def test_a_typo_in_one_syllable_is_ranked_after_the_exact_matches(users, people):
    hits = found(users["lookup"], q="Nguyễn Văn An")
    ranks = [rank for _n, _r, rank in hits]
    assert ranks == sorted(ranks)
    assert ("NGUYỄN VĂN ANH", "registered", ONE_OFF) in hits
    assert hits[0][2] == EXACT


def test_a_misspelt_query_still_finds_the_name_one_character_away(users, people):
    # a transposition is two edits: not offered
    assert found(users["lookup"], q="dang van mihn") == []
    hits = found(users["lookup"], q="dang vam minh")
    assert hits == [("Đặng Văn Minh", "registered", ONE_OFF)]


def test_the_family_and_middle_names_find_everyone_named_so(users, people):
    hits = found(users["lookup"], q="trần thị")
    assert {(n, rank) for n, _r, rank in hits} == {
        ("Trần Thị Bình", PREFIX),
        ("Trần Thị Lan", PREFIX),
    }
    assert len(hits) == 3  # Trần Thị Lan is a mother in one record and registered in another


def test_the_middle_and_given_name_find_the_people_whose_name_ends_so(users, people):
    hits = found(users["lookup"], q="van an")
    assert {(n, rank) for n, _r, rank in hits} == {
        ("Nguyễn Văn An", SUFFIX),
        ("NGUYEN VAN AN", SUFFIX),
    }


def test_the_family_name_with_a_birth_year(users, people):
    assert names(users["lookup"], q="nguyen", birth_year=1990) == [
        "Nguyễn Văn An",
        "NGUYEN VAN AN",
        "NGUYỄN VĂN ANH",
    ]
    # the two mothers born in 1985 (record "an" and "dang") and Trần Thị Lan herself
    assert names(users["lookup"], q="tran", birth_year=1985) == [
        "Trần Thị Bình",
        "Trần Thị Lan",
        "Trần Thị Lan",
    ]
    assert names(users["lookup"], q="tran", birth_year=1984) == []


def test_a_full_birth_date_matches_partial_dates_of_the_same_year(users, people):
    # NGUYỄN VĂN ANH was registered with a birth year only: 05.03.1990 does not rule him out.
    assert sorted(
        names(users["lookup"], q="nguyen van", birth_year=1990, birth_month=3, birth_day=5)
    ) == sorted(["Nguyễn Văn An", "NGUYEN VAN AN", "NGUYỄN VĂN ANH"])
    assert names(users["lookup"], q="nguyen thi hoa", birth_year=1988, birth_month=11) == []
    assert names(users["lookup"], q="nguyen thi hoa", birth_year=1988, birth_month=12) == [
        "Nguyễn Thị Hoà"
    ]


def test_the_role_filter(users, people):
    assert found(users["lookup"], q="nguyen van an", role="husband") == [
        ("NGUYEN VAN AN", "husband", EXACT)
    ]
    assert {r for _n, r, _k in found(users["lookup"], q="tran thi lan", role="mother")} == {
        "mother"
    }


def test_the_register_type_filter(users, people):
    assert names(users["lookup"], q="nguyen van an", register_type="KH") == ["NGUYEN VAN AN"]


@pytest.mark.parametrize("inline_max", [0, 5000])
def test_a_scope_too_large_to_write_out_gives_the_same_results(
    users, people, monkeypatch, inline_max
):
    # PostgreSQL writes up to INLINE_SCOPE_MAX register ids into the statement, more as a
    # subquery; both are the same set (SQLite always uses the subquery).
    from hotich.search import search

    monkeypatch.setattr(search, "INLINE_SCOPE_MAX", inline_max)
    assert names(users["lookup"], q="nguyen van an", register_type="KH") == ["NGUYEN VAN AN"]
    assert names(users["lookup"], q="nguyen van an", year_to=2010) == [
        "Nguyễn Văn An",
        "NGUYỄN VĂN ANH",
    ]
    assert names(users["other_admin"], q="nguyen van an", register_type="KH") == []


def test_the_registration_year_range(users, people):
    assert names(users["lookup"], q="nguyen van an", year_from=2011) == ["NGUYEN VAN AN"]
    assert names(users["lookup"], q="nguyen van an", year_to=2010) == [
        "Nguyễn Văn An",
        "NGUYỄN VĂN ANH",  # one character off, after the exact match
    ]
    assert names(users["lookup"], q="nguyen van an", year_from=2000, year_to=2005) == []


@pytest.mark.parametrize("inline_max", [0, 5000])
def test_the_parents_names(users, people, monkeypatch, inline_max):
    # PostgreSQL reads up to INLINE_PARENT_RECORDS_MAX parents' records first, more stay a
    # subquery: the same results either way.
    from hotich.search import search

    monkeypatch.setattr(search, "INLINE_PARENT_RECORDS_MAX", inline_max)
    assert names(users["lookup"], q="nguyen van", parent="nobody at all") == []
    assert names(users["lookup"], q="nguyen van", parent="tran thi binh") == ["Nguyễn Văn An"]
    assert names(users["lookup"], q="nguyen van", parent="Bình") == ["Nguyễn Văn An"]
    assert names(users["lookup"], q="nguyen van", parent="le thi hong") == ["NGUYỄN VĂN ANH"]


def test_the_registering_authority_as_written_in_the_book(users, people, register):
    assert "Nguyễn Văn An" in names(users["lookup"], q="nguyen van an", authority="phuoc tinh")
    assert names(users["lookup"], q="nguyen van an", authority="xa khong co") == []


def test_the_registering_authority_by_todays_name_includes_merged_units(users, people, register):
    from hotich.units.models import AdminUnit, UnitSuccession

    old = AdminUnit.objects.create(
        era="old", level="commune", code="99901", name="Xã Cũ Một", full_name="Xã Cũ Một",
        name_key="cu mot", search_key="xa cu mot",
    )  # fmt: skip
    new = AdminUnit.objects.create(
        era="2025", level="commune", code="99902", name="Xã Mới Hợp Nhất",
        full_name="Xã Mới Hợp Nhất", name_key="moi hop nhat", search_key="xa moi hop nhat",
    )  # fmt: skip
    UnitSuccession.objects.create(old=old, new=new, effective="2025-07-01")
    type(register).objects.filter(pk=register.pk).update(authority_unit=old)
    assert "Nguyễn Văn An" in names(users["lookup"], q="nguyen van an", authority="moi hop nhat")
    assert "Nguyễn Văn An" in names(users["lookup"], q="nguyen van an", authority="Xã Cũ Một")


@pytest.mark.parametrize("number", ["001090012345", "0010 9001 2345"])
def test_an_exact_personal_id(users, people, number):
    assert found(users["lookup"], q=number) == [("Nguyễn Văn An", "registered", EXACT)]


def test_an_exact_identity_document_number(users, people):
    assert found(users["lookup"], q="b1234567") == [("NGUYEN VAN AN", "husband", EXACT)]
    assert found(users["lookup"], q="001090012346") == []


def test_nothing_outside_the_users_offices_is_found(users, people):
    # `other_an` is in Phòng Tư pháp A2: A1's look-up officer never sees it ...
    an_records = {h.party.record_id for h in person_search(users["lookup"], Criteria(q="an")).hits}
    assert people["other_an"].pk not in an_records
    for user in ("lookup", "operator", "unit_admin"):
        hits = person_search(users[user], Criteria(q="nguyen van an")).hits
        assert people["other_an"].pk not in {h.party.record_id for h in hits}, user
    # ... its own office does, and so does the province above both
    for user in ("other_admin", "province_admin"):
        hits = person_search(users[user], Criteria(q="nguyen van an")).hits
        assert people["other_an"].pk in {h.party.record_id for h in hits}, user
    assert person_search(users["other_province"], Criteria(q="nguyen van an")).hits == []


def test_results_come_in_pages_of_fifty(users, register):
    from tests.search.conftest import key

    for n in range(1, 56):
        key(register, users["operator"], n, nksHoTen="Lý Thị Mai", nycHoTen="Lý Văn Ba")
    first = person_search(users["lookup"], Criteria(q="ly thi mai"), page=1)
    second = person_search(users["lookup"], Criteria(q="ly thi mai"), page=2)
    assert (len(first.hits), first.has_next) == (50, True)
    assert (len(second.hits), second.has_next) == (5, False)
    assert not {h.party.pk for h in first.hits} & {h.party.pk for h in second.hits}


def test_one_character_variants_are_only_known_syllables():
    known = frozenset({"an", "anh", "ban", "van", "nguyen", "tran"})
    assert token_variants("an", known) == {"anh", "ban", "van"}
    assert token_variants("vna", known) == set()
    assert set(name_variants("nguyen van an", known)) == {
        "nguyen an an", "nguyen ban an", "nguyen van anh", "nguyen van ban", "nguyen van van",
    }  # fmt: skip


def test_the_page_shows_the_matched_name_and_the_records_key_facts(client, users, people):
    client.force_login(users["lookup"])
    response = client.get(reverse("search:page"), {"q": "nguyen van an"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Nguyễn Văn An" in body and "NGUYỄN VĂN ANH" in body
    assert body.index("Nguyễn Văn An") < body.index("NGUYỄN VĂN ANH")
    assert "Trần Thị Bình" in body  # the mother, beside the registered person
    assert "05.03.1990" in body
    assert "Khai sinh" in body and "Kết hôn" in body
    assert "UBND xã Phước Tỉnh" in body
    assert "Hoàng Thị Yến" not in body  # the other office's record


def test_the_search_box_has_focus_and_the_advanced_form_opens_with_its_filters(
    client, users, people
):
    client.force_login(users["lookup"])
    body = client.get(reverse("search:page")).content.decode()
    assert 'name="q"' in body and "autofocus" in body
    assert '<details class="advanced">' in body
    body = client.get(reverse("search:page"), {"q": "nguyen", "muc_dich": "x"}).content
    assert b'<details class="advanced">' in body  # the purpose is no filter
    body = client.get(reverse("search:page"), {"q": "nguyen", "ngay_sinh": "1990"}).content
    assert b'<details class="advanced" open>' in body


def test_results_link_to_the_keying_or_review_screen_the_user_may_open(client, users, people):
    url = reverse("keying:record", args=[people["an"].pk])
    client.force_login(users["unit_admin"])
    assert url in client.get(reverse("search:page"), {"q": "nguyen van an"}).content.decode()
    client.force_login(users["reviewer"])
    body = client.get(reverse("search:page"), {"q": "nguyen van an"}).content.decode()
    assert reverse("review:record", args=[people["an"].pk]) in body and url not in body
    client.force_login(users["lookup"])
    body = client.get(reverse("search:page"), {"q": "nguyen van an"}).content.decode()
    assert url not in body and reverse("review:record", args=[people["an"].pk]) not in body


def test_a_bad_birth_date_is_explained_not_searched(client, users, people):
    client.force_login(users["lookup"])
    response = client.get(reverse("search:page"), {"q": "nguyen", "ngay_sinh": "31.02.1990"})
    assert response.status_code == 200
    assert response.context["result"] is None
    assert response.context["form"].errors["ngay_sinh"]


def test_contractor_accounts_may_not_look_people_up(client, users, people):
    client.force_login(users["contractor"])
    assert client.get(reverse("search:page"), {"q": "nguyen van an"}).status_code == 403


def test_imported_people_are_found_like_keyed_ones(users, register):
    from hotich.records.services import ImportRow, record_bulk_import
    from tests.records.test_record_save import BIRTH

    rows = [
        ImportRow(data={**BIRTH, "so": "07", "nksHoTen": "PHAN THANH TÙNG"}, issues=[]),
        ImportRow(data={**BIRTH, "so": "08", "nksHoTen": "Phan Thanh Tung"}, issues=[]),
    ]
    record_bulk_import(actor=users["unit_admin"], register=register, rows=rows)
    assert names(users["lookup"], q="phan thanh tung") == ["PHAN THANH TÙNG", "Phan Thanh Tung"]
    assert names(users["lookup"], q="thanh tùng") == ["PHAN THANH TÙNG", "Phan Thanh Tung"]


def test_the_syllable_vocabulary_follows_new_names(users, people, register):
    from hotich.search.models import NameToken, VocabularyState
    from hotich.search.vocabulary import vocabulary, vocabulary_forget
    from tests.search.conftest import key

    known = vocabulary()
    assert {"nguyen", "van", "an", "anh", "hoa", "dang"} <= known
    assert "khuong" not in known
    key(register, users["operator"], 9, nksHoTen="Khương Văn Lộc")
    vocabulary_forget()  # another process, or five seconds later
    assert "khuong" in vocabulary()
    assert NameToken.objects.filter(token="khuong").exists()
    watermark = VocabularyState.objects.get().party_watermark
    from hotich.records.models import Party

    assert watermark == Party.objects.order_by("-id").values_list("id", flat=True).first()
    # and typo search uses it at once
    assert found(users["lookup"], q="khuong van loc") == [("Khương Văn Lộc", "registered", EXACT)]
    assert ("Khương Văn Lộc", "registered", ONE_OFF) in found(users["lookup"], q="khuong van lo")


def test_the_page_numbers_the_results_and_links_the_next_page(client, users, register):
    from tests.search.conftest import key

    for n in range(1, 53):
        key(register, users["operator"], n, nksHoTen="Lý Thị Mai", nycHoTen="Lý Văn Ba")
    client.force_login(users["lookup"])
    body = client.get(reverse("search:page"), {"q": "ly thi mai"}).content.decode()
    assert "Kết quả 1–50" in body and "trang=2" in body
    body = client.get(reverse("search:page"), {"q": "ly thi mai", "trang": "2"}).content.decode()
    assert "Kết quả 51–52" in body and 'rel="prev"' in body and 'rel="next"' not in body


def test_after_a_large_import_each_search_reads_a_slice_of_the_new_names(
    users, people, monkeypatch
):
    from hotich.records.models import Party
    from hotich.search import vocabulary as vocab
    from hotich.search.models import VocabularyState

    monkeypatch.setattr(vocab, "REFRESH_LIMIT", 4)
    monkeypatch.setattr(vocab, "_CHUNK", 4)
    ids = list(Party.objects.order_by("id").values_list("id", flat=True))
    vocab.vocabulary()
    assert VocabularyState.objects.get().party_watermark == ids[3]
    vocab.vocabulary()  # the next search goes on at once, not five seconds later
    assert VocabularyState.objects.get().party_watermark == ids[7]
    assert vocab.vocabulary_update() == len(ids) - 8
    assert VocabularyState.objects.get().party_watermark == ids[-1]


@pytest.mark.parametrize(
    "criteria",
    [
        Criteria(q="nguyen van an"),
        Criteria(q="tran thi"),
        Criteria(q="nguyen", birth_year=1990),
        Criteria(q="van an", birth_year=1990, birth_month=3),
        Criteria(q="001090012345"),
        Criteria(q="b1234567", birth_year=1990),
        Criteria(q="nguyen van", parent="tran thi binh", role="registered"),
        Criteria(q="nguyen van an", year_from=2000, year_to=2020, register_type="KS"),
        Criteria(q="nguyen van an", authority="phuoc tinh"),
    ],
    ids=lambda c: c.q,
)
def test_every_search_reads_indexes_never_the_whole_people_table(users, people, criteria):
    from django.db import connection

    from hotich.search.search import ranked_sql

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's plan; PostgreSQL plans by its statistics")
    sql, params = ranked_sql(users["lookup"], criteria, 51)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = [row[-1] for row in cursor.fetchall()]
    scans = [line for line in plan if line.startswith("SCAN") and "records_" in line]
    assert scans == [], plan
    used = " ".join(plan)
    assert "records_party" in used and "USING" in used


def test_filters_without_a_name_ask_for_one(client, users, people):
    client.force_login(users["lookup"])
    response = client.get(reverse("search:page"), {"ngay_sinh": "1990"})
    assert response.context["result"] is None
    assert "Hãy nhập họ tên" in response.content.decode()


def test_a_page_of_results_costs_the_same_few_queries_however_many_people(
    client, users, register, django_assert_max_num_queries
):
    from tests.search.conftest import key

    for n in range(1, 56):
        key(register, users["operator"], n, nksHoTen="Lý Thị Mai", nycHoTen="Lý Văn Ba")
    client.force_login(users["lookup"])
    client.get(reverse("search:page"), {"q": "ly thi mai"})  # the vocabulary is read once
    # 13: on PostgreSQL the scope's register ids are read first (`search._scope`).
    with django_assert_max_num_queries(13):
        response = client.get(reverse("search:page"), {"q": "ly thi mai", "cha_me": "ly van"})
    assert len(response.context["result"].hits) == 0  # "Lý Văn Ba" is the declarant
    with django_assert_max_num_queries(13):
        response = client.get(reverse("search:page"), {"q": "ly thi mai"})
    assert len(response.context["result"].hits) == 50
