#!/usr/bin/env bash
# pkg/THIRD-PARTY-LICENSES.md (shipped in the npm tarball) must be what Cargo.lock and the
# bundled npm packages give today. (action/dist/THIRD-PARTY-LICENSES.md is part of the
# Action's bundle, which scripts/checks/action-dist.sh rebuilds and compares.)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"
node "$ROOT/pkg/scripts/build-licenses.mjs" --check
