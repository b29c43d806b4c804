# shellcheck shell=bash
# Finds a PostgreSQL for Zhenxing and exports the URLs the server and tests use.
#
#   1. DATABASE_URL (and MIGRATION_DATABASE_URL, ADMIN_DATABASE_URL) already set: used as given.
#   2. A server listening on 127.0.0.1:5432 (trust or ~/.pgpass auth for user postgres): used.
#   3. Otherwise a private cluster in .pgdata/ (port 5433), started with this machine's
#      initdb/pg_ctl (found on PATH or under /usr/lib/postgresql/*/bin).
#   4. Otherwise it says what to install and fails.
#
# Exports: ADMIN_DATABASE_URL, MIGRATION_DATABASE_URL, DATABASE_URL, TEST_ADMIN_DATABASE_URL, and
# PGSSLMODE=disable for the loopback server it found (unless PGSSLMODE is set).

ZX_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ZX_OWNER_PASSWORD="${ZX_OWNER_PASSWORD:-zhenxing-owner-dev}"
ZX_APP_PASSWORD="${ZX_APP_PASSWORD:-zhenxing-app-dev}"

zx_say() { printf '[zhenxing] %s\n' "$*" >&2; }

zx_port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

zx_pg_bin() {
  local name=$1
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return 0; fi
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin/"$name" 2>/dev/null | sort -V | tail -n 1)
  [ -n "$found" ] && echo "$found"
}

zx_private_cluster() {
  local initdb pg_ctl data="$ZX_ROOT/.pgdata" port=5433 runas=()
  initdb=$(zx_pg_bin initdb) || true
  pg_ctl=$(zx_pg_bin pg_ctl) || true
  if [ -z "$initdb" ] || [ -z "$pg_ctl" ]; then
    return 1
  fi
  if [ "$(id -u)" = 0 ]; then
    # initdb refuses to run as root: run the cluster as the postgres user, in a directory it can
    # reach (a checkout under /root is closed to it).
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
    runas=(runuser -u postgres --)
    if ! runuser -u postgres -- test -x "$ZX_ROOT"; then
      data="/var/tmp/zhenxing-pgdata"
    fi
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    zx_say "creating a private PostgreSQL cluster in $data"
    mkdir -p "$data"
    [ ${#runas[@]} -gt 0 ] && chown postgres "$data"
    "${runas[@]}" "$initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C >/dev/null
  fi
  if ! zx_port_open 127.0.0.1 "$port"; then
    zx_say "starting the private cluster on 127.0.0.1:$port"
    "${runas[@]}" "$pg_ctl" -D "$data" -l "$data/server.log" -w \
      -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$data -c fsync=off -c max_connections=200" start >/dev/null
  fi
  echo "$port"
}

zx_pg_env() {
  if [ -n "${DATABASE_URL:-}" ]; then
    : "${MIGRATION_DATABASE_URL:?set MIGRATION_DATABASE_URL too (the zhenxing_owner role)}"
    export TEST_ADMIN_DATABASE_URL="${TEST_ADMIN_DATABASE_URL:-${ADMIN_DATABASE_URL:-}}"
    return 0
  fi
  local host=127.0.0.1 port=""
  if zx_port_open "$host" 5432; then
    port=5432
  else
    port=$(zx_private_cluster) || port=""
  fi
  if [ -z "$port" ]; then
    zx_say "No PostgreSQL found: nothing listens on 127.0.0.1:5432 and initdb/pg_ctl are not installed."
    zx_say "Install one, then run this again:"
    zx_say "  Debian/Ubuntu: sudo apt-get install -y postgresql"
    zx_say "  Fedora:        sudo dnf install -y postgresql-server"
    zx_say "  macOS:         brew install postgresql@16 && brew services start postgresql@16"
    zx_say "or point DATABASE_URL, MIGRATION_DATABASE_URL and ADMIN_DATABASE_URL at an existing server."
    return 1
  fi
  # No TLS to the loopback address: it protects nothing there, and with a server that has
  # `ssl = on` every pooled connection of a test process held OpenSSL state that the C library's
  # exit-time cleanup freed while pool threads still used it (the integration-test process once
  # crashed with SIGSEGV after all its tests had passed). libpq reads PGSSLMODE for every
  # connection: the server, the tests, psql. A value already set is kept.
  export PGSSLMODE="${PGSSLMODE:-disable}"
  export ADMIN_DATABASE_URL="${ADMIN_DATABASE_URL:-postgres://postgres@$host:$port/postgres}"
  export MIGRATION_DATABASE_URL="postgres://zhenxing_owner:$ZX_OWNER_PASSWORD@$host:$port/${ZX_DB_NAME:-zhenxing}"
  export DATABASE_URL="postgres://zhenxing_app:$ZX_APP_PASSWORD@$host:$port/${ZX_DB_NAME:-zhenxing}"
  export TEST_ADMIN_DATABASE_URL="${TEST_ADMIN_DATABASE_URL:-$ADMIN_DATABASE_URL}"
}

# Like zx_pg_env, but always for the database named by ZX_DB_NAME: with DATABASE_URL already set
# (for another database, e.g. the demo's), the same server and roles with that name in its place.
# Benchmarks and checks that drop and load their database use this, never the caller's database.
zx_pg_env_for_db() {
  : "${ZX_DB_NAME:?set ZX_DB_NAME}"
  if [ -n "${DATABASE_URL:-}" ]; then
    : "${MIGRATION_DATABASE_URL:?set MIGRATION_DATABASE_URL too (the zhenxing_owner role)}"
    DATABASE_URL=$(_zx_url_with_db "$DATABASE_URL" "$ZX_DB_NAME")
    MIGRATION_DATABASE_URL=$(_zx_url_with_db "$MIGRATION_DATABASE_URL" "$ZX_DB_NAME")
    export DATABASE_URL MIGRATION_DATABASE_URL
  fi
  zx_pg_env
}

# A postgres:// URL with its database replaced (any ?query kept).
_zx_url_with_db() {
  local url=$1 db=$2 query=""
  case "$url" in *\?*) query="?${url#*\?}"; url=${url%%\?*} ;; esac
  echo "${url%/*}/$db$query"
}
