"""Facts about registers that are rules, not data: types, phases, priority, the status machine."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegisterType(models.TextChoices):
    # The Ministry's five templates (SPEC §5.1); codes as used in file names.
    KS = "KS", _("Khai sinh")
    KH = "KH", _("Kết hôn")
    KT = "KT", _("Khai tử")
    CMC = "CMC", _("Nhận cha, mẹ, con")
    HN = "HN", _("Xác nhận tình trạng hôn nhân")
    # Registers with no known Ministry template: forms defined by this product.
    NCN = "NCN", _("Nuôi con nuôi")
    GH = "GH", _("Giám hộ, chấm dứt giám hộ")
    TD = "TD", _("Thay đổi, cải chính, bổ sung hộ tịch, xác định lại dân tộc, giới tính")
    LH = "LH", _("Ghi chú ly hôn, hủy việc kết hôn")


MINISTRY_TYPES = frozenset({"KS", "KH", "KT", "CMC", "HN"})


class Phase(models.IntegerChoices):
    P1 = 1, _("Giai đoạn 1: 2006 – 2015 (Nghị định 158/2005)")
    P2 = 2, _("Giai đoạn 2: 1999 – 2006 (Nghị định 83/1998)")
    P3 = 3, _("Giai đoạn 3: 1976 – 1999")
    P4 = 4, _("Giai đoạn 4: 1975 trở về trước")
    P5 = 5, _("Giai đoạn 5: từ 01/01/2016 (Luật Hộ tịch 2014)")


def phase_for_year(year: int | None) -> int | None:
    """The Ministry roadmap phase of a register, from the first year it covers.

    The roadmap's ranges meet at 1999 and 2006; a register is placed by the decree in force for
    most of its first year (Nghị định 83/1998 from 1999, Nghị định 158/2005 from April 2006).
    """
    if year is None:
        return None
    if year <= 1975:
        return Phase.P4
    if year <= 1998:
        return Phase.P3
    if year <= 2005:
        return Phase.P2
    if year <= 2015:
        return Phase.P1
    return Phase.P5


class Legibility(models.IntegerChoices):
    CLEAR = 1, _("Rõ ràng, ít tẩy xóa")
    FAIR = 2, _("Đọc được, có tẩy xóa")
    POOR = 3, _("Khó đọc, hư hỏng")


def type_group(register_type: str) -> int:
    """SPEC §3: marriage registers first, then birth, then the rest."""
    return {"KH": 1, "KS": 2}.get(register_type, 3)


def priority_for(*, legibility: int, register_type: str) -> int:
    """Lower is sooner: legibility first, then the type group (11 = clear marriage register)."""
    return legibility * 10 + type_group(register_type)


class Status(models.TextChoices):
    INVENTORIED = "inventoried", _("Đã kiểm kê")
    SCANNING = "scanning", _("Đang scan")
    KEYING = "keying", _("Đang nhập liệu")
    REVIEW = "review", _("Đang kiểm tra")
    ACCEPTED = "accepted", _("Đã nghiệm thu")
    DELIVERED = "delivered", _("Đã bàn giao")


# The register workflow. Backward moves exist for returns (review finds errors, acceptance
# is withdrawn); nothing skips a step forward.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.INVENTORIED: frozenset({Status.SCANNING}),
    Status.SCANNING: frozenset({Status.KEYING, Status.INVENTORIED}),
    Status.KEYING: frozenset({Status.REVIEW, Status.SCANNING}),
    Status.REVIEW: frozenset({Status.ACCEPTED, Status.KEYING}),
    # Out of a frozen status only by reopening (acceptance.services.acceptance_reopen).
    Status.ACCEPTED: frozenset({Status.DELIVERED, Status.REVIEW}),
    Status.DELIVERED: frozenset({Status.REVIEW}),
}


#: The order of the working statuses: the register moves forward by itself as work happens
#: (`registers.services.register_follow_work`), never backward and never out of review.
WORK_ORDER = (Status.INVENTORIED, Status.SCANNING, Status.KEYING, Status.REVIEW)

#: Accepted or delivered: the data are what was checked and handed over. Every write to the
#: register's records and scans is refused (`registers.services.register_lock_writable`); only
#: margin notes that the law adds later stay possible.
FROZEN = frozenset({Status.ACCEPTED, Status.DELIVERED})


class AuthorityLevel(models.TextChoices):
    COMMUNE = "commune", _("UBND cấp xã")
    DISTRICT = "district", _("UBND cấp huyện / Phòng Tư pháp")
    PROVINCE = "province", _("Sở Tư pháp / UBND cấp tỉnh")
