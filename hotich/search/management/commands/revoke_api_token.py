"""Revoke an API token by its number (as listed on the token page and printed at creation)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from hotich.search.models import ApiToken
from hotich.search.services import api_token_revoke


class Command(BaseCommand):
    help = "Thu hồi một khóa API tra cứu."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("token_id", type=int)

    def handle(self, *args: Any, **opts: Any) -> None:
        token = ApiToken.objects.select_related("user").filter(pk=opts["token_id"]).first()
        if token is None:
            raise CommandError(f"Không có khóa #{opts['token_id']}.")
        api_token_revoke(actor=token.user, token=token)
        self.stdout.write(f"Đã thu hồi khóa #{token.pk} “{token.name}” của {token.user}.")
