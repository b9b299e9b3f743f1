"""Realistic synthetic Vietnamese civil-status data for the demo and the benchmarks.

Pure Python, no Django: `Synth(seed)` draws names, dates, identity numbers and register
descriptions with the frequencies seen in real registers, always the same for the same seed.
Weighted draws go through 65,536-slot lookup tables indexed by `getrandbits(16)`, which keeps
`people()` at a few microseconds a person, so benchmarks can generate millions of rows.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import random
import unicodedata
from collections.abc import Iterator, Sequence
from typing import Any

__all__ = ["ETHNICITIES", "PROVINCES", "Synth"]

_BITS = 16
_SLOTS = 1 << _BITS


def _weighted(spec: str) -> list[tuple[str, float]]:
    """Parse "Nguyễn:38.4, Trần:11, Lê" (weight 1 when omitted) into (value, weight) pairs."""
    pairs = []
    for item in spec.split(","):
        value, _sep, weight = item.strip().partition(":")
        pairs.append((unicodedata.normalize("NFC", value.strip()), float(weight or 1)))
    return pairs


def _names(spec: str) -> tuple[str, ...]:
    """Comma-separated names, NFC."""
    return tuple(unicodedata.normalize("NFC", name.strip()) for name in spec.split(","))


def _ranked(words: str) -> list[tuple[str, float]]:
    """Space-separated names, most popular first: a gentle Zipf-like weight by rank."""
    return [
        (unicodedata.normalize("NFC", w), 1 / (1 + i / 12)) for i, w in enumerate(words.split())
    ]


def _table(pairs: Sequence[tuple[str, float]]) -> tuple[str, ...]:
    """Expand weights into a table of _SLOTS entries; every value keeps at least one slot."""
    total = sum(w for _v, w in pairs)
    counts = [max(1, round(w / total * _SLOTS)) for _v, w in pairs]
    counts[counts.index(max(counts))] += _SLOTS - sum(counts)
    return tuple(v for (v, _w), c in zip(pairs, counts, strict=True) for _ in range(c))


# Family names (share of the population, per cent; the long tail makes up the rest).
FAMILY_NAMES = _weighted(
    "Nguyễn:38.4, Trần:11, Lê:9.5, Phạm:7.1, Hoàng:3, Huỳnh:2.1, Phan:4.5, Vũ:2, Võ:1.9,"
    "Đặng:2.1, Bùi:2, Đỗ:1.4, Hồ:1.3, Ngô:1.3, Dương:1, Lý:0.5, Đinh:0.6, Trịnh:0.6, Trương:0.6,"
    "Đào:0.5, Đoàn:0.5, Lâm:0.4, Mai:0.4, Hà:0.4, Lương:0.4, Nông:0.3, Cao:0.3, Tạ:0.3,"
    "Vương:0.3, Phùng:0.3, Lưu:0.3, Thái:0.2, Châu:0.2, Tô:0.2, Quách:0.2, Triệu:0.2, Chu:0.2,"
    "Kiều:0.15, La:0.15, Lại:0.15, Đàm:0.15, Lò:0.15, Thạch:0.15, Thân:0.1, Tăng:0.1, Từ:0.1,"
    "Khúc:0.1, Hứa:0.1, Mạc:0.1, Lục:0.1, Giang:0.1, Tôn:0.1, Doãn:0.1, Quan:0.1, Ninh:0.1,"
    "Nghiêm:0.1, Danh:0.1, Cù:0.05, Kim:0.05, Âu:0.05, Khổng:0.05, Diệp:0.05, Bạch:0.05,"
    "Tiêu:0.05, Lạc:0.05, Ông:0.05, Mẫn:0.05, Phó:0.05, Hầu:0.05, Ứng:0.05, Trình:0.05, Sầm:0.05,"
    "Kha:0.05, Văn:0.05, Ksor:0.05, Rơ Châm:0.03, Y:0.03"
)

# Middle names. Older generations are mostly Văn / Thị; "" means no middle name.
_MIDDLE_MALE_OLD = _weighted(
    "Văn:62, Hữu:6, Đức:5, Công:4, Đình:4, Quang:3, Minh:3, Xuân:2, Thanh:2, Ngọc:2, Bá:1.5,"
    "Trọng:1.5, Quốc:1, Thế:1, Hồng:1, Tấn:1, :3, Văn Minh:0.5, Hữu Thanh:0.5"
)
_MIDDLE_MALE_NEW = _weighted(
    "Văn:22, Minh:10, Đức:7, Quốc:6, Gia:5, Hoàng:5, Anh:4, Tuấn:3, Thanh:4, Quang:4, Duy:4,"
    "Hữu:3, Công:3, Trọng:2, Nhật:2, Khánh:2, Bảo:3, Phúc:2, Tiến:1, Thành:2, Trung:1, Mạnh:1,"
    ":2, Minh Quang:1.5, Gia Bảo:1.5, Hoàng Minh:1, Đức Anh:1, Văn Minh:1"
)
_MIDDLE_FEMALE_OLD = _weighted(
    "Thị:78, Ngọc:3, Thanh:3, Thu:2, Kim:2, Xuân:2, Hồng:2, Minh:1, Bích:1, Mỹ:1, :2,"
    "Thị Ngọc:1.5, Thị Thu:1.5, Thị Kim:1, Thị Thanh:1, Thị Hồng:1"
)
_MIDDLE_FEMALE_NEW = _weighted(
    "Thị:30, Ngọc:8, Thanh:5, Thu:4, Thùy:4, Phương:4, Bảo:4, Minh:4, Khánh:3, Hoài:2, Mỹ:3,"
    "Quỳnh:2, Diệu:2, Kim:2, Hồng:2, Xuân:2, Cẩm:1, Tường:1, Như:2, Hải:1, Ánh:1, :2,"
    "Thị Thu:2, Thị Ngọc:2, Ngọc Bảo:1.5, Thị Thanh:1.5, Thị Mỹ:1, Ngọc Khánh:1, Phương Anh:1"
)
_GIVEN_MALE = _ranked(
    "Hùng Dũng Minh Tuấn Nam Hải Long Sơn Hoàng Thắng Cường Đức Huy Anh Trung Thành Quang Phong"
    " Bình Tùng Hiếu Phúc Quân Việt Khoa Tâm Tài Lâm Hưng Vinh Nghĩa Toàn Tú Thịnh Hòa Khánh Đạt"
    " Hậu Lộc Tiến Trí Thọ Tân Thái Nhân Phát Duy Kiên Khang Khải Bảo Chiến Công Định Đông Giang"
    " Hào Hiển Lợi Luân Mạnh Nhật Phú Phước Quốc Quý Sang Thạnh Thiện Thông Tín Triều Trọng Trường"
    " Vũ Vương Bằng Cảnh Chính Danh Dương Hiệp Hoan Khiêm Lực Lượng Nguyên Ninh Quyết Sỹ Tấn Thuận"
    " Tường Tuệ An Thuần Đăng Kha Khôi Lân Liêm Nhạc Sáng Thăng Vĩnh"
)
_GIVEN_FEMALE = _ranked(
    "Lan Hương Hoa Mai Linh Trang Hà Nga Thảo Phương Anh Dung Huyền Hằng Thủy Yến Ngọc Loan Hạnh"
    " Hiền Oanh Nhung Thu Vân Hồng Liên Tuyết Diệp Chi Vy Nhi My Quỳnh Giang Hòa Huệ Hường Khánh"
    " Thúy Thùy Trâm Uyên Xuân Bích Châu Cúc Diễm Duyên Đào Gấm Hảo Hân Hậu Hoài Khuê Kiều Lệ Liễu"
    " Ly Lụa Lý Mận Mơ Mỹ Ngân Nguyệt Nhàn Như Nụ Phượng Quyên Sen Sương Tâm Thắm Thanh Thoa Thơ"
    " Thư Thương Tiên Trinh Tú Tươi Tuyền Vi Ý Ánh An Ngà Quế Thêu Xuyến"
)

# The 54 recognised ethnic groups (2019 census shares, per cent).
ETHNICITY_WEIGHTS = _weighted(
    "Kinh:85.32, Tày:1.92, Thái:1.85, Mường:1.51, Mông:1.45, Khmer:1.32, Nùng:1.13, Dao:0.93,"
    "Hoa:0.78, Gia Rai:0.54, Ê Đê:0.41, Ba Na:0.3, Xơ Đăng:0.22, Sán Chay:0.21, Cơ Ho:0.21,"
    "Sán Dìu:0.19, Chăm:0.18, Hrê:0.15, Raglai:0.15, Mnông:0.13, Xtiêng:0.1, Bru - Vân Kiều:0.1,"
    "Thổ:0.09, Khơ Mú:0.09, Cơ Tu:0.07, Giáy:0.07, Giẻ Triêng:0.07, Tà Ôi:0.05, Mạ:0.05, Co:0.04,"
    "Chơ Ro:0.03, Xinh Mun:0.03, Hà Nhì:0.03, Chu Ru:0.02, Lào:0.02, Kháng:0.02, La Chí:0.02,"
    "Phù Lá:0.01, La Hủ:0.01, La Ha:0.01, Pà Thẻn:0.01, Chứt:0.01, Lự:0.01, Lô Lô:0.005,"
    "Mảng:0.005, Cơ Lao:0.004, Bố Y:0.003, Cống:0.003, Ngái:0.001, Si La:0.001, Pu Péo:0.001,"
    "Rơ Măm:0.0005, Brâu:0.0005, Ơ Đu:0.0005"
)
ETHNICITIES = tuple(name for name, _w in ETHNICITY_WEIGHTS)

# The 63 provinces before 1 July 2025 (the names historical registers carry).
PROVINCES = _names(
    "An Giang, Bà Rịa - Vũng Tàu, Bạc Liêu, Bắc Giang, Bắc Kạn, Bắc Ninh, Bến Tre, Bình Dương,"
    "Bình Định, Bình Phước, Bình Thuận, Cà Mau, Cao Bằng, Cần Thơ, Đà Nẵng, Đắk Lắk, Đắk Nông,"
    "Điện Biên, Đồng Nai, Đồng Tháp, Gia Lai, Hà Giang, Hà Nam, Hà Nội, Hà Tĩnh, Hải Dương,"
    "Hải Phòng, Hậu Giang, Hòa Bình, Hưng Yên, Khánh Hòa, Kiên Giang, Kon Tum, Lai Châu,"
    "Lạng Sơn, Lào Cai, Lâm Đồng, Long An, Nam Định, Nghệ An, Ninh Bình, Ninh Thuận, Phú Thọ,"
    "Phú Yên, Quảng Bình, Quảng Nam, Quảng Ngãi, Quảng Ninh, Quảng Trị, Sóc Trăng, Sơn La,"
    "Tây Ninh, Thái Bình, Thái Nguyên, Thanh Hóa, Thừa Thiên Huế, Tiền Giang, Hồ Chí Minh,"
    "Trà Vinh, Tuyên Quang, Vĩnh Long, Vĩnh Phúc, Yên Bái"
)
_CITIES = frozenset({"Hà Nội", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Hồ Chí Minh"})
# Province part of personal ID numbers (the legacy province codes).
_ID_PROVINCE_CODES = tuple(
    int(code)
    for code in _names(
        "1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33, 34, 35,"
        "36, 37, 38, 40, 42, 44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67, 68, 70,"
        "72, 74, 75, 77, 79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96"
    )
)
# Syllables of commune and district names ("Phước Tỉnh", "Long Điền").
_PLACE_SYLLABLES = _names(
    "An, Bình, Phước, Tân, Hòa, Thạnh, Long, Mỹ, Thuận, Phú, Hưng, Đông, Tây, Nam, Bắc, Trung,"
    "Thái, Hiệp, Lộc, Thọ, Xuân, Quang, Vĩnh, Hải, Sơn, Thành, Đức, Nghĩa, Tiến, Phong, Hội, Lạc,"
    "Yên, Cẩm, Hợp, Kim, Đại, Tam, Tỉnh, Điền, Khánh, Định, Lợi, Thịnh, Hà, Lâm, Châu, Giang,"
    "Thủy, Hậu, Vân, Hoàng, Ninh"
)

REGISTER_TYPES = _weighted("KS:40, KT:20, KH:17, HN:10, CMC:5, TD:4, NCN:1.5, GH:1.5, LH:1")
_CONDITION_NOTES = (
    "Bìa rách, gáy sổ bong",
    "Mực phai, nhiều trang khó đọc",
    "Ẩm mốc góc phải",
    "Bị mối mọt một số trang",
    "Mất trang cuối",
    "Có trang bị tẩy xóa, sửa chữa",
    "Giấy giòn, ố vàng",
    "Đóng lại bìa mới",
)


def _grouped_vowels() -> dict[str, tuple[str, ...]]:
    """Each Vietnamese vowel letter -> its six tone variants (same base, both cases)."""
    marks = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
    groups: dict[str, tuple[str, ...]] = {}
    for base in "aăâeêioôơuưy":
        for case in (str.lower, str.upper):
            variants = tuple(unicodedata.normalize("NFC", case(base) + m) for m in marks)
            for v in variants:
                groups[v] = variants
    return groups


_TONES = _grouped_vowels()
# Every vowel letter decomposes to its base letter first (ằ -> a + breve + grave); đ does not.
_STRIP = str.maketrans(
    {v: unicodedata.normalize("NFD", v)[0] for v in _TONES} | {"đ": "d", "Đ": "D"}
)
_LETTERS = "abcdghiklmnopqrstuvxy"


def _days_in(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _date_text(year: int, month: int | None, day: int | None) -> str:
    if month is None:
        return str(year)
    if day is None:
        return f"{month:02d}.{year}"
    return f"{day:02d}.{month:02d}.{year}"


@functools.cache
def _tables() -> tuple[Any, ...]:
    """The lookup tables, built once per process and shared by every Synth."""

    def spaced(pairs: Sequence[tuple[str, float]]) -> tuple[str, ...]:
        return tuple(f"{v} " if v else "" for v in _table(pairs))

    # middle[sex][modern]: names with a trailing space, "" for none; index 0 unused.
    middle = (
        ((), ()),
        (spaced(_MIDDLE_MALE_OLD), spaced(_MIDDLE_MALE_NEW)),
        (spaced(_MIDDLE_FEMALE_OLD), spaced(_MIDDLE_FEMALE_NEW)),
    )
    given = ((), _table(_GIVEN_MALE), _table(_GIVEN_FEMALE))
    return (_table(FAMILY_NAMES), middle, given, _table(ETHNICITY_WEIGHTS), _table(REGISTER_TYPES))


class Synth:
    """Deterministic generator: the same seed gives the same sequence of values."""

    def __init__(self, seed: int = 0) -> None:
        self.rng = random.Random(seed)
        (self._family, self._middle, self._given, self._ethnicity, self._register_types) = _tables()

    # People -----------------------------------------------------------------------------

    def sex(self) -> int:
        """1 Nam, 2 Nữ (SPEC §5.4)."""
        return 1 + self.rng.getrandbits(1)

    def person_name(self, sex: int | None = None, *, upper: bool = False, year: int = 1990) -> str:
        """A full name in NFC; `year` (of birth) shifts middle names from Văn/Thị to modern ones."""
        grb = self.rng.getrandbits
        sex = sex if sex in (1, 2) else 1 + grb(1)
        name = (
            self._family[grb(_BITS)]
            + " "
            + self._middle[sex][year >= 1985][grb(_BITS)]
            + self._given[sex][grb(_BITS)]
        )
        return name.upper() if upper else name

    def ethnicity(self) -> str:
        return self._ethnicity[self.rng.getrandbits(_BITS)]

    def birth_date(self, year_range: tuple[int, int] = (1930, 2024)) -> dt.date:
        year = self.rng.randint(*year_range)
        month = self.rng.randint(1, 12)
        return dt.date(year, month, self.rng.randint(1, _days_in(year, month)))

    def partial_date(
        self, year_range: tuple[int, int] = (1930, 2024), *, year: int | None = None
    ) -> dict[str, Any]:
        """{"year", "month", "day", "text"}; older dates more often lack the day or the month."""
        rnd = self.rng.random
        if year is None:
            year = year_range[0] + int(rnd() * (year_range[1] - year_range[0] + 1))
        return self._partial(year, rnd)

    @staticmethod
    def _partial(year: int, rnd: Any) -> dict[str, Any]:
        # Share of dates with the year only, and with at most month and year, by period.
        if year < 1976:
            year_only, month_only = 0.2, 0.3
        elif year < 2000:
            year_only, month_only = 0.05, 0.08
        else:
            year_only, month_only = 0.005, 0.01
        r = rnd()
        if r < year_only:
            return {"year": year, "month": None, "day": None, "text": str(year)}
        month = 1 + int(rnd() * 12)
        if r < month_only:
            return {"year": year, "month": month, "day": None, "text": f"{month:02d}.{year}"}
        if month == 2:
            days = 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
        else:
            days = 30 if month in (4, 6, 9, 11) else 31
        day = 1 + int(rnd() * days)
        return {"year": year, "month": month, "day": day, "text": f"{day:02d}.{month:02d}.{year}"}

    def id_number(self, sex: int | None = None, birth_year: int | None = None) -> str:
        """12-digit personal ID: province code, century-and-sex digit, year, six random digits."""
        rng = self.rng
        sex = sex if sex in (1, 2) else self.sex()
        birth_year = birth_year or rng.randint(1930, 2024)
        century = (birth_year // 100 - 19) * 2 + (sex - 1)
        return (
            f"{rng.choice(_ID_PROVINCE_CODES):03d}{century}{birth_year % 100:02d}"
            f"{rng.randrange(1_000_000):06d}"
        )

    def cmnd(self) -> str:
        """9-digit identity card number (CMND), as text."""
        return f"{self.rng.randrange(10, 39):02d}{self.rng.randrange(10_000_000):07d}"

    def people(
        self,
        n: int,
        *,
        year_range: tuple[int, int] = (1930, 2024),
        upper: bool = False,
        id_share: float = 0.35,
    ) -> Iterator[dict[str, Any]]:
        """`n` people as plain dicts; a generator, so millions cost no memory."""
        rng = self.rng
        grb, rnd = rng.getrandbits, rng.random
        family, middle, given, ethnicity = self._family, self._middle, self._given, self._ethnicity
        partial = self._partial
        codes, n_codes = _ID_PROVINCE_CODES, len(_ID_PROVINCE_CODES)
        lo, span = year_range[0], year_range[1] - year_range[0] + 1
        for _ in range(n):
            sex = 1 + grb(1)
            year = lo + int(rnd() * span)
            name = (
                family[grb(_BITS)]
                + " "
                + middle[sex][year >= 1985][grb(_BITS)]
                + given[sex][grb(_BITS)]
            )
            if rnd() < id_share and year >= 1900:
                century = (year // 100 - 19) * 2 + sex - 1
                id_number = (
                    f"{codes[int(rnd() * n_codes)]:03d}{century}{year % 100:02d}"
                    f"{int(rnd() * 1_000_000):06d}"
                )
            else:
                id_number = ""
            yield {
                "full_name": name.upper() if upper else name,
                "sex": sex,
                "birth": partial(year, rnd),
                "ethnicity": ethnicity[grb(_BITS)],
                "nationality": "Việt Nam",
                "id_number": id_number,
            }

    # Places and authorities -------------------------------------------------------------

    def unit_name(self) -> str:
        """A plausible two-syllable commune or district name ("Phước Tỉnh")."""
        first, second = self.rng.sample(_PLACE_SYLLABLES, 2)
        return f"{first} {second}"

    def place(self, units: Sequence[str]) -> str:
        """A place as written in a register: a unit's full name, sometimes with the hamlet."""
        unit = self.rng.choice(units)
        r = self.rng.random()
        if r < 0.5:
            return unit
        if r < 0.8:
            hamlet = self.rng.choice(("Thôn", "Xóm", "Ấp", "Tổ dân phố"))
            return f"{hamlet} {self.rng.randint(1, 12)}, {unit}"
        return f"Ấp {self.unit_name()}, {unit}"

    def authority_tree(
        self, *, districts: int = 10, communes: int = 18, province: str | None = None
    ) -> dict[str, Any]:
        """One province's registering authorities before 2025, as written in the books.

        {"name", "authority", "level", "children": [district, ...]}, each district with its
        communes as children; "authority" is e.g. "UBND xã Phước Tỉnh, huyện Long Điền, tỉnh
        Bà Rịa - Vũng Tàu".
        """
        rng = self.rng
        province = province or rng.choice(PROVINCES)
        p_full = f"{'thành phố' if province in _CITIES else 'tỉnh'} {province}"
        tree: dict[str, Any] = {
            "name": p_full,
            "authority": f"Sở Tư pháp {p_full}",
            "level": "province",
            "children": [],
        }
        used: set[str] = set()
        for _ in range(districts):
            d_kind = rng.choices(("huyện", "thị xã", "thành phố", "quận"), (80, 8, 6, 6))[0]
            d_full = f"{d_kind} {self._fresh_name(used)}"
            district: dict[str, Any] = {
                "name": d_full,
                "authority": f"UBND {d_full}, {p_full}",
                "level": "district",
                "children": [],
            }
            for _ in range(communes):
                c_kind = (
                    "phường"
                    if d_kind in ("quận", "thành phố")
                    else rng.choices(("xã", "thị trấn", "phường"), (88, 7, 5))[0]
                )
                c_full = f"{c_kind} {self._fresh_name(used)}"
                district["children"].append(
                    {
                        "name": c_full,
                        "authority": f"UBND {c_full}, {d_full}, {p_full}",
                        "level": "commune",
                        "children": [],
                    }
                )
            tree["children"].append(district)
        return tree

    def _fresh_name(self, used: set[str]) -> str:
        for _ in range(50):
            name = self.unit_name()
            if name not in used:
                break
        else:
            name = f"{self.unit_name()} {len(used)}"
        used.add(name)
        return name

    # Registers --------------------------------------------------------------------------

    def register_specs(
        self,
        count: int,
        *,
        authorities: Sequence[tuple[str, str]],
        year_range: tuple[int, int] = (1960, 2024),
    ) -> Iterator[dict[str, Any]]:
        """`count` register descriptions for (authority name, level) pairs.

        Each dict has the Register fields as written in the book plus "authority_index" (into
        `authorities`) so the caller can attach its own custodian. Volumes of the same authority,
        type and year are numbered 01, 02, ... and continue the registration numbers (SPEC §5.2).
        """
        rng = self.rng
        grb, rnd = rng.getrandbits, rng.random
        lo, hi = year_range
        opened: dict[tuple[int, str, int], tuple[int, int]] = {}
        for _ in range(count):
            index = int(rnd() * len(authorities))
            name, level = authorities[index]
            # More books survive from recent years.
            year = round(rng.triangular(lo, hi, hi))
            register_type = self._register_types[grb(_BITS)]
            if register_type == "HN" and year < 1999:
                register_type = "KS"
            key = (index, register_type, year)
            volume_no, last = opened.get(key, (0, 0))
            volume_no += 1
            entries = max(5, min(600, round(rng.lognormvariate(4.6, 0.35))))
            first, last = last + 1, last + entries
            opened[key] = (volume_no, last)
            age = 2025 - year
            legibility = rng.choices((1, 2, 3), (60, 30, 10) if age < 30 else (35, 40, 25))[0]
            per_page = 1 if register_type in ("KS", "KH") else 2
            yield {
                "register_type": register_type,
                "authority_name": name,
                "authority_level": level,
                "authority_index": index,
                "year_start": year,
                "year_end": year + 1 if rnd() < 0.06 and year < hi else None,
                "volume": (
                    f"{volume_no:02d}/{year}"
                    if year >= 2010 and (index + year) % 3 == 0
                    else f"{volume_no:02d}"
                ),
                "page_count": entries // per_page + rng.randint(0, 6),
                "declared_entries": entries,
                "first_number": f"{first:02d}",
                "last_number": f"{last:02d}",
                "legibility": legibility,
                "condition_note": (
                    rng.choice(_CONDITION_NOTES) if rnd() < 0.05 + 0.15 * (legibility - 1) else ""
                ),
            }

    # Keying errors, for duplicate-detection benchmarks -------------------------------------

    def typo(self, name: str) -> str:
        """One keying error: a letter replaced (often by another tone), dropped or doubled."""
        rng = self.rng
        positions = [i for i, ch in enumerate(name) if ch.isalpha()]
        if not positions:
            return name + "a"
        i = rng.choice(positions)
        ch = name[i]
        op = rng.random()
        if op < 0.5:
            variants = [v for v in _TONES.get(ch, ()) if v != ch]
            if not variants or rng.random() < 0.3:
                pool = _LETTERS.upper() if ch.isupper() else _LETTERS
                variants = [c for c in pool if c != ch]
            return name[:i] + rng.choice(variants) + name[i + 1 :]
        if op < 0.75 and len(name) > 1:
            return name[:i] + name[i + 1 :]
        return name[:i] + ch + name[i:]

    @staticmethod
    def strip_diacritics(name: str) -> str:
        """Nguyễn Văn Đức -> Nguyen Van Duc, case kept: as keyed without a Vietnamese keyboard."""
        return unicodedata.normalize("NFC", name).translate(_STRIP)

    @staticmethod
    def swap_day_month(date: dict[str, Any]) -> dict[str, Any]:
        """The same date with day and month exchanged, when that still makes a valid date."""
        year, month, day = date["year"], date.get("month"), date.get("day")
        if not (month and day) or day == month or day > 12:
            return dict(date)
        return {"year": year, "month": day, "day": month, "text": _date_text(year, day, month)}
