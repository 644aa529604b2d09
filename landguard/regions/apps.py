from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "landguard.regions"
    label = "regions"

    def ready(self) -> None:
        from landguard.regions import extensions  # noqa: F401  the region directory and search, for the shell
        from landguard.regions import jobs  # noqa: F401  registers the boundary-import job handler
