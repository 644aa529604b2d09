"""How a layer appears on a MapLibre map (static/web/map.js `addDataLayer`): its scoped vector tiles."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from landguard.core.scope import RegionScope
from landguard.layers import selectors
from landguard.layers.models import Layer, LayerKind


def data_layer(layer: Layer, *, visible: bool = True) -> dict[str, Any]:
    # MapLibre wants the tile URL template; reverse() a real tile and put the placeholders back.
    tile = reverse("layerdata:tile", args=[layer.slug, 0, 0, 0])
    return {"key": f"data-{layer.slug}", "label": layer.name, "visible": visible, "layer_kind": layer.kind,
            "tiles": tile.replace("/0/0/0.pbf", "/{z}/{x}/{y}.pbf"), "source_layer": layer.slug}


def map_data_layers(scope: RegionScope) -> list[dict[str, Any]]:
    """Every layer with a current version the user may see, 地类图斑 first; all off until switched on."""
    kinds = list(LayerKind.values)
    layers = sorted((v.layer for v in selectors.current_versions(scope)), key=lambda l: (kinds.index(l.kind), l.name))
    return [data_layer(layer, visible=False) for layer in layers]
