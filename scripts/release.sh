#!/usr/bin/env bash
# The steps of a release, one subcommand each, run in order by .github/workflows/release.yml
# (docs/RELEASING.md says who does what). With DRY_RUN=true nothing leaves the machine:
# publish runs `npm publish --dry-run`, and the GitHub release and the major tag are only
# described. Each step prints what it did.
#
#   check TAG              TAG is vX.Y.Z[-pre] and names the version of pkg/package.json,
#                          Cargo.toml and a CHANGELOG section
#   pack TAG DIR           npm pack of pkg/ into DIR, SHA256SUMS beside it; writes tarball=,
#                          integrity= and sha256= to $GITHUB_OUTPUT when set
#   publish TARBALL        npm publish --provenance --access public (NODE_AUTH_TOKEN), then
#                          checks that the registry reports the tarball's integrity
#   github-release TAG DIR the GitHub release TAG with the tarball and SHA256SUMS (GH_TOKEN)
#   major-tag TAG          moves vMAJOR to this commit (not for a pre-release)
# Exit codes: 0 done; 1 a step failed; 2 bad arguments.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DRY_RUN="${DRY_RUN:-false}"

fail() { printf 'release: %s\n' "$*" >&2; exit 1; }
dry() { [[ "$DRY_RUN" == true ]]; }

# The version a tag names, or an error.
tag_version() {
  local tag="$1"
  [[ "$tag" =~ ^v([0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?)$ ]] || { printf 'release: tag must be vX.Y.Z or vX.Y.Z-pre, got "%s"\n' "$tag" >&2; exit 2; }
  printf '%s\n' "${BASH_REMATCH[1]}"
}

cmd_check() {
  local tag="$1" version pkg cargo
  version="$(tag_version "$tag")"
  pkg="$(node -p 'require(process.argv[1]).version' "$ROOT/pkg/package.json")"
  cargo="$(awk -F'"' '/^\[package\]/ { p = 1 } p && /^version *=/ { print $2; exit }' "$ROOT/Cargo.toml")"
  [[ "$pkg" == "$version" ]] || fail "$tag names $version, but pkg/package.json says $pkg"
  [[ "$cargo" == "$version" ]] || fail "$tag names $version, but Cargo.toml says $cargo"
  grep -q "^## \[$version\]" "$ROOT/CHANGELOG.md" || fail "CHANGELOG.md has no \"## [$version]\" section"
  printf 'release: %s is gitops-bump %s in pkg/package.json, Cargo.toml and CHANGELOG.md\n' "$tag" "$version"
}

cmd_pack() {
  local tag="$1" dir="$2" version json name tarball integrity sha
  version="$(tag_version "$tag")"
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  json="$(cd "$ROOT/pkg" && npm pack --json --pack-destination "$dir")"
  name="$(node -e 'const r = JSON.parse(process.argv[1].replace(/^[^[]*/, ""))[0]; console.log(r.filename)' "$json")"
  [[ "$name" == "gitops-bump-$version.tgz" ]] || fail "npm pack made $name, expected gitops-bump-$version.tgz"
  tarball="$dir/$name"
  integrity="$(node -e 'console.log("sha512-" + require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$tarball")"
  (cd "$dir" && sha256sum "$name" >SHA256SUMS)
  sha="$(cut -d' ' -f1 "$dir/SHA256SUMS")"
  printf 'release: packed %s (%s bytes)\n  sha256    %s\n  integrity %s\n' "$tarball" "$(stat -c %s "$tarball")" "$sha" "$integrity"
  if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
    printf 'tarball=%s\nintegrity=%s\nsha256=%s\n' "$tarball" "$integrity" "$sha" >>"$GITHUB_OUTPUT"
  fi
}

cmd_publish() {
  local tarball="$1" name version integrity reported
  [[ -f "$tarball" ]] || fail "no tarball at $tarball"
  name="$(basename "$tarball" .tgz)"
  version="${name#gitops-bump-}"
  if dry; then
    printf 'release: dry run: npm publish --dry-run (a real release adds --provenance and publishes)\n'
    npm publish --dry-run --access public "$tarball"
    return
  fi
  [[ -n "${NODE_AUTH_TOKEN:-}" ]] || fail "NODE_AUTH_TOKEN is empty: the repository secret NPM_TOKEN is missing"
  npm publish --provenance --access public "$tarball"
  integrity="$(node -e 'console.log("sha512-" + require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$tarball")"
  reported="$(npm view "gitops-bump@$version" dist.integrity)"
  [[ "$reported" == "$integrity" ]] || fail "the registry reports $reported for gitops-bump@$version, but the tarball published is $integrity"
  printf 'release: published gitops-bump@%s (%s)\n' "$version" "$integrity"
}

cmd_github_release() {
  local tag="$1" dir="$2" version notes
  version="$(tag_version "$tag")"
  notes="$(awk -v v="$version" '$0 ~ "^## \\[" v "\\]" { on = 1; next } on && /^## \[/ { exit } on { print }' "$ROOT/CHANGELOG.md")"
  local assets=("$dir/gitops-bump-$version.tgz" "$dir/SHA256SUMS")
  for a in "${assets[@]}"; do [[ -f "$a" ]] || fail "missing release asset $a"; done
  local flags=(--title "gitops-bump $version" --notes "$notes")
  [[ "$version" == *-* ]] && flags+=(--prerelease)
  if dry; then
    printf 'release: dry run: would create the GitHub release %s with %s and %s\n' "$tag" "$(basename "${assets[0]}")" "$(basename "${assets[1]}")"
    printf '%s\n' "$notes" | sed 's/^/  | /'
    return
  fi
  gh release create "$tag" "${assets[@]}" "${flags[@]}"
}

cmd_major_tag() {
  local tag="$1" version major sha
  version="$(tag_version "$tag")"
  if [[ "$version" == *-* ]]; then
    printf 'release: %s is a pre-release: the major tag stays where it is\n' "$tag"
    return
  fi
  major="v${version%%.*}"
  sha="$(git -C "$ROOT" rev-parse HEAD)"
  if dry; then
    printf 'release: dry run: would move %s to %s (%s)\n' "$major" "$sha" "$tag"
    return
  fi
  git -C "$ROOT" tag --force "$major" "$sha"
  git -C "$ROOT" push --force origin "refs/tags/$major"
  printf 'release: moved %s to %s (%s)\n' "$major" "$sha" "$tag"
}

main() {
  local cmd="${1:-}"
  shift || true
  case "$cmd" in
    check) [[ $# -eq 1 ]] || exit 2; cmd_check "$@" ;;
    pack) [[ $# -eq 2 ]] || exit 2; cmd_pack "$@" ;;
    publish) [[ $# -eq 1 ]] || exit 2; cmd_publish "$@" ;;
    github-release) [[ $# -eq 2 ]] || exit 2; cmd_github_release "$@" ;;
    major-tag) [[ $# -eq 1 ]] || exit 2; cmd_major_tag "$@" ;;
    *) printf 'usage: scripts/release.sh check|pack|publish|github-release|major-tag ...\n' >&2; exit 2 ;;
  esac
}

main "$@"
