#!/usr/bin/env bash
# Runs the gitops-bump CLI for the orb's editing commands. Every input arrives as an
# environment variable (PARAM_*) and reaches the CLI as one argv element: nothing a user
# typed is ever read as shell text. The CLI makes the plan (`apply`'s flags), runs the mode
# (`--mode`, the pipeline's MODES table), clones PARAM_REPOSITORY, and prints the summary
# block in the orb's words (GITOPS_BUMP_FRONT_END=orb); this script only maps parameters
# to arguments.
#
# PARAM_MODE: edit (set_image, set_value, apply_plan: edit the files here, commit nothing),
# push, pull_request, api_commit, dry_run or check (the bump command and job).
# The edits: PARAM_IMAGES + PARAM_TARGETS (+ PARAM_SCAN, PARAM_CHECK_OVERLAY), or
# PARAM_FILE + PARAM_PATH + PARAM_VALUE (+ PARAM_TYPE, PARAM_CREATE, PARAM_SELECT,
# PARAM_ALL), or a plan file PARAM_PLAN, or a promotion PARAM_PROMOTE_FROM +
# PARAM_PROMOTE_TO (+ PARAM_PROMOTE_IMAGES). Without PARAM_REPOSITORY the checkout in the
# current directory is edited; with it, that repository is cloned.
# Registry checks (apply only): PARAM_VERIFY (auto, true, false), PARAM_PIN_DIGEST,
# PARAM_REQUIRE_PLATFORMS, PARAM_REQUIRE_SIGNATURE, PARAM_POLICY (+ PARAM_TAG_FILTER: the
# images are given without a tag, a policy picks it), and PARAM_REGISTRY_USERNAME /
# PARAM_REGISTRY_PASSWORD naming the variables that hold the credentials; PARAM_ALLOW_DOWNGRADE
# false adds --no-downgrade, PARAM_SKIP_UNRESOLVED true --skip-unresolved.
# Exit codes are the CLI's: 0 done, 1 edit error (check: the repository would change),
# 2 bad parameters, 3 git or GitHub failure, 4 the registry refused an image (missing tag,
# wrong digest, platform or signature), 5 the registry could not be asked.

# The orb's scripts are bash. On an image without bash CircleCI runs a step with /bin/sh:
# stop there with one clear line (this test is POSIX sh) instead of failing on bash syntax.
if [ -z "${BASH_VERSION:-}" ]; then
  echo "gitops-bump: this step needs bash, and the job's shell is not bash (the image has none?): use an image with bash, such as the orb's executor (cimg/node), or install bash first" >&2
  exit 2
fi

# True for the orb's boolean values.
is_true() {
  [[ "${1:-}" == true || "${1:-}" == 1 ]]
}

# The clone URL for PARAM_REPOSITORY: owner/name becomes a github.com URL (SSH when a
# deploy key is configured, else HTTPS); anything else is used as given.
repository_url() {
  local repo="$1"
  if [[ "$repo" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]]; then
    repo="${repo%.git}"
    if [[ -n "${PARAM_SSH_KEY_FINGERPRINT:-}" ]]; then
      printf 'git@github.com:%s.git\n' "$repo"
    else
      printf 'https://github.com/%s.git\n' "$repo"
    fi
  else
    printf '%s\n' "$repo"
  fi
}

# Fills the array EDIT with the CLI command that makes the edits: `promote FROM TO
# [--image NAME]...` for a promotion (its pull request body is the before/after table),
# `apply PLAN` for a plan file, else `apply` with the flags that make the plan of the
# parameters (every image in every target, and one value). Values travel as `--flag=value`,
# so one that starts with "-" is never read as an option.
edit_command() {
  local name
  local -a names=() words=()
  if [[ -z "${PARAM_PROMOTE_FROM:-}${PARAM_PROMOTE_TO:-}" ]]; then
    if [[ -n "${PARAM_PLAN:-}" ]]; then
      if [[ -n "${PARAM_IMAGES:-}${PARAM_FILE:-}${PARAM_PATH:-}" ]]; then
        echo 'gitops-bump: give either "plan" or the edits ("images", "file" + "path"), not both' >&2
        return 2
      fi
      EDIT=(apply "$(absolute "$PARAM_PLAN")")
      return 0
    fi
    EDIT=(apply)
    # split on spaces and new lines, without glob expansion
    read -r -d '' -a words <<<"${PARAM_IMAGES:-}" || true
    for name in "${words[@]}"; do EDIT+=("--image=$name"); done
    read -r -d '' -a words <<<"${PARAM_TARGETS:-}" || true
    for name in "${words[@]}"; do EDIT+=("--target=$name"); done
    ! is_true "${PARAM_SCAN:-}" || EDIT+=(--scan)
    [[ "${PARAM_CHECK_OVERLAY:-}" != false ]] || EDIT+=(--force)
    if [[ -n "${PARAM_FILE:-}${PARAM_PATH:-}" ]]; then
      [[ -z "${PARAM_FILE:-}" ]] || EDIT+=("--file=$PARAM_FILE")
      [[ -z "${PARAM_PATH:-}" ]] || EDIT+=("--path=$PARAM_PATH")
      EDIT+=("--value=${PARAM_VALUE:-}")
      # auto (the default) is the CLI's own default: no --type
      [[ -z "${PARAM_TYPE:-}" || "$PARAM_TYPE" == auto ]] || EDIT+=("--type=$PARAM_TYPE")
      ! is_true "${PARAM_CREATE:-}" || EDIT+=(--create)
      ! is_true "${PARAM_ALL:-}" || EDIT+=(--all)
      [[ -z "${PARAM_SELECT:-}" ]] || EDIT+=("--select=$PARAM_SELECT")
    fi
    return 0
  fi
  if [[ -z "${PARAM_PROMOTE_FROM:-}" || -z "${PARAM_PROMOTE_TO:-}" ]]; then
    echo 'gitops-bump: a promotion needs both promote_from and promote_to' >&2
    return 2
  fi
  if [[ -n "${PARAM_IMAGES:-}${PARAM_FILE:-}${PARAM_PATH:-}${PARAM_PLAN:-}" ]]; then
    echo 'gitops-bump: give either promote_from + promote_to or the edits (images, file + path, plan), not both' >&2
    return 2
  fi
  EDIT=(promote "$PARAM_PROMOTE_FROM" "$PARAM_PROMOTE_TO")
  read -r -d '' -a names <<<"${PARAM_PROMOTE_IMAGES:-}" || true
  for name in "${names[@]}"; do
    EDIT+=(--image "$name")
  done
}

# Fills the array FLAGS with the CLI's options for PARAM_MODE: `--mode` (the CLI checks it
# and words its errors in the orb's parameters) and the git options the mode reads. URL is
# the repository's clone URL, or empty for the current checkout; a preview of URL is made
# in a clone the CLI makes and removes.
cli_flags() {
  local mode="$1" url="$2"
  FLAGS=(--mode "$mode")
  [[ -z "$url" ]] || FLAGS+=(--repo "$url")
  case "$mode" in
    edit) return 0 ;;
    dry_run | check)
      [[ -n "$url" ]] || return 0
      [[ -z "${PARAM_BRANCH:-}" ]] || FLAGS+=(--branch "$PARAM_BRANCH")
      FLAGS+=(--token-env "${PARAM_TOKEN_ENV:-GITHUB_TOKEN}")
      return 0
      ;;
  esac
  [[ -z "${PARAM_BRANCH:-}" ]] || FLAGS+=(--branch "$PARAM_BRANCH")
  [[ -z "${PARAM_COMMIT_MESSAGE:-}" ]] || FLAGS+=(--message "$PARAM_COMMIT_MESSAGE")
  if [[ -n "${PARAM_AUTHOR_NAME:-}${PARAM_AUTHOR_EMAIL:-}" ]]; then
    FLAGS+=(--author "${PARAM_AUTHOR_NAME:-gitops-bump} <${PARAM_AUTHOR_EMAIL:-gitops-bump@users.noreply.github.com}>")
  fi
  [[ -z "${PARAM_RETRIES:-}" ]] || FLAGS+=(--retries "$PARAM_RETRIES")
  FLAGS+=(--token-env "${PARAM_TOKEN_ENV:-GITHUB_TOKEN}")
  [[ -z "${PARAM_FORGE:-}" ]] || FLAGS+=(--forge "$PARAM_FORGE")
  # the key travels by the name of its variable: never in argv
  [[ -z "${PARAM_SIGN:-}" ]] || FLAGS+=(--sign "$PARAM_SIGN" --signing-key-env "${PARAM_SIGNING_KEY_ENV:-GITOPS_BUMP_SIGNING_KEY}")
  if [[ "$mode" == pull_request ]]; then
    [[ -z "${PARAM_PR_TITLE:-}" ]] || FLAGS+=(--title "$PARAM_PR_TITLE")
    [[ -z "${PARAM_PR_BODY:-}" ]] || FLAGS+=(--body "$PARAM_PR_BODY")
    [[ -z "${PARAM_PR_BASE:-}" ]] || FLAGS+=(--base "$PARAM_PR_BASE")
    [[ -z "${PARAM_PR_BRANCH:-}" ]] || FLAGS+=(--pr-branch "$PARAM_PR_BRANCH")
    ! is_true "${PARAM_PR_DRAFT:-}" || FLAGS+=(--draft)
    ! is_true "${PARAM_PR_OVERWRITE:-}" || FLAGS+=(--pr-overwrite)
    list_flags --label "${PARAM_PR_LABELS:-}"
    list_flags --reviewer "${PARAM_PR_REVIEWERS:-}"
    list_flags --team-reviewer "${PARAM_PR_TEAM_REVIEWERS:-}"
    list_flags --assignee "${PARAM_PR_ASSIGNEES:-}"
    if [[ -n "${PARAM_PR_MILESTONE:-}" ]]; then
      if [[ ! "$PARAM_PR_MILESTONE" =~ ^[1-9][0-9]{0,9}$ ]]; then
        printf 'gitops-bump: pr_milestone must be the number of the milestone (as in its URL, .../milestone/3), got "%s"\n' "$PARAM_PR_MILESTONE" >&2
        return 2
      fi
      FLAGS+=(--milestone "$PARAM_PR_MILESTONE")
    fi
  elif [[ -n "${PARAM_PR_TITLE:-}${PARAM_PR_BODY:-}${PARAM_PR_LABELS:-}${PARAM_PR_BASE:-}${PARAM_PR_BRANCH:-}${PARAM_PR_REVIEWERS:-}${PARAM_PR_TEAM_REVIEWERS:-}${PARAM_PR_ASSIGNEES:-}${PARAM_PR_MILESTONE:-}" ]] || is_true "${PARAM_PR_DRAFT:-}" || is_true "${PARAM_PR_OVERWRITE:-}"; then
    printf 'Note: the pr_* parameters apply to mode pull_request only; mode is %s\n' "$mode"
  fi
}

# Adds FLAG NAME to FLAGS for each name in TEXT (separated by commas or new lines, blanks
# around a name trimmed, empty names skipped), as the Action reads its list inputs.
list_flags() {
  local flag="$1" item
  local -a items=()
  IFS=$',\n' read -r -d '' -a items <<<"${2:-}" || true
  for item in "${items[@]}"; do
    item="${item#"${item%%[![:space:]]*}"}"
    item="${item%"${item##*[![:space:]]}"}"
    [[ -z "$item" ]] || FLAGS+=("$flag" "$item")
  done
}

# Fills the array REG with the CLI's registry options. The credentials travel by the names
# of their variables, and only when both are set: never in argv.
registry_flags() {
  local user_var="${PARAM_REGISTRY_USERNAME:-REGISTRY_USERNAME}" pass_var="${PARAM_REGISTRY_PASSWORD:-REGISTRY_PASSWORD}"
  REG=()
  # allow_downgrade false (the orb's default): a target running a newer image is kept
  [[ "${PARAM_ALLOW_DOWNGRADE:-true}" != false && "${PARAM_ALLOW_DOWNGRADE:-}" != 0 ]] || REG+=(--no-downgrade)
  # unset (a direct run of the script): no registry requests; the orb passes its default, auto
  case "${PARAM_VERIFY:-false}" in
    auto) REG+=(--verify-auto) ;;
    true | 1) REG+=(--verify) ;;
    false | 0)
      if is_true "${PARAM_PIN_DIGEST:-}" || is_true "${PARAM_REQUIRE_SIGNATURE:-}" || [[ -n "${PARAM_REQUIRE_PLATFORMS:-}${PARAM_POLICY:-}" ]]; then
        echo 'gitops-bump: verify is false, but pin_digest, require_platforms, require_signature and policy need the registry: set verify to auto or true' >&2
        return 2
      fi
      return 0
      ;;
    *)
      printf 'gitops-bump: verify must be auto, true or false, got "%s"\n' "${PARAM_VERIFY:-}" >&2
      return 2
      ;;
  esac
  ! is_true "${PARAM_PIN_DIGEST:-}" || REG+=(--pin-digest)
  ! is_true "${PARAM_REQUIRE_SIGNATURE:-}" || REG+=(--require-signature)
  [[ -z "${PARAM_REQUIRE_PLATFORMS:-}" ]] || REG+=(--require-platforms "$PARAM_REQUIRE_PLATFORMS")
  [[ -z "${PARAM_POLICY:-}" ]] || REG+=(--policy "$PARAM_POLICY")
  [[ -z "${PARAM_TAG_FILTER:-}" ]] || REG+=(--tag-filter "$PARAM_TAG_FILTER")
  ! is_true "${PARAM_SKIP_UNRESOLVED:-}" || REG+=(--skip-unresolved)
  if [[ -n "${!user_var:-}" && -n "${!pass_var:-}" ]]; then
    REG+=(--registry-username-env "$user_var" --registry-password-env "$pass_var")
  elif [[ -n "${!user_var:-}${!pass_var:-}" ]]; then
    printf 'gitops-bump: only one of %s and %s is set: give both registry credentials, or neither\n' "$user_var" "$pass_var" >&2
    return 2
  fi
}

# Appends to REG the CLI's options for remote bases: fetch_remote_bases (the orb's default
# true; unset in a direct run of the script: not fetched) and remote_base_hosts.
remote_base_flags() {
  is_true "${PARAM_FETCH_REMOTE_BASES:-false}" || return 0
  REG+=(--fetch-remote-bases)
  [[ -z "${PARAM_REMOTE_BASE_HOSTS:-}" ]] || REG+=(--remote-base-hosts "$PARAM_REMOTE_BASE_HOSTS")
}

# With a deploy key (PARAM_SSH_KEY_FINGERPRINT), exports GIT_SSH_COMMAND for this step's
# git calls only: the command configure_git wrote, which uses that key alone.
use_deploy_key() {
  local file="$HOME/.gitops-bump/git-ssh-command"
  [[ -n "${PARAM_SSH_KEY_FINGERPRINT:-}" ]] || return 0
  if [[ ! -s "$file" ]]; then
    printf 'gitops-bump: ssh_key_fingerprint is set but %s is missing: run the configure_git command first\n' "$file" >&2
    return 2
  fi
  GIT_SSH_COMMAND="$(cat "$file")"
  export GIT_SSH_COMMAND
}

# An absolute form of PATH (relative to the directory the step started in).
absolute() {
  if [[ "$1" == /* ]]; then printf '%s\n' "$1"; else printf '%s/%s\n' "$PWD" "$1"; fi
}

bump_main() {
  local mode="${PARAM_MODE:-push}" url="" code=0
  local -a told=()
  # the Action spells its modes with `-` (pull-request, dry-run, api-commit): both are taken
  mode="${mode//-/_}"
  if ! command -v gitops-bump >/dev/null 2>&1; then
    printf 'gitops-bump: the CLI is not on the PATH; run the install command first\n' >&2
    return 2
  fi
  [[ -z "${PARAM_REPOSITORY:-}" ]] || url="$(repository_url "$PARAM_REPOSITORY")"
  if [[ -n "${PARAM_REPORT_FILE:-}" ]]; then
    local report="$PARAM_REPORT_FILE"
    if [[ "$report" != /* ]]; then
      local base="${CIRCLE_WORKING_DIRECTORY:-$PWD}"
      report="${base/#\~/$HOME}/$report"
    fi
    told+=(--report "$report")
  fi
  ! is_true "${PARAM_FAIL_IF_UNCHANGED:-}" || told+=(--fail-if-unchanged)

  edit_command || return $?
  cli_flags "$mode" "$url" || return $?
  use_deploy_key || return $?
  REG=()
  # a promotion copies what an environment runs; only edits name images to resolve
  [[ "${EDIT[0]}" != apply ]] || registry_flags || return $?
  [[ "${EDIT[0]}" != apply ]] || remote_base_flags
  # The CLI words its hints and its summary in the orb's parameters (pkg/src/hints.js).
  GITOPS_BUMP_FRONT_END=orb gitops-bump "${EDIT[@]}" "${told[@]}" "${REG[@]}" "${FLAGS[@]}" || code=$?
  [[ -z "${PARAM_REPORT_FILE:-}" ]] || printf 'report written to %s\n' "$report"
  return "$code"
}

# Run only when executed, not when sourced (the bats tests source this file).
if ! (return 0 2>/dev/null); then
  bump_main
fi
