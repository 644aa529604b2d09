#!/usr/bin/env bash
# `make run`: set up, migrate, load the demo county once, print the logins, then serve on :8000 with a
# background-task worker, the supervision loop (三个一 sweep, channel deliveries) and the supply contract-date
# sweep (两清) and the poll of asynchronous 一证办证 look-ups beside the web server
# (all stop together).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# runserver speaks plain HTTP on loopback: Secure cookies and the HTTPS redirect would lock the browser out.
export LANDGUARD_HTTPS=false
PY=.venv/bin/python
$PY manage.py migrate --noinput -v 0
$PY manage.py collectstatic --noinput -v 0
$PY manage.py load_demo
$PY manage.py db_worker --interval 2 &
worker=$!
$PY manage.py sweep_deadlines &
sweeper=$!
$PY manage.py send_dispatch --interval 60 &
dispatcher=$!
$PY manage.py sweep_supply &
supply_sweeper=$!
$PY manage.py poll_data_requests &
poller=$!
trap 'kill $worker $sweeper $dispatcher $supply_sweeper $poller 2>/dev/null || true' EXIT INT TERM
echo "LandGuard: http://127.0.0.1:${PORT:-8000}/  (Ctrl+C to stop)"
$PY manage.py runserver "127.0.0.1:${PORT:-8000}" --noreload
