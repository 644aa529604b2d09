from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "landguard.approvals"
    verbose_name = _("用地报批")

    def ready(self) -> None:
        from landguard.approvals import extensions  # noqa: F401  registers the search, battle-map status, report section
        from landguard.approvals import jobs  # noqa: F401  registers the batch overlay job handler
