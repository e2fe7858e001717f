#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2028,SC2030,SC2031,SC2034 # literal $(…) and `…` are the point; PARAM_* are read by the sourced functions (each test is its own subshell)
# orb/src/scripts/bump.sh, sourced: the parameters as the CLI's arguments (the plan's flags,
# the mode, the git and registry options), and the whole run against a stub CLI that records
# its argv. The CLI's side (the plan of apply's flags, --mode, the summary block, the clone
# of a preview) is tested in pkg/test/orb-cli.test.js.

bats_require_minimum_version 1.5.0

load helpers

setup() {
  source_script bump
}

# A gitops-bump stub: writes each argument NUL-terminated to argv, prints $STUB_REPORT.
stub_cli() {
  cat >"$BATS_TEST_TMPDIR/bin/gitops-bump" <<'STUB'
#!/usr/bin/env bash
printf '%s\0' "$@" >"$BATS_TEST_TMPDIR/argv"
pwd >"$BATS_TEST_TMPDIR/cwd"
printf '%s\n' "${STUB_REPORT:-{\"changed\":[],\"unchanged\":[]\}}"
exit "${STUB_EXIT:-0}"
STUB
  chmod +x "$BATS_TEST_TMPDIR/bin/gitops-bump"
}

argv() { tr '\0' '\n' <"$BATS_TEST_TMPDIR/argv"; }

@test "is_true accepts the orb's true only" {
  is_true true
  is_true 1
  run ! is_true false
  run ! is_true ''
}

@test "repository_url: owner/name becomes github.com over HTTPS, or SSH with a deploy key; URLs stay" {
  [ "$(repository_url acme/config)" = https://github.com/acme/config.git ]
  [ "$(PARAM_SSH_KEY_FINGERPRINT=SHA256:x repository_url acme/config.git)" = git@github.com:acme/config.git ]
  [ "$(repository_url https://git.example/acme/config.git)" = https://git.example/acme/config.git ]
  [ "$(repository_url ssh://git@127.0.0.1:2222/srv/config.git)" = ssh://git@127.0.0.1:2222/srv/config.git ]
}

@test "edit_command: every image and every target as a flag of apply; check_overlay false forces; scan scans" {
  PARAM_IMAGES=$'a:1\n b:2' PARAM_TARGETS='o/dev o/prod' PARAM_CHECK_OVERLAY=false edit_command
  [ "$(printf '%s|' "${EDIT[@]}")" = 'apply|--image=a:1|--image=b:2|--target=o/dev|--target=o/prod|--force|' ]
  PARAM_IMAGES=a:1 PARAM_TARGETS=. PARAM_SCAN=true PARAM_CHECK_OVERLAY=true edit_command
  [ "$(printf '%s|' "${EDIT[@]}")" = 'apply|--image=a:1|--target=.|--scan|' ]
}

@test "edit_command: type auto (the default) leaves the type to the CLI; another type is passed on" {
  PARAM_FILE=values.yaml PARAM_PATH=replicaCount PARAM_VALUE=5 PARAM_TYPE=auto edit_command
  [ "$(printf '%s|' "${EDIT[@]}")" = 'apply|--file=values.yaml|--path=replicaCount|--value=5|' ]
  PARAM_FILE=values.yaml PARAM_PATH=replicaCount PARAM_VALUE=5 PARAM_TYPE=int edit_command
  [ "${EDIT[4]}" = --type=int ]
}

@test "edit_command: a value is one argv element, verbatim, even one that starts with a dash" {
  value=$'-1.10 $(id) `id`; "q" \'s\'\nline2'
  PARAM_FILE=values.yaml PARAM_PATH=image.tag PARAM_VALUE="$value" PARAM_TYPE=string PARAM_CREATE=true PARAM_SELECT=kind=Deployment edit_command
  [ "${EDIT[3]}" = "--value=$value" ]
  [ "$(printf '%s|' "${EDIT[@]:4}")" = '--type=string|--create|--select=kind=Deployment|' ]
  [ "${#EDIT[@]}" -eq 7 ]
}

@test "edit_command: a half of file + path still reaches the CLI, which names what is missing" {
  PARAM_PATH=image.tag edit_command
  [ "$(printf '%s|' "${EDIT[@]}")" = 'apply|--path=image.tag|--value=|' ]
  edit_command
  [ "${EDIT[*]}" = apply ]
}

@test "cli_flags: push clones with --repo, or pushes the checkout; git options follow" {
  PARAM_BRANCH=main PARAM_RETRIES=8 PARAM_AUTHOR_NAME='Release Bot' PARAM_COMMIT_MESSAGE='m $(id)'
  cli_flags push https://github.com/acme/config.git
  [ "${FLAGS[*]}" = '--mode push --repo https://github.com/acme/config.git --branch main --message m $(id) --author Release Bot <gitops-bump@users.noreply.github.com> --retries 8 --token-env GITHUB_TOKEN' ]
  [ "${FLAGS[7]}" = 'm $(id)' ]
  cli_flags push ''
  [ "${FLAGS[*]:0:3}" = '--mode push --branch' ]
}

@test "cli_flags: forge and sign become flags; the signing key travels by its variable's name" {
  PARAM_FORGE=gitea PARAM_SIGN=ssh PARAM_SIGNING_KEY_ENV=DEPLOY_SIGNING_KEY DEPLOY_SIGNING_KEY='-----BEGIN OPENSSH PRIVATE KEY-----'
  cli_flags pull_request ''
  [ "${FLAGS[*]}" = '--mode pull_request --token-env GITHUB_TOKEN --forge gitea --sign ssh --signing-key-env DEPLOY_SIGNING_KEY' ]
  [[ "${FLAGS[*]}" != *PRIVATE* ]]
  unset PARAM_FORGE PARAM_SIGN PARAM_SIGNING_KEY_ENV
  cli_flags push ''
  [ "${FLAGS[*]}" = '--mode push --token-env GITHUB_TOKEN' ]
}

@test "cli_flags: pull_request carries the PR fields, one argv element each; labels are trimmed" {
  PARAM_PR_TITLE='Deploy "x"; $(id)' PARAM_PR_LABELS=' deploy , prod,,' PARAM_PR_DRAFT=true PARAM_PR_BRANCH=deploy/api PARAM_PR_BASE=main PARAM_TOKEN_ENV=GITOPS_TOKEN
  cli_flags pull_request ''
  [ "${FLAGS[*]:0:2}" = '--mode pull_request' ]
  printf '%s\n' "${FLAGS[@]}" >"$BATS_TEST_TMPDIR/flags"
  grep -qx -- 'Deploy "x"; $(id)' "$BATS_TEST_TMPDIR/flags"
  [ "$(grep -c -x -- --label "$BATS_TEST_TMPDIR/flags")" -eq 2 ]
  grep -qx deploy "$BATS_TEST_TMPDIR/flags"
  grep -qx prod "$BATS_TEST_TMPDIR/flags"
  grep -qx -- --draft "$BATS_TEST_TMPDIR/flags"
  grep -qx -- --pr-branch "$BATS_TEST_TMPDIR/flags"
  grep -qx GITOPS_TOKEN "$BATS_TEST_TMPDIR/flags"
}

@test "cli_flags: reviewers, team reviewers, assignees (commas or new lines), a milestone and pr_overwrite" {
  PARAM_PR_REVIEWERS=$'alice, bob\n carol ' PARAM_PR_TEAM_REVIEWERS='platform' PARAM_PR_ASSIGNEES=$'dave\n\n' PARAM_PR_MILESTONE=3 PARAM_PR_OVERWRITE=true
  cli_flags pull_request ''
  [ "${FLAGS[*]}" = '--mode pull_request --token-env GITHUB_TOKEN --pr-overwrite --reviewer alice --reviewer bob --reviewer carol --team-reviewer platform --assignee dave --milestone 3' ]
  PARAM_PR_OVERWRITE=false
  cli_flags pull_request ''
  [[ "${FLAGS[*]}" != *--pr-overwrite* ]]
  PARAM_PR_MILESTONE='3; id'
  run cli_flags pull_request ''
  [ "$status" -eq 2 ]
  [[ "$output" == *'pr_milestone must be the number of the milestone'*'got "3; id"'* ]]
  run cli_flags push ''
  [[ "$output" == *'apply to mode pull_request only'* ]]
}

@test "cli_flags: previews take only the clone's options; PR fields outside pull_request are noted; the CLI checks the mode" {
  PARAM_BRANCH=main PARAM_PR_TITLE=x PARAM_COMMIT_MESSAGE=m
  cli_flags check https://x/y.git
  [ "${FLAGS[*]}" = '--mode check --repo https://x/y.git --branch main --token-env GITHUB_TOKEN' ]
  cli_flags dry_run ''
  [ "${FLAGS[*]}" = '--mode dry_run' ]
  cli_flags edit ''
  [ "${FLAGS[*]}" = '--mode edit' ]
  run cli_flags push ''
  [[ "$output" == *'apply to mode pull_request only'* ]]
  cli_flags merge ''
  [ "${FLAGS[*]:0:2}" = '--mode merge' ]
}

@test "bump_main: the Action's spellings of the modes (pull-request, dry-run, api-commit) reach the CLI as the orb's" {
  stub_cli
  cd "$BATS_TEST_TMPDIR"
  for pair in pull-request:pull_request dry-run:dry_run api-commit:api_commit pull_request:pull_request check:check; do
    PARAM_MODE="${pair%%:*}" PARAM_IMAGES=a:1 run bump_main
    [ "$status" -eq 0 ]
    [ "$(argv | grep -x -A1 -- --mode | tail -n 1)" = "${pair#*:}" ]
  done
}

@test "bump_main: without the CLI it says to run install" {
  PATH="$BATS_TEST_TMPDIR/bin:/usr/bin:/bin" run bump_main
  [ "$status" -eq 2 ]
  [[ "$output" == *'run the install command first'* ]]
}

@test "bump_main: the CLI gets the plan and flags as separate arguments, and the report's path" {
  stub_cli
  cd "$BATS_TEST_TMPDIR"
  PARAM_MODE=push PARAM_IMAGES='a:1' PARAM_REPOSITORY=acme/config PARAM_PR_TITLE='' PARAM_COMMIT_MESSAGE=$'x $(touch pwned)\n`touch pwned`' PARAM_REPORT_FILE=out/report.json \
    PARAM_FAIL_IF_UNCHANGED=true CIRCLE_WORKING_DIRECTORY="$BATS_TEST_TMPDIR" run bump_main
  [ "$status" -eq 0 ]
  [ "$(argv | head -n 3 | tr '\n' '|')" = 'apply|--image=a:1|--report|' ]
  [ "$(argv | sed -n 4p)" = "$BATS_TEST_TMPDIR/out/report.json" ]
  argv | grep -qx -- --fail-if-unchanged
  argv | grep -qx -- https://github.com/acme/config.git
  [[ "$output" == *'report written to'* ]]
  grep -qz '^x $(touch pwned)'$'\n''`touch pwned`$' "$BATS_TEST_TMPDIR/argv"
  [ ! -e "$BATS_TEST_TMPDIR/pwned" ]
  run ! grep -q -- --json "$BATS_TEST_TMPDIR/argv"
}

@test "bump_main: the CLI's exit code is the step's; plan and edits together are refused" {
  stub_cli
  cd "$BATS_TEST_TMPDIR"
  STUB_EXIT=3 PARAM_MODE=push PARAM_IMAGES=a:1 run bump_main
  [ "$status" -eq 3 ]
  PARAM_MODE=push PARAM_IMAGES=a:1 PARAM_PLAN=plan.yaml run bump_main
  [ "$status" -eq 2 ]
}

@test "bump_main: check against a repository runs the CLI here, which clones it (no clone in bash)" {
  stub_cli
  cd "$BATS_TEST_TMPDIR"
  PARAM_MODE=check PARAM_IMAGES=a:1 PARAM_REPOSITORY=file:///srv/config.git PARAM_BRANCH=main run bump_main
  [ "$status" -eq 0 ]
  [ "$(cat "$BATS_TEST_TMPDIR/cwd")" = "$BATS_TEST_TMPDIR" ]
  [ "$(argv | grep -x -A7 -- --mode | tr '\n' ' ')" = '--mode check --repo file:///srv/config.git --branch main --token-env GITHUB_TOKEN ' ]
}

@test "sourcing the script runs nothing" {
  run bash -c "source '$SCRIPT'; echo sourced"
  [ "$output" = sourced ]
}

@test "edit_command: apply PLAN (absolute) without a promotion; promote FROM TO --image per name, no glob expansion" {
  PARAM_PLAN=/tmp/plan.json edit_command
  [ "${EDIT[*]}" = 'apply /tmp/plan.json' ]
  cd "$BATS_TEST_TMPDIR"
  PARAM_PLAN=plans/p.yaml edit_command
  [ "${EDIT[*]}" = "apply $BATS_TEST_TMPDIR/plans/p.yaml" ]
  PARAM_PROMOTE_FROM=overlays/staging PARAM_PROMOTE_TO='production=overlays/production' PARAM_PROMOTE_IMAGES=$'ghcr.io/acme/api\n  ghcr.io/acme/*  ' edit_command
  [ "$(printf '%s|' "${EDIT[@]}")" = 'promote|overlays/staging|production=overlays/production|--image|ghcr.io/acme/api|--image|ghcr.io/acme/*|' ]
}

@test "edit_command: a promotion needs both ends and no other edits" {
  run edit_command
  [ "$status" -eq 0 ]
  PARAM_PROMOTE_FROM=overlays/staging run edit_command
  [ "$status" -eq 2 ]
  [[ "$output" == *'needs both promote_from and promote_to'* ]]
  PARAM_PROMOTE_FROM=a PARAM_PROMOTE_TO=b PARAM_IMAGES=x:1 run edit_command
  [ "$status" -eq 2 ]
  [[ "$output" == *'not both'* ]]
}

@test "registry_flags: unset is no check; auto, true and the checks become the CLI's options" {
  registry_flags
  [ "${#REG[@]}" -eq 0 ]
  PARAM_VERIFY=auto
  registry_flags
  [ "${REG[*]}" = "--verify-auto" ]
  PARAM_VERIFY=true PARAM_PIN_DIGEST=true PARAM_REQUIRE_SIGNATURE=true PARAM_REQUIRE_PLATFORMS='linux/amd64,linux/arm64'
  registry_flags
  [ "$(printf '%s|' "${REG[@]}")" = "--verify|--pin-digest|--require-signature|--require-platforms|linux/amd64,linux/arm64|" ]
  PARAM_PIN_DIGEST=false PARAM_REQUIRE_SIGNATURE=false PARAM_REQUIRE_PLATFORMS='' PARAM_POLICY='semver:^1.2.0' PARAM_TAG_FILTER='^v(?<version>.*)$'
  registry_flags
  [ "$(printf '%s|' "${REG[@]}")" = '--verify|--policy|semver:^1.2.0|--tag-filter|^v(?<version>.*)$|' ]
}

@test "registry_flags: allow_downgrade false (the orb's default) adds --no-downgrade, also with verify false; skip_unresolved" {
  PARAM_VERIFY=false PARAM_ALLOW_DOWNGRADE=false
  registry_flags
  [ "${REG[*]}" = "--no-downgrade" ]
  PARAM_VERIFY=auto PARAM_ALLOW_DOWNGRADE=true
  registry_flags
  [ "${REG[*]}" = "--verify-auto" ]
  unset PARAM_ALLOW_DOWNGRADE
  registry_flags
  [ "${REG[*]}" = "--verify-auto" ]
  PARAM_SKIP_UNRESOLVED=true
  registry_flags
  [ "${REG[*]}" = "--verify-auto --skip-unresolved" ]
}

@test "registry_flags: credentials go by variable name, only when both are set; one alone is refused" {
  PARAM_VERIFY=auto PARAM_REGISTRY_USERNAME=CI_USER PARAM_REGISTRY_PASSWORD=CI_PASS
  registry_flags
  [ "${REG[*]}" = "--verify-auto" ]
  CI_USER=robot CI_PASS='s3cret $(touch x)'
  registry_flags
  [ "${REG[*]}" = "--verify-auto --registry-username-env CI_USER --registry-password-env CI_PASS" ]
  [[ "${REG[*]}" != *s3cret* ]]
  unset CI_PASS
  run registry_flags
  [ "$status" -eq 2 ]
  [[ "$output" == *"only one of CI_USER and CI_PASS is set"* ]]
}

@test "registry_flags: checks with verify false, and a bad verify, are usage errors" {
  PARAM_VERIFY=false PARAM_PIN_DIGEST=true
  run registry_flags
  [ "$status" -eq 2 ]
  [[ "$output" == *"verify is false, but pin_digest"* ]]
  PARAM_VERIFY=maybe PARAM_PIN_DIGEST=false
  run registry_flags
  [ "$status" -eq 2 ]
  [[ "$output" == *'verify must be auto, true or false, got "maybe"'* ]]
}

@test "bump_main: the registry options reach apply, not promote" {
  stub_cli
  cd "$BATS_TEST_TMPDIR"
  export PARAM_MODE=edit PARAM_IMAGES=ghcr.io/acme/api:1.2.3 PARAM_TARGETS=overlays/dev PARAM_VERIFY=auto PARAM_PIN_DIGEST=true
  run bump_main
  [ "$status" -eq 0 ]
  argv | grep -qx -- --verify-auto
  argv | grep -qx -- --pin-digest
  export PARAM_IMAGES='' PARAM_TARGETS='' PARAM_PROMOTE_FROM=overlays/staging PARAM_PROMOTE_TO=overlays/production
  run bump_main
  [ "$status" -eq 0 ]
  [ "$(argv | grep -c -- '--verify')" -eq 0 ]
}
