from django.apps import AppConfig


class ScansConfig(AppConfig):
    name = "hotich.scans"
    label = "scans"
    verbose_name = "Bản scan"

    def ready(self) -> None:
        from hotich.scans import tasks  # noqa: F401  (registers job handlers)
