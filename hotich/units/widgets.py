"""A type-ahead picker for administrative units, usable in any form.

`UnitChoiceField` is a `ModelChoiceField` over `AdminUnit` whose widget renders a hidden input
holding the id and a visible text input holding the chosen unit's full name; `units/picker.js`
fills a list below the text input from the search endpoint as the user types. Without
JavaScript, a typed name that identifies one unit is accepted too.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hotich.core.text import fold
from hotich.units.models import AdminUnit
from hotich.units.queries import unit_search


def _typed(value: Any) -> str:
    return value if isinstance(value, str) and not value.isdigit() else ""


class UnitPickerWidget(forms.Widget):
    template_name = "units/widgets/unit_picker.html"
    text_suffix = "_text"

    class Media:
        js = ["units/picker.js"]
        css = {"all": ["units/picker.css"]}

    def __init__(
        self,
        attrs: dict[str, Any] | None = None,
        *,
        era: str | None = None,
        level: str | None = None,
        submit_on_choose: bool = False,
        text_name: str | None = None,
    ) -> None:
        super().__init__(attrs)
        self.text_name = text_name
        self.era = era
        self.level = level
        self.submit_on_choose = submit_on_choose

    def _unit(self, value: Any) -> AdminUnit | None:
        if isinstance(value, AdminUnit):
            return value
        if value in (None, ""):
            return None
        try:
            return AdminUnit.objects.filter(pk=int(value)).first()
        except (TypeError, ValueError):
            return None

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        unit = self._unit(value)
        widget = context["widget"]
        widget.update(
            unit=unit,
            pk=unit.pk if unit else "",
            # An unresolved typed name comes back as the value: show it again to correct.
            text=unit.full_name if unit else _typed(value),
            text_name=self._text_name(name),
            list_id=f"{widget['attrs'].get('id') or name}_list",
            url=reverse("units:search"),
            era=self.era or "",
            level=self.level or "",
            submit_on_choose=self.submit_on_choose,
            placeholder=_("Gõ tên đơn vị, có dấu hoặc không dấu"),
        )
        return context

    def _text_name(self, name: str) -> str:
        return self.text_name or name + self.text_suffix

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        value = data.get(name)
        text = (data.get(self._text_name(name)) or "").strip()
        if value or not text:
            return value
        # No id (no JavaScript, or the text was edited after choosing): accept a name that
        # identifies one unit; otherwise hand the text on so that the field reports it invalid.
        found = unit_search(text, era=self.era, level=self.level, limit=2)
        if len(found) == 1 or (found and found[0].search_key == fold(text)):
            return str(found[0].pk)
        return text

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and self._text_name(name) not in data


class UnitChoiceField(forms.ModelChoiceField):
    """Choose one `AdminUnit`, optionally of one era and level, with the type-ahead picker."""

    def __init__(
        self,
        *,
        era: str | None = None,
        level: str | None = None,
        queryset: Any = None,
        **kwargs: Any,
    ) -> None:
        qs = queryset if queryset is not None else AdminUnit.objects.all()
        if era:
            qs = qs.filter(era=era)
        if level:
            qs = qs.filter(level=level)
        kwargs.setdefault("widget", UnitPickerWidget(era=era, level=level))
        kwargs.setdefault("empty_label", None)
        super().__init__(queryset=qs, **kwargs)
