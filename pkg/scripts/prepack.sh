#!/usr/bin/env bash
# Runs before `npm pack` / `npm publish`: makes pkg/ a complete package.
#  - the wasm build (pkg/wasm/) is committed and checked fresh by the test command
#    (scripts/checks/wasm.sh), so packing needs no Rust toolchain; it must be there;
#  - the CommonJS entry dist/index.cjs and its types (scripts/build-cjs.js), and the
#    command line's bundle dist/cli.js (scripts/build-cli.mjs, which the bin runs when installed);
#  - LICENSE and CHANGELOG.md live at the repository root: copy them in (the copies are
#    git-ignored). The package's README.md is its own (pkg/README.md, for npm users).
set -euo pipefail

PKG="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="$(cd "$PKG/.." && pwd)"
cd "$PKG"

if [[ ! -f wasm/web/gitops_bump_bg.wasm || ! -f wasm/node/gitops_bump.js || ! -f wasm/web/gitops_bump.js ]]; then
  echo "prepack: pkg/wasm/ is incomplete; it is committed: restore it (git checkout -- pkg/wasm) or rebuild it (bash scripts/build)" >&2
  exit 1
fi
node scripts/build-cjs.js
node scripts/build-cli.mjs
for f in LICENSE CHANGELOG.md; do
  cp "$ROOT/$f" "$PKG/$f"
done
