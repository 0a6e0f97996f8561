#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests and benchmarks: its own cluster under the
# build directory, listening on a unix socket of that directory and a loopback port,
# trust auth for the local user only. Nothing global is touched: no system cluster,
# no service, no password. `make test` starts it and stops it; the Rust tests call
# `scripts/pg.sh url` themselves, so `cargo test` works on its own too.
#
#   scripts/pg.sh start   start (or reuse) the cluster; prints the database URL
#   scripts/pg.sh url     same as start (what the tests call)
#   scripts/pg.sh run CMD start it if needed, run CMD with DAYBOOK_PG_URL set, and stop
#                         it afterwards if this call started it
#   scripts/pg.sh stop    stop it (the data stays for the next start)
#   scripts/pg.sh wipe    stop it and delete its data
#
# DAYBOOK_PG_URL set in the environment wins: the tests then use that server instead.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${DAYBOOK_PG_PORT:-55432}
BASE=${DAYBOOK_PG_DIR:-$PWD/.build/pg}
# As root the cluster runs as `postgres`, which must reach the directory (every parent
# needs o+x). A checkout under a private home (/root) is not reachable: then the
# cluster goes to a folder of its own under /tmp, named after the checkout.
if [ "$(id -u)" -eq 0 ] && [ -z "${DAYBOOK_PG_DIR:-}" ]; then
  probe=$BASE
  while [ ! -e "$probe" ]; do probe=$(dirname "$probe"); done
  if ! runuser -u postgres -- test -x "$probe"; then
    BASE=/tmp/daybook-pg-$(printf %s "$PWD" | md5sum | cut -c1-12)
  fi
fi
DATA=$BASE/data
SOCK=$BASE/sock
LOG=$BASE/server.log
DB=daybook

pgbin() {
  local v
  for v in 17 16 15; do
    [ -x "/usr/lib/postgresql/$v/bin/$1" ] && { echo "/usr/lib/postgresql/$v/bin/$1"; return; }
  done
  command -v "$1" || { echo "pg.sh: PostgreSQL's $1 not found (apt-get install postgresql)" >&2; exit 1; }
}

# PostgreSQL refuses to run as root: as root, the cluster belongs to the `postgres`
# system user (created by Debian's package) and the commands run as that user.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    # From /, which postgres can enter (paths given are absolute).
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

url() {
  echo "postgres://$(owner_name)@127.0.0.1:$PORT/$DB"
}

owner_name() {
  if [ "$(id -u)" -eq 0 ]; then echo postgres; else id -un; fi
}

running() {
  [ -f "$DATA/postmaster.pid" ] && as_owner "$(pgbin pg_ctl)" -D "$DATA" status >/dev/null 2>&1
}

start() {
  mkdir -p "$BASE"
  # Test binaries start in parallel: one of them starts the server, the others wait.
  exec 9>"$BASE.lock"
  flock 9
  if ! running; then
    if [ "$(id -u)" -eq 0 ]; then
      chown postgres: "$BASE"
    fi
    if [ ! -f "$DATA/PG_VERSION" ]; then
      as_owner "$(pgbin initdb)" -D "$DATA" -U "$(owner_name)" -A trust -E UTF8 \
        --locale=C.UTF-8 >/dev/null
    fi
    as_owner mkdir -p "$SOCK"
    # Tuned for a throwaway test server: durability settings stay at their defaults
    # (fsync on) so the failover tests mean what they say.
    as_owner "$(pgbin pg_ctl)" -D "$DATA" -l "$LOG" -w -t 60 \
      -o "-p $PORT -k $SOCK -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=128MB" \
      start >/dev/null 9>&-   # the server must not inherit (and hold) the lock
  fi
  if ! as_owner "$(pgbin psql)" -h "$SOCK" -p "$PORT" -d postgres -U "$(owner_name)" -tAc \
      "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
    as_owner "$(pgbin createdb)" -h "$SOCK" -p "$PORT" -U "$(owner_name)" "$DB"
  fi
  exec 9>&-
  url
}

stop() {
  if running; then
    as_owner "$(pgbin pg_ctl)" -D "$DATA" -m fast -w stop >/dev/null
  fi
}

case "${1:-start}" in
  start|url)
    if [ -n "${DAYBOOK_PG_URL:-}" ]; then echo "$DAYBOOK_PG_URL"; else start; fi ;;
  run)
    shift
    if [ -n "${DAYBOOK_PG_URL:-}" ]; then exec "$@"; fi
    started=0
    running || started=1
    DAYBOOK_PG_URL=$(start)
    export DAYBOOK_PG_URL
    if [ "$started" -eq 1 ]; then trap stop EXIT; fi
    "$@" ;;
  stop) stop ;;
  wipe) stop; rm -rf "$BASE" ;;
  *) echo "usage: $0 start|url|run CMD...|stop|wipe" >&2; exit 2 ;;
esac
