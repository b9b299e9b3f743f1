"""`hotich import-scans REGISTER PATH...`: bring a folder of scans into a register."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hotich.accounts.models import User
from hotich.core.jobs import job_run
from hotich.registers.models import Register
from hotich.scans.models import ScanFile
from hotich.scans.services import scan_batch_create

ACCEPTED = {".pdf", ".zip", ".jpg", ".jpeg", ".png", ".tif", ".tiff"}


class Command(BaseCommand):
    help = (
        "Nhập bản scan vào một sổ: REGISTER là mã số của sổ (id) hoặc LOẠI.NĂM.QUYỂN; "
        "PATH là tệp hoặc thư mục (đọc cả thư mục con)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("register")
        parser.add_argument("paths", nargs="+")
        parser.add_argument("--user", required=True, help="tài khoản thực hiện (được ghi nhật ký)")

    def handle(self, *args: Any, **opts: Any) -> None:
        user = User.objects.filter(username=opts["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"Không có tài khoản “{opts['user']}”.")
        register = self._register(opts["register"])
        files = self._files([Path(p) for p in opts["paths"]])
        if not files:
            raise CommandError("Không tìm thấy tệp PDF, zip hay ảnh nào.")
        self.stdout.write(f"{len(files)} tệp → sổ {register.code} ({register.authority_name})")
        with contextlib.ExitStack() as stack:
            streams = [(f.name, stack.enter_context(f.open("rb"))) for f in files]
            batch = scan_batch_create(actor=user, register=register, files=streams, source="cli")
        if batch.job and batch.job.status == "queued":
            # Run it here, with progress, rather than wait for a worker.
            job_run(batch.job.pk)
        for scan_file in batch.files.order_by("id"):
            mark = {"done": "✓", "duplicate": "=", "failed": "✗"}.get(scan_file.status, "?")
            pages = f"{scan_file.page_count} trang" if scan_file.page_count else ""
            self.stdout.write(f" {mark} {scan_file.original_name} {pages} {scan_file.message}")
        failed = batch.files.filter(status=ScanFile.Status.FAILED).count()
        pages = sum(f.page_count or 0 for f in batch.files.filter(status="done"))
        self.stdout.write(f"Xong: {pages} trang, {failed} tệp lỗi.")

    def _register(self, key: str) -> Register:
        if key.isdigit():
            register = Register.objects.filter(pk=int(key)).first()
        else:
            parts = key.split(".")
            if len(parts) != 3 or not parts[1].isdigit():
                raise CommandError("REGISTER phải là id hoặc LOẠI.NĂM.QUYỂN, ví dụ KS.2017.01.")
            candidates = [
                r
                for r in Register.objects.filter(
                    register_type=parts[0].upper(), year_start=int(parts[1])
                )
                if r.code.split(".")[2].lstrip("0") == parts[2].lstrip("0")
            ]
            if len(candidates) > 1:
                raise CommandError("Có nhiều sổ trùng mã này; hãy dùng id của sổ.")
            register = candidates[0] if candidates else None
        if register is None:
            raise CommandError(f"Không tìm thấy sổ “{key}”.")
        return register

    def _files(self, paths: list[Path]) -> list[Path]:
        found: list[Path] = []
        for path in paths:
            if path.is_dir():
                found += sorted(
                    p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in ACCEPTED
                )
            elif path.is_file():
                found.append(path)
            else:
                raise CommandError(f"Không có tệp hay thư mục “{path}”.")
        return found
