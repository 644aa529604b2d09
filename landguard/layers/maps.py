"""How a layer appears on a MapLibre map (static/web/map.js `addDataLayer`): its scoped vector tiles."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext

from landguard.core.scope import RegionScope
from landguard.engine.landclass import LEVEL1_COLOURS, UNKNOWN_CLASS_COLOUR
from landguard.layers import selectors
from landguard.layers.models import Layer, LayerKind


# A county-wide tile of a large layer is megabytes and seconds (~1 MB and 0.4 s for 20 000 parcels at z8–10):
# layers above this size are drawn only from DETAIL_ZOOM on, where a tile holds a few thousand parcels.
LARGE_LAYER_FEATURES = 50_000
DETAIL_ZOOM = 12

# One colour per control kind; 地类图斑 is coloured by first-level class (engine.landclass.LEVEL1_COLOURS).
KIND_COLOURS: dict[str, str] = {
    LayerKind.BASIC_FARMLAND: "#e0a800", LayerKind.ECO_REDLINE: "#2e7d32", LayerKind.DEV_BOUNDARY: "#c62828",
    LayerKind.APPROVED: "#6a1b9a", LayerKind.SUPPLIED: "#1565c0", LayerKind.PLANNED: "#ef6c00",
    LayerKind.MINING: "#5d4037", LayerKind.PROJECT: "#d81b60", LayerKind.CUSTOM: "#455a64",
}
DEFAULT_KIND_COLOUR = "#455a64"


def layer_colours(kind: str) -> dict[str, Any]:
    """How map.js fills a layer: by first-level class for 地类图斑, else the kind's one colour."""
    if kind == LayerKind.DLTB:
        return {"by_level1": LEVEL1_COLOURS, "other": UNKNOWN_CLASS_COLOUR, "swatch": LEVEL1_COLOURS["01"]}
    colour = KIND_COLOURS.get(kind, DEFAULT_KIND_COLOUR)
    return {"colour": colour, "swatch": colour}


def data_layer(layer: Layer, *, visible: bool = True, feature_count: int = 0) -> dict[str, Any]:
    # MapLibre wants the tile URL template; reverse() a real tile and put the placeholders back.
    tile = reverse("layerdata:tile", args=[layer.slug, 0, 0, 0])
    minzoom = DETAIL_ZOOM if feature_count > LARGE_LAYER_FEATURES else 0
    label = layer.name if not minzoom else gettext("%(name)s（放大后显示）") % {"name": layer.name}
    return {"key": f"data-{layer.slug}", "label": label, "visible": visible, "layer_kind": layer.kind,
            "tiles": tile.replace("/0/0/0.pbf", "/{z}/{x}/{y}.pbf"), "source_layer": layer.slug, "minzoom": minzoom,
            "colours": layer_colours(layer.kind)}


def map_data_layers(scope: RegionScope) -> list[dict[str, Any]]:
    """Every layer with a current version the user may see, 地类图斑 first; all off until switched on."""
    kinds = list(LayerKind.values)
    versions = sorted(selectors.current_versions(scope), key=lambda v: (kinds.index(v.layer.kind), v.layer.name))
    return [data_layer(v.layer, visible=False, feature_count=v.feature_count) for v in versions]
