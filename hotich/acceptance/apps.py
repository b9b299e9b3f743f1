from django.apps import AppConfig


class AcceptanceConfig(AppConfig):
    name = "hotich.acceptance"
    verbose_name = "Nghiệm thu"
