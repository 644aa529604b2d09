#!/usr/bin/env bash
# `make bench` (issue 3 item 7): the synthetic-county benchmark on SpatiaLite and PostGIS with a GeoPandas
# baseline. Sets everything up (setup.sh, a PostGIS server via postgis.sh, bench/requirements.txt), runs
# bench/run.py — each phase in its own process, each backend on a fresh database (var/bench/spatialite/ and
# the PostgreSQL database landguard_bench, created and dropped) — writes var/bench/latest.json and prints it.
# Takes ~5 minutes on the 2-core dev machine (the first run also generates the data, ~25 s).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

stamp=.venv/.bench-requirements.sha
want=$(cat requirements.txt bench/requirements.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "bench: installing bench/requirements.txt (GeoPandas baseline)" >&2
  .venv/bin/pip install -q --disable-pip-version-check -r bench/requirements.txt
  echo "$want" > "$stamp"
fi

args=()
if url=$(bash scripts/postgis.sh); then
  args+=(--postgis-url "$url")
else
  echo "bench: no PostGIS server could be provided; running SpatiaLite only" >&2
  args+=(--skip-postgis)
fi
mkdir -p var/bench
exec env -u DATABASE_URL .venv/bin/python -m bench.run "${args[@]}" "$@"
