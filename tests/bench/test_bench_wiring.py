"""`make bench` runs apart from the suite, so a refactor can break it unseen (the import phase once wrapped a
function the service no longer had, and every bench run failed). This keeps its hooks into the code true."""

from __future__ import annotations

import ast
from pathlib import Path

from landguard.layers import services

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _literal(module: str, name: str):
    tree = ast.parse((BENCH / module).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} not found in bench/{module}")


def test_every_import_step_the_bench_times_exists_in_the_import_service():
    steps = _literal("db_phases.py", "TIMED_STEPS")
    missing = [name for name in steps if not callable(getattr(services, name, None))]
    assert not missing, f"bench/db_phases.py times functions the import service no longer has: {missing}"
