"""The benchmark's synthetic county, written once to files under var/bench/data/ (reproducible by seed).

- ``dltb.gpkg``: a 三调-like 地类图斑 layer of BENCH_PARCELS parcels (landguard.engine.synthetic: Voronoi
  tessellation, realistic land-class mix, KCXS, TBMJ, …) over BENCH_BBOX — ~5 000 km², so the mean parcel
  is ~1 ha, the size of real 三调 parcels on the North China Plain (冠县: ~100 000 parcels over 1 161 km²).
- ``basic_farmland.gpkg`` and ``approved.gpkg``: the control layers of synthetic_controls (永久基本农田 in
  blocks of 耕地; 已批 = most construction parcels plus overlapping approval patches).
- ``boundaries.gpkg``: 50 irregular ~300 ha project boundaries (红线) at random places in the county, with
  ~20 m edges as surveyed boundaries have.
- ``patches.gpkg``: 10 000 卫片 change patches (0.04–20 ha, median ~0.4 ha), most near settlements and roads.
- ``regions.json``: the bench county 379901 (the bbox), 25 townships and villages from 600 Voronoi seeds cut by
  the townships (864 villages, nested exactly), so the import assigns each parcel its village as on real data.
- ``manifest.json``: parameters, counts, file sizes, the SHA-256 of each geometry set, the area mix and timings.

The files are reused while the parameters and this generator's source are unchanged.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import pyogrio.raw
import shapely

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "var" / "bench" / "data"

BENCH_PARCELS = 500_000
BENCH_SEED = 20261123
# ~76 km × 67 km around 冠县 (36.5°N): 0.85° × 0.60° ≈ 5 060 km², i.e. ~1.0 ha per parcel.
BENCH_BBOX = (115.105, 36.235, 115.955, 36.835)
COUNTY_CODE = "379901"  # not a real division code (37 99 xx is unassigned): bench data never meets demo data
N_TOWNSHIPS = 25
N_VILLAGES = 600
N_BOUNDARIES = 50
BOUNDARY_HA = 300.0
N_PATCHES = 10_000
_EARTH_RADIUS = 6371008.8


class Frame:
    """Local equirectangular metric frame (synthetic geometry only; official areas come from core.geodesy)."""

    def __init__(self, bbox):
        self.lon0, self.lat0 = bbox[0], bbox[1]
        self.ky = _EARTH_RADIUS * math.pi / 180
        self.kx = self.ky * math.cos(math.radians((bbox[1] + bbox[3]) / 2))
        self.width = (bbox[2] - bbox[0]) * self.kx
        self.height = (bbox[3] - bbox[1]) * self.ky

    def to_degrees(self, geoms):
        scale, origin = np.array([1 / self.kx, 1 / self.ky]), np.array([self.lon0, self.lat0])
        return shapely.transform(geoms, lambda c: c * scale + origin)

    def xy(self, lonlat):
        return (np.asarray(lonlat) - np.array([self.lon0, self.lat0])) * np.array([self.kx, self.ky])


def _source_digest() -> str:
    h = hashlib.sha256()
    for p in (Path(__file__), ROOT / "landguard" / "engine" / "synthetic.py"):
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def _geometry_digest(geoms: np.ndarray) -> str:
    h = hashlib.sha256()
    for chunk in range(0, len(geoms), 50_000):
        for w in shapely.to_wkb(geoms[chunk:chunk + 50_000]):
            h.update(w)
    return h.hexdigest()[:16]


def write_gpkg(path: Path, geoms: np.ndarray, attributes: dict[str, np.ndarray]) -> None:
    """MultiPolygons in EPSG:4490 with the given fields, as landguard.demo.layers writes its uploads."""
    types = shapely.get_type_id(geoms)
    multi = geoms.copy()
    single = np.flatnonzero(types == 3)
    if len(single):
        multi[single] = [shapely.multipolygons([g]) for g in geoms[single]]
    if path.exists():
        path.unlink()
    pyogrio.raw.write(str(path), shapely.to_wkb(multi), [np.asarray(v) for v in attributes.values()], list(attributes),
                      driver="GPKG", geometry_type="MultiPolygon", crs="EPSG:4490", layer="data")


def read_geometries(path: Path) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    meta, _fids, wkb, values = pyogrio.raw.read(str(path))[:4]
    return shapely.from_wkb(wkb), dict(zip(meta["fields"], values, strict=True))


# --- boundaries and patches -------------------------------------------------------------------------------


def _blob(rng: np.random.Generator, centre: np.ndarray, area_m2: float, vertices: int) -> shapely.Polygon:
    """An irregular, smooth, star-shaped outline of the given (frame) area: a project's red line."""
    theta = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
    radius = np.ones(vertices)
    for k in range(2, 6):
        radius += rng.uniform(0, 0.22 / k) * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
    aspect = rng.uniform(0.6, 1.0)
    angle = rng.uniform(0, np.pi)
    x, y = radius * np.cos(theta), radius * np.sin(theta) * aspect
    x, y = x * np.cos(angle) - y * np.sin(angle), x * np.sin(angle) + y * np.cos(angle)
    poly = shapely.Polygon(np.column_stack([x, y]))
    scale = math.sqrt(area_m2 / poly.area)
    return shapely.Polygon(np.column_stack([x, y]) * scale + centre)


def make_boundaries(frame: Frame, rng: np.random.Generator) -> np.ndarray:
    """N_BOUNDARIES ~300 ha outlines (±10 %) with ~20 m edges, fully inside the county."""
    out = []
    margin = 2500.0
    for _ in range(N_BOUNDARIES):
        area = BOUNDARY_HA * 1e4 * rng.uniform(0.9, 1.1)
        centre = rng.uniform([margin, margin], [frame.width - margin, frame.height - margin])
        perimeter = 2 * math.pi * math.sqrt(area / math.pi) * 1.15
        out.append(_blob(rng, centre, area, int(perimeter / 20)))
    return frame.to_degrees(np.array(out, dtype=object))


def make_patches(frame: Frame, rng: np.random.Generator, anchors_xy: np.ndarray) -> np.ndarray:
    """卫片 change patches: small digitised polygons, 70 % within ~300 m of construction (where change
    happens: village edges, roads, towns), 30 % anywhere. Sizes lognormal, median 0.4 ha, 0.04–20 ha.
    Every patch lies inside the county (centres kept 1 km from its edge) and is a valid polygon."""
    n = N_PATCHES
    margin = 1000.0
    near = rng.random(n) < 0.7
    centres = rng.uniform([0, 0], [frame.width, frame.height], (n, 2))
    pick = anchors_xy[rng.integers(0, len(anchors_xy), int(near.sum()))]
    centres[near] = pick + rng.normal(0, 300.0, pick.shape)
    centres = np.clip(centres, [margin, margin], [frame.width - margin, frame.height - margin])
    area = np.clip(rng.lognormal(math.log(4000.0), 0.9, n), 400.0, 200_000.0)
    patches = []
    for i in range(n):
        k = int(rng.integers(5, 13))
        theta = np.sort(rng.uniform(0, 2 * np.pi, k))
        radius = rng.uniform(0.7, 1.0, k)
        aspect = rng.uniform(0.4, 1.0)
        pts = np.column_stack([radius * np.cos(theta), radius * np.sin(theta) * aspect])
        poly = shapely.Polygon(pts)
        if not poly.is_valid or poly.area <= 1e-3:
            pts = np.array([[-1, -aspect], [1, -aspect], [1, aspect], [-1, aspect]], dtype=float)
            poly = shapely.Polygon(pts)
        angle = rng.uniform(0, np.pi)
        rot = np.array([[np.cos(angle), np.sin(angle)], [-np.sin(angle), np.cos(angle)]])
        scaled = pts @ rot * math.sqrt(area[i] / poly.area)
        patches.append(shapely.Polygon(scaled + centres[i]))
    geoms = frame.to_degrees(np.array(patches, dtype=object))
    if not (shapely.is_valid(geoms).all() and (~shapely.is_empty(geoms)).all()):
        raise RuntimeError("a generated change patch is not a valid polygon")
    return geoms


# --- regions ------------------------------------------------------------------------------------------------


def make_regions(frame: Frame, rng: np.random.Generator) -> dict:
    """County = bbox; townships = Voronoi of N_TOWNSHIPS points; villages = Voronoi of N_VILLAGES points cut by
    the townships (so villages nest exactly). Returned as WKT in lon/lat, codes 379901 / 379901NNN / …NNNNNN."""
    w, h = frame.width, frame.height
    box = shapely.box(0, 0, w, h)

    def voronoi(points):
        cells = shapely.get_parts(
            shapely.voronoi_polygons(shapely.multipoints(points), extend_to=shapely.box(-w, -h, 2 * w, 2 * h),
                                                           ordered=True))
        return shapely.intersection(cells, box)

    towns = voronoi(rng.uniform([0, 0], [w, h], (N_TOWNSHIPS, 2)))
    village_cells = voronoi(rng.uniform([0, 0], [w, h], (N_VILLAGES, 2)))
    tree = shapely.STRtree(village_cells)
    regions = {"county": {"code": COUNTY_CODE, "name": "基准测试合成县", "wkt": frame.to_degrees(box).wkt},
               "townships": [], "villages": []}
    for t, town in enumerate(towns, start=1):
        tcode = f"{COUNTY_CODE}{t:03d}"
        regions["townships"].append({"code": tcode, "name": f"合成{t}镇", "wkt": frame.to_degrees(town).wkt})
        v = 0
        for j in sorted(tree.query(town, predicate="intersects")):
            piece = shapely.intersection(town, village_cells[j])
            polys = [p for p in shapely.get_parts(piece) if p.geom_type == "Polygon" and p.area > 1.0]
            if not polys:
                continue
            v += 1
            geom = shapely.multipolygons(polys)
            regions["villages"].append({"code": f"{tcode}{v:03d}", "name": f"合成{t}镇{v}村",
                                        "wkt": frame.to_degrees(geom).wkt})
    return regions


# --- the whole data set ---------------------------------------------------------------------------------------


def _params() -> dict:
    return {"parcels": BENCH_PARCELS, "seed": BENCH_SEED, "bbox": list(BENCH_BBOX), "county_code": COUNTY_CODE,
            "townships": N_TOWNSHIPS, "villages": N_VILLAGES, "boundaries": N_BOUNDARIES, "boundary_ha": BOUNDARY_HA,
            "patches": N_PATCHES, "generator": _source_digest()}


def ensure_data(data_dir: Path = DATA_DIR, force: bool = False) -> dict:
    """Generate the data set unless a complete one with the same parameters is there. Returns the manifest."""
    manifest_path = data_dir / "manifest.json"
    params = _params()
    if not force and manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("params") == params and all((data_dir / f).exists() for f in manifest.get("files", {})):
            manifest["reused"] = True
            return manifest

    # Imported here: settings-free, but synthetic imports the overlay engine, which uses Django translation.
    from landguard.engine.synthetic import synthetic_controls, synthetic_dltb

    data_dir.mkdir(parents=True, exist_ok=True)
    timings = {}
    t0 = time.perf_counter()
    dltb = synthetic_dltb(BENCH_PARCELS, seed=BENCH_SEED, bbox=BENCH_BBOX)
    timings["dltb_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    controls = synthetic_controls(dltb, seed=BENCH_SEED)
    timings["controls_s"] = time.perf_counter() - t0

    frame = Frame(BENCH_BBOX)
    rng = np.random.default_rng([BENCH_SEED, 0xBE7C])
    t0 = time.perf_counter()
    boundaries = make_boundaries(frame, rng)
    construction = np.flatnonzero(
        np.isin(dltb.dlbm.astype(str), ("0701", "0702", "05H1", "0601", "1003", "1004", "08H2")))
    anchors = frame.xy(shapely.get_coordinates(shapely.centroid(dltb.geometry[construction])))
    patches = make_patches(frame, rng, anchors)
    regions = make_regions(frame, rng)
    timings["boundaries_patches_regions_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    attrs = {"BSM": dltb.attributes["BSM"].astype(str), "TBBH": dltb.attributes["TBBH"].astype(str),
             "DLBM": dltb.dlbm.astype(str), "DLMC": dltb.attributes["DLMC"].astype(str)}
    for key in ("TBMJ", "GDLX", "GDPDJB", "KCDLBM", "KCXS", "KCMJ", "TBDLMJ", "QSXZ"):
        value = np.asarray(dltb.attributes[key])
        attrs[key] = value if value.dtype.kind == "f" else value.astype(str)
    attrs["ZLDWDM"] = np.full(len(dltb), COUNTY_CODE)
    write_gpkg(data_dir / "dltb.gpkg", dltb.geometry, attrs)
    basic = controls["basic_farmland"].geometry
    approved = controls["approved"].geometry
    write_gpkg(data_dir / "basic_farmland.gpkg", basic,
               {"BSM": np.array([f"YJJBNT{i:07d}" for i in range(1, len(basic) + 1)])})
    write_gpkg(data_dir / "approved.gpkg", approved,
               {"BSM": np.array([f"YP{i:07d}" for i in range(1, len(approved) + 1)])})
    write_gpkg(data_dir / "boundaries.gpkg", boundaries,
               {"NAME": np.array([f"红线{i:02d}" for i in range(1, len(boundaries) + 1)])})
    write_gpkg(data_dir / "patches.gpkg", patches,
               {"JCBH": np.array([f"WP{i:05d}" for i in range(1, len(patches) + 1)])})
    (data_dir / "regions.json").write_text(json.dumps(regions, ensure_ascii=False))
    timings["write_s"] = time.perf_counter() - t0

    # What the data set looks like: sizes and the area mix by first-level class.
    area = dltb.area_m2
    level1 = np.array([c.level1_code for c in dltb.classes], dtype=object)[dltb.class_index]
    codes, inverse = np.unique(level1.astype(str), return_inverse=True)
    mix = {str(c): round(float(s) / float(area.sum()), 4) for c,
           s in zip(codes, np.bincount(inverse, weights=area), strict=True)}
    from landguard.core.geodesy import ellipsoidal_area_m2
    manifest = {
        "params": params,
        "files": {name: (data_dir / name).stat().st_size for name in
                  ("dltb.gpkg", "basic_farmland.gpkg", "approved.gpkg", "boundaries.gpkg", "patches.gpkg",
                   "regions.json")},
        # Reproducibility: the same parameters give the same geometries (GeoPackage files carry a timestamp).
        "geometry_sha256": {"dltb": _geometry_digest(dltb.geometry), "basic_farmland": _geometry_digest(basic),
                            "approved": _geometry_digest(approved), "boundaries": _geometry_digest(boundaries),
                            "patches": _geometry_digest(patches)},
        "counts": {"dltb": len(dltb), "basic_farmland": len(basic), "approved": len(approved),
                   "approved_overlapping": int(controls["approved"].overlapping.sum()),
                   "boundaries": len(boundaries), "patches": len(patches), "townships": len(regions["townships"]),
                   "villages": len(regions["villages"])},
        "county_km2": round(float(area.sum()) / 1e6, 1),
        "parcel_ha": {"mean": round(float(area.mean()) / 1e4, 3),
                      **{f"p{q}": round(float(np.percentile(area, q)) / 1e4, 3) for q in (10, 50, 90)}},
        "farmland_share": round(float(area[dltb.is_farmland].sum() / area.sum()), 4),
        "level1_area_share": mix,
        "boundary_ha": {"min": round(float(ellipsoidal_area_m2(boundaries).min()) / 1e4, 1),
                        "max": round(float(ellipsoidal_area_m2(boundaries).max()) / 1e4, 1),
                        "vertices_mean": int(np.mean(shapely.get_num_coordinates(boundaries)))},
        "patch_ha": {q: round(float(np.percentile(ellipsoidal_area_m2(patches), p)) / 1e4, 3)
                     for q, p in (("p10", 10), ("p50", 50), ("p90", 90))},
        "timings": {k: round(v, 2) for k, v in timings.items()},
    }
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    manifest["reused"] = False
    return manifest


if __name__ == "__main__":
    import os
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "landguard.settings")
    import django
    django.setup()
    print(json.dumps(ensure_data(force="--force" in sys.argv), ensure_ascii=False, indent=1))
