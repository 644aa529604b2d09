"""Control layers inside boundaries: each layer's features clipped to the boundaries (ControlPairs), and the
area inside a layer counted on the union of its pieces, so overlapping control polygons (two 批次 over the
same land, duplicated 永农 polygons) never count twice; the area outside it (COVERAGE_KINDS) is what the
inside leaves of the boundary.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from landguard.engine.clipping import clip, drop_slivers, query_sorted
from landguard.engine.kinds import COVERAGE_KINDS
from landguard.engine.layers import ControlLayer
from landguard.engine.results import ControlResult


def union_area(pieces: np.ndarray, areas: np.ndarray, overlapping: np.ndarray, tolerance_m2: float) -> float:
    """Area of the union of ``pieces``.

    Pieces of features that overlap no other feature are disjoint: their areas add. Only the others are
    unioned — the union is the one costly step, and most control layers are clean tessellations.
    """
    inside = float(areas[~overlapping].sum())
    overlapped = pieces[overlapping]
    if len(overlapped) == 1:
        inside += float(areas[overlapping].sum())
    elif len(overlapped) > 1:
        _g, kept, _dropped = drop_slivers(np.array([shapely.union_all(overlapped)], dtype=object), tolerance_m2)
        inside += float(kept[0])
    return inside


def uncovered_area(boundary_m2: float, inside_m2: float, noise_m2: float) -> float:
    """The boundary's area outside a layer: what the inside leaves (pieces and remainder add up on the
    densified boundary), 0 below the noise floor. No geometry: on a boundary with hundreds of pieces,
    the union it needs costs more than the rest of the analysis (ControlResult computes it on demand)."""
    rest = boundary_m2 - inside_m2
    return rest if rest > noise_m2 else 0.0


@dataclass
class ControlPairs:
    layer: ControlLayer
    bounds: np.ndarray  # start/stop offsets per boundary into the arrays below
    feature: np.ndarray
    pieces: np.ndarray
    area: np.ndarray
    overlapping: np.ndarray

    def of(self, i: int) -> slice:
        return slice(self.bounds[i], self.bounds[i + 1])


def control_pairs(boundaries: np.ndarray, boundary_area: np.ndarray, layer: ControlLayer,
                  tolerance_m2: float) -> ControlPairs:
    b, f = query_sorted(layer.tree, boundaries)
    pieces, area, _whole, _dropped = clip(boundaries, boundary_area, b, layer.geometry[f], layer.area_m2[f],
                                          tolerance_m2)
    keep = area > 0
    b, f, pieces, area = b[keep], f[keep], pieces[keep], area[keep]
    overlapping = layer.overlapping[f] if len(f) else np.zeros(0, dtype=bool)
    bounds = np.searchsorted(b, np.arange(len(boundaries) + 1))
    return ControlPairs(layer, bounds, f, pieces, area, overlapping)



def control_results(i: int, pairs: dict[str, ControlPairs], *, boundary: shapely.Geometry, boundary_m2: float,
                    noise_m2: float, adjustment: float, tolerance_m2: float) -> dict[str, ControlResult]:
    """Boundary i against each control layer: the area inside (on the union of the layer's pieces) and, for
    COVERAGE_KINDS, the area outside, both scaled by the boundary's 平差 factor. ``boundary`` and
    ``boundary_m2`` are the densified boundary and its area, on which pieces and remainder add up."""
    results: dict[str, ControlResult] = {}
    for name, layer_pairs in pairs.items():
        cs = layer_pairs.of(i)
        inside = union_area(layer_pairs.pieces[cs], layer_pairs.area[cs], layer_pairs.overlapping[cs], tolerance_m2)
        coverage = layer_pairs.layer.kind in COVERAGE_KINDS
        results[name] = ControlResult(
            name, layer_pairs.layer.kind, inside * adjustment,
            uncovered_area(boundary_m2, inside, noise_m2) * adjustment if coverage else None,
            layer_pairs.pieces[cs], layer_pairs.feature[cs], boundary if coverage else None, tolerance_m2)
    return results
