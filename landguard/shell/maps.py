"""The configuration every region map page hands to static/web/map.js: its layers of region levels (served by
`web:regions-geojson`), the extent to fit and the map's words. The extent is the caller's: a page computes it
with `regions.maps.scope_extent` or from its own records."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from landguard.core.scope import RegionScope

LAYER_LABELS = {"province": gettext_lazy("省界"), "city": gettext_lazy("市界"), "county": gettext_lazy("县界"),
                "township": gettext_lazy("乡镇（街道）"), "village": gettext_lazy("村（社区）"),
                "grid": gettext_lazy("网格")}
DEFAULT_VISIBLE = {"province", "city", "county", "township", "village"}


def map_config(scope: RegionScope, *, levels: list[str], code: str | None = None, visible: set[str] | None = None,
               extent: tuple[float, float, float, float] | None = None) -> dict:
    """What static/web/map.js needs: layers (key, label, data URL), the extent to fit, and UI strings."""
    base = reverse("web:regions-geojson")
    visible = DEFAULT_VISIBLE if visible is None else visible
    layers = [{"key": key, "label": str(LAYER_LABELS[key]), "visible": key in visible,
               "url": f"{base}?level={key}" + (f"&within={code}" if code else "")} for key in levels]
    return {
        "layers": layers,
        "bounds": list(extent) if extent else None,
        "i18n": {"code": _("代码"), "area": _("面积"), "hectare": _("公顷"), "mu": _("亩"), "details": _("查看详情"),
                 "synthetic": _("合成演示数据"), "layers": _("图层"), "zoomIn": _("放大"), "zoomOut": _("缩小"),
                 "resetBearing": _("指北"), "close": _("关闭")},
    }
