"""bench/partitions_phase.py runs apart from the suite (PostGIS, minutes): this keeps its report true to the JSON the
phase writes, and its tile arithmetic to the tiles the server names."""

from __future__ import annotations

from bench import partitions_phase, report
from landguard.layers import mvt


def test_the_tile_the_phase_asks_for_holds_the_point_it_is_meant_for():
    lon, lat = 115.529, 36.530
    for z in (12, 14):
        x, y = partitions_phase._tile_of(lon, lat, z)
        west, south, east, north = mvt.tile_bounds(z, x, y)
        assert west <= lon <= east and south <= lat <= north


def test_the_report_renders_the_partitioned_and_unpartitioned_figures():
    figures = {"p50_ms": 5.0, "p95_ms": 9.0}
    reads = {"per_county": {"379801": {"overlay": figures, "tile": figures}}, "overlay": figures, "tile": figures}
    phase = {"ok": True, "counties": 1, "parcels_per_county": 100_000, "rows": 100_000, "boundaries_per_county": 20,
             "tiles_per_county": 21, "rounds": 3, "partitioned_plan_reads": ["layers_feature_c379801"],
             "unpartitioned_plan_reads": ["layers_feature"], "partitioned": reads, "unpartitioned": reads,
             "ratio_p50": {"overlay": 1.0, "tile": 1.0}}
    text = "\n".join(report._partitions_section({"postgis": {"partitions": phase}}))
    assert "| 379801 | 5.0 | 5.0 | 5.0 | 5.0 |" in text
    assert "layers_feature_c379801 partitioned" in text
    assert "overlay 1.0×, tile 1.0×" in text
