"""How each declared field is drawn on the keying screen and in the grid."""

from __future__ import annotations

from typing import Any

from hotich.records.models import Record
from hotich.records.schema import Field, Kind, RecordType
from hotich.records.schema.dates import UNREADABLE
from hotich.records.validation import Issue


def widget(f: Field) -> str:
    if f.kind == Kind.CODE and f.codes is not None:
        return "select" if f.codes.stored_as == "code" else "datalist"
    if f.kind == Kind.LONGTEXT:
        return "textarea"
    if f.kind == Kind.PLACE:
        return "place"
    return "text"


def placeholder(f: Field) -> str:
    return {Kind.DATE: "dd.mm.yyyy", Kind.TIME: "hh:mm"}.get(f.kind, "")


def issues_by_field(issues: list[Issue]) -> dict[str, list[Issue]]:
    out: dict[str, list[Issue]] = {}
    for issue in issues:
        out.setdefault(issue.field, []).append(issue)
    return out


def _cell(f: Field, value: str, issues: list[Issue]) -> dict[str, Any]:
    choices = f.codes.choices() if f.codes is not None and f.codes.stored_as == "code" else []
    known = {code for code, _label in choices}
    return {
        "field": f,
        "key": f.key,
        "widget": widget(f),
        "placeholder": placeholder(f),
        "choices": choices,
        # A stored value outside the list (an import, an old code) stays selectable, not lost.
        "extra": value if choices and value and value not in known else "",
        "list": f.codes.name if f.codes is not None else "",
        "value": value,
        "issues": issues,
        "level": "error"
        if any(i.level == "error" for i in issues)
        else ("warning" if issues else ""),
        "unreadable": UNREADABLE in value,
    }


def field_rows(
    rtype: RecordType, values: dict[str, str], issues: list[Issue]
) -> list[dict[str, Any]]:
    by_field = issues_by_field(issues)
    return [
        {
            "section": section,
            "cells": [_cell(f, values.get(f.key, ""), by_field.get(f.key, [])) for f in fields],
        }
        for section, fields in rtype.sections()
    ]


def grid_columns(rtype: RecordType) -> list[dict[str, Any]]:
    labels = {r.key: r.label for r in rtype.roles}
    return [
        {"field": f, "group": labels.get(f.section, ""), "widget": widget(f)}
        for f in rtype.keyed_fields
    ]


def grid_row(
    rtype: RecordType,
    data: dict[str, str],
    record: Record | None,
    *,
    base: dict[str, str] | None = None,
) -> dict[str, Any]:
    """`data`: what the row shows; `base`: what the record holds (the save's conflict check)."""
    import json

    return {
        "record": record,
        "base_json": json.dumps(
            (data if base is None else base) if record else {}, ensure_ascii=False
        ),
        "cells": [_cell(f, data.get(f.key, ""), []) for f in rtype.keyed_fields],
    }
