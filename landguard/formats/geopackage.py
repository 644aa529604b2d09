"""GeoPackage: one layer, by name, or by default the only spatial layer, else the only layer with polygons
(several candidates are an error listing them). Its declared CRS is the layer's own."""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext as _

from landguard.formats.base import LayerReadError, RawLayer
from landguard.formats.ogr import describe_layers, layer_list, named_layer, read_layers


def read_geopackage(path: Path, layer: str | None) -> RawLayer:
    layers = layer_list(path)
    if layer is not None:
        return read_layers(path, [named_layer(path, layers, layer)], "gpkg")
    spatial = [(n, k) for n, k in layers if k not in ("", "None")]
    polygons = [n for n, k in spatial if "POLYGON" in k.upper()]
    if len(spatial) == 1:
        names = [spatial[0][0]]
    elif len(polygons) == 1:
        names = polygons
    else:
        raise LayerReadError(_("%(name)s 有多个图层，请指定要读取的图层：%(layers)s")
                             % {"name": path.name, "layers": describe_layers(layers)})
    return read_layers(path, names, "gpkg")
