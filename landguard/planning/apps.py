from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "landguard.planning"
    label = "planning"
    verbose_name = "规划指标与闲散土地"

    def ready(self) -> None:
        from landguard.planning import extensions  # noqa: F401  the home section, dashboard tile and weekly table
