#!/usr/bin/env bash
# The CircleCI orb: orb/orb.yml must be what orb/tools/pack.mjs makes of orb/src (the
# CircleCI CLI, whose `orb pack` this replaces, cannot be installed here); the orb's scripts
# and their bats tests pass shellcheck; the bats tests pass. The node tests in tests/orb/
# (schema, config parser, review checks, end-to-end runs) run with the other node tests.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

for tool in shellcheck bats node; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "check orb: $tool is missing (scripts/setup-test installs it)" >&2
    exit 1
  fi
done

echo "check orb: orb/orb.yml is packed from orb/src"
node orb/tools/pack.mjs --check

scripts=(orb/src/scripts/*.sh)
tests=(tests/orb/bats/*.bats)
echo "check orb: shellcheck ${#scripts[@]} scripts and ${#tests[@]} bats files"
shellcheck -S style "${scripts[@]}" "${tests[@]}"

echo "check orb: bats"
bats --timing tests/orb/bats
