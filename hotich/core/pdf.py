"""Printable documents (acceptance records, extracts) as PDF, with a font that has Vietnamese.

fpdf2 writes the PDF; the font is Source Serif Pro, installed from PyPI
(`font-source-serif-pro`), which covers every Vietnamese letter. Nothing is fetched at run time.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

from fpdf import FPDF

FAMILY = "SourceSerif"

# fontTools reports every glyph it subsets at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)


@cache
def _font_dir() -> Path:
    import font_source_serif_pro

    root = Path(font_source_serif_pro.__file__).parent
    for candidate in (root / "files", root):
        if (candidate / "SourceSerifPro-Regular.ttf").exists():
            return candidate
    raise FileNotFoundError("SourceSerifPro-Regular.ttf")


def document(*, title: str = "", orientation: str = "P") -> FPDF:
    """An A4 document with the Vietnamese-capable font registered as `FAMILY`, in the styles
    "" (regular), "B" (bold), "I" (light: no italic face has Vietnamese) and "BI"."""
    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    fonts = _font_dir()
    pdf.add_font(FAMILY, "", str(fonts / "SourceSerifPro-Regular.ttf"))
    pdf.add_font(FAMILY, "B", str(fonts / "SourceSerifPro-Bold.ttf"))
    # The italic files of this font lack the Vietnamese letters: "I" is the light upright face.
    pdf.add_font(FAMILY, "I", str(fonts / "SourceSerifPro-Light.ttf"))
    pdf.add_font(FAMILY, "BI", str(fonts / "SourceSerifPro-Semibold.ttf"))
    pdf.set_font(FAMILY, size=12)
    pdf.set_margins(20, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=15)
    if title:
        pdf.set_title(title)
    pdf.set_creator("Hộ tịch số")
    return pdf


def to_bytes(pdf: FPDF) -> bytes:
    return bytes(pdf.output())
