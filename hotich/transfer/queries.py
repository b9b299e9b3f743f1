"""Reads of the transfer app, scoped through the register: who may build and download packages.

A package is visible exactly when its register is (`register_list_for_user`). Building one, and
downloading its files (the whole register's personal data in one file), is for administrators
whose scope holds the register's custodian, never for contractor accounts.
"""

from __future__ import annotations

from django.db.models import QuerySet

from hotich.accounts.models import User
from hotich.registers.models import Register
from hotich.registers.queries import register_list_for_user
from hotich.transfer.models import PackageBuild


def transfer_can_export(user: User, register: Register) -> bool:
    if not user.is_authenticated or not user.is_admin or user.is_contractor:
        return False
    return register_list_for_user(user).filter(pk=register.pk).exists()


def package_list_for_user(user: User) -> QuerySet[PackageBuild]:
    return PackageBuild.objects.filter(register__in=register_list_for_user(user))


def register_packages(register: Register) -> QuerySet[PackageBuild]:
    return register.packages.select_related("built_by", "job").order_by("-built_at", "-id")
