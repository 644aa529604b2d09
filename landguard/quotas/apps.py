from django.apps import AppConfig


class QuotasConfig(AppConfig):
    name = "landguard.quotas"
    label = "quotas"
    verbose_name = "指标台账"

    def ready(self) -> None:
        from landguard.quotas import extensions  # noqa: F401  the dashboard tile of quota warnings, for the shell
