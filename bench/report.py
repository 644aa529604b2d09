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
    lines += _requests_sections(result, cols)
    lines += _dask_sections(result, cols)
    lines += _partitions_section(result)
    return "\n".join(lines)


def _partitions_section(result: dict) -> list[str]:
    """County partitions on PostGIS (bench/partitions_phase.py): the same counties' reads, partitioned and as one
    plain table, p50/p95 per county and over all."""
    phase = (result.get("postgis") or {}).get("partitions")
    if not isinstance(phase, dict):
        return []
    if not phase.get("ok"):
        return ["", f"County partitions, postgis: FAILED — {phase.get('error')}"]
    lines = ["", f"County partitions, postgis (bench/partitions_phase.py): {phase['counties']} counties × "
             f"{phase['parcels_per_county']:,} parcels ({phase['rows']:,} rows); per county "
             f"{phase['boundaries_per_county']} overlays of a ~300 ha boundary and {phase['tiles_per_county']} tiles, "
             f"{phase['rounds']} passes; the overlay's plan reads {', '.join(phase['partitioned_plan_reads'])} "
             f"partitioned, {', '.join(phase['unpartitioned_plan_reads'])} unpartitioned:", "",
             "| county | overlay p50 ms partitioned | unpartitioned | tile p50 ms partitioned | unpartitioned |",
             "|---|---|---|---|---|"]
    part, flat = phase["partitioned"], phase["unpartitioned"]
    for code in part["per_county"]:
        p, f = part["per_county"][code], flat["per_county"][code]
        lines.append(f"| {code} | {p['overlay']['p50_ms']} | {f['overlay']['p50_ms']} | {p['tile']['p50_ms']} "
                     f"| {f['tile']['p50_ms']} |")
    po, fo, pt, ft = part["overlay"], flat["overlay"], part["tile"], flat["tile"]
    lines.append(f"| all (p95) | {po['p50_ms']} ({po['p95_ms']}) | {fo['p50_ms']} ({fo['p95_ms']}) "
                 f"| {pt['p50_ms']} ({pt['p95_ms']}) | {ft['p50_ms']} ({ft['p95_ms']}) |")
    ratio = phase.get("ratio_p50") or {}
    lines += ["", f"Partitioned / unpartitioned p50: overlay {ratio.get('overlay')}×, tile {ratio.get('tile')}×."]
    return lines


def _requests_sections(result: dict, cols: list[str]) -> list[str]:
    lines = []
    for c in cols:
        phase = (result.get(c) or {}).get("requests")
        if isinstance(phase, dict) and phase.get("rates"):
            lines += ["", f"Budget per request, {c} (bench/requests_phase.py):", "", render_requests(phase)]
    return lines


def _dask_sections(result: dict, cols: list[str]) -> list[str]:
    """The province batch on Dask (bench/dask_phase.py): wall time with 1 and 2 workers and the speed-up."""
    lines = []
    for c in cols:
        phase = (result.get(c) or {}).get("dask")
        if not isinstance(phase, dict):
            continue
        if not phase.get("ok"):
            lines += ["", f"Province batch on Dask, {c}: FAILED — {phase.get('error')}"]
            continue
        lines += ["", f"Province batch on Dask, {c} (bench/dask_phase.py): {phase['counties']} counties × "
                  f"{phase['parcels_per_county']:,} parcels × {phase['patches_per_county']:,} patches, one task per "
                  f"county (seeding {phase['seed_s']} s):", "",
                  "| workers | wall s | cluster start-up s | wall after start-up s | tasks' wall s (sum) "
                  "| tasks' CPU s (sum) | load average (1 min) at start → end |",
                  "|---|---|---|---|---|---|---|"]
        for workers, run in phase["runs"].items():
            load = run.get("loadavg_1min") or [None, None]
            lines.append(f"| {workers} | {run['wall_s']} | {run['cluster_startup_s']} | {run['wall_after_startup_s']} "
                         f"| {run['tasks_total_s']} | {_fmt(run.get('tasks_cpu_s'))} | {_fmt(load[0])} → "
                         f"{_fmt(load[1])} |")
        control = phase.get("cpu_control") or {}
        lines += ["", f"Speed-up 1 → 2 workers: {phase['speedup']}× (wall), {phase['speedup_after_startup']}× "
                  f"(after the cluster's start-up); a second process of pure Python gained "
                  f"{_fmt(control.get('gain'))}× on this machine at the time (2.0 when the two cores are free)."]
    return lines


def _pair(summary: dict, *keys: str) -> str:
    values = [summary.get(k) for k in keys]
    return " / ".join("–" if v is None else f"{v:g}" for v in values)


def render_requests(phase: dict) -> str:
    """The budget-per-request tables of one bench.requests_phase result: per endpoint and rate, the workers' CPU
    per request (Server-Timing) p50 / p95 and the latency p50 / p95 / p99 seen by the client; RSS; targets."""
    rates = list(phase["rates"])
    lines = [f"Server: {phase.get('server')}, {phase.get('backend')}; open-loop mix at "
             + ", ".join(f"{r} req/s" for r in rates) + f", {phase.get('seconds')} s each.", ""]
    head = "| endpoint | " + " | ".join(f"CPU p50 / p95 ms @ {r}/s" for r in rates) + " | " \
        + " | ".join(f"latency p50 / p95 / p99 ms @ {r}/s" for r in rates) + " |"
    lines += [head, "|---" * (1 + 2 * len(rates)) + "|"]
    names = list(phase["rates"][rates[0]]["endpoints"])
    for name in names:
        cells = [_pair(phase["rates"][r]["endpoints"].get(name, {}), "cpu_p50_ms", "cpu_p95_ms") for r in rates]
        cells += [_pair(phase["rates"][r]["endpoints"].get(name, {}), "latency_p50_ms", "latency_p95_ms",
                        "latency_p99_ms") for r in rates]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    for label, key in (("pages", "page"), ("lists / list and detail APIs", "list"), ("export", "export"),
                       ("overlay and OGC APIs", "api"), ("tiles", "tile")):
        cells = [_pair(phase["rates"][r]["categories"].get(key, {}), "cpu_p50_ms", "cpu_p95_ms") for r in rates]
        cells += [_pair(phase["rates"][r]["categories"].get(key, {}), "latency_p50_ms", "latency_p95_ms",
                        "latency_p99_ms") for r in rates]
        lines.append(f"| **all {label}** | " + " | ".join(cells) + " |")
    cells = [_pair(phase["rates"][r]["all"], "cpu_p50_ms", "cpu_p95_ms") for r in rates]
    cells += [_pair(phase["rates"][r]["all"], "latency_p50_ms", "latency_p95_ms", "latency_p99_ms") for r in rates]
    lines.append("| **the whole mix** | " + " | ".join(cells) + " |")
    lines.append("")
    for r in rates:
        rr = phase["rates"][r]
        lines.append(f"- {r} req/s: {rr['requests']} requests sent in {rr['sent_s']} s, statuses "
                     f"{rr['all']['statuses']}, unfinished after the drain {rr['unfinished_after_drain']}; "
                     f"PostgreSQL backend CPU per request {_fmt(rr.get('db_backend_cpu_ms_per_request'), ' ms')}; "
                     f"load average {rr['loadavg_start']} → {rr['loadavg_end']}")
    rss = phase.get("rss_mb") or {}
    lines.append("- worker RSS (MB, per worker pid): " + "; ".join(f"{k} {v}" for k, v in rss.items()))
    met = phase.get("targets_met") or {}
    cpu = met.get("cpu_p50_le_15ms") or {}
    missed: dict[str, list[str]] = {}
    for key, ok in cpu.items():  # "<endpoint> @ <rate>/s"
        if not ok:
            endpoint, _sep, rate = key.rpartition(" @ ")
            missed.setdefault(endpoint, []).append(rate)
    lines.append(f"- targets: pages and list/detail APIs CPU p50 ≤ 15 ms: {_fmt(bool(cpu) and not missed)}"
                 + (" (missed by " + "; ".join(f"{k} at {', '.join(v)}" for k, v in missed.items()) + ")"
                    if missed else "")
                 + f"; latency p95 ≤ 300 ms at 50 req/s: {_fmt(met.get('latency_p95_le_300ms_at_50_per_s'))}"
                 + f"; worker RSS flat (≤ 10 % growth): {_fmt(met.get('rss_flat_le_10pct'))}")
    return "\n".join(lines)


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "var" / "bench" / "latest.json"
    loaded = json.loads(path.read_text())
    # a phase's own JSON (var/bench/phases/<backend>-requests.json) or a whole run's
    print(render_requests(loaded) if "rates" in loaded else render(loaded))
