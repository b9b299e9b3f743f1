from django.apps import AppConfig


class TransferConfig(AppConfig):
    name = "hotich.transfer"
    verbose_name = "Trao đổi dữ liệu (Excel, gói bàn giao)"

    def ready(self) -> None:
        # Job handlers register themselves on import.
        from hotich.transfer import tasks  # noqa: F401
