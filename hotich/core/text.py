"""Vietnamese text helpers shared by every app: NFC, and the accent-free search key."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def nfc(value: str) -> str:
    """Compose text to NFC and collapse runs of white space."""
    # str.split/join and isascii run in C: this is on the path of every imported cell.
    value = " ".join(value.split())
    return value if value.isascii() else unicodedata.normalize("NFC", value)


def _fold_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {ord("đ"): "d", ord("Đ"): "D"}
    for start, end in ((0xC0, 0x250), (0x1E00, 0x1F00)):
        for cp in range(start, end):
            base = "".join(
                ch for ch in unicodedata.normalize("NFD", chr(cp)) if not unicodedata.combining(ch)
            )
            if base != chr(cp):
                table[cp] = base
    for cp in range(0x300, 0x370):  # combining marks of decomposed (NFD) text
        table[cp] = None
    return table


_FOLD = _fold_table()


def fold(value: str) -> str:
    """Lower-case, accent-free, punctuation-free key: "Phước Tỉnh" -> "phuoc tinh".

    đ/Đ has no decomposition in Unicode, so it is mapped by hand. A translation table covers
    every Latin letter with diacritics (it runs in C: imports fold hundreds of thousands of
    names); anything else is decomposed the slow way.
    """
    stripped = value.translate(_FOLD)
    if not stripped.isascii():
        decomposed = unicodedata.normalize("NFD", stripped)
        stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", stripped.lower()).strip()


def id_number(text: str) -> int | None:
    """A whole number that a database id or version can hold (ASCII digits, at most 18), else
    None: a query string such as `?so=` with 30 digits or "²" must not reach the database."""
    text = text.strip()
    if text.isascii() and text.isdigit() and len(text) <= 18:
        return int(text)
    return None
