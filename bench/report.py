"""Markdown tables of a benchmark run, for docs/performance.md:

    .venv/bin/python -m bench.report [var/bench/latest.json]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench.common import ROOT


def _fmt(value, unit: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "✅" if value else "❌"
    return f"{value}{unit}"


BASELINE_NAMES = {"geopandas": "GeoPandas analyst (sindex + clip)", "shapely": "vectorised shapely",
                  "postgis_sql": "plain PostGIS SQL"}


def render(result: dict) -> str:
    s = result["summary"]
    m = result["machine"]
    load = s.get("loadavg_during_run") or {}
    lines = [f"Run of {result['date']} on {m['nproc']} × {m['cpu_model']} ({m.get('hypervisor') or 'bare metal'} VM), "
             f"{m['memory_gib']} GiB, {m['os']}, kernel {m['kernel']}, Python {m['python']}; "
             f"whole run {result.get('total_run_s')} s; load average (1, 5, 15 min) at start "
             f"{_fmt(load.get('start'))}, at end {_fmt(load.get('end'))}.", ""]
    cols = [k for k in ("spatialite", "postgis") if k in s]
    bases = [k for k, v in s.get("baselines", {}).items() if any(x is not None for x in v.values()
                                                                   if not isinstance(x, dict))]
    head = ("| | " + " | ".join(f"LandGuard {c}" for c in cols) + " | "
            + " | ".join(BASELINE_NAMES[k] for k in bases) + " |")
    lines += [head, "|---" * (len(cols) + len(bases) + 1) + "|"]

    def row(label, key, unit="", base_key=None):
        cells = [_fmt(s[c].get(key), unit) for c in cols]
        cells += [_fmt(s["baselines"][k].get(base_key), unit) if base_key else "–" for k in bases]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    row("(a) p50, wall, one core", "a_overlay_p50_ms", " ms", "a_p50_ms")
    row("(a) p95, wall, one core", "a_overlay_p95_ms", " ms", "a_p95_ms")
    row("(a) p50, CPU time of the process", "a_cpu_p50_ms", " ms", "a_cpu_p50_ms")
    row("(a) mean PostgreSQL backend CPU", "a_db_backend_cpu_mean_ms", " ms", "a_db_backend_cpu_mean_ms")
    row("(a) p50 spent fetching from the DB", "a_db_fetch_p50_ms", " ms")
    row("(a) peak RSS", "a_peak_mb", " MB", "a_peak_mb")
    row("(a) two cores: wall per boundary (throughput)", "a_two_cores_ms_per_boundary", " ms")
    row("(a) official area − pyproj Geod, max of 5", "a_official_area_vs_geod_max_abs_m2", " m²")
    row("(b) 10 000 patches, one core", "b_classify_one_core_s", " s", "b_s")
    row("(b) CPU time of the process", "b_cpu_s", " s", "b_cpu_s")
    row("(b) PostgreSQL backend CPU", "b_db_backend_cpu_s", " s")
    row("(b) two processes on two cores", "b_classify_two_cores_s", " s")
    row("(b) peak RSS, one process", "b_peak_mb", " MB", "b_peak_mb")
    row("(c) import 500 000 parcels", "c_import_dltb_s", " s")
    row("(c) … CPU time of the process", "c_cpu_s", " s")
    row("(c) … PostgreSQL backend CPU", "c_db_backend_cpu_s", " s")
    lines += ["", "LandGuard ÷ baseline, same run (wall p50, wall p95, CPU p50 incl. the database backend; "
              "(b) wall):", ""]
    lines += ["| LandGuard on | baseline | (a) p50 | (a) p95 | (a) CPU | (b) |", "|---|---|---|---|---|---|"]
    for c in cols:
        for k, r in s[c].get("ratios", {}).items():
            lines.append(f"| {c} | {BASELINE_NAMES[k]} | {_fmt(r.get('a_p50'))} | {_fmt(r.get('a_p95'))} | "
                         f"{_fmt(r.get('a_cpu_p50_incl_db'))} | {_fmt(r.get('b_one_core'))} |")
    paired = [(c, s[c]) for c in cols if s[c].get("paired_ratio_median")]
    if paired:
        lines += ["", "Paired in one process, boundary by boundary (median of per-boundary ratios, wall / CPU):", ""]
        for c, r in paired:
            lines.append(f"- LandGuard {c}: " + "; ".join(
                f"÷ {BASELINE_NAMES[k]} {v['wall']} / {v['cpu']}" for k, v in r["paired_ratio_median"].items())
                + f" (CPU p50 ms: {r.get('paired_cpu_p50_ms')})")
    same = s.get("same_outputs") or {}
    if same:
        lines += ["", f"Same outputs ({same.get('tolerance')}; reference {same.get('reference')}):", ""]
        for k, r in same.items():
            if isinstance(r, dict):
                lines.append(f"- {k}: {'same' if r.get('same_outputs') else 'DIFFERENT'} — boundaries differing "
                             f"{_fmt(r.get('overlay_boundaries_differing'))}, largest area difference "
                             f"{_fmt(r.get('overlay_max_abs_diff_m2'), ' m²')}"
                             + (f", patches: {r['patches_differences'] or 'none differ'}" if "patches_differences" in r
                                else ""))
    lines.append("")
    lines.append("Targets:")
    lines.append("")
    keys = []
    for c in cols:
        for k in s[c]["targets_met"]:
            if k not in keys:
                keys.append(k)
    lines += ["| target | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for k in keys:
        lines.append(f"| {k} | " + " | ".join(_fmt(s[c]["targets_met"].get(k)) for c in cols) + " |")
    lines.append("")
    busy = s.get("other_processes_cpus_busy", {})
    if busy:
        lines.append("CPUs kept busy by other people's processes during each phase (of 2): "
                     + ", ".join(f"{k} {v}" for k, v in busy.items()) + ".")
    return "\n".join(lines)


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "var" / "bench" / "latest.json"
    print(render(json.loads(path.read_text())))
