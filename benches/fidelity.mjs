// The fidelity table: each tool makes the same one-value edit of the same file; the table
// counts the lines that differ from the input besides the intended one, and says whether a
// tag written as `1.10` is still the string "1.10" for a YAML 1.2 reader and a YAML 1.1 one
// (Kubernetes' go-yaml). Tools: gitops-bump (the wasm build, in-process), npm `yaml`
// (Document API: parse, setIn, toString, as yaml-update-action does), js-yaml (load, change,
// dump), PyYAML and ruamel.yaml (round-trip mode) from benches/.venv, mikefarah yq
// (.tools/bin/yq, `-i`), and for the kustomization `kustomize edit set image`.
// Peers are installed by `bash benches/install-peers.sh`; a missing one is left out.
// Usage: node benches/fidelity.mjs [word …]   (only the workloads whose name holds a word)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const benchRequire = createRequire(join(here, 'package.json'));
const pkgRequire = createRequire(join(root, 'pkg/package.json'));
const optional = (req, name) => {
  try {
    return req(name);
  } catch {
    return null;
  }
};
const YAML = optional(benchRequire, 'yaml') ?? pkgRequire('yaml');
const jsyaml = optional(benchRequire, 'js-yaml');
const core = pkgRequire('./wasm/node/gitops_bump.js');
const { unifiedDiff } = await import(join(root, 'pkg/src/diff.js'));
const python = join(here, '.venv/bin/python');
const yq = join(root, '.tools/bin/yq');
const kustomize = join(root, '.tools/bin/kustomize');
const corpus = join(root, '../shared/corpus/real');

/** Workloads: file, gitops-bump path (+ selector), the concrete data path, the new value. */
const workloads = [
  { name: 'deployment 3 KB', file: join(here, 'data/deployment.yaml'), path: 'spec.template.spec.containers[name=api].image', value: 'ghcr.io/acme/api:1.10' },
  { name: 'redis values.yaml', file: join(corpus, 'bitnami__charts/bitnami/redis/values.yaml'), path: 'image.tag', value: '1.10', tag: true },
  { name: 'argo-cd install.yaml', file: join(corpus, 'argoproj__argo-cd/manifests/install.yaml'), path: 'spec.template.spec.containers[name=argocd-server].image', select: 'kind=Deployment,metadata.name=argocd-server', value: 'quay.io/argoproj/argocd:v1.10' },
  { name: 'kustomization image', file: join(here, 'data/kustomization.yaml'), path: 'images[name=ghcr.io/acme/api].newTag', value: '1.10', tag: true, kustomize: 'ghcr.io/acme/api:1.10' },
].filter((w) => existsSync(w.file) && (process.argv.length < 3 || process.argv.slice(2).some((a) => w.name.includes(a))));

/** The concrete [document, keys…] of a workload's path, resolved on plain data. */
function concrete(w, docs) {
  const parts = w.path.match(/[^.[\]]+|\[[^\]]*\]/g);
  for (let d = 0; d < docs.length; d++) {
    const doc = docs[d];
    if (w.select && !w.select.split(',').every((kv) => { const [k, v] = kv.split('='); return k.split('.').reduce((o, x) => o?.[x], doc) === v; })) continue;
    const keys = [];
    let node = doc;
    for (const p of parts) {
      const sel = /^\[(.+?)=(.+)\]$/.exec(p);
      if (sel) {
        const i = (node ?? []).findIndex((it) => it?.[sel[1]] === sel[2]);
        if (i < 0) { node = undefined; break; }
        keys.push(i);
        node = node[i];
      } else {
        keys.push(p);
        node = node?.[p];
      }
    }
    if (node !== undefined) return [d, keys];
  }
  throw new Error(`${w.name}: path not found`);
}

const setIn = (obj, keys, v) => { keys.slice(0, -1).reduce((o, k) => o[k], obj)[keys.at(-1)] = v; };

const tools = {
  'gitops-bump': (w, text) => core.setValue(text, w.path, w.value, w.select ? { select: w.select } : {}).text,
  'npm yaml (Document)': (w, text, [d, keys]) => {
    const docs = YAML.parseAllDocuments(text);
    docs[d].setIn(keys, w.value);
    return docs.map(String).join('');
  },
  ...(jsyaml && {
    'js-yaml (load, dump)': (w, text, [d, keys]) => {
      const docs = jsyaml.loadAll(text);
      setIn(docs[d], keys, w.value);
      return docs.map((x) => jsyaml.dump(x)).join('---\n');
    },
  }),
  ...(existsSync(python) && {
    'PyYAML (safe_load, dump)': (w, text, target) => py('pyyaml', text, target, w.value),
    'ruamel.yaml (round trip)': (w, text, target) => py('ruamel', text, target, w.value),
  }),
  ...(existsSync(yq) && {
    'yq v4 (-i)': (w, text, [d, keys], file) => {
      const p = keys.map((k) => (typeof k === 'number' ? `[${k}]` : `.${JSON.stringify(k)}`)).join('');
      execFileSync(yq, ['-i', `(select(documentIndex == ${d}) | ${p}) = ${JSON.stringify(w.value)}`, file]);
      return readFileSync(file, 'utf8');
    },
  }),
};

const PY = {
  pyyaml: 'import sys, json, yaml\nt, v = json.loads(sys.argv[1]), sys.argv[2]\ndocs = list(yaml.safe_load_all(sys.stdin))\nx = docs[t[0]]\nfor k in t[1][:-1]: x = x[k]\nx[t[1][-1]] = v\nsys.stdout.write(yaml.dump_all(docs, sort_keys=False))',
  ruamel: 'import sys, json\nfrom ruamel.yaml import YAML\ny = YAML()\ny.preserve_quotes = True\nt, v = json.loads(sys.argv[1]), sys.argv[2]\ndocs = list(y.load_all(sys.stdin))\nx = docs[t[0]]\nfor k in t[1][:-1]: x = x[k]\nx[t[1][-1]] = v\ny.dump_all(docs, sys.stdout)',
};
function py(which, text, target, value) {
  return execFileSync(python, ['-c', PY[which], JSON.stringify(target), value], { input: text, encoding: 'utf8', maxBuffer: 1 << 28 });
}

/** Lines removed and added by the change, besides the one intended line. */
function otherLines(before, after) {
  const d = unifiedDiff(before, after, { context: 0 }).split('\n');
  const minus = d.filter((l) => l.startsWith('-') && !l.startsWith('---')).length;
  const plus = d.filter((l) => l.startsWith('+') && !l.startsWith('+++')).length;
  return Math.max(minus, plus) - 1;
}

/** Whether the edited tag reads back as the string "1.10" in YAML 1.2 and YAML 1.1. */
function stillString(after, [d, keys]) {
  const read = (version) => YAML.parseAllDocuments(after, { version })[d].toJS();
  const get = (data) => keys.reduce((o, k) => o?.[k], data);
  const v12 = get(read('1.2'));
  const v11 = get(read('1.1'));
  return v12 === '1.10' && v11 === '1.10' ? 'yes' : `no (${JSON.stringify(v12)} / ${JSON.stringify(v11)})`;
}

const work = mkdtempSync(join(tmpdir(), 'gitops-bump-fidelity-'));
console.log('| workload | tool | other lines changed | tag `1.10` still a string (1.2 / 1.1) |');
console.log('|---|---|---:|---|');
for (const w of workloads) {
  const text = readFileSync(w.file, 'utf8');
  const target = concrete(w, jsyaml ? jsyaml.loadAll(text) : YAML.parseAllDocuments(text).map((x) => x.toJS()));
  const run = { ...tools };
  if (w.kustomize && existsSync(kustomize)) {
    run['kustomize edit set image'] = (_w, _text, _t, file) => {
      execFileSync(kustomize, ['edit', 'set', 'image', w.kustomize], { cwd: dirname(file) });
      return readFileSync(file, 'utf8');
    };
  }
  for (const [tool, edit] of Object.entries(run)) {
    const file = join(work, w.kustomize ? 'kustomization.yaml' : 'input.yaml');
    writeFileSync(file, text);
    let cells;
    try {
      const after = edit(w, text, target, file);
      cells = [otherLines(text, after), w.tag ? stillString(after, target) : '–'];
    } catch (error) {
      cells = ['failed', String(error.message).split('\n')[0].slice(0, 80)];
    }
    console.log(`| ${w.name} | ${tool} | ${cells[0]} | ${cells[1]} |`);
  }
}
rmSync(work, { recursive: true, force: true });
