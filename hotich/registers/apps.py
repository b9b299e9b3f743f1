from django.apps import AppConfig


class RegistersConfig(AppConfig):
    name = "hotich.registers"
    label = "registers"
    verbose_name = "Sổ hộ tịch"

    def ready(self) -> None:
        from hotich.registers import tasks  # noqa: F401  (registers job handlers)
