from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "hotich.people"
    verbose_name = "Con người và bản trùng"

    def ready(self) -> None:
        # Job handlers register themselves on import.
        from hotich.people import tasks  # noqa: F401
