from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "hotich.reports"
    verbose_name = "Báo cáo, giám sát"
