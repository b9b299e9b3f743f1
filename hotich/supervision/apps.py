from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "hotich.supervision"
    verbose_name = "Giám sát"
