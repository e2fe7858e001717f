# shellcheck shell=bash
# Shared set-up of the orb's script tests: source orb/src/scripts/NAME.sh (its functions
# only: a script runs itself only when not sourced), clear every PARAM_* a test before may
# have left, and put a private bin directory first on PATH for a stub CLI.

# source_script NAME
source_script() {
  SCRIPT="$BATS_TEST_DIRNAME/../../../orb/src/scripts/$1.sh"
  # shellcheck source=/dev/null
  source "$SCRIPT"
  for v in $(compgen -e | grep '^PARAM_'); do unset "$v"; done
  mkdir -p "$BATS_TEST_TMPDIR/bin"
  PATH="$BATS_TEST_TMPDIR/bin:$PATH"
  export PATH
}
