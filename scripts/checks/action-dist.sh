#!/usr/bin/env bash
# The committed Action bundle (action/dist/index.js) must be exactly what action/build.mjs
# makes from today's sources (action/src/, pkg/src/, the committed wasm glue in
# pkg/wasm/node/; the bundle reads the .wasm from pkg/wasm/web/, which
# scripts/checks/wasm.sh checks). Rebuilds it into a scratch directory and compares byte
# for byte; on a difference, names the one command that refreshes every committed build.
# The build is deterministic, so a clean tree always passes.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/gb-action-dist.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

node action/build.mjs --out "$scratch/dist"
if ! diff -r action/dist "$scratch/dist" >"$scratch/diff" 2>&1; then
  head -20 "$scratch/diff" >&2
  echo "action-dist: action/dist/ is not what action/build.mjs builds from the current sources." >&2
  echo "action-dist: run \`bash scripts/build\` (it refreshes pkg/wasm/ and action/dist/) and commit what it changed." >&2
  exit 1
fi
echo "action-dist: action/dist/ matches a fresh build ($(du -cb action/dist/* | tail -1 | cut -f1) bytes)"
