#!/usr/bin/env bash
# Peers, for context (not part of `cargo bench`): the same edit of the same inputs as
# `cargo bench --bench edit`, done by
#   - npm `yaml` (what yaml-update-action uses): parseAllDocuments, setIn, toString;
#   - this project's wasm build under Node (pkg/wasm/node, built by scripts/setup): setValue;
#   - mikefarah `yq` v4 (.tools/bin/yq, built by scripts/setup): one process per edit,
#     so its times include process start-up (~10 ms), as a CI step would see them.
# Usage: bash benches/peers.sh [runs]   (default 5: at least that many timed runs per row,
# and in Node at least 1 s of them after 300 ms of warm-up; the table shows the median)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$ROOT/.tools/bin:$PATH"
runs="${1:-5}"
dir="target/bench-inputs"

cargo bench --quiet --bench edit -- --write-inputs "$dir" >/dev/null
[[ -d pkg/node_modules/yaml ]] || { echo "peers: pkg/node_modules/yaml missing; run scripts/setup" >&2; exit 1; }

printf '| input | size | tool | median ms/edit | MB/s |\n|---|---:|---|---:|---:|\n'

# npm yaml and the wasm build, in one Node process per input.
while IFS=$'\t' read -r file path value select name; do
  node --input-type=module - "$ROOT" "$dir/$file" "$path" "$value" "$select" "$name" "$runs" <<'EOF'
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
const [root, file, path, value, select, name, runsArg] = process.argv.slice(2);
const require = createRequire(`${root}/pkg/package.json`);
const YAML = require('yaml');
const text = readFileSync(file, 'utf8');
const runs = Number(runsArg);
const mb = Buffer.byteLength(text) / 1e6;

// `a.b[name=x].c` -> keys for setIn, resolving `[k=v]` against the document.
function keys(doc, p) {
  const out = [];
  for (const part of p.match(/[^.[\]]+|\[[^\]]*\]/g)) {
    const sel = /^\[(.+?)=(.+)\]$/.exec(part);
    if (sel) {
      const seq = doc.getIn(out);
      const i = seq.items.findIndex((it) => String(it.get(sel[1])) === sel[2]);
      if (i < 0) throw new Error(`no item ${part}`);
      out.push(i);
    } else {
      out.push(part);
    }
  }
  return out;
}
function matches(doc) {
  if (select === '-') return true;
  return select.split(',').every((kv) => {
    const [k, v] = kv.split('=');
    return String(doc.getIn(k.split('.'))) === v;
  });
}
function yamlEdit() {
  const docs = YAML.parseAllDocuments(text);
  let done = false;
  for (const d of docs) {
    if (done || !matches(d)) continue;
    try {
      d.setIn(keys(d, path), value);
      done = true;
    } catch {}
  }
  if (!done) throw new Error('npm yaml: path not found');
  return docs.map(String).join('');
}
// Warm-up for 300 ms (the wasm and JS tiers compile), then at least `runs` runs and 1 s.
function time(fn) {
  const now = () => Number(process.hrtime.bigint()) / 1e6;
  for (const w = now(); now() - w < 300; ) fn();
  const t = [];
  for (const m = now(); t.length < runs || (now() - m < 1000 && t.length < 2000); ) {
    const s = now();
    fn();
    t.push(now() - s);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}
const size = mb >= 1 ? `${mb.toFixed(1)} MB` : `${(mb * 1e3).toFixed(1)} KB`;
const row = (tool, ms) =>
  console.log(`| ${name} | ${size} | ${tool} | ${ms.toFixed(2)} | ${(mb / (ms / 1e3)).toFixed(1)} |`);
row('npm yaml 2 (parse, setIn, toString)', time(yamlEdit));
const wasm = `${root}/pkg/wasm/node/gitops_bump.js`;
if (existsSync(wasm)) {
  const core = require(wasm);
  const opts = select === '-' ? {} : { select };
  row('gitops-bump wasm (Node)', time(() => core.setValue(text, path, value, opts)));
}
EOF
done <"$dir/inputs.tsv"

# yq: one process per edit.
if command -v yq >/dev/null 2>&1; then
  while IFS=$'\t' read -r file path value select name; do
    expr="$(node -e '
      const [path, value, select] = process.argv.slice(1);
      const p = "." + path.replace(/\[([^=\]]+)=([^\]]+)\]/g, (_, k, v) => `[] | select(.${k} == ${JSON.stringify(v)}) |`)
        .replace(/\| \./g, "| .").replace(/\|$/, "");
      const sel = select === "-" ? "" : "select(" + select.split(",").map((kv) => {
        const [k, v] = kv.split("="); return `.${k} == ${JSON.stringify(v)}`; }).join(" and ") + ") | ";
      console.log(`(${sel}${p}) = ${JSON.stringify(value)}`);
    ' "$path" "$value" "$select")"
    times=()
    for _ in $(seq "$runs"); do
      s=$(date +%s%N)
      yq "$expr" "$dir/$file" >/dev/null
      times+=($((($(date +%s%N) - s) / 1000)))
    done
    median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
    bytes=$(wc -c <"$dir/$file")
    awk -v n="$name" -v b="$bytes" -v us="$median" \
      'BEGIN { s = b >= 1e6 ? sprintf("%.1f MB", b/1e6) : sprintf("%.1f KB", b/1e3);
             printf "| %s | %s | yq v4 (one process per edit) | %.2f | %.1f |\n", n, s, us/1e3, b/us }'
  done <"$dir/inputs.tsv"
else
  echo "(yq not found: run scripts/setup to build .tools/bin/yq)" >&2
fi
