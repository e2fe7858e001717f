#!/usr/bin/env bash
# Gives git the credentials for the config repository.
# SSH (PARAM_SSH_KEY_FINGERPRINT set): finds the key that add_ssh_keys wrote for that
# fingerprint, trusts PARAM_SSH_KNOWN_HOSTS (GitHub's published host keys when empty) and
# writes the SSH command that uses that key alone to ~/.gitops-bump/git-ssh-command. The
# bump step gives it to its own git calls only (as GIT_SSH_COMMAND): later steps of the
# job, users' post-steps included, are not changed.
# Token (otherwise): checks that the variable named by PARAM_TOKEN_ENV is set (never
# printing it) and switches a github.com, gitlab.com or bitbucket.org SSH `origin` of the
# current checkout to HTTPS, where
# gitops-bump sends the token as a header scoped to the host.

# The orb's scripts are bash. On an image without bash CircleCI runs a step with /bin/sh:
# stop there with one clear line (this test is POSIX sh) instead of failing on bash syntax.
if [ -z "${BASH_VERSION:-}" ]; then
  echo "gitops-bump: this step needs bash, and the job's shell is not bash (the image has none?): use an image with bash, such as the orb's executor (cimg/node), or install bash first" >&2
  exit 2
fi

GITHUB_KNOWN_HOSTS='github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl
github.com ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9nkt5YRrYMjNuG5N87uRgg6CLrbo5wAdT/y6v0mKV0U2w0WZ2YB/++Tpockg=
github.com ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQCj7ndNxQowgcQnjshcLrqPEiiphnt+VTTvDP6mHBL9j1aNUkY4Ue1gvwnGLVlOhGeYrnZaMgRK6+PKCUXaDbC7qtbW8gIkhL7aGCsOr/C56SJMy/BCZfxd1nWzAOxSDPgVsmerOBYfNqltV9/hWCqBywINIR+5dIg6JTJ72pcEpEjcYgXkE2YEFXV1JHnsKgbLWNlhScqb2UmyRkQyytRLtL+38TGxkxCflmO+5Z8CSSNY7GidjMIZ7Q4zMjA2n1nGrlTDkzwDCsw+wqFPGQA179cnfGWOWRVruj16z6XyvxvjJwbz0wQZ75XK5tKSb7FNyeIEs4TT4jk+S4dhPeAUC5y+bDYirYgM4GC7uEnztnZyaVWQ7B381AK4Qdrwt51ZqExKbQpTUNn+EjqoTwvqNj4kqx5QUCI0ThS/YkOxJCXmPUWZbhjpCg56i+2aB6CmK2JGhn57K5mj0MNdBXA4/WnwH6XoPWJzK5Nyu2zB3nAZp+S5hpQs+p1vN1/wsjk='

# Prints the fingerprint of a key file as "MD5:aa:bb:..." and "SHA256:...", one a line.
key_fingerprints() {
  local key="$1" hash
  for hash in md5 sha256; do
    ssh-keygen -l -E "$hash" -f "$key" 2>/dev/null | awk '{print $2}'
  done
}

# The private key in ~/.ssh whose fingerprint is WANTED ("aa:bb:.." or "MD5:aa:.." or "SHA256:..").
find_key() {
  local wanted="$1" key fp
  [[ "$wanted" == *:* && "$wanted" != MD5:* && "$wanted" != SHA256:* ]] && wanted="MD5:$wanted"
  for key in "$HOME"/.ssh/id_*; do
    [[ -f "$key" && "$key" != *.pub ]] || continue
    while IFS= read -r fp; do
      if [[ "$fp" == "$wanted" ]]; then
        printf '%s\n' "$key"
        return 0
      fi
    done < <(key_fingerprints "$key")
  done
  return 1
}

configure_ssh() {
  local key known_hosts="${PARAM_SSH_KNOWN_HOSTS:-}" ssh_command
  if ! key="$(find_key "$PARAM_SSH_KEY_FINGERPRINT")"; then
    printf 'gitops-bump/configure_git: no SSH key with fingerprint %s in ~/.ssh.\n' "$PARAM_SSH_KEY_FINGERPRINT" >&2
    printf 'Add the deploy key in the project settings (SSH keys) and give its fingerprint exactly as shown there.\n' >&2
    return 1
  fi
  mkdir -p "$HOME/.ssh"
  chmod 700 "$HOME/.ssh"
  [[ -n "$known_hosts" ]] || known_hosts="$GITHUB_KNOWN_HOSTS"
  printf '%s\n' "$known_hosts" >>"$HOME/.ssh/known_hosts"
  ssh_command="ssh -i $(printf '%q' "$key") -o IdentitiesOnly=yes -o IdentityAgent=none -o StrictHostKeyChecking=yes -o UserKnownHostsFile=$(printf '%q' "$HOME/.ssh/known_hosts") -o BatchMode=yes"
  mkdir -p "$HOME/.gitops-bump"
  (umask 077 && printf '%s\n' "$ssh_command" >"$(ssh_command_file)")
  printf 'gitops-bump will push over SSH with the key %s only (fingerprint %s)\n' "$key" "$PARAM_SSH_KEY_FINGERPRINT"
}

# Where configure_ssh leaves the SSH command for the bump step.
ssh_command_file() {
  printf '%s/.gitops-bump/git-ssh-command\n' "$HOME"
}

# An https URL for a github.com, gitlab.com or bitbucket.org SSH remote URL (what
# CircleCI's checkout leaves), or nothing.
https_for_github_ssh() {
  local url="$1"
  if [[ "$url" =~ ^(ssh://)?git@(github\.com|gitlab\.com|bitbucket\.org)[:/](.+)$ ]]; then
    printf 'https://%s/%s\n' "${BASH_REMATCH[2]}" "${BASH_REMATCH[3]}"
  fi
}

configure_token() {
  local name="${PARAM_TOKEN_ENV:-GITHUB_TOKEN}" origin https
  if [[ ! "$name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
    printf 'gitops-bump/configure_git: token_env must name an environment variable, got "%s"\n' "$name" >&2
    return 2
  fi
  if [[ -n "${!name:-}" ]]; then
    printf 'git will authenticate over HTTPS with the token in $%s\n' "$name"
  else
    printf 'Note: $%s is not set; pushing over HTTPS, pull requests and API commits need a token in it.\n' "$name"
  fi
  # without a token, a (read-write) SSH checkout key is the only credential: keep SSH
  if [[ -n "${!name:-}" ]] && origin="$(git remote get-url origin 2>/dev/null)"; then
    https="$(https_for_github_ssh "$origin")"
    if [[ -n "$https" ]]; then
      git remote set-url origin "$https"
      printf 'origin switched from %s to %s so that the token applies\n' "$origin" "$https"
    fi
  fi
}

configure_git_main() {
  if [[ -n "${PARAM_SSH_KEY_FINGERPRINT:-}" ]]; then
    configure_ssh
  else
    configure_token
  fi
}

# Run only when executed, not when sourced (the bats tests source this file).
if ! (return 0 2>/dev/null); then
  configure_git_main
fi
