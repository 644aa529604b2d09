"""KML (and the .kml inside a KMZ): always WGS84 longitude, latitude by the KML specification. Coordinates from
奥维/91 tools may really be GCJ-02, which only the caller can know: it passes crs="gcj02". KML folders are
GDAL layers: all of them are read unless one is named."""

from __future__ import annotations

from pathlib import Path

from landguard.formats.base import RawLayer
from landguard.formats.ogr import layer_list, named_layer, read_layers

# GDAL's LIBKML driver adds these styling columns to every KML layer; they carry no land information.
_KML_NOISE = frozenset({"id", "timestamp", "begin", "end", "altitudeMode", "tessellate", "extrude", "visibility",
                        "drawOrder", "icon", "snippet"})


def read_kml(path: Path, layer: str | None) -> RawLayer:
    layers = layer_list(path)
    names = [named_layer(path, layers, layer)] if layer is not None else [name for name, _kind in layers]
    # KML 2.2 §6.2: coordinates are always WGS84 longitude, latitude.
    return read_layers(path, names, "kml", fixed_crs="wgs84", skip_fields=_KML_NOISE)
