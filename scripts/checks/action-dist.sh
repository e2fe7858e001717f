#!/usr/bin/env bash
# The committed Action bundle (action/dist/) must be exactly what action/build.mjs makes
# from today's sources (action/src/, pkg/src/, the wasm build in pkg/wasm/node/). Rebuilds
# it into a scratch directory and compares byte for byte; on a difference, says how to
# refresh it. The build is deterministic, so a clean tree always passes.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/gb-action-dist.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

node action/build.mjs --out "$scratch/dist"
if ! diff -r action/dist "$scratch/dist" >"$scratch/diff" 2>&1; then
  head -20 "$scratch/diff" >&2
  echo "action-dist: action/dist/ is not what action/build.mjs builds from the current sources." >&2
  echo "action-dist: run \`node action/build.mjs\` and commit action/dist/." >&2
  if ! cmp -s action/dist/gitops_bump_bg.wasm "$scratch/dist/gitops_bump_bg.wasm"; then
    echo "action-dist: the wasm differs: src/ changed, or this wasm was built by another Rust toolchain" >&2
    echo "action-dist: or CARGO_HOME (the build embeds rustc's commit and dependency paths in panic locations)." >&2
  fi
  exit 1
fi
files="$(find action/dist -type f | wc -l)"
[[ "$files" -eq 2 ]] || { echo "action-dist: expected index.js and gitops_bump_bg.wasm in action/dist/, found $files files" >&2; exit 1; }
echo "action-dist: action/dist/ matches a fresh build ($(du -cb action/dist/* | tail -1 | cut -f1) bytes)"
