#!/usr/bin/env bats
# shellcheck disable=SC2016 # a literal $(…) is the point
# orb/src/scripts/status.sh, sourced, against a stub CLI that records its argv.

bats_require_minimum_version 1.5.0

load helpers

setup() {
  source_script status
  cat >"$BATS_TEST_TMPDIR/bin/gitops-bump" <<'STUB'
#!/usr/bin/env bash
printf '%s\0' "$@" >>"$BATS_TEST_TMPDIR/argv"
printf 'TABLE %s\n' "$*"
STUB
  chmod +x "$BATS_TEST_TMPDIR/bin/gitops-bump"
}

@test "status_main: each environment is one argument, globs and \$(…) stay literal" {
  PARAM_ENVIRONMENTS=$'dev=overlays/dev\n  overlays/*  $(touch pwned)' run status_main
  [ "$status" -eq 0 ]
  [ "$(tr '\0' '|' <"$BATS_TEST_TMPDIR/argv")" = 'status|dev=overlays/dev|overlays/*|$(touch|pwned)|' ]
  [ ! -e pwned ]
}

@test "status_main: markdown_file gets the --markdown table" {
  PARAM_ENVIRONMENTS='a b' PARAM_MARKDOWN_FILE="$BATS_TEST_TMPDIR/out/status.md" run status_main
  [ "$status" -eq 0 ]
  [ "$(cat "$BATS_TEST_TMPDIR/out/status.md")" = 'TABLE status a b --markdown' ]
}

@test "status_main: no environments is a usage error" {
  run status_main
  [ "$status" -eq 2 ]
  [[ "$output" == *'environments is empty'* ]]
}

@test "sourcing the script runs nothing" {
  run bash -c "source '$SCRIPT'; echo sourced"
  [ "$output" = sourced ]
}
