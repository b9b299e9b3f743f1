from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from hotich.units.models import AdminUnit
from hotich.units.queries import (
    unit_ancestors,
    unit_get,
    unit_predecessors,
    unit_search,
    unit_successors,
)

pytestmark = pytest.mark.django_db

LEGACY = AdminUnit.Era.LEGACY
NEW = AdminUnit.Era.Y2025


@pytest.mark.parametrize(
    "query",
    [
        "phuoc tinh",
        "Phước Tỉnh",
        "PHUOC TINH",
        "PHƯỚC TỈNH",
        "xa phuoc tinh long dien",
        "Xã Phước Tỉnh, huyện Long Điền, tỉnh Bà Rịa - Vũng Tàu",
        "  phuoc   tinh  ",
        "phuoc ti",
    ],
)
def test_search_finds_unit_with_or_without_diacritics_and_in_any_case(units, query):
    assert units["phuoc_tinh"] in unit_search(query)


def test_search_finds_unit_from_decomposed_nfd_input(units):
    query = unicodedata.normalize("NFD", "Phước Tỉnh")
    assert query != "Phước Tỉnh"
    assert units["phuoc_tinh"] in unit_search(query)


def test_search_needs_every_word_of_the_query(units):
    assert unit_search("phuoc tien vung tau") == [units["tinh_tien"]]
    assert unit_search("phuoc tinh ha noi") == []


def test_search_of_nothing_finds_nothing(units):
    assert unit_search("") == []
    assert unit_search(" - , ") == []


def test_search_ranks_exact_name_first_then_current_era_then_names_starting_with_it(units):
    found = unit_search("phuoc tinh")
    assert found[:3] == [units["new_tinh"], units["phuoc_tinh"], units["tinh_tien"]]


def test_search_ranks_exact_name_before_longer_names_when_kind_is_typed(units):
    assert unit_search("xã phước tỉnh", era=LEGACY)[:2] == [units["phuoc_tinh"], units["tinh_tien"]]


def test_search_ranks_name_before_units_found_through_their_parents(units):
    found = unit_search("long dien")
    assert found[0] == units["long_dien"]
    assert set(found[1:]) == {units["phuoc_tinh"], units["phuoc_hung"], units["tinh_tien"]}


def test_search_puts_the_named_unit_first_when_its_district_follows(units):
    assert unit_search("phuoc hung long dien")[0] == units["phuoc_hung"]
    assert unit_search("xa phuoc tinh long dien")[0] == units["phuoc_tinh"]


def test_search_puts_provinces_before_communes_within_a_rank(units):
    found = unit_search("ho chi minh")
    assert found[0] == units["hcm"]
    assert units["long_hai"] in found


def test_search_filters_by_era(units):
    assert unit_search("phuoc tinh", era=NEW) == [units["new_tinh"]]
    assert units["new_tinh"] not in unit_search("phuoc tinh", era=LEGACY)


def test_search_filters_by_level(units):
    assert unit_search("ba ria", level=AdminUnit.Level.PROVINCE) == [units["brvt"]]
    assert unit_search("long dien", level=AdminUnit.Level.DISTRICT) == [units["long_dien"]]


def test_search_on_a_date_keeps_units_valid_that_day(units):
    before = unit_search("phuoc tinh", on_date=dt.date(2020, 1, 1))
    after = unit_search("phuoc tinh", on_date=dt.date(2025, 7, 1))
    assert units["phuoc_tinh"] in before and units["new_tinh"] not in before
    assert after == [units["new_tinh"]]
    assert unit_search("phuoc tinh", on_date=dt.date(2025, 6, 30))[0] == units["phuoc_tinh"]


def test_search_returns_at_most_the_limit(units):
    assert len(unit_search("xa", limit=2)) == 2
    assert len(unit_search("xa", limit=500)) == 6


def test_successors_put_the_default_new_unit_first(units):
    links = unit_successors(units["phuoc_hung"])
    assert [(link.new, link.is_default) for link in links] == [
        (units["long_hai"], True),
        (units["phuoc_hai"], False),
    ]


def test_predecessors_list_the_old_units(units):
    olds = [link.old for link in unit_predecessors(units["long_hai"])]
    assert set(olds) == {units["phuoc_tinh"], units["phuoc_hung"]}


def test_unit_get_loads_parent_chain_and_children_count(units, django_assert_num_queries):
    with django_assert_num_queries(1):
        unit = unit_get(units["phuoc_tinh"].pk)
        assert unit_ancestors(unit) == [units["brvt"], units["long_dien"]]
    assert unit_get(units["long_dien"].pk).children_count == 3


def test_words_typed_side_by_side_are_not_buried_by_scattered_matches(units):
    from hotich.units.queries import unit_search

    names = [u.name for u in unit_search("phuoc tinh")]
    assert names and all("Phước Tỉnh" in n for n in names)
