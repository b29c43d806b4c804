# shellcheck shell=bash
# An S3-compatible server for the attachment tests (api/tests/it/attachments/s3.rs, `…_in_s3`):
# moto's server mode, from PyPI, pinned in scripts/s3.requirements.txt and installed into
# .venv-s3/ the first time (about two minutes; then it starts in a second or two).
#
#   source scripts/lib/s3-server.sh && zx_s3_server     # then cargo test …
#
#   1. ZX_TEST_S3_ENDPOINT already set (e.g. a MinIO of your own, with ZX_TEST_S3_BUCKET,
#      ZX_TEST_S3_ACCESS_KEY_ID and ZX_TEST_S3_SECRET_ACCESS_KEY): used as given.
#   2. ZX_SKIP_S3=1: nothing is started, and the S3 tests say they were skipped (for machines
#      without Python 3 and pip; CI has them, and there a missing server fails the tests).
#   3. Otherwise moto_server on a free port of 127.0.0.1, with an empty bucket made; it stops
#      with the shell that started it (zx_s3_stop, or its EXIT trap).
#
# Exports: ZX_TEST_S3_ENDPOINT, ZX_TEST_S3_BUCKET, ZX_TEST_S3_REGION, ZX_TEST_S3_ACCESS_KEY_ID,
# ZX_TEST_S3_SECRET_ACCESS_KEY, ZX_S3_SERVER_PID (when started here). Test-only names: the
# server's own ZX_S3_* variables are never set, so nothing else in the run changes store.
# Fails (returns non-zero, saying why) when the server cannot be installed or started.

ZX_S3_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

zx_s3_say() { printf '[s3] %s\n' "$*" >&2; }

zx_s3_venv() {
  local venv="$ZX_S3_ROOT/.venv-s3" requirements="$ZX_S3_ROOT/scripts/s3.requirements.txt" python=""
  if [ -x "$venv/bin/moto_server" ] && cmp -s "$requirements" "$venv/.requirements"; then
    return 0
  fi
  for p in python3.11 python3.12 python3.13 python3; do
    if command -v "$p" >/dev/null 2>&1 &&
      "$p" -c 'import sys, venv; sys.exit(sys.version_info < (3, 9))' 2>/dev/null; then
      python=$p
      break
    fi
  done
  if [ -z "$python" ]; then
    zx_s3_say "the S3 tests need Python 3.9+ with venv and pip (or set ZX_SKIP_S3=1 to skip them)"
    return 1
  fi
  zx_s3_say "installing moto into $venv ($("$python" --version 2>&1)); about two minutes, once"
  rm -rf "$venv"
  "$python" -m venv "$venv" || return 1
  echo '*' >"$venv/.gitignore" # never committed
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements" || {
    zx_s3_say "pip could not install scripts/s3.requirements.txt (or set ZX_SKIP_S3=1 to skip)"
    return 1
  }
  cp "$requirements" "$venv/.requirements"
}

zx_s3_stop() {
  if [ -n "${ZX_S3_SERVER_PID:-}" ]; then
    kill "$ZX_S3_SERVER_PID" 2>/dev/null || true
    wait "$ZX_S3_SERVER_PID" 2>/dev/null || true
    # The endpoint was this server's: nothing should go on trying it.
    unset ZX_S3_SERVER_PID ZX_TEST_S3_ENDPOINT ZX_TEST_S3_BUCKET ZX_TEST_S3_REGION \
      ZX_TEST_S3_ACCESS_KEY_ID ZX_TEST_S3_SECRET_ACCESS_KEY
  fi
}

zx_s3_server() {
  if [ -n "${ZX_TEST_S3_ENDPOINT:-}" ]; then
    zx_s3_say "using the S3 endpoint given in ZX_TEST_S3_ENDPOINT"
    return 0
  fi
  if [ "${ZX_SKIP_S3:-0}" = 1 ]; then
    zx_s3_say "ZX_SKIP_S3=1: no S3 server; the S3 attachment tests will be skipped"
    return 0
  fi
  zx_s3_venv || return 1
  local port log="$ZX_S3_ROOT/target/moto-server.log"
  mkdir -p "$ZX_S3_ROOT/target"
  port=$("$ZX_S3_ROOT/.venv-s3/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$ZX_S3_ROOT/.venv-s3/bin/moto_server" -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
  ZX_S3_SERVER_PID=$!
  export ZX_S3_SERVER_PID
  local i
  for i in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    if ! kill -0 "$ZX_S3_SERVER_PID" 2>/dev/null; then
      zx_s3_say "moto_server exited; its log ($log):"
      tail -n 20 "$log" >&2
      unset ZX_S3_SERVER_PID
      return 1
    fi
    sleep 0.1
  done
  export ZX_TEST_S3_ENDPOINT="http://127.0.0.1:$port"
  export ZX_TEST_S3_BUCKET=zhenxing-test
  export ZX_TEST_S3_REGION=us-east-1
  # moto accepts any credentials; these are not secrets.
  export ZX_TEST_S3_ACCESS_KEY_ID=zx-test-key-id
  export ZX_TEST_S3_SECRET_ACCESS_KEY=zx-test-secret
  # Make the bucket (object_store has no call for it): a plain S3 CreateBucket.
  if ! "$ZX_S3_ROOT/.venv-s3/bin/python" - <<'EOF'; then
import os, boto3
boto3.client(
    "s3",
    endpoint_url=os.environ["ZX_TEST_S3_ENDPOINT"],
    region_name=os.environ["ZX_TEST_S3_REGION"],
    aws_access_key_id=os.environ["ZX_TEST_S3_ACCESS_KEY_ID"],
    aws_secret_access_key=os.environ["ZX_TEST_S3_SECRET_ACCESS_KEY"],
).create_bucket(Bucket=os.environ["ZX_TEST_S3_BUCKET"])
EOF
    zx_s3_say "could not create the test bucket at $ZX_TEST_S3_ENDPOINT (log: $log)"
    zx_s3_stop
    return 1
  fi
  zx_s3_say "moto S3 server on $ZX_TEST_S3_ENDPOINT (pid $ZX_S3_SERVER_PID), bucket $ZX_TEST_S3_BUCKET"
}
