#!/usr/bin/env bash
# The side-by-side benchmark in one command: installs the peers (benches/install-peers.sh),
# writes the generated inputs of `cargo bench --bench edit` (the 20 MB stream among them) and
# runs benches/side-by-side.mjs, which makes the same edits with gitops-bump, npm `yaml`,
# js-yaml, PyYAML, ruamel.yaml, yq and kustomize, in-process and as whole processes.
# Usage: bash benches/peers.sh [side-by-side options]   e.g. --runs 3, --level in, redis
# (`node benches/side-by-side.mjs --help`-style notes are at the top of that file).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
[[ -f pkg/wasm/node/gitops_bump.js ]] || { echo "peers: pkg/wasm/node missing; run scripts/setup" >&2; exit 1; }
bash benches/install-peers.sh >&2
cargo bench --quiet --bench edit -- --write-inputs target/bench-inputs >/dev/null
exec node benches/side-by-side.mjs --inputs target/bench-inputs "$@"
