from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class LettersAndDigitsValidator:
    """A password must mix letters and digits."""

    def validate(self, password: str, user: Any = None) -> None:
        if not (any(c.isalpha() for c in password) and any(c.isdigit() for c in password)):
            raise ValidationError(_("Mật khẩu phải có cả chữ và số."), code="password_mix")

    def get_help_text(self) -> str:
        return _("Mật khẩu phải có cả chữ và số.")
