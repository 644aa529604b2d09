"""Helpers every benchmark process shares: pinning, Django set-up, timers and peak memory."""

from __future__ import annotations

import json
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
               "VECLIB_MAXIMUM_THREADS")


def single_threaded_env() -> None:
    """One thread for every numeric library; call before numpy is imported."""
    for var in THREAD_VARS:
        os.environ[var] = "1"


def pin(cores: set[int]) -> list[int]:
    os.sched_setaffinity(0, cores)
    return sorted(os.sched_getaffinity(0))


def setup_django() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "landguard.settings")
    import django

    django.setup()


def status_kb(field: str) -> int:
    """A field of /proc/self/status in kB (VmHWM = peak resident set, VmRSS = current)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def peak_mb() -> float:
    return round(status_kb("VmHWM") / 1024, 1)


def rss_mb() -> float:
    return round(status_kb("VmRSS") / 1024, 1)


def reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux ≥ 4.0: write 5 to clear_refs), so later phases of one process get
    their own peak. Returns False where the kernel does not allow it."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


class Timer:
    def __init__(self) -> None:
        self.totals: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str):
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.totals[name] = self.totals.get(name, 0.0) + time.perf_counter() - t0

    def wrap(self, name: str, fn):
        def timed(*args, **kwargs):
            with self(name):
                return fn(*args, **kwargs)
        return timed


def percentiles_ms(seconds: list[float]) -> dict:
    import numpy as np

    ms = np.asarray(seconds) * 1000
    return {"n": len(ms), "p50_ms": round(float(np.percentile(ms, 50)), 1),
            "p95_ms": round(float(np.percentile(ms, 95)), 1),
            "mean_ms": round(float(ms.mean()), 1), "min_ms": round(float(ms.min()), 1),
            "max_ms": round(float(ms.max()), 1)}


def write_result(path: str, result: dict) -> None:
    Path(path).write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))


def phase_main(phases: dict, argv: list[str], *, finish=None) -> int:
    """`python -m bench.<module> PHASE OUT.json`: run one phase in this process and write its JSON, a failure
    included (the JSON says which phase failed and why); `finish` adds process-wide figures to the result."""
    import traceback

    phase, out_path = argv[0], argv[1]
    setup_django()
    try:
        result = phases[phase]()
        result["ok"] = True
    except Exception as exc:  # noqa: BLE001 — reported in the JSON, not hidden
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()[-4000:]}
    if finish is not None:
        finish(result)
    write_result(out_path, result)
    return 0 if result["ok"] else 1

