# shellcheck shell=bash
# A fresh copy of the demo database for one run of a check that writes a lot or breaks things on
# purpose (scripts/fuzz, scripts/load), served by the debug server of scripts/lib/demo-server.sh.
#
#   source scripts/lib/scratch-db.sh
#   zx_scratch_demo_start fuzz    # database zhenxing_fuzz_<pid>; exports ZX_CHECK_URL, ZX_CHECK_PID
#   ...
#   zx_scratch_demo_stop          # stops the server and drops the copy
#
# Why not the shared zhenxing_checks database: a fuzzer resets passwords, disables users, moves
# them and removes their grants, and it sends wrong passwords for the demo accounts (the login
# example in the schema is clerk.sishui's), which locks those accounts for 15 minutes in the
# login throttle (kept in the database, shared by every server on it). Another check using the
# demo accounts at the same time (scripts/check-frontend) would then fail, and the demo
# (created once, "what exists is left alone") would stay damaged for every later run.
#
# How: the demo is loaded once into a template database (zhenxing_demo_template; the first time
# imports the 665,000 division codes, a minute or two; later runs only migrate); each run clones
# it (CREATE DATABASE ... TEMPLATE, a file copy of about 120 MB: a few seconds). A lock file keeps
# two runs from loading or cloning the template at the same time.

# shellcheck source=scripts/lib/demo-server.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/demo-server.sh"

ZX_DEMO_TEMPLATE="${ZX_DEMO_TEMPLATE:-zhenxing_demo_template}"

zx_scratch_demo_start() {
  local prefix=${1:?name the run, e.g. fuzz}
  local lock="${TMPDIR:-/tmp}/zhenxing-demo-template.lock" fd
  exec {fd}>"$lock"
  flock "$fd"
  # Bring the template up to date (bootstrap, migrations, division codes, demo: idempotent), then
  # stop its server so that nothing is connected to it while it is copied. (Called plainly, not
  # under `if`, so that a failed build stops a `set -e` script; the lock goes with the process.)
  zx_demo_server_start "$ZX_DEMO_TEMPLATE"
  zx_demo_server_stop
  export ZX_SCRATCH_DB="zhenxing_${prefix}_$$"
  local ok=""
  for _ in 1 2 3 4 5; do
    if psql "$ADMIN_DATABASE_URL" -X -q -v ON_ERROR_STOP=1 \
      -c "DROP DATABASE IF EXISTS $ZX_SCRATCH_DB WITH (FORCE)" \
      -c "CREATE DATABASE $ZX_SCRATCH_DB TEMPLATE $ZX_DEMO_TEMPLATE OWNER zhenxing_owner STRATEGY FILE_COPY" \
      2>"${TMPDIR:-/tmp}/zx-scratch-$$.err"; then
      ok=1
      break
    fi
    sleep 1 # the stopped server's backends may take a moment to go
  done
  flock -u "$fd"
  if [ -z "$ok" ]; then
    zx_say "cannot copy $ZX_DEMO_TEMPLATE:"; cat "${TMPDIR:-/tmp}/zx-scratch-$$.err" >&2
    return 1
  fi
  rm -f "${TMPDIR:-/tmp}/zx-scratch-$$.err"
  zx_demo_server_start "$ZX_SCRATCH_DB"
}

zx_scratch_demo_stop() {
  zx_demo_server_stop
  if [ -n "${ZX_SCRATCH_DB:-}" ] && [ -n "${ADMIN_DATABASE_URL:-}" ]; then
    psql "$ADMIN_DATABASE_URL" -X -q -c "DROP DATABASE IF EXISTS $ZX_SCRATCH_DB WITH (FORCE)" >/dev/null 2>&1 || true
    unset ZX_SCRATCH_DB
  fi
}
