"""The code lists of the Ministry's templates (SPEC §5.4), and the product's own lists.

Two kinds of list:

- ``stored_as="code"``: the cell holds the code ("1", "2", ...); the label is what a person reads.
- ``stored_as="label"``: the cell holds the text itself (Dân tộc, Quốc tịch, tinhTrangKetHon).
  The codes of such a list are only a convenience for typing ("VN", "01") and are never stored.

Values are data written into Ministry files, so labels are plain NFC strings, not translations.
``normalise`` accepts what a keyer or an old office file is likely to hold: the code, the label,
the label without accents or in another case or Unicode form, or a known alias (old names such as
"Mèo" for Mông, "Mỹ" for Hoa Kỳ); comparison goes through ``hotich.core.text.fold``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from hotich.core.text import fold, nfc

STORED_AS = ("code", "label")


@dataclass(frozen=True)
class CodeList:
    name: str
    #: (code, label) pairs in display order; codes are strings ("1", "2", ...).
    items: tuple[tuple[str, str], ...]
    #: "code": the cell holds the code; "label": the cell holds the label text.
    stored_as: str = "code"
    #: alias -> canonical stored value ("" for an alias meaning an empty cell). Keys are compared
    #: after folding, so "Mèo", "meo" and "MÈO" are one alias.
    aliases: dict[str, str] = field(default_factory=dict, hash=False)
    _by_code: dict[str, str] = field(init=False, repr=False, compare=False, hash=False)
    _by_folded: dict[str, str] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        if self.stored_as not in STORED_AS:
            raise ValueError(f"{self.name}: stored_as must be one of {STORED_AS}")
        by_code: dict[str, str] = {}
        by_folded: dict[str, str] = {}
        for code, label in self.items:
            if not code or code != code.strip():
                raise ValueError(f"{self.name}: bad code {code!r}")
            if code in by_code:
                raise ValueError(f"{self.name}: duplicate code {code!r}")
            if not label or label != unicodedata.normalize("NFC", label) or label != nfc(label):
                raise ValueError(f"{self.name}: label {label!r} is not trimmed NFC text")
            key = fold(label)
            if key in by_folded:
                raise ValueError(f"{self.name}: labels collide when folded: {label!r}")
            by_code[code] = label
            by_folded[key] = code if self.stored_as == "code" else label
        stored = set(by_folded.values())
        for alias, target in self.aliases.items():
            if target and target not in stored:
                raise ValueError(f"{self.name}: alias {alias!r} points to unknown {target!r}")
            key = fold(alias)
            if by_folded.get(key, target) != target:
                raise ValueError(f"{self.name}: alias {alias!r} collides with another value")
            by_folded[key] = target
        object.__setattr__(self, "_by_code", by_code)
        object.__setattr__(self, "_by_folded", by_folded)

    def label(self, code: str) -> str | None:
        """The label of a code; for a label list, a stored label is its own label."""
        found = self._by_code.get(code)
        if found is None and self.stored_as == "label" and code in self._by_code.values():
            return code
        return found

    def _stored(self, code: str) -> str:
        return code if self.stored_as == "code" else self._by_code[code]

    def _match_code(self, text: str) -> str | None:
        if text in self._by_code:  # exact, so "ba" (for Ba Lan) is not taken for BA
            return text
        if self.stored_as == "code" and text.isascii() and text.isdigit():  # "01" -> "1"
            for code in self._by_code:
                if code.isdigit() and int(code) == int(text):
                    return code
        return None

    def normalise(self, value: str) -> str | None:
        """The canonical stored value for what was typed or imported; None if unknown.

        "" stays "". An alias may map to "" (e.g. "0" in Loại giấy tờ means an empty cell).
        """
        text = nfc(value)
        if not text:
            return ""
        if self.stored_as == "label" and text in self._by_code.values():
            return text
        code = self._match_code(text)
        if code is not None:
            return self._stored(code)
        return self._by_folded.get(fold(text))

    def choices(self) -> list[tuple[str, str]]:
        """(stored value, text shown) for a <select> or <datalist>."""
        if self.stored_as == "label":
            return [(label, label) for _code, label in self.items]
        return [(code, f"{code} — {label}") for code, label in self.items]


def _numbered(*labels: str) -> tuple[tuple[str, str], ...]:
    return tuple((str(n), label) for n, label in enumerate(labels, start=1))


# ---------------------------------------------------------------------------------------------
# Ministry templates, stored as codes.

LOAI_DANG_KY_KS = CodeList(
    "loai_dang_ky_ks",
    _numbered(
        "Đăng ký đúng hạn",
        "Đăng ký lại",
        "Ghi vào sổ việc khai sinh đã đăng ký ở cơ quan có thẩm quyền nước ngoài",
        "Đăng ký quá hạn",
        "Cấp bản chính giấy khai sinh",
        "Không xác định",
    ),
)

LOAI_DANG_KY_KT = CodeList(
    "loai_dang_ky_kt",
    (
        ("0", "Không có thông tin"),
        ("1", "Đăng ký đúng hạn"),
        ("2", "Đăng ký lại"),
        ("3", "Ghi vào sổ việc khai tử tại cơ quan có thẩm quyền ở nước ngoài"),
        ("4", "Đăng ký quá hạn"),
    ),
)

LOAI_DANG_KY_KH = CodeList("loai_dang_ky_kh", _numbered("Đăng ký lần đầu", "Đăng ký lại"))

LOAI_DANG_KY_CMC = CodeList(
    "loai_dang_ky_cmc",
    (
        ("0", "Không có thông tin"),
        ("1", "Đăng ký mới"),
        (
            "2",
            "Ghi vào sổ việc nhận cha, mẹ, con đã được đăng ký tại cơ quan có thẩm quyền "
            "ở nước ngoài",
        ),
    ),
)

GIOI_TINH = CodeList(
    "gioi_tinh",
    _numbered("Nam", "Nữ", "Không xác định"),
    # Old birth registers write the child's sex as "trai" / "gái".
    aliases={"Trai": "1", "Con trai": "1", "Gái": "2", "Con gái": "2"},
)

LOAI_GIAY_TO = CodeList(
    "loai_giay_to",
    _numbered(
        "Giấy CMND",
        "Hộ chiếu",
        "Thẻ thường trú",
        "Thẻ căn cước công dân",
        "Giấy chứng minh quân đội nhân dân",
        "Giấy chứng minh sĩ quan quân đội",
        "Giấy chứng minh công an nhân dân",
        "Giấy tờ khác",
    ),
    # The template writes 0 for "no document": an empty cell.
    aliases={"0": "", "Chứng minh nhân dân": "1", "CMND": "1", "CCCD": "4", "Căn cước": "4"},
)

LOAI_CU_TRU = CodeList(
    "loai_cu_tru",
    (("0", "Không có thông tin"), ("1", "Thường trú"), ("2", "Tạm trú")),
)

LOAI_KHAI_SINH = CodeList(
    "loai_khai_sinh",
    _numbered(
        "Đã xác định được cả cha lẫn mẹ",
        "Chưa xác định được mẹ",
        "Chưa xác định được cha",
        "Chưa xác định được cả cha lẫn mẹ",
        "Trẻ bị bỏ rơi",
    ),
)

#: nksMatTich and nksHanCheNangLucHanhVi.
TUYEN_BO = CodeList("tuyen_bo", _numbered("Tuyên bố", "Hủy tuyên bố"))

GBT_LOAI = CodeList(
    "gbt_loai",
    (
        ("0", "Không có thông tin"),
        ("1", "Giấy báo tử"),
        ("2", "Giấy xác nhận việc thi hành án tử hình"),
        ("3", "Bản án, quyết định của Tòa án tuyên bố một người là đã chết"),
        ("4", "Văn bản xác nhận của cơ quan công an hoặc kết quả giám định pháp y"),
        ("5", "Văn bản xác định nguyên nhân chết của cơ quan y tế cấp huyện"),
        ("6", "Biên bản xác nhận việc chết"),
        ("7", "Văn bản xác nhận việc chết của người làm chứng"),
    ),
)

TINH_TRANG_KET_HON = CodeList(
    "tinh_trang_ket_hon",
    _numbered(
        "Đã ly hôn",
        "Đã hủy việc kết hôn",
        "Đã được công nhận việc kết hôn",
        "Không có thông tin",
    ),
    stored_as="label",
)

LOAI_XAC_NHAN = CodeList(
    "loai_xac_nhan",
    _numbered("Cha nhận con", "Mẹ nhận con", "Con nhận cha", "Con nhận mẹ"),
)

MUC_DICH_SU_DUNG = CodeList(
    "muc_dich_su_dung",
    _numbered(
        "Để đăng ký kết hôn trong nước với người Việt Nam",
        "Để đăng ký kết hôn trong nước với người nước ngoài",
        "Để đăng ký kết hôn ở nước ngoài với người Việt Nam",
        "Để đăng ký kết hôn ở nước ngoài với người nước ngoài",
        "Mục đích khác",
    ),
)

# ---------------------------------------------------------------------------------------------
# Stored as text.

#: nxnTinhTrangHonNhan: the template leaves it free; the product offers these values.
TINH_TRANG_HON_NHAN = CodeList(
    "tinh_trang_hon_nhan",
    _numbered(
        "Chưa kết hôn",
        "Đang có vợ/chồng",
        "Đã ly hôn",
        "Có vợ/chồng đã chết",
        "Không có thông tin",
    ),
    stored_as="label",
    aliases={
        "Chưa có vợ": "Chưa kết hôn",
        "Chưa có chồng": "Chưa kết hôn",
        "Chưa có vợ/chồng": "Chưa kết hôn",
        "Có vợ": "Đang có vợ/chồng",
        "Có chồng": "Đang có vợ/chồng",
        "Đang có vợ": "Đang có vợ/chồng",
        "Đang có chồng": "Đang có vợ/chồng",
        "Có vợ/chồng": "Đang có vợ/chồng",
        "Ly hôn": "Đã ly hôn",
        "Vợ đã chết": "Có vợ/chồng đã chết",
        "Chồng đã chết": "Có vợ/chồng đã chết",
    },
)

#: The 54 recognised ethnic groups, in the order (and with the two-digit codes) of the lists used
#: by population-database systems: by size, Kinh first. Then the two values for everyone else.
_DAN_TOC_54 = (
    "Kinh",
    "Tày",
    "Thái",
    "Mường",
    "Khmer",
    "Hoa",
    "Nùng",
    "Mông",
    "Dao",
    "Gia Rai",
    "Ê Đê",
    "Ba Na",
    "Sán Chay",
    "Chăm",
    "Cơ Ho",
    "Xơ Đăng",
    "Sán Dìu",
    "Hrê",
    "Ra Glai",
    "Mnông",
    "Thổ",
    "Xtiêng",
    "Khơ mú",
    "Bru Vân Kiều",
    "Cơ Tu",
    "Giáy",
    "Tà Ôi",
    "Mạ",
    "Giẻ Triêng",
    "Co",
    "Chơ Ro",
    "Xinh Mun",
    "Hà Nhì",
    "Chu Ru",
    "Lào",
    "La Chí",
    "Kháng",
    "Phù Lá",
    "La Hủ",
    "La Ha",
    "Pà Thẻn",
    "Lự",
    "Ngái",
    "Chứt",
    "Lô Lô",
    "Mảng",
    "Cơ Lao",
    "Bố Y",
    "Cống",
    "Si La",
    "Pu Péo",
    "Rơ Măm",
    "Brâu",
    "Ơ Đu",
)
ETHNIC_GROUPS = len(_DAN_TOC_54)

DAN_TOC = CodeList(
    "dan_toc",
    (
        *((f"{n:02d}", name) for n, name in enumerate(_DAN_TOC_54, start=1)),
        ("55", "Người nước ngoài"),
        ("56", "Khác"),
    ),
    stored_as="label",
    # Hyphenated and spaced spellings ("Ê-đê", "Gié-Triêng", "Cờ Lao") fold to the same key as the
    # label and need no alias; these are other names for the same group.
    aliases={
        "Việt": "Kinh",
        "Kinh (Việt)": "Kinh",
        "Việt (Kinh)": "Kinh",
        "Mèo": "Mông",
        "Mông (Mèo)": "Mông",
        "H'Mông": "Mông",
        "HMông": "Mông",
        "Hmong": "Mông",
        "Mán": "Dao",
        "Dao (Mán)": "Dao",
        "Hán": "Hoa",
        "Hoa (Hán)": "Hoa",
        "Khơ-me": "Khmer",
        "Khơme": "Khmer",
        "Êđê": "Ê Đê",
        "Ra-đê": "Ê Đê",
        "Rhađê": "Ê Đê",
        "Jrai": "Gia Rai",
        "Giarai": "Gia Rai",
        "Bana": "Ba Na",
        "Bahnar": "Ba Na",
        "Xê Đăng": "Xơ Đăng",
        "Sedang": "Xơ Đăng",
        "K'Ho": "Cơ Ho",
        "Koho": "Cơ Ho",
        "Chàm": "Chăm",
        "Cao Lan": "Sán Chay",
        "Cao Lan - Sán Chí": "Sán Chay",
        "H'rê": "Hrê",
        "Raglai": "Ra Glai",
        "Raglay": "Ra Glai",
        "Ra-glay": "Ra Glai",
        "M'Nông": "Mnông",
        "Stiêng": "Xtiêng",
        "X'Tiêng": "Xtiêng",
        "Khơmú": "Khơ mú",
        "Khmu": "Khơ mú",
        "Xá Cẩu": "Khơ mú",
        "Vân Kiều": "Bru Vân Kiều",
        "Ca Tu": "Cơ Tu",
        "Katu": "Cơ Tu",
        "Nhắng": "Giáy",
        "Châu Ro": "Chơ Ro",
        "Churu": "Chu Ru",
        "Lữ": "Lự",
        "Pà Hưng": "Pà Thẻn",
        "Romam": "Rơ Măm",
        "Brao": "Brâu",
        "Nước ngoài": "Người nước ngoài",
    },
)

#: UN member and observer states (and Taiwan, which civil-status registers name), each under the
#: name Vietnamese official documents use; the code is ISO 3166-1 alpha-2, accepted when typed
#: exactly ("VN").
_COUNTRIES = (
    ("AF", "Afghanistan"),
    ("AL", "Albania"),
    ("DZ", "Algeria"),
    ("AD", "Andorra"),
    ("AO", "Angola"),
    ("AG", "Antigua và Barbuda"),
    ("AR", "Argentina"),
    ("AM", "Armenia"),
    ("AU", "Australia"),
    ("AT", "Áo"),
    ("AZ", "Azerbaijan"),
    ("BS", "Bahamas"),
    ("BH", "Bahrain"),
    ("BD", "Bangladesh"),
    ("BB", "Barbados"),
    ("BY", "Belarus"),
    ("BE", "Bỉ"),
    ("BZ", "Belize"),
    ("BJ", "Benin"),
    ("BT", "Bhutan"),
    ("BO", "Bolivia"),
    ("BA", "Bosnia và Herzegovina"),
    ("BW", "Botswana"),
    ("BR", "Brazil"),
    ("BN", "Brunei"),
    ("BG", "Bulgaria"),
    ("BF", "Burkina Faso"),
    ("BI", "Burundi"),
    ("CV", "Cabo Verde"),
    ("KH", "Campuchia"),
    ("CM", "Cameroon"),
    ("CA", "Canada"),
    ("CF", "Cộng hòa Trung Phi"),
    ("TD", "Chad"),
    ("CL", "Chile"),
    ("CN", "Trung Quốc"),
    ("CO", "Colombia"),
    ("KM", "Comoros"),
    ("CG", "Cộng hòa Congo"),
    ("CD", "Cộng hòa Dân chủ Congo"),
    ("CR", "Costa Rica"),
    ("CI", "Côte d'Ivoire"),
    ("HR", "Croatia"),
    ("CU", "Cuba"),
    ("CY", "Síp"),
    ("CZ", "Séc"),
    ("DK", "Đan Mạch"),
    ("DJ", "Djibouti"),
    ("DM", "Dominica"),
    ("DO", "Cộng hòa Dominica"),
    ("EC", "Ecuador"),
    ("EG", "Ai Cập"),
    ("SV", "El Salvador"),
    ("GQ", "Guinea Xích Đạo"),
    ("ER", "Eritrea"),
    ("EE", "Estonia"),
    ("SZ", "Eswatini"),
    ("ET", "Ethiopia"),
    ("FJ", "Fiji"),
    ("FI", "Phần Lan"),
    ("FR", "Pháp"),
    ("GA", "Gabon"),
    ("GM", "Gambia"),
    ("GE", "Gruzia"),
    ("DE", "Đức"),
    ("GH", "Ghana"),
    ("GR", "Hy Lạp"),
    ("GD", "Grenada"),
    ("GT", "Guatemala"),
    ("GN", "Guinea"),
    ("GW", "Guinea-Bissau"),
    ("GY", "Guyana"),
    ("HT", "Haiti"),
    ("HN", "Honduras"),
    ("HU", "Hungary"),
    ("IS", "Iceland"),
    ("IN", "Ấn Độ"),
    ("ID", "Indonesia"),
    ("IR", "Iran"),
    ("IQ", "Iraq"),
    ("IE", "Ireland"),
    ("IL", "Israel"),
    ("IT", "Italia"),
    ("JM", "Jamaica"),
    ("JP", "Nhật Bản"),
    ("JO", "Jordan"),
    ("KZ", "Kazakhstan"),
    ("KE", "Kenya"),
    ("KI", "Kiribati"),
    ("KP", "Cộng hòa Dân chủ Nhân dân Triều Tiên"),
    ("KR", "Hàn Quốc"),
    ("KW", "Kuwait"),
    ("KG", "Kyrgyzstan"),
    ("LA", "Lào"),
    ("LV", "Latvia"),
    ("LB", "Liban"),
    ("LS", "Lesotho"),
    ("LR", "Liberia"),
    ("LY", "Libya"),
    ("LI", "Liechtenstein"),
    ("LT", "Litva"),
    ("LU", "Luxembourg"),
    ("MG", "Madagascar"),
    ("MW", "Malawi"),
    ("MY", "Malaysia"),
    ("MV", "Maldives"),
    ("ML", "Mali"),
    ("MT", "Malta"),
    ("MH", "Quần đảo Marshall"),
    ("MR", "Mauritania"),
    ("MU", "Mauritius"),
    ("MX", "Mexico"),
    ("FM", "Micronesia"),
    ("MD", "Moldova"),
    ("MC", "Monaco"),
    ("MN", "Mông Cổ"),
    ("ME", "Montenegro"),
    ("MA", "Maroc"),
    ("MZ", "Mozambique"),
    ("MM", "Myanmar"),
    ("NA", "Namibia"),
    ("NR", "Nauru"),
    ("NP", "Nepal"),
    ("NL", "Hà Lan"),
    ("NZ", "New Zealand"),
    ("NI", "Nicaragua"),
    ("NE", "Niger"),
    ("NG", "Nigeria"),
    ("MK", "Bắc Macedonia"),
    ("NO", "Na Uy"),
    ("OM", "Oman"),
    ("PK", "Pakistan"),
    ("PW", "Palau"),
    ("PS", "Palestine"),
    ("PA", "Panama"),
    ("PG", "Papua New Guinea"),
    ("PY", "Paraguay"),
    ("PE", "Peru"),
    ("PH", "Philippines"),
    ("PL", "Ba Lan"),
    ("PT", "Bồ Đào Nha"),
    ("QA", "Qatar"),
    ("RO", "Romania"),
    ("RU", "Liên bang Nga"),
    ("RW", "Rwanda"),
    ("KN", "Saint Kitts và Nevis"),
    ("LC", "Saint Lucia"),
    ("VC", "Saint Vincent và Grenadines"),
    ("WS", "Samoa"),
    ("SM", "San Marino"),
    ("ST", "São Tomé và Príncipe"),
    ("SA", "Ả Rập Xê Út"),
    ("SN", "Senegal"),
    ("RS", "Serbia"),
    ("SC", "Seychelles"),
    ("SL", "Sierra Leone"),
    ("SG", "Singapore"),
    ("SK", "Slovakia"),
    ("SI", "Slovenia"),
    ("SB", "Quần đảo Solomon"),
    ("SO", "Somalia"),
    ("ZA", "Nam Phi"),
    ("SS", "Nam Sudan"),
    ("ES", "Tây Ban Nha"),
    ("LK", "Sri Lanka"),
    ("SD", "Sudan"),
    ("SR", "Suriname"),
    ("SE", "Thụy Điển"),
    ("CH", "Thụy Sĩ"),
    ("SY", "Syria"),
    ("TJ", "Tajikistan"),
    ("TZ", "Tanzania"),
    ("TH", "Thái Lan"),
    ("TL", "Timor-Leste"),
    ("TG", "Togo"),
    ("TO", "Tonga"),
    ("TT", "Trinidad và Tobago"),
    ("TN", "Tunisia"),
    ("TR", "Thổ Nhĩ Kỳ"),
    ("TM", "Turkmenistan"),
    ("TV", "Tuvalu"),
    ("UG", "Uganda"),
    ("UA", "Ukraina"),
    ("AE", "Các Tiểu vương quốc Ả Rập Thống nhất"),
    ("GB", "Vương quốc Anh"),
    ("US", "Hoa Kỳ"),
    ("UY", "Uruguay"),
    ("UZ", "Uzbekistan"),
    ("VU", "Vanuatu"),
    ("VA", "Tòa Thánh Vatican"),
    ("VE", "Venezuela"),
    ("YE", "Yemen"),
    ("ZM", "Zambia"),
    ("ZW", "Zimbabwe"),
    ("TW", "Đài Loan (Trung Quốc)"),
    ("HK", "Hồng Kông (Trung Quốc)"),
    ("MO", "Ma Cao (Trung Quốc)"),
)

# States that no longer exist but fill the registers of their time (ISO 3166-3 codes).
_FORMER = (
    ("SUHH", "Liên Xô"),
    ("CSHH", "Tiệp Khắc"),
    ("DDDE", "Cộng hòa Dân chủ Đức"),
    ("YUCS", "Nam Tư"),
)

QUOC_TICH = CodeList(
    "quoc_tich",
    (
        ("VN", "Việt Nam"),
        *sorted(_COUNTRIES, key=lambda item: fold(item[1])),
        *_FORMER,
        # ISO 3166 leaves XA-XZ to its users: XX stateless, XZ unknown here.
        ("XX", "Người không quốc tịch"),
        ("XZ", "Không có thông tin"),
    ),
    stored_as="label",
    aliases={
        "Vietnam": "Việt Nam",
        "Cộng hòa xã hội chủ nghĩa Việt Nam": "Việt Nam",
        "Mỹ": "Hoa Kỳ",
        "Hợp chủng quốc Hoa Kỳ": "Hoa Kỳ",
        "Nga": "Liên bang Nga",
        "Anh": "Vương quốc Anh",
        "Vương quốc Liên hiệp Anh và Bắc Ireland": "Vương quốc Anh",
        "Triều Tiên": "Cộng hòa Dân chủ Nhân dân Triều Tiên",
        "Bắc Triều Tiên": "Cộng hòa Dân chủ Nhân dân Triều Tiên",
        "Đại Hàn": "Hàn Quốc",
        "Đại Hàn Dân Quốc": "Hàn Quốc",
        "Nam Triều Tiên": "Hàn Quốc",
        "Cộng hòa Nhân dân Trung Hoa": "Trung Quốc",
        "Đài Loan": "Đài Loan (Trung Quốc)",
        "Nhật": "Nhật Bản",
        "Cam-pu-chia": "Campuchia",
        "Cămpuchia": "Campuchia",
        "Cộng hòa Dân chủ Nhân dân Lào": "Lào",
        "Thái-lan": "Thái Lan",
        "Ma-lai-xi-a": "Malaysia",
        "Xin-ga-po": "Singapore",
        "Xinh-ga-po": "Singapore",
        "In-đô-nê-xi-a": "Indonesia",
        "Phi-líp-pin": "Philippines",
        "Philippin": "Philippines",
        "Mi-an-ma": "Myanmar",
        "Miến Điện": "Myanmar",
        "Bru-nây": "Brunei",
        "Đông Timor": "Timor-Leste",
        "Úc": "Australia",
        "Ô-xtrây-li-a": "Australia",
        "Niu Di-lân": "New Zealand",
        "Ca-na-đa": "Canada",
        "Cu Ba": "Cuba",
        "Bra-xin": "Brazil",
        "Ác-hen-ti-na": "Argentina",
        "Mê-hi-cô": "Mexico",
        "Ý": "Italia",
        "Italy": "Italia",
        "I-ta-li-a": "Italia",
        "Cộng hòa Liên bang Đức": "Đức",
        "Cộng hòa Séc": "Séc",
        "Hung-ga-ri": "Hungary",
        "Bun-ga-ri": "Bulgaria",
        "Ru-ma-ni": "Romania",
        "Rumani": "Romania",
        "Ukraine": "Ukraina",
        "U-crai-na": "Ukraina",
        "Bê-la-rút": "Belarus",
        "Thụy Sỹ": "Thụy Sĩ",
        "Ai-len": "Ireland",
        "Ai-xơ-len": "Iceland",
        "Ả Rập Saudi": "Ả Rập Xê Út",
        "Saudi Arabia": "Ả Rập Xê Út",
        "UAE": "Các Tiểu vương quốc Ả Rập Thống nhất",
        "Li-băng": "Liban",
        "Lebanon": "Liban",
        "Ma-rốc": "Maroc",
        "Morocco": "Maroc",
        "Lithuania": "Litva",
        "Tchad": "Chad",
        "Bờ Biển Ngà": "Côte d'Ivoire",
        "Cape Verde": "Cabo Verde",
        "Georgia": "Gruzia",
        "Swaziland": "Eswatini",
        "Macedonia": "Bắc Macedonia",
        "Vatican": "Tòa Thánh Vatican",
        "Nhà nước Palestine": "Palestine",
        "Không quốc tịch": "Người không quốc tịch",
    },
)

BY_NAME: dict[str, CodeList] = {
    codes.name: codes
    for codes in (
        LOAI_DANG_KY_KS,
        LOAI_DANG_KY_KT,
        LOAI_DANG_KY_KH,
        LOAI_DANG_KY_CMC,
        GIOI_TINH,
        LOAI_GIAY_TO,
        LOAI_CU_TRU,
        LOAI_KHAI_SINH,
        TUYEN_BO,
        GBT_LOAI,
        TINH_TRANG_KET_HON,
        LOAI_XAC_NHAN,
        MUC_DICH_SU_DUNG,
        TINH_TRANG_HON_NHAN,
        DAN_TOC,
        QUOC_TICH,
    )
}
