#!/usr/bin/env bash
# Installs the gitops-bump CLI into ~/.gitops-bump/<version> (or ~/.gitops-bump/custom for
# PARAM_PACKAGE) and puts its bin directory on the PATH of later steps through $BASH_ENV.
#
# Nothing runs before it is checked: the package tarball (from the npm registry, a URL or a
# path) must match PARAM_INTEGRITY, npm's sha512 `integrity` of the release, before npm
# sees it; npm installs it with --ignore-scripts and --offline (the package bundles its one
# dependency, so the tarball is all of it). The verified tarball is kept beside the
# installation; an installation restored from the cache is used only when that tarball
# still matches the integrity and the installed files are exactly the tarball's.
#
# Inputs: PARAM_VERSION (exact version), PARAM_INTEGRITY (sha512-<base64>),
# PARAM_PACKAGE (optional: an https:// URL or the path of the tarball, for runners that
# cannot reach the registry).
# Exit codes: 0 installed; 1 the download, the check or npm failed; 2 bad parameters.

# The orb's scripts are bash. On an image without bash CircleCI runs a step with /bin/sh:
# stop there with one clear line (this test is POSIX sh) instead of failing on bash syntax.
if [ -z "${BASH_VERSION:-}" ]; then
  echo "gitops-bump: this step needs bash, and the job's shell is not bash (the image has none?): use an image with bash, such as the orb's executor (cimg/node), or install bash first" >&2
  exit 2
fi

INSTALL_TAG='gitops-bump/install'

install_fail() { # CODE MESSAGE...
  local code="$1"
  shift
  printf '%s: %s\n' "$INSTALL_TAG" "$*" >&2
  return "$code"
}

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

# npm's integrity string of FILE: sha512- and the base64 of its SHA-512 digest.
file_integrity() {
  node -e '
    const data = require("fs").readFileSync(process.argv[1]);
    process.stdout.write("sha512-" + require("crypto").createHash("sha512").update(data).digest("base64") + "\n");
  ' "$1"
}

# Succeeds when FILE's integrity is INTEGRITY; otherwise says what was found.
check_integrity() { # FILE INTEGRITY WHAT
  local file="$1" want="$2" what="$3" got
  got="$(file_integrity "$file")" || return 1
  if [[ "$got" != "$want" ]]; then
    install_fail 1 "$what does not match the pinned integrity: expected $want, found $got. Refusing to install it (a tampered or substituted package, or the wrong version)." || return
  fi
}

# Fetches the tarball into DIR and prints its path: from PARAM_PACKAGE (URL or path) or
# from the npm registry. The tarball's own scripts never run.
fetch_tarball() { # DIR
  local dir="$1" package="${PARAM_PACKAGE:-}" name
  if [[ "$package" == https://* || "$package" == http://* ]]; then
    printf 'Downloading %s\n' "$package" >&2
    curl --fail --silent --show-error --location --proto '=https,http' --output "$dir/package.tgz" -- "$package" ||
      { install_fail 1 "cannot download $package" || return; }
    printf '%s\n' "$dir/package.tgz"
  elif [[ -n "$package" ]]; then
    [[ -f "$package" ]] || { install_fail 2 "package \"$package\" is neither an http(s) URL nor a file" || return; }
    cp -- "$package" "$dir/package.tgz"
    printf '%s\n' "$dir/package.tgz"
  else
    printf 'Downloading gitops-bump@%s from %s\n' "$PARAM_VERSION" "$(npm config get registry 2>/dev/null)" >&2
    name="$(cd "$dir" && npm pack --ignore-scripts --loglevel=error --no-audit --no-fund -- "gitops-bump@$PARAM_VERSION")" ||
      { install_fail 1 "npm could not download gitops-bump@$PARAM_VERSION (see npm's error above)" || return; }
    name="${name##*$'\n'}"
    [[ -n "$name" && -f "$dir/$name" ]] || { install_fail 1 "npm pack gave no tarball for gitops-bump@$PARAM_VERSION" || return; }
    printf '%s\n' "$dir/$name"
  fi
}

# Succeeds when PREFIX holds exactly the installation of its kept tarball, and that
# tarball matches INTEGRITY. Says what differs otherwise.
check_installation() { # PREFIX INTEGRITY
  local prefix="$1" want="$2" tarball="$1/package.tgz" scratch link listing rc=0
  check_integrity "$tarball" "$want" "the cached tarball $tarball" || return 1
  scratch="$(mktemp -d)"
  if ! tar -xzf "$tarball" -C "$scratch"; then
    rm -rf "$scratch"
    install_fail 1 "the cached tarball $tarball cannot be unpacked" || return
  fi
  # npm adds node_modules/.bin (links to the bundled dependency's own commands, never on
  # the PATH): compared apart, as links only
  if ! diff -r --no-dereference -x .bin "$scratch/package" "$prefix/lib/node_modules/gitops-bump" >"$scratch/diff" 2>&1; then
    install_fail 1 "the installation restored in $prefix differs from its verified tarball (a tampered cache): $(head -n 3 "$scratch/diff" | tr '\n' ' ')" || rc=$?
  fi
  rm -rf "$scratch"
  [[ $rc -eq 0 ]] || return "$rc"
  # nothing else may come with it: whatever is in bin/ is on the PATH of later steps
  for listing in "$prefix:bin lib package.tgz" "$prefix/bin:gitops-bump" "$prefix/lib:node_modules" "$prefix/lib/node_modules:gitops-bump"; do
    if [[ "$(find "${listing%%:*}" -mindepth 1 -maxdepth 1 -printf '%f\n' | LC_ALL=C sort | tr '\n' ' ')" != "${listing#*:} " ]]; then
      install_fail 1 "${listing%%:*} holds more than the installation (${listing#*:}): a tampered cache" || return
    fi
  done
  if find "$prefix/lib/node_modules/gitops-bump/node_modules/.bin" -mindepth 1 ! -type l 2>/dev/null | grep -q .; then
    install_fail 1 "$prefix/lib/node_modules/gitops-bump/node_modules/.bin holds files that are not links: a tampered cache" || return
  fi
  link="$(readlink "$prefix/bin/gitops-bump" 2>/dev/null)"
  if [[ "$link" != ../lib/node_modules/gitops-bump/bin/gitops-bump.js ]]; then
    install_fail 1 "$prefix/bin/gitops-bump is not the package's own bin (it points to \"$link\"): a tampered cache" || return
  fi
}

install_main() {
  local version="${PARAM_VERSION:-}" integrity="${PARAM_INTEGRITY:-}" package="${PARAM_PACKAGE:-}" prefix have scratch tarball rc
  if [[ ! "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
    install_fail 2 "version must be an exact version such as 0.1.0, got \"$version\"" || return
  fi
  if [[ -z "$integrity" ]]; then
    install_fail 2 "no integrity for gitops-bump $version: give \`integrity\`, npm's sha512 of the release tarball (\`npm view gitops-bump@$version dist.integrity\`, or the release's SHA512SUMS). A released orb pins it for its own version." || return
  fi
  if [[ ! "$integrity" =~ ^sha512-[A-Za-z0-9+/]{86}==$ ]]; then
    install_fail 2 "integrity must be sha512-<base64 of 64 bytes> (npm's dist.integrity), got \"$integrity\"" || return
  fi
  prefix="$(install_prefix)"

  if [[ -z "$package" && -e "$prefix/package.tgz" ]]; then
    # restored from the cache: used only when it is still exactly the pinned release
    check_installation "$prefix" "$integrity" || {
      install_fail 1 "refusing the restored cache; remove it (change the cache key or clear the project's caches) to install afresh" || return
    }
    have="$(installed_version "$prefix/bin/gitops-bump")"
    [[ "$have" == "$version" ]] || { install_fail 1 "the restored installation in $prefix runs as \"$have\", not $version" || return; }
    printf 'gitops-bump %s is already installed in %s (restored from the cache, checked against %s)\n' "$version" "$prefix" "${integrity:0:20}..."
  else
    scratch="$(mktemp -d)"
    tarball="$(fetch_tarball "$scratch")" || {
      rc=$?
      rm -rf "$scratch"
      return "$rc"
    }
    if ! check_integrity "$tarball" "$integrity" "the package tarball${package:+ $package}"; then
      rm -rf "$scratch"
      return 1
    fi
    printf 'Installing the checked tarball (%s) into %s\n' "${integrity:0:20}..." "$prefix"
    rm -rf "$prefix"
    mkdir -p "$prefix"
    if ! npm install --global --prefix "$prefix" --ignore-scripts --offline --no-audit --no-fund --loglevel=error -- "$tarball"; then
      rm -rf "$scratch"
      install_fail 1 "npm could not install the checked tarball into $prefix" || return
    fi
    cp -- "$tarball" "$prefix/package.tgz"
    rm -rf "$scratch"
    have="$(installed_version "$prefix/bin/gitops-bump")"
    if [[ -z "$have" ]]; then
      install_fail 1 "the tarball was installed but $prefix/bin/gitops-bump does not run" || return
    fi
    if [[ "$have" != "$version" ]]; then
      install_fail 1 "asked for $version, the tarball holds $have" || return
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
