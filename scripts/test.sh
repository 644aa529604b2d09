#!/usr/bin/env bash
# `make test`: the static checks (scripts/lint.sh), then every test on SpatiaLite and on PostGIS (the two suites side
# by side, one per core), then the browser tests. Non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1
PY=.venv/bin/python
status=0
step() { echo; echo "==== $1"; }

step "static checks (scripts/lint.sh: ruff, import contracts, mypy baseline)"
# First, and not a gate: a lint failure fails `make test` but every suite still runs, so one push shows both.
bash scripts/lint.sh || status=1

step "migrations are up to date"
$PY manage.py makemigrations --check --dry-run >/dev/null || { echo "models changed without a migration"; status=1; }

# The PostGIS suite runs in the background while the SpatiaLite one runs here: each is one process and the
# machine has two cores. Its output is printed whole once it ends, so the two logs do not interleave.
pg_log=$(mktemp)
pg_pid=""
if url=$(bash scripts/postgis.sh); then
  # Its own var/ (file cache, media) so the two runs never share job progress or uploads.
  mkdir -p var/test-postgis
  (DATABASE_URL="$url" LANDGUARD_VAR_DIR="$PWD/var/test-postgis" .venv/bin/pytest -m "not browser and not replica" --create-db "$@" >"$pg_log" 2>&1) &
  pg_pid=$!
else
  echo "could not provide a PostGIS server"; status=1
fi

step "tests on SpatiaLite"
env -u DATABASE_URL .venv/bin/pytest -m "not browser and not replica" --create-db "$@" || status=1

step "tests on PostgreSQL + PostGIS (${url:-none})"
if [ -n "$pg_pid" ]; then
  wait "$pg_pid" || status=1
  cat "$pg_log"
fi
rm -f "$pg_log"

step "replica routing tests (private primary + streaming replica)"
# scripts/replica_cluster.sh runs a primary and two streaming replicas of its own (one applying 3 s late) on ports
# 55442-55444, never the shared server; the test database is created on the primary and streams to the replicas.
# --confcutdir: these tests need none of the demo county that tests/conftest.py loads (tests/replicas/conftest.py).
if replica_env=$(bash scripts/replica_cluster.sh start); then
  mkdir -p var/test-replicas
  # shellcheck disable=SC2086  # replica_env is NAME=value words for env
  env $replica_env LANDGUARD_VAR_DIR="$PWD/var/test-replicas" .venv/bin/pytest -m replica --create-db \
    --confcutdir=tests/replicas tests/replicas "$@" || status=1
  bash scripts/replica_cluster.sh stop || status=1
else
  echo "could not start the private primary and replicas"; status=1
fi

step "browser tests (Playwright + Debian chromium)"
env -u DATABASE_URL .venv/bin/pytest tests/browser -m browser "$@" || status=1

echo
[ $status -eq 0 ] && echo "make test: all suites passed" || echo "make test: FAILED"
exit $status
