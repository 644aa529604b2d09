#!/usr/bin/env bash
# Print a DATABASE_URL for a PostgreSQL 15 + PostGIS 3 server, making one available if needed:
#   1. $DATABASE_URL when set;
#   2. else the server already listening on 127.0.0.1:5432 (as on the CI machines), after making sure
#      the PostGIS extension package is installed for it;
#   3. else a private cluster under var/pg on port 55432, installing PostgreSQL/PostGIS when missing.
# Messages go to stderr; only the URL goes to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { echo "postgis: $*" >&2; }
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"

if [ -n "${DATABASE_URL:-}" ]; then echo "$DATABASE_URL"; exit 0; fi

ensure_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    $SUDO apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
}

prepare_db() {  # $1 port
  local psql=(psql -h 127.0.0.1 -p "$1" -U postgres -v ON_ERROR_STOP=1 -qtA)
  if [ "$("${psql[@]}" -d postgres -c "SELECT 1 FROM pg_database WHERE datname='landguard'")" != "1" ]; then
    "${psql[@]}" -d postgres -c "CREATE DATABASE landguard" >&2
  fi
  "${psql[@]}" -d landguard -c "CREATE EXTENSION IF NOT EXISTS postgis" >&2
}

if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432 \
   && psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -qtAc "SELECT 1" >/dev/null 2>&1; then
  ensure_packages postgresql-15-postgis-3
  prepare_db 5432
  echo "postgis://postgres@127.0.0.1:5432/landguard"
  exit 0
fi

# No usable server: run our own under var/pg (initdb refuses root, so the cluster belongs to 'postgres').
ensure_packages postgresql-15 postgresql-15-postgis-3 postgresql-client-15
PGBIN=/usr/lib/postgresql/15/bin
PGDIR="$(pwd)/var/pg"
RUN_AS=()
if [ "$(id -u)" -eq 0 ]; then RUN_AS=(runuser -u postgres --); fi
mkdir -p "$PGDIR"
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PGDIR"
if [ ! -f "$PGDIR/data/PG_VERSION" ]; then
  log "initialising a private cluster in $PGDIR"
  "${RUN_AS[@]}" "$PGBIN/initdb" -D "$PGDIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >&2
fi
if ! pg_isready -q -h 127.0.0.1 -p 55432; then
  "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w \
    -o "-p 55432 -c listen_addresses=127.0.0.1 -k $PGDIR" start >&2
fi
prepare_db 55432
echo "postgis://postgres@127.0.0.1:55432/landguard"
