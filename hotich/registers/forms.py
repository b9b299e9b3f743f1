from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hotich.accounts.forms import DateInput
from hotich.accounts.models import Office, Role, User
from hotich.accounts.queries import office_manageable_for_user
from hotich.registers.domain import Legibility, Phase, RegisterType, Status
from hotich.registers.models import Assignment, Register
from hotich.registers.services import EDITABLE_FIELDS
from hotich.units.widgets import UnitChoiceField


class RegisterForm(forms.ModelForm):
    custodian = forms.ModelChoiceField(
        label=_("Đơn vị đang lưu giữ"), queryset=Office.objects.none()
    )
    authority_unit = UnitChoiceField(
        label=_("Đơn vị hành chính (thời điểm đăng ký)"), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Register
        fields = ["custodian", *EDITABLE_FIELDS]
        widgets = {
            "note": forms.Textarea(attrs={"rows": 3}),
            "register_type": forms.Select(attrs={"autofocus": True}),
        }

    def __init__(self, *args: Any, actor: User, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["custodian"].queryset = office_manageable_for_user(actor).exclude(
            kind=Office.Kind.CONTRACTOR
        )
        if editing:
            del self.fields["custodian"]
        else:
            del self.fields["version"]

    def validate_unique(self) -> None:
        # Uniqueness is the service's rule (it knows the custodian and the folded authority).
        return


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("Chuyển sang"), choices=Status.choices)
    # Moves the system makes by itself need no one; a manual move says why (decision 0002).
    reason = forms.CharField(label=_("Lý do, ghi chú"), max_length=255)


class HandoverForm(forms.Form):
    to_office = forms.ModelChoiceField(
        label=_("Bàn giao cho đơn vị"),
        queryset=Office.objects.filter(is_active=True).exclude(kind=Office.Kind.CONTRACTOR),
    )
    date = forms.DateField(label=_("Ngày bàn giao"), widget=DateInput())
    reason = forms.CharField(
        label=_("Lý do, căn cứ"),
        max_length=255,
        help_text=_("Ví dụ: sáp nhập đơn vị theo Nghị quyết …, Công văn 3792/BTP-HTQTCT."),
    )


class AssignForm(forms.Form):
    task = forms.ChoiceField(label=_("Công việc"), choices=Assignment.Task.choices)
    user = forms.ModelChoiceField(
        label=_("Tài khoản"), queryset=User.objects.none(), required=False
    )
    office = forms.ModelChoiceField(
        label=_("Hoặc cả nhà thầu"), queryset=Office.objects.none(), required=False
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offices = office_manageable_for_user(actor)
        self.fields["user"].queryset = (
            User.objects.filter(
                office__in=offices, is_active=True, role__in=[Role.OPERATOR, Role.REVIEWER]
            )
            .select_related("office")
            .order_by("office__path", "username")
        )
        self.fields["user"].label_from_instance = lambda u: (
            f"{u.username} — {u.full_name} ({u.get_role_display()}, {u.office})"
        )
        self.fields["office"].queryset = offices.filter(kind=Office.Kind.CONTRACTOR)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("user")) == bool(data.get("office")):
            raise forms.ValidationError(_("Chọn một tài khoản hoặc một nhà thầu."))
        return data


class RegisterFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm"),
        required=False,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "data-search-focus": True,
                "placeholder": _("cơ quan đăng ký, quyển số"),
            }
        ),
    )
    type = forms.ChoiceField(
        label=_("Loại sổ"), required=False, choices=[("", _("Tất cả")), *RegisterType.choices]
    )
    status = forms.ChoiceField(
        label=_("Trạng thái"), required=False, choices=[("", _("Tất cả")), *Status.choices]
    )
    phase = forms.TypedChoiceField(
        label=_("Giai đoạn"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Tất cả")), *Phase.choices],
    )
    legibility = forms.TypedChoiceField(
        label=_("Độ rõ"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Tất cả")), *Legibility.choices],
    )
    year = forms.IntegerField(label=_("Năm"), required=False, min_value=1800, max_value=2100)
    custodian = forms.ModelChoiceField(
        label=_("Đơn vị lưu giữ"), required=False, queryset=Office.objects.none()
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from hotich.accounts.queries import office_list_for_user

        self.fields["custodian"].queryset = office_list_for_user(actor).exclude(
            kind=Office.Kind.CONTRACTOR
        )


class BulkImportForm(forms.Form):
    custodian = forms.ModelChoiceField(
        label=_("Đơn vị đang lưu giữ các sổ"), queryset=Office.objects.none()
    )
    file = forms.FileField(label=_("Tệp danh sách sổ (.xlsx hoặc .csv)"), allow_empty_file=True)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["custodian"].queryset = office_manageable_for_user(actor).exclude(
            kind=Office.Kind.CONTRACTOR
        )
