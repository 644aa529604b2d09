#!/usr/bin/env bash
# `make test`: every test on SpatiaLite, then on PostGIS, then the browser tests. Non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
export LANDGUARD_REFDATA_DIR="${LANDGUARD_REFDATA_DIR:-$(cd .. && pwd)/shared/refdata}"
PY=.venv/bin/python
status=0
step() { echo; echo "==== $1"; }

step "migrations are up to date"
$PY manage.py makemigrations --check --dry-run >/dev/null || { echo "models changed without a migration"; status=1; }

step "tests on SpatiaLite"
env -u DATABASE_URL .venv/bin/pytest -m "not browser" --create-db "$@" || status=1

step "tests on PostgreSQL + PostGIS"
if url=$(bash scripts/postgis.sh); then
  echo "using $url"
  DATABASE_URL="$url" .venv/bin/pytest -m "not browser" --create-db "$@" || status=1
else
  echo "could not provide a PostGIS server"; status=1
fi

step "browser tests (Playwright + Debian chromium)"
env -u DATABASE_URL .venv/bin/pytest tests/browser -m browser "$@" || status=1

echo
[ $status -eq 0 ] && echo "make test: all suites passed" || echo "make test: FAILED"
exit $status
