#!/usr/bin/env bash
# Smoke run of the benchmark scripts, so they keep working: three pipelines pushing to one
# bare remote at once (all must land: benches/load.sh checks the remote's commits and files),
# `image --scan` over a 100-file generated repository (benches/scan.sh), and the CLI start-up
# harness with three runs, and the side-by-side harness on its two small workloads (one run;
# fails when a tool present fails the edit), and the registry verification harness with one
# run against real registries on 127.0.0.1. It asserts no timing; docs/BENCHMARKS.md has
# the numbers.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bash "$ROOT/benches/load.sh" 3
bash "$ROOT/benches/scan.sh" 1
node "$ROOT/benches/cli-startup.mjs" 3 >/dev/null
node "$ROOT/benches/side-by-side.mjs" --smoke >/dev/null
node "$ROOT/benches/registry-verify.mjs" 1 >/dev/null
