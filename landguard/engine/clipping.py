"""Official areas and clipping into pieces: the geometric primitives every overlay figure is built from.

- Every area is core.geodesy's CGCS2000 ellipsoidal area (domain.md §2), computed in chunks to bound memory.
- Clipping is vectorised over all (boundary, feature) pairs found with one STRtree query; a feature wholly
  inside its boundary, or a boundary wholly inside a feature, is not clipped (its area is already known).
- Slivers: every polygon part smaller than the tolerance (DEFAULT_SLIVER_TOLERANCE_M2, the precision of TBMJ)
  is float noise of clipping along shared edges; it is dropped and its area reported, so accounts still close.
"""

from __future__ import annotations

import numpy as np
import shapely

from landguard.core.geodesy import ellipsoidal_area_m2
from landguard.engine.checks import MULTIPOLYGON, POLYGON

DEFAULT_SLIVER_TOLERANCE_M2 = 0.01
EMPTY = shapely.from_wkt("POLYGON EMPTY")
# Boundaries are densified to edges of at most this many degrees (~20 m) before clipping. The official
# series area treats each edge through its mean longitude, which is exact only for short edges: a 2.8 km
# diagonal edge is ~80 m² off the converged value, and splitting it (as clipping does) changes the figure,
# so pieces of a long-edged boundary would not add up to it. On ≤ 20 m edges the pieces add up to ~1e-9.
DENSIFY_DEGREES = 0.0002
_AREA_CHUNK = 50_000


def official_area(geoms: np.ndarray) -> np.ndarray:
    """core.geodesy.ellipsoidal_area_m2, skipping empty geometries (an array made only of POLYGON EMPTY
    makes it index an empty coordinate array; clipping produces such arrays), in chunks: it holds ~20
    float temporaries per vertex, ~550 MB for a 500 000-parcel layer in one call, ~60 MB per chunk."""
    area = np.zeros(len(geoms))
    present = np.flatnonzero(~shapely.is_empty(geoms))
    for start in range(0, len(present), _AREA_CHUNK):
        rows = present[start:start + _AREA_CHUNK]
        area[rows] = ellipsoidal_area_m2(geoms[rows])
    return area


def flat_parts(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Simple parts of each geometry (collections may nest multi-geometries), with their owner index."""
    parts, owner = shapely.get_parts(geoms, return_index=True)
    while True:
        nested = shapely.get_num_geometries(parts) > 1
        nested |= np.isin(shapely.get_type_id(parts), (4, 5, 6, 7))  # single-part Multi*/collections
        if not nested.any():
            return parts, owner
        sub, sub_owner = shapely.get_parts(parts[nested], return_index=True)
        parts = np.concatenate([parts[~nested], sub])
        owner = np.concatenate([owner[~nested], owner[nested][sub_owner]])
        order = np.argsort(owner, kind="stable")
        parts, owner = parts[order], owner[order]


def drop_slivers(geoms: np.ndarray, tolerance_m2: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Keep the polygon parts of each geometry whose ellipsoidal area is > 0 and ≥ the tolerance.

    Returns (cleaned geometries, kept area, dropped area). Lines and points (from edges that only touch)
    are dropped with area 0. A geometry is rebuilt only when something was dropped.
    """
    n = len(geoms)
    kept = np.zeros(n)
    dropped = np.zeros(n)
    out = geoms.copy()
    if n == 0:
        return out, kept, dropped
    parts, owner = flat_parts(geoms)
    is_poly = shapely.get_type_id(parts) == POLYGON
    area = np.zeros(len(parts))
    if is_poly.any():
        area[is_poly] = official_area(parts[is_poly])
    keep = is_poly & (area > 0) & (area >= tolerance_m2)
    kept = np.bincount(owner[keep], weights=area[keep], minlength=n)
    dropped = np.bincount(owner[~keep], weights=area[~keep], minlength=n)
    n_parts = np.bincount(owner, minlength=n)
    n_kept = np.bincount(owner[keep], minlength=n)
    rebuild = (n_kept < n_parts) | ~np.isin(shapely.get_type_id(geoms), (POLYGON, MULTIPOLYGON))
    if rebuild.any():
        rows = np.flatnonzero(rebuild)
        slot = np.full(n, -1)
        slot[rows] = np.arange(len(rows))
        use = keep & rebuild[owner]
        target = np.full(len(rows), EMPTY, dtype=object)
        if use.any():
            shapely.multipolygons(parts[use], indices=slot[owner[use]], out=target)
        single = n_kept[rows] == 1
        target[single] = shapely.get_geometry(target[single], 0)
        out[rows] = target
    return out, kept, dropped


def query_sorted(tree: shapely.STRtree, geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    b, f = tree.query(geoms, predicate="intersects")
    order = np.lexsort((f, b))  # by boundary, then feature: deterministic output order
    return b[order], f[order]


def clip(boundaries: np.ndarray, boundary_area: np.ndarray, b: np.ndarray, features: np.ndarray,
         feature_area: np.ndarray,
          tolerance_m2: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Clip features[k] to boundaries[b[k]], vectorised over all pairs.

    Features wholly inside their boundary are not clipped: they keep their geometry and their precomputed
    ellipsoidal area (clipping would return the same polygon). Nor is a boundary wholly inside a feature
    (a change patch inside one parcel, a project inside one 永农 block): the piece is the boundary, with
    its area. Returns (pieces, areas, whole, dropped area).
    """
    whole = shapely.covers(boundaries[b], features)
    pieces = features.copy()
    area = feature_area.copy()
    dropped = np.zeros(len(features))
    cut = np.flatnonzero(~whole)
    if len(cut):
        # Only pairs whose feature's box holds the boundary's box are worth the covers test.
        fb, bb = shapely.bounds(features[cut]), shapely.bounds(boundaries[b[cut]])
        maybe = cut[(fb[:, 0] <= bb[:, 0]) & (fb[:, 1] <= bb[:, 1]) & (fb[:, 2] >= bb[:, 2]) & (fb[:, 3] >= bb[:, 3])]
        within = maybe[shapely.covers(features[maybe], boundaries[b[maybe]])] if len(maybe) else maybe
        pieces[within], area[within] = boundaries[b[within]], boundary_area[b[within]]
        cut = np.setdiff1d(cut, within, assume_unique=True)
    if len(cut):
        clipped = shapely.intersection(boundaries[b[cut]], features[cut])
        pieces[cut], area[cut], dropped[cut] = drop_slivers(clipped, tolerance_m2)
    small = whole & ~((area > 0) & (area >= tolerance_m2))  # a whole feature below the noise floor
    dropped[small] += area[small]
    area[small] = 0.0
    return pieces, area, whole, dropped

