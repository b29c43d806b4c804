# shellcheck shell=bash
# Starts the debug server with demo data in a scratch database, for the checks that talk to a
# running server from outside (typed client, browser, fuzzing, load). Source scripts/lib/pg.sh
# first is not needed: this does it.
#
#   source scripts/lib/demo-server.sh
#   zx_demo_server_start [database-name]   # exports ZX_CHECK_URL (e.g. http://127.0.0.1:18080)
#   ...
#   zx_demo_server_stop
#
# The database is created (roles, migrations, division codes, demo) once and reused: the demo
# load is idempotent. The server log is in $ZX_CHECK_LOG.

_zx_ds_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=scripts/lib/pg.sh
source "$_zx_ds_root/scripts/lib/pg.sh"

zx_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

zx_demo_server_start() {
  local db="${1:-zhenxing_checks}"
  ZX_DB_NAME="$db" zx_pg_env_for_db
  if [ "${ZX_CHECK_FRESH:-0}" = 1 ]; then
    # A run that writes (the browser checks register households with random numbers) starts
    # on a new database: a PostgreSQL that outlives the checkout keeps every earlier run's rows,
    # and their numbers collided with a later run's (a CI failure on 2026-12-05).
    psql "$ADMIN_DATABASE_URL" -X -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"
  fi
  local keys="$_zx_ds_root/.keys/checks"
  mkdir -p "$keys/jwt" && chmod 700 "$keys"
  if [ ! -f "$keys/data.env" ]; then
    (umask 077; printf 'ZX_DATA_KEYS=1:%s\nZX_BLIND_INDEX_KEY=%s\n' \
      "$(head -c 32 /dev/urandom | base64)" "$(head -c 32 /dev/urandom | base64)" > "$keys/data.env")
  fi
  set -a; source "$keys/data.env"; set +a
  export ZX_JWT_KEYS_DIR="$keys/jwt"
  (cd "$_zx_ds_root" && cargo build --locked --bin zhenxing -q)
  local bin="$_zx_ds_root/target/debug/zhenxing"
  "$bin" bootstrap >/dev/null
  local rc=0
  (cd "$_zx_ds_root" && "$bin" demo --regions data/regions) 2>/dev/null || rc=$?
  if [ "$rc" -eq 3 ]; then
    # Exit status 3: the database's personal data was written with other data keys (a database
    # kept by a long-running PostgreSQL from an earlier checkout, whose .keys/checks is gone).
    # Served as it is, every reveal would be a server error: make it again with these keys.
    zx_say "database $db was written with other data keys: making it again"
    psql "$ADMIN_DATABASE_URL" -X -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"
    "$bin" bootstrap >/dev/null
    (cd "$_zx_ds_root" && "$bin" demo --regions data/regions) 2>/dev/null
  elif [ "$rc" -ne 0 ]; then
    zx_say "loading the demo into $db failed (exit $rc)"
    return "$rc"
  fi
  local port
  port=$(zx_free_port)
  export ZX_CHECK_URL="http://127.0.0.1:$port"
  export ZX_CHECK_LOG="${ZX_CHECK_LOG:-$(mktemp -t zx-check-server.XXXXXX)}"
  # Files in the checkout's own (ignored) store, whichever directory the caller runs from: a
  # check started in console/ left a console/.attachments behind.
  ZX_ATTACHMENT_DIR="${ZX_ATTACHMENT_DIR:-$_zx_ds_root/.attachments}" \
    ZX_DEMO_CLOCK="${ZX_DEMO_CLOCK:-true}" ZX_BIND="127.0.0.1:$port" "$bin" serve >"$ZX_CHECK_LOG" 2>&1 &
  ZX_CHECK_PID=$!
  export ZX_CHECK_PID
  for _ in $(seq 1 100); do
    if curl -fsS "$ZX_CHECK_URL/health/ready" >/dev/null 2>&1; then
      zx_say "demo server on $ZX_CHECK_URL (pid $ZX_CHECK_PID, database $db)"
      return 0
    fi
    sleep 0.2
  done
  zx_say "the demo server did not become ready; its log:"
  tail -n 50 "$ZX_CHECK_LOG" >&2
  return 1
}

zx_demo_server_stop() {
  if [ -n "${ZX_CHECK_PID:-}" ]; then
    kill "$ZX_CHECK_PID" 2>/dev/null || true
    wait "$ZX_CHECK_PID" 2>/dev/null || true
    unset ZX_CHECK_PID
  fi
}
