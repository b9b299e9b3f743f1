from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "hotich.core"
    label = "core"
    verbose_name = "Hộ tịch số"
