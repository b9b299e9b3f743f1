"""The acceptance record (biên bản nghiệm thu) of a round, as PDF (fpdf2) and Excel (xlsxwriter).

Both are drawn from one description (`content`): the register's identification, completeness
counts, the explanations, the sampling rule and result, error rates per field and overall, the
conclusion and a signature block for the custodian office, the contractor and the checkers.
A round not yet decided prints as a draft.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from hotich.acceptance.models import AcceptanceRound
from hotich.acceptance.queries import (
    field_label,
    problem_label,
    record_label,
    round_checks,
    round_figures,
)
from hotich.core.pdf import FAMILY, document, to_bytes
from hotich.records.schema import record_type

KINDS = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass
class Content:
    title: str
    draft: str
    register: list[tuple[str, str]]
    completeness: list[tuple[str, str]]
    problems: list[tuple[str, str, str]]  # problem, explanation, by/at
    sampling: list[tuple[str, str]]
    fields: list[tuple[str, int, int, str]]  # label, checked, wrong, rate
    sample: list[tuple[int, str, str, str, str]]  # position, record, checker, wrong, note
    conclusion: str
    signatures: list[tuple[str, str]] = field(default_factory=list)  # role, names


def _pct(value: float) -> str:
    # number_format cuts digits off; round first so 4.1667 reads 4,17.
    return f"{number_format(f'{value:.2f}', 2)} %"


def _count(value: Any) -> str:
    return "—" if value is None else str(value)


def _date(text: str) -> str:
    moment = parse_datetime(text) if text else None
    return timezone.localtime(moment).strftime("%d/%m/%Y") if moment else ""


def _contractors(acceptance_round: AcceptanceRound) -> list[str]:
    names: set[str] = set()
    for a in acceptance_round.register.assignments.select_related("office", "user__office"):
        if a.office is not None and a.office.is_contractor:
            names.add(a.office.name)
        elif a.user is not None and a.user.office is not None and a.user.office.is_contractor:
            names.add(a.user.office.name)
    return sorted(names)


def content(acceptance_round: AcceptanceRound) -> Content:
    register = acceptance_round.register
    rtype = record_type(register.register_type)
    figures = round_figures(acceptance_round)
    counts = figures["completeness"]
    status = acceptance_round.status
    drafts: dict[str, str] = {
        AcceptanceRound.Status.OPEN: _("DỰ THẢO — đợt nghiệm thu chưa kết luận"),
        AcceptanceRound.Status.CANCELLED: _("ĐÃ HỦY — %(reason)s")
        % {"reason": figures.get("cancel_reason", "")},
        AcceptanceRound.Status.VOIDED: _(
            "KẾT QUẢ ĐÃ HỦY — sổ được mở lại ngày %(date)s bởi %(user)s: %(reason)s"
        )
        % {
            "date": (acceptance_round.figures.get("voided") or {}).get("date", ""),
            "user": (acceptance_round.figures.get("voided") or {}).get("by", ""),
            "reason": (acceptance_round.figures.get("voided") or {}).get("reason", ""),
        },
    }
    draft = drafts.get(status, "")
    register_rows = [
        (_("Loại sổ"), f"{register.get_register_type_display()} ({register.register_type})"),
        (_("Quyển số"), register.volume),
        (_("Năm"), register.years_label),
        (_("Cơ quan đăng ký (như ghi trong sổ)"), register.authority_name),
        (_("Đơn vị đang lưu giữ"), register.custodian.name),
        (_("Mã sổ"), register.code),
    ]
    completeness_rows = [
        (_("Số trường hợp theo sổ"), _count(counts["declared"])),
        (_("Số trường hợp đã tạo"), _count(counts["records"])),
        (_("Số trường hợp đã nhập"), _count(counts["keyed"])),
        (_("Số trường hợp đã kiểm tra"), _count(counts["verified"])),
        (_("Số trang theo sổ"), _count(counts["pages_declared"])),
        (_("Số trang đã scan"), _count(counts["pages"])),
        (_("Số trang đã gắn trường hợp"), _count(counts["pages_linked"])),
        (_("Số trường hợp có bản scan"), _count(counts["records_with_scan"])),
    ]
    problems = [
        (
            problem_label(p["kind"], p["params"]),
            p["explanation"] or _("(chưa giải trình)"),
            f"{p['by']}, {_date(p['at'])}" if p["by"] else "",
        )
        for p in figures["problems"]
    ]
    sampling_rows = [
        (
            _("Quy tắc chọn mẫu"),
            _("%(percent)s số trường hợp, ít nhất %(minimum)s")
            % {"percent": _pct(figures["percent"]), "minimum": figures["minimum"]},
        ),
        (_("Số trường hợp được chọn mẫu"), str(figures["population"])),
        (_("Cỡ mẫu"), str(figures["sample"])),
        (_("Số trường hợp mẫu đã kiểm tra"), str(figures["checked"])),
        (_("Số trường hợp mẫu có sai sót"), str(figures["records_wrong"])),
        (_("Số trường đã kiểm tra"), str(figures["fields_checked"])),
        (_("Số trường sai"), str(figures["fields_wrong"])),
        (_("Tỷ lệ sai chung"), _pct(figures["rate"])),
        (_("Ngưỡng sai sót cho phép"), _pct(figures["threshold"])),
    ]
    field_rows = [
        (
            field_label(rtype, f["key"]),
            f["checked"],
            f["wrong"],
            _pct(f["rate"]),
        )
        for f in figures["fields"]
    ]
    sample_rows = []
    for check in round_checks(acceptance_round):
        wrong = ", ".join(field_label(rtype, k) for k in check.wrong_fields)
        sample_rows.append(
            (
                check.position,
                record_label(check.record.number, check.record.sequence),
                str(check.checked_by) if check.checked_by else _("(chưa kiểm tra)"),
                wrong or ("—" if check.is_checked else ""),
                check.note,
            )
        )
    if status == AcceptanceRound.Status.ACCEPTED:
        conclusion = _("ĐẠT: tỷ lệ sai không vượt ngưỡng, sổ được nghiệm thu.")
    elif status == AcceptanceRound.Status.VOIDED:
        conclusion = _(
            "ĐẠT, nhưng kết quả này đã bị hủy: sổ được mở lại để sửa và phải nghiệm thu lại."
        )
    elif status == AcceptanceRound.Status.RETURNED:
        conclusion = _("KHÔNG ĐẠT: tỷ lệ sai vượt ngưỡng, sổ được trả lại để nhập liệu, sửa.")
    elif status == AcceptanceRound.Status.CANCELLED:
        conclusion = _("Đợt nghiệm thu đã hủy, không kết luận.")
    elif figures["passed"]:
        conclusion = _("Chưa kết luận (đến lúc này tỷ lệ sai không vượt ngưỡng).")
    else:
        conclusion = _("Chưa kết luận (đến lúc này tỷ lệ sai vượt ngưỡng).")
    if acceptance_round.decided_at:
        conclusion += " " + _("Kết luận ngày %(date)s, %(who)s.") % {
            "date": timezone.localtime(acceptance_round.decided_at).strftime("%d/%m/%Y"),
            "who": acceptance_round.decided_by,
        }
    return Content(
        title=_("BIÊN BẢN NGHIỆM THU KẾT QUẢ SỐ HÓA SỔ HỘ TỊCH"),
        draft=draft,
        register=register_rows,
        completeness=completeness_rows,
        problems=problems,
        sampling=sampling_rows,
        fields=field_rows,
        sample=sample_rows,
        conclusion=conclusion,
        signatures=[
            (_("ĐẠI DIỆN ĐƠN VỊ LƯU GIỮ SỔ"), register.custodian.name),
            (_("ĐẠI DIỆN ĐƠN VỊ THI CÔNG"), ", ".join(_contractors(acceptance_round)) or "—"),
            (_("NGƯỜI KIỂM TRA"), ", ".join(figures["checkers"]) or "—"),
        ],
    )


# ---- PDF


def _heading(pdf: Any, text: str) -> None:
    pdf.ln(3)
    pdf.set_font(FAMILY, "B", 12)
    pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 11)


def _pairs(pdf: Any, rows: list[tuple[str, str]]) -> None:
    with pdf.table(
        col_widths=(75, 100), text_align=("LEFT", "LEFT"), first_row_as_headings=False
    ) as table:
        for label, value in rows:
            table.row((label, value))


def _pdf(c: Content) -> bytes:
    pdf = document(title=c.title)
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 11)
    pdf.cell(
        0, 6, _("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), align="C", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.cell(0, 6, _("Độc lập – Tự do – Hạnh phúc"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FAMILY, "B", 14)
    pdf.multi_cell(0, 8, c.title, align="C", new_x="LMARGIN", new_y="NEXT")
    if c.draft:
        pdf.set_font(FAMILY, "I", 11)
        pdf.multi_cell(0, 6, f"({c.draft})", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 11)
    _heading(pdf, _("1. Thông tin sổ"))
    _pairs(pdf, c.register)
    _heading(pdf, _("2. Tính đầy đủ"))
    _pairs(pdf, c.completeness)
    _heading(pdf, _("3. Các vấn đề và giải trình"))
    if c.problems:
        with pdf.table(col_widths=(70, 75, 30), text_align="LEFT") as table:
            table.row((_("Vấn đề"), _("Giải trình"), _("Người, ngày")))
            for row in c.problems:
                table.row(row)
    else:
        pdf.multi_cell(0, 6, _("Không có vấn đề nào."), new_x="LMARGIN", new_y="NEXT")
    _heading(pdf, _("4. Kiểm tra mẫu"))
    _pairs(pdf, c.sampling)
    if c.fields:
        pdf.ln(2)
        with pdf.table(
            col_widths=(85, 30, 30, 30), text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT")
        ) as table:
            table.row(
                (_("Trường"), pgettext("mẫu nghiệm thu", "Đã kiểm tra"), _("Sai"), _("Tỷ lệ sai"))
            )
            for label, checked, wrong, rate in c.fields:
                table.row((label, str(checked), str(wrong), rate))
    if c.sample:
        pdf.ln(2)
        with pdf.table(col_widths=(12, 35, 38, 55, 35), text_align="LEFT") as table:
            table.row(("#", _("Trường hợp"), _("Người kiểm tra"), _("Trường sai"), _("Ghi chú")))
            for position, record, checker, wrong_text, note in c.sample:
                table.row((str(position), record, checker, wrong_text, note))
    _heading(pdf, _("5. Kết luận"))
    pdf.multi_cell(0, 6, c.conclusion, new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(
        0,
        6,
        _("Lập ngày %(date)s.") % {"date": timezone.localdate().strftime("%d/%m/%Y")},
        align="R",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(4)
    if pdf.get_y() > pdf.h - 70:
        pdf.add_page()
    width = (pdf.w - pdf.l_margin - pdf.r_margin) / len(c.signatures)
    top = pdf.get_y()
    for i, (role, names) in enumerate(c.signatures):
        x = pdf.l_margin + i * width
        pdf.set_xy(x, top)
        pdf.set_font(FAMILY, "B", 10)
        pdf.multi_cell(width, 5, role, align="C", new_x="LEFT", new_y="NEXT")
        pdf.set_font(FAMILY, "I", 9)
        pdf.multi_cell(width, 5, _("(Ký, ghi rõ họ tên)"), align="C", new_x="LEFT", new_y="NEXT")
        pdf.ln(22)
        pdf.set_x(x)
        pdf.set_font(FAMILY, "", 9)
        pdf.multi_cell(width, 5, names, align="C", new_x="LEFT", new_y="NEXT")
    return to_bytes(pdf)


# ---- Excel


def _xlsx(c: Content) -> bytes:
    from hotich.core.xlsx_out import xlsx_workbook

    out = io.BytesIO()
    book = xlsx_workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    sheet = book.add_worksheet(_("Biên bản")[:31])
    sheet.set_column(0, 0, 42)
    sheet.set_column(1, 1, 60)
    sheet.set_column(2, 4, 18)
    row = 0
    sheet.write(row, 0, c.title, title)
    row += 1
    if c.draft:
        sheet.write(row, 0, c.draft, bold)
        row += 1

    def section(name: str, rows: list[tuple[str, str]]) -> None:
        nonlocal row
        row += 1
        sheet.write(row, 0, name, bold)
        row += 1
        for label, value in rows:
            sheet.write_string(row, 0, label)
            sheet.write_string(row, 1, value, wrap)
            row += 1

    section(_("1. Thông tin sổ"), c.register)
    section(_("2. Tính đầy đủ"), c.completeness)
    section(_("4. Kiểm tra mẫu"), c.sampling)
    row += 1
    sheet.write(row, 0, _("5. Kết luận"), bold)
    sheet.write_string(row, 1, c.conclusion, wrap)
    row += 2
    for role, names in c.signatures:
        sheet.write_string(row, 0, role, bold)
        sheet.write_string(row, 1, names)
        row += 1

    problems = book.add_worksheet(_("Giải trình")[:31])
    problems.set_column(0, 1, 60)
    problems.set_column(2, 2, 24)
    problems.write_row(0, 0, (_("Vấn đề"), _("Giải trình"), _("Người, ngày")), head)
    for i, problem in enumerate(c.problems, start=1):
        problems.write_row(i, 0, problem, wrap)

    rates = book.add_worksheet(_("Tỷ lệ sai theo trường")[:31])
    rates.set_column(0, 0, 45)
    rates.set_column(1, 3, 14)
    rates.write_row(
        0,
        0,
        (_("Trường"), pgettext("mẫu nghiệm thu", "Đã kiểm tra"), _("Sai"), _("Tỷ lệ sai")),
        head,
    )
    for i, (label, checked, wrong, rate) in enumerate(c.fields, start=1):
        rates.write_string(i, 0, label)
        rates.write_number(i, 1, checked)
        rates.write_number(i, 2, wrong)
        rates.write_string(i, 3, rate)

    sample = book.add_worksheet(pgettext("mẫu nghiệm thu", "Mẫu")[:31])
    sample.set_column(0, 0, 6)
    sample.set_column(1, 2, 24)
    sample.set_column(3, 4, 50)
    sample.write_row(
        0, 0, ("#", _("Trường hợp"), _("Người kiểm tra"), _("Trường sai"), _("Ghi chú")), head
    )
    for i, (position, record, checker, wrong_text, note) in enumerate(c.sample, start=1):
        sample.write_number(i, 0, position)
        sample.write_row(i, 1, (record, checker, wrong_text, note))
    book.close()
    return out.getvalue()


def render(acceptance_round: AcceptanceRound, kind: str) -> tuple[bytes, str]:
    c = content(acceptance_round)
    return (_pdf(c) if kind == "pdf" else _xlsx(c)), KINDS[kind]
