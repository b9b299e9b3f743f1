"""Legacy Vietnamese 8-bit text (TCVN3, VNI) in spreadsheet cells: detection and conversion."""

import shutil
import subprocess
import unicodedata

import pytest

from hotich.transfer.legacy import (
    VIETNAMESE_LETTERS,
    Detection,
    detect,
    nfc,
    plausible_syllable,
    tcvn3_to_unicode,
    to_unicode,
    unicode_to_tcvn3,
    unicode_to_vni,
    vni_to_unicode,
)

LOWER = [ch for ch in VIETNAMESE_LETTERS if ch.islower()]
UPPER = [ch for ch in VIETNAMESE_LETTERS if ch.isupper()]
NAMES = ["NGUYỄN THỊ HOÀ", "Trần Văn Đức", "Phước Tỉnh", "Nghệ An"]


# --- the alphabet ------------------------------------------------------------------------


def test_the_alphabet_has_134_distinct_nfc_letters_in_two_cases():
    assert len(VIETNAMESE_LETTERS) == 134
    assert len(set(VIETNAMESE_LETTERS)) == 134
    assert len(LOWER) == len(UPPER) == 67
    assert {ch.upper() for ch in LOWER} == set(UPPER)
    assert all(unicodedata.is_normalized("NFC", ch) and len(ch) == 1 for ch in VIETNAMESE_LETTERS)
    assert {"đ", "Đ", "ă", "Ặ", "ư", "Ữ", "ỵ", "Ỹ"} <= set(VIETNAMESE_LETTERS)


# --- TCVN3 -------------------------------------------------------------------------------


@pytest.mark.parametrize("letter", LOWER)
def test_every_lower_case_letter_round_trips_through_tcvn3(letter):
    encoded = unicode_to_tcvn3(letter)
    assert len(encoded) == 1 and 0xA1 <= ord(encoded) <= 0xFE
    assert tcvn3_to_unicode(encoded) == letter
    assert tcvn3_to_unicode(encoded, upper=None) == letter


@pytest.mark.parametrize("letter", UPPER)
def test_every_upper_case_letter_round_trips_through_tcvn3_in_the_capital_font(letter):
    encoded = unicode_to_tcvn3(letter)
    assert len(encoded) == 1 and 0xA1 <= ord(encoded) <= 0xFE
    assert tcvn3_to_unicode(encoded, upper=True) == letter


def test_tcvn3_lower_case_codes_are_all_different():
    codes = [unicode_to_tcvn3(ch) for ch in LOWER]
    assert len(set(codes)) == len(codes)


def test_the_seven_bare_capitals_have_their_own_tcvn3_codes_and_decode_in_either_font():
    encoded = unicode_to_tcvn3("ĂÂÊÔƠƯĐ")
    assert encoded == "\xa1\xa2\xa3\xa4\xa5\xa6\xa7"
    assert tcvn3_to_unicode(encoded) == tcvn3_to_unicode(encoded, upper=True) == "ĂÂÊÔƠƯĐ"


def test_whole_tcvn3_alphabets_round_trip_as_strings():
    assert tcvn3_to_unicode(unicode_to_tcvn3("".join(LOWER))) == "".join(LOWER)
    assert tcvn3_to_unicode(unicode_to_tcvn3("".join(UPPER)), upper=True) == "".join(UPPER)


def test_well_known_tcvn3_mojibake_decodes_to_the_national_motto():
    assert (
        tcvn3_to_unicode("Céng hoµ x· héi chñ nghÜa ViÖt Nam")
        == "Cộng hoà xã hội chủ nghĩa Việt Nam"
    )
    assert tcvn3_to_unicode("§éc lËp - Tù do - H¹nh phóc") == "Độc lập - Tự do - Hạnh phúc"


def test_tcvn3_capital_font_turns_every_letter_upper_case():
    assert tcvn3_to_unicode("nguyÔn thÞ hoµ", upper=True) == "NGUYỄN THỊ HOÀ"
    assert tcvn3_to_unicode("nguyÔn thÞ hoµ") == "nguyễn thị hoà"


def test_tcvn3_case_is_chosen_per_word_from_the_ascii_letters():
    assert tcvn3_to_unicode("NGUYÔN THÞ HOµ", upper=None) == "NGUYỄN THỊ HOÀ"
    assert tcvn3_to_unicode("NguyÔn ThÞ Hoµ", upper=None) == "Nguyễn Thị Hoà"
    assert tcvn3_to_unicode("¤ng NGUYÔN V¡N AN", upper=None) == "Ông NGUYỄN VĂN AN"


def test_a_title_case_initial_alone_does_not_make_a_tcvn3_word_upper_case():
    assert tcvn3_to_unicode("Lª", upper=None) == "Lê"
    assert tcvn3_to_unicode("§ç V¨n Hïng", upper=None) == "Đỗ Văn Hùng"
    assert tcvn3_to_unicode("§ç V¡N HïNG", upper=None) == "ĐỖ VĂN HÙNG"


def test_tcvn3_combining_tone_bytes_compose_after_a_vowel_only():
    assert tcvn3_to_unicode("Ha\xb0") == "Hà"
    assert tcvn3_to_unicode("Vi\xaa\xb4t") == "Việt"
    assert tcvn3_to_unicode("25\xb0C") == "25°C"


def test_tcvn3_hole_capitals_decode_as_capitals():
    assert tcvn3_to_unicode("\xc0\xc4\xff") == "ẮẤỐ"


@pytest.mark.skipif(shutil.which("iconv") is None, reason="needs iconv")
def test_tcvn3_table_agrees_with_glibc_for_the_upper_half():
    probe = subprocess.run(
        ["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"], input=b"a", capture_output=True
    )
    if probe.returncode != 0:
        pytest.skip("iconv has no TCVN5712-1")
    for byte in range(0xA1, 0x100):
        reference = subprocess.run(
            ["iconv", "-f", "TCVN5712-1", "-t", "UTF-8"],
            input=b"a" + bytes([byte]),
            capture_output=True,
            check=True,
        ).stdout.decode()
        assert tcvn3_to_unicode("a" + chr(byte)) == nfc(reference), hex(byte)


# --- VNI ---------------------------------------------------------------------------------


@pytest.mark.parametrize("letter", VIETNAMESE_LETTERS)
def test_every_letter_round_trips_through_vni(letter):
    encoded = unicode_to_vni(letter)
    assert 1 <= len(encoded) <= 2 and all(ord(ch) < 0x100 for ch in encoded)
    assert vni_to_unicode(encoded) == letter


def test_vni_codes_are_all_different():
    codes = [unicode_to_vni(ch) for ch in VIETNAMESE_LETTERS]
    assert len(set(codes)) == len(codes)


def test_whole_vni_alphabet_round_trips_as_one_string():
    alphabet = "".join(VIETNAMESE_LETTERS)
    assert vni_to_unicode(unicode_to_vni(alphabet)) == alphabet


def test_well_known_vni_mojibake_decodes():
    assert vni_to_unicode("Vieät Nam") == "Việt Nam"
    assert vni_to_unicode("Nguyeãn") == "Nguyễn"
    assert vni_to_unicode("Hoà Chí Minh") == "Hồ Chí Minh"
    assert vni_to_unicode("Tröôøng Ñaïi hoïc Quoác gia") == "Trường Đại học Quốc gia"
    assert vni_to_unicode("NGUYEÃN THÒ HOAØ") == "NGUYỄN THỊ HOÀ"
    assert vni_to_unicode("Coäng hoøa xaõ hoäi chuû nghóa") == "Cộng hòa xã hội chủ nghĩa"


def test_vni_tolerates_a_diacritic_byte_of_the_other_case():
    assert vni_to_unicode("Aùnh") == "Ánh"
    assert vni_to_unicode("Tyï") == "Tỵ"


# --- real-looking names: encode, detect, convert back ------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_a_name_in_tcvn3_is_detected_and_converted_back_exactly(name):
    cell = unicode_to_tcvn3(name)
    assert cell != name
    detection = detect([cell])
    assert detection.encoding == "tcvn3"
    assert to_unicode(cell, detection.encoding) == name


@pytest.mark.parametrize("name", NAMES)
def test_a_name_in_vni_is_detected_and_converted_back_exactly(name):
    cell = unicode_to_vni(name)
    assert cell != name
    detection = detect([cell])
    assert detection.encoding == "vni"
    assert to_unicode(cell, detection.encoding) == name


def test_a_column_of_names_in_each_encoding_is_detected_with_full_confidence():
    for encode, encoding in ((unicode_to_tcvn3, "tcvn3"), (unicode_to_vni, "vni")):
        column = [encode(name) for name in NAMES] + ["Kinh", "01", ""]
        detection = detect(column)
        assert detection == Detection(
            encoding=encoding,
            confidence=1.0,
            evidence=len(NAMES),
            sampled=len(NAMES),
            votes={"unicode": 0, "tcvn3": 0, "vni": 0} | {encoding: len(NAMES)},
        )
        assert [to_unicode(cell, encoding) for cell in column] == [*NAMES, "Kinh", "01", ""]


# --- ASCII, Unicode, NFD -----------------------------------------------------------------


def test_plain_ascii_is_unicode_and_unchanged():
    column = ["Kinh", "01", "Nguyen Van An", "Hello, world!", "02/2017", ""]
    detection = detect(column)
    assert detection.encoding == "unicode"
    assert detection.evidence == 0 and detection.sampled == 0 and detection.confidence == 1.0
    assert [to_unicode(cell, detection.encoding) for cell in column] == column


def test_vietnamese_unicode_is_unicode_and_unchanged():
    column = [*NAMES, "Hà Nội", "Việt Nam", "Kinh", "Tày", "Nùng"]
    detection = detect(column)
    assert detection.encoding == "unicode"
    assert detection.confidence == 1.0
    assert [to_unicode(cell, "unicode") for cell in column] == column


def test_accented_european_text_is_not_taken_for_a_legacy_encoding():
    column = ["café", "naïve", "Müller", "São Paulo", "José García", "Zürich", "Ørsted", "m²"]
    detection = detect(column)
    assert detection.encoding == "unicode"
    assert detection.votes["tcvn3"] == detection.votes["vni"] == 0


def test_decomposed_unicode_is_detected_as_unicode_and_composed():
    decomposed = [unicodedata.normalize("NFD", name) for name in NAMES]
    assert decomposed != NAMES
    detection = detect(decomposed)
    assert detection.encoding == "unicode"
    assert [to_unicode(cell, detection.encoding) for cell in decomposed] == NAMES
    assert [nfc(cell) for cell in decomposed] == NAMES


def test_a_mixed_column_where_most_cells_are_tcvn3_is_detected_as_tcvn3():
    column = [
        unicode_to_tcvn3(name)
        for name in ["Nguyễn Văn An", "Trần Thị Bình", "Lê Hữu Phước", "Phạm Thị Thuỷ"]
    ]
    column += ["Hoàng Văn Hải", "Kinh", "01", None, 1987]  # one genuine Unicode cell
    detection = detect(column)
    assert detection.encoding == "tcvn3"
    assert detection.evidence == 4 and detection.votes["unicode"] == 1
    assert detection.confidence == pytest.approx(0.8)
    converted = [to_unicode(cell, "tcvn3") for cell in column if isinstance(cell, str)]
    assert converted == [
        "Nguyễn Văn An",
        "Trần Thị Bình",
        "Lê Hữu Phước",
        "Phạm Thị Thuỷ",
        "Hoàng Văn Hải",  # genuine Unicode is left alone
        "Kinh",
        "01",
    ]


def test_detection_reads_only_a_sample_of_a_long_column():
    column = [unicode_to_vni("Nguyễn Văn An")] * 100_000
    detection = detect(column, max_cells=500)
    assert detection.encoding == "vni" and detection.sampled == 500


def test_an_unknown_encoding_is_refused():
    with pytest.raises(ValueError):
        to_unicode("x", "viscii")


# --- syllables ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "word",
    ["Nguyễn", "THỊ", "hoà", "hòa", "Đức", "Phước", "Tỉnh", "Nghệ", "quốc", "giữa", "khuỷu", "Y"],
)
def test_vietnamese_syllables_are_plausible(word):
    assert plausible_syllable(word)


@pytest.mark.parametrize(
    "word", ["NguyÔn", "Vieät", "Ñöùc", "café", "Hoµ", "ngheọ", "at", "quoác", "Trònh", "H"]
)
def test_mojibake_and_foreign_words_are_not_plausible_syllables(word):
    assert not plausible_syllable(word)
