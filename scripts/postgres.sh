#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests, on 127.0.0.1 with a free port and
# a unix socket in its own temporary directory.
#
#   eval "$(scripts/postgres.sh start)"   # prints: export NINES_PG_URL=postgres://...
#   scripts/postgres.sh stop
#   scripts/postgres.sh status
#
# Idempotent: `start` on a running server prints the same exports again;
# `stop` on a stopped one does nothing. Uses Debian's programs under
# /usr/lib/postgresql/*/bin (installed with apt-get when missing and we are
# root). As root, the server runs as the `postgres` user (initdb refuses
# root). Everything except the exports goes to stderr. The state lives in
# $NINES_PG_DIR (default: $TMPDIR/nines-pg-$UID-<checksum of this checkout's
# path>, so a CI run in another clone never stops the server of this one).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
state="${NINES_PG_DIR:-${TMPDIR:-/tmp}/nines-pg-$(id -u)-$(printf %s "$root" | cksum | cut -d' ' -f1)}"
data="$state/data"
database="${NINES_PG_DB:-nines}"
log() { echo "postgres.sh: $*" >&2; }

find_bin() {
  if [ -n "${NINES_PG_BIN:-}" ] && [ -x "$NINES_PG_BIN/pg_ctl" ]; then echo "$NINES_PG_BIN"; return; fi
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$dir" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return; fi
  if [ "$(id -u)" = 0 ]; then
    log "installing Debian's postgresql package"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$dir" ]; then echo "$dir"; return; fi
  fi
  log "no PostgreSQL server programs under /usr/lib/postgresql; run 'apt-get install -y postgresql' (as root) or set NINES_PG_BIN"
  exit 1
}

# Runs a PostgreSQL program as the server's user (postgres when we are root).
as_server() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

exports() {
  local port
  port=$(cat "$state/port")
  echo "export NINES_PG_URL=postgres://postgres@127.0.0.1:$port/$database"
  echo "export NINES_PG_DIR=$state"
}

running() {
  [ -f "$state/port" ] && [ -f "$data/PG_VERSION" ] && as_server "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1
}

cmd="${1:-}"
case "$cmd" in
  start)
    bin=$(find_bin)
    if running; then exports; exit 0; fi
    # A leftover from a machine restart or a killed run: start afresh.
    rm -rf "$state"
    mkdir -p "$state"
    chmod 700 "$state"
    if [ "$(id -u)" = 0 ]; then
      id postgres >/dev/null 2>&1 || { log "no 'postgres' user to run the server as"; exit 1; }
      chown postgres: "$state"
    fi
    as_server "$bin/initdb" -D "$data" -A trust -U postgres -E UTF8 --no-sync >/dev/null
    port=$(free_port)
    echo "$port" >"$state/port"
    cat >>"$data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$state'
max_connections = 100
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
    as_server "$bin/pg_ctl" -D "$data" -l "$state/server.log" -w -t 60 start >/dev/null ||
      { log "the server did not start; its log:"; cat "$state/server.log" >&2; exit 1; }
    as_server "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres "$database"
    log "PostgreSQL $(basename "$(dirname "$bin")") on 127.0.0.1:$port (data in $data)"
    exports
    ;;
  stop)
    bin=$(find_bin)
    if [ -f "$data/PG_VERSION" ]; then
      as_server "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$state"
    ;;
  status)
    bin=$(find_bin)
    if running; then exports; else log "not running"; exit 3; fi
    ;;
  *)
    echo "usage: scripts/postgres.sh start|stop|status" >&2
    exit 2
    ;;
esac
