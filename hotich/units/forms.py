"""The query string of the unit search endpoint and of the browse page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hotich.units.models import AdminUnit
from hotich.units.queries import MAX_RESULTS

MIN_QUERY_LENGTH = 2


class UnitSearchForm(forms.Form):
    """The query string of the search endpoint and of the browse page."""

    q = forms.CharField(
        label=pgettext_lazy("đơn vị hành chính", "Tên đơn vị"), required=False, max_length=200
    )
    era = forms.ChoiceField(
        label=_("Thời kỳ"),
        required=False,
        choices=[("", _("Mọi thời kỳ")), *AdminUnit.Era.choices],
    )
    level = forms.ChoiceField(
        label=_("Cấp"), required=False, choices=[("", _("Mọi cấp")), *AdminUnit.Level.choices]
    )
    date = forms.DateField(
        label=_("Còn hiệu lực ngày"),
        required=False,
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy", "size": 10}),
    )
    limit = forms.IntegerField(required=False, min_value=1)

    def clean_limit(self) -> int:
        # Never the whole list: a larger request gets the largest page.
        return min(self.cleaned_data.get("limit") or 20, MAX_RESULTS)

    def search_args(self) -> dict[str, Any] | None:
        """Keyword arguments for `unit_search`, or None when there is nothing to look for."""
        data = self.cleaned_data
        if len(data["q"].strip()) < MIN_QUERY_LENGTH:
            return None
        return {
            "q": data["q"],
            "era": data["era"] or None,
            "level": data["level"] or None,
            "on_date": data["date"],
            "limit": data["limit"],
        }
