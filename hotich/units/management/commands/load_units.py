from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from hotich.units.loader import units_load


class Command(BaseCommand):
    help = "Nạp danh mục đơn vị hành chính trước và sau 01/7/2025 cùng các liên kết kế thừa."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = units_load(stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(f"{counts['units']} đơn vị, {counts['successions']} liên kết.")
        )
