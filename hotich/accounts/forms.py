from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hotich.accounts.models import Office, Role, User
from hotich.accounts.queries import office_manageable_for_user
from hotich.accounts.services import ALLOWED_PARENT_KINDS, can_grant
from hotich.units.widgets import UnitChoiceField


class DateInput(forms.DateInput):
    input_type = "text"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy"}, **kwargs)


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Tên đăng nhập"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Mật khẩu hiện tại"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autofocus": True}),
    )
    new_password1 = forms.CharField(
        label=_("Mật khẩu mới"), strip=False, widget=forms.PasswordInput
    )
    new_password2 = forms.CharField(
        label=_("Nhập lại mật khẩu mới"), strip=False, widget=forms.PasswordInput
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password1") and data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", _("Hai lần nhập mật khẩu mới không khớp."))
        return data


class OfficeForm(forms.Form):
    name = forms.CharField(label=_("Tên đơn vị"), max_length=255)
    kind = forms.ChoiceField(label=_("Loại"), choices=Office.Kind.choices)
    parent = forms.ModelChoiceField(label=_("Đơn vị cấp trên"), queryset=Office.objects.none())
    unit = UnitChoiceField(label=_("Địa bàn (đơn vị hành chính)"), required=False)
    is_active = forms.BooleanField(label=_("Đang hoạt động"), required=False, initial=True)

    def __init__(self, *args: Any, actor: User, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = office_manageable_for_user(actor).exclude(
            kind=Office.Kind.CONTRACTOR
        )
        if editing:
            del self.fields["kind"]
            del self.fields["parent"]
        else:
            del self.fields["is_active"]
            self.fields["kind"].choices = [
                (k, label) for k, label in Office.Kind.choices if ALLOWED_PARENT_KINDS[k] - {None}
            ]


class UserForm(forms.Form):
    username = forms.RegexField(
        label=_("Tên đăng nhập"),
        max_length=150,
        regex=r"^[A-Za-z0-9_.-]+$",
        error_messages={"invalid": _("Chỉ dùng chữ không dấu, số và . _ -")},
    )
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    office = forms.ModelChoiceField(label=_("Đơn vị"), queryset=Office.objects.none())
    role = forms.ChoiceField(label=_("Vai trò"), choices=Role.choices)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    phone = forms.CharField(label=_("Điện thoại"), max_length=30, required=False)
    contract_start = forms.DateField(
        label=_("Hợp đồng từ ngày"),
        required=False,
        widget=DateInput(),
        help_text=_("Bắt buộc với tài khoản của nhà thầu."),
    )
    contract_end = forms.DateField(label=_("Hợp đồng đến ngày"), required=False, widget=DateInput())

    def __init__(self, *args: Any, actor: User, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["office"].queryset = office_manageable_for_user(actor)
        if actor.office is not None:
            self.fields["role"].choices = [
                (r, label)
                for r, label in Role.choices
                if can_grant(actor, r, actor.office) or (r in {Role.OPERATOR, Role.REVIEWER})
            ]
        if editing:
            self.fields["username"].disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        office, role = data.get("office"), data.get("role")
        if office and role and not can_grant(self.actor, role, office):
            self.add_error("role", _("Bạn không thể cấp vai trò này cho đơn vị đã chọn."))
        return data


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Tài khoản"), required=False)
    action = forms.CharField(label=_("Hành động"), required=False)
    object_type = forms.CharField(label=_("Loại đối tượng"), required=False)
    object_id = forms.CharField(label=_("Mã đối tượng"), required=False)
    date_from = forms.DateField(label=_("Từ ngày"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Đến ngày"), required=False, widget=DateInput())
