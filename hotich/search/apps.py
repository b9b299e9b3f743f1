from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "hotich.search"
    verbose_name = "Tra cứu"
