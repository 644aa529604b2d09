"""The configurable rules of the battle map's reminders (core.tunables: a Django setting of the same name overrides
each, read at call time)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from landguard.core.tunables import Catalog, Tunable

CATALOG = Catalog((
    Tunable("PROJECTS_VISIT_REMINDER_FROM", "11-01", False,
            _("湖北：包保领导年内至少上门服务一次；自该日（月-日）起在首页提醒尚未走访的领导")),
    Tunable("PROJECTS_TARGET_LAG_POINTS", 10, False,
            _("责任清单进度滞后：面积完成率低于时间进度超过该百分点时，在首页提醒该地区")),
))
TUNABLES = CATALOG.by_name
get = CATALOG.value
