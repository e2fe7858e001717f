#!/usr/bin/env bash
# `gitops-bump image . SPEC --scan` over a generated config repository: apps × 5 environments,
# each environment a directory of 20 files (a kustomization, Helm values, 18 manifests), so
# 100 apps make 10,000 files. The first app's image is used in every environment of that app.
# Prints wall and CPU seconds and peak RSS per size, and the time per 1,000 files (linear:
# about the same on every row). Usage: bash benches/scan.sh [apps …]  (default: 13 25 50 100)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLI="$ROOT/pkg/bin/gitops-bump.js"
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(13 25 50 100)
work="$(mktemp -d "${TMPDIR:-/tmp}/gitops-bump-scan.XXXXXX")"
trap 'rm -rf "$work"' EXIT
[[ -x /usr/bin/time ]] || { echo "scan: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }

generate() { # generate DIR APPS
  node - "$1" "$2" <<'JS'
const fs = require('fs');
const [dir, apps] = [process.argv[2], Number(process.argv[3])];
for (let a = 0; a < apps; a++) {
  const app = `app-${String(a).padStart(3, '0')}`;
  for (const env of ['dev', 'test', 'staging', 'prod-eu', 'prod-us']) {
    const d = `${dir}/apps/${app}/${env}`;
    fs.mkdirSync(d, { recursive: true });
    const manifests = [];
    for (let m = 0; m < 18; m++) {
      const name = `${app}-part${m}`;
      manifests.push(`part${m}.yaml`);
      fs.writeFileSync(`${d}/part${m}.yaml`, m % 3 === 0
        ? `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name} # ${env}\nspec:\n  template:\n    spec:\n      containers:\n        - name: main\n          image: registry.example.com/${app}/part${m}:1.0.${m}\n          ports:\n            - containerPort: 8080\n`
        : `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  ENV: ${env}\n  LEVEL: "${m}"\n`);
    }
    fs.writeFileSync(`${d}/kustomization.yaml`, `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${manifests.map((f) => `  - ${f}`).join('\n')}\nimages:\n  - name: registry.example.com/${app}/part0\n    newTag: 1.0.0 # {"$imagepolicy": "flux-system:${app}:tag"}\n`);
    fs.writeFileSync(`${d}/values.yaml`, `# Helm values for ${app} in ${env}\nimage:\n  repository: registry.example.com/${app}/part0\n  tag: "1.0.0"\nreplicaCount: 2\n`);
  }
}
JS
}

printf '| files | wall s | CPU s | peak RSS MB | CPU ms per 1,000 files | files changed |\n|---:|---:|---:|---:|---:|---:|\n'
for apps in "${sizes[@]}"; do
  dir="$work/$apps"
  generate "$dir" "$apps"
  files=$(find "$dir" -type f | wc -l)
  spec="registry.example.com/app-000/part0:2.0.0"
  cd "$dir"
  /usr/bin/time -f '%e %U %S %M' -o "$work/time" timeout 900 node "$CLI" image . "$spec" --scan --json >"$work/out.json"
  read -r wall user sys rss <"$work/time"
  changed=$(node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log((r.changed ?? []).length)' "$work/out.json")
  awk -v f="$files" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" -v c="$changed" \
    'BEGIN { printf "| %d | %.2f | %.2f | %.0f | %.0f | %s |\n", f, w, u + s, r / 1024, 1000 * (u + s) * 1000 / f, c }'
  cd "$ROOT"
  rm -rf "$dir"
done
