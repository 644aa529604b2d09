"""bench/dask_phase.py runs apart from the suite (minutes): this keeps its report true to the JSON the phase writes."""

from __future__ import annotations

from bench import report


def test_the_report_renders_the_one_and_two_worker_runs_with_the_cpu_control():
    def run(wall: float, startup: float) -> dict:
        return {"wall_s": wall, "cluster_startup_s": startup, "wall_after_startup_s": wall - startup,
                "task_s": [3.0, 3.0], "tasks_total_s": 6.0, "tasks_cpu_s": 5.5, "rows": 10, "loadavg_1min": [0.5, 1.0]}

    phase = {"ok": True, "counties": 2, "parcels_per_county": 30_000, "patches_per_county": 5, "seed_s": 9.0,
             "cpu_control": {"one_s": 2.0, "two_at_once_s": 2.1, "gain": 1.9}, "runs": {"1": run(10.0, 3.0),
             "2": run(6.5, 3.0)}, "speedup": 1.54, "speedup_after_startup": 2.0}
    text = "\n".join(report._dask_sections({"spatialite": {"dask": phase}}, ["spatialite"]))
    assert "2 counties × 30,000 parcels × 5 patches" in text
    assert "| 2 | 6.5 | 3.0 | 3.5 | 6.0 | 5.5 | 0.5 → 1.0 |" in text
    assert "1.54× (wall), 2.0× (after the cluster's start-up)" in text and "gained 1.9×" in text
    failed = report._dask_sections({"postgis": {"dask": {"ok": False, "error": "boom"}}}, ["postgis"])
    assert failed[-1] == "Province batch on Dask, postgis: FAILED — boom"
