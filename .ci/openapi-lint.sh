#!/usr/bin/env bash
# The OpenAPI document (`warden openapi`) through Redocly and Spectral, pinned in
# .ci/openapi-lint/package.json (npm ci). Clean is the bar: any error or warning fails, and
# each finding accepted on purpose is switched off with its reason in
# .ci/openapi-lint/spectral.yaml or .ci/openapi-lint/.redocly.lint-ignore.yaml.
#
# Usage: .ci/openapi-lint.sh [path/to/warden]   (default: target/debug/warden, built if absent)
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${1:-target/debug/warden}
if ! [ -x "$bin" ]; then
  cargo build --locked --quiet
fi
bin=$(realpath "$bin")

cd .ci/openapi-lint
[ -n "${CI_NPM_PREFETCHED:-}" ] || npm ci --no-audit --no-fund --silent
# Written beside the configurations: the ignore file names the document by this path.
"$bin" openapi >openapi.json
trap 'rm -f openapi.json' EXIT

echo "-- redocly lint (recommended)"
out=$(npx --no-install redocly lint --config redocly.yaml --format stylish openapi.json 2>&1) || {
  echo "$out"
  exit 1
}
echo "$out" | grep -E 'valid|ignored|problem' || true
# Redocly exits 0 on warnings ("You have N warnings."): a warning fails here too.
if echo "$out" | grep -qE 'You have [0-9]+ warnings?'; then
  echo "$out"
  exit 1
fi

echo "-- spectral lint (spectral:oas)"
npx --no-install spectral lint --ruleset spectral.yaml --fail-severity hint openapi.json
