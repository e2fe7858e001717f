#!/usr/bin/env bash
# Runs before `npm pack` / `npm publish`: makes pkg/ a complete package.
#  - the wasm builds (pkg/wasm/node, pkg/wasm/web) are generated, not committed: build them
#    when either is missing (this needs what scripts/setup installs);
#  - the CommonJS entry dist/index.cjs and its types (scripts/build-cjs.js);
#  - README.md, LICENSE and CHANGELOG.md live at the repository root: copy them in (the
#    copies are git-ignored).
set -euo pipefail

PKG="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="$(cd "$PKG/.." && pwd)"
cd "$PKG"

if [[ ! -f wasm/node/gitops_bump_bg.wasm || ! -f wasm/web/gitops_bump_bg.wasm ]]; then
  echo "prepack: pkg/wasm/ is missing a build: building it"
  if ! command -v cargo >/dev/null 2>&1 && [[ ! -x "$HOME/.cargo/bin/cargo" ]]; then
    echo "prepack: cannot build the wasm core: cargo is not installed (run scripts/setup)" >&2
    exit 1
  fi
  bash scripts/build-wasm.sh
fi
node scripts/build-cjs.js
for f in README.md LICENSE CHANGELOG.md; do
  cp "$ROOT/$f" "$PKG/$f"
done
