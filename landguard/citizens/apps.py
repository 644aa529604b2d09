from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitizensConfig(AppConfig):
    name = "landguard.citizens"
    verbose_name = _("便民服务")

    def ready(self) -> None:
        from landguard.citizens import extensions, inbox_messages  # noqa: F401  search, home section, messages
