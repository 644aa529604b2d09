"""The baselines `make bench` measures LandGuard against (issue 16 item 1): the same data, the same outputs.

Each answers the same question as LandGuard's overlay for one boundary — its area, the area of each DLBM
inside it gross and net of 田坎, the area inside 永久基本农田 and inside 已批用地 (overlapping approvals
counted once), and the flags 占用耕地 / 占用永久基本农田 / 未被已批用地覆盖 — and, for change patches, the per-patch
areas classify_patches gives. Every area is the official CGCS2000 ellipsoidal area (core.geodesy's
vectorised function, the same cost for everyone; PostGIS uses its own `geography` area), so the figures can
be compared, not just the times:

- GeopandasAnalyst: a competent analyst in a notebook. Layers loaded into GeoDataFrames once (in memory,
  spatial index built, not timed); per boundary a `sindex.query` prefilter and `gpd.clip`, vectorised
  areas and a `groupby`; approved land dissolved (`union_all`) before measuring. Patches: one bulk
  `sindex.query`, vectorised `intersection`, `bincount`, approved pieces dissolved by patch.
- VectorisedShapely: the practical limit of in-process work. NumPy arrays and an STRtree in memory, each
  parcel's area computed once at load; per boundary: query, `covers` (a parcel wholly inside costs its
  stored area), `intersection` of the rest, `bincount` by class; approvals unioned only where they overlap
  (flags computed at load, as LandGuard computes them at import).
- PostgisSql: plain SQL as a DBA writes it, on the same feature table LandGuard reads (its GiST index):
  `ST_Intersects` + `ST_Intersection` + `ST_Area(::geography)`, `ST_Union` for the approvals; one statement
  per boundary.

`compare_overlay` / `compare_patches` say where two outputs differ by more than the stated tolerance.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from landguard.core.geodesy import ellipsoidal_area_m2

# Outputs agree when every area differs by at most ABS_TOL_M2 or REL_TOL of the boundary's (patch's) own
# area, whichever is larger. The differences are the 平差 of LandGuard (≲1e-7 on ~20 m edges), float noise
# on shared edges and PostGIS's own ellipsoidal-area algorithm on `geography`.
ABS_TOL_M2 = 0.5
REL_TOL = 1e-6
# PostGIS's `geography` treats every edge as a geodesic, the official series (and GEOS) as a straight line in
# longitude/latitude: on the km-long edges of some demo parcels the two differ by a few m² (~2e-6 of a
# 300 ha boundary), so the plain-SQL baseline is held to 1e-5 (30 m² on 300 ha).
REL_TOL_GEOGRAPHY = 1e-5
SLIVER_M2 = 0.01  # LandGuard's noise floor: a piece or an uncovered remainder smaller than this is nothing
FARMLAND_PREFIX = "01"  # 耕地 (0101 水田, 0102 水浇地, 0103 旱地)
FLAGS = ("occupies_basic_farmland", "not_covered_by_approval", "occupies_farmland")


@dataclass
class Data:
    """The layers as the baselines hold them: geometries in EPSG:4490 with DLBM and KCXS (a fraction)."""

    dltb: np.ndarray
    code: np.ndarray
    kcxs: np.ndarray
    basic: np.ndarray
    approved: np.ndarray

    @classmethod
    def from_gpkg(cls, data_dir: Path) -> Data:
        from bench.generate import read_geometries

        dltb, attrs = read_geometries(data_dir / "dltb.gpkg")
        basic, _ = read_geometries(data_dir / "basic_farmland.gpkg")
        approved, _ = read_geometries(data_dir / "approved.gpkg")
        return cls(dltb, np.asarray(attrs["DLBM"]).astype(str), np.asarray(attrs["KCXS"], dtype=float), basic, approved)


def _outcome(area: float, codes: np.ndarray, gross: np.ndarray, net: np.ndarray, basic: float,
             approved: float) -> dict:
    """One boundary's answer in the common form (JSON-ready)."""
    classes = {str(c): [float(g), float(n)] for c, g, n in zip(codes, gross, net, strict=True) if g >= SLIVER_M2}
    farm = sum(g for c, (g, _n) in classes.items() if c.startswith(FARMLAND_PREFIX))
    flags = []
    if basic >= SLIVER_M2:
        flags.append("occupies_basic_farmland")
    if area - approved > max(SLIVER_M2, 1e-9 * area):
        flags.append("not_covered_by_approval")
    if farm > 0:
        flags.append("occupies_farmland")
    return {"area_m2": float(area), "classes": classes,
            "controls": {"basic_farmland": float(basic), "approved": float(approved)}, "flags": flags}


def landguard_outcome(result: Any) -> dict:
    """An OverlayResult of analysis.services.overlay_boundaries in the common form."""
    controls = {str(c.kind): float(c.inside_m2) for c in result.controls.values()}
    return {"area_m2": float(result.gross_m2),
            "classes": {code: [float(c.gross_m2), float(c.net_m2)] for code, c in result.by_code.items()},
            "controls": {"basic_farmland": controls.get("basic_farmland", 0.0),
                         "approved": controls.get("approved", 0.0)},
            "flags": [str(f.verdict.value) for f in result.verdicts if str(f.verdict.value) in FLAGS]}


def landguard_patches(result: Any) -> dict[str, np.ndarray]:
    """A PatchClassification in the common form: per-patch arrays (m²)."""
    return {"area_m2": result.area_m2, "farmland_gross_m2": result.farmland_gross_m2,
            "farmland_net_m2": result.farmland_net_m2, "basic_farmland_m2": result.basic_farmland_m2,
            "approved_m2": result.approved_m2}


def _by_code(codes: np.ndarray, area: np.ndarray, kcxs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    uniq, inv = np.unique(codes, return_inverse=True)
    return (uniq, np.bincount(inv, weights=area, minlength=len(uniq)),
            np.bincount(inv, weights=area * (1.0 - kcxs), minlength=len(uniq)))


# --- (i) the competent GeoPandas analyst ----------------------------------------------------------------------


class GeopandasAnalyst:
    name = "geopandas_clip"

    def __init__(self, data: Data) -> None:
        import geopandas as gpd

        self.gpd = gpd
        self.dltb = gpd.GeoDataFrame({"DLBM": data.code, "KCXS": data.kcxs}, geometry=data.dltb, crs=4490)
        self.basic = gpd.GeoDataFrame(geometry=data.basic, crs=4490)
        self.approved = gpd.GeoDataFrame(geometry=data.approved, crs=4490)
        self.farmland = self.dltb[self.dltb["DLBM"].str.startswith(FARMLAND_PREFIX)].reset_index(drop=True)
        for df in (self.dltb, self.basic, self.approved, self.farmland):
            df.sindex  # noqa: B018 — built now, in the untimed set-up

    def _clip(self, layer, g):
        sub = layer.iloc[layer.sindex.query(g, predicate="intersects")]
        return self.gpd.clip(sub, g, keep_geom_type=True)

    def overlay(self, g: shapely.Geometry) -> dict:
        pieces = self._clip(self.dltb, g)
        area = ellipsoidal_area_m2(pieces.geometry.to_numpy())
        table = (pieces.drop(columns="geometry").assign(gross=area, net=area * (1.0 - pieces["KCXS"].to_numpy()))
                 .groupby("DLBM")[["gross", "net"]].sum())
        basic = float(ellipsoidal_area_m2(self._clip(self.basic, g).geometry.to_numpy()).sum())
        approved_pieces = self._clip(self.approved, g)
        approved = float(ellipsoidal_area_m2(approved_pieces.union_all())[0]) if len(approved_pieces) else 0.0
        return _outcome(float(ellipsoidal_area_m2(g)[0]), table.index.to_numpy(), table["gross"].to_numpy(),
                        table["net"].to_numpy(), basic, approved)

    def classify(self, patches: np.ndarray) -> dict[str, np.ndarray]:
        gpd = self.gpd
        n = len(patches)
        series = gpd.GeoSeries(patches, crs=4490)

        def pieces(layer):
            pi, li = layer.sindex.query(series, predicate="intersects")
            inter = gpd.GeoSeries(series.to_numpy()[pi], crs=4490).intersection(
                gpd.GeoSeries(layer.geometry.to_numpy()[li], crs=4490))
            return pi, li, inter

        pi, li, inter = pieces(self.farmland)
        a = ellipsoidal_area_m2(inter.to_numpy())
        gross = np.bincount(pi, weights=a, minlength=n)
        net = np.bincount(pi, weights=a * (1.0 - self.farmland["KCXS"].to_numpy()[li]), minlength=n)
        pi, _li, inter = pieces(self.basic)
        basic = np.bincount(pi, weights=ellipsoidal_area_m2(inter.to_numpy()), minlength=n)
        pi, _li, inter = pieces(self.approved)
        dissolved = gpd.GeoDataFrame({"pid": pi}, geometry=inter.to_numpy(), crs=4490).dissolve(by="pid")
        approved = np.zeros(n)
        approved[dissolved.index.to_numpy()] = ellipsoidal_area_m2(dissolved.geometry.to_numpy())
        return {"area_m2": ellipsoidal_area_m2(patches), "farmland_gross_m2": gross, "farmland_net_m2": net,
                "basic_farmland_m2": basic, "approved_m2": approved}


# --- (ii) vectorised shapely from memory ------------------------------------------------------------------------


class VectorisedShapely:
    name = "shapely_vectorised"

    def __init__(self, data: Data) -> None:
        self.dltb, self.code, self.kcxs = data.dltb, data.code, data.kcxs
        self.basic, self.approved = data.basic, data.approved
        self.trees = {k: shapely.STRtree(getattr(self, k)) for k in ("dltb", "basic", "approved")}
        self.areas = {k: ellipsoidal_area_m2(getattr(self, k)) for k in ("dltb", "basic", "approved")}
        self.farm = np.char.startswith(self.code.astype(str), FARMLAND_PREFIX)
        # Approvals that overlap another: only those need a union (LandGuard flags them at import).
        a, b = self.trees["approved"].query(self.approved, predicate="intersects")
        a, b = a[a != b], b[a != b]
        a = a[~shapely.touches(self.approved[a], self.approved[b])]
        self.approved_overlaps = np.zeros(len(self.approved), dtype=bool)
        self.approved_overlaps[a] = True
        for geoms in (self.dltb, self.basic, self.approved):
            shapely.prepare(geoms)

    def _pieces(self, layer: str, g: shapely.Geometry) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        idx = self.trees[layer].query(g, predicate="intersects")
        geoms = getattr(self, layer)[idx]
        whole = shapely.covers(g, geoms)
        area = self.areas[layer][idx].copy()
        pieces = geoms.copy()
        cut = ~whole
        if cut.any():
            pieces[cut] = shapely.intersection(g, geoms[cut])
            area[cut] = ellipsoidal_area_m2(pieces[cut])
        return idx, pieces, area

    def overlay(self, g: shapely.Geometry) -> dict:
        shapely.prepare(g)
        idx, _pieces, area = self._pieces("dltb", g)
        codes, gross, net = _by_code(self.code[idx], area, self.kcxs[idx])
        _idx, _p, basic = self._pieces("basic", g)
        idx, pieces, area = self._pieces("approved", g)
        over = self.approved_overlaps[idx] & (area > 0)
        approved = float(area[~over].sum())
        if over.sum() > 1:
            approved += float(ellipsoidal_area_m2(shapely.union_all(pieces[over]))[0])
        else:
            approved += float(area[over].sum())
        return _outcome(float(ellipsoidal_area_m2(g)[0]), codes, gross, net, float(basic.sum()), approved)

    def _patch_pieces(self, layer: str, patches: np.ndarray, keep: np.ndarray | None = None):
        pi, li = self.trees[layer].query(patches, predicate="intersects")
        if keep is not None:
            sel = keep[li]
            pi, li = pi[sel], li[sel]
        pieces = shapely.intersection(patches[pi], getattr(self, layer)[li])
        area = ellipsoidal_area_m2(pieces)
        return pi, li, pieces, area

    def classify(self, patches: np.ndarray) -> dict[str, np.ndarray]:
        n = len(patches)
        shapely.prepare(patches)
        self._patch_area = ellipsoidal_area_m2(patches)
        pi, li, _p, a = self._patch_pieces("dltb", patches, self.farm)
        gross = np.bincount(pi, weights=a, minlength=n)
        net = np.bincount(pi, weights=a * (1.0 - self.kcxs[li]), minlength=n)
        pi, _li, _p, a = self._patch_pieces("basic", patches)
        basic = np.bincount(pi, weights=a, minlength=n)
        pi, li, pieces, a = self._patch_pieces("approved", patches)
        over = self.approved_overlaps[li] & (a > 0)
        approved = np.bincount(pi[~over], weights=a[~over], minlength=n)
        if over.any():
            owners, counts = np.unique(pi[over], return_counts=True)
            many = owners[counts > 1]
            single = over & ~np.isin(pi, many)
            approved += np.bincount(pi[single], weights=a[single], minlength=n)
            if len(many):
                multi = over & np.isin(pi, many)
                order = np.argsort(pi[multi], kind="stable")
                groups = np.split(pieces[multi][order], np.flatnonzero(np.diff(pi[multi][order])) + 1)
                unions = np.array([shapely.union_all(grp) for grp in groups], dtype=object)
                approved[many] += ellipsoidal_area_m2(unions)
        return {"area_m2": self._patch_area, "farmland_gross_m2": gross, "farmland_net_m2": net,
                "basic_farmland_m2": basic, "approved_m2": approved}


# --- (iii) plain PostGIS SQL ------------------------------------------------------------------------------------

OVERLAY_SQL = """
WITH b AS (SELECT ST_GeomFromWKB(%(wkb)s, 4490) AS g),
d AS (
  SELECT f.code, f.kcxs, ST_Area(ST_Intersection(f.geom, b.g)::geography) AS a
  FROM layers_feature f, b WHERE f.version_id = %(dltb)s AND ST_Intersects(f.geom, b.g)
)
SELECT 'class', code, sum(a), sum(a * (1 - kcxs)) FROM d GROUP BY code
UNION ALL
SELECT 'basic_farmland', '', coalesce(sum(ST_Area(ST_Intersection(f.geom, b.g)::geography)), 0), NULL
  FROM layers_feature f, b WHERE f.version_id = %(basic)s AND ST_Intersects(f.geom, b.g)
UNION ALL
SELECT 'approved', '', coalesce(ST_Area(ST_Union(ST_Intersection(f.geom, b.g))::geography), 0), NULL
  FROM layers_feature f, b WHERE f.version_id = %(approved)s AND ST_Intersects(f.geom, b.g)
UNION ALL
SELECT 'area', '', ST_Area(b.g::geography), NULL FROM b
"""


class PostgisSql:
    """One statement per boundary over a psycopg connection (the Django connection's, or any)."""

    name = "postgis_sql"

    def __init__(self, cursor: Any, *, dltb: int, basic: int, approved: int) -> None:
        self.cursor = cursor
        self.versions = {"dltb": dltb, "basic": basic, "approved": approved}

    def overlay(self, g: shapely.Geometry) -> dict:
        self.cursor.execute(OVERLAY_SQL, {"wkb": shapely.to_wkb(g), **self.versions})
        codes, gross, net = [], [], []
        other = {}
        for kind, code, a, n in self.cursor.fetchall():
            if kind == "class":
                codes.append(code)
                gross.append(a)
                net.append(n)
            else:
                other[kind] = float(a or 0.0)
        return _outcome(other["area"], np.asarray(codes, dtype=object), np.asarray(gross, dtype=float),
                        np.asarray(net, dtype=float), other["basic_farmland"], other["approved"])


# --- comparisons ------------------------------------------------------------------------------------------------


def compare_overlay(expected: dict, got: dict, *, rel_tol: float = REL_TOL) -> list[str]:
    """Where `got` differs from `expected` (one boundary each) beyond the tolerance."""
    tol = max(ABS_TOL_M2, rel_tol * abs(expected["area_m2"]))
    out = []
    if abs(expected["area_m2"] - got["area_m2"]) > tol:
        out.append(f"area {expected['area_m2']:.2f} ≠ {got['area_m2']:.2f}")
    for code in sorted(set(expected["classes"]) | set(got["classes"])):
        e, g = expected["classes"].get(code, [0.0, 0.0]), got["classes"].get(code, [0.0, 0.0])
        for k, what in enumerate(("gross", "net")):
            if abs(e[k] - g[k]) > tol:
                out.append(f"{code} {what} {e[k]:.2f} ≠ {g[k]:.2f}")
    for key in ("basic_farmland", "approved"):
        if abs(expected["controls"][key] - got["controls"][key]) > tol:
            out.append(f"{key} {expected['controls'][key]:.2f} ≠ {got['controls'][key]:.2f}")
    if sorted(expected["flags"]) != sorted(got["flags"]):
        out.append(f"flags {sorted(expected['flags'])} ≠ {sorted(got['flags'])}")
    return out


def compare_patches(expected: dict[str, np.ndarray], got: dict[str, np.ndarray]) -> list[str]:
    """Per-patch differences beyond the tolerance (the patch's own area sets the relative part)."""
    tol = np.maximum(ABS_TOL_M2, REL_TOL * np.abs(np.asarray(expected["area_m2"], dtype=float)))
    out = []
    for key, e in expected.items():
        diff = np.abs(np.asarray(e, dtype=float) - np.asarray(got[key], dtype=float))
        bad = np.flatnonzero(diff > tol)
        if len(bad):
            out.append(f"{key}: {len(bad)} patches differ, worst {float(diff.max()):.3f} m² at patch {int(bad[0])}")
    return out


def max_abs_diff_overlay(expected: list[dict], got: list[dict]) -> float:
    """The largest difference of any area between two lists of outcomes (m²), for the report."""
    worst = 0.0
    for e, g in zip(expected, got, strict=True):
        worst = max(worst, abs(e["area_m2"] - g["area_m2"]))
        for code in set(e["classes"]) | set(g["classes"]):
            a, b = e["classes"].get(code, [0.0, 0.0]), g["classes"].get(code, [0.0, 0.0])
            worst = max(worst, abs(a[0] - b[0]), abs(a[1] - b[1]))
        for key in ("basic_farmland", "approved"):
            worst = max(worst, abs(e["controls"][key] - g["controls"][key]))
    return worst


