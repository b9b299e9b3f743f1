"""Local file storage that never leaves half a file behind, and says "disk full" plainly."""

from __future__ import annotations

import contextlib
import errno
import os
from typing import Any

from django.core.files.storage import FileSystemStorage
from django.utils.translation import gettext as _

from hotich.core.errors import UserFacingError

FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


class DiskFull(UserFacingError, OSError):
    """The data disk has no room: nothing of the file was kept."""

    def __init__(self, name: str = "") -> None:
        self.name = name
        if name:
            text = _(
                "Ổ đĩa dữ liệu đã đầy: tệp “%(name)s” chưa được lưu. Hãy báo quản trị viên giải "
                "phóng chỗ trống rồi thử lại."
            ) % {"name": os.path.basename(name)}
        else:
            text = _(
                "Ổ đĩa dữ liệu đã đầy: thao tác chưa được lưu. Hãy báo quản trị viên giải phóng "
                "chỗ trống rồi thử lại."
            )
        super().__init__(text)

    def __str__(self) -> str:
        return str(self.args[0])


def is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, DiskFull):
        return True
    if isinstance(exc, OSError) and exc.errno in FULL:
        return True
    # SQLite says it in words ("database or disk is full"); PostgreSQL with its SQLSTATE 53100.
    text = str(exc).lower()
    return "disk is full" in text or "no space left" in text or "could not extend file" in text


class LocalStorage(FileSystemStorage):
    """FileSystemStorage whose failed write removes the partial file before raising."""

    def _save(self, name: str, content: Any) -> str:
        try:
            return super()._save(name, content)  # type: ignore[misc]
        except OSError as exc:
            # FileSystemStorage writes straight to the final name; what it wrote is incomplete.
            # A name that already existed is never ours (it picks a free one), so this is safe.
            if exc.errno != errno.EEXIST:
                path = self.path(name)
                with contextlib.suppress(OSError):
                    os.remove(path)
            if exc.errno in FULL:
                raise DiskFull(name) from exc
            raise
