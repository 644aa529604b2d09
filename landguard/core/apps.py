from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "landguard.core"
    label = "core"

    def ready(self) -> None:
        from landguard.core import figures_cache

        figures_cache.connect()
