"""Read new people's names into the syllable vocabulary of typo search (also done on demand)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from hotich.search.vocabulary import vocabulary_update


class Command(BaseCommand):
    help = "Cập nhật từ điển âm tiết tên người dùng cho tìm kiếm gần đúng."

    def handle(self, *args: Any, **opts: Any) -> None:
        started = time.perf_counter()
        read = vocabulary_update()
        self.stdout.write(f"{read} người đã đọc trong {time.perf_counter() - started:.1f} s.")
