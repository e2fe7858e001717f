#!/usr/bin/env bash
# Installs the benchmark peers, for benches/fidelity.mjs and benches/peers.sh only (never
# dependencies of the package): npm `yaml` and `js-yaml` into benches/node_modules (from
# benches/package-lock.json), PyYAML and ruamel.yaml into the venv benches/.venv. mikefarah
# yq and kustomize come from .tools/bin (built from the Go module proxy by scripts/setup*).
# Idempotent: a peer already there is not fetched again.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"
[[ -d node_modules/js-yaml && -d node_modules/yaml ]] || npm ci --no-audit --no-fund
if ! .venv/bin/python -c 'import yaml, ruamel.yaml' 2>/dev/null; then
  python3 -m venv .venv
  .venv/bin/pip install --quiet PyYAML ruamel.yaml
fi
.venv/bin/python -c 'import yaml, ruamel.yaml; print("install-peers: PyYAML", yaml.__version__, "ruamel.yaml", ruamel.yaml.__version__)'
node -e 'console.log("install-peers: npm yaml", require("yaml/package.json").version, "js-yaml", require("js-yaml/package.json").version)'
for tool in yq kustomize; do
  [[ -x "$HERE/../.tools/bin/$tool" ]] && echo "install-peers: $tool $("$HERE/../.tools/bin/$tool" --version 2>/dev/null || "$HERE/../.tools/bin/$tool" version 2>/dev/null | head -1)" \
    || echo "install-peers: $tool missing from .tools/bin (run scripts/setup-test)" >&2
done
