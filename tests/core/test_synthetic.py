"""The synthetic data generator: realistic, valid and repeatable Vietnamese data."""

from __future__ import annotations

import calendar
import itertools
import re
import unicodedata
from collections import Counter

from hotich.core.synthetic import ETHNICITIES, Synth
from hotich.registers.domain import RegisterType

VIETNAMESE_LETTERS = set("ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def test_names_are_nfc_and_written_with_vietnamese_diacritics():
    names = [Synth(1).person_name() for _ in range(1)] + [
        p["full_name"] for p in Synth(1).people(2000)
    ]
    assert all(unicodedata.is_normalized("NFC", n) for n in names)
    assert all(2 <= len(n.split()) <= 5 for n in names)
    letters = set("".join(names).lower())
    assert len(letters & VIETNAMESE_LETTERS) > 30
    assert sum(bool(set(n.lower()) & VIETNAMESE_LETTERS) for n in names) > 0.9 * len(names)


def test_family_names_follow_the_real_distribution():
    synth = Synth(3)
    families = Counter(synth.person_name().split()[0] for _ in range(10_000))
    assert 0.30 <= families["Nguyễn"] / 10_000 <= 0.46
    assert families["Trần"] > families["Đặng"] > families["Lý"]
    assert len(families) >= 40


def test_middle_names_depend_on_sex():
    synth = Synth(4)
    women = [synth.person_name(2, year=1950) for _ in range(500)]
    men = [synth.person_name(1, year=1950) for _ in range(500)]
    assert sum(" Thị " in n for n in women) > 300
    assert not any(" Thị " in n for n in men)
    assert sum(" Văn " in n for n in men) > 200


def test_upper_case_names_as_written_since_2016():
    name = Synth(5).person_name(upper=True)
    assert name == name.upper()
    assert unicodedata.is_normalized("NFC", name)
    assert all(p["full_name"].isupper() for p in Synth(5).people(50, upper=True))


def test_same_seed_same_data_other_seed_other_data():
    def sample(seed):
        synth = Synth(seed)
        specs = synth.register_specs(20, authorities=[("UBND xã A, huyện B, tỉnh C", "commune")])
        return list(synth.people(200)), list(specs), synth.typo("Nguyễn Văn An")

    assert sample(11) == sample(11)
    assert sample(11) != sample(12)


def test_partial_dates_are_valid_and_their_text_matches_the_parts():
    synth = Synth(6)
    dates = [synth.partial_date((1900, 2024)) for _ in range(5000)]
    for d in dates:
        assert 1900 <= d["year"] <= 2024
        if d["month"] is None:
            assert d["day"] is None
            assert d["text"] == str(d["year"])
            continue
        assert 1 <= d["month"] <= 12
        if d["day"] is None:
            assert d["text"] == f"{d['month']:02d}.{d['year']}"
        else:
            assert 1 <= d["day"] <= calendar.monthrange(d["year"], d["month"])[1]
            assert d["text"] == f"{d['day']:02d}.{d['month']:02d}.{d['year']}"
    kinds = Counter((d["month"] is None, d["day"] is None) for d in dates)
    assert kinds[(True, True)] > 50  # year only
    assert kinds[(False, True)] > 20  # month and year
    assert kinds[(False, False)] > 3000  # full date


def test_older_dates_are_more_often_partial():
    synth = Synth(7)
    old = [synth.partial_date(year=1950) for _ in range(2000)]
    new = [synth.partial_date(year=2015) for _ in range(2000)]
    assert sum(d["day"] is None for d in old) > 5 * sum(d["day"] is None for d in new)


def test_birth_dates_fall_in_range():
    synth = Synth(8)
    assert all(1960 <= synth.birth_date((1960, 1970)).year <= 1970 for _ in range(500))


def test_identity_numbers_are_digit_strings_with_leading_zeros():
    synth = Synth(9)
    ids = [synth.id_number() for _ in range(500)]
    assert all(re.fullmatch(r"\d{12}", i) for i in ids)
    assert all(i.startswith("0") for i in ids)  # every province code is below 100
    # Century-and-sex digit, then the year of birth.
    assert synth.id_number(sex=2, birth_year=1987)[3:6] == "187"
    assert synth.id_number(sex=1, birth_year=2003)[3:6] == "203"
    assert all(re.fullmatch(r"\d{9}", synth.cmnd()) for _ in range(200))


def test_people_are_plain_dicts_for_bulk_benchmarks():
    people = list(Synth(10).people(3000, year_range=(1950, 2020)))
    assert set(people[0]) == {"full_name", "sex", "birth", "ethnicity", "nationality", "id_number"}
    assert {p["sex"] for p in people} == {1, 2}
    assert {p["nationality"] for p in people} == {"Việt Nam"}
    assert all(1950 <= p["birth"]["year"] <= 2020 for p in people)
    ids = [p["id_number"] for p in people]
    assert all(i == "" or re.fullmatch(r"\d{12}", i) for i in ids)
    assert 0.2 < sum(bool(i) for i in ids) / len(ids) < 0.5
    ethnicities = Counter(p["ethnicity"] for p in people)
    assert 0.8 < ethnicities["Kinh"] / len(people) < 0.9
    assert set(ethnicities) <= set(ETHNICITIES)


def test_ethnicities_are_the_54_groups():
    assert len(ETHNICITIES) == len(set(ETHNICITIES)) == 54
    assert {"Kinh", "Tày", "Thái", "Mường", "Khmer", "Hoa", "Nùng", "Mông", "Dao"} <= set(
        ETHNICITIES
    )
    assert Synth(1).ethnicity() in ETHNICITIES


def test_typo_is_one_edit_away():
    synth = Synth(13)
    for person in synth.people(500):
        name = person["full_name"]
        assert edit_distance(name, synth.typo(name)) == 1


def test_strip_diacritics_keeps_case_and_letters():
    synth = Synth(14)
    assert synth.strip_diacritics("Nguyễn Văn Đức") == "Nguyen Van Duc"
    assert synth.strip_diacritics("TRƯƠNG THỊ ỔI") == "TRUONG THI OI"
    for person in synth.people(500):
        stripped = synth.strip_diacritics(person["full_name"])
        assert stripped.isascii()
        assert len(stripped) == len(person["full_name"])


def test_swap_day_month_only_when_the_result_is_a_date():
    swapped = Synth.swap_day_month({"year": 1990, "month": 3, "day": 5, "text": "05.03.1990"})
    assert swapped == {"year": 1990, "month": 5, "day": 3, "text": "03.05.1990"}
    late = {"year": 1990, "month": 3, "day": 25, "text": "25.03.1990"}
    assert Synth.swap_day_month(late) == late
    year_only = {"year": 1990, "month": None, "day": None, "text": "1990"}
    assert Synth.swap_day_month(year_only) == year_only


def test_place_uses_the_supplied_units():
    units = ["xã Phước Tỉnh, huyện Long Điền, tỉnh Bà Rịa - Vũng Tàu"]
    assert all(Synth(15).place(units).endswith(units[0]) for _ in range(50))


def test_register_specs_describe_valid_registers():
    synth = Synth(16)
    tree = synth.authority_tree(districts=3, communes=4)
    authorities = [(tree["authority"], "province")] + [
        (c["authority"], "commune") for d in tree["children"] for c in d["children"]
    ]
    specs = list(synth.register_specs(3000, authorities=authorities, year_range=(1960, 2024)))
    types = Counter(s["register_type"] for s in specs)
    assert set(types) <= set(RegisterType.values)
    assert types.most_common(1)[0][0] == "KS"
    assert {"NCN", "GH", "TD", "LH"} & set(types)
    for s in specs:
        assert 1960 <= s["year_start"] <= 2024
        assert s["year_end"] in (None, s["year_start"] + 1)
        assert (s["authority_name"], s["authority_level"]) == authorities[s["authority_index"]]
        assert s["legibility"] in (1, 2, 3)
        assert re.fullmatch(r"\d{2}(/\d{4})?", s["volume"])
        assert int(s["last_number"]) - int(s["first_number"]) + 1 == s["declared_entries"]
    assert Counter(s["legibility"] for s in specs).most_common(1)[0][0] == 1
    assert 80 < sum(s["declared_entries"] for s in specs) / len(specs) < 130


def test_volumes_of_one_year_continue_the_numbering():
    synth = Synth(17)
    specs = list(synth.register_specs(400, authorities=[("UBND xã A", "commune")]))
    by_key: dict[tuple, list[dict]] = {}
    for s in specs:
        by_key.setdefault((s["register_type"], s["year_start"]), []).append(s)
    assert any(len(v) > 1 for v in by_key.values())
    for volumes in by_key.values():
        assert len({v["volume"] for v in volumes}) == len(volumes)
        assert volumes[0]["first_number"] == "01"
        for before, after in itertools.pairwise(volumes):
            assert int(after["first_number"]) == int(before["last_number"]) + 1
