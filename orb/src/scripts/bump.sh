#!/usr/bin/env bash
# Runs the gitops-bump CLI for the orb's editing commands. Every input arrives as an
# environment variable (PARAM_*) and reaches the CLI as one argv element or inside a JSON
# plan written by node: nothing a user typed is ever read as shell text.
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

# Writes the plan for PARAM_IMAGES / PARAM_FILE... as JSON to stdout. node reads the
# parameters from its environment, so no value passes through shell quoting.
plan_json() {
  node - <<'JS'
const env = process.env;
const words = (s) => String(s ?? '').split(/\s+/).filter(Boolean);
const yes = (s) => s === 'true' || s === '1';
const fail = (message) => {
  process.stderr.write(`gitops-bump: ${message}\n`);
  process.exit(2);
};
const edits = [];
const images = words(env.PARAM_IMAGES);
const targets = words(env.PARAM_TARGETS);
if (images.length === 0 && targets.length > 0 && targets.join(' ') !== '.') {
  fail('targets were given but no images: set `images` (e.g. quay.io/acme/api:1.4.2)');
}
for (const target of targets.length ? targets : ['.']) {
  for (const image of images) {
    edits.push(yes(env.PARAM_SCAN) ? { scan: target, image } : { file: target, image, force: env.PARAM_CHECK_OVERLAY === 'false' });
  }
}
const file = env.PARAM_FILE ?? '';
const path = env.PARAM_PATH ?? '';
if (file || path) {
  if (!file) fail('`path` needs `file`: the YAML file in which to set it');
  if (!path) fail('`file` needs `path`: the key path of the value to set, e.g. image.tag');
  const edit = { file, set: path, value: env.PARAM_VALUE ?? '', create: yes(env.PARAM_CREATE), all: yes(env.PARAM_ALL) };
  // auto (the default) is the CLI's own default: no type in the plan
  if (env.PARAM_TYPE && env.PARAM_TYPE !== 'auto') edit.type = env.PARAM_TYPE;
  if (env.PARAM_SELECT) edit.select = env.PARAM_SELECT;
  edits.push(edit);
}
if (edits.length === 0) fail('nothing to do: give `images`, `file` + `path` + `value`, or `plan`');
process.stdout.write(`${JSON.stringify({ edits }, null, 2)}\n`);
JS
}

# Fills the array EDIT with the CLI command that makes the edits: `promote FROM TO
# [--image NAME]...` for a promotion (its pull request body is the before/after table),
# else `apply PLAN`.
edit_command() {
  local plan="$1" name
  local -a names=()
  if [[ -z "${PARAM_PROMOTE_FROM:-}${PARAM_PROMOTE_TO:-}" ]]; then
    EDIT=(apply "$plan")
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
  # split on spaces and new lines, without glob expansion
  read -r -d '' -a names <<<"${PARAM_PROMOTE_IMAGES:-}" || true
  for name in "${names[@]}"; do
    EDIT+=(--image "$name")
  done
}

# Fills the array FLAGS with the CLI's options for PARAM_MODE. URL is the repository's
# clone URL, or empty for the current checkout.
cli_flags() {
  local mode="$1" url="$2"
  FLAGS=()
  case "$mode" in
    edit) return 0 ;;
    dry_run) FLAGS+=(--dry-run); return 0 ;;
    check) FLAGS+=(--check); return 0 ;;
    push) [[ -n "$url" ]] || FLAGS+=(--push) ;;
    pull_request) FLAGS+=(--pr) ;;
    api_commit) FLAGS+=(--api-commit) ;;
    *)
      printf 'gitops-bump: mode must be push, pull_request, api_commit, dry_run or check, got "%s"\n' "$mode" >&2
      return 2
      ;;
  esac
  [[ -z "$url" ]] || FLAGS+=(--repo "$url")
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

# Shallow-clones URL (branch BRANCH, or the default one) into DIR, for dry_run and check.
# A token reaches git as an HTTP header scoped to the URL's host, through git's
# environment: never in argv, the URL or a config file. The URL is used as given: the
# `insteadOf` rule CircleCI's checkout writes (https://github.com -> SSH) is cancelled for it
# by an identity rule for the whole URL, which is the longest match.
clone_repository() {
  local url="$1" branch="$2" dir="$3" name="${PARAM_TOKEN_ENV:-GITHUB_TOKEN}" header
  local -a args=(clone --quiet --depth 1 --single-branch --no-tags)
  [[ -z "$branch" ]] || args+=(--branch "$branch")
  if [[ "$url" =~ ^(https?://[^/@]+)/ && -n "${!name:-}" ]]; then
    header="AUTHORIZATION: basic $(printf 'x-access-token:%s' "${!name}" | base64 | tr -d '\n')"
    GIT_TERMINAL_PROMPT=0 GIT_CONFIG_COUNT=2 GIT_CONFIG_KEY_0="http.${BASH_REMATCH[1],,}/.extraheader" \
      GIT_CONFIG_VALUE_0="$header" GIT_CONFIG_KEY_1="url.$url.insteadOf" GIT_CONFIG_VALUE_1="$url" \
      git "${args[@]}" -- "$url" "$dir"
  else
    GIT_TERMINAL_PROMPT=0 git "${args[@]}" -- "$url" "$dir"
  fi
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

# Prints the result in REPORT (the CLI's --json output) as a readable block; exits 1 when
# FAIL_IF_UNCHANGED is true and nothing changed.
print_summary() {
  REPORT="$1" MODE="$2" WHERE="$3" EXIT_CODE="$4" node - <<'JS'
const fs = require('node:fs');
const { REPORT, MODE, WHERE, EXIT_CODE, PARAM_FAIL_IF_UNCHANGED } = process.env;
let report = {};
try {
  report = JSON.parse(fs.readFileSync(REPORT, 'utf8'));
} catch {
  report = { error: { message: 'gitops-bump printed no report (see the output above)' } };
}
const rule = '-'.repeat(72);
const out = [rule, `gitops-bump · ${MODE.replace('_', ' ')} · ${WHERE}`, rule];
const show = (v) => (v === null || v === undefined ? '' : v === '' ? '""' : String(v).includes('\n') ? '(block)' : String(v));
if (report.error) {
  out.push(`FAILED (exit ${EXIT_CODE}): ${String(report.error.message ?? '').split('\n')[0]}`);
  if (report.error.file) out.push(`  at ${report.error.file}:${report.error.line ?? '?'}:${report.error.column ?? '?'}`);
} else {
  const changed = report.changed ?? [];
  for (const c of changed) {
    out.push(`changed   ${c.file}`);
    for (const ch of c.changes ?? []) {
      if (ch.kind === 'unchanged') continue;
      // a type that changed is always shown, as the CLI shows it
      const typed = ch.oldType && ch.newType && ch.oldType !== ch.newType ? ` (${ch.oldType} -> ${ch.newType})` : '';
      const what = (ch.kind === 'insert' ? `added ${show(ch.new)}` : ch.kind === 'remove' ? 'removed' : `${show(ch.old)} -> ${show(ch.new)}${typed}`) + (ch.aliases?.length ? ` (also changes ${ch.aliases.join(', ')}, through an alias)` : '');
      out.push(`            ${ch.path}: ${what}   (line ${ch.line}, column ${ch.column})`);
    }
  }
  for (const f of report.unchanged ?? []) out.push(`unchanged ${f} (already up to date)`);
  if (changed.length === 0 && (report.unchanged ?? []).length === 0) out.push('nothing to change');
  // never silent: an image the overlay check could not look for is said, with why
  for (const spec of [...new Set((report.unchecked ?? []).map((u) => u.spec))]) {
    out.push(`WARNING   image ${spec} was set but not checked: the overlay check could not see where it would be rendered`);
    for (const u of report.unchecked.filter((x) => x.spec === spec)) out.push(`            not followed: ${u.what} in ${u.file}: ${u.reason}`);
  }
  if (report.commit) {
    const attempts = report.attempts > 1 ? ` after ${report.attempts} attempts` : '';
    out.push(`commit    ${report.commit}${report.pushed ? ` pushed${attempts}` : ''}`);
  }
  // the Action's pr-operation, pr-branch and pr-head-sha outputs, in words
  const pr = report.pr;
  if (pr?.number) out.push(`pull request #${pr.number} ${{ created: 'opened', updated: 'updated', closed: 'closed (the base already holds the values)' }[pr.operation] ?? 'unchanged'}: ${pr.url}`);
  else if (pr) out.push('no pull request needed');
  if (pr?.headSha) out.push(`branch    ${pr.branch} at ${pr.headSha}`);
  if (MODE === 'check') out.push(changed.length > 0 ? 'DRIFT: the config repository differs from what this pipeline would set' : 'no drift: the config repository is up to date');
  if (MODE === 'dry_run' || MODE === 'check') {
    for (const c of changed) if (c.diff) out.push('', c.diff.replace(/\n$/, ''));
  }
  if (changed.length === 0 && (PARAM_FAIL_IF_UNCHANGED === 'true' || PARAM_FAIL_IF_UNCHANGED === '1')) {
    out.push('FAILED: nothing had to change and fail_if_unchanged is set');
    process.exitCode = 1;
  }
}
out.push(rule);
process.stdout.write(`${out.join('\n')}\n`);
JS
}

# An absolute form of PATH (relative to the directory the step started in).
absolute() {
  if [[ "$1" == /* ]]; then printf '%s\n' "$1"; else printf '%s/%s\n' "$PWD" "$1"; fi
}

bump_main() {
  local mode="${PARAM_MODE:-push}" url="" work="$PWD" tmp plan report where code=0 own=()
  # the Action spells its modes with `-` (pull-request, dry-run, api-commit): both are taken
  mode="${mode//-/_}"
  if ! command -v gitops-bump >/dev/null 2>&1; then
    printf 'gitops-bump: the CLI is not on the PATH; run the install command first\n' >&2
    return 2
  fi
  tmp="$(mktemp -d)"
  # shellcheck disable=SC2064 # expand now: tmp is local
  trap "rm -rf '$tmp'" EXIT
  [[ -z "${PARAM_REPOSITORY:-}" ]] || url="$(repository_url "$PARAM_REPOSITORY")"

  if [[ -n "${PARAM_PROMOTE_FROM:-}${PARAM_PROMOTE_TO:-}" ]]; then
    plan=""
  elif [[ -n "${PARAM_PLAN:-}" ]]; then
    if [[ -n "${PARAM_IMAGES:-}${PARAM_FILE:-}${PARAM_PATH:-}" ]]; then
      echo 'gitops-bump: give either "plan" or the edits ("images", "file" + "path"), not both' >&2
      return 2
    fi
    plan="$(absolute "$PARAM_PLAN")"
  else
    plan="$tmp/plan.json"
    plan_json >"$plan" || return $?
    # the orb wrote this plan from its parameters: its files are named as on a command
    # line, relative to the working directory, not to the plan's temporary directory
    own=(--allow-outside-plan-dir)
  fi
  report="$tmp/report.json"
  if [[ -n "${PARAM_REPORT_FILE:-}" ]]; then
    report="$PARAM_REPORT_FILE"
    if [[ "$report" != /* ]]; then
      local base="${CIRCLE_WORKING_DIRECTORY:-$PWD}"
      report="${base/#\~/$HOME}/$report"
    fi
    mkdir -p "$(dirname "$report")"
  fi

  edit_command "$plan" || return $?
  cli_flags "$mode" "$url" || return $?
  use_deploy_key || return $?
  REG=()
  # a promotion copies what an environment runs; only edits name images to resolve
  [[ "${EDIT[0]}" != apply ]] || registry_flags || return $?
  [[ "${EDIT[0]}" != apply ]] || remote_base_flags
  where="${url:-$PWD}"
  if [[ -n "$url" && ( "$mode" == dry_run || "$mode" == check ) ]]; then
    printf 'Cloning %s to compare\n' "$url"
    clone_repository "$url" "${PARAM_BRANCH:-}" "$tmp/repo" || return 3
    work="$tmp/repo"
  fi
  # The CLI words its hints in the orb's parameters (pkg/src/hints.js).
  (cd "$work" && GITOPS_BUMP_FRONT_END=orb gitops-bump "${EDIT[@]}" --json "${own[@]}" "${REG[@]}" "${FLAGS[@]}") >"$report" || code=$?
  print_summary "$report" "$mode" "$where" "$code" || { [[ $code -ne 0 ]] || code=1; }
  [[ -z "${PARAM_REPORT_FILE:-}" ]] || printf 'report written to %s\n' "$report"
  return "$code"
}

# Run only when executed, not when sourced (the bats tests source this file).
if ! (return 0 2>/dev/null); then
  bump_main
fi
