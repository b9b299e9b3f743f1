from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "hotich.accounts"
    label = "accounts"
    verbose_name = "Tài khoản và đơn vị"
