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


def render(result: dict) -> str:
    s = result["summary"]
    m = result["machine"]
    base = s.get("geopandas_baseline", {})
    lines = [f"Run of {result['date']} on {m['nproc']} × {m['cpu_model']} ({m.get('hypervisor') or 'bare metal'} VM), "
             f"{m['memory_gib']} GiB, {m['os']}, kernel {m['kernel']}, Python {m['python']}; "
             f"whole run {result.get('total_run_s')} s.", ""]
    cols = [k for k in ("spatialite", "postgis") if k in s]
    head = "| | " + " | ".join(cols) + " | GeoPandas baseline |"
    lines += [head, "|---" * (len(cols) + 2) + "|"]

    def row(label, key, unit="", base_value=None):
        lines.append(f"| {label} | " + " | ".join(_fmt(s[c].get(key), unit) for c in cols)
                     + f" | {_fmt(base_value, unit)} |")

    row("(a) p50, wall, one core", "a_overlay_p50_ms", " ms", base.get("a_p50_ms"))
    row("(a) p95, wall, one core", "a_overlay_p95_ms", " ms", base.get("a_p95_ms"))
    row("(a) p50 of each pass", "a_pass_p50_ms", "", base.get("a_pass_p50_ms"))
    row("(a) p50, CPU time of the process", "a_cpu_p50_ms", " ms", base.get("a_cpu_p50_ms"))
    row("(a) mean PostgreSQL backend CPU", "a_db_backend_cpu_mean_ms", " ms")
    row("(a) p50 spent fetching from the DB", "a_db_fetch_p50_ms", " ms")
    row("(a) ratio p50 / GeoPandas p50", "a_ratio_p50_to_geopandas")
    row("(a) ratio p95 / GeoPandas p95", "a_ratio_p95_to_geopandas")
    row("(a) two cores: wall per boundary (throughput)", "a_two_cores_ms_per_boundary", " ms")
    row("(a) two cores: latency p50", "a_two_cores_latency_p50_ms", " ms")
    row("(a) official area − pyproj Geod, max of 5", "a_official_area_vs_geod_max_abs_m2", " m²")
    row("(b) 10 000 patches, one core", "b_classify_one_core_s", " s", base.get("b_s"))
    row("(b) CPU time of the process", "b_cpu_s", " s", base.get("b_cpu_s"))
    row("(b) PostgreSQL backend CPU", "b_db_backend_cpu_s", " s")
    row("(b) of which DB fetch", "b_db_fetch_s", " s")
    row("(b) ratio / GeoPandas", "b_ratio_to_geopandas")
    row("(b) two processes on two cores", "b_classify_two_cores_s", " s")
    row("(b) two cores: CPU time of each process", "b_two_cores_cpu_s", " s")
    row("(b) peak RSS, one process", "b_peak_mb", " MB", base.get("peak_mb"))
    row("(b) peak RSS, 2 workers + parent", "b_two_cores_peak_mb_total", " MB")
    row("(c) import 500 000 parcels", "c_import_dltb_s", " s")
    row("(c) … read", "c_read_s", " s")
    row("(c) … checks", "c_checks_s", " s")
    row("(c) … write (JSON + regions + insert)", "c_write_s", " s")
    row("(c) … CPU time of the process", "c_cpu_s", " s")
    row("(c) … PostgreSQL backend CPU", "c_db_backend_cpu_s", " s")
    row("(c) peak RSS of the import", "c_import_peak_mb", " MB")
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
