from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    name = "landguard.analysis"
    verbose_name = _("叠加分析")
