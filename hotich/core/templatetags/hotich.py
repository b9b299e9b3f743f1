from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def audit_changes(event: Any, limit: int = 6) -> str:
    """ "field: old → new" for the first changed fields of an audit event, for history tables."""
    before, after = event.before or {}, event.after or {}
    keys = [k for k in after if before.get(k) != after.get(k)] or list(before)
    parts = []
    for key in keys[:limit]:
        old, new = before.get(key), after.get(key)
        if key in before and key in after:
            parts.append(f"{key}: {old} → {new}")
        elif key in after:
            parts.append(f"{key}: {new}")
        else:
            parts.append(f"{key}: {old} → —")
    if len(keys) > limit:
        parts.append(f"… (+{len(keys) - limit})")
    return "; ".join(parts)
