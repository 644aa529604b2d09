"""Issue 10 (bounded cost per request), on the bench's 500 000-parcel 地类图斑 after the import phase:

    python -m bench.tiles_export tiles  OUT.json   # densest tile per zoom z6–z14, uncached: bytes, CPU, wall
    python -m bench.tiles_export export OUT.json   # the whole layer's xlsx export: peak RSS (ru_maxrss), rows, time

The densest tile of a zoom is the one holding the most parcel centres. CPU is this process's time
(time.process_time: encoding on SpatiaLite; on PostGIS the encoding runs in the server, so its wall time is
reported too). The export runs in this process alone, so ru_maxrss is its peak.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import numpy as np

from bench.common import ROOT, phase_main

ZOOMS = range(6, 15)
LAYER_NAME = "基准测试地类图斑"


def _version():
    from landguard.layers.models import LayerVersion

    return LayerVersion.objects.select_related("layer").get(layer__name=LAYER_NAME, is_current=True)


def phase_tiles() -> dict:
    import shapely
    from django.contrib.gis.db.models.functions import AsWKB
    from django.db import connection

    from landguard.core.scope import RegionScope
    from landguard.layers import mvt, tiles

    version = _version()
    wkbs = version.features.annotate(wkb=AsWKB("geom")).values_list("wkb", flat=True).iterator(chunk_size=20_000)
    centres = shapely.get_coordinates(shapely.centroid(shapely.from_wkb([bytes(w) for w in wkbs])))
    scope = RegionScope(prefixes=(), unrestricted=True)
    out = {"backend": connection.vendor, "parcels": len(centres), "zooms": {}}
    for z in ZOOMS:
        gx, gy = (mvt._world_units(centres, z) // mvt.EXTENT).astype(np.int64).T
        keys, counts = np.unique(gx * (1 << 24) + gy, return_counts=True)
        key = int(keys[np.argmax(counts)])
        x, y = key >> 24, key & ((1 << 24) - 1)
        wall, cpu = time.perf_counter(), time.process_time()
        body = tiles.tile(scope, version, z, x, y)
        out["zooms"][z] = {"tile": f"{z}/{x}/{y}", "parcels_centred": int(counts.max()), "bytes": len(body),
                           "cpu_ms": round((time.process_time() - cpu) * 1000, 1),
                           "wall_ms": round((time.perf_counter() - wall) * 1000, 1)}
    return out


def phase_export() -> dict:
    from landguard.core.scope import RegionScope
    from landguard.layers import exports

    version = _version()
    path = ROOT / "var" / "bench" / "features-export.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    scope = RegionScope(prefixes=(), unrestricted=True)
    wall = time.perf_counter()
    rows = exports.write(Path(path), "xlsx", exports.select(scope, version), title=LAYER_NAME, scope_label="bench")
    return {"rows": rows, "seconds": round(time.perf_counter() - wall, 1), "bytes": path.stat().st_size,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


PHASES = {"tiles": phase_tiles, "export": phase_export}


def main(argv: list[str]) -> int:
    return phase_main(PHASES, argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
