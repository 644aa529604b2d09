from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "landguard.regions"
    label = "regions"

    def ready(self) -> None:
        from landguard.regions import jobs  # noqa: F401  registers the boundary-import job handler
