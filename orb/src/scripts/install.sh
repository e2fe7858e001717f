#!/usr/bin/env bash
# Installs the gitops-bump CLI into ~/.gitops-bump/<version> (or ~/.gitops-bump/custom for
# PARAM_PACKAGE) and puts its bin directory on the PATH of later steps through $BASH_ENV.
# A directory restored from the cache with the right version is used as it is.
# Inputs: PARAM_VERSION (exact version), PARAM_PACKAGE (npm spec or tarball path, optional).

# The version `gitops-bump --version` prints, or nothing when BIN does not run.
installed_version() {
  local bin="$1" out
  out="$("$bin" --version 2>/dev/null)" || return 0
  printf '%s\n' "${out##* }"
}

# The directory to install into.
install_prefix() {
  if [[ -n "${PARAM_PACKAGE:-}" ]]; then
    printf '%s\n' "$HOME/.gitops-bump/custom"
  else
    printf '%s\n' "$HOME/.gitops-bump/${PARAM_VERSION}"
  fi
}

install_main() {
  local version="${PARAM_VERSION:-}" package="${PARAM_PACKAGE:-}" prefix spec have
  if [[ ! "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
    printf 'gitops-bump/install: version must be an exact version such as 0.1.0, got "%s"\n' "$version" >&2
    return 2
  fi
  prefix="$(install_prefix)"
  have="$(installed_version "$prefix/bin/gitops-bump")"
  if [[ -z "$package" && "$have" == "$version" ]]; then
    printf 'gitops-bump %s is already installed in %s (restored from the cache)\n' "$version" "$prefix"
  else
    spec="gitops-bump@$version"
    if [[ -n "$package" ]]; then
      spec="$package"
      # a tarball path relative to this step's directory stays one for npm
      if [[ -f "$package" && "$package" != /* && "$package" != ./* && "$package" != ../* ]]; then
        spec="./$package"
      fi
    fi
    printf 'Installing %s into %s\n' "$spec" "$prefix"
    rm -rf "$prefix"
    mkdir -p "$prefix"
    npm install --global --prefix "$prefix" --no-audit --no-fund --loglevel=error -- "$spec"
    have="$(installed_version "$prefix/bin/gitops-bump")"
    if [[ -z "$have" ]]; then
      printf 'gitops-bump/install: %s was installed but %s/bin/gitops-bump does not run\n' "$spec" "$prefix" >&2
      return 1
    fi
    if [[ -z "$package" && "$have" != "$version" ]]; then
      printf 'gitops-bump/install: asked for %s, npm installed %s\n' "$version" "$have" >&2
      return 1
    fi
  fi
  if [[ -n "${BASH_ENV:-}" ]]; then
    # shellcheck disable=SC2016 # $PATH is expanded by the later steps that source BASH_ENV
    printf 'export PATH=%q:"$PATH"\n' "$prefix/bin" >>"$BASH_ENV"
  fi
  printf 'gitops-bump %s is ready: %s/bin/gitops-bump\n' "$have" "$prefix"
}

# Run only when executed, not when sourced (the bats tests source this file).
if ! (return 0 2>/dev/null); then
  install_main
fi
