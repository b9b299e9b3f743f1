from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {"nav": []}
    items = [
        (reverse("home"), _("Việc của tôi")),
        (reverse("registers:list"), _("Sổ hộ tịch")),
    ]
    if user.is_admin or user.role == "reviewer":
        items.append((reverse("review:queue"), _("Kiểm tra")))
    if user.is_admin:
        items.append((reverse("accounts:office_list"), _("Đơn vị")))
        items.append((reverse("accounts:user_list"), _("Tài khoản")))
    if user.role in {"province_admin", "unit_admin", "auditor"}:
        items.append((reverse("accounts:audit_list"), _("Nhật ký")))
    items.append((reverse("units:browse"), _("Đơn vị hành chính")))
    path = request.path
    return {
        "nav": [
            {
                "url": url,
                "label": label,
                "active": (path.startswith(url) and url != "/") or path == url,
            }
            for url, label in items
        ]
    }
