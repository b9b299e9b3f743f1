"""Sign-in with lock-out: repeated failures lock the account until an administrator unlocks it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db.models import F
from django.utils import timezone

from hotich.accounts.models import User
from hotich.core.audit import audit_record


class LockoutBackend(ModelBackend):
    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kw: Any
    ) -> User | None:
        if username is None or password is None:
            return None
        user = User.objects.select_related("office").filter(username__iexact=username).first()
        if user is None:
            # Same work as a real check, so timing does not reveal which names exist.
            User().set_password(password)
            return None
        if user.is_locked:
            if request is not None:
                request.hotich_locked = True
            return None
        if not user.check_password(password):
            User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
            user.refresh_from_db(fields=["failed_logins"])
            if user.failed_logins >= settings.LOGIN_MAX_FAILURES:
                User.objects.filter(pk=user.pk).update(locked_at=timezone.now())
                audit_record(
                    actor=user,
                    action="account.locked",
                    obj=user,
                    after={"failed_logins": user.failed_logins},
                )
                if request is not None:
                    request.hotich_locked = True
            return None
        if not self.user_can_authenticate(user):
            return None
        if user.failed_logins:
            User.objects.filter(pk=user.pk).update(failed_logins=0)
        return user

    def get_user(self, user_id: int) -> User | None:
        user = User.objects.select_related("office").filter(pk=user_id).first()
        if user is None or not user.is_active or user.is_locked or not user.office_open():
            return None  # signed out at the next request
        return user
