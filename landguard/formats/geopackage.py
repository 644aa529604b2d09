"""GeoPackage: one layer, by name, or by default the only spatial layer, else the only layer with polygons
(several candidates are an error listing them). Its declared CRS is the layer's own. Also written, a chunk at a
time, for exports."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio.raw

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


def append_geopackage(path: Path | str, wkb: Sequence[bytes], columns: Sequence[Any], *, fields: Sequence[str],
                      layer: str, first: bool) -> None:
    """Write one chunk of features (CGCS2000 WKB and their attribute columns) to a GeoPackage layer: `first`
    creates the file, later chunks append, so an export of any size holds one chunk in memory."""
    pyogrio.raw.write(str(path), np.array([bytes(w) for w in wkb], dtype=object), list(columns), fields=list(fields),
                      layer=layer, driver="GPKG", geometry_type="Unknown", crs="EPSG:4490", append=not first,
                      encoding="UTF-8")

