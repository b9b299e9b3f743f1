from django.apps import AppConfig


class AcceptanceConfig(AppConfig):
    name = "hotich.acceptance"
    verbose_name = "Nghiệm thu"

    def ready(self) -> None:
        from hotich.acceptance.queries import duplicate_explained
        from hotich.records import validation

        # A repeated registration number blocks submitting a record until the custodian
        # explains it in the register's completeness notes (decision 0012).
        validation.duplicate_explained = duplicate_explained
