#!/usr/bin/env bash
# The committed wasm build (pkg/wasm/: the .wasm and its Node and web glue) must be exactly
# what pkg/scripts/build-wasm.sh makes from today's src/. Builds into a scratch directory,
# started from pkg/ the way `npm pack`'s prepack starts it, and compares byte for byte.
# On a difference it names the one command that refreshes every committed build.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/gb-wasm.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

(cd pkg && bash scripts/build-wasm.sh --out "$scratch/wasm")
if ! diff -r pkg/wasm "$scratch/wasm" >"$scratch/diff" 2>&1; then
  head -20 "$scratch/diff" >&2
  echo "check wasm: pkg/wasm/ is not what pkg/scripts/build-wasm.sh builds from the current src/." >&2
  echo "check wasm: run \`bash scripts/build\` (it refreshes pkg/wasm/ and action/dist/) and commit what it changed." >&2
  if ! cmp -s pkg/wasm/web/gitops_bump_bg.wasm "$scratch/wasm/web/gitops_bump_bg.wasm"; then
    echo "check wasm: the .wasm differs: src/ changed, or it was built by another Rust toolchain or" >&2
    echo "check wasm: CARGO_HOME (the build embeds rustc's commit and dependency paths in panic locations)." >&2
  fi
  exit 1
fi
echo "check wasm: pkg/wasm/ matches a fresh build ($(find pkg/wasm -type f | wc -l) files, $(stat -c %s pkg/wasm/web/gitops_bump_bg.wasm) bytes of wasm)"
