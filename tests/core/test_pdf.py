"""The PDF helper's font prints every Vietnamese letter, in every style documents use."""

import io
import logging

import pytest
from pypdf import PdfReader

from hotich.core.pdf import FAMILY, document, to_bytes

LETTERS = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"
ALL = LETTERS + LETTERS.upper()


@pytest.mark.parametrize("style", ["", "B", "I", "BI", "U", "BU"])
def test_every_vietnamese_letter_is_printed_in_every_style(style, caplog):
    pdf = document(title="Thử")
    pdf.add_page()
    pdf.set_font(FAMILY, style, 12)
    with caplog.at_level(logging.WARNING, logger="fpdf"):
        pdf.multi_cell(0, 6, ALL)
        content = to_bytes(pdf)
    assert not [r for r in caplog.records if "missing" in r.getMessage()]
    text = PdfReader(io.BytesIO(content)).pages[0].extract_text().replace("\n", "")
    assert text == ALL
