"""Input checks of the engine: what it refuses before computing anything, naming the features.

Every refusal is a LayerDataError carrying all offending feature positions; its message names the first
few (with BSM when known). Geometry must be present, areal, lon/lat and valid — invalid polygons are refused,
never repaired, since a silent make_valid changes areas (repairs are the importer's job, and it lists them).
KCXS (田坎系数) is normalised to a fraction 0 ≤ x < 1 (normalize_kcxs).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import shapely
from django.utils.translation import gettext

KcxsUnit = Literal["auto", "fraction", "percent", "per_value"]

POLYGON = int(shapely.GeometryType.POLYGON)
MULTIPOLYGON = int(shapely.GeometryType.MULTIPOLYGON)
MAX_NAMED = 10  # features named in one error message; all of them are on the exception


class LayerDataError(ValueError):
    """Input data that cannot give official figures. ``feature_indices`` lists every offending feature
    (0-based positions in the arrays given); the message names the first few, with BSM when known."""

    def __init__(self, message: str, *, layer: str, feature_indices: Sequence[int] = (), field: str | None = None):
        super().__init__(message)
        self.layer = layer
        self.feature_indices = [int(i) for i in feature_indices]
        self.field = field


def name_features(indices: np.ndarray, ids: np.ndarray | None = None) -> str:
    shown = []
    for i in indices[:MAX_NAMED]:
        shown.append(gettext("索引 %(index)s（BSM %(bsm)s）") % {"index": int(i), "bsm": ids[i]} if ids is not None
                     else gettext("索引 %(index)s") % {"index": int(i)})
    text = "、".join(shown)
    if len(indices) > MAX_NAMED:
        text += gettext(" 等共 %(count)s 个要素") % {"count": len(indices)}
    return text


def geometry_array(geoms: Any) -> np.ndarray:
    if isinstance(geoms, shapely.Geometry):
        geoms = [geoms]
    if isinstance(geoms, np.ndarray) and geoms.dtype == object and geoms.ndim == 1:
        return geoms
    items = list(geoms)
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def check_polygonal(geoms: np.ndarray, layer: str, ids: np.ndarray | None = None) -> None:
    """Missing, empty, non-areal, invalid or non-lon/lat geometries: refused, naming the features.

    Invalid polygons are refused, not repaired: a silent make_valid changes areas (issue 3 asks for
    repairs to be reported, which is the importer's job).
    """
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if missing.any():
        raise LayerDataError(gettext("%(layer)s：几何为空（%(features)s）")
                             % {"layer": layer, "features": name_features(np.flatnonzero(missing), ids)},
                             layer=layer, feature_indices=np.flatnonzero(missing))
    wrong_type = ~np.isin(shapely.get_type_id(geoms), (POLYGON, MULTIPOLYGON))
    if wrong_type.any():
        raise LayerDataError(gettext("%(layer)s：不是面要素（%(features)s）")
                             % {"layer": layer, "features": name_features(np.flatnonzero(wrong_type), ids)},
                             layer=layer, feature_indices=np.flatnonzero(wrong_type))
    b = shapely.bounds(geoms)
    not_lonlat = (b[:, 0] < -180) | (b[:, 2] > 180) | (b[:, 1] < -90) | (b[:, 3] > 90)
    if not_lonlat.any():
        raise LayerDataError(
            gettext("%(layer)s：坐标不是经纬度（应为 CGCS2000 EPSG:4490，是否未转换投影坐标或 X/Y 颠倒？）"
                    "（%(features)s）")
                             % {"layer": layer, "features": name_features(np.flatnonzero(not_lonlat), ids)},
                             layer=layer, feature_indices=np.flatnonzero(not_lonlat))
    invalid = np.flatnonzero(~shapely.is_valid(geoms))
    if len(invalid):
        raise LayerDataError(gettext("%(layer)s：几何无效（%(features)s），首个原因：%(reason)s")
                             % {"layer": layer, "features": name_features(invalid, ids),
                                "reason": shapely.is_valid_reason(geoms[invalid[0]])},
                             layer=layer, feature_indices=invalid)


def normalize_kcxs(
    values: Any,
    *,
    unit: KcxsUnit = "auto",
    required: np.ndarray | None = None,
    layer: str = "KCXS",
    ids: np.ndarray | None = None,
) -> np.ndarray:
    """田坎系数 as fractions in [0, 1), from a fraction (0.08) or a percent (8) field.

    unit:
    - "fraction" / "percent": the field's convention is known.
    - "per_value": the rule of the survey tools in domain.md §1.3 ("if TKXS > 1: TKXS/100"), value by
      value, for layers assembled from sources that used both conventions.
    - "auto" (default): one convention for the whole layer, as a database field has: percent when the
      non-zero values are ≥ 1, fraction when they are < 1. A layer that has both is refused, naming the
      features of the minority convention: in a fraction layer, 1.5 is far more likely a typo than 1.5 %,
      and in a percent layer 0.5 may be 0.5 %; only the data owner can say, by choosing ``unit``.
      A lone 1 counts as percent (1 %): as a fraction it would be invalid anyway.

    ``required`` marks features that must have a value (耕地): a missing (NaN/None) KCXS there is an
    error, elsewhere it means 0 (non-耕地 parcels normally carry no deduction).
    """
    v = np.asarray(values, dtype=float)
    n = len(v)
    required = np.ones(n, dtype=bool) if required is None else required
    missing = np.isnan(v)
    if (missing & required).any():
        bad = np.flatnonzero(missing & required)
        raise LayerDataError(gettext("%(layer)s：耕地图斑缺少扣除地类系数 KCXS（%(features)s）")
                             % {"layer": layer, "features": name_features(bad, ids)},
                             layer=layer, feature_indices=bad, field="KCXS")
    x = np.where(missing, 0.0, v)
    if unit == "fraction":
        fraction = x
    elif unit == "percent":
        fraction = x / 100.0
    elif unit == "per_value":
        fraction = np.where(x > 1.0, x / 100.0, x)
    elif unit == "auto":
        percent_like = x >= 1.0
        fraction_like = (x != 0) & ~percent_like
        if percent_like.any() and fraction_like.any():
            minority = percent_like if percent_like.sum() <= fraction_like.sum() else fraction_like
            bad = np.flatnonzero(minority)
            raise LayerDataError(
                gettext("%(layer)s：扣除地类系数 KCXS 同时有小数（如 0.08）和百分数（如 8），无法判断单位；"
                        "与多数不一致的要素：%(features)s，值 %(values)s。请核对数据，或指定单位"
                        "（fraction 小数 / percent 百分数 / per_value 逐个判断：大于 1 视为百分数）")
                % {"layer": layer, "features": name_features(bad, ids),
                   "values": "、".join(f"{x[i]:g}" for i in bad[:MAX_NAMED])},
                layer=layer, feature_indices=bad, field="KCXS")
        fraction = x / 100.0 if percent_like.any() else x
    else:
        raise ValueError(f"unknown KCXS unit {unit!r}")
    bad = np.flatnonzero(~((fraction >= 0) & (fraction < 1)))  # also catches ±inf
    if len(bad):
        raise LayerDataError(
            gettext("%(layer)s：扣除地类系数 KCXS 超出范围（换算为小数后应满足 0 ≤ KCXS < 1）：%(features)s，值 "
                    "%(values)s")
            % {"layer": layer, "features": name_features(bad, ids),
               "values": "、".join(f"{v[i]:g}" for i in bad[:MAX_NAMED])},
            layer=layer, feature_indices=bad, field="KCXS")
    return fraction



def boundary_array(boundaries: Any) -> np.ndarray:
    """Boundaries as a geometry array; LayerDataError (naming them by index) when one is missing, empty,
    not a (Multi)Polygon, not lon/lat or invalid. overlay() checks with it; callers that must look at the
    boundaries first (the scope check of the database service) do too."""
    geoms = geometry_array(boundaries)
    check_polygonal(geoms, gettext("分析边界"))
    return geoms

