from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "hotich.review"
    verbose_name = "Kiểm tra"
