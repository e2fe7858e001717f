#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2028,SC2030,SC2031,SC2034 # literal $(…) and `…` are the point; PARAM_* are read by the sourced functions (each test is its own subshell)
# orb/src/scripts/bump.sh, sourced: the plan, the CLI's flags, the summary, the clone for
# previews, and the whole run against a stub CLI that records its argv.

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

@test "plan_json: every image in every target; check_overlay false forces; scan scans" {
  run env PARAM_IMAGES=$'a:1\n b:2' PARAM_TARGETS='o/dev o/prod' PARAM_CHECK_OVERLAY=false bash -c "source '$SCRIPT'; plan_json"
  [ "$status" -eq 0 ]
  [ "$(node -e 'const p=JSON.parse(process.argv[1]); console.log(p.edits.map(e=>`${e.file}=${e.image}:${e.force}`).join(" "))' "$output")" = 'o/dev=a:1:true o/dev=b:2:true o/prod=a:1:true o/prod=b:2:true' ]
  run env PARAM_IMAGES=a:1 PARAM_TARGETS=. PARAM_SCAN=true bash -c "source '$SCRIPT'; plan_json"
  [ "$(node -e 'console.log(JSON.stringify(JSON.parse(process.argv[1]).edits))' "$output")" = '[{"scan":".","image":"a:1"}]' ]
}

@test "plan_json: type auto (the default) leaves the type to the CLI; another type is passed on" {
  run env PARAM_FILE=values.yaml PARAM_PATH=replicaCount PARAM_VALUE=5 PARAM_TYPE=auto bash -c "source '$SCRIPT'; plan_json"
  [ "$status" -eq 0 ]
  [ "$(node -e 'console.log(String("type" in JSON.parse(process.argv[1]).edits[0]))' "$output")" = false ]
  run env PARAM_FILE=values.yaml PARAM_PATH=replicaCount PARAM_VALUE=5 PARAM_TYPE=int bash -c "source '$SCRIPT'; plan_json"
  [ "$(node -e 'console.log(JSON.parse(process.argv[1]).edits[0].type)' "$output")" = int ]
}

@test "plan_json: a value is carried verbatim, with its type and options" {
  value=$'1.10 $(id) `id`; "q" \'s\'\nline2'
  run env PARAM_FILE=values.yaml PARAM_PATH=image.tag PARAM_VALUE="$value" PARAM_TYPE=string PARAM_CREATE=true PARAM_SELECT=kind=Deployment bash -c "source '$SCRIPT'; plan_json"
  [ "$status" -eq 0 ]
  [ "$(node -e 'const e=JSON.parse(process.argv[1]).edits[0]; process.stdout.write(e.value)' "$output")" = "$value" ]
  [ "$(node -e 'const e=JSON.parse(process.argv[1]).edits[0]; console.log(e.file, e.set, e.type, e.create, e.all, e.select)' "$output")" = 'values.yaml image.tag string true false kind=Deployment' ]
}

@test "plan_json: missing halves and an empty request are usage errors (exit 2)" {
  run env PARAM_PATH=image.tag bash -c "source '$SCRIPT'; plan_json"
  [ "$status" -eq 2 ]
  [[ "$output" == *'`path` needs `file`'* ]]
  run env PARAM_FILE=values.yaml bash -c "source '$SCRIPT'; plan_json"
  [ "$status" -eq 2 ]
  [[ "$output" == *'`file` needs `path`'* ]]
  run env PARAM_TARGETS=. bash -c "source '$SCRIPT'; plan_json"
  [ "$status" -eq 2 ]
  [[ "$output" == *'nothing to do'* ]]
  run env PARAM_TARGETS=overlays/dev bash -c "source '$SCRIPT'; plan_json"
  [ "$status" -eq 2 ]
  [[ "$output" == *'no images'* ]]
}

@test "cli_flags: push clones with --repo, or pushes the checkout; git options follow" {
  PARAM_BRANCH=main PARAM_RETRIES=8 PARAM_AUTHOR_NAME='Release Bot' PARAM_COMMIT_MESSAGE='m $(id)'
  cli_flags push https://github.com/acme/config.git
  [ "${FLAGS[*]}" = '--repo https://github.com/acme/config.git --branch main --message m $(id) --author Release Bot <gitops-bump@users.noreply.github.com> --retries 8 --token-env GITHUB_TOKEN' ]
  [ "${FLAGS[5]}" = 'm $(id)' ]
  cli_flags push ''
  [ "${FLAGS[0]}" = --push ]
}

@test "cli_flags: forge and sign become flags; the signing key travels by its variable's name" {
  PARAM_FORGE=gitea PARAM_SIGN=ssh PARAM_SIGNING_KEY_ENV=DEPLOY_SIGNING_KEY DEPLOY_SIGNING_KEY='-----BEGIN OPENSSH PRIVATE KEY-----'
  cli_flags pull_request ''
  [ "${FLAGS[*]}" = '--pr --token-env GITHUB_TOKEN --forge gitea --sign ssh --signing-key-env DEPLOY_SIGNING_KEY' ]
  [[ "${FLAGS[*]}" != *PRIVATE* ]]
  unset PARAM_FORGE PARAM_SIGN PARAM_SIGNING_KEY_ENV
  cli_flags push ''
  [ "${FLAGS[*]}" = '--push --token-env GITHUB_TOKEN' ]
}

@test "cli_flags: pull_request carries the PR fields, one argv element each; labels are trimmed" {
  PARAM_PR_TITLE='Deploy "x"; $(id)' PARAM_PR_LABELS=' deploy , prod,,' PARAM_PR_DRAFT=true PARAM_PR_BRANCH=deploy/api PARAM_PR_BASE=main PARAM_TOKEN_ENV=GITOPS_TOKEN
  cli_flags pull_request ''
  [ "${FLAGS[0]}" = --pr ]
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
  [ "${FLAGS[*]}" = '--pr --token-env GITHUB_TOKEN --pr-overwrite --reviewer alice --reviewer bob --reviewer carol --team-reviewer platform --assignee dave --milestone 3' ]
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

@test "cli_flags: previews take no git options; PR fields outside pull_request are noted; a bad mode is refused" {
  PARAM_BRANCH=main PARAM_PR_TITLE=x
  cli_flags check https://x/y.git
  [ "${FLAGS[*]}" = --check ]
  cli_flags dry_run ''
  [ "${FLAGS[*]}" = --dry-run ]
  cli_flags edit ''
  [ "${#FLAGS[@]}" -eq 0 ]
  run cli_flags push ''
  [[ "$output" == *'apply to mode pull_request only'* ]]
  run cli_flags merge ''
  [ "$status" -eq 2 ]
}

@test "print_summary: a type that changed is shown, as the CLI shows it" {
  cat >"$BATS_TEST_TMPDIR/r.json" <<'JSON'
{"changed":[{"file":"charts/redis/values.yaml","changes":[{"path":"replicaCount","kind":"set","old":"1","new":"three","oldType":"int","newType":"string","line":3,"column":15},{"path":"image.tag","kind":"set","old":"7.2.4","new":"7.2.5","oldType":"string","newType":"string","line":9,"column":8}]}],"unchanged":[]}
JSON
  run print_summary "$BATS_TEST_TMPDIR/r.json" edit . 0
  [ "$status" -eq 0 ]
  [[ "$output" == *'replicaCount: 1 -> three (int -> string)   (line 3, column 15)'* ]]
  [[ "$output" == *'image.tag: 7.2.4 -> 7.2.5   (line 9, column 8)'* ]]
}

@test "bump_main: the Action's spellings of the modes (pull-request, dry-run, api-commit) are taken too" {
  stub_cli
  cd "$BATS_TEST_TMPDIR"
  for pair in pull-request:--pr dry-run:--dry-run api-commit:--api-commit pull_request:--pr dry_run:--dry-run; do
    PARAM_MODE="${pair%%:*}" PARAM_IMAGES=a:1 run bump_main
    [ "$status" -eq 0 ]
    argv | grep -qx -- "${pair#*:}"
  done
  PARAM_MODE=pull-requests PARAM_IMAGES=a:1 run bump_main
  [ "$status" -eq 2 ]
}

@test "print_summary: changes, commit and pull request in one block" {
  cat >"$BATS_TEST_TMPDIR/r.json" <<'JSON'
{"changed":[{"file":"overlays/prod/kustomization.yaml","changes":[{"path":"images[0].newTag","kind":"set","old":"1.0","new":"1.1","line":5,"column":13}]}],
 "unchanged":["overlays/dev/kustomization.yaml"],"commit":"abc123","pushed":true,"attempts":2,
 "pullRequest":{"number":7,"url":"https://github.com/acme/config/pull/7","updated":false},
 "pr":{"number":7,"url":"https://github.com/acme/config/pull/7","operation":"created","branch":"gitops-bump/api-1a2b","headSha":"abc123"}}
JSON
  run print_summary "$BATS_TEST_TMPDIR/r.json" pull_request https://github.com/acme/config.git 0
  [ "$status" -eq 0 ]
  [[ "$output" == *'gitops-bump · pull request · https://github.com/acme/config.git'* ]]
  [[ "$output" == *'images[0].newTag: 1.0 -> 1.1   (line 5, column 13)'* ]]
  [[ "$output" == *'unchanged overlays/dev/kustomization.yaml'* ]]
  [[ "$output" == *'commit    abc123 pushed after 2 attempts'* ]]
  [[ "$output" == *'pull request #7 opened: https://github.com/acme/config/pull/7'* ]]
  [[ "$output" == *'branch    gitops-bump/api-1a2b at abc123'* ]]
}

@test "print_summary: a pull request closed because the base holds the values, and none needed" {
  echo '{"changed":[],"unchanged":["a.yaml"],"commit":null,"pr":{"number":4,"url":"https://github.com/acme/config/pull/4","operation":"closed","branch":"gitops-bump/a","headSha":null}}' >"$BATS_TEST_TMPDIR/c.json"
  run print_summary "$BATS_TEST_TMPDIR/c.json" pull_request here 0
  [[ "$output" == *'pull request #4 closed (the base already holds the values): https://github.com/acme/config/pull/4'* ]]
  [[ "$output" != *'branch    '* ]]
  echo '{"changed":[],"unchanged":["a.yaml"],"commit":null,"pr":{"number":null,"url":null,"operation":"none","branch":"gitops-bump/a","headSha":null}}' >"$BATS_TEST_TMPDIR/n.json"
  run print_summary "$BATS_TEST_TMPDIR/n.json" pull_request here 0
  [[ "$output" == *'no pull request needed'* ]]
}

@test "print_summary: an error, a drift with its diff, and fail_if_unchanged" {
  echo '{"error":{"kind":"not-found","message":"no key `imagee`\nmore","file":"v.yaml","line":2,"column":1}}' >"$BATS_TEST_TMPDIR/e.json"
  run print_summary "$BATS_TEST_TMPDIR/e.json" push here 1
  [[ "$output" == *'FAILED (exit 1): no key `imagee`'* && "$output" == *'at v.yaml:2:1'* ]]
  echo '{"changed":[{"file":"a.yaml","changes":[],"diff":"--- a/a.yaml\n+++ b/a.yaml\n"}],"unchanged":[]}' >"$BATS_TEST_TMPDIR/d.json"
  run print_summary "$BATS_TEST_TMPDIR/d.json" check here 1
  [[ "$output" == *'DRIFT'* && "$output" == *'+++ b/a.yaml'* ]]
  echo '{"changed":[],"unchanged":["a.yaml"]}' >"$BATS_TEST_TMPDIR/u.json"
  PARAM_FAIL_IF_UNCHANGED=true run print_summary "$BATS_TEST_TMPDIR/u.json" push here 0
  [ "$status" -eq 1 ]
  [[ "$output" == *'fail_if_unchanged'* ]]
  echo 'not json' >"$BATS_TEST_TMPDIR/n.json"
  run print_summary "$BATS_TEST_TMPDIR/n.json" push here 3
  [[ "$output" == *'FAILED (exit 3): gitops-bump printed no report'* ]]
}

@test "clone_repository sends a token as a header scoped to the host, never in argv" {
  cat >"$BATS_TEST_TMPDIR/bin/git" <<'STUB'
#!/usr/bin/env bash
printf '%s\n' "$@" >"$BATS_TEST_TMPDIR/git-argv"
env | grep '^GIT_CONFIG_' | sort >"$BATS_TEST_TMPDIR/git-env"
STUB
  chmod +x "$BATS_TEST_TMPDIR/bin/git"
  MY_TOKEN=tok-123456 PARAM_TOKEN_ENV=MY_TOKEN clone_repository https://Git.Example:8443/acme/config.git main "$BATS_TEST_TMPDIR/c"
  run ! grep -q tok-123456 "$BATS_TEST_TMPDIR/git-argv"
  grep -qx -- --depth "$BATS_TEST_TMPDIR/git-argv"
  grep -qx 'GIT_CONFIG_KEY_0=http.https://git.example:8443/.extraheader' "$BATS_TEST_TMPDIR/git-env"
  grep -qx "GIT_CONFIG_VALUE_0=AUTHORIZATION: basic $(printf 'x-access-token:tok-123456' | base64 | tr -d '\n')" "$BATS_TEST_TMPDIR/git-env"
  MY_TOKEN=tok-123456 PARAM_TOKEN_ENV=MY_TOKEN clone_repository ssh://git@git.example/acme/config.git '' "$BATS_TEST_TMPDIR/c"
  [ ! -s "$BATS_TEST_TMPDIR/git-env" ]
}

@test "bump_main: without the CLI it says to run install" {
  PATH="$BATS_TEST_TMPDIR/bin:/usr/bin:/bin" run bump_main
  [ "$status" -eq 2 ]
  [[ "$output" == *'run the install command first'* ]]
}

@test "bump_main: the CLI gets the plan and flags as separate arguments; the report is written" {
  stub_cli
  cd "$BATS_TEST_TMPDIR"
  PARAM_MODE=push PARAM_IMAGES='a:1' PARAM_REPOSITORY=acme/config PARAM_PR_TITLE='' PARAM_COMMIT_MESSAGE=$'x $(touch pwned)\n`touch pwned`' PARAM_REPORT_FILE=out/report.json \
    CIRCLE_WORKING_DIRECTORY="$BATS_TEST_TMPDIR" run bump_main
  [ "$status" -eq 0 ]
  [ "$(argv | head -n 1)" = apply ]
  [ "$(argv | sed -n 3p)" = --json ]
  grep -qz '^x $(touch pwned)'$'\n''`touch pwned`$' "$BATS_TEST_TMPDIR/argv"
  [ ! -e "$BATS_TEST_TMPDIR/pwned" ]
  [ -s "$BATS_TEST_TMPDIR/out/report.json" ]
  [[ "$output" == *'report written to'* ]]
}

@test "bump_main: the CLI's exit code is the step's; plan and edits together are refused" {
  stub_cli
  cd "$BATS_TEST_TMPDIR"
  STUB_EXIT=3 STUB_REPORT='{"error":{"message":"push retries exhausted"}}' PARAM_MODE=push PARAM_IMAGES=a:1 run bump_main
  [ "$status" -eq 3 ]
  [[ "$output" == *'FAILED (exit 3): push retries exhausted'* ]]
  PARAM_MODE=push PARAM_IMAGES=a:1 PARAM_PLAN=plan.yaml run bump_main
  [ "$status" -eq 2 ]
}

@test "bump_main: check against a repository clones it and runs the CLI inside the clone" {
  stub_cli
  remote="$BATS_TEST_TMPDIR/remote"
  git init -q --bare "$remote"
  git clone -q "$remote" "$BATS_TEST_TMPDIR/seed" 2>/dev/null
  (cd "$BATS_TEST_TMPDIR/seed" && echo a >f && git add f && git -c user.name=t -c user.email=t@t commit -qm seed && git push -q origin HEAD)
  cd "$BATS_TEST_TMPDIR"
  PARAM_MODE=check PARAM_IMAGES=a:1 PARAM_REPOSITORY="file://$remote" run bump_main
  [ "$status" -eq 0 ]
  [[ "$(cat "$BATS_TEST_TMPDIR/cwd")" == */repo ]]
  [ "$(argv | tail -n 1)" = --check ]
}

@test "sourcing the script runs nothing" {
  run bash -c "source '$SCRIPT'; echo sourced"
  [ "$output" = sourced ]
}

@test "edit_command: apply PLAN without a promotion; promote FROM TO --image per name, no glob expansion" {
  edit_command /tmp/plan.json
  [ "${EDIT[*]}" = 'apply /tmp/plan.json' ]
  PARAM_PROMOTE_FROM=overlays/staging PARAM_PROMOTE_TO='production=overlays/production' PARAM_PROMOTE_IMAGES=$'ghcr.io/acme/api\n  ghcr.io/acme/*  ' edit_command ''
  [ "$(printf '%s|' "${EDIT[@]}")" = 'promote|overlays/staging|production=overlays/production|--image|ghcr.io/acme/api|--image|ghcr.io/acme/*|' ]
}

@test "edit_command: a promotion needs both ends and no other edits" {
  run edit_command ''
  [ "$status" -eq 0 ]
  PARAM_PROMOTE_FROM=overlays/staging run edit_command ''
  [ "$status" -eq 2 ]
  [[ "$output" == *'needs both promote_from and promote_to'* ]]
  PARAM_PROMOTE_FROM=a PARAM_PROMOTE_TO=b PARAM_IMAGES=x:1 run edit_command ''
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
