"""No module under landguard/ (migrations aside) is over 600 lines: one that grows past it becomes a package by
aggregate that re-exports its names (supervision/models/, projects/services/)."""

from __future__ import annotations

from pathlib import Path

import landguard

LIMIT = 600


def test_no_module_is_over_600_lines():
    root = Path(landguard.__file__).parent
    too_long = {}
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.relative_to(root).parts:
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > LIMIT:
            too_long[str(path.relative_to(root.parent))] = lines
    assert not too_long, f"split these modules (over {LIMIT} lines): {too_long}"
