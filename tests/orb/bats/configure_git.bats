#!/usr/bin/env bats
# shellcheck disable=SC2016,SC2028,SC2034 # literal $(…) and `…` are the point; PARAM_* are read by the sourced functions
# orb/src/scripts/configure_git.sh, sourced: key lookup by fingerprint, SSH and token set-up.

setup() {
  SCRIPT="$BATS_TEST_DIRNAME/../../../orb/src/scripts/configure_git.sh"
  # shellcheck source=/dev/null
  source "$SCRIPT"
  HOME="$BATS_TEST_TMPDIR/home"
  mkdir -p "$HOME/.ssh"
  BASH_ENV="$BATS_TEST_TMPDIR/bash_env"
  : >"$BASH_ENV"
  export HOME BASH_ENV
  ssh-keygen -q -t ed25519 -N '' -C deploy -f "$HOME/.ssh/id_rsa_deploy"
  rm "$HOME/.ssh/id_rsa_deploy.pub" # add_ssh_keys writes only the private key
  MD5="$(ssh-keygen -l -E md5 -f "$HOME/.ssh/id_rsa_deploy" | awk '{print $2}')"
  SHA="$(ssh-keygen -l -E sha256 -f "$HOME/.ssh/id_rsa_deploy" | awk '{print $2}')"
}

@test "find_key finds a key by MD5 (with or without the MD5: prefix) or SHA256 fingerprint" {
  [ "$(find_key "$MD5")" = "$HOME/.ssh/id_rsa_deploy" ]
  [ "$(find_key "${MD5#MD5:}")" = "$HOME/.ssh/id_rsa_deploy" ]
  [ "$(find_key "$SHA")" = "$HOME/.ssh/id_rsa_deploy" ]
  run find_key "SHA256:doesnotexist"
  [ "$status" -eq 1 ]
}

@test "SSH: the key is pinned with IdentitiesOnly and strict host keys; GitHub's keys by default" {
  PARAM_SSH_KEY_FINGERPRINT="$SHA" run configure_git_main
  [ "$status" -eq 0 ]
  grep -q '^github.com ssh-ed25519 ' "$HOME/.ssh/known_hosts"
  # for the bump step only: nothing goes to $BASH_ENV, which every later step sources
  [ ! -s "$BASH_ENV" ]
  command="$(cat "$HOME/.gitops-bump/git-ssh-command")"
  [[ "$command" == "ssh -i $HOME/.ssh/id_rsa_deploy -o IdentitiesOnly=yes "* ]]
  [[ "$command" == *'-o StrictHostKeyChecking=yes'* ]]
  [ "$(stat -c %a "$HOME/.gitops-bump/git-ssh-command")" = 600 ]
}

@test "SSH: given known_hosts lines replace GitHub's" {
  PARAM_SSH_KEY_FINGERPRINT="$MD5" PARAM_SSH_KNOWN_HOSTS='[git.example]:2222 ssh-ed25519 AAAAtest' run configure_git_main
  [ "$status" -eq 0 ]
  [ "$(cat "$HOME/.ssh/known_hosts")" = '[git.example]:2222 ssh-ed25519 AAAAtest' ]
}

@test "SSH: an unknown fingerprint fails and says where keys come from" {
  PARAM_SSH_KEY_FINGERPRINT='SHA256:nope' run configure_git_main
  [ "$status" -eq 1 ]
  [[ "$output" == *'no SSH key with fingerprint SHA256:nope'* ]]
  [ ! -s "$BASH_ENV" ]
}

@test "https_for_github_ssh maps github.com, gitlab.com and bitbucket.org SSH URLs only" {
  [ "$(https_for_github_ssh git@github.com:acme/config.git)" = https://github.com/acme/config.git ]
  [ "$(https_for_github_ssh ssh://git@github.com/acme/config.git)" = https://github.com/acme/config.git ]
  [ -z "$(https_for_github_ssh https://github.com/acme/config.git)" ]
  [ "$(https_for_github_ssh git@gitlab.com:team/deploy/config.git)" = https://gitlab.com/team/deploy/config.git ]
  [ "$(https_for_github_ssh git@bitbucket.org:acme/config.git)" = https://bitbucket.org/acme/config.git ]
  [ -z "$(https_for_github_ssh git@git.example.com:acme/config.git)" ]
}

@test "token: an SSH github.com origin switches to HTTPS when the token is set; the token is never printed" {
  cd "$BATS_TEST_TMPDIR" && git init -q repo && cd repo
  git remote add origin git@github.com:acme/config.git
  MY_TOKEN=ghp_secretvalue123 PARAM_TOKEN_ENV=MY_TOKEN run configure_git_main
  [ "$status" -eq 0 ]
  [ "$(git remote get-url origin)" = https://github.com/acme/config.git ]
  [[ "$output" != *ghp_secretvalue123* ]]
  [[ "$output" == *'token in $MY_TOKEN'* ]]
}

@test "token: without a token the SSH origin stays (a read-write checkout key still works)" {
  cd "$BATS_TEST_TMPDIR" && git init -q repo && cd repo
  git remote add origin git@github.com:acme/config.git
  unset GITHUB_TOKEN
  PARAM_TOKEN_ENV=GITHUB_TOKEN run configure_git_main
  [ "$status" -eq 0 ]
  [ "$(git remote get-url origin)" = git@github.com:acme/config.git ]
  [[ "$output" == *'$GITHUB_TOKEN is not set'* ]]
}

@test "token: a token_env that is not a variable name is refused" {
  PARAM_TOKEN_ENV='X;id' run configure_git_main
  [ "$status" -eq 2 ]
}

@test "sourcing the script runs nothing" {
  run bash -c "source '$SCRIPT'; echo sourced"
  [ "$output" = sourced ]
}
