"""Code lists: the Ministry's codes, and the lists stored as text (Dân tộc, Quốc tịch)."""

from __future__ import annotations

import unicodedata

import pytest

from hotich.core.text import fold
from hotich.records.schema import codes as c

ALL_LISTS = list(c.BY_NAME.values())


def _ids(codes: c.CodeList) -> str:
    return codes.name


def test_every_module_level_list_is_reachable_by_its_name():
    declared = [v for v in vars(c).values() if isinstance(v, c.CodeList)]
    assert len(declared) == len(c.BY_NAME) == 16
    assert all(c.BY_NAME[codes.name] is codes for codes in declared)


def test_there_are_54_ethnic_groups_plus_foreigners_and_other():
    labels = [label for _code, label in c.DAN_TOC.items]
    assert c.ETHNIC_GROUPS == 54
    assert len(labels) == 56
    assert labels[0] == "Kinh"
    assert labels[-2:] == ["Người nước ngoài", "Khác"]
    for name in ("Mông", "Ê Đê", "Gia Rai", "Bru Vân Kiều", "Giẻ Triêng", "Ơ Đu", "Rơ Măm"):
        assert name in labels


def test_nationality_starts_with_viet_nam_and_ends_with_the_two_extras():
    labels = [label for _code, label in c.QUOC_TICH.items]
    assert labels[0] == "Việt Nam"
    assert labels[-2:] == ["Người không quốc tịch", "Không có thông tin"]
    # Việt Nam, 192 other UN members, the two observer states, Taiwan, Hong Kong, Macau, and
    # four former states that old registers name (Liên Xô, Tiệp Khắc, Cộng hòa Dân chủ Đức, Nam Tư).
    assert len(labels) - 2 == 202
    assert "Liên Xô" in labels


@pytest.mark.parametrize(
    ("codes", "value", "expected"),
    [
        (c.GIOI_TINH, "2", "2"),
        (c.GIOI_TINH, "Nữ", "2"),
        (c.GIOI_TINH, "nu", "2"),
        (c.LOAI_DANG_KY_KS, "04", "4"),
        (c.LOAI_DANG_KY_KS, "Đăng ký quá hạn", "4"),
        (c.LOAI_CU_TRU, "0", "0"),
        (c.DAN_TOC, "Mông", "Mông"),
        (c.DAN_TOC, "05", "Khmer"),
        (c.QUOC_TICH, "VN", "Việt Nam"),
        (c.QUOC_TICH, "Liên bang Nga", "Liên bang Nga"),
    ],
)
def test_normalise_accepts_the_code_or_the_label(codes, value, expected):
    assert codes.normalise(value) == expected


def test_normalise_accepts_a_decomposed_label():
    decomposed = unicodedata.normalize("NFD", "Ê Đê")
    assert decomposed != "Ê Đê"
    assert c.DAN_TOC.normalise(decomposed) == "Ê Đê"
    assert c.QUOC_TICH.normalise(unicodedata.normalize("NFD", "Hàn Quốc")) == "Hàn Quốc"


def test_normalise_accepts_upper_case_and_accent_free_text():
    assert c.DAN_TOC.normalise("MƯỜNG") == "Mường"
    assert c.DAN_TOC.normalise("muong") == "Mường"
    assert c.DAN_TOC.normalise("ba-na") == "Ba Na"
    assert c.QUOC_TICH.normalise("TRUNG QUOC") == "Trung Quốc"
    assert c.QUOC_TICH.normalise("  thuy   si ") == "Thụy Sĩ"
    assert c.TINH_TRANG_KET_HON.normalise("da ly hon") == "Đã ly hôn"


@pytest.mark.parametrize(
    ("codes", "alias", "expected"),
    [
        (c.DAN_TOC, "Mèo", "Mông"),
        (c.DAN_TOC, "Mông (Mèo)", "Mông"),
        (c.DAN_TOC, "H'Mông", "Mông"),
        (c.DAN_TOC, "Mán", "Dao"),
        (c.DAN_TOC, "Khơ-me", "Khmer"),
        (c.DAN_TOC, "Ê-đê", "Ê Đê"),
        (c.DAN_TOC, "Jrai", "Gia Rai"),
        (c.QUOC_TICH, "Mỹ", "Hoa Kỳ"),
        (c.QUOC_TICH, "Nga", "Liên bang Nga"),
        (c.QUOC_TICH, "Triều Tiên", "Cộng hòa Dân chủ Nhân dân Triều Tiên"),
        (c.TINH_TRANG_HON_NHAN, "chưa có chồng", "Chưa kết hôn"),
    ],
)
def test_normalise_accepts_an_alias(codes, alias, expected):
    assert codes.normalise(alias) == expected


def test_a_zero_identity_document_type_means_an_empty_cell():
    assert c.LOAI_GIAY_TO.normalise("0") == ""


@pytest.mark.parametrize(
    ("codes", "value"),
    [
        (c.GIOI_TINH, "4"),
        (c.GIOI_TINH, "Nam nữ"),
        (c.LOAI_DANG_KY_KS, "0"),
        (c.DAN_TOC, "Atlantis"),
        (c.DAN_TOC, "5"),
        (c.QUOC_TICH, "ba"),
    ],
)
def test_normalise_returns_none_for_an_unknown_value(codes, value):
    assert codes.normalise(value) is None


@pytest.mark.parametrize("codes", ALL_LISTS, ids=_ids)
def test_an_empty_value_stays_empty(codes):
    assert codes.normalise("") == ""
    assert codes.normalise("   ") == ""


@pytest.mark.parametrize("codes", ALL_LISTS, ids=_ids)
def test_every_label_and_alias_is_nfc(codes):
    for _code, label in codes.items:
        assert unicodedata.normalize("NFC", label) == label
    for alias, target in codes.aliases.items():
        assert unicodedata.normalize("NFC", alias) == alias
        assert unicodedata.normalize("NFC", target) == target


@pytest.mark.parametrize("codes", ALL_LISTS, ids=_ids)
def test_no_list_repeats_a_code_or_a_folded_label(codes):
    code_list = [code for code, _label in codes.items]
    folded = [fold(label) for _code, label in codes.items]
    assert len(set(code_list)) == len(code_list)
    assert len(set(folded)) == len(folded)


@pytest.mark.parametrize("codes", ALL_LISTS, ids=_ids)
def test_every_label_and_alias_normalises_to_a_stored_value(codes):
    stored = {value for value, _text in codes.choices()}
    for code, label in codes.items:
        expected = code if codes.stored_as == "code" else label
        assert codes.normalise(label) == expected
        assert codes.normalise(code) == expected
        assert codes.label(code) == label
    for alias, target in codes.aliases.items():
        assert codes.normalise(alias) == target
        assert target == "" or target in stored


def test_a_code_list_collision_is_refused():
    with pytest.raises(ValueError):
        c.CodeList("x", (("1", "Hòa"), ("2", "Hoà")))
    with pytest.raises(ValueError):
        c.CodeList("x", (("1", "A"), ("1", "B")))
    with pytest.raises(ValueError):
        c.CodeList("x", (("1", "A"),), aliases={"b": "9"})


def test_choices_show_the_code_for_code_lists_and_the_label_for_label_lists():
    assert c.GIOI_TINH.choices() == [("1", "1 — Nam"), ("2", "2 — Nữ"), ("3", "3 — Không xác định")]
    assert c.DAN_TOC.choices()[0] == ("Kinh", "Kinh")
    assert c.QUOC_TICH.choices()[0] == ("Việt Nam", "Việt Nam")
    assert c.TINH_TRANG_KET_HON.choices()[0] == ("Đã ly hôn", "Đã ly hôn")


def test_label_gives_the_text_of_a_code_and_none_for_an_unknown_one():
    assert c.LOAI_DANG_KY_KT.label("0") == "Không có thông tin"
    assert c.LOAI_XAC_NHAN.label("3") == "Con nhận cha"
    assert c.LOAI_XAC_NHAN.label("9") is None
    assert c.QUOC_TICH.label("JP") == "Nhật Bản"
    assert c.QUOC_TICH.label("Nhật Bản") == "Nhật Bản"


def test_code_lists_can_be_hashed_as_part_of_a_frozen_field():
    assert hash(c.DAN_TOC) == hash(c.DAN_TOC)
