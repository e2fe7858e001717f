#!/usr/bin/env bash
# Fetches the upstream values.yaml files of the chart fixtures again, at the commits pinned in
# SOURCES.md (needs network access to raw.githubusercontent.com). Run it, then run
# `node --test tests/helm/render.test.js`: a shape upstream changed shows there.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
fetch() { # chart repo path commit
  local url="https://raw.githubusercontent.com/$2/$4/$3"
  curl --fail --silent --show-error --location --max-time 60 "$url" -o "$1/values.yaml.new"
  mv "$1/values.yaml.new" "$1/values.yaml"
  echo "refreshed $1/values.yaml from $2@$4"
}
while IFS='|' read -r _ chart repo path commit _; do
  chart=$(echo "$chart" | xargs); repo=$(echo "$repo" | xargs)
  path=$(echo "$path" | tr -d '`' | xargs); commit=$(echo "$commit" | tr -d '`' | xargs)
  [[ "$commit" =~ ^[0-9a-f]{40}$ ]] || continue
  fetch "$chart" "$repo" "$path" "$commit"
done < SOURCES.md
