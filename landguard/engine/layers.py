"""The layers the engine reads, held in memory as arrays: a 地类图斑 (DltbLayer) and control layers
(ControlLayer: 永久基本农田, 生态保护红线, 城镇开发边界, 已批, 已供, 压覆矿 …).

What every overlay needs of a layer is computed once when it is loaded — each parcel's land class, its
official ellipsoidal area (or the one stored at import), normalised KCXS, the spatial index, and for control
layers which features overlap another — so an overlay pays only for the features it touches.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

import numpy as np
import shapely
from django.utils.translation import gettext

from landguard.engine.checks import (
    KcxsUnit,
    LayerDataError,
    check_polygonal,
    geometry_array,
    name_features,
    normalize_kcxs,
)
from landguard.engine.clipping import official_area
from landguard.engine.kinds import ControlKind
from landguard.engine.landclass import LandClass, UnknownLandClassError, classify
from landguard.engine.ownership import normalize_qsxz, ownership_index


class DltbLayer:
    """A 地类图斑 layer in memory: geometries (EPSG:4490 lon/lat), DLBM, normalised KCXS, and derived
    arrays computed once at load (land class per parcel, ellipsoidal area, spatial index), so each
    overlay only pays for the parcels it touches.

    ``attributes`` carries any other 三调 field (BSM, TBBH, TBMJ, ZLDWDM …) as arrays of the same length;
    BSM, when present, is quoted in error messages. ``qsxz`` (权属性质, optional) is read into code texts
    (``self.qsxz``, "" where a parcel has none; None when the layer has none) and each parcel's ownership class
    (``self.ownership``: its position in ownership.OWNERSHIPS, 未标注 where unknown); a code outside the list
    is refused naming the features. ``area_m2``, when given, is each parcel's official area
    as already computed (the database stores it at import): it is used instead of recomputing it.
    """

    def __init__(
        self,
        geometry: Any,
        dlbm: Any,
        *,
        kcxs: Any = None,
        attributes: Mapping[str, Any] | None = None,
        kcxs_unit: KcxsUnit = "auto",
        name: str | None = None,
        validate: bool = True,
        area_m2: Any = None,
        qsxz: Any = None,
    ) -> None:
        self.name = name or gettext("地类图斑")
        self.geometry = geometry_array(geometry)
        n = len(self.geometry)
        self.attributes: dict[str, np.ndarray] = {key: np.asarray(val) for key, val in (attributes or {}).items()}
        for key, arr in [("DLBM", np.asarray(dlbm, dtype=object))] + list(self.attributes.items()) + (
            [("KCXS", np.asarray(kcxs))] if kcxs is not None else []
        ) + ([("QSXZ", np.asarray(qsxz, dtype=object))] if qsxz is not None else []):
            if len(arr) != n:
                raise LayerDataError(gettext("%(layer)s：字段 %(field)s 有 %(got)s 个值，几何有 %(n)s 个")
                                     % {"layer": self.name, "field": key, "got": len(arr), "n": n},
                                     layer=self.name, field=key)
        ids = self.attributes.get("BSM")
        if validate:
            check_polygonal(self.geometry, self.name, ids)
        self.dlbm, self.classes, self.class_index = _classify_all(np.asarray(dlbm, dtype=object), self.name, ids)
        class_is_farmland = np.array([c.is_farmland for c in self.classes], dtype=bool)
        self.is_farmland: np.ndarray = class_is_farmland[self.class_index] if n else np.zeros(0, dtype=bool)
        self.kcxs: np.ndarray = (
            normalize_kcxs(kcxs, unit=kcxs_unit, required=self.is_farmland, layer=self.name, ids=ids)
            if kcxs is not None else np.zeros(n)
        )
        self.area_m2: np.ndarray = _stored_or_official_area(self.geometry, area_m2, self.name)
        self.qsxz: np.ndarray | None = (normalize_qsxz(qsxz, layer=self.name, ids=ids) if qsxz is not None
                                        else None)
        self.ownership: np.ndarray = ownership_index(self.qsxz, n)

    def __len__(self) -> int:
        return len(self.geometry)

    @cached_property
    def tree(self) -> shapely.STRtree:
        return shapely.STRtree(self.geometry)

    def tbmj_mismatches(self, tolerance_m2: float = 0.01, field: str = "TBMJ") -> np.ndarray:
        """Indices whose stored TBMJ differs from the computed ellipsoidal area by more than the tolerance
        (the import check that lets stored and computed areas be trusted interchangeably)."""
        stored = np.asarray(self.attributes[field], dtype=float)
        return np.flatnonzero(~(np.abs(stored - self.area_m2) <= tolerance_m2))


def _stored_or_official_area(geoms: np.ndarray, stored: Any, layer: str) -> np.ndarray:
    """The official area of each feature: the stored one when given (the database keeps each feature's
    ellipsoidal area computed at import, so a subset read back need not recompute it), else computed."""
    if stored is None:
        return official_area(geoms)
    return _aligned(stored, float, len(geoms), layer, "area_m2")


def _aligned(values: Any, dtype: type, n: int, layer: str, name: str) -> np.ndarray:
    arr = np.asarray(values, dtype=dtype)
    if arr.shape != (n,):
        raise LayerDataError(gettext("%(layer)s：字段 %(field)s 有 %(got)s 个值，几何有 %(n)s 个")
                             % {"layer": layer, "field": name, "got": arr.size, "n": n}, layer=layer, field=name)
    return arr


def _classify_all(dlbm: np.ndarray, layer: str,
                  ids: np.ndarray | None) -> tuple[np.ndarray, list[LandClass], np.ndarray]:
    """Canonical codes, the distinct land classes, and each parcel's index into them. Classifies each
    distinct spelling once (a county has ~50 codes and 10⁵ parcels); unknown codes are reported together."""
    n = len(dlbm)
    if n == 0:
        return np.zeros(0, dtype=object), [], np.zeros(0, dtype=np.intp)
    is_text = np.frompyfunc(lambda v: isinstance(v, str), 1, 1)(dlbm).astype(bool)
    if not is_text.all():
        bad = np.flatnonzero(~is_text)
        raise LayerDataError(gettext("%(layer)s：地类编码 DLBM 为空或不是文本（%(features)s）")
                             % {"layer": layer, "features": name_features(bad, ids)},
                             layer=layer, feature_indices=bad, field="DLBM")
    spellings, inverse = np.unique(dlbm.astype(str), return_inverse=True)
    classes: list[LandClass] = []
    position: dict[str, int] = {}
    spelling_class = np.empty(len(spellings), dtype=np.intp)
    unknown: list[tuple[int, UnknownLandClassError]] = []
    for k, spelling in enumerate(spellings):
        try:
            land_class = classify(str(spelling))
        except UnknownLandClassError as exc:
            unknown.append((k, exc))
            continue
        if land_class.code not in position:
            position[land_class.code] = len(classes)
            classes.append(land_class)
        spelling_class[k] = position[land_class.code]
    if unknown:
        bad = np.flatnonzero(np.isin(inverse, [k for k, _exc in unknown]))
        raise LayerDataError(gettext("%(layer)s：%(reasons)s（%(features)s）")
                             % {"layer": layer, "reasons": "；".join(str(exc) for _k, exc in unknown),
                                "features": name_features(bad, ids)},
                             layer=layer, feature_indices=bad, field="DLBM")
    class_index = spelling_class[inverse]
    codes = np.array([c.code for c in classes], dtype=object)[class_index]
    return codes, classes, class_index


class ControlLayer:
    """A control layer (永久基本农田, 生态保护红线, 城镇开发边界, 已批, 已供, 压覆矿 …) in memory.

    ``area_m2`` and ``overlapping``, when given, are the official areas and overlap flags already computed
    (stored at import), used instead of recomputing them.
    """

    def __init__(
        self,
        kind: ControlKind | str,
        geometry: Any,
        *,
        name: str | None = None,
        attributes: Mapping[str, Any] | None = None,
        validate: bool = True,
        area_m2: Any = None,
        overlapping: Any = None,
    ) -> None:
        self.kind = ControlKind(kind)
        self.name = name or str(self.kind.label)
        self.geometry = geometry_array(geometry)
        self.attributes = {key: np.asarray(val) for key, val in (attributes or {}).items()}
        if validate:
            check_polygonal(self.geometry, self.name)
        self.area_m2: np.ndarray = _stored_or_official_area(self.geometry, area_m2, self.name)
        if overlapping is not None:
            # Seeds the cached property: features read back from the database carry the flag computed at
            # import over the whole layer (still right for a subset: a flag set needlessly only costs a union).
            self.__dict__["overlapping"] = _aligned(overlapping, bool, len(self.geometry), self.name, "overlapping")

    def __len__(self) -> int:
        return len(self.geometry)

    @cached_property
    def tree(self) -> shapely.STRtree:
        return shapely.STRtree(self.geometry)

    @cached_property
    def overlapping(self) -> np.ndarray:
        """Per feature: does its interior meet another feature's interior? Computed once per layer.

        Pieces of features that overlap nothing are disjoint, so their areas simply add up; only the
        overlapping ones need a (costly) union per boundary. Edge-sharing neighbours do not count.
        """
        flags = np.zeros(len(self.geometry), dtype=bool)
        if len(self.geometry) < 2:
            return flags
        i, j = self.tree.query(self.geometry, predicate="intersects")
        pair = i < j
        i, j = i[pair], j[pair]
        meet = shapely.relate_pattern(self.geometry[i], self.geometry[j], "2********")
        flags[i[meet]] = True
        flags[j[meet]] = True
        return flags

