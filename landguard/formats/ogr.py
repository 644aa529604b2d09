"""GDAL's multi-layer sources (GeoPackage, KML) through pyogrio: listing their layers, picking one by name, and
reading several layers into one RawLayer. The format modules decide which layers to read."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path

import numpy as np
import pyogrio
from django.utils.translation import gettext as _
from pyogrio.raw import read as ogr_read

from landguard.core import crs as crsmod
from landguard.formats.base import LayerReadError, RawLayer, feature_labels
from landguard.formats.geometry import geoms_from_wkb


def layer_list(path: Path) -> list[tuple[str, str]]:
    """(name, geometry type) of every layer; LayerReadError when there is none or the file is unreadable."""
    try:
        layers = [(str(name), str(kind)) for name, kind in pyogrio.list_layers(path)]
    except Exception as exc:
        raise LayerReadError(_("无法读取 %(name)s：%(error)s") % {"name": path.name, "error": exc}) from None
    if not layers:
        raise LayerReadError(_("%(name)s 中没有图层") % {"name": path.name})
    return layers


def describe_layers(layers: Sequence[tuple[str, str]]) -> str:
    return "、".join(f"{name}（{kind}）" for name, kind in layers)


def named_layer(path: Path, layers: Sequence[tuple[str, str]], layer: str) -> str:
    """The layer the user named: exactly, else ignoring case."""
    chosen = ([name for name, _kind in layers if name == layer]
              or [name for name, _kind in layers if name.lower() == layer.lower()])
    if not chosen:
        raise LayerReadError(_("%(name)s 中没有图层“%(layer)s”（现有图层：%(layers)s）")
                             % {"name": path.name, "layer": layer, "layers": describe_layers(layers)})
    return chosen[0]


def read_layers(path: Path, names: Sequence[str], fmt: str, *, fixed_crs: str | None = None,
                skip_fields: Collection[str] = frozenset()) -> RawLayer:
    """The named layers one after the other, their fields united in order (None where a layer lacks one).

    fixed_crs: the CRS the format itself fixes (KML), which overrides whatever the layers declare;
    skip_fields: columns the driver adds that carry no land information."""
    parts = []
    declared: str | None = fixed_crs
    warnings: list[str] = []
    for name in names:
        try:
            meta, _fids, wkb, columns = ogr_read(path, layer=name)
        except Exception as exc:
            raise LayerReadError(_("无法读取 %(name)s 的图层“%(layer)s”：%(error)s")
                                 % {"name": path.name, "layer": name, "error": exc}) from None
        fields = [str(f) for f in meta["fields"]]
        parts.append((wkb, dict(zip(fields, columns, strict=True)), fields))
        if fixed_crs is None and meta.get("crs"):
            layer_crs = crsmod.crs_from_wkt(str(meta["crs"]))
            if layer_crs is None:
                warnings.append(_("图层“%(layer)s”的坐标系无法识别，按坐标值判断") % {"layer": name})
            declared = declared or layer_crs
    wkb_all = np.concatenate([np.asarray(p[0], dtype=object) for p in parts]) if parts else np.array([], dtype=object)
    fields_all: list[str] = []
    for _w, _c, fields in parts:
        fields_all += [f for f in fields if f not in fields_all and f not in skip_fields]
    if len(parts) == 1:
        cols = {f: parts[0][1][f] for f in fields_all}
    else:
        cols = {}
        for f in fields_all:
            pieces = [np.asarray(c[f], dtype=object) if f in c else np.full(len(w), None, dtype=object)
                      for w, c, _f in parts]
            cols[f] = np.concatenate(pieces) if pieces else np.array([], dtype=object)
    geoms, problems = geoms_from_wkb(wkb_all)
    return RawLayer(geoms, cols, fields_all, feature_labels(len(geoms), cols, fields_all), declared,
                    None, warnings, problems, fmt, names[0] if len(names) == 1 else None)
