"""The baseline: (a) and (b) done with GeoPandas the way an analyst would, data already in memory.

    python -m bench.baseline_geopandas OUT.json

The analyst loads the DLTB, 永久基本农田 and 已批 layers into GeoDataFrames and reprojects them once to the
3° Gauss-Krüger zone nearest the county (EPSG:4548, CGCS2000 CM 117°E, no zone prefix), as desktop GIS work
is done; that set-up is not timed. Then, per boundary: reproject it, query the spatial index (prefilter),
gpd.overlay(boundary, parcels_subset, how="intersection"), areas by DLBM gross and net of 田坎, and the area
inside each control layer (approved land dissolved first: overlapping approvals count once).
For the 10 000 change patches: one sindex prefilter + overlay per layer, areas summed per patch.

All areas here are PLANAR Gauss-Krüger areas (GeoSeries.area), not the official ellipsoidal ones: about
3–4 × 10⁻⁴ larger at 1.5–2° from the central meridian. The figures are compared with LandGuard's only as a
sanity check. One core: the process is pinned to CPU 0 with numeric libraries at one thread.
"""

from __future__ import annotations

import sys

from bench.common import pin, single_threaded_env

single_threaded_env()

import time  # noqa: E402
import traceback  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

from bench.common import peak_mb, percentiles_ms, reset_peak, rss_mb, write_result  # noqa: E402
from bench.generate import DATA_DIR  # noqa: E402

GK_EPSG = 4548  # CGCS2000 / 3-degree Gauss-Kruger CM 117E
WARMUP = 1
PASSES = 3  # as in bench/db_phases.py: passes over the boundaries, timed runs of the patches


def _load():
    import geopandas as gpd

    t0 = time.perf_counter()
    dltb = gpd.read_file(DATA_DIR / "dltb.gpkg", engine="pyogrio", columns=["DLBM", "KCXS"])
    basic = gpd.read_file(DATA_DIR / "basic_farmland.gpkg", engine="pyogrio", columns=[])
    approved = gpd.read_file(DATA_DIR / "approved.gpkg", engine="pyogrio", columns=[])
    boundaries = gpd.read_file(DATA_DIR / "boundaries.gpkg", engine="pyogrio")
    patches = gpd.read_file(DATA_DIR / "patches.gpkg", engine="pyogrio")
    read_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    dltb, basic, approved = (df.to_crs(GK_EPSG) for df in (dltb, basic, approved))
    farmland = dltb[dltb["DLBM"].str.startswith("01")].reset_index(drop=True)
    for df in (dltb, basic, approved, farmland):
        df.sindex  # noqa: B018 — build the index now, as part of the untimed set-up
    prep_s = time.perf_counter() - t0
    return dltb, farmland, basic, approved, boundaries, patches, {"read_s": round(read_s, 2),
                                                                  "reproject_index_s": round(prep_s, 2)}


def _overlay_one(gpd, boundary, dltb, basic, approved) -> dict:
    """One boundary, as an analyst's notebook cell would do it."""
    bdf = gpd.GeoDataFrame({"bid": [0]}, geometry=[boundary], crs=4490).to_crs(GK_EPSG)
    g = bdf.geometry.iloc[0]
    sub = dltb.iloc[dltb.sindex.query(g, predicate="intersects")]
    pieces = gpd.overlay(bdf, sub, how="intersection", keep_geom_type=True)
    pieces["area"] = pieces.geometry.area
    pieces["net"] = pieces["area"] * (1.0 - pieces["KCXS"])
    by_code = pieces.groupby("DLBM")[["area", "net"]].sum()
    farm = by_code[by_code.index.str.startswith("01")]
    out = {"area_m2": float(bdf.geometry.area.iloc[0]), "pieces": len(pieces),
           "farmland_net_m2": float(farm["net"].sum())}
    for name, layer in (("basic_farmland", basic), ("approved", approved)):
        sub = layer.iloc[layer.sindex.query(g, predicate="intersects")]
        inter = gpd.overlay(bdf, sub, how="intersection", keep_geom_type=True)
        if name == "approved" and len(inter) > 1:
            out[name + "_m2"] = float(inter.dissolve().geometry.area.iloc[0])
        else:
            out[name + "_m2"] = float(inter.geometry.area.sum())
    return out


def _classify(gpd, patches, farmland, basic, approved) -> dict:
    """10 000 patches: 耕地 touched (gross/net), inside 永久基本农田, covered by 已批 — planar areas per patch."""
    p = patches[["geometry"]].to_crs(GK_EPSG)
    p["pid"] = np.arange(len(p))
    n = len(p)

    def pieces(layer):
        _pi, li = layer.sindex.query(p.geometry, predicate="intersects")
        return gpd.overlay(p, layer.iloc[np.unique(li)], how="intersection", keep_geom_type=True)

    fp = pieces(farmland)
    fp["a"] = fp.geometry.area
    gross = np.bincount(fp["pid"], weights=fp["a"], minlength=n)
    net = np.bincount(fp["pid"], weights=fp["a"] * (1.0 - fp["KCXS"]), minlength=n)
    bp = pieces(basic)
    basic_m2 = np.bincount(bp["pid"], weights=bp.geometry.area, minlength=n)
    ap = pieces(approved).dissolve(by="pid")
    approved_m2 = np.zeros(n)
    approved_m2[ap.index.to_numpy()] = ap.geometry.area.to_numpy()
    area = p.geometry.area.to_numpy()
    return {"patches": n, "area_ha": round(float(area.sum()) / 1e4, 4),
            "farmland_gross_ha": round(float(gross.sum()) / 1e4, 4),
            "farmland_net_ha": round(float(net.sum()) / 1e4, 4),
            "basic_farmland_ha": round(float(basic_m2.sum()) / 1e4, 4),
            "approved_ha": round(float(approved_m2.sum()) / 1e4, 4), "occupies_farmland": int((gross > 0).sum()),
            "occupies_basic_farmland": int((basic_m2 > 0).sum())}


def run() -> dict:
    import geopandas as gpd
    import pandas as pd
    import shapely

    warnings.filterwarnings("ignore")
    out = {"cpus": pin({0}), "geopandas": gpd.__version__, "pandas": pd.__version__, "shapely": shapely.__version__,
           "areas": f"planar Gauss-Krüger EPSG:{GK_EPSG} (CM 117°E), not official"}
    dltb, farmland, basic, approved, boundaries, patches, setup = _load()
    out["setup"] = setup
    out["rss_after_load_mb"] = rss_mb()
    bgeoms = [shapely.get_geometry(g, 0) for g in boundaries.geometry]

    reset_peak()
    for _ in range(WARMUP):
        _overlay_one(gpd, bgeoms[0], dltb, basic, approved)
    times, cpu_times, pass_p50 = [], [], []
    for _ in range(PASSES):
        this_pass, results = [], []
        for g in bgeoms:
            c0, t0 = time.process_time(), time.perf_counter()
            results.append(_overlay_one(gpd, g, dltb, basic, approved))
            this_pass.append(time.perf_counter() - t0)
            cpu_times.append(time.process_time() - c0)
        times += this_pass
        pass_p50.append(percentiles_ms(this_pass)["p50_ms"])
    overlay = percentiles_ms(times)
    overlay["pass_p50_ms"] = pass_p50
    overlay["cpu_p50_ms"] = percentiles_ms(cpu_times)["p50_ms"]
    overlay["cpu_p95_ms"] = percentiles_ms(cpu_times)["p95_ms"]
    overlay["peak_mb"] = peak_mb()
    overlay["mean_pieces"] = round(float(np.mean([r["pieces"] for r in results])), 1)
    first = results[0]
    overlay["sample"] = {"area_ha": round(first["area_m2"] / 1e4, 4), "pieces": first["pieces"],
                         "farmland_net_ha": round(first["farmland_net_m2"] / 1e4, 4),
                         "basic_farmland_ha": round(first["basic_farmland_m2"] / 1e4, 4),
                         "approved_ha": round(first["approved_m2"] / 1e4, 4)}
    out["overlay"] = overlay

    reset_peak()
    for _ in range(WARMUP):
        _classify(gpd, patches, farmland, basic, approved)
    runs, cpus = [], []
    for _ in range(PASSES):
        c0, t0 = time.process_time(), time.perf_counter()
        summary = _classify(gpd, patches, farmland, basic, approved)
        runs.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    out["classify"] = {"seconds": round(float(np.median(runs)), 3), "runs_s": [round(r, 3) for r in runs],
                       "cpu_s": round(float(np.median(cpus)), 3), "peak_mb": peak_mb(),
                       "summary": summary}
    return out


def main(argv: list[str]) -> int:
    try:
        result = run()
        result["ok"] = True
    except Exception as exc:  # noqa: BLE001 — reported in the JSON
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()[-4000:]}
    write_result(argv[0], result)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
