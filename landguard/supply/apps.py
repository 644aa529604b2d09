from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupplyConfig(AppConfig):
    name = "landguard.supply"
    verbose_name = _("土地供应")

    def ready(self) -> None:
        from landguard.supply import extensions, inbox_messages  # noqa: F401  registers messages and extensions
