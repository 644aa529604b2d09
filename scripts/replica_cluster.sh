#!/usr/bin/env bash
# A private PostgreSQL 15 primary and two streaming replicas for the read-replica tests (docs/scaling.md, "Read
# replicas"), never the shared server on 5432:
#   primary        127.0.0.1:55442
#   replica_0      127.0.0.1:55443  pg_basebackup -R, streaming, applies at once
#   replica_1      127.0.0.1:55444  the same, with recovery_min_apply_delay (LANDGUARD_REPLICA_LAG, default 3s):
#                                   the lagging replica a read-after-write test needs
# Not 55432: scripts/postgis.sh starts its own cluster there on a machine without a server on 5432. Another
# checkout on the same machine picks other ports with LANDGUARD_REPLICA_PORT (the primary's; replicas +1, +2).
#
#   bash scripts/replica_cluster.sh start    start (or reuse) the three; prints on stdout the environment
#                                            `DATABASE_URL=… LANDGUARD_DATABASE_REPLICAS=…` for them
#   bash scripts/replica_cluster.sh stop     stop them (the data stays for the next start)
#   bash scripts/replica_cluster.sh status   which are running
#   bash scripts/replica_cluster.sh destroy  stop them and delete their data
#
# initdb refuses root, so as root the clusters belong to the `postgres` OS user (runuser); they live under
# var/replica (LANDGUARD_REPLICA_DIR), or under /var/tmp when `postgres` cannot reach var/ (a home directory
# closed to others) — said on stderr. Messages go to stderr; only the environment goes to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { echo "replica_cluster: $*" >&2; }

PGBIN=/usr/lib/postgresql/15/bin
PRIMARY_PORT="${LANDGUARD_REPLICA_PORT:-55442}"  # the replicas take the next two ports
REPLICA_PORTS=($((PRIMARY_PORT + 1)) $((PRIMARY_PORT + 2)))
LAG="${LANDGUARD_REPLICA_LAG:-3s}"
DBNAME=landguard_replica
BASE="${LANDGUARD_REPLICA_DIR:-$PWD/var/replica}"

RUN_AS=()
if [ "$(id -u)" -eq 0 ]; then RUN_AS=(runuser -u postgres --); fi
as_pg() { "${RUN_AS[@]}" "$@"; }
psql_at() {  # $1 port, $2 database, rest: psql arguments
  local port=$1 db=$2; shift 2
  PGOPTIONS="-c client_min_messages=warning" "$PGBIN/psql" -h 127.0.0.1 -p "$port" -U postgres -d "$db" -v ON_ERROR_STOP=1 -qtAX "$@"
}
ready() { "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$1"; }
dir_of() { if [ "$1" = primary ]; then echo "$BASE/primary"; else echo "$BASE/$1"; fi; }
running() { [ -f "$1/data/postmaster.pid" ] && as_pg "$PGBIN/pg_ctl" -D "$1/data" status >/dev/null 2>&1; }

ensure_binaries() {
  if [ ! -x "$PGBIN/initdb" ] || [ ! -x "$PGBIN/pg_basebackup" ] \
     || [ ! -f /usr/share/postgresql/15/extension/postgis.control ]; then
    log "PostgreSQL 15 is not installed; installing it with PostGIS (scripts/postgis.sh's packages)"
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
      postgresql-15 postgresql-15-postgis-3 postgresql-client-15 >&2
  fi
}

# The clusters' directory must be writable by the user that runs them and every parent traversable by it.
ensure_base() {
  mkdir -p "$BASE"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$BASE"
  if ! as_pg test -w "$BASE"; then
    local fallback="/var/tmp/landguard-replica-$(echo "$PWD" | md5sum | cut -c1-8)"
    log "the postgres user cannot reach $BASE (a parent directory is closed to it); using $fallback instead"
    BASE="$fallback"
    mkdir -p "$BASE"
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$BASE"
  fi
  chmod 700 "$BASE" 2>/dev/null || as_pg chmod 700 "$BASE"
}

start_server() {  # $1 directory, $2 port
  local dir=$1 port=$2
  if running "$dir"; then return 0; fi
  if ready "$port"; then
    log "port $port is taken by a server that is not $dir; stop it or free the port"; exit 1
  fi
  # The socket stays in the cluster's directory: nothing here uses /var/run/postgresql, the shared server's.
  as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $dir" start >&2
}

start_primary() {
  local dir; dir=$(dir_of primary)
  mkdir -p "$dir"; [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    log "initialising the primary in $dir"
    rm -rf "$dir/data"
    as_pg "$PGBIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    # initdb's pg_hba.conf already trusts replication connections from 127.0.0.1; small and quick for tests.
    as_pg tee -a "$dir/data/postgresql.conf" >/dev/null <<'CONF'
# scripts/replica_cluster.sh
max_wal_senders = 10
max_replication_slots = 10
hot_standby = on
fsync = off
full_page_writes = off
shared_buffers = 64MB
CONF
  fi
  start_server "$dir" "$PRIMARY_PORT"
  if [ "$(psql_at "$PRIMARY_PORT" postgres -c "SELECT 1 FROM pg_database WHERE datname='$DBNAME'")" != "1" ]; then
    psql_at "$PRIMARY_PORT" postgres -c "CREATE DATABASE $DBNAME" >&2
  fi
  psql_at "$PRIMARY_PORT" "$DBNAME" -c "CREATE EXTENSION IF NOT EXISTS postgis" >&2
}

start_replica() {  # $1 name (replica_0, replica_1), $2 port, $3 apply delay ("" for none)
  local name=$1 port=$2 delay=$3 dir; dir=$(dir_of "$1")
  mkdir -p "$dir"; [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
  if [ ! -f "$dir/data/standby.signal" ] || [ ! -f "$dir/data/PG_VERSION" ]; then
    # A half-made copy (an interrupted pg_basebackup) is made again, with its replication slot.
    running "$dir" && as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m fast stop >&2
    rm -rf "$dir/data"
    psql_at "$PRIMARY_PORT" postgres \
      -c "SELECT pg_drop_replication_slot('$name') FROM pg_replication_slots WHERE slot_name='$name'" >/dev/null
    log "copying the primary into $name with pg_basebackup"
    # -R: standby.signal + primary_conninfo; -C -S: a slot keeps the WAL this replica still needs while it is down.
    as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$dir/data" \
      -R -X stream -c fast -C -S "$name" >&2
    if [ -n "$delay" ]; then
      echo "recovery_min_apply_delay = '$delay'" | as_pg tee -a "$dir/data/postgresql.auto.conf" >/dev/null
    fi
  fi
  start_server "$dir" "$port"
}

wait_streaming() {  # every replica streams from the primary (up to 60 s)
  local want=${#REPLICA_PORTS[@]} got=0
  for _ in $(seq 1 120); do
    got=$(psql_at "$PRIMARY_PORT" postgres -c "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")
    [ "$got" -ge "$want" ] && return 0
    sleep 0.5
  done
  log "only $got of $want replicas are streaming (see $BASE/*/server.log)"; exit 1
}

print_env() {
  local replicas=()
  for port in "${REPLICA_PORTS[@]}"; do replicas+=("postgis://postgres@127.0.0.1:$port/$DBNAME"); done
  local IFS=,
  echo "DATABASE_URL=postgis://postgres@127.0.0.1:$PRIMARY_PORT/$DBNAME LANDGUARD_DATABASE_REPLICAS=${replicas[*]}"
}

resolve_base() {  # stop/status/destroy find the clusters where start put them
  local fallback="/var/tmp/landguard-replica-$(echo "$PWD" | md5sum | cut -c1-8)"
  if [ ! -d "$BASE/primary" ] && [ -d "$fallback/primary" ]; then BASE="$fallback"; fi
}

stop_all() {
  resolve_base
  # A checkpoint the replicas have replayed first: a standby restarts from its last restartpoint, and without one
  # it would replay every WAL record of the run (the test database's migrations) at its next start.
  if running "$(dir_of primary)"; then
    local lsn
    lsn=$(psql_at "$PRIMARY_PORT" postgres -c "CHECKPOINT" -c "SELECT pg_current_wal_lsn()")
    for port in "${REPLICA_PORTS[@]}"; do
      for _ in $(seq 1 40); do
        [ "$(psql_at "$port" postgres -c "SELECT pg_last_wal_replay_lsn() >= '$lsn'::pg_lsn" 2>/dev/null)" = t ] && break
        sleep 0.25
      done
    done
  fi
  for name in replica_1 replica_0 primary; do
    local dir; dir=$(dir_of "$name")
    if running "$dir"; then
      as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null && log "stopped $name"
    fi
  done
}

case "${1:-start}" in
  start)
    ensure_binaries
    ensure_base
    start_primary
    start_replica replica_0 "${REPLICA_PORTS[0]}" ""
    start_replica replica_1 "${REPLICA_PORTS[1]}" "$LAG"
    wait_streaming
    log "primary :$PRIMARY_PORT, replicas :${REPLICA_PORTS[0]} and :${REPLICA_PORTS[1]} (apply delay $LAG) in $BASE"
    print_env
    ;;
  stop)
    stop_all
    ;;
  status)
    resolve_base
    for name in primary replica_0 replica_1; do
      if running "$(dir_of "$name")"; then echo "$name: running"; else echo "$name: stopped"; fi
    done
    ;;
  destroy)
    stop_all
    rm -rf "$BASE/primary" "$BASE/replica_0" "$BASE/replica_1"
    if [[ "$BASE" == /var/tmp/landguard-replica-* ]]; then rmdir "$BASE" 2>/dev/null || true; fi
    log "deleted the clusters in $BASE"
    ;;
  *)
    echo "usage: $0 start|stop|status|destroy" >&2; exit 2
    ;;
esac
