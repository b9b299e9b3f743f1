"""The search parameters, shared by the page and the API (the same GET names in both)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hotich.records.schema.dates import PartialDateError, parse_partial_date
from hotich.records.schema.types import ROLES
from hotich.registers.domain import RegisterType
from hotich.search.search import Criteria

#: every GET parameter the search reads, with what it means (the OpenAPI schema lists these).
PARAMETERS = {
    "q": _("Họ tên (mọi cách viết, đầy đủ hoặc một phần) hoặc số định danh, số giấy tờ tùy thân"),
    "loai": _("Mã loại sổ (KS, KH, KT, CMC, HN, NCN, GH, TD, LH)"),
    "nam_tu": _("Năm đăng ký, từ năm"),
    "nam_den": _("Năm đăng ký, đến năm"),
    "co_quan": _("Cơ quan đăng ký, tên cũ hoặc tên hiện nay"),
    "ngay_sinh": _(
        "Ngày hoặc năm sinh: dd.mm.yyyy, mm.yyyy hoặc yyyy (khớp cả ngày sinh ghi thiếu)"
    ),
    "cha_me": _("Họ tên cha hoặc mẹ trong cùng trường hợp"),
    "vai_tro": _("Vai trò của người trong trường hợp"),
    "muc_dich": _("Mục đích tra cứu (ghi vào nhật ký tra cứu)"),
    "trang": _("Số trang, từ 1 (50 kết quả một trang)"),
}


def role_choices() -> list[tuple[str, Any]]:
    return [("", _("Mọi vai trò")), *((r.key, r.label) for r in ROLES.values())]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Họ tên hoặc số định danh"), max_length=200, required=False)
    loai = forms.ChoiceField(
        label=_("Loại sổ"),
        required=False,
        choices=[("", _("Mọi loại sổ")), *RegisterType.choices],
    )
    nam_tu = forms.IntegerField(
        label=_("Năm đăng ký từ"), required=False, min_value=1800, max_value=2200
    )
    nam_den = forms.IntegerField(label=_("đến năm"), required=False, min_value=1800, max_value=2200)
    co_quan = forms.CharField(label=_("Cơ quan đăng ký"), max_length=200, required=False)
    ngay_sinh = forms.CharField(
        label=_("Ngày hoặc năm sinh"),
        max_length=20,
        required=False,
        help_text=_("dd.mm.yyyy, mm.yyyy hoặc yyyy"),
    )
    cha_me = forms.CharField(label=_("Họ tên cha hoặc mẹ"), max_length=200, required=False)
    vai_tro = forms.ChoiceField(label=_("Vai trò"), required=False, choices=role_choices)
    muc_dich = forms.CharField(label=_("Mục đích tra cứu"), max_length=255, required=False)
    trang = forms.IntegerField(required=False, min_value=1, max_value=200)

    def clean_ngay_sinh(self) -> Any:
        text = self.cleaned_data.get("ngay_sinh", "").strip().replace("/", ".")
        try:
            return parse_partial_date(text)
        except PartialDateError as error:
            raise forms.ValidationError(str(error)) from error

    def criteria(self) -> Criteria:
        d = self.cleaned_data
        birth = d.get("ngay_sinh")
        return Criteria(
            q=d.get("q") or "",
            register_type=d.get("loai") or "",
            year_from=d.get("nam_tu"),
            year_to=d.get("nam_den"),
            authority=d.get("co_quan") or "",
            birth_year=birth.year if birth else None,
            birth_month=birth.month if birth else None,
            birth_day=birth.day if birth else None,
            parent=d.get("cha_me") or "",
            role=d.get("vai_tro") or "",
        )

    def asked_filters(self) -> dict[str, str]:
        """The filters as typed (for the log), without the query, purpose, page and empties."""
        skip = {"q", "muc_dich", "trang"}
        return {
            k: str(self.data.get(k, "")).strip()
            for k in PARAMETERS
            if k not in skip and str(self.data.get(k, "")).strip()
        }
