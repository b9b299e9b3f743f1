"""`hotich restore DEST`: put a backup made by `hotich backup` into this installation.

The database (`DATABASE_URL`: SQLite or PostgreSQL, whichever the backup came from) and the
storage must be empty; `--force` drops the database's tables and overwrites stored files of
the same names. Stop the application first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hotich.core.backup.services import backup_restore
from hotich.core.errors import UserFacingError


class Command(BaseCommand):
    help = (
        "Khôi phục bản sao lưu mới nhất trong DEST (hoặc --snapshot TÊN) vào cơ sở dữ liệu và "
        "kho tệp trống; --force: xóa dữ liệu đang có."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("dest", help="thư mục sao lưu")
        parser.add_argument("--snapshot", help="tên bản sao lưu (mặc định: bản mới nhất)")
        parser.add_argument(
            "--force",
            action="store_true",
            help="xóa cơ sở dữ liệu đích và ghi đè tệp trùng tên nếu đã có dữ liệu",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            result = backup_restore(
                dest=Path(opts["dest"]),
                snapshot_name=opts["snapshot"],
                force=opts["force"],
                say=self.stdout.write,
            )
        except UserFacingError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Xong / done: đã khôi phục bản {result.snapshot} — {result.rows:,} dòng, "
            f"{result.files:,} tệp."
        )
