#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2028,SC2034 # literal $(…) and `…` are the point; PARAM_* are read by the sourced functions
# orb/src/scripts/install.sh, sourced: its functions one by one, npm replaced by a stub.

setup() {
  SCRIPT="$BATS_TEST_DIRNAME/../../../orb/src/scripts/install.sh"
  # shellcheck source=/dev/null
  source "$SCRIPT"
  HOME="$BATS_TEST_TMPDIR/home"
  mkdir -p "$HOME" "$BATS_TEST_TMPDIR/bin"
  BASH_ENV="$BATS_TEST_TMPDIR/bash_env"
  : >"$BASH_ENV"
  PATH="$BATS_TEST_TMPDIR/bin:$PATH"
  export HOME BASH_ENV PATH
  # npm stub: records its arguments, then "installs" a gitops-bump printing $STUB_VERSION
  cat >"$BATS_TEST_TMPDIR/bin/npm" <<'STUB'
#!/usr/bin/env bash
printf '%s\n' "$@" >"$BATS_TEST_TMPDIR/npm-args"
while [[ $# -gt 0 && "$1" != --prefix ]]; do shift; done
mkdir -p "$2/bin"
printf '#!/bin/sh\necho "gitops-bump %s"\n' "${STUB_VERSION:-0.1.0}" >"$2/bin/gitops-bump"
chmod +x "$2/bin/gitops-bump"
STUB
  chmod +x "$BATS_TEST_TMPDIR/bin/npm"
}

fake_cli() { # DIR VERSION
  mkdir -p "$1/bin"
  printf '#!/bin/sh\necho "gitops-bump %s"\n' "$2" >"$1/bin/gitops-bump"
  chmod +x "$1/bin/gitops-bump"
}

@test "installed_version reads the CLI's --version, and is empty when there is no CLI" {
  fake_cli "$BATS_TEST_TMPDIR/p" 1.2.3
  [ "$(installed_version "$BATS_TEST_TMPDIR/p/bin/gitops-bump")" = 1.2.3 ]
  [ -z "$(installed_version "$BATS_TEST_TMPDIR/nothing/gitops-bump")" ]
}

@test "install_prefix is per version, and 'custom' for a package" {
  PARAM_VERSION=0.1.0 PARAM_PACKAGE='' run install_prefix
  [ "$output" = "$HOME/.gitops-bump/0.1.0" ]
  PARAM_VERSION=0.1.0 PARAM_PACKAGE=./x.tgz run install_prefix
  [ "$output" = "$HOME/.gitops-bump/custom" ]
}

@test "a version that is not exact is refused before npm runs" {
  PARAM_VERSION='latest; rm -rf /' run install_main
  [ "$status" -eq 2 ]
  [[ "$output" == *'must be an exact version'* ]]
  [ ! -e "$BATS_TEST_TMPDIR/npm-args" ]
}

@test "a cached installation of the version is used without npm and put on PATH" {
  fake_cli "$HOME/.gitops-bump/0.1.0" 0.1.0
  PARAM_VERSION=0.1.0 run install_main
  [ "$status" -eq 0 ]
  [[ "$output" == *'restored from the cache'* ]]
  [ ! -e "$BATS_TEST_TMPDIR/npm-args" ]
  # shellcheck source=/dev/null
  source "$BASH_ENV"
  [ "$(command -v gitops-bump)" = "$HOME/.gitops-bump/0.1.0/bin/gitops-bump" ]
}

@test "a cached installation of another version is replaced by npm's" {
  fake_cli "$HOME/.gitops-bump/0.1.0" 0.0.9
  PARAM_VERSION=0.1.0 run install_main
  [ "$status" -eq 0 ]
  grep -qx 'gitops-bump@0.1.0' "$BATS_TEST_TMPDIR/npm-args"
  grep -qx -- '--global' "$BATS_TEST_TMPDIR/npm-args"
}

@test "npm installing another version than asked is an error" {
  STUB_VERSION=9.9.9 PARAM_VERSION=0.1.0 run install_main
  [ "$status" -eq 1 ]
  [[ "$output" == *'asked for 0.1.0, npm installed 9.9.9'* ]]
}

@test "a package tarball path is installed as a path, after --, into the custom prefix" {
  cd "$BATS_TEST_TMPDIR"
  : >gitops-bump-0.1.0.tgz
  PARAM_VERSION=0.1.0 PARAM_PACKAGE=gitops-bump-0.1.0.tgz run install_main
  [ "$status" -eq 0 ]
  [ "$(tail -n 2 "$BATS_TEST_TMPDIR/npm-args" | head -n 1)" = -- ]
  [ "$(tail -n 1 "$BATS_TEST_TMPDIR/npm-args")" = ./gitops-bump-0.1.0.tgz ]
  grep -qx "$HOME/.gitops-bump/custom" "$BATS_TEST_TMPDIR/npm-args"
}

@test "sourcing the script runs nothing" {
  run bash -c "source '$SCRIPT'; echo sourced"
  [ "$output" = sourced ]
}
