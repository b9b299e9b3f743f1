from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "hotich.records"
    label = "records"
    verbose_name = "Trường hợp đăng ký"
