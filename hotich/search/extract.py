"""The printable extract (*trích lục*) of one record, as PDF.

Laid out like the official extract forms (Thông tư 04/2020/TT-BTP and its successors): the
registering authority and the national motto at the top, the title for the record's type, the
people of the record section by section, the registration (number, date, place), the margin
notes, the reference to the register it comes from, and the signature block. The document is
always in Vietnamese, whatever language the interface is in: it is handed to a citizen.

Only what was keyed is printed; a field left empty is left out. A part that could not be read in
the register ("?") is printed as "[không đọc được]", so nobody mistakes it for a real value.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone, translation
from fpdf.enums import XPos, YPos

from hotich.core.pdf import FAMILY, document, to_bytes
from hotich.records.models import MarginNote, Record
from hotich.records.schema import Field, Kind, RecordType, record_type
from hotich.records.schema.dates import UNREADABLE

TITLES = {
    "KS": "TRÍCH LỤC KHAI SINH",
    "KH": "TRÍCH LỤC KẾT HÔN",
    "KT": "TRÍCH LỤC KHAI TỬ",
    "CMC": "TRÍCH LỤC ĐĂNG KÝ NHẬN CHA, MẸ, CON",
    "HN": "TRÍCH LỤC SỔ ĐĂNG KÝ XÁC NHẬN TÌNH TRẠNG HÔN NHÂN",
    "NCN": "TRÍCH LỤC ĐĂNG KÝ NUÔI CON NUÔI",
    "GH": "TRÍCH LỤC ĐĂNG KÝ GIÁM HỘ",
    "TD": "TRÍCH LỤC THAY ĐỔI, CẢI CHÍNH, BỔ SUNG THÔNG TIN HỘ TỊCH",
    "LH": "TRÍCH LỤC GHI CHÚ LY HÔN, HỦY VIỆC KẾT HÔN",
}
#: "Sổ đăng ký khai sinh", ... for the reference line.
BOOKS = {
    "KS": "Sổ đăng ký khai sinh",
    "KH": "Sổ đăng ký kết hôn",
    "KT": "Sổ đăng ký khai tử",
    "CMC": "Sổ đăng ký nhận cha, mẹ, con",
    "HN": "Sổ cấp giấy xác nhận tình trạng hôn nhân",
    "NCN": "Sổ đăng ký nuôi con nuôi",
    "GH": "Sổ đăng ký giám hộ",
    "TD": "Sổ đăng ký thay đổi, cải chính, bổ sung hộ tịch",
    "LH": "Sổ ghi chú ly hôn, hủy việc kết hôn",
}
#: Registration columns printed in the registration block, not among the people.
REGISTRATION = ("so", "quyenSo", "trangSo", "ngayDangKy", "loaiDangKy", "noiDangKy")
#: Columns about the register's own bookkeeping, not about the case: not on an extract.
LEFT_OUT = frozenset({"STT", "nguoiThucHien"})
SIGNERS = ("nguoiKy", "chucVuNguoiKy")
NOT_READ = "[không đọc được]"


def display(f: Field, value: str) -> str:
    """A stored value as a reader of the extract reads it: a code as its label."""
    if f.kind == Kind.CODE and f.codes is not None and f.codes.stored_as == "code":
        value = dict(f.codes.items).get(value, value)
    if value.strip() == UNREADABLE:
        return NOT_READ
    return value.replace(UNREADABLE, "…") if f.kind == Kind.DATE else value


def extract_lines(record: Record) -> dict[str, Any]:
    """What the extract prints, section by section (also used by the tests)."""
    rtype: RecordType = record_type(record.register.register_type)
    data: dict[str, str] = record.data or {}
    with translation.override("vi"):
        people = []
        for section, fields in rtype.sections():
            rows = [
                (str(f.label), display(f, data[f.key]))
                for f in fields
                if data.get(f.key, "").strip()
                and f.key not in REGISTRATION
                and f.key not in LEFT_OUT
                and f.key not in SIGNERS
            ]
            if rows:
                if people and people[-1][0] == str(section.label):
                    people[-1][1].extend(rows)
                else:
                    people.append((str(section.label), rows))
        registration = [
            (str(rtype.by_key[key].label), display(rtype.by_key[key], data[key]))
            for key in REGISTRATION
            if key in rtype.by_key and data.get(key, "").strip()
        ]
        signer = [
            (str(rtype.by_key[key].label), data[key])
            for key in SIGNERS
            if key in rtype.by_key and data.get(key, "").strip()
        ]
        notes = [
            (str(note.get_kind_display()), note.date_text, note.text, note.basis)
            for note in MarginNote.objects.filter(record=record).order_by("created_at", "id")
        ]
    return {
        "title": TITLES.get(rtype.code, "TRÍCH LỤC HỘ TỊCH"),
        "people": people,
        "registration": registration,
        "signer": signer,
        "notes": notes,
        "reference": reference(record),
    }


def reference(record: Record) -> str:
    """Where the entry is: the book, its volume and years, the number and date, the authority."""
    register = record.register
    parts = [
        BOOKS.get(register.register_type, "Sổ hộ tịch"),
        f"quyển số {register.volume}",
        f"năm {register.years_label}",
    ]
    if record.number:
        parts.append(f"số {record.number}")
    if record.registration_date:
        parts.append(f"ngày {record.registration_date:%d/%m/%Y}")
    parts.append(f"do {register.authority_name} đăng ký")
    text = ", ".join(parts)
    return f"{text}; sổ đang lưu tại {register.custodian.name}."


def _today_line(place: str, today: dt.date) -> str:
    return f"{place}, ngày {today.day:02d} tháng {today.month:02d} năm {today.year}"


def extract_pdf(record: Record, *, printed_by: str = "") -> bytes:
    """The extract of `record` as a one- or two-page A4 PDF."""
    content = extract_lines(record)
    register = record.register
    pdf = document(title=content["title"])
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    left = width * 0.42

    # The heading: the authority on the left, the national motto on the right.
    top = pdf.get_y()
    pdf.set_font(FAMILY, "B", 11)
    pdf.multi_cell(
        left, 5.5, register.authority_name.upper(), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.set_font(FAMILY, "", 11)
    pdf.multi_cell(left, 5.5, "Số: ........../TLHT", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    below_left = pdf.get_y()
    pdf.set_xy(pdf.l_margin + left, top)
    pdf.set_font(FAMILY, "B", 11)
    pdf.multi_cell(
        width - left,
        5.5,
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        align="C",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_x(pdf.l_margin + left)
    pdf.set_font(FAMILY, "BU", 11)
    pdf.multi_cell(
        width - left,
        5.5,
        "Độc lập - Tự do - Hạnh phúc",
        align="C",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_y(max(below_left, pdf.get_y()) + 8)

    pdf.set_font(FAMILY, "B", 15)
    pdf.multi_cell(width, 7, content["title"], align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, "I", 11)
    pdf.multi_cell(width, 6, "(Bản sao)", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if not record.is_checked:
        # Decision 0016: printed, but nobody can take it for checked data.
        pdf.set_text_color(180, 0, 0)
        pdf.set_font(FAMILY, "B", 13)
        pdf.multi_cell(
            width,
            7,
            "CHƯA KIỂM TRA — dữ liệu số hóa chưa được đối chiếu với Sổ hộ tịch gốc",
            border=1,
            align="C",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.set_text_color(0, 0, 0)
    pdf.ln(4)

    def row(label: str, value: str) -> None:
        pdf.set_x(pdf.l_margin)
        pdf.set_font(FAMILY, "", 12)
        pdf.multi_cell(
            width, 6.2, f"{label}: **{value}**", markdown=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )

    for section, rows in content["people"]:
        pdf.set_font(FAMILY, "B", 12)
        pdf.multi_cell(width, 7, section.upper(), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        for label, value in rows:
            row(label, value)
        pdf.ln(2)
    if content["registration"]:
        pdf.set_font(FAMILY, "B", 12)
        pdf.multi_cell(width, 7, "ĐĂNG KÝ", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        for label, value in [*content["registration"], *content["signer"]]:
            row(label, value)
        pdf.ln(2)
    if content["notes"]:
        pdf.set_font(FAMILY, "B", 12)
        pdf.multi_cell(width, 7, "GHI CHÚ TRONG SỔ", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        for kind, date_text, text, basis in content["notes"]:
            line = f"{kind}" + (f" ({date_text})" if date_text else "") + f": {text}"
            if basis:
                line += f" — Căn cứ: {basis}"
            pdf.set_font(FAMILY, "", 12)
            pdf.multi_cell(width, 6.2, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)

    pdf.set_font(FAMILY, "I", 11)
    pdf.multi_cell(
        width, 6, f"Trích lục từ {content['reference']}", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.ln(6)

    today = timezone.localdate()
    place = register.custodian.name
    pdf.set_x(pdf.l_margin + left)
    pdf.set_font(FAMILY, "I", 11)
    pdf.multi_cell(
        width - left, 6, _today_line(place, today), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.set_x(pdf.l_margin + left)
    pdf.set_font(FAMILY, "B", 12)
    pdf.multi_cell(
        width - left, 6, "NGƯỜI KÝ TRÍCH LỤC", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.set_x(pdf.l_margin + left)
    pdf.set_font(FAMILY, "I", 10)
    pdf.multi_cell(
        width - left,
        5,
        "(Ký, ghi rõ họ, chữ đệm, tên, chức vụ và đóng dấu)",
        align="C",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )

    if printed_by:
        pdf.set_y(-18)
        pdf.set_font(FAMILY, "I", 8)
        stamp = timezone.localtime().strftime("%d/%m/%Y %H:%M")
        pdf.cell(width, 4, f"In từ Hộ tịch số lúc {stamp}, người in: {printed_by}, mã #{record.pk}")
    return to_bytes(pdf)
