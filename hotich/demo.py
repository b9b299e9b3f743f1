"""Demo data for the first run: one province's offices, accounts of every role, registers.

Everything is created through the services (so the audit trail of the demo is real) and only
once: running `hotich demo` again finds the demo province and leaves it as it is.
"""

from __future__ import annotations

import datetime as dt
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from hotich.accounts.models import Office, Role, User
from hotich.accounts.services import office_create, user_create
from hotich.core.synthetic import Synth
from hotich.registers.models import Assignment
from hotich.registers.services import register_assign, register_create
from hotich.units.loader import units_load
from hotich.units.models import AdminUnit

DEMO_PASSWORD = "hotich2025demo"
PROVINCE_OFFICE = "Sở Tư pháp tỉnh Nghệ An (mẫu)"

ACCOUNTS = [
    # username, role, office key, full name
    ("tinh.admin", Role.PROVINCE_ADMIN, "so", "Trần Thị Hồng Nhung"),
    ("tinh.thanhtra", Role.AUDITOR, "so", "Hoàng Văn Bình"),
    ("nghiloc.admin", Role.UNIT_ADMIN, "phong", "Nguyễn Văn Đức"),
    ("nghiloc.nhaplieu1", Role.OPERATOR, "phong", "Lê Thị Mai"),
    ("nghiloc.nhaplieu2", Role.OPERATOR, "phong", "Phạm Quang Huy"),
    ("nghiloc.kiemtra", Role.REVIEWER, "phong", "Đặng Thu Hà"),
    ("nghiloc.tracuu", Role.LOOKUP, "phong", "Võ Minh Tuấn"),
    ("xa.admin", Role.UNIT_ADMIN, "xa", "Hồ Thị Lan"),
    ("minhphat.nhaplieu", Role.OPERATOR, "nhathau", "Bùi Văn Toàn"),
    ("minhphat.kiemtra", Role.REVIEWER, "nhathau", "Ngô Thị Thảo"),
]


def _unit(era: str, level: str, name: str, parent: AdminUnit | None = None) -> AdminUnit | None:
    qs = AdminUnit.objects.filter(era=era, level=level, name=name)
    if parent is not None:
        qs = qs.filter(parent=parent)
    return qs.first()


def _office_name(commune: AdminUnit | None) -> str:
    if commune is None:
        return "UBND xã (mẫu)"
    kind = commune.kind or commune.name.split(" ")[0]
    return f"UBND {kind.lower()} {commune.name[len(kind) :].strip()}"


def _as_written(commune: AdminUnit) -> str:
    """How a commune register names its authority: "UBND xã X, huyện Y, tỉnh Z"."""
    parts = []
    unit: AdminUnit | None = commune
    while unit is not None:
        first, _, rest = unit.name.partition(" ")
        kind = unit.kind or first
        name = unit.name[len(kind) :].strip() if unit.name.startswith(kind) else rest
        parts.append(f"{kind.lower()} {name}")
        unit = unit.parent
    return "UBND " + ", ".join(parts)


@transaction.atomic
def demo_load(*, stdout: IO[str] | None = None, registers: int = 60) -> list[tuple[str, str, str]]:
    def say(message: str) -> None:
        if stdout:
            print(message, file=stdout, flush=True)

    if not AdminUnit.objects.exists():
        say("Đang nạp danh mục đơn vị hành chính (trước và sau 01/7/2025)…")
        units_load(stdout=stdout)
    if Office.objects.filter(name=PROVINCE_OFFICE).exists():
        say("Dữ liệu mẫu đã có sẵn.")
        return [(u, str(r.label), o) for u, r, o, _n in ACCOUNTS]

    say("Đang tạo dữ liệu mẫu…")
    province_now = _unit("2025", "province", "Tỉnh Nghệ An")
    province_then = _unit("legacy", "province", "Tỉnh Nghệ An")
    district = _unit("legacy", "district", "Huyện Nghi Lộc", province_then)
    communes = list(AdminUnit.objects.filter(parent=district).order_by("name")) if district else []
    commune_now = _unit("2025", "commune", "Xã Nghi Lộc", province_now) or (
        AdminUnit.objects.filter(era="2025", level="commune", parent=province_now).first()
    )

    offices: dict[str, Office] = {}
    offices["so"] = office_create(
        actor=None, name=PROVINCE_OFFICE, kind=Office.Kind.PROVINCE, parent=None, unit=province_now
    )
    offices["phong"] = office_create(
        actor=None,
        name="Phòng Tư pháp huyện Nghi Lộc (cũ)",
        kind=Office.Kind.DISTRICT,
        parent=offices["so"],
        unit=district,
    )
    offices["xa"] = office_create(
        actor=None,
        name=_office_name(commune_now),
        kind=Office.Kind.COMMUNE,
        parent=offices["phong"],
        unit=commune_now,
    )
    offices["nhathau"] = office_create(
        actor=None,
        name="Công ty CP Số hóa Minh Phát",
        kind=Office.Kind.CONTRACTOR,
        parent=offices["phong"],
    )

    today = timezone.localdate()
    users: dict[str, User] = {}
    for username, role, office_key, full_name in ACCOUNTS:
        contractor = offices[office_key].is_contractor
        users[username], _pw = user_create(
            actor=None,
            username=username,
            office=offices[office_key],
            role=role,
            full_name=full_name,
            password=DEMO_PASSWORD,
            must_change_password=False,
            contract_start=today - dt.timedelta(days=30) if contractor else None,
            contract_end=today + dt.timedelta(days=335) if contractor else None,
        )

    authorities = [(_as_written(c), c) for c in communes[:8]] or [
        ("UBND xã Nghi Thạch, huyện Nghi Lộc, tỉnh Nghệ An", None)
    ]
    admin = users["nghiloc.admin"]
    created = []
    specs = Synth(seed=2025).register_specs(
        registers,
        authorities=[(name, "commune") for name, _u in authorities],
        year_range=(1995, 2015),
    )
    for spec in specs:
        unit = authorities[spec.pop("authority_index")][1]
        at_commune = len(created) % 4 == 0
        custodian = offices["xa"] if at_commune else offices["phong"]
        actor = users["xa.admin"] if at_commune else admin
        try:
            created.append(
                register_create(
                    actor=actor, custodian=custodian, data={**spec, "authority_unit": unit}
                )
            )
        except ValidationError:
            continue  # a generated duplicate volume; the demo needs no exact count
    for i, register in enumerate(r for r in created if r.custodian == offices["phong"]):
        if i % 3 == 0:
            register_assign(
                actor=admin,
                register=register,
                task=Assignment.Task.KEYING,
                user=users["nghiloc.nhaplieu1"],
            )
        elif i % 3 == 1:
            register_assign(
                actor=admin,
                register=register,
                task=Assignment.Task.KEYING,
                office=offices["nhathau"],
            )
        if i % 5 == 0:
            register_assign(
                actor=admin,
                register=register,
                task=Assignment.Task.REVIEW,
                user=users["nghiloc.kiemtra"],
            )
    with_scans = [r for r in created if r.custodian == offices["phong"]][:2]
    pages = _demo_scans(admin, with_scans)
    keyed = _demo_records(users["nghiloc.nhaplieu1"], with_scans[0], count=4) if with_scans else 0
    births = [r for r in created if r.register_type == "KS" and r not in with_scans][:2]
    history = _demo_history(users, births)
    if history:
        # What the office's first run of the finders would leave: pairs and links to decide.
        from hotich.people.services import duplicates_find, person_links_propose

        duplicates_find(actor=users["tinh.admin"])
        person_links_propose(actor=users["tinh.admin"])
    say(
        f"Đã tạo {len(offices)} đơn vị, {len(users)} tài khoản, {len(created)} sổ, "
        f"{pages} trang scan mẫu, {keyed + history} trường hợp đã nhập."
    )
    return [(u, str(r.label), offices[o].name) for u, r, o, _n in ACCOUNTS]


def _demo_history(users: dict[str, User], registers: list[Any], per_register: int = 150) -> int:
    """Birth registers keyed in full (as an import of an earlier project's files would), part
    reviewed, a few returned, and a few cases keyed twice with keying errors, so that look-up,
    the reports and the duplicate finder have something to show."""
    from hotich.records.schema import record_type
    from hotich.records.services import ImportRow, record_bulk_import
    from hotich.records.validation import record_validate
    from hotich.review.services import record_return, record_verify

    rtype = record_type("KS")
    synth = Synth(seed=1976)
    rng = synth.rng
    operators = [users["nghiloc.nhaplieu1"], users["minhphat.nhaplieu"]]
    kept: list[dict[str, str]] = []
    total = 0
    for index, register in enumerate(registers):
        last = register.year_end or register.year_start
        events = sorted(
            (born + dt.timedelta(days=rng.randint(3, 40)), born)
            for born in (synth.birth_date((register.year_start, last)) for _ in range(per_register))
        )
        numbers: dict[int, int] = {}
        rows = []
        for registered, born in events:
            if registered.year > last:
                registered = dt.date(last, 12, 31)
            numbers[registered.year] = numbers.get(registered.year, 0) + 1
            sex = synth.sex()
            mother_year = born.year - rng.randint(18, 38)
            data = {
                "so": f"{numbers[registered.year]:02d}",
                "quyenSo": register.volume,
                "ngayDangKy": f"{registered:%d.%m.%Y}",
                "loaiDangKy": "1",
                "noiDangKy": register.authority_name,
                "nksHoTen": synth.person_name(sex, upper=True, year=born.year),
                "nksGioiTinh": str(sex),
                "nksNgaySinh": f"{born:%d.%m.%Y}",
                "nksNoiSinh": register.authority_name,
                "nksDanToc": synth.ethnicity(),
                "nksQuocTich": "Việt Nam",
                "meHoTen": synth.person_name(2, upper=True, year=mother_year),
                "meNgaySinh": str(mother_year),
                "meQuocTich": "Việt Nam",
                "meNoiCuTru": register.authority_name,
            }
            if rng.random() < 0.9:
                data["chaHoTen"] = synth.person_name(1, upper=True, year=mother_year - 3)
                data["chaNgaySinh"] = str(mother_year - rng.randint(0, 8))
                data["chaQuocTich"] = "Việt Nam"
            data["nycHoTen"] = data.get("chaHoTen") or data["meHoTen"]
            data["nycQuanHe"] = "Cha" if data.get("chaHoTen") else "Mẹ"
            if index == 0 and len(kept) < 4 and rng.random() < 0.05:
                kept.append(data)
            cleaned, issues = record_validate(rtype, register, data)
            rows.append(ImportRow(data=cleaned, issues=issues))
        if index == 0:
            # A few births keyed a second time further down, with keying errors.
            for data in kept:
                twin = {**data, "nksHoTen": synth.strip_diacritics(data["nksHoTen"])}
                twin["meHoTen"] = synth.typo(data["meHoTen"])
                cleaned, issues = record_validate(rtype, register, twin)
                rows.append(ImportRow(data=cleaned, issues=issues))
        record_bulk_import(actor=operators[index % 2], register=register, rows=rows)
        total += len(rows)
        reviewer = users["nghiloc.kiemtra"]
        for n, record in enumerate(register.records.filter(status="submitted").order_by("id")):
            if n % 3 == 0:
                record_verify(actor=reviewer, record=record)
            elif n % 17 == 1:
                record_return(
                    actor=reviewer,
                    record=record,
                    comments=[("nksNgaySinh", "Ngày sinh không khớp với bản scan.")],
                )
    return total


SEX_OF_ROLE = {"husband": 1, "father": 1, "adoptive_father": 1, "wife": 2, "mother": 2}


def _demo_records(actor: User, register: Any, *, count: int) -> int:
    """Key the first scanned cases of a register, so the keying screen opens on real work:
    the required fields and the people's names, from the synthetic generator."""
    from hotich.core.synthetic import Synth
    from hotich.records.queries import register_records
    from hotich.records.schema import Kind, record_type
    from hotich.records.services import record_save

    rtype = record_type(register.register_type)
    synth = Synth(seed=register.pk)
    keyed = 0
    for record in register_records(register)[:count]:
        when = record.registration_date or dt.date(register.year_start, 1, 1)
        data: dict[str, str] = {"so": record.number, "ngayDangKy": f"{when:%d.%m.%Y}"}
        for f in rtype.keyed_fields:
            if f.key in data or not (f.required or f.attr in ("name", "sex", "birth")):
                continue
            if f.kind == Kind.NAME:
                sex = SEX_OF_ROLE.get(f.role) or synth.sex()
                data[f.key] = synth.person_name(sex, upper=True, year=when.year)
            elif f.kind == Kind.DATE:
                born = when - dt.timedelta(days=20 if rtype.event_date == f.key else 9000)
                data[f.key] = f"{born:%d.%m.%Y}"
            elif f.kind == Kind.CODE and f.codes is not None:
                data[f.key] = f.codes.items[0][0] if f.codes.stored_as == "code" else ""
            elif f.kind == Kind.PLACE:
                data[f.key] = register.authority_name
            else:
                data[f.key] = "01" if f.kind == Kind.NUMBER else "—"
        data.update({"quyenSo": register.volume, "noiDangKy": register.authority_name})
        if rtype.code == "KS":
            data.update({"loaiDangKy": "1", "nksDanToc": "Kinh", "nksQuocTich": "Việt Nam"})
        record_save(actor=actor, register=register, record=record, raw=data)
        keyed += 1
    return keyed


def _demo_scans(actor: User, registers: list[Any]) -> int:
    """A few case scans named by the convention, so the viewer and linking show something."""
    import io

    from hotich.core.jobs import job_run
    from hotich.scans.demo_pages import demo_case_pdf
    from hotich.scans.services import scan_batch_create

    pages = 0
    for register in registers:
        files = []
        for n in range(1, 7):
            day = dt.date(register.year_start, 1 + n, 3 + n)
            name = f"{register.code}.{day:%Y-%m-%d}.{n:02d}.pdf"
            data = demo_case_pdf(number=f"{n:02d}", date_text=f"{day:%d/%m/%Y}", seed=n)
            files.append((name, io.BytesIO(data)))
        batch = scan_batch_create(actor=actor, register=register, files=files, source="demo")
        if batch.job and batch.job.status == "queued":
            job_run(batch.job.pk)
        pages += len(files)
    return pages


def demo_print(accounts: list[Any], *, host: str, port: int, stdout: IO[str]) -> None:
    line = "─" * 78
    print(line, file=stdout)
    print(f"Tài khoản mẫu / demo accounts (mật khẩu / password: {DEMO_PASSWORD})", file=stdout)
    for username, role, office in accounts:
        print(f"  {username:<20} {role:<22} {office}", file=stdout)
    print(line, file=stdout)
    shown = "127.0.0.1" if host in {"0.0.0.0", ""} else host
    print(
        f"Mở trình duyệt tại / open: http://{shown}:{port}   (Ctrl+C để dừng / to stop)",
        file=stdout,
        flush=True,
    )
