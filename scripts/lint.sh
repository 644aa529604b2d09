#!/usr/bin/env bash
# The static checks of `make test` (docs/architecture.md, "What CI checks"): ruff, the import contracts, mypy against
# its baseline, and the C901 exemptions still being the generated ones. Non-zero when any fails; all of them run.
# LINT_PY picks another interpreter with the lint packages (requirements.txt) installed; .venv by default.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${LINT_PY:-.venv/bin/python}
BIN=$(dirname "$PY")
status=0
step() { echo; echo "==== $1"; }

step "ruff (pyflakes, bugbear, lines ≤ 120, complexity ≤ 15)"
"$BIN/ruff" check --no-cache . || status=1
$PY scripts/ruff_c901_ignores.py --check || status=1

step "import contracts (import-linter)"
# Read from the source alone (no settings); --no-cache keeps grimp's cache out of the tree.
"$BIN/lint-imports" --no-cache || status=1

step "test files have names of their own (pytest imports them by basename: a second test_pages.py stops collection)"
same=$(find tests -name 'test_*.py' -printf '%f\n' | sort | uniq -d)
[ -z "$same" ] || { echo "test files sharing a name: $same"; status=1; }

step "mypy (new errors against scripts/mypy_baseline.txt)"
env -u DATABASE_URL $PY scripts/mypy_baseline.py || status=1

exit $status
