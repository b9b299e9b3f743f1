from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext


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
        items.append((reverse("acceptance:list"), _("Nghiệm thu")))
        items.append((reverse("review:arbitration_queue"), pgettext("nhập hai lần", "Đối chiếu")))
    if not user.is_contractor:
        items.append((reverse("search:page"), _("Tra cứu")))
    if user.role in {"province_admin", "unit_admin", "auditor"} and not user.is_contractor:
        items.append((reverse("search:log"), _("Nhật ký tra cứu")))
    if user.role in {"province_admin", "unit_admin", "lookup"} and not user.is_contractor:
        items.append((reverse("people:duplicates"), _("Bản trùng")))
    if user.is_admin:
        items.append((reverse("accounts:office_list"), _("Đơn vị")))
        items.append((reverse("accounts:user_list"), _("Tài khoản")))
        items.append((reverse("accounts:job_list"), _("Tác vụ nền")))
    if user.role != "lookup":
        items.append((reverse("reports:dashboard"), _("Báo cáo")))
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
