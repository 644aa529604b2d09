#!/usr/bin/env bash
# `make bench` (issues 3 item 7, 16 item 1): the synthetic-county benchmark on SpatiaLite and PostGIS against
# three baselines run in the same process tree on the same data (bench/baselines.py: a GeoPandas analyst with
# sindex + clip, vectorised shapely, plain PostGIS SQL), their outputs compared with LandGuard's. Sets
# everything up (setup.sh, a PostGIS server via postgis.sh, bench/requirements.txt), runs bench/run.py — each
# phase in its own process, each backend on a fresh database of this run's own (var/bench/runs/<id>/ and the
# PostgreSQL databases landguard_bench_<id>, created and dropped; never another run's) — writes
# var/bench/latest.json and prints it. Extra arguments go to bench/run.py (e.g. --core-only).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

stamp=.venv/.bench-requirements.sha
want=$(cat requirements.txt bench/requirements.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "bench: installing bench/requirements.txt (GeoPandas baseline, py-spy)" >&2
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
