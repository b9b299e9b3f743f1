from django.apps import AppConfig


class ScansConfig(AppConfig):
    name = "hotich.scans"
    label = "scans"
    verbose_name = "Bản scan"

    def ready(self) -> None:
        from hotich.records import validation
        from hotich.scans import tasks  # noqa: F401  (registers job handlers)
        from hotich.scans.queries import scan_name_number

        # A keyed number that differs from the one in the scan's file name is flagged.
        validation.scan_name_number = scan_name_number
