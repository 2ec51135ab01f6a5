#!/usr/bin/env bash
# The HTTP contract against a real server: validate /openapi.json with openapi-spec-validator,
# then run schemathesis (every check) against a real `warden serve` twice, once with an
# admin's bearer token and once with a service client key. Fails on any 5xx, any status the
# document does not list, and any answer that does not match its schema.
#
# Usage: .ci/schemathesis.sh [path/to/warden]   (default: target/debug/warden, built if absent)
# Environment: ST_MAX_EXAMPLES (default 20) cases per operation and phase; ST_TIME_LIMIT
# (default 240) seconds per schemathesis run, after which the run fails.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${1:-target/debug/warden}
if ! [ -x "$bin" ]; then
  cargo build --locked --quiet
fi
bin=$(realpath "$bin")
max_examples=${ST_MAX_EXAMPLES:-20}
time_limit=${ST_TIME_LIMIT:-240}

# The tools, pinned, in a venv of their own (kept under target/, reused by later runs).
venv=target/ci-venv
if ! [ -x "$venv/bin/st" ]; then
  if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' 2>/dev/null; then
    apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
  fi
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    'schemathesis==4.32.5' 'openapi-spec-validator==0.9.0'
fi
py="$venv/bin/python"
echo "schemathesis $("$venv/bin/st" --version | awk '{print $NF}'), openapi-spec-validator $("$venv/bin/pip" show openapi-spec-validator | awk '/^Version/ {print $2}')"

# A real server: its own database and a copy of the shipped policies, a port the kernel picks.
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
echo "warden at $base"

echo "-- openapi-spec-validator $base/openapi.json"
"$py" -c 'import sys, urllib.request; sys.stdout.buffer.write(urllib.request.urlopen(sys.argv[1]).read())' \
  "$base/openapi.json" >"$work/openapi.json"
# (On failure it prints the whole document: the first lines say what is wrong.)
"$venv/bin/openapi-spec-validator" "$work/openapi.json" 2>&1 | cut -c1-2000 | head -n 20
[ "${PIPESTATUS[0]}" -eq 0 ]

# The credentials: an admin's access token (sign-in) and a service client's key (CLI).
# An admin's access token (a fresh sign-in each time: a run may end the session it uses).
login() {
  "$py" - "$base" "$password" <<'EOF'
import json, sys, urllib.request
base, password = sys.argv[1], sys.argv[2]
body = json.dumps({"email": "admin@localhost", "password": password}).encode()
req = urllib.request.Request(base + "/v1/auth/login", body, {"Content-Type": "application/json"})
print(json.load(urllib.request.urlopen(req))["access_token"])
EOF
}
# A service client's key (CLI).
key=$("$bin" client add schemathesis --json --db "$work/warden.db" | "$py" -c 'import json, sys; print(json.load(sys.stdin)["key"])')

run() {
  local who=$1 credential=$2
  shift 2
  echo "-- schemathesis as $who"
  # --checks all: 5xx, undocumented statuses, content types, headers and schemas of every
  # answer, bad data accepted, good data refused, methods, auth; .ci/schemathesis.toml
  # says where warden's rules go beyond its schemas. (The decision log's long poll holds a
  # request up to 25 s by design: hence the 30 s response-time limit.)
  timeout --signal=INT "$time_limit" "$venv/bin/st" --config-file .ci/schemathesis.toml \
    run "$base/openapi.json" \
    --url "$base" \
    --checks all \
    --max-examples "$max_examples" \
    --seed 1 \
    --generation-database none \
    --workers 1 \
    --request-timeout 40 \
    --max-response-time 30 \
    --no-color \
    -H "Authorization: Bearer $credential" \
    "$@"
}
# The operations that can end the admin's own session (a reset password, revoked tokens, a
# revoked session, a role taken away, disabled) run last, with a token of their own, so that
# they do not leave every other admin operation answering 401.
self_harm='^(set_user_password|revoke_user|update_user|set_user_roles|delete_user|revoke_session)$'
# Both admin tokens are taken before any run: the first run fuzzes the sign-in route from
# this address, and warden's per-address throttle then rightly answers a sign-in with 429.
admin_token=$(login)
self_harm_token=$(login)
[ -n "$admin_token" ] && [ -n "$self_harm_token" ] || { echo "the admin could not sign in"; exit 1; }
start=$SECONDS
failed=0
run "an admin" "$admin_token" --exclude-operation-id-regex "$self_harm" || failed=1
run "an admin (operations that may end its session)" "$self_harm_token" \
  --include-operation-id-regex "$self_harm" || failed=1
run "a service client" "$key" || failed=1
echo "schemathesis took $((SECONDS - start)) s"
# An internal error the answers did not show (each is logged at ERROR) fails the run too.
if grep -q 'ERROR\|panicked' "$work/server.log"; then
  echo "the server logged errors:"
  grep 'ERROR\|panicked' "$work/server.log" | head -n 20
  exit 1
fi
exit "$failed"
