from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from hotich.units.forms import UnitSearchForm
from hotich.units.models import AdminUnit
from hotich.units.queries import (
    unit_ancestors,
    unit_get,
    unit_predecessors,
    unit_search,
    unit_successors,
)
from hotich.units.widgets import UnitPickerWidget


def _as_json(unit: AdminUnit) -> dict[str, Any]:
    return {
        "id": unit.pk,
        "name": unit.name,
        "full_name": unit.full_name,
        "level": unit.level,
        "level_label": str(unit.get_level_display()),
        "era": unit.era,
        "era_label": str(unit.get_era_display()),
        "valid_to": unit.valid_to.isoformat() if unit.valid_to else None,
    }


@login_required
@require_GET
def unit_search_json(request: HttpRequest) -> JsonResponse:
    form = UnitSearchForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"results": [], "errors": form.errors.get_json_data()}, status=400)
    args = form.search_args()
    units = unit_search(**args) if args else []
    return JsonResponse({"results": [_as_json(unit) for unit in units]})


@login_required
@require_GET
def unit_browse(request: HttpRequest) -> HttpResponse:
    form = UnitSearchForm(request.GET)
    results = None
    if form.is_valid() and (args := form.search_args()):
        results = unit_search(**{**args, "limit": 50})
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    picker = UnitPickerWidget(
        attrs={"id": "id_q", "data-search-focus": True},
        era=data.get("era") or None,
        level=data.get("level") or None,
        submit_on_choose=True,
        text_name="q",
    )
    widget = picker.get_context("unit", None, None)["widget"]
    widget["text"] = request.GET.get("q", "")
    context: dict[str, Any] = {
        "form": form,
        "results": results,
        "picker": widget,
        "media": picker.media,
    }
    unit_id = request.GET.get("unit", "")
    if unit_id.isdigit():
        unit = unit_get(int(unit_id))
        context.update(
            unit=unit,
            ancestors=unit_ancestors(unit),
            successors=unit_successors(unit),
            predecessors=unit_predecessors(unit),
        )
    return render(request, "units/unit_browse.html", context)
