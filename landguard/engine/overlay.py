"""Overlay analysis (一张图 合规审查), pure: shapely geometries and attribute arrays in, official figures out.

For each boundary: its area, what it occupies by land class (second-level code, first-level class, 三大类),
gross and net of 田坎, 耕地 gross and net, the area inside each control layer, and verdict flags
(overlay()); or, for thousands of small boundaries such as 卫片 change patches, the same figures as
arrays without tables and pieces (overlay_areas()). No database: layers are numpy arrays held in memory
(landguard.analysis.services reads the features near the boundaries into them).

The engine's modules: checks (what is refused), layers (DltbLayer, ControlLayer in memory),
clipping (official areas, pieces, slivers), controls (areas on a control layer's union),
verdicts (flags), results (what an overlay answers), kinds (ControlKind, Verdict); this module
runs them over many boundaries at once.

Rules that matter for the figures:

- Every area is the CGCS2000 ellipsoidal area of core.geodesy (domain.md §2), never a planar or degree²
  area. A parcel wholly inside a boundary contributes the ellipsoidal area of its own geometry, computed
  once when the layer is loaded (identical to clipping it, without the clip).
- 田坎 (domain.md §1.3): net = piece area × (1 − KCXS), per DLTB piece. KCXS is normalised to a fraction
  (see normalize_kcxs) and validated 0 ≤ KCXS < 1 when the layer is loaded, naming bad features.
- Control layers are counted on the union of their polygons inside the boundary, so overlapping control
  polygons (two 批次 over the same land, duplicated 永农 polygons) never count twice.
- 权属性质 (engine.ownership): every area is also split by the parcel's ownership class (国有 / 集体 / 未标注,
  the last where a parcel or the layer has no QSXZ), alone, crossed with the 三大类, and for 耕地.
- Float noise: clipping along shared edges leaves slivers of 1e-9 m². Every polygon part smaller than
  ``sliver_tolerance_m2`` (default 0.01 m², the precision of TBMJ) is ignored — for tables, for control
  areas and for flags — and its area is reported as ``sliver_m2`` so the accounting still closes:
  gross = Σ classes + sliver + (area without DLTB).
- The boundary's area (``gross_m2``) is the official series on its vertices as given. That series is not
  additive when a long edge is split (it models an edge by its mean longitude), so clipping uses the
  boundary densified to ~20 m edges, whose pieces do add up, and every clipped area is scaled by
  official / densified boundary area (``area_adjustment``, 面积平差 in proportion to area; |k − 1| is ~1e-5
  for km-long edges, ~1e-7 for 100 m edges). The class tables therefore add up to ``gross_m2``. This
  proportional 平差 is common survey practice but is not in domain.md (status I): confirm with the customer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from landguard.engine.checks import boundary_array
from landguard.engine.clipping import DEFAULT_SLIVER_TOLERANCE_M2, DENSIFY_DEGREES, clip, official_area, query_sorted
from landguard.engine.controls import control_pairs, control_results, union_area
from landguard.engine.kinds import COVERAGE_KINDS
from landguard.engine.landclass import LEVEL1_NAMES, BigClass
from landguard.engine.layers import ControlLayer, DltbLayer
from landguard.engine.ownership import OWNERSHIPS
from landguard.engine.results import ClassArea, OverlayPieces, OverlayResult
from landguard.engine.verdicts import judge

_LEVEL1_CODES = sorted(LEVEL1_NAMES)
_BIG_CLASSES = list(BigClass)


def _densified(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The official area of each boundary, the boundary densified for clipping, its area and the 平差 factor.

    The official area is the series on the boundary's vertices as given (what a reviewer's tool computes).
    Clipping happens on the densified boundary, whose pieces add up (see clipping.DENSIFY_DEGREES); every
    clipped area is then scaled by official / densified area (面积平差, |k − 1| ≲ 1e-5)."""
    gross = official_area(geoms)
    dense = shapely.segmentize(geoms, DENSIFY_DEGREES)
    shapely.prepare(dense)  # the covers/intersects tests of clipping run against prepared boundaries
    dense_area = official_area(dense)
    adjust = np.where(dense_area > 0, gross / np.where(dense_area > 0, dense_area, 1.0), 1.0)
    return gross, dense, dense_area, adjust


def overlay(
    boundaries: Any,
    dltb: DltbLayer,
    controls: Mapping[str, ControlLayer] | None = None,
    *,
    sliver_tolerance_m2: float = DEFAULT_SLIVER_TOLERANCE_M2,
) -> list[OverlayResult]:
    """Overlay boundaries (EPSG:4490 (Multi)Polygons) on a DLTB layer and control layers.

    Returns one OverlayResult per boundary, in order. Boundaries are refused (LayerDataError naming them)
    when empty, not areal, not lon/lat or invalid. All pairs boundary × parcel are found with one STRtree
    query and clipped in one vectorised call, so many boundaries cost little more than one.
    """
    if not sliver_tolerance_m2 >= 0:
        raise ValueError("sliver_tolerance_m2 must be ≥ 0")
    controls = dict(controls or {})
    geoms = boundary_array(boundaries)
    nb = len(geoms)
    if nb == 0:
        return []
    gross, dense, dense_area, adjust = _densified(geoms)

    # DLTB: all pairs at once.
    b, t = query_sorted(dltb.tree, dense)
    pieces, raw, whole, dropped = clip(dense, dense_area, b, dltb.geometry[t], dltb.area_m2[t], sliver_tolerance_m2)
    sliver = np.bincount(b, weights=dropped, minlength=nb)
    keep = raw > 0
    b, t, pieces, raw, whole = b[keep], t[keep], pieces[keep], raw[keep], whole[keep]
    area = raw * adjust[b]
    kcxs = dltb.kcxs[t]
    net = area * (1.0 - kcxs)
    cls = dltb.class_index[t]
    n_cls = len(dltb.classes)
    gross_tab = np.bincount(b * n_cls + cls, weights=area, minlength=nb * n_cls).reshape(nb, n_cls)
    net_tab = np.bincount(b * n_cls + cls, weights=net, minlength=nb * n_cls).reshape(nb, n_cls)
    # The same per ownership class too: (boundary, class, ownership), one bincount each for gross and net.
    n_own = len(OWNERSHIPS)
    owned = (b * n_cls + cls) * n_own + dltb.ownership[t]
    gross_own = np.bincount(owned, weights=area, minlength=nb * n_cls * n_own).reshape(nb, n_cls, n_own)
    net_own = np.bincount(owned, weights=net, minlength=nb * n_cls * n_own).reshape(nb, n_cls, n_own)
    raw_total = np.bincount(b, weights=raw, minlength=nb)
    level1_of = np.zeros((n_cls, len(_LEVEL1_CODES)))
    big_of = np.zeros((n_cls, len(_BIG_CLASSES)))
    for k, c in enumerate(dltb.classes):
        level1_of[k, _LEVEL1_CODES.index(c.level1_code)] = 1.0
        big_of[k, _BIG_CLASSES.index(c.big_class)] = 1.0
    farm_cls = np.array([c.is_farmland for c in dltb.classes], dtype=bool)
    code_order = sorted(range(n_cls), key=lambda k: dltb.classes[k].code)
    piece_bounds = np.searchsorted(b, np.arange(nb + 1))

    pairs = {name: control_pairs(dense, dense_area, layer, sliver_tolerance_m2) for name, layer in controls.items()}

    results = []
    for i in range(nb):
        k_i = float(adjust[i])
        s = slice(piece_bounds[i], piece_bounds[i + 1])
        g_row, n_row = gross_tab[i], net_tab[i]
        by_code = {dltb.classes[k].code: ClassArea(dltb.classes[k].code, dltb.classes[k].label,
                                                   float(g_row[k]), float(n_row[k]))
                   for k in code_order if g_row[k] > 0}
        l1_g, l1_n = g_row @ level1_of, n_row @ level1_of
        by_level1 = {code: ClassArea(code, _(LEVEL1_NAMES[code]), float(l1_g[k]), float(l1_n[k]))
                     for k, code in enumerate(_LEVEL1_CODES) if l1_g[k] > 0}
        big_g, big_n = g_row @ big_of, n_row @ big_of
        by_big = {bc.value: ClassArea(bc.value, bc.label, float(big_g[k]), float(big_n[k]))
                  for k, bc in enumerate(_BIG_CLASSES) if big_g[k] > 0}
        by_owner, by_big_owner, farm_owner = _ownership_tables(gross_own[i], net_own[i], big_of, farm_cls)
        dltb_m2 = float(g_row.sum())
        farm_gross, farm_net = float(g_row[farm_cls].sum()), float(n_row[farm_cls].sum())

        noise = max(sliver_tolerance_m2, 1e-9 * gross[i])
        controls_i = control_results(i, pairs, boundary=dense[i], boundary_m2=dense_area[i], noise_m2=noise,
                                     adjustment=k_i, tolerance_m2=sliver_tolerance_m2)
        verdicts, not_evaluated = judge(i, controls_i, pairs, boundary_m2=dense_area[i], noise_m2=noise, adjustment=k_i,
                                        farmland_gross_m2=farm_gross, farmland_net_m2=farm_net,
                                        tolerance_m2=sliver_tolerance_m2)

        warnings = []
        # Uncovered area is measured on the densified boundary, where pieces add up exactly.
        uncovered = (dense_area[i] - raw_total[i] - sliver[i]) * k_i
        if uncovered > noise:
            warnings.append(gettext("地类图斑未覆盖边界内 %(area).2f 平方米（图层有缝隙或边界超出调查范围）")
                            % {"area": uncovered})
        elif -uncovered > noise:
            warnings.append(gettext("地类图斑面积之和比边界面积多 %(area).2f 平方米：地类图斑有重叠")
                            % {"area": -uncovered})

        results.append(OverlayResult(
            boundary_index=i,
            gross_m2=float(gross[i]),
            dltb_m2=dltb_m2,
            sliver_m2=float(sliver[i] * k_i),
            uncovered_m2=float(max(uncovered, 0.0)),
            area_adjustment=k_i,
            by_code=by_code,
            by_level1=by_level1,
            by_big_class=by_big,
            by_ownership=by_owner,
            by_big_class_ownership=by_big_owner,
            farmland_by_ownership=farm_owner,
            farmland_gross_m2=farm_gross,
            farmland_net_m2=farm_net,
            tiankan_m2=float(g_row.sum() - n_row.sum()),
            controls=controls_i,
            verdicts=verdicts,
            not_evaluated=not_evaluated,
            pieces=OverlayPieces(pieces[s], t[s], dltb.dlbm[t[s]], kcxs[s], raw[s], area[s], net[s], whole[s],
                                 dltb.qsxz[t[s]] if dltb.qsxz is not None else np.full(s.stop - s.start, "", object)),
            warnings=tuple(warnings),
        ))
    return results


def _ownership_tables(gross: np.ndarray, net: np.ndarray, big_of: np.ndarray,
                      farm_cls: np.ndarray) -> tuple[dict[str, ClassArea], dict[str, ClassArea], dict[str, ClassArea]]:
    """One boundary's areas by ownership, by 三大类 × ownership and of 耕地 by ownership, from its (class ×
    ownership) gross and net tables; entries with area only, in OWNERSHIPS order (the cross table by 三大类 first)."""
    own_g, own_n = gross.sum(axis=0), net.sum(axis=0)
    by_owner = {o.value: ClassArea(o.value, o.label, float(own_g[k]), float(own_n[k]))
                for k, o in enumerate(OWNERSHIPS) if own_g[k] > 0}
    cross_g, cross_n = big_of.T @ gross, big_of.T @ net
    by_big_owner = {f"{bc.value}:{o.value}": ClassArea(f"{bc.value}:{o.value}", format_lazy("{}·{}", o.label, bc.label),
                                                       float(cross_g[j, k]), float(cross_n[j, k]))
                    for j, bc in enumerate(_BIG_CLASSES) for k, o in enumerate(OWNERSHIPS) if cross_g[j, k] > 0}
    farm_g, farm_n = gross[farm_cls].sum(axis=0), net[farm_cls].sum(axis=0)
    farm_owner = {o.value: ClassArea(o.value, o.label, float(farm_g[k]), float(farm_n[k]))
                  for k, o in enumerate(OWNERSHIPS) if farm_g[k] > 0}
    return by_owner, by_big_owner, farm_owner


# --- many small boundaries ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AreaSummary:
    """overlay() reduced to per-boundary arrays, without tables, pieces or geometries."""

    gross_m2: np.ndarray
    dltb_m2: np.ndarray
    farmland_gross_m2: np.ndarray
    farmland_net_m2: np.ndarray
    main_code: np.ndarray  # the second-level code with the largest area in each boundary ("" where none)
    control_inside_m2: dict[str, np.ndarray]
    control_outside_m2: dict[str, np.ndarray]  # COVERAGE_KINDS only

    def __len__(self) -> int:
        return len(self.gross_m2)


def overlay_areas(
    boundaries: Any,
    dltb: DltbLayer,
    controls: Mapping[str, ControlLayer] | None = None,
    *,
    sliver_tolerance_m2: float = DEFAULT_SLIVER_TOLERANCE_M2,
) -> AreaSummary:
    """The figures of overlay() that screening thousands of boundaries (卫片 change patches) needs, with
    no Python loop per boundary: overlay() builds tables, pieces and the uncovered geometry for each one,
    which costs more than the clipping itself when boundaries are small and many.

    Same clipping, 平差, union and sliver rules as overlay(), so every figure equals overlay()'s.
    """
    controls = dict(controls or {})
    geoms = boundary_array(boundaries)
    nb = len(geoms)
    gross, dense, dense_area, adjust = _densified(geoms)

    b, t = query_sorted(dltb.tree, dense)
    _pieces, raw, _whole, _dropped = clip(dense, dense_area, b, dltb.geometry[t], dltb.area_m2[t], sliver_tolerance_m2)
    area = raw * adjust[b]
    farm = dltb.is_farmland[t]
    n_cls = max(len(dltb.classes), 1)
    by_class = np.bincount(b * n_cls + dltb.class_index[t], weights=area, minlength=nb * n_cls).reshape(nb, n_cls)
    codes = np.array([c.code for c in dltb.classes] or [""], dtype=object)
    main_code = np.where(by_class.max(axis=1) > 0, codes[by_class.argmax(axis=1)], "")

    inside: dict[str, np.ndarray] = {}
    outside: dict[str, np.ndarray] = {}
    noise = np.maximum(sliver_tolerance_m2, 1e-9 * gross)
    for name, layer in controls.items():
        layer_pairs = control_pairs(dense, dense_area, layer, sliver_tolerance_m2)
        owner = np.repeat(np.arange(nb), np.diff(layer_pairs.bounds))
        # Pieces add up unless two pieces of overlapping features meet one boundary: those boundaries (rare)
        # need the union, one by one.
        overlapped = np.bincount(owner[layer_pairs.overlapping], minlength=nb)
        clean = ~layer_pairs.overlapping | (overlapped[owner] < 2)
        raw_inside = np.bincount(owner[clean], weights=layer_pairs.area[clean], minlength=nb)
        for i in np.flatnonzero(overlapped >= 2):
            s = layer_pairs.of(i)
            raw_inside[i] = union_area(layer_pairs.pieces[s], layer_pairs.area[s], layer_pairs.overlapping[s],
                                       sliver_tolerance_m2)
        inside[name] = raw_inside * adjust
        if layer.kind in COVERAGE_KINDS:
            rest = dense_area - raw_inside
            outside[name] = np.where(rest > noise, rest, 0.0) * adjust

    return AreaSummary(
        gross_m2=gross,
        dltb_m2=np.bincount(b, weights=area, minlength=nb),
        farmland_gross_m2=np.bincount(b[farm], weights=area[farm], minlength=nb),
        farmland_net_m2=np.bincount(b[farm], weights=(area * (1.0 - dltb.kcxs[t]))[farm], minlength=nb),
        main_code=main_code,
        control_inside_m2=inside,
        control_outside_m2=outside,
    )
