"""The one way the product writes a workbook: text stays text.

xlsxwriter's `write()` turns a string beginning with "=" into a live formula, and strings that
look like numbers or addresses into numbers and links: an explanation typed as
`=HYPERLINK("http://…","bấm vào đây")` became a link in the acceptance record. Every workbook
the product produces (the Ministry package, the acceptance record, reports, the import error
copy) is opened here, with those conversions off; `tests/security/test_exports.py` checks
every export for formulas.
"""

from __future__ import annotations

from typing import IO, Any

import xlsxwriter

#: What a cell's text is never turned into.
TEXT_STAYS_TEXT = {
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}


def xlsx_workbook(target: str | IO[bytes], options: dict[str, Any] | None = None) -> Any:
    """An xlsxwriter workbook writing to `target` (a path or a binary stream)."""
    return xlsxwriter.Workbook(target, {**(options or {}), **TEXT_STAYS_TEXT})
