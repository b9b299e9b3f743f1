"""Vietnamese text helpers shared by every app: NFC, and the accent-free search key."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def nfc(value: str) -> str:
    """Compose text to NFC and collapse runs of white space."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def fold(value: str) -> str:
    """Lower-case, accent-free, punctuation-free key: "Phước Tỉnh" -> "phuoc tinh".

    đ/Đ has no decomposition in Unicode, so it is mapped by hand.
    """
    decomposed = unicodedata.normalize("NFD", value.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", stripped.lower()).strip()
