from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "landguard.supervision"
    label = "supervision"
    verbose_name = _("耕地保护监管")

    def ready(self) -> None:
        from landguard.supervision import extensions  # noqa: F401  the search of clues and cases, for the shell
        from landguard.supervision import inbox_messages  # noqa: F401  registers the task messages with the inbox
        from landguard.supervision import jobs  # noqa: F401  registers the 卫片 batch import job handler
