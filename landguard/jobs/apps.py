from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "landguard.jobs"
    verbose_name = _("后台任务")

    def ready(self) -> None:
        from landguard.shell import listing  # noqa: F401  registers the list-export job handler
