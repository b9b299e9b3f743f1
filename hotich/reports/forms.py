from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from hotich.accounts.forms import DateInput
from hotich.accounts.models import Office
from hotich.registers.domain import Phase, RegisterType
from hotich.reports.figures import Filters, report_default_filters


class ReportFilterForm(forms.Form):
    """The filters of a report, as GET parameters; whatever is missing or wrong falls back to
    the default (the last 30 days, everything in scope)."""

    date_from = forms.DateField(label=_("Từ ngày"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Đến ngày"), required=False, widget=DateInput())
    office = forms.ModelChoiceField(
        label=_("Đơn vị"),
        queryset=Office.objects.none(),
        required=False,
        empty_label=_("Tất cả"),
    )
    type = forms.ChoiceField(
        label=_("Loại sổ"),
        required=False,
        choices=[("", _("Tất cả")), *RegisterType.choices],
    )
    phase = forms.TypedChoiceField(
        label=_("Giai đoạn"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Tất cả")), *Phase.choices],
    )

    def __init__(
        self, data: Any = None, *, offices: QuerySet[Office], with_office: bool = True
    ) -> None:
        default = report_default_filters()
        super().__init__(data, initial={"date_from": default.date_from, "date_to": default.date_to})
        if with_office and offices.exists():
            self.fields["office"].queryset = offices  # type: ignore[attr-defined]
            self.fields["office"].label_from_instance = _office_label  # type: ignore[attr-defined]
        else:
            del self.fields["office"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("Ngày bắt đầu phải trước ngày kết thúc."))
        return data

    def filters(self, today: dt.date | None = None) -> Filters:
        default = report_default_filters(today)
        data = self.cleaned_data if self.is_valid() else {}
        date_to = data.get("date_to") or default.date_to
        date_from = data.get("date_from") or date_to - (default.date_to - default.date_from)
        return Filters(
            date_from=date_from,
            date_to=date_to,
            office=data.get("office"),
            register_type=data.get("type") or "",
            phase=data.get("phase"),
        )


def _office_label(office: Office) -> str:
    return "\u2003" * office.depth + office.name
