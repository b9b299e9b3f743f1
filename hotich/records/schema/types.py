"""One declaration per register type: the Ministry's columns in the Ministry's order (SPEC §5.3),
and the forms this product defines for registers with no known template (SPEC §5.1).

Each column is resolved from its name: first the type's own fields, then the columns every type
shares, then a person prefix ("nks", "me", "chong", ...) and a suffix ("HoTen", "NgaySinh", ...).
Adding a register type is adding a `RecordType` below.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hotich.records.schema import codes as c
from hotich.records.schema.fields import Field, Kind, Role, Section

ROLES: dict[str, Role] = {
    r.prefix: r
    for r in (
        Role("registered", _("Người được khai sinh"), "nks"),
        Role("mother", _("Mẹ"), "me"),
        Role("father", _("Cha"), "cha"),
        Role("declarant", _("Người yêu cầu"), "nyc"),
        Role("husband", _("Chồng"), "chong"),
        Role("wife", _("Vợ"), "vo"),
        Role("deceased", _("Người chết"), "nkt"),
        Role("parent", _("Cha, mẹ (bên nhận)"), "cm"),
        Role("child", _("Con"), "nc"),
        Role("subject", _("Người được xác nhận"), "nxn"),
        Role("adoptee", _("Con nuôi"), "conNuoi"),
        Role("adoptive_father", _("Cha nuôi"), "chaNuoi"),
        Role("adoptive_mother", _("Mẹ nuôi"), "meNuoi"),
        Role("guardian", _("Người giám hộ"), "ngh"),
        Role("ward", _("Người được giám hộ"), "dgh"),
        Role("changed", _("Người được thay đổi, cải chính"), "ntd"),
    )
}
# Longest prefix first, so "chaNuoi" is not read as "cha" + "NuoiHoTen".
_PREFIXES = sorted(ROLES, key=len, reverse=True)

SECTIONS = {
    "registration": Section("registration", _("Thông tin đăng ký")),
    "death_notice": Section("death_notice", _("Giấy báo tử")),
    "decision": Section("decision", _("Nội dung, căn cứ")),
    "foreign": Section("foreign", _("Đã đăng ký ở nước ngoài")),
}

# Columns every type shares (as far as it has them).
_COMMON = {
    f.key: f
    for f in (
        Field("STT", _("STT"), Kind.SERIAL),
        Field("so", _("Số đăng ký"), Kind.NUMBER, required=True, max_length=20),
        Field("quyenSo", _("Quyển số"), Kind.NUMBER, carry=True, max_length=30),
        Field("trangSo", _("Trang số"), Kind.NUMBER, carry=True, max_length=20),
        Field("ngayDangKy", _("Ngày đăng ký"), Kind.DATE, required=True, carry=True),
        Field("noiDangKy", _("Nơi đăng ký"), Kind.PLACE, required=True, carry=True),
        Field("noiCap", _("Nơi cấp"), Kind.PLACE, required=True, carry=True),
        Field("nguoiKy", _("Người ký"), Kind.TEXT, carry=True),
        Field("chucVuNguoiKy", _("Chức vụ người ký"), Kind.TEXT, carry=True),
        Field("nguoiThucHien", _("Người thực hiện"), Kind.TEXT, carry=True),
        Field("ghiChu", _("Ghi chú"), Kind.LONGTEXT, max_length=2000),
        Field("soDangKyNuocNgoai", _("Số đăng ký ở nước ngoài"), section="foreign"),
        Field("ngayDangKyNuocNgoai", _("Ngày đăng ký ở nước ngoài"), Kind.DATE, section="foreign"),
        Field("cqNuocNgoaiDaDangKy", _("Cơ quan nước ngoài đã đăng ký"), section="foreign"),
        Field(
            "qgNuocNgoaiDaDangKy",
            _("Quốc gia đã đăng ký"),
            Kind.CODE,
            codes=c.QUOC_TICH,
            section="foreign",
        ),
    )
}

# Suffix -> (party attribute, kind, label, code list). The attribute names are the Party model's.
_SUFFIXES: dict[str, tuple[str, Kind, str | Promise, c.CodeList | None]] = {
    "SoDinhDanh": ("pid", Kind.ID, _("Số định danh cá nhân"), None),
    "SoDinhDanhCaNhan": ("pid", Kind.ID, _("Số định danh cá nhân"), None),
    "HoTen": ("name", Kind.NAME, _("Họ, chữ đệm, tên"), None),
    "GioiTinh": ("sex", Kind.CODE, _("Giới tính"), c.GIOI_TINH),
    "NgaySinh": ("birth", Kind.DATE, _("Ngày, tháng, năm sinh"), None),
    "NgaySinhBangChu": ("", Kind.TEXT, _("Ngày sinh bằng chữ"), None),
    "NoiSinh": ("birthplace", Kind.PLACE, _("Nơi sinh"), None),
    "NoiSinhDVHC": ("", Kind.PLACE, _("Nơi sinh (đơn vị hành chính)"), None),
    "QueQuan": ("hometown", Kind.PLACE, _("Quê quán"), None),
    "DanToc": ("ethnicity", Kind.CODE, _("Dân tộc"), c.DAN_TOC),
    "QuocTich": ("nationality", Kind.CODE, _("Quốc tịch"), c.QUOC_TICH),
    "QuocTichKhac": ("", Kind.CODE, _("Quốc tịch khác"), c.QUOC_TICH),
    "LoaiCuTru": ("", Kind.CODE, _("Loại cư trú"), c.LOAI_CU_TRU),
    "NoiCuTru": ("residence", Kind.PLACE, _("Nơi cư trú"), None),
    "LoaiGiayToTuyThan": ("id_type", Kind.CODE, _("Loại giấy tờ tùy thân"), c.LOAI_GIAY_TO),
    "GiayToKhac": ("", Kind.TEXT, _("Giấy tờ khác"), None),
    "SoGiayToTuyThan": ("id_number", Kind.ID, _("Số giấy tờ tùy thân"), None),
    "NgayCapGiayToTuyThan": ("", Kind.DATE, _("Ngày cấp giấy tờ"), None),
    "NoiCapGiayToTuyThan": ("", Kind.TEXT, _("Nơi cấp giấy tờ"), None),
    "QuanHe": ("relation", Kind.TEXT, _("Quan hệ với người được đăng ký"), None),
}


def _person(prefix: str, suffix: str) -> Field | None:
    if suffix.endswith("Str") and suffix[:-3] in _SUFFIXES:
        return Field(
            prefix + suffix,
            _("%(label)s (chữ)") % {"label": _SUFFIXES[suffix[:-3]][2]},
            Kind.COPY,
            role=ROLES[prefix].key,
            section=ROLES[prefix].key,
            source=prefix + suffix[:-3],
        )
    if suffix not in _SUFFIXES:
        return None
    attr, kind, label, codes = _SUFFIXES[suffix]
    digits = (12,) if suffix.startswith("SoDinhDanh") else ()
    role = ROLES[prefix].key
    return Field(
        prefix + suffix, label, kind, codes, role=role, attr=attr, section=role, digits=digits
    )


def _resolve(key: str, own: dict[str, Field]) -> Field:
    if key in own:
        return own[key]
    if key in _COMMON:
        return _COMMON[key]
    for prefix in _PREFIXES:
        if key.startswith(prefix) and key[len(prefix) : len(prefix) + 1].isupper():
            found = _person(prefix, key[len(prefix) :])
            if found:
                return found
    raise LookupError(f"column {key!r} is not declared")


@dataclass(frozen=True)
class RecordType:
    code: str
    label: str | Promise
    #: True: columns exactly as the Ministry's import template; False: this product's own form.
    ministry: bool
    column_names: tuple[str, ...]
    own_fields: tuple[Field, ...] = ()
    #: required person fields beyond the common ones ("nksHoTen", ...).
    required: tuple[str, ...] = ()
    #: the roles whose names head the record ("KHAI SINH: NGUYỄN VĂN A").
    headline: tuple[str, ...] = ()
    #: the date the event happened (birth, death), compared with the registration date.
    event_date: str = ""
    #: columns missing from an older revision of the template (KS: 60 columns).
    older_revision_lacks: tuple[str, ...] = ()
    #: columns a variant of the template adds, and after which column (CMC: the children's sex).
    variant_adds: tuple[tuple[str, str], ...] = field(default=())

    @cached_property
    def fields(self) -> tuple[Field, ...]:
        own = {f.key: f for f in self.own_fields}
        out = []
        for key in self.column_names:
            f = _resolve(key, own)
            if key in self.required and not f.required:
                f = replace(f, required=True)
            out.append(f)
        return tuple(out)

    @cached_property
    def by_key(self) -> dict[str, Field]:
        found = {f.key: f for f in self.fields}
        own = {f.key: f for f in self.own_fields}
        for key, _after in self.variant_adds:
            found.setdefault(key, _resolve(key, own))
        return found

    @cached_property
    def keyed_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.keyed)

    @cached_property
    def roles(self) -> tuple[Role, ...]:
        seen: dict[str, Role] = {}
        by_key = {r.key: r for r in ROLES.values()}
        for f in self.fields:
            if f.role and f.role not in seen:
                seen[f.role] = by_key[f.role]
        return tuple(seen.values())

    def sections(self) -> list[tuple[Section, list[Field]]]:
        """Keyed fields grouped by section, in column order (a section may recur)."""
        by_role = {r.key: Section(r.key, r.label) for r in self.roles}
        groups: list[tuple[Section, list[Field]]] = []
        for f in self.keyed_fields:
            section = by_role.get(f.section) or SECTIONS[f.section]
            if groups and groups[-1][0].key == section.key:
                groups[-1][1].append(f)
            else:
                groups.append((section, [f]))
        return groups

    @property
    def carry_keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.keyed_fields if f.carry)


def _cols(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.replace("\n", " ").split(",") if part.strip())


def _code(key: str, label: str | Promise, codes: c.CodeList, **kw: object) -> Field:
    return Field(key, label, Kind.CODE, codes, **kw)  # type: ignore[arg-type]


def _of(
    role: str,
    key: str,
    label: str | Promise,
    kind: Kind = Kind.TEXT,
    codes: c.CodeList | None = None,
    **kw: Any,
) -> Field:
    """A field about one person of the record that is not one of the shared person columns."""
    return Field(key, label, kind, codes, role=role, section=role, **kw)


_LOAI = _("Loại đăng ký")
_DECLARATION = _("Tuyên bố")

KS = RecordType(
    "KS",
    _("Khai sinh"),
    ministry=True,
    column_names=_cols("""
        STT, so, quyenSo, trangSo, ngayDangKy, loaiDangKy, noiDangKy, nguoiKy, chucVuNguoiKy,
        nguoiThucHien, ghiChu, nksSoDinhDanh, nksHoTen, nksGioiTinh, nksNgaySinh,
        nksNgaySinhBangChu, nksNoiSinh, nksNoiSinhDVHC, nksQueQuan, nksDanToc, nksQuocTich,
        nksQuocTichStr, nksQuocTichKhac, nksQuocTichKhacStr, nksLoaiKhaiSinh, nksMatTich,
        nksMatTichNgayGhiChuTuyenBo, nksMatTichCanCuTuyenBo, nksMatTichNgayGhiChuHuyTuyenBo,
        nksMatTichCanCuHuyTuyenBo, nksHanCheNangLucHanhVi, nksHanCheNangLucHanhViNgayGhiChuTuyenBo,
        nksHanCheNangLucHanhViCanCuTuyenBo, nksHanCheNangLucHanhViNgayGhiChuHuyTuyenBo,
        nksHanCheNangLucHanhViNgayCanCuHuyTuyenBo, meSoDinhDanhCaNhan, meHoTen, meNgaySinh,
        meDanToc, meQuocTich, meQuocTichStr, meQuocTichKhac, meQuocTichKhacStr, meLoaiCuTru,
        meNoiCuTru, meLoaiGiayToTuyThan, meSoGiayToTuyThan, chaSoDinhDanhCaNhan, chaHoTen,
        chaNgaySinh, chaDanToc, chaQuocTich, chaQuocTichStr, chaQuocTichKhac, chaQuocTichKhacStr,
        chaLoaiCuTru, chaNoiCuTru, chaLoaiGiayToTuyThan, chaSoGiayToTuyThan, nycHoTen, nycQuanHe,
        nycLoaiGiayToTuyThan, nycGiayToKhac, nycSoGiayToTuyThan, nycNgayCapGiayToTuyThan,
        nycNoiCapGiayToTuyThan, soDangKyNuocNgoai, ngayDangKyNuocNgoai, cqNuocNgoaiDaDangKy,
        qgNuocNgoaiDaDangKy"""),
    own_fields=(
        _code("loaiDangKy", _LOAI, c.LOAI_DANG_KY_KS, carry=True),
        _of("registered", "nksLoaiKhaiSinh", _("Loại khai sinh"), Kind.CODE, c.LOAI_KHAI_SINH),
        _of("registered", "nksMatTich", _("Mất tích"), Kind.CODE, c.TUYEN_BO),
        _of(
            "registered",
            "nksMatTichNgayGhiChuTuyenBo",
            _("Mất tích: ngày ghi chú tuyên bố"),
            Kind.DATE,
        ),
        _of("registered", "nksMatTichCanCuTuyenBo", _("Mất tích: căn cứ tuyên bố")),
        _of(
            "registered",
            "nksMatTichNgayGhiChuHuyTuyenBo",
            _("Mất tích: ngày ghi chú hủy tuyên bố"),
            Kind.DATE,
        ),
        _of("registered", "nksMatTichCanCuHuyTuyenBo", _("Mất tích: căn cứ hủy tuyên bố")),
        _of(
            "registered",
            "nksHanCheNangLucHanhVi",
            _("Hạn chế năng lực hành vi dân sự"),
            Kind.CODE,
            c.TUYEN_BO,
        ),
        _of(
            "registered",
            "nksHanCheNangLucHanhViNgayGhiChuTuyenBo",
            _("Hạn chế NLHV: ngày ghi chú tuyên bố"),
            Kind.DATE,
        ),
        _of("registered", "nksHanCheNangLucHanhViCanCuTuyenBo", _("Hạn chế NLHV: căn cứ tuyên bố")),
        _of(
            "registered",
            "nksHanCheNangLucHanhViNgayGhiChuHuyTuyenBo",
            _("Hạn chế NLHV: ngày ghi chú hủy tuyên bố"),
            Kind.DATE,
        ),
        _of(
            "registered",
            "nksHanCheNangLucHanhViNgayCanCuHuyTuyenBo",
            _("Hạn chế NLHV: căn cứ hủy tuyên bố"),
        ),
    ),
    required=("nksHoTen", "nksGioiTinh", "nksNgaySinh"),
    headline=("registered",),
    event_date="nksNgaySinh",
    older_revision_lacks=(
        "STT",
        "nksSoDinhDanh",
        "meSoDinhDanhCaNhan",
        "chaSoDinhDanhCaNhan",
        "nksQuocTichStr",
        "nksQuocTichKhacStr",
        "meQuocTichStr",
        "meQuocTichKhacStr",
        "chaQuocTichStr",
        "chaQuocTichKhacStr",
    ),
)

KH = RecordType(
    "KH",
    _("Kết hôn"),
    ministry=True,
    column_names=_cols("""
        so, quyenSo, trangSo, ngayDangKy, loaiDangKy, noiDangKy, nguoiKy, chucVuNguoiKy,
        ngayXacLapQuanHeHonNhan, nguoiThucHien, ghiChu, tinhTrangKetHon, huyKetHonNgayGhiChu,
        huyKetHonCanCu, congNhanKetHonNgayGhiChu, congNhanKetHonCanCu, chongHoTen, chongNgaySinh,
        chongDanToc, chongQuocTich, chongQuocTichKhac, chongLoaiCuTru, chongNoiCuTru,
        chongLoaiGiayToTuyThan, chongGiayToKhac, chongSoGiayToTuyThan, chongNgayCapGiayToTuyThan,
        chongNoiCapGiayToTuyThan, voHoTen, voNgaySinh, voDanToc, voQuocTich, voQuocTichKhac,
        voLoaiCuTru, voNoiCuTru, voLoaiGiayToTuyThan, voGiayToKhac, voSoGiayToTuyThan,
        voNgayCapGiayToTuyThan, voNoiCapGiayToTuyThan, soDangKyNuocNgoai, ngayDangKyNuocNgoai,
        cqNuocNgoaiDaDangKy, qgNuocNgoaiDaDangKy"""),
    own_fields=(
        _code("loaiDangKy", _LOAI, c.LOAI_DANG_KY_KH, carry=True),
        Field("ngayXacLapQuanHeHonNhan", _("Ngày xác lập quan hệ hôn nhân"), Kind.DATE),
        _code("tinhTrangKetHon", _("Tình trạng kết hôn"), c.TINH_TRANG_KET_HON),
        Field("huyKetHonNgayGhiChu", _("Hủy kết hôn: ngày ghi chú"), Kind.DATE),
        Field("huyKetHonCanCu", _("Hủy kết hôn: căn cứ")),
        Field("congNhanKetHonNgayGhiChu", _("Công nhận kết hôn: ngày ghi chú"), Kind.DATE),
        Field("congNhanKetHonCanCu", _("Công nhận kết hôn: căn cứ")),
    ),
    required=("chongHoTen", "voHoTen"),
    headline=("husband", "wife"),
)

KT = RecordType(
    "KT",
    _("Khai tử"),
    ministry=True,
    column_names=_cols("""
        so, quyenSo, trangSo, ngayDangKy, loaiDangKy, noiDangKy, nguoiKy, chucVuNguoiKy,
        nguoiThucHien, ghiChu, nktHoTen, nktGioiTinh, nktNgaySinh, nktDanToc, nktQuocTich,
        nktQuocTichKhac, nktLoaiCuTru, nktNoiCuTru, nktLoaiGiayToTuyThan, nktGiayToKhac,
        nktSoGiayToTuyThan, nktNgayCapGiayToTuyThan, nktNoiCapGiayToTuyThan, nktNgayChet,
        nktNgayChetGhiBangChu, nktGioPhutChet, nktNoiChet, nktNguyenNhanChet,
        nktTinhTrangTuyenBoViecChet, nktNgayGhiChuTuyenBoViecChet, nktCanCuTuyenBoViecChet,
        nktNgayGhiChuHuyTuyenBoViecChet, nktCanCuHuyTuyenBoViecChet, gbtLoai, gbtSo, gbtNgay,
        gbtCoQuanCap, nycHoTen, nycQuanHe, nycLoaiGiayToTuyThan, nycGiayToKhac,
        nycSoGiayToTuyThan, nycNgayCapGiayToTuyThan, nycNoiCapGiayToTuyThan, soDangKyNuocNgoai,
        ngayDangKyNuocNgoai, cqNuocNgoaiDaDangKy, qgNuocNgoaiDaDangKy"""),
    own_fields=(
        _code("loaiDangKy", _LOAI, c.LOAI_DANG_KY_KT, carry=True),
        _of("deceased", "nktNgayChet", _("Ngày chết"), Kind.DATE, required=True, attr="death"),
        _of("deceased", "nktNgayChetGhiBangChu", _("Ngày chết bằng chữ")),
        _of("deceased", "nktGioPhutChet", _("Giờ, phút chết"), Kind.TIME, max_length=10),
        _of("deceased", "nktNoiChet", _("Nơi chết"), Kind.PLACE),
        _of("deceased", "nktNguyenNhanChet", _("Nguyên nhân chết")),
        _of(
            "deceased",
            "nktTinhTrangTuyenBoViecChet",
            _("Tuyên bố việc chết"),
            Kind.CODE,
            c.TUYEN_BO,
        ),
        _of("deceased", "nktNgayGhiChuTuyenBoViecChet", _("Ngày ghi chú tuyên bố chết"), Kind.DATE),
        _of("deceased", "nktCanCuTuyenBoViecChet", _("Căn cứ tuyên bố chết")),
        _of(
            "deceased",
            "nktNgayGhiChuHuyTuyenBoViecChet",
            _("Ngày ghi chú hủy tuyên bố chết"),
            Kind.DATE,
        ),
        _of("deceased", "nktCanCuHuyTuyenBoViecChet", _("Căn cứ hủy tuyên bố chết")),
        _code("gbtLoai", _("Loại giấy báo tử"), c.GBT_LOAI, section="death_notice"),
        Field("gbtSo", _("Số giấy báo tử"), section="death_notice"),
        Field("gbtNgay", _("Ngày cấp giấy báo tử"), Kind.DATE, section="death_notice"),
        Field("gbtCoQuanCap", _("Cơ quan cấp giấy báo tử"), section="death_notice"),
    ),
    required=("nktHoTen",),
    headline=("deceased",),
    event_date="nktNgayChet",
)

CMC = RecordType(
    "CMC",
    _("Nhận cha, mẹ, con"),
    ministry=True,
    column_names=_cols("""
        so, quyenSo, trangSo, quyetDinhSo, ngayDangKy, loaiDangKy, loaiXacNhan, noiDangKy,
        nguoiKy, chucVuNguoiKy, nguoiThucHien, ghiChu, cmHoTen, cmNgaySinh, cmDanToc,
        cmQuocTich, cmQuocTichKhac, cmQueQuan, cmLoaiCuTru, cmNoiCuTru, cmLoaiGiayToTuyThan,
        cmGiayToKhac, cmSoGiayToTuyThan, cmNgayCapGiayToTuyThan, cmNoiCapGiayToTuyThan, ncHoTen,
        ncNgaySinh, ncDanToc, ncQuocTich, ncQuocTichKhac, ncQueQuan, ncLoaiCuTru, ncNoiCuTru,
        ncLoaiGiayToTuyThan, ncGiayToKhac, ncSoGiayToTuyThan, ncNgayCapGiayToTuyThan,
        ncNoiCapGiayToTuyThan, nycHoTen, nycQHNguoiDuocNhan, nycQHNguoiNhan,
        nycLoaiGiayToTuyThan, nycGiayToKhac, nycSoGiayToTuyThan, nycNgayCapGiayToTuyThan,
        nycNoiCapGiayToTuyThan, soDangKyNuocNgoai, ngayDangKyNuocNgoai, cqNuocNgoaiDaDangKy,
        qgNuocNgoaiDaDangKy"""),
    own_fields=(
        Field("quyetDinhSo", _("Số quyết định"), carry=False),
        _code("loaiDangKy", _LOAI, c.LOAI_DANG_KY_CMC, carry=True),
        _code("loaiXacNhan", _("Loại xác nhận"), c.LOAI_XAC_NHAN, required=True),
        _of("declarant", "nycQHNguoiDuocNhan", _("Quan hệ với người được nhận")),
        _of("declarant", "nycQHNguoiNhan", _("Quan hệ với người nhận")),
    ),
    required=("cmHoTen", "ncHoTen"),
    headline=("parent", "child"),
    variant_adds=(("cmGioiTinh", "cmHoTen"), ("ncGioiTinh", "ncHoTen")),
)

HN = RecordType(
    "HN",
    _("Xác nhận tình trạng hôn nhân"),
    ministry=True,
    column_names=_cols("""
        so, quyenSo, trangSo, ngayDangKy, noiCap, nguoiKy, chucVuNguoiKy, nguoiThucHien, ghiChu,
        nxnHoTen, nxnGioiTinh, nxnNgaySinh, nxnDanToc, nxnQuocTich, nxnQuocTichKhac,
        nxnLoaiCuTru, nxnNoiCuTru, nxnLoaiGiayToTuyThan, nxnGiayToKhac, nxnSoGiayToTuyThan,
        nxnNgayCapGiayToTuyThan, nxnNoiCapGiayToTuyThan, nxnThoiGianCuTruTai,
        nxnThoiGianCuTruTu, nxnThoiGianCuTruDen, nxnTinhTrangHonNhan, nxnLoaiMucDichSuDung,
        nxnMucDichSuDung, nycHoTen, nycQuanHe, nycLoaiGiayToTuyThan, nycGiayToKhac,
        nycSoGiayToTuyThan, nycNgayCapGiayToTuyThan, nycNoiCapGiayToTuyThan"""),
    own_fields=(
        _of("subject", "nxnThoiGianCuTruTai", _("Thời gian cư trú tại"), Kind.PLACE),
        _of("subject", "nxnThoiGianCuTruTu", _("Cư trú từ ngày"), Kind.DATE),
        _of("subject", "nxnThoiGianCuTruDen", _("Cư trú đến ngày"), Kind.DATE),
        _of(
            "subject",
            "nxnTinhTrangHonNhan",
            _("Tình trạng hôn nhân"),
            Kind.CODE,
            c.TINH_TRANG_HON_NHAN,
        ),
        _of(
            "subject",
            "nxnLoaiMucDichSuDung",
            _("Loại mục đích sử dụng"),
            Kind.CODE,
            c.MUC_DICH_SU_DUNG,
        ),
        _of("subject", "nxnMucDichSuDung", _("Mục đích sử dụng")),
    ),
    required=("nxnHoTen",),
    headline=("subject",),
)

# ---- This product's own forms (no Ministry template is known; SPEC §5.1) ----------------------

_REG_HEAD = (
    "so, quyenSo, trangSo, ngayDangKy, loaiViec, noiDangKy, nguoiKy, chucVuNguoiKy, "
    "nguoiThucHien, ghiChu"
)
_SPOUSE = "HoTen, NgaySinh, DanToc, QuocTich, NoiCuTru, LoaiGiayToTuyThan, SoGiayToTuyThan"
_PERSON = (
    "HoTen, GioiTinh, NgaySinh, DanToc, QuocTich, NoiCuTru, LoaiGiayToTuyThan, SoGiayToTuyThan"
)


# Code lists of this product's own forms.
LOAI_VIEC_NCN = c.CodeList(
    "loai_viec_ncn",
    (
        ("1", "Đăng ký nuôi con nuôi"),
        ("2", "Đăng ký lại việc nuôi con nuôi"),
        ("3", "Ghi vào sổ việc nuôi con nuôi đã đăng ký ở nước ngoài"),
        ("4", "Chấm dứt việc nuôi con nuôi"),
    ),
)
LOAI_VIEC_GH = c.CodeList(
    "loai_viec_gh", (("1", "Đăng ký giám hộ"), ("2", "Đăng ký chấm dứt giám hộ"))
)
LOAI_VIEC_TD = c.CodeList(
    "loai_viec_td",
    (
        ("1", "Thay đổi hộ tịch"),
        ("2", "Cải chính hộ tịch"),
        ("3", "Bổ sung hộ tịch"),
        ("4", "Xác định lại dân tộc"),
        ("5", "Xác định lại giới tính"),
    ),
)
LOAI_VIEC_LH = c.CodeList(
    "loai_viec_lh", (("1", "Ly hôn"), ("2", "Hủy việc kết hôn trái pháp luật"))
)


def _people(prefix: str, suffixes: str = _PERSON) -> str:
    return ", ".join(prefix + s.strip() for s in suffixes.split(","))


NCN = RecordType(
    "NCN",
    _("Nuôi con nuôi"),
    ministry=False,
    column_names=_cols(
        ", ".join(
            (
                _REG_HEAD,
                _people("conNuoi", _PERSON + ", NoiSinh"),
                _people("chaNuoi"),
                _people("meNuoi"),
                "quyetDinhSo, ngayGiaoNhan",
            )
        )
    ),
    own_fields=(
        _code("loaiViec", _("Loại việc"), LOAI_VIEC_NCN, carry=True),
        Field("quyetDinhSo", _("Số quyết định, văn bản"), section="decision"),
        Field("ngayGiaoNhan", _("Ngày giao nhận con nuôi"), Kind.DATE, section="decision"),
    ),
    required=("conNuoiHoTen",),
    headline=("adoptee",),
)

GH = RecordType(
    "GH",
    _("Giám hộ, chấm dứt giám hộ"),
    ministry=False,
    column_names=_cols(
        ", ".join(
            (
                _REG_HEAD,
                _people("dgh", _PERSON + ", NoiSinh"),
                _people("ngh"),
                "canCu, lyDoChamDut",
            )
        )
    ),
    own_fields=(
        _code("loaiViec", _("Loại việc"), LOAI_VIEC_GH, required=True, carry=True),
        Field("canCu", _("Căn cứ"), section="decision"),
        Field("lyDoChamDut", _("Lý do chấm dứt giám hộ"), section="decision"),
    ),
    required=("dghHoTen", "nghHoTen"),
    headline=("ward",),
)

TD = RecordType(
    "TD",
    _("Thay đổi, cải chính, bổ sung hộ tịch"),
    ministry=False,
    column_names=_cols(
        ", ".join(
            (
                _REG_HEAD,
                _people("ntd"),
                "giayToHoTich, noiDungTruoc, noiDungSau, canCu",
                _people("nyc", "HoTen, QuanHe, LoaiGiayToTuyThan, SoGiayToTuyThan"),
            )
        )
    ),
    own_fields=(
        _code("loaiViec", _("Loại việc"), LOAI_VIEC_TD, required=True),
        Field(
            "giayToHoTich", _("Giấy tờ hộ tịch được thay đổi (loại, số, ngày)"), section="decision"
        ),
        Field(
            "noiDungTruoc",
            _("Nội dung trước khi thay đổi"),
            Kind.LONGTEXT,
            section="decision",
            max_length=2000,
        ),
        Field(
            "noiDungSau",
            _("Nội dung sau khi thay đổi"),
            Kind.LONGTEXT,
            required=True,
            section="decision",
            max_length=2000,
        ),
        Field("canCu", _("Căn cứ"), section="decision"),
    ),
    required=("ntdHoTen",),
    headline=("changed",),
)

LH = RecordType(
    "LH",
    _("Ghi chú ly hôn, hủy việc kết hôn"),
    ministry=False,
    column_names=_cols(
        ", ".join(
            (
                _REG_HEAD,
                _people("chong", _SPOUSE),
                _people("vo", _SPOUSE),
                "banAnSo, banAnNgay, coQuanGiaiQuyet, qgCoQuanGiaiQuyet",
            )
        )
    ),
    own_fields=(
        _code("loaiViec", _("Loại việc"), LOAI_VIEC_LH, required=True),
        Field("banAnSo", _("Số bản án, quyết định"), required=True, section="decision"),
        Field("banAnNgay", _("Ngày bản án, quyết định"), Kind.DATE, section="decision"),
        Field("coQuanGiaiQuyet", _("Cơ quan giải quyết"), section="decision"),
        _code(
            "qgCoQuanGiaiQuyet",
            _("Quốc gia của cơ quan giải quyết"),
            c.QUOC_TICH,
            section="decision",
        ),
    ),
    required=("chongHoTen", "voHoTen"),
    headline=("husband", "wife"),
)

RECORD_TYPES: dict[str, RecordType] = {t.code: t for t in (KS, KH, KT, CMC, HN, NCN, GH, TD, LH)}


def record_type(code: str) -> RecordType:
    return RECORD_TYPES[code]
