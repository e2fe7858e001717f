#!/usr/bin/env bash
# Prints the image × environment table of PARAM_ENVIRONMENTS (separated by spaces or new
# lines) with `gitops-bump status`; with PARAM_MARKDOWN_FILE also writes it as markdown.
# The environments reach the CLI as argv elements, never as shell text.

# The orb's scripts are bash. On an image without bash CircleCI runs a step with /bin/sh:
# stop there with one clear line (this test is POSIX sh) instead of failing on bash syntax.
if [ -z "${BASH_VERSION:-}" ]; then
  echo "gitops-bump: this step needs bash, and the job's shell is not bash (the image has none?): use an image with bash, such as the orb's executor (cimg/node), or install bash first" >&2
  exit 2
fi

status_main() {
  local -a environments=()
  if ! command -v gitops-bump >/dev/null 2>&1; then
    printf 'gitops-bump: the CLI is not on the PATH; run the install command first\n' >&2
    return 2
  fi
  # split on spaces and new lines, without glob expansion
  read -r -d '' -a environments <<<"${PARAM_ENVIRONMENTS:-}" || true
  if [[ ${#environments[@]} -eq 0 ]]; then
    echo 'gitops-bump: environments is empty: give the overlays (or Applications, or values files) to compare' >&2
    return 2
  fi
  gitops-bump status "${environments[@]}" || return $?
  if [[ -n "${PARAM_MARKDOWN_FILE:-}" ]]; then
    mkdir -p "$(dirname "$PARAM_MARKDOWN_FILE")"
    gitops-bump status "${environments[@]}" --markdown >"$PARAM_MARKDOWN_FILE" || return $?
    printf 'markdown table written to %s\n' "$PARAM_MARKDOWN_FILE"
  fi
}

# Run only when executed, not when sourced (the bats tests source this file).
if ! (return 0 2>/dev/null); then
  status_main
fi
