"""Create an API token for an account; the key is printed once and never stored."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from hotich.accounts.models import User
from hotich.search.services import api_token_create


class Command(BaseCommand):
    help = "Tạo khóa API tra cứu cho một tài khoản (khóa chỉ được in ra một lần)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--user", required=True, help="tên đăng nhập")
        parser.add_argument("--name", required=True, help="hệ thống sẽ dùng khóa")

    def handle(self, *args: Any, **opts: Any) -> None:
        user = User.objects.select_related("office").filter(username=opts["user"]).first()
        if user is None:
            raise CommandError(f"Không có tài khoản “{opts['user']}”.")
        try:
            token, key = api_token_create(actor=user, name=opts["name"])
        except PermissionDenied as error:
            raise CommandError("Tài khoản này không được tra cứu.") from error
        self.stdout.write(f"Khóa #{token.pk} “{token.name}” cho {user.username}:")
        self.stdout.write(key)
