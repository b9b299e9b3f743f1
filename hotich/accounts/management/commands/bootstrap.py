"""Create the first office and its province administrator on a new installation."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hotich.accounts.models import Office, Role
from hotich.accounts.services import office_create, user_create
from hotich.units.models import AdminUnit


class Command(BaseCommand):
    help = "Tạo Sở Tư pháp đầu tiên và tài khoản quản trị cấp tỉnh (mật khẩu tạm thời được in ra)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--office", required=True, help='ví dụ "Sở Tư pháp tỉnh Nghệ An"')
        parser.add_argument("--username", required=True)
        parser.add_argument("--full-name", default="")
        parser.add_argument("--province-code", default="", help="mã tỉnh (danh mục 2025)")

    def handle(self, *args: Any, **opts: Any) -> None:
        if Office.objects.filter(name=opts["office"]).exists():
            raise CommandError(f"Đơn vị “{opts['office']}” đã có.")
        unit = None
        if opts["province_code"]:
            unit = AdminUnit.objects.filter(
                era="2025", level="province", code=opts["province_code"].zfill(2)
            ).first()
            if unit is None:
                raise CommandError("Không tìm thấy mã tỉnh; hãy chạy `hotich load_units` trước.")
        office = office_create(
            actor=None, name=opts["office"], kind=Office.Kind.PROVINCE, parent=None, unit=unit
        )
        user, password = user_create(
            actor=None,
            username=opts["username"],
            office=office,
            role=Role.PROVINCE_ADMIN,
            full_name=opts["full_name"],
        )
        self.stdout.write(f"Đã tạo {office.name} và tài khoản {user.username}.")
        self.stdout.write(f"Mật khẩu tạm thời (phải đổi khi đăng nhập lần đầu): {password}")
