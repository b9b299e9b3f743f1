"""Legacy Vietnamese 8-bit text (TCVN3/ABC and VNI-Windows) found in spreadsheet cells.

Old office files typed with the ABC (TCVN3) or VNI keyboard drivers store one byte per
glyph of a special font.  When such a file is read as Unicode, each byte becomes the
Windows-1252/Latin-1 character with the same code, so a cell that *looked* like
"Nguyễn Văn Đức" holds the mojibake "NguyÔn V¨n §øc" (TCVN3) or "Nguyeãn Vaên Ñöùc" (VNI).
This module detects such columns and converts them to NFC Unicode (SPEC §5.5).

Tables
------
* **TCVN3** (TCVN 5712:1993, the VN3 repertoire used by the ".VnTime" fonts): every
  lower-case letter is one byte in 0xA8-0xFE; the seven upper-case base letters
  Ă Â Ê Ô Ơ Ư Đ are 0xA1-0xA7.  Upper-case letters *with a tone* mostly have no code: they
  were typed with the lower-case code in the separate capital font ".VnTimeH", which
  draws every letter (ASCII included) as a capital.  The sixteen capitals that VN1/VN2 put
  in the holes of the 0xA0-0xFF block (Ắ = 0xC0, Ố = 0xFF, ...) and the five combining
  tone marks 0xB0-0xB4 are decoded too (the latter only right after a vowel, so "°", "²"
  keep their meaning elsewhere).  The table agrees with glibc's ``TCVN5712-1`` converter
  for 0xA0-0xFF (checked in the tests when ``iconv`` is available).  The VN1 capitals in
  C0 controls and 0x80-0x9F are *not* decoded: in Windows-1252 those bytes are quotes and
  dashes that ordinary text uses.
* **VNI** (VNI-Windows fonts): a base letter followed by one diacritic byte — tone
  ù ø û õ ï (sắc, huyền, hỏi, ngã, nặng); circumflex â and its toned forms á à å ã ä;
  breve ê and its toned forms é è ú ü ë — and single bytes for đ ñ, ơ ô, ư ö, the toned
  i (í ì æ ó ò) and ỵ î.  Upper-case letters use the upper-case bytes (Ñ, Ô, Ö, AÙ, ...).
  When decoding, a diacritic byte of the "wrong" case is accepted (the base letter decides
  the case) and "yï" is read as ỵ.

The TCVN3 case rule (``tcvn3_to_unicode(text, upper=None)``)
------------------------------------------------------------
A byte such as 0xD4 ("Ô") is "ễ" in .VnTime and "Ễ" in .VnTimeH; the font is not in the
cell text, so the choice is made per word from the ASCII letters around it: a word with a
lower-case ASCII letter is lower case; a word with an upper-case ASCII letter (or one of
0xA1-0xA7) *after its first character* and no lower-case one is upper case ("NGUYÔN",
"THÞ", "HOµ"); any other word ("Lª", "§ç", "µ") follows the majority of the decided words
of its cell, and is lower case when nothing is decided.  A title-case initial alone is no
evidence, so "Lª" (Lê) and "§ç" (Đỗ) stay lower case.  Text typed in .VnTimeH with
lower-case ASCII ("nguyÔn") cannot be told apart from .VnTime: pass ``upper=True``.

Detection
---------
``detect`` looks at up to ``max_cells`` cells that contain non-ASCII characters (ASCII
cells read the same in every encoding and are neutral).  A cell holding a character that
no mojibake can contain (ă đ ĩ ũ ơ ư, U+1EA0-U+1EF9 or a combining Vietnamese mark) votes
"unicode".  Any other cell is read in all three ways and its words are checked with
:func:`plausible_syllable`; the reading with strictly the most plausible words gets the
cell's vote, and ties give no vote.  A legacy encoding is chosen only if it has more votes
than "unicode" and than the other legacy encoding, and at least a third of the sampled
non-ASCII cells voted for it; otherwise the answer is "unicode".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "ENCODINGS",
    "VIETNAMESE_LETTERS",
    "Detection",
    "Encoding",
    "detect",
    "nfc",
    "plausible_syllable",
    "tcvn3_to_unicode",
    "to_unicode",
    "unicode_to_tcvn3",
    "unicode_to_vni",
    "vni_to_unicode",
]

Encoding = Literal["unicode", "tcvn3", "vni"]
ENCODINGS: tuple[Encoding, ...] = ("unicode", "tcvn3", "vni")

# ---------------------------------------------------------------------------
# The Vietnamese letters
# ---------------------------------------------------------------------------

# Tone order used by every table below: none, sắc, huyền, hỏi, ngã, nặng.
_TONE_MARKS = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")
_SAC, _NANG = 1, 5
_BASES = "aăâeêioôơuưy"


def _compose(base: str, tone: str) -> str:
    return unicodedata.normalize("NFC", base + tone)


# _ROWS[base] = the six forms of a lower-case vowel, in tone order.
_ROWS: dict[str, tuple[str, ...]] = {b: tuple(_compose(b, t) for t in _TONE_MARKS) for b in _BASES}

_LOWER_LETTERS = (*(ch for row in _ROWS.values() for ch in row if not ch.isascii()), "đ")
#: The 134 non-ASCII Vietnamese letters: 66 lower-case vowels, their capitals, đ and Đ.
VIETNAMESE_LETTERS: tuple[str, ...] = _LOWER_LETTERS + tuple(ch.upper() for ch in _LOWER_LETTERS)

# ---------------------------------------------------------------------------
# TCVN3 (ABC)
# ---------------------------------------------------------------------------

# Lower-case codes, in tone order, as the Latin-1 characters of the bytes.
_TCVN3_CODES: dict[str, str] = {
    "a": "a\xb8\xb5\xb6\xb7\xb9",
    "ă": "\xa8\xbe\xbb\xbc\xbd\xc6",
    "â": "\xa9\xca\xc7\xc8\xc9\xcb",
    "e": "e\xd0\xcc\xce\xcf\xd1",
    "ê": "\xaa\xd5\xd2\xd3\xd4\xd6",
    "i": "i\xdd\xd7\xd8\xdc\xde",
    "o": "o\xe3\xdf\xe1\xe2\xe4",
    "ô": "\xab\xe8\xe5\xe6\xe7\xe9",
    "ơ": "\xac\xed\xea\xeb\xec\xee",
    "u": "u\xf3\xef\xf1\xf2\xf4",
    "ư": "\xad\xf8\xf5\xf6\xf7\xf9",
    "y": "y\xfd\xfa\xfb\xfc\xfe",
}
_TCVN3_D_LOWER = "\xae"
_TCVN3_CAPITAL_BASES = {
    "Ă": "\xa1",
    "Â": "\xa2",
    "Ê": "\xa3",
    "Ô": "\xa4",
    "Ơ": "\xa5",
    "Ư": "\xa6",
    "Đ": "\xa7",
}
# Capitals that TCVN 5712 places in the holes of the 0xA0-0xFF block (decoded only).
_TCVN3_HOLE_CAPITALS = {
    "\xaf": "Ằ",
    "\xba": "Ẳ",
    "\xbf": "Ẵ",
    "\xc0": "Ắ",
    "\xc1": "Ầ",
    "\xc2": "Ẩ",
    "\xc3": "Ẫ",
    "\xc4": "Ấ",
    "\xc5": "Ề",
    "\xcd": "Ể",
    "\xd9": "Ễ",
    "\xda": "Ế",
    "\xdb": "Ồ",
    "\xe0": "Ổ",
    "\xf0": "Ỗ",
    "\xff": "Ố",
}
# Combining tone marks 0xB0-0xB4: huyền, hỏi, ngã, sắc, nặng.
_TCVN3_COMBINING = {
    "\xb0": "\u0300",
    "\xb1": "\u0309",
    "\xb2": "\u0303",
    "\xb3": "\u0301",
    "\xb4": "\u0323",
}


def _tcvn3_tables() -> tuple[dict[int, str], dict[int, str], dict[int, str]]:
    lower: dict[int, str] = {}
    encode: dict[int, str] = {}
    for base, codes in _TCVN3_CODES.items():
        for letter, code in zip(_ROWS[base], codes, strict=True):
            if letter.isascii():  # plain a e i o u y (but ý is 0xFD, which is "ý" itself)
                continue
            lower[ord(code)] = letter
            encode[ord(letter)] = code
            # Capitals are written with the lower-case code in the .VnTimeH font, except
            # for the bare capitals that have their own code (overridden below).
            encode[ord(letter.upper())] = code
    lower[ord(_TCVN3_D_LOWER)] = "đ"
    encode[ord("đ")] = _TCVN3_D_LOWER
    for capital, code in _TCVN3_CAPITAL_BASES.items():
        lower[ord(code)] = capital
        encode[ord(capital)] = code
    for code, capital in _TCVN3_HOLE_CAPITALS.items():
        lower[ord(code)] = capital
    upper = {code: letter.upper() for code, letter in lower.items()}
    upper.update({ord(c): c.upper() for c in "abcdefghijklmnopqrstuvwxyz"})
    return lower, upper, encode


_TCVN3_LOWER, _TCVN3_UPPER, _TCVN3_ENCODE = _tcvn3_tables()
# Codes that decode differently in .VnTime and .VnTimeH (ASCII aside).
_TCVN3_CASED_RE = re.compile(
    "[" + "".join(sorted(chr(c) for c, v in _TCVN3_LOWER.items() if v != _TCVN3_UPPER[c])) + "]"
)
_ASCII_LOWER_RE = re.compile("[a-z]")
_UPPER_EVIDENCE_RE = re.compile("[A-Z\xa1-\xa7]")
_INNER_UPPER_RE = re.compile("(?<=\\S)[A-Z\xa1-\xa7]")
_SPACES_RE = re.compile(r"(\s+)")
_TCVN3_COMBINING_RE = re.compile("(?<=[aeiouyAEIOUYăâêôơưĂÂÊÔƠƯ])[\xb0-\xb4]")


def _tcvn3_word_case(word: str) -> bool | None:
    """True: upper case, False: lower case, None: no evidence (see module docstring)."""
    if _ASCII_LOWER_RE.search(word):
        return False
    if _UPPER_EVIDENCE_RE.search(word, 1):
        return True
    return None


def _tcvn3_auto(text: str) -> str:
    if not _TCVN3_CASED_RE.search(text):
        return text.translate(_TCVN3_LOWER)
    # Fast paths, same result as the per-word rule: without an upper-case letter inside a
    # word nothing is upper case; without lower-case ASCII every word is upper or undecided.
    if not _INNER_UPPER_RE.search(text):
        return text.translate(_TCVN3_LOWER)
    if not _ASCII_LOWER_RE.search(text):
        return text.translate(_TCVN3_UPPER)
    parts = _SPACES_RE.split(text)  # words at even indexes, whitespace at odd ones
    kinds = [_tcvn3_word_case(word) for word in parts[0::2]]
    default_upper = kinds.count(True) > kinds.count(False)
    out: list[str] = []
    for index, part in enumerate(parts):
        if index % 2:
            out.append(part)
            continue
        kind = kinds[index // 2]
        upper = default_upper if kind is None else kind
        out.append(part.translate(_TCVN3_UPPER if upper else _TCVN3_LOWER))
    return "".join(out)


def tcvn3_to_unicode(text: str, upper: bool | None = False) -> str:
    """Decode TCVN3 mojibake to NFC Unicode.

    ``upper=False``: the text was in a .VnTime font (lower-case codes are lower case);
    ``upper=True``: it was in a .VnTimeH capital font (everything, ASCII included, becomes
    upper case); ``upper=None``: decide per word (see the module docstring).
    """
    if text.isascii():
        return text.upper() if upper else text
    if upper is None:
        decoded = _tcvn3_auto(text)
    else:
        decoded = text.translate(_TCVN3_UPPER if upper else _TCVN3_LOWER)
    if _TCVN3_COMBINING_RE.search(decoded):
        decoded = _TCVN3_COMBINING_RE.sub(lambda m: _TCVN3_COMBINING[m.group()], decoded)
    return unicodedata.normalize("NFC", decoded)


def unicode_to_tcvn3(text: str) -> str:
    """Encode to TCVN3 as the ABC driver typed it (mojibake form, one character per byte).

    Capitals with a tone get the lower-case code (they were typed in .VnTimeH), so decode
    them with ``upper=True`` or ``None``; Ă Â Ê Ô Ơ Ư Đ get their own codes 0xA1-0xA7.
    Other characters pass through unchanged.
    """
    return nfc(text).translate(_TCVN3_ENCODE)


# ---------------------------------------------------------------------------
# VNI
# ---------------------------------------------------------------------------

_VNI_TONES = ("", "ù", "ø", "û", "õ", "ï")
_VNI_CIRCUMFLEX = ("â", "á", "à", "å", "ã", "ä")
_VNI_BREVE = ("ê", "é", "è", "ú", "ü", "ë")
_VNI_CODES: dict[str, tuple[str, ...]] = {
    "a": tuple("a" + t for t in _VNI_TONES),
    "ă": tuple("a" + t for t in _VNI_BREVE),
    "â": tuple("a" + t for t in _VNI_CIRCUMFLEX),
    "e": tuple("e" + t for t in _VNI_TONES),
    "ê": tuple("e" + t for t in _VNI_CIRCUMFLEX),
    "i": ("i", "í", "ì", "æ", "ó", "ò"),
    "o": tuple("o" + t for t in _VNI_TONES),
    "ô": tuple("o" + t for t in _VNI_CIRCUMFLEX),
    "ơ": tuple("ô" + t for t in _VNI_TONES),
    "u": tuple("u" + t for t in _VNI_TONES),
    "ư": tuple("ö" + t for t in _VNI_TONES),
    "y": ("y", "yù", "yø", "yû", "yõ", "î"),
}
_VNI_D = "ñ"


def _vni_tables() -> tuple[dict[int, str], dict[str, str]]:
    encode: dict[int, str] = {}
    for base, codes in _VNI_CODES.items():
        for letter, code in zip(_ROWS[base], codes, strict=True):
            if letter != code:
                encode[ord(letter)] = code
                encode[ord(letter.upper())] = code.upper()
    encode[ord("đ")] = _VNI_D
    encode[ord("Đ")] = _VNI_D.upper()
    decode = {code: chr(letter) for letter, code in encode.items()}
    # Tolerated on input only: a diacritic byte whose case differs from the base letter's,
    # and "yï" for ỵ.
    extras: dict[str, str] = {"yï": "ỵ", "YÏ": "Ỵ"}
    for code, letter in [*decode.items(), *extras.items()]:
        if len(code) == 2:
            base, mark = code[0], code[1]
            for other in (mark.lower(), mark.upper()):
                extras.setdefault(base + other, letter)
    for code, letter in extras.items():
        decode.setdefault(code, letter)
    return encode, decode


_VNI_ENCODE, _VNI_DECODE = _vni_tables()


def _vni_pattern() -> re.Pattern[str]:
    by_base: dict[str, set[str]] = {}
    singles: set[str] = set()
    for code in _VNI_DECODE:
        if len(code) == 2:
            by_base.setdefault(code[0], set()).add(code[1])
        else:
            singles.add(code)
    pairs = [
        re.escape(base) + "[" + "".join(sorted(marks)) + "]"
        for base, marks in sorted(by_base.items())
    ]
    return re.compile("|".join([*pairs, "[" + "".join(sorted(singles)) + "]"]))


_VNI_RE = _vni_pattern()


def vni_to_unicode(text: str) -> str:
    """Decode VNI-Windows mojibake to NFC Unicode."""
    if text.isascii():
        return text
    decoded = _VNI_RE.sub(lambda m: _VNI_DECODE[m.group()], text)
    return unicodedata.normalize("NFC", decoded)


def unicode_to_vni(text: str) -> str:
    """Encode to VNI-Windows mojibake form; other characters pass through unchanged."""
    return nfc(text).translate(_VNI_ENCODE)


# ---------------------------------------------------------------------------
# Unicode
# ---------------------------------------------------------------------------


def nfc(text: str) -> str:
    """Compose (NFC) Unicode text; decomposed (NFD) Vietnamese becomes precomposed."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", text)


# Characters that Windows-1252/Latin-1 mojibake never contains, so their presence proves
# the cell is already Unicode: ă đ ĩ ũ ơ ư (both cases), U+1EA0-U+1EF9 and the combining
# marks of decomposed Vietnamese.
_STRONG_UNICODE_RE = re.compile(
    "[\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169\u01a0\u01a1\u01af\u01b0"
    "\u1ea0-\u1ef9\u0300-\u0303\u0306\u0309\u031b\u0323]"
)

_CONVERTERS: dict[str, Callable[[str], str]] = {
    "unicode": nfc,
    "tcvn3": lambda text: tcvn3_to_unicode(text, upper=None),
    "vni": vni_to_unicode,
}


def to_unicode(text: str, encoding: str) -> str:
    """Convert one cell from ``encoding`` ("unicode", "tcvn3" or "vni") to NFC Unicode.

    A cell that already contains characters no mojibake can hold (see ``detect``) is only
    composed, so a column detected as legacy does not spoil its genuine Unicode cells.
    TCVN3 uses the per-word case rule (``tcvn3_to_unicode(text, upper=None)``).
    """
    try:
        convert = _CONVERTERS[encoding]
    except KeyError:
        raise ValueError(f"unknown encoding {encoding!r}; expected one of {ENCODINGS}") from None
    if text.isascii():
        return text
    if encoding != "unicode" and _STRONG_UNICODE_RE.search(text):
        return nfc(text)
    return convert(text)


# ---------------------------------------------------------------------------
# Syllable plausibility
# ---------------------------------------------------------------------------

_INITIALS = "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx]"
_FINALS = "ch|ng|nh|[cmnpt]"
# Vowel nuclei (with glides) that never take a final consonant ...
_OPEN_NUCLEI = [
    *("ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iu", "oi", "ôi", "ơi", "ua"),
    *("ui", "uơ", "ưa", "ưi", "ưu", "iêu", "oai", "oao", "oay", "oeo", "uây", "uôi", "uya"),
    *("uyu", "ươi", "ươu", "yêu"),
]
# ... that always take one ...
_CLOSED_NUCLEI = ["ă", "â", "iê", "yê", "uô", "ươ", "oo", "oă", "uâ", "uyê"]
# ... and that may or may not.
_FREE_NUCLEI = ["a", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "oa", "oe", "uê", "uy"]


def _alternation(items: list[str]) -> str:
    return "|".join(sorted(items, key=len, reverse=True))


_SYLLABLE_RE = re.compile(
    f"(?P<initial>{_INITIALS})?"
    f"(?:(?P<open>{_alternation(_OPEN_NUCLEI)})"
    f"|(?P<closed>{_alternation(_CLOSED_NUCLEI)})(?P<closed_final>{_FINALS})"
    f"|(?P<free>{_alternation(_FREE_NUCLEI)})(?P<free_final>{_FINALS})?)"
)
_STOP_FINALS = frozenset({"c", "ch", "p", "t"})
# "anh ach ênh êch inh ich ynh uynh uych oanh oach uênh": nh and ch follow few nuclei.
_PALATAL_NUCLEI = frozenset({"a", "ê", "i", "y", "uy", "oa", "uê"})
_MODIFIED_VOWELS = "ăâêôơư"


def _tone_positions(nucleus: str, has_final: bool) -> frozenset[int]:
    """Where in the nucleus the tone mark may stand (old and new placement both allowed)."""
    if "ươ" in nucleus:
        return frozenset({nucleus.index("ơ")})
    modified = [i for i, ch in enumerate(nucleus) if ch in _MODIFIED_VOWELS]
    if modified:
        return frozenset(modified[:1])
    if has_final:
        return frozenset({len(nucleus) - 1})
    if nucleus in ("oa", "oe", "uy"):  # hoà / hòa, thuỷ / thủy
        return frozenset({0, 1})
    return frozenset({1 if len(nucleus) == 3 else 0})


_TONE_OF: dict[str, int] = {}
_STRIP_TONE: dict[int, str] = {}
for _row in _ROWS.values():
    for _tone, _letter in enumerate(_row):
        if _tone:
            _TONE_OF[_letter] = _tone
            _STRIP_TONE[ord(_letter)] = _row[0]
_TONED_RE = re.compile("[" + "".join(sorted(_TONE_OF)) + "]")


def plausible_syllable(word: str) -> bool:
    """Whether ``word`` (letters only) is shaped like one Vietnamese syllable.

    Optional initial consonant (cluster), a vowel nucleus, an optional final from
    c ch m n ng nh p t (nh and ch only after a ê i y uy oa uê), at most one tone, standing
    on a vowel that may carry it (old and new placement: "hoà" and "hòa") and only sắc or
    nặng before c ch p t, and the case of a name (all lower, all upper or title case).
    Shape only, not a dictionary.
    """
    word = nfc(word)
    if not word.isalpha() or not (word.islower() or word.isupper() or word.istitle()):
        return False
    lowered = word.lower()
    toned = list(_TONED_RE.finditer(lowered))
    if len(toned) > 1:
        return False
    match = _SYLLABLE_RE.fullmatch(lowered.translate(_STRIP_TONE))
    if match is None:
        return False
    group = next(name for name in ("open", "closed", "free") if match.group(name))
    nucleus = match.group(group)
    final = match.group(f"{group}_final") if group != "open" else None
    if match.group("initial") == "qu" and nucleus[0] in "ou":
        return False
    if final in ("nh", "ch") and nucleus not in _PALATAL_NUCLEI:
        return False
    if not toned:
        return final not in _STOP_FINALS
    tone = _TONE_OF[toned[0].group()]
    if final in _STOP_FINALS and tone not in (_SAC, _NANG):
        return False
    position = toned[0].start() - match.start(group)
    return position in _tone_positions(nucleus, final is not None)


_EDGE_PUNCTUATION = " .,;:!?()[]{}\"'“”‘’«»-–—/\\"
_JOINERS_RE = re.compile("['’-]")


def _plausible_token(token: str) -> bool:
    core = token.strip(_EDGE_PUNCTUATION)
    if not core:
        return False
    return all(plausible_syllable(part) for part in _JOINERS_RE.split(core))


# ---------------------------------------------------------------------------
# Detection
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Detection:
    """The verdict of :func:`detect`.

    ``encoding``: "unicode", "tcvn3" or "vni".  ``evidence``: how many sampled cells voted
    for it.  ``confidence``: ``evidence`` / all votes cast (0..1); with no votes it is 1.0
    if no sampled cell had a non-ASCII character (nothing to convert) and 0.0 otherwise.
    ``sampled``: non-ASCII cells examined.  ``votes``: the vote count per encoding.
    """

    encoding: Encoding
    confidence: float
    evidence: int
    sampled: int = 0
    votes: dict[str, int] = field(default_factory=dict)


def _cell_vote(cell: str) -> Encoding | None:
    if _STRONG_UNICODE_RE.search(cell):
        return "unicode"
    tokens = cell.split()
    informative = [not token.isascii() for token in tokens]
    scores: dict[Encoding, int] = {}
    for encoding in ENCODINGS:
        converted = _CONVERTERS[encoding](cell).split()
        mask = informative if len(converted) == len(tokens) else [True] * len(converted)
        scores[encoding] = sum(
            1 for token, use in zip(converted, mask, strict=True) if use and _plausible_token(token)
        )
    best = max(scores.values())
    winners = [encoding for encoding in ENCODINGS if scores[encoding] == best]
    if best == 0 or len(winners) > 1:
        return None
    return winners[0]


def detect(texts: Iterable[object], *, max_cells: int = 2000) -> Detection:
    """Guess the encoding of a column's cells (or of all text cells of a file).

    Non-string and pure-ASCII cells are neutral and skipped; at most ``max_cells`` cells
    with non-ASCII characters are examined (and at most 50 x ``max_cells`` cells read).
    See the module docstring for the rule.
    """
    votes: dict[str, int] = dict.fromkeys(ENCODINGS, 0)
    sampled = 0
    for read, cell in enumerate(texts):
        if sampled >= max_cells or read >= 50 * max_cells:
            break
        if not isinstance(cell, str) or cell.isascii():
            continue
        sampled += 1
        vote = _cell_vote(cell)
        if vote is not None:
            votes[vote] += 1
    chosen: Encoding = "unicode"
    for legacy, other in (("tcvn3", "vni"), ("vni", "tcvn3")):
        count = votes[legacy]
        if count > votes["unicode"] and count > votes[other] and 3 * count >= sampled:
            chosen = "tcvn3" if legacy == "tcvn3" else "vni"
    total = sum(votes.values())
    # With no votes at all: certain if there was nothing to convert, else no support.
    confidence = votes[chosen] / total if total else (0.0 if sampled else 1.0)
    return Detection(
        encoding=chosen,
        confidence=confidence,
        evidence=votes[chosen],
        sampled=sampled,
        votes=votes,
    )
