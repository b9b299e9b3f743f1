"""Probable duplicates: which pairs of records look like one case keyed twice, and which don't."""

import pytest

from hotich.core.text import fold
from hotich.records.services import record_save
from hotich.search.duplicates import Case, cases_from_db, compare, find_pairs
from tests.factories import RegisterFactory
from tests.records.test_record_save import BIRTH


def case(rid, name="Nguyễn Thị Hoà", date=(2010, 3, 1), mother="Trần Thị Bình",
         father="Nguyễn Văn Cường", register=1, number="01", sex="2", rtype="KS",
         registered="2010-03-10"):  # fmt: skip
    others = []
    if father:
        others.append(("father", fold(father)))
    if mother:
        others.append(("mother", fold(mother)))
    others = tuple(sorted(others))
    return Case(rid, register, rtype, number, fold(name), sex, *date, others, registered)


ORIGINAL = case(1)


@pytest.mark.parametrize(
    ("copy", "reason"),
    [
        (case(2, name="NGUYEN THI HOA", register=2), None),
        (case(2, name="Nguyễn Thị Hoàa", register=2), "name:1"),
        (case(2, name="Nguyễn Thi Hòa", register=2, mother="Tran Thi Binh"), None),
        (case(2, date=(2010, 1, 3), register=2), "date:swapped"),
        (case(2, mother="Trần Thị Bìh", register=2), "mother:1"),
        (case(2, date=(2010, 3, None), register=2), "date:partial"),
        (case(2, father="", register=2), None),
        (case(2, register=2, registered="2010-10-03"), "registered:swapped"),
        (case(2, register=2, registered="2010-03-11"), "registered:1"),
        (case(2, register=2, registered=""), None),
        # Keyed twice in the same register: the same number.
        (case(2, name="Nguyễn Thị Hoan"), "name:1"),
    ],
)
def test_a_case_keyed_again_with_keying_errors_is_a_probable_duplicate(copy, reason):
    pair = compare(ORIGINAL, copy)
    assert pair is not None
    assert (pair.a, pair.b) == (1, 2)
    if reason:
        assert reason in pair.reasons
    else:
        assert pair.score >= 90


@pytest.mark.parametrize(
    "other",
    [
        # Twins: the same parents and birth date, in the same register under other numbers.
        case(2, name="Nguyễn Thị Hoa", number="02"),
        # Another child of the same name born the same day: other parents.
        case(2, register=2, mother="Lê Thị Mai", father="Phạm Văn Long"),
        case(2, register=2, date=(2011, 3, 1)),
        case(2, register=2, date=(2010, 5, 7)),
        case(2, register=2, name="Nguyễn Thị Hương Giang"),
        case(2, register=2, sex="1"),
        case(2, register=2, rtype="KT"),
        # Registered on another day: another case.
        case(2, register=2, registered="2010-04-22"),
        # Two edits in a short name make another name.
        case(2, register=2, name="Nguyễn Thị Ly"),
        # Small differences everywhere add up to another case.
        case(2, register=2, name="Nguyễn Thu Hoe", mother="Trần Thị Bìh", registered="2010-03-11"),
    ],
)
def test_different_cases_are_not_flagged(other):
    assert compare(ORIGINAL, other) is None


def test_without_anyone_else_to_compare_only_an_exact_name_and_date_is_flagged():
    alone = case(1, mother="", father="")
    assert compare(alone, case(2, mother="", father="", register=2)) is not None
    assert compare(alone, case(2, mother="", father="", register=2, name="Nguyễn Thị Hoan")) is None


def test_find_pairs_finds_each_planted_pair_once_through_any_of_its_blocks():
    cases = [
        ORIGINAL,
        case(2, name="Nguyễn Thị Hoàa", date=(2010, 1, 3), register=2),  # name and date differ
        case(3, name="Lê Văn Tám", date=(1999, 9, 9), mother="Đỗ Thị Hạnh", father=""),
        case(4, name="Le Van Tam", date=(1999, 9, 9), mother="Do Thi Hanh", father="", register=2),
        case(5, name="Trần Văn Bảy", date=(2001, 1, 1), mother="Hồ Thị Lan", father="Trần Văn Út"),
    ]
    pairs, work = find_pairs(cases)
    assert [(p.a, p.b) for p in pairs] == [(3, 4), (1, 2)]
    assert work["cases"] == 5
    assert pairs[0].score > pairs[1].score


def test_cases_are_read_from_the_records_with_folded_names(register, users, tree):
    other = RegisterFactory(custodian=tree["phong"], volume="02")
    first = record_save(actor=users["operator"], register=register, raw=BIRTH).record
    copy = {**BIRTH, "nksHoTen": "NGUYEN THI HOA", "nksNgaySinh": "03.01.2010"}
    second = record_save(actor=users["operator"], register=other, raw=copy).record
    from hotich.records.models import Record

    cases = list(cases_from_db(Record.objects.all()))
    assert [c.record_id for c in cases] == [first.pk, second.pk]
    assert cases[0].name == "nguyen thi hoa" and cases[0].sex == "2"
    assert (cases[0].year, cases[0].month, cases[0].day) == (2010, 3, 1)
    assert cases[0].registered == "2010-03-10"
    assert dict(cases[0].others) == {"mother": "tran thi b", "father": "nguyen van c"}
    pairs, _work = find_pairs(cases)
    assert [(p.a, p.b, p.reasons) for p in pairs] == [(first.pk, second.pk, ("date:swapped",))]
