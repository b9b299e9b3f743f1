"""`hotich export-package REGISTER OUTDIR --user NAME`: build a register's package into a folder.

The build is recorded (who, when, checksums) exactly as from the page. A released package's two
files are copied into OUTDIR; a blocked one lists its problems, copies nothing and exits with
status 1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from hotich.accounts.models import User
from hotich.registers.models import Register
from hotich.transfer.export import package_build, package_copy
from hotich.transfer.models import PackageBuild


class Command(BaseCommand):
    help = (
        "Tạo gói bàn giao của một sổ (LOẠI.NĂM.QUYỂN.xlsx và .zip) vào thư mục OUTDIR: "
        "REGISTER là mã số của sổ (id) hoặc LOẠI.NĂM.QUYỂN."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("register")
        parser.add_argument("outdir")
        # Required: every build records who made it, and the audit trail must not guess.
        parser.add_argument("--user", required=True, help="tài khoản thực hiện (được ghi nhật ký)")

    def handle(self, *args: Any, **opts: Any) -> None:
        user = (
            User.objects.select_related("office")
            .filter(username=opts["user"], is_active=True)
            .first()
        )
        if user is None:
            raise CommandError(f"Không có tài khoản “{opts['user']}”.")
        register = self._register(opts["register"])
        self.stdout.write(f"Sổ {register.code} ({register.authority_name}): đang tạo gói…")
        self._shown = 0
        try:
            build = package_build(actor=user, register=register, progress=self._progress)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{build.cases} trường hợp, {build.pages} trang\n"
            f"  {build.xlsx_name}  {build.xlsx_size:,} byte  sha256 {build.xlsx_sha256}\n"
            f"  {build.zip_name}  {build.zip_size:,} byte  sha256 {build.zip_sha256}"
        )
        if build.status != PackageBuild.Status.RELEASED:
            for problem in build.problems:
                self.stderr.write(f" ✗ {problem['message']}")
            raise CommandError(
                f"Gói chưa đạt ({len(build.problems)} vấn đề): không phát hành, "
                "không chép vào thư mục đích."
            )
        for path in package_copy(build, Path(opts["outdir"])):
            self.stdout.write(f" ✓ {path}")

    def _progress(self, done: int, total: int, message: str = "") -> None:
        # About ten lines for any size of register.
        step = done * 10 // max(total, 1)
        if message and (done in (0, total) or step > self._shown):
            self._shown = step
            self.stdout.write(f"  {message}")

    def _register(self, key: str) -> Register:
        if key.isdigit():
            register = Register.objects.select_related("custodian").filter(pk=int(key)).first()
        else:
            parts = key.split(".")
            if len(parts) != 3 or not parts[1].isdigit():
                raise CommandError("REGISTER phải là id hoặc LOẠI.NĂM.QUYỂN, ví dụ KS.2017.01.")
            candidates = [
                r
                for r in Register.objects.select_related("custodian").filter(
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
