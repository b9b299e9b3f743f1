from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "hotich.people"
    verbose_name = "Con người và bản trùng"
