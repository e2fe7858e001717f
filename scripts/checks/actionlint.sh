#!/usr/bin/env bash
# actionlint (v1.7.12, .tools/bin, built by scripts/setup-test) over every workflow of the
# repository and every workflow shown in its Markdown docs: each ```yaml block with a
# top-level `on:` and `jobs:` is written to a scratch .github/workflows/ and linted too.
# Fails when a workflow has a problem, or when the docs show fewer workflows than expected
# (a check that finds nothing must not pass).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
export PATH="$ROOT/.tools/bin:$PATH"
# The Action's README shows at least this many complete workflows.
MIN_DOC_WORKFLOWS=6

command -v actionlint >/dev/null || { echo "actionlint: not installed (run scripts/setup-test)" >&2; exit 1; }
version="$(actionlint -version | head -1)"
[[ "$version" == v1.7.12 ]] || { echo "actionlint: want v1.7.12, have $version" >&2; exit 1; }

mapfile -t repo_workflows < <(git ls-files -co --exclude-standard -- '.github/workflows/*.yml' '.github/workflows/*.yaml')
[[ ${#repo_workflows[@]} -ge 2 ]] || { echo "actionlint: expected the repository's workflows under .github/workflows/" >&2; exit 1; }
actionlint -no-color "${repo_workflows[@]}"

scratch="$(mktemp -d "${TMPDIR:-/tmp}/gb-actionlint.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/.github/workflows"
mapfile -t docs < <(git ls-files -co --exclude-standard -- '*.md' | grep -v -e '^node_modules/' -e '/node_modules/' || true)
node - "$scratch/.github/workflows" "${docs[@]}" <<'JS'
// Writes each workflow block of the given Markdown files to DIR/<file>-<line>.yml.
const fs = require('node:fs');
const path = require('node:path');
const [dir, ...docs] = process.argv.slice(2);
let n = 0;
for (const doc of docs) {
  const lines = fs.readFileSync(doc, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const open = /^(\s*)(`{3,}|~{3,})\s*ya?ml\s*$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence] = open;
    const body = [];
    let j = i + 1;
    for (; j < lines.length && lines[j].trim() !== fence; j += 1) body.push(lines[j].slice(indent.length));
    const text = `${body.join('\n')}\n`;
    if (/^on:/m.test(text) && /^jobs:/m.test(text)) {
      const name = `${doc.replace(/[^\w.-]+/g, '_')}-${i + 1}.yml`;
      fs.writeFileSync(path.join(dir, name), text);
      n += 1;
    }
    i = j;
  }
}
JS
count="$(find "$scratch/.github/workflows" -name '*.yml' | wc -l)"
[[ "$count" -ge "$MIN_DOC_WORKFLOWS" ]] || { echo "actionlint: found $count workflows in the docs, expected at least $MIN_DOC_WORKFLOWS" >&2; exit 1; }
(cd "$scratch" && actionlint -no-color .github/workflows/*.yml) | sed "s|^\.github/workflows/||"
echo "actionlint: ${#repo_workflows[@]} repository workflows and $count workflows from the docs are clean"
