#!/usr/bin/env bash
# @warden/next as an app installs it: `npm pack` of clients/typescript (its prepack builds
# dist/), then the dependencies of each example app (NextAuth v4: examples/nextjs; Auth.js v5,
# next-auth@5: examples/nextjs-authjs) with the tarball in place of the file: link, resolved by
# npm without --legacy-peer-deps (a peer conflict is ERESOLVE and fails here). Resolution only
# (--package-lock-only): nothing is downloaded but the registry's metadata.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd clients/typescript && npm pack --silent --pack-destination "$work" >/dev/null)
tarball=$(ls "$work"/*.tgz)
for app in nextjs nextjs-authjs; do
  mkdir "$work/$app"
  node -e '
    const [from, to, tarball] = process.argv.slice(1);
    const p = JSON.parse(require("fs").readFileSync(from, "utf8"));
    p.dependencies["@warden/next"] = `file:${tarball}`;
    require("fs").writeFileSync(to, JSON.stringify(p, null, 2));
  ' "examples/$app/package.json" "$work/$app/package.json" "$tarball"
  echo "-- examples/$app's dependencies with the packed @warden/next"
  (cd "$work/$app" && npm install --package-lock-only --no-audit --no-fund --loglevel=error)
done
