#!/usr/bin/env bash
# Load on one config repository: N pipelines at once, each bumping a different image in the
# same repository with `gitops-bump set … --push` (default retries and backoff) from its own
# clone of one local bare remote. Every pipeline must land; the table gives the total time
# and the push attempts per pipeline (median, max), and checks the remote's history and files.
# Usage: bash benches/load.sh [N …]   (default: 8 16 64)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLI="$ROOT/pkg/bin/gitops-bump.js"
counts=("$@")
[[ ${#counts[@]} -gt 0 ]] || counts=(8 16 64)
work="$(mktemp -d "${TMPDIR:-/tmp}/gitops-bump-load.XXXXXX")"
trap 'rm -rf "$work"' EXIT
export GIT_AUTHOR_NAME=load GIT_AUTHOR_EMAIL=load@example.com
export GIT_COMMITTER_NAME=load GIT_COMMITTER_EMAIL=load@example.com
export GIT_CONFIG_NOSYSTEM=1 HOME="$work/home"
mkdir -p "$HOME"
git config --global init.defaultBranch main
git config --global advice.detachedHead false

printf '| pipelines | landed | total s | attempts median | attempts max | failed |\n|---:|---:|---:|---:|---:|---:|\n'
for n in "${counts[@]}"; do
  run="$work/$n"
  mkdir -p "$run/seed"
  (
    cd "$run/seed"
    git init -q
    for i in $(seq -w 1 "$n"); do
      mkdir -p "apps/app-$i"
      cat >"apps/app-$i/deployment.yaml" <<YAML
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-$i # owned by team $i
spec:
  template:
    spec:
      containers:
        - name: app
          image: registry.example.com/app-$i:1.0.0
YAML
    done
    git add -A && git commit -qm seed
    git clone -q --bare . "$run/remote.git"
  )
  for i in $(seq -w 1 "$n"); do git clone -q "$run/remote.git" "$run/w$i"; done
  start=$(date +%s%N)
  pids=()
  for i in $(seq -w 1 "$n"); do
    (
      cd "$run/w$i"
      set +e
      timeout 600 node "$CLI" set "apps/app-$i/deployment.yaml" 'spec.template.spec.containers[name=app].image' \
        "registry.example.com/app-$i:2.0.0" --push --json >"$run/out$i.json" 2>"$run/err$i.txt"
      echo $? >"$run/rc$i"
    ) &
    pids+=($!)
  done
  wait "${pids[@]}"
  total_ms=$((($(date +%s%N) - start) / 1000000))
  node - "$run" "$n" "$total_ms" <<'JS'
const fs = require('fs');
const [run, n, totalMs] = process.argv.slice(2);
const attempts = [];
let failed = 0;
for (let i = 1; i <= Number(n); i++) {
  const id = String(i).padStart(String(n).length, '0');
  const rc = fs.readFileSync(`${run}/rc${id}`, 'utf8').trim();
  if (rc !== '0') { failed++; console.error(`pipeline ${id}: exit ${rc}: ${fs.readFileSync(`${run}/err${id}.txt`, 'utf8').trim().split('\n').pop()}`); continue; }
  attempts.push(JSON.parse(fs.readFileSync(`${run}/out${id}.json`, 'utf8')).attempts);
}
attempts.sort((a, b) => a - b);
const med = attempts.length ? attempts[Math.floor(attempts.length / 2)] : '-';
const max = attempts.length ? attempts[attempts.length - 1] : '-';
fs.writeFileSync(`${run}/summary`, `${attempts.length} ${(totalMs / 1000).toFixed(1)} ${med} ${max} ${failed}\n`);
JS
  read -r landed secs med max failed <"$run/summary"
  # The remote must hold one commit per pipeline on top of the seed, and every new image.
  commits=$(git -C "$run/remote.git" rev-list --count main)
  images=$(git -C "$run/remote.git" grep -c ':2.0.0' main -- apps | wc -l)
  printf '| %s | %s | %s | %s | %s | %s |\n' "$n" "$landed" "$secs" "$med" "$max" "$failed"
  if [[ "$failed" != 0 || "$commits" != $((n + 1)) || "$images" != "$n" ]]; then
    echo "load: $n pipelines: $failed failed, $((commits - 1)) commits and $images new images on the remote" >&2
    exit 1
  fi
  rm -rf "$run"
done
