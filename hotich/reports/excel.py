"""A report as an Excel workbook: the same tables as the page, the filters written at the top of
every sheet, one sheet per table."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from hotich.core.xlsx_out import xlsx_workbook
from hotich.records.models import Record
from hotich.registers.domain import Status as RegisterStatus
from hotich.reports.figures import Report, Row


def _status_labels() -> tuple[list[str], list[str]]:
    registers = [_("Sổ: %(status)s") % {"status": s.label} for s in RegisterStatus]
    records = [_("Trường hợp: %(status)s") % {"status": s.label} for s in Record.Status]
    return registers, records


class _Book:
    def __init__(self, heading: Sequence[str], report: Report) -> None:
        self.out = io.BytesIO()
        self.book = xlsx_workbook(self.out, {"in_memory": True})
        self.bold = self.book.add_format({"bold": True})
        self.title = self.book.add_format({"bold": True, "font_size": 13})
        self.head = self.book.add_format(
            {"bold": True, "bg_color": "#EEF1F5", "border": 1, "text_wrap": True, "valign": "top"}
        )
        self.total = self.book.add_format({"bold": True, "top": 1})
        self.percent = self.book.add_format({"num_format": "0.0%"})
        self.percent_total = self.book.add_format({"num_format": "0.0%", "bold": True, "top": 1})
        self.date = self.book.add_format({"num_format": "dd/mm/yyyy"})
        self.heading = list(heading)
        self.report = report

    def sheet(self, name: str, headers: Sequence[str], widths: Sequence[int] = ()) -> Any:
        ws = self.book.add_worksheet(name[:31])
        row = 0
        for i, line in enumerate(self.heading):
            ws.write_string(row, 0, line, self.title if i == 0 else self.bold)
            row += 1
        ws.write_string(row, 0, self.report.scope.label)
        row += 1
        now = timezone.localtime()
        ws.write_string(row, 0, _("Lập lúc: %(at)s") % {"at": now.strftime("%H:%M %d/%m/%Y")})
        row += 1
        for label, value in self.report.filters.describe():
            ws.write_string(row, 0, label, self.bold)
            ws.write_string(row, 1, value)
            row += 1
        row += 1
        for col, text in enumerate(headers):
            ws.write_string(row, col, text, self.head)
        for col, width in enumerate(widths):
            ws.set_column(col, col, width)
        ws.freeze_panes(row + 1, 1)
        ws.next_row = row + 1
        return ws

    def rows(
        self, ws: Any, rows: Sequence[Sequence[Any]], percent_cols: Sequence[int] = ()
    ) -> None:
        for values in rows:
            self.line(ws, values, percent_cols)

    def line(
        self, ws: Any, values: Sequence[Any], percent_cols: Sequence[int] = (), total: bool = False
    ) -> None:
        r = ws.next_row
        for col, value in enumerate(values):
            if col in percent_cols:
                fmt = self.percent_total if total else self.percent
                if value is None:
                    ws.write_blank(r, col, None, fmt)
                else:
                    ws.write_number(r, col, value / 100, fmt)
            elif isinstance(value, int | float):
                ws.write_number(r, col, value, self.total if total else None)
            elif hasattr(value, "strftime"):
                ws.write_datetime(r, col, value, self.date)
            else:
                ws.write_string(r, col, str(value), self.total if total else None)
        ws.next_row = r + 1

    def close(self) -> bytes:
        self.book.close()
        return self.out.getvalue()


def _progress_values(row: Row) -> list[Any]:
    return [
        row.label,
        row.register_total,
        *row.register_counts(),
        row.record_total,
        *row.record_counts(),
        row.declared,
        row.pages,
        row.percent,
        row.keyed,
        row.decided,
        row.returned,
        row.error_rate,
        row.accepted,
    ]


def _progress_sheet(book: _Book, name: str, first: str, rows: list[Row], total: Row) -> None:
    registers, records = _status_labels()
    headers = [
        first,
        _("Số sổ"),
        *registers,
        _("Số trường hợp"),
        *records,
        _("Số trường hợp theo sổ"),
        _("Trang scan"),
        _("Tỷ lệ đã nhập"),
        _("Nhập trong kỳ"),
        _("Được kiểm tra trong kỳ"),
        _("Bị trả lại trong kỳ"),
        _("Tỷ lệ lỗi"),
        _("Được nghiệm thu (nhập trong kỳ)"),
    ]
    n = len(headers)
    ws = book.sheet(name, headers, [36, *([11] * (n - 1))])
    percent_cols = (n - 6, n - 2)
    for row in rows:
        book.line(ws, _progress_values(row), percent_cols)
    book.line(ws, _progress_values(total), percent_cols, total=True)


def report_workbook(report: Report, heading: Sequence[str]) -> bytes:
    """The report's tables as an .xlsx file."""
    book = _Book(heading, report)
    if report.show_progress:
        _progress_sheet(book, _("Theo đơn vị"), _("Đơn vị"), report.by_office, report.total)
        _progress_sheet(book, _("Theo loại sổ"), _("Loại sổ"), report.by_type, report.total)
        _progress_sheet(book, _("Theo giai đoạn"), _("Giai đoạn"), report.by_phase, report.total)
    _registers, records = _status_labels()
    ws = book.sheet(
        _("Theo tháng"),
        [_("Tháng nhập"), _("Nhập trong tháng"), *records, _("Được nghiệm thu")],
        [14, 12],
    )
    for row in report.by_month:
        book.line(ws, [row.label, row.keyed, *row.record_counts(), row.accepted])
    people_headers = [
        _("Người nhập liệu"),
        _("Tài khoản"),
        _("Đơn vị"),
        _("Nhập trong kỳ"),
        _("Số ngày có nhập"),
        _("Trung bình mỗi ngày"),
        _("Nhiều nhất một ngày"),
        _("Được kiểm tra"),
        _("Bị trả lại"),
        _("Tỷ lệ lỗi"),
        _("Được nghiệm thu"),
    ]
    ws = book.sheet(_("Người nhập liệu"), people_headers, [28, 16, 30])
    for p in report.people:
        book.line(
            ws,
            [
                str(p.user),
                p.user.username,
                p.office.name if p.office else "",
                p.keyed,
                p.days_worked,
                p.per_day_average,
                p.per_day_max,
                p.decided,
                p.returned,
                p.error_rate,
                p.accepted,
            ],
            percent_cols=(9,),
        )
    t = report.work_total
    book.line(
        ws,
        [_("Tổng cộng"), "", "", t.keyed, "", "", "", t.decided, t.returned, t.error_rate,
         t.accepted],
        percent_cols=(9,),
        total=True,
    )  # fmt: skip
    ws = book.sheet(
        _("Nhà thầu"),
        [
            _("Đơn vị thi công"),
            _("Số người có nhập"),
            _("Nhập trong kỳ"),
            _("Được kiểm tra"),
            _("Bị trả lại"),
            _("Tỷ lệ lỗi"),
            _("Được nghiệm thu (cơ sở thanh toán)"),
        ],
        [36],
    )
    for c in report.companies:
        book.line(
            ws,
            [c.office.name, c.staff, c.keyed, c.decided, c.returned, c.error_rate, c.accepted],
            percent_cols=(5,),
        )
    ws = book.sheet(
        _("Theo ngày"),
        [_("Người nhập liệu"), _("Tài khoản"), _("Đơn vị"), _("Ngày"), _("Số trường hợp nhập")],
        [28, 16, 30, 12],
    )
    for p in report.people:
        office = p.office.name if p.office else ""
        for day, n in p.per_day.items():
            book.line(ws, [str(p.user), p.user.username, office, day, n])
    return book.close()
