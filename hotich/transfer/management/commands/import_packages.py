"""`hotich import-packages DIR`: bring a folder of deliverable packages into the registers.

Each `<TYPE>.<YEAR>.<VOLUME>.xlsx` (SPEC §6) is imported into the register of that type, year,
volume and registering authority held by the office (created when there is none; an ambiguous
match is refused, naming the candidates); the `.zip` beside it goes to scan
intake, where each PDF is linked to its row by its file name. A summary line per register.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from hotich.accounts.models import Office, User
from hotich.core.jobs import job_run
from hotich.core.text import fold
from hotich.registers.domain import RegisterType
from hotich.registers.models import Register
from hotich.registers.services import register_create
from hotich.scans.models import ScanFile
from hotich.transfer.models import ImportBatch
from hotich.transfer.services import import_batch_create, import_confirm

PACKAGE = re.compile(r"^(?P<type>[A-Z]{2,3})\.(?P<year>\d{4})\.(?P<volume>[^.]+)\.xlsx$", re.I)


class Command(BaseCommand):
    help = (
        "Nhập một thư mục gói bàn giao: mỗi LOẠI.NĂM.QUYỂN.xlsx (kèm .zip bản scan cùng tên) "
        "vào sổ tương ứng của đơn vị (tạo sổ nếu chưa có)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("folder")
        parser.add_argument("--user", required=True, help="tài khoản thực hiện (ghi nhật ký)")
        parser.add_argument("--office", help="mã (id) đơn vị lưu giữ sổ; mặc định: của tài khoản")
        parser.add_argument(
            "--authority", default="", help="cơ quan đăng ký ghi trên sổ, cho sổ phải tạo mới"
        )
        parser.add_argument(
            "--all-or-nothing",
            action="store_true",
            help="chỉ nhập tệp không còn lỗi (mặc định: nhập dòng đúng, giữ dòng lỗi để sửa)",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        user = User.objects.filter(username=opts["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"Không có tài khoản “{opts['user']}”.")
        office = Office.objects.filter(pk=opts["office"]).first() if opts["office"] else user.office
        if office is None:
            raise CommandError("Không xác định được đơn vị lưu giữ sổ.")
        folder = Path(opts["folder"])
        files = sorted(p for p in folder.rglob("*.xlsx") if PACKAGE.match(p.name))
        if not files:
            raise CommandError(f"Không có tệp LOẠI.NĂM.QUYỂN.xlsx nào trong {folder}.")
        mode = ImportBatch.Mode.ALL if opts["all_or_nothing"] else ImportBatch.Mode.CLEAN
        failures = 0
        for path in files:
            try:
                line = self._one(path, user, office, mode, opts["authority"], folder)
            except (ValidationError, CommandError) as exc:
                failures += 1
                messages = getattr(exc, "messages", None) or [str(exc)]
                line = f"✗ {path.name}: {' '.join(messages)}"
            else:
                failures += line.startswith("✗")
            self.stdout.write(line)
        self.stdout.write(f"Xong: {len(files)} gói, {failures} gói không nhập được.")
        if failures:
            raise SystemExit(1)

    def _register(
        self, match: re.Match[str], user: User, office: Office, authority: str, path: Path
    ) -> Register:
        """The office's register of the package's type, year and volume *and* registering
        authority: two communes' KS.2010.01 are two registers. The authority is `--authority`,
        else the folders above the type (SPEC §6: <province>/<district>/<commune>/<type>/
        <YEAR>.<VOLUME>/); without either, the only register of that type, year and volume."""
        code = match["type"].upper()
        if code not in RegisterType.values:
            raise CommandError(f"Loại sổ “{code}” không có.")
        year, volume = int(match["year"]), match["volume"]
        parts = [p for p in path.parent.parts if p not in (".", "/")]
        laid_out = (
            len(parts) >= 5
            and parts[-1] == f"{match['year']}.{volume}"
            and parts[-2].upper() == code
        )
        places = parts[-5:-2] if laid_out else []
        names = [authority] if authority else list(reversed(places))
        candidates = list(
            Register.objects.filter(
                custodian=office, register_type=code, year_start=year, volume=volume
            ).order_by("pk")
        )
        if names:
            wanted = [fold(n) for n in ", ".join(names).split(",") if fold(n)]
            candidates = [
                r
                for r in candidates
                if r.authority_key == fold(", ".join(names))
                or all(w in r.authority_key for w in wanted)
            ]
        if len(candidates) == 1:
            return candidates[0]
        label = f"{code}.{year}.{volume}"
        if len(candidates) > 1:
            listed = "; ".join(f"#{r.pk} {r.authority_name}" for r in candidates)
            raise CommandError(
                f"Có {len(candidates)} sổ {label} của đơn vị, không biết nhập vào sổ nào: "
                f"{listed}. Hãy đặt gói trong thư mục <tỉnh>/<huyện>/<xã>/<loại>/<NĂM.QUYỂN>/ "
                'hoặc ghi --authority "UBND xã …".'
            )
        return register_create(
            actor=user,
            custodian=office,
            data={
                "register_type": code,
                "authority_name": ", ".join(names) or office.name,
                "authority_level": "commune",
                "year_start": year,
                "volume": volume,
            },
        )

    def _one(
        self, path: Path, user: User, office: Office, mode: str, authority: str, root: Path
    ) -> str:
        match = PACKAGE.match(path.name)
        assert match is not None
        register = self._register(match, user, office, authority, path)
        scans = path.with_suffix(".zip")
        with contextlib.ExitStack() as stack:
            stream = stack.enter_context(path.open("rb"))
            zipped = stack.enter_context(scans.open("rb")) if scans.exists() else None
            batch = import_batch_create(
                actor=user,
                register=register,
                name=path.name,
                stream=stream,
                scans=(scans.name, zipped) if zipped else None,
            )
        if batch.job and batch.job.status == "queued":
            job_run(batch.job.pk)
            batch.refresh_from_db()
        if batch.status == ImportBatch.Status.FAILED:
            return f"✗ {path.name} → {register.code}: {batch.message}"
        if mode == ImportBatch.Mode.ALL and batch.rows_error:
            return (
                f"✗ {path.name} → {register.code}: {batch.rows_error} dòng lỗi, không nhập "
                f"(xem lần nhập #{batch.pk} trên trang web)"
            )
        import_confirm(actor=user, batch=batch, mode=mode)
        batch.refresh_from_db()
        if batch.job and batch.job.status == "queued":
            job_run(batch.job.pk)
            batch.refresh_from_db()
        scanned = ""
        if batch.scan_batch_id:
            scan_batch = batch.scan_batch
            if scan_batch.job and scan_batch.job.status == "queued":
                job_run(scan_batch.job.pk)
            files = ScanFile.objects.filter(batch=scan_batch)
            pages = sum(f.page_count or 0 for f in files.filter(status="done"))
            failed = files.filter(status=ScanFile.Status.FAILED).count()
            scanned = f", {pages} trang scan" + (f", {failed} tệp scan lỗi" if failed else "")
        mark = "✓" if batch.status == ImportBatch.Status.DONE else "✗"
        return (
            f"{mark} {path.relative_to(root)} → {register.code}: {batch.rows_total} dòng, "
            f"{batch.rows_imported} đã nhập, {batch.rows_pending} chờ sửa, "
            f"{batch.rows_skipped} đã có{scanned}"
        )
