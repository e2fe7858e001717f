#!/usr/bin/env bash
# Smoke run of the Action's cold-start harness (benches/action_cold_start.mjs): two runs,
# so the harness keeps working. It asserts no timing (docs/BENCHMARKS.md has the numbers
# and says how to measure them); it fails when a run of the bundle fails.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
node "$ROOT/benches/action_cold_start.mjs" --runs 2
