#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2028,SC2034 # literal $(…) and `…` are the point; PARAM_* are read by the sourced functions
# orb/src/scripts/install.sh, sourced: its functions one by one, with npm replaced by a stub
# that "downloads" (npm pack) and "installs" (npm install --global) a small real tarball.
# tests/orb/orb-e2e.test.js and tests/release/ run the script with the real npm.

bats_require_minimum_version 1.5.0

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
  # a package tarball as npm pack makes it: package/ with a bin that prints its version
  TARBALL="$BATS_TEST_TMPDIR/gitops-bump-0.1.0.tgz"
  make_tarball "$TARBALL" 0.1.0
  INTEGRITY="$(file_integrity "$TARBALL")"
  export TARBALL
  # npm stub: records its arguments; `pack SPEC` copies $STUB_TARBALL here and prints its
  # name, `install ... --prefix P ... -- TGZ` unpacks TGZ as npm would (lib/node_modules,
  # a bin link)
  cat >"$BATS_TEST_TMPDIR/bin/npm" <<'STUB'
#!/usr/bin/env bash
printf '%s\n' "$@" >>"$BATS_TEST_TMPDIR/npm-args"
case "$1" in
  config) echo https://registry.example/ ;;
  pack) cp "${STUB_TARBALL:-$TARBALL}" ./gitops-bump-0.1.0.tgz && echo gitops-bump-0.1.0.tgz ;;
  install)
    while [[ $# -gt 0 && "$1" != --prefix ]]; do shift; done
    prefix="$2"
    tgz="${*: -1}"
    mkdir -p "$prefix/lib/node_modules" "$prefix/bin"
    tar -xzf "$tgz" -C "$prefix/lib/node_modules" && mv "$prefix/lib/node_modules/package" "$prefix/lib/node_modules/gitops-bump"
    ln -s ../lib/node_modules/gitops-bump/bin/gitops-bump.js "$prefix/bin/gitops-bump"
    ;;
esac
STUB
  chmod +x "$BATS_TEST_TMPDIR/bin/npm"
}

make_tarball() { # FILE VERSION
  local dir
  dir="$(mktemp -d)"
  mkdir -p "$dir/package/bin"
  printf '#!/bin/sh\necho "gitops-bump %s"\n' "$2" >"$dir/package/bin/gitops-bump.js"
  chmod +x "$dir/package/bin/gitops-bump.js"
  printf '{"name":"gitops-bump","version":"%s"}\n' "$2" >"$dir/package/package.json"
  tar -czf "$1" -C "$dir" package
  rm -rf "$dir"
}

# After `run`: the exit status is STATUS and the output matches the glob PATTERN; else both
# are shown.
expect_exit() { # STATUS PATTERN
  # shellcheck disable=SC2053 # $2 is a glob on purpose
  if [ "$status" -ne "$1" ] || [[ "$output" != $2 ]]; then
    printf 'expected exit %s and output matching %s, got exit %s:\n%s\n' "$1" "$2" "$status" "$output" >&2
    return 1
  fi
}

# What a first install from the registry leaves, as the cache would restore it.
installed_from_registry() {
  PARAM_VERSION=0.1.0 PARAM_INTEGRITY="$INTEGRITY" run install_main
  [ "$status" -eq 0 ]
  rm -f "$BATS_TEST_TMPDIR/npm-args"
  : >"$BASH_ENV"
}

@test "installed_version reads the CLI's --version, and is empty when there is no CLI" {
  mkdir -p "$BATS_TEST_TMPDIR/p/bin"
  printf '#!/bin/sh\necho "gitops-bump 1.2.3"\n' >"$BATS_TEST_TMPDIR/p/bin/gitops-bump"
  chmod +x "$BATS_TEST_TMPDIR/p/bin/gitops-bump"
  [ "$(installed_version "$BATS_TEST_TMPDIR/p/bin/gitops-bump")" = 1.2.3 ]
  [ -z "$(installed_version "$BATS_TEST_TMPDIR/nothing/gitops-bump")" ]
}

@test "install_prefix is per version, and 'custom' for a package" {
  PARAM_VERSION=0.1.0 PARAM_PACKAGE='' run install_prefix
  [ "$output" = "$HOME/.gitops-bump/0.1.0" ]
  PARAM_VERSION=0.1.0 PARAM_PACKAGE=./x.tgz run install_prefix
  [ "$output" = "$HOME/.gitops-bump/custom" ]
}

@test "file_integrity is npm's: sha512- and the base64 of the digest" {
  printf 'abc' >"$BATS_TEST_TMPDIR/abc"
  [ "$(file_integrity "$BATS_TEST_TMPDIR/abc")" = 'sha512-3a81oZNherrMQXNJriBBMRLm+k6JqX6iCp7u5ktV05ohkpkqJ0/BqDa6PCOj/uu9RU1EI2Q86A4qmslPpUyknw==' ]
}

@test "a version that is not exact is refused before npm runs" {
  PARAM_VERSION='latest; rm -rf /' PARAM_INTEGRITY="$INTEGRITY" run install_main
  expect_exit 2 '*must be an exact version*'
  [ ! -e "$BATS_TEST_TMPDIR/npm-args" ]
}

@test "no integrity, or one that is not sha512, is refused before npm runs" {
  PARAM_VERSION=0.1.0 PARAM_INTEGRITY='' run install_main
  expect_exit 2 '*no integrity for gitops-bump 0.1.0*npm view gitops-bump@0.1.0 dist.integrity*'
  PARAM_VERSION=0.1.0 PARAM_INTEGRITY='sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk=' run install_main
  expect_exit 2 '*integrity must be sha512-*'
  [ ! -e "$BATS_TEST_TMPDIR/npm-args" ]
}

@test "from the registry: npm pack without scripts, the check, then npm install --ignore-scripts --offline" {
  PARAM_VERSION=0.1.0 PARAM_INTEGRITY="$INTEGRITY" run install_main
  [ "$status" -eq 0 ]
  grep -qx 'gitops-bump@0.1.0' "$BATS_TEST_TMPDIR/npm-args"
  [ "$(grep -c -x -- '--ignore-scripts' "$BATS_TEST_TMPDIR/npm-args")" -eq 2 ]
  grep -qx -- '--offline' "$BATS_TEST_TMPDIR/npm-args"
  cmp "$HOME/.gitops-bump/0.1.0/package.tgz" "$TARBALL"
  # shellcheck source=/dev/null
  source "$BASH_ENV"
  [ "$(command -v gitops-bump)" = "$HOME/.gitops-bump/0.1.0/bin/gitops-bump" ]
}

@test "a registry tarball that does not match the integrity is refused, and npm install never runs" {
  make_tarball "$BATS_TEST_TMPDIR/evil.tgz" 0.1.0
  printf 'x' >>"$BATS_TEST_TMPDIR/evil.tgz"
  STUB_TARBALL="$BATS_TEST_TMPDIR/evil.tgz" PARAM_VERSION=0.1.0 PARAM_INTEGRITY="$INTEGRITY" run install_main
  expect_exit 1 '*'"does not match the pinned integrity: expected $INTEGRITY, found sha512-"'*Refusing to install it*'
  run ! grep -qx install "$BATS_TEST_TMPDIR/npm-args"
  [ ! -e "$HOME/.gitops-bump/0.1.0" ]
}

@test "a restored cache that still matches is used without npm" {
  installed_from_registry
  PARAM_VERSION=0.1.0 PARAM_INTEGRITY="$INTEGRITY" run install_main
  expect_exit 0 '*restored from the cache, checked against sha512-*'
  [ ! -e "$BATS_TEST_TMPDIR/npm-args" ]
  # shellcheck source=/dev/null
  source "$BASH_ENV"
  [ "$(command -v gitops-bump)" = "$HOME/.gitops-bump/0.1.0/bin/gitops-bump" ]
}

@test "a restored cache with a changed file is refused" {
  installed_from_registry
  printf 'echo pwned\n' >>"$HOME/.gitops-bump/0.1.0/lib/node_modules/gitops-bump/bin/gitops-bump.js"
  PARAM_VERSION=0.1.0 PARAM_INTEGRITY="$INTEGRITY" run install_main
  expect_exit 1 '*differs from its verified tarball (a tampered cache)*refusing the restored cache*'
  [ ! -s "$BASH_ENV" ]
}

@test "a restored cache whose kept tarball was swapped is refused" {
  installed_from_registry
  make_tarball "$HOME/.gitops-bump/0.1.0/package.tgz" 0.1.0
  printf 'x' >>"$HOME/.gitops-bump/0.1.0/package.tgz"
  PARAM_VERSION=0.1.0 PARAM_INTEGRITY="$INTEGRITY" run install_main
  expect_exit 1 '*the cached tarball*does not match the pinned integrity*'
}

@test "a restored cache with an extra command on the PATH, or a bin link elsewhere, is refused" {
  installed_from_registry
  printf '#!/bin/sh\n' >"$HOME/.gitops-bump/0.1.0/bin/git"
  PARAM_VERSION=0.1.0 PARAM_INTEGRITY="$INTEGRITY" run install_main
  expect_exit 1 '*/bin holds more than the installation (gitops-bump)*'
  rm "$HOME/.gitops-bump/0.1.0/bin/git"
  ln -sfn /bin/true "$HOME/.gitops-bump/0.1.0/bin/gitops-bump"
  PARAM_VERSION=0.1.0 PARAM_INTEGRITY="$INTEGRITY" run install_main
  expect_exit 1 '*is not the package'"'"'s own bin*'
}

@test "a tarball path is checked, then installed after --, into the custom prefix" {
  cd "$BATS_TEST_TMPDIR"
  PARAM_VERSION=0.1.0 PARAM_INTEGRITY="$INTEGRITY" PARAM_PACKAGE=gitops-bump-0.1.0.tgz run install_main
  [ "$status" -eq 0 ]
  [ "$(tail -n 2 "$BATS_TEST_TMPDIR/npm-args" | head -n 1)" = -- ]
  grep -qx "$HOME/.gitops-bump/custom" "$BATS_TEST_TMPDIR/npm-args"
  run ! grep -qx pack "$BATS_TEST_TMPDIR/npm-args"
}

@test "a tarball path that does not match, or does not exist, is refused" {
  cd "$BATS_TEST_TMPDIR"
  make_tarball other.tgz 0.1.0
  printf 'x' >>other.tgz
  PARAM_VERSION=0.1.0 PARAM_INTEGRITY="$INTEGRITY" PARAM_PACKAGE=other.tgz run install_main
  expect_exit 1 '*the package tarball other.tgz does not match the pinned integrity*'
  PARAM_VERSION=0.1.0 PARAM_INTEGRITY="$INTEGRITY" PARAM_PACKAGE=missing.tgz run install_main
  expect_exit 2 '*neither an http(s) URL nor a file*'
  [ ! -e "$BATS_TEST_TMPDIR/npm-args" ]
}

@test "a tarball holding another version than asked is an error" {
  make_tarball "$BATS_TEST_TMPDIR/v9.tgz" 9.9.9
  PARAM_VERSION=0.1.0 PARAM_INTEGRITY="$(file_integrity "$BATS_TEST_TMPDIR/v9.tgz")" PARAM_PACKAGE="$BATS_TEST_TMPDIR/v9.tgz" run install_main
  expect_exit 1 '*asked for 0.1.0, the tarball holds 9.9.9*'
}

@test "sourcing the script runs nothing" {
  run bash -c "source '$SCRIPT'; echo sourced"
  [ "$output" = sourced ]
}
