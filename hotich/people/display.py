"""How a record is shown on the person and duplicate pages: its key facts, scans and extract."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hotich.keying.fields import field_rows
from hotich.people.links import REASONS
from hotich.records.models import Party, Record
from hotich.records.schema import record_type
from hotich.scans.models import ScanPage

DUPLICATE_REASONS = {
    "name": gettext_lazy("họ tên khác %(n)s ký tự"),
    "date": gettext_lazy("ngày sinh"),
    "registered": gettext_lazy("ngày đăng ký"),
    "others": gettext_lazy("không có người nào khác để đối chiếu"),
}


def extract_url(record: Record) -> str:
    return reverse("search:extract", args=[record.pk])


def role_label(record: Record, role: str) -> str:
    roles = {r.key: r.label for r in record_type(record.register.register_type).roles}
    return str(roles.get(role, role))


def party_of(record: Record, role: str) -> Party | None:
    return next((p for p in record.parties.all() if p.role == role), None)


def pages_by_record(record_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """The current scan pages of each record, in order, as links to their images."""
    rows = (
        ScanPage.objects.filter(links__record_id__in=set(record_ids), is_current=True)
        .order_by("links__record_id", "links__position", "sequence")
        .values_list("links__record_id", "pk", "sequence")
    )
    found: dict[int, list[dict[str, Any]]] = {}
    for rid, pk, sequence in rows:
        found.setdefault(rid, []).append(
            {
                "sequence": sequence,
                "image": reverse("scans:page_image", args=[pk]),
                "thumb": reverse("scans:page_thumb", args=[pk]),
            }
        )
    return found


def record_facts(record: Record, role: str = "") -> dict[str, Any]:
    """The facts that tell one record from another: type, register, number, date, authority,
    the people heading it, and (with `role`) the person in that role."""
    rtype = record_type(record.register.register_type)
    heads = [p for p in record.parties.all() if p.role in rtype.headline]
    person = party_of(record, role) if role else None
    return {
        "record": record,
        "type_label": rtype.label,
        "register": record.register,
        "authority": record.data.get("noiDangKy", ""),
        "heads": [(role_label(record, p.role), p) for p in heads],
        "role": role,
        "role_label": role_label(record, role) if role else "",
        "person": person,
        "extract_url": extract_url(record),
    }


def link_reasons(codes: Iterable[str]) -> str:
    return ", ".join(str(REASONS.get(c, c)) for c in codes)


def duplicate_reasons(codes: Iterable[str], record: Record) -> str:
    """Readable differences of a duplicate pair ("name:1" → "họ tên khác 1 ký tự")."""
    roles = {r.key: r.label for r in record_type(record.register.register_type).roles}
    out = []
    for code in codes:
        what, _sep, detail = code.partition(":")
        if what == "name":
            out.append(str(DUPLICATE_REASONS["name"]) % {"n": detail})
        elif what in ("date", "registered"):
            how = _("đảo ngày và tháng") if detail == "swapped" else _("khác")
            if detail == "partial":
                how = _("thiếu ngày hoặc tháng")
            out.append(f"{DUPLICATE_REASONS[what]}: {how}")
        elif what == "others":
            out.append(str(DUPLICATE_REASONS["others"]))
        else:
            out.append(
                _("%(role)s khác %(n)s ký tự") % {"role": roles.get(what, what), "n": detail}
            )
    return "; ".join(out) or _("giống hệt nhau")


def _display(cell: dict[str, Any]) -> str:
    value: str = cell["value"]
    return str(dict(cell["choices"]).get(value, value)) if value else value


def side_by_side(a: Record, b: Record) -> list[dict[str, Any]]:
    """Both records' fields in the order of the form, each row marked when the values differ;
    fields empty in both are left out."""
    rtype = record_type(a.register.register_type)
    left, right = field_rows(rtype, a.data, []), field_rows(rtype, b.data, [])
    sections = []
    for ga, gb in zip(left, right, strict=True):
        rows = []
        for ca, cb in zip(ga["cells"], gb["cells"], strict=True):
            if not ca["value"] and not cb["value"]:
                continue
            rows.append(
                {
                    "label": ca["field"].label,
                    "a": _display(ca),
                    "b": _display(cb),
                    "differ": ca["value"].strip() != cb["value"].strip(),
                }
            )
        if rows:
            sections.append({"label": ga["section"].label, "rows": rows})
    return sections
