"""`hotich backup DEST`: the database and every stored file into the folder DEST.

A consistent snapshot of the database (while the application keeps serving) and the stored
files it refers to, with SHA-256 checksums; a later run into the same folder copies only the
files that are not there yet. `hotich backup --verify DEST` re-reads every file of every
snapshot in DEST against its checksum and exits with status 1 on any problem.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hotich.core.backup.services import backup_create, backup_verify
from hotich.core.errors import UserFacingError


class Command(BaseCommand):
    help = (
        "Sao lưu cơ sở dữ liệu và mọi tệp đã lưu vào thư mục DEST (lần sau chỉ chép tệp mới); "
        "--verify: kiểm tra mọi tệp trong DEST theo checksum SHA-256."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("dest", help="thư mục sao lưu (tốt nhất trên một ổ đĩa khác)")
        parser.add_argument(
            "--verify", action="store_true", help="chỉ kiểm tra bản sao lưu đã có trong DEST"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        dest = Path(opts["dest"])
        try:
            if opts["verify"]:
                self._verify(dest)
            else:
                self._backup(dest)
        except UserFacingError as exc:
            raise CommandError(str(exc)) from exc

    def _backup(self, dest: Path) -> None:
        self.stdout.write(f"Sao lưu vào {dest.resolve()} …")
        result = backup_create(dest=dest, say=self.stdout.write)
        for name in result.dangling[:20]:
            self.stderr.write(f" ! {name}")
        if result.dangling:
            self.stderr.write(
                f"Cảnh báo: {len(result.dangling)} tệp mà cơ sở dữ liệu nhắc tới không có trong "
                "kho tệp (đã mất trước khi sao lưu; bản sao lưu ghi lại danh sách này)."
            )
        self.stdout.write(
            f"Xong / done: bản sao lưu {result.snapshot} — {result.rows:,} dòng, "
            f"{result.files:,} tệp, {result.new:,} tệp mới chép ({result.path})"
        )

    def _verify(self, dest: Path) -> None:
        result = backup_verify(dest=dest)
        for text in result.problems:
            self.stderr.write(f" ✗ {text}")
        if result.count:
            raise CommandError(
                f"Bản sao lưu có {result.count:,} vấn đề / {result.count:,} problems "
                f"({result.snapshots} bản, {result.files:,} tệp đã kiểm tra)."
            )
        self.stdout.write(
            f"Không có vấn đề / no problems: {result.snapshots} bản sao lưu, "
            f"{result.files:,} tệp khớp checksum."
        )
