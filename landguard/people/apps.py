from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "landguard.people"
    label = "people"

    def ready(self) -> None:
        from landguard.people import extensions  # noqa: F401  the dashboard tile and search, for the shell
