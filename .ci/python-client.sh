#!/usr/bin/env bash
# A Python client generated from `warden openapi` with openapi-python-client (pinned), then
# clients/python-smoke/smoke.py with it against a real `warden serve`: sign-in, a decision,
# a query plan, AuthZEN batch evaluations and a resource search, each answer typed. The
# generated code lives in a temporary directory (it is not committed).
#
# Usage: .ci/python-client.sh [path/to/warden]   (default: target/debug/warden, built if absent)
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${1:-target/debug/warden}
if ! [ -x "$bin" ]; then
  cargo build --locked --quiet
fi
bin=$(realpath "$bin")

# The generator, pinned, in a venv of its own (kept under target/, reused by later runs).
venv=$PWD/target/ci-venv-python-client
generator=0.29.1
if ! [ -x "$venv/bin/openapi-python-client" ] ||
  [ "$("$venv/bin/pip" show openapi-python-client 2>/dev/null | awk '/^Version/ {print $2}')" != "$generator" ]; then
  if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' 2>/dev/null; then
    apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
  fi
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "openapi-python-client==$generator"
fi
py="$venv/bin/python"

work=$(mktemp -d)
server_pid=
stop() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap stop EXIT

echo "-- openapi-python-client $generator: generate from warden openapi"
"$bin" openapi >"$work/openapi.json"
# Any warning (a dropped endpoint, an unparsed schema) fails: the client must be whole.
# (Formatting with ruff is skipped when ruff is absent; that is the one note allowed.)
(cd "$work" && "$venv/bin/openapi-python-client" generate --path openapi.json --meta none \
  --output-path warden_client) >"$work/generate.log" 2>&1 || { cat "$work/generate.log"; exit 1; }
if grep -vE '^(Generating |Warning\(s\) encountered|Skipping Integration|ruff is not in PATH|If you believe this was a mistake|\s*$)' \
  "$work/generate.log" | grep -q .; then
  echo "the generator did not read the whole document:"
  cat "$work/generate.log"
  exit 1
fi

# A real server: its own database and a copy of the shipped policies, a port the kernel picks.
cp -r policies "$work/policies"
password=$("$py" -c 'import secrets; print(secrets.token_urlsafe(24))')
NO_COLOR=1 WARDEN_ADMIN_PASSWORD=$password WARDEN_LOG=warn "$bin" serve --listen 127.0.0.1:0 \
  --db "$work/warden.db" --policies "$work/policies" 2>"$work/server.log" &
server_pid=$!
base=
for _ in $(seq 1 100); do
  base=$(sed -n 's/^warden listening on \(http:[^ ]*\).*/\1/p' "$work/server.log" | head -n1)
  [ -n "$base" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.1
done
[ -n "$base" ] || { echo "the server did not start"; cat "$work/server.log"; exit 1; }
key=$("$bin" client add python-smoke --json --db "$work/warden.db" | "$py" -c 'import json, sys; print(json.load(sys.stdin)["key"])')

echo "-- clients/python-smoke/smoke.py against $base"
PYTHONPATH="$work" "$py" clients/python-smoke/smoke.py "$base" "$password" "$key"
