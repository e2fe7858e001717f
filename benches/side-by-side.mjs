// The side-by-side benchmark: gitops-bump and the tools a user would pick instead make the
// same one-value edit of the same files, at two levels.
//   in-process     gitops-bump's JS API (pkg/src/index.js, the wasm core), npm `yaml`'s
//                  Document API (parseAllDocuments, setIn, toString) and js-yaml (load,
//                  change, dump), each in its own long-lived Node process; PyYAML
//                  (safe_load, dump) and ruamel.yaml (round-trip load, dump) each in its own
//                  long-lived Python process. The edit is timed inside that process, on a
//                  text already read; nothing is written.
//   whole-process  the command lines, each run as a fresh process on a fresh copy of the
//                  file: `gitops-bump set` / `image`, `yq -i`, `kustomize edit set image`,
//                  and a `node -e` / `python -c` one-liner per library. Wall time and peak
//                  RSS (`/usr/bin/time -f %M`).
// Runs alternate between tools (run 1 of every tool, then run 2 of every tool, …), so a
// change in the machine's load spreads over all of them. Tables: median, min, max, MB/s
// (input size over the median), peak RSS, and the ratio of the median to gitops-bump's.
// Peers come from `bash benches/install-peers.sh`; a missing one is left out and named.
//
// Usage: node benches/side-by-side.mjs [--runs N] [--budget S] [--timeout S]
//          [--inputs DIR] [--level in|process] [--tools a,b] [--smoke] [--verbose] [word …]
//   --runs N      timed runs per tool and workload (default 5)
//   --budget S    a tool whose first run on a workload took longer than S seconds, or
//                 whose runs there add up to more than twice S, gets no further runs on that
//                 workload (default 60)
//   --timeout S   a run still going after S seconds is stopped and shown as such (default 120)
//   --inputs DIR  where `cargo bench --bench edit -- --write-inputs DIR` wrote the generated
//                 20 MB stream (default target/bench-inputs; `bash benches/peers.sh` writes it)
//   --smoke       the 3 KB Deployment and the kustomization, one run, both levels (seconds);
//                 fails when a tool fails
//   --tools a,b   only gitops-bump and the tools whose name holds one of these words
//   --verbose     each run's time on stderr
//   word …        only the workloads whose name holds one of the words
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const benchRequire = createRequire(join(here, 'package.json'));
const pkgRequire = createRequire(join(root, 'pkg/package.json'));
const python = join(here, '.venv/bin/python');
const yq = join(root, '.tools/bin/yq');
const kustomize = join(root, '.tools/bin/kustomize');
const cli = join(root, 'pkg/bin/gitops-bump.js');
const corpus = join(root, '../shared/corpus/real');

/** Loads a module from benches/node_modules, else from pkg/node_modules, else null. */
function optional(name) {
  for (const req of [benchRequire, pkgRequire]) {
    try {
      return req.resolve(name);
    } catch {}
  }
  return null;
}

// ---------------------------------------------------------------------------------------
// The edits, shared by the in-process workers and the one-liners: each peer gets the
// concrete target [document index, keys…] resolved beforehand (gitops-bump resolves its
// own path and selector), so the peers' times hold no path resolution at all.

/** The JS edit functions, by tool; `text` → edited text. */
const JS_EDITS = {
  'npm-yaml': `(YAML, text, [d, keys], value) => {
    const docs = YAML.parseAllDocuments(text);
    docs[d].setIn(keys, value);
    return docs.map(String).join('');
  }`,
  'js-yaml': `(jsyaml, text, [d, keys], value) => {
    const docs = jsyaml.loadAll(text);
    keys.slice(0, -1).reduce((o, k) => o[k], docs[d])[keys.at(-1)] = value;
    return docs.map((x) => jsyaml.dump(x)).join('---\\n');
  }`,
};

/** The Python edit functions, by tool: `edit(text, target, value)` → edited text. */
const PY_EDITS = {
  pyyaml: `import yaml
def edit(text, t, v):
    docs = list(yaml.safe_load_all(text))
    x = docs[t[0]]
    for k in t[1][:-1]: x = x[k]
    x[t[1][-1]] = v
    return yaml.dump_all(docs, sort_keys=False)
`,
  ruamel: `import io
from ruamel.yaml import YAML
def edit(text, t, v):
    y = YAML()
    y.preserve_quotes = True
    docs = list(y.load_all(text))
    x = docs[t[0]]
    for k in t[1][:-1]: x = x[k]
    x[t[1][-1]] = v
    out = io.StringIO()
    y.dump_all(docs, out)
    return out.getvalue()
`,
};

/** The Python worker: one JSON request per line, one JSON answer per line. */
const PY_WORKER = `
import sys, json, time
cache = {}
for line in sys.stdin:
    r = json.loads(line)
    if r['file'] not in cache:
        cache.clear()
        with open(r['file'], encoding='utf-8') as f: cache[r['file']] = f.read()
    text = cache[r['file']]
    if r['warm']:
        w = time.perf_counter()
        while time.perf_counter() - w < 0.3: edit(text, r['target'], r['value'])
    t = time.perf_counter()
    out = edit(text, r['target'], r['value'])
    ms = (time.perf_counter() - t) * 1000
    print(json.dumps({'ms': ms, 'ok': r['value'] in out and out != text}), flush=True)
`;

/** The Python one-liner: edits FILE in place. */
const PY_ONCE = `
import sys, json
with open(sys.argv[1], encoding='utf-8') as f: text = f.read()
out = edit(text, json.loads(sys.argv[2]), sys.argv[3])
with open(sys.argv[1], 'w', encoding='utf-8') as f: f.write(out)
`;

/** The Node one-liner for a JS library: edits FILE in place. */
const jsOnce = (tool) => `const fs = require('fs');
const lib = require(${JSON.stringify(optional(tool === 'npm-yaml' ? 'yaml' : 'js-yaml'))});
const [file, target, value] = process.argv.slice(1);
fs.writeFileSync(file, (${JS_EDITS[tool]})(lib, fs.readFileSync(file, 'utf8'), JSON.parse(target), value));`;

// ---------------------------------------------------------------------------------------
// Worker mode: `node side-by-side.mjs --worker TOOL` answers requests on stdin.

async function worker(tool) {
  let edit;
  if (tool === 'gitops-bump') {
    const api = await import(pathToFileURL(join(root, 'pkg/src/index.js')).href);
    edit = (text, w) => (w.spec ? api.setImage(text, w.spec) : api.setValue(text, w.path, w.value, w.select ? { select: w.select } : {})).text;
  } else {
    const lib = benchRequire(optional(tool === 'npm-yaml' ? 'yaml' : 'js-yaml'));
    const fn = eval(JS_EDITS[tool]);
    edit = (text, w) => fn(lib, text, w.target, w.value);
  }
  const cache = new Map();
  const now = () => Number(process.hrtime.bigint()) / 1e6;
  for await (const line of createInterface({ input: process.stdin })) {
    const w = JSON.parse(line);
    if (!cache.has(w.file)) {
      cache.clear();
      cache.set(w.file, readFileSync(w.file, 'utf8'));
    }
    const text = cache.get(w.file);
    let answer;
    try {
      if (w.warm) for (const s = now(); now() - s < 300; ) edit(text, w);
      const s = now();
      const out = edit(text, w);
      answer = { ms: now() - s, ok: out !== text && out.includes(w.value) };
    } catch (error) {
      answer = { error: String(error.message).split('\n')[0].slice(0, 100) };
    }
    process.stdout.write(`${JSON.stringify(answer)}\n`);
  }
}

/** A long-lived worker process with one request in flight at a time. */
class Worker {
  constructor(tool) {
    this.tool = tool;
  }

  start() {
    const py = PY_EDITS[this.tool];
    this.child = py
      ? spawn(python, ['-c', py + PY_WORKER], { stdio: ['pipe', 'pipe', 'inherit'] })
      : spawn(process.execPath, ['--max-old-space-size=8192', fileURLToPath(import.meta.url), '--worker', this.tool], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.lines = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }

  /** One timed edit: {ms, ok} or {error}; stops the worker after `timeout` ms. */
  async run(request, timeout) {
    if (!this.child) this.start();
    this.child.stdin.write(`${JSON.stringify(request)}\n`);
    let timer;
    const late = new Promise((resolve) => {
      timer = setTimeout(() => resolve({ timeout: true }), timeout);
    });
    const next = this.lines.next().then((r) => (r.done ? { error: 'worker exited' } : JSON.parse(r.value)));
    const answer = await Promise.race([next, late]);
    clearTimeout(timer);
    if (answer.timeout || answer.error === 'worker exited') this.stop();
    return answer;
  }

  stop() {
    this.child?.kill('SIGKILL');
    this.child = null;
  }
}

// ---------------------------------------------------------------------------------------
// Whole-process: one fresh process per run, on a fresh copy of the input.

/** Runs argv under /usr/bin/time; resolves {ms, rssMB} or {error} or {timeout}. */
function runProcess(argv, cwd, timeout) {
  const rssFile = join(cwd, '.rss');
  const timed = existsSync('/usr/bin/time') ? ['/usr/bin/time', '-f', '%M', '-o', rssFile, ...argv] : argv;
  return new Promise((resolve) => {
    const s = process.hrtime.bigint();
    // Its own process group, so that stopping it stops the tool under /usr/bin/time too.
    const child = spawn(timed[0], timed.slice(1), { cwd, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      process.kill(-child.pid, 'SIGKILL');
    }, timeout);
    child.on('close', (code) => {
      clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - s) / 1e6;
      if (late) return resolve({ timeout: true });
      if (code !== 0) return resolve({ error: `exit ${code}: ${stderr.trim().split('\n')[0].slice(0, 100)}` });
      const rss = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').at(-1)) / 1024 : NaN;
      resolve({ ms, rssMB: rss });
    });
  });
}

/** The yq expression that makes a workload's edit, in yq's own select grammar. */
function yqExpression(w) {
  const steps = w.path.match(/[^.[\]]+|\[[^\]]*\]/g).map((part) => {
    const sel = /^\[(.+?)=(.+)\]$/.exec(part);
    return sel ? `[] | select(.${sel[1]} == ${JSON.stringify(sel[2])}) | ` : `.${JSON.stringify(part)}`;
  });
  const path = steps.join('').replace(/\| $/, '').replace(/\| \./g, '| .');
  const select = w.select
    ? `select(${w.select.split(',').map((kv) => { const [k, v] = kv.split('='); return `.${k} == ${JSON.stringify(v)}`; }).join(' and ')}) | `
    : '';
  return `(${select}${path}) = ${JSON.stringify(w.value)}`;
}

/** The whole-process tools: name → (workload, file) → argv, or null where it does not apply. */
function processTools() {
  const tools = {
    'gitops-bump (CLI)': (w, file) =>
      w.spec ? [process.execPath, cli, 'image', file, w.spec, '--force'] : [process.execPath, cli, 'set', file, w.path, w.value, ...(w.select ? ['--select', w.select] : [])],
  };
  if (existsSync(yq)) tools['yq -i'] = (w, file) => [yq, '-i', yqExpression(w), file];
  if (existsSync(kustomize)) tools['kustomize edit set image'] = (w) => (w.spec ? [kustomize, 'edit', 'set', 'image', w.spec] : null);
  for (const [tool, name] of [['npm-yaml', 'npm yaml (node -e)'], ['js-yaml', 'js-yaml (node -e)']]) {
    if (optional(tool === 'npm-yaml' ? 'yaml' : 'js-yaml')) tools[name] = (w, file) => [process.execPath, '-e', jsOnce(tool), file, JSON.stringify(w.target), w.value];
  }
  if (existsSync(python)) {
    for (const [tool, name] of [['pyyaml', 'PyYAML (python -c)'], ['ruamel', 'ruamel.yaml (python -c)']]) {
      tools[name] = (w, file) => [python, '-c', PY_EDITS[tool] + PY_ONCE, file, JSON.stringify(w.target), w.value];
    }
  }
  return tools;
}

// ---------------------------------------------------------------------------------------
// Workloads.

/** A single 20 MB document: one mapping of apps, each with an `image:`; the edit is near its end. */
function singleMapping(dir, bytes) {
  const parts = [];
  let size = 0;
  let i = 0;
  while (size < bytes) {
    const unit = `key${String(i).padStart(7, '0')}:\n  image: registry.example.com/app:${i} # pinned\n  replicas: 3\n`;
    parts.push(unit);
    size += unit.length;
    i++;
  }
  const file = join(dir, 'single-mapping.yaml');
  writeFileSync(file, parts.join(''));
  return { file, path: `key${String(i - 2).padStart(7, '0')}.image`, value: 'registry.example.com/app:2.0.0' };
}

/** The generated 20 MB stream from `cargo bench --bench edit -- --write-inputs DIR`, or null. */
function generatedStream(dir) {
  const index = join(dir, 'inputs.tsv');
  if (!existsSync(index)) return null;
  for (const line of readFileSync(index, 'utf8').split('\n')) {
    const [file, path, value, select, name] = line.split('\t');
    if (name === 'generated 20 MB') return { file: join(dir, file), path, value, select: select === '-' ? undefined : select };
  }
  return null;
}

function workloads(opts, scratch) {
  const list = [
    { name: 'deployment 3 KB', file: join(here, 'data/deployment.yaml'), path: 'spec.template.spec.containers[name=api].image', value: 'ghcr.io/acme/api:1.25.0' },
    { name: 'kustomization image', file: join(here, 'data/kustomization.yaml'), path: 'images[name=ghcr.io/acme/api].newTag', value: '1.10', spec: 'ghcr.io/acme/api:1.10' },
  ];
  if (!opts.smoke) {
    list.push(
      { name: 'redis values.yaml', file: join(corpus, 'bitnami__charts/bitnami/redis/values.yaml'), path: 'image.tag', value: '8.2.2-debian-12-r0' },
      { name: 'argo-cd install.yaml', file: join(corpus, 'argoproj__argo-cd/manifests/install.yaml'), path: 'spec.template.spec.containers[name=argocd-server].image', select: 'kind=Deployment,metadata.name=argocd-server', value: 'quay.io/argoproj/argocd:v3.1.9' },
    );
    const stream = generatedStream(opts.inputs);
    if (stream) list.push({ name: 'generated 20 MB stream', ...stream });
    else console.error(`side-by-side: no generated stream in ${opts.inputs}: run \`cargo bench --bench edit -- --write-inputs ${opts.inputs}\` (bash benches/peers.sh does)`);
    list.push({ name: 'generated 20 MB single mapping', ...singleMapping(scratch, 20_000_000) });
  }
  return list
    .filter((w) => existsSync(w.file) || void console.error(`side-by-side: ${w.name} skipped (${w.file} not found)`))
    .filter((w) => opts.words.length === 0 || opts.words.some((x) => w.name.includes(x)))
    .map((w) => ({ ...w, bytes: statSync(w.file).size }));
}

/** The concrete [document, keys…] of a workload's path, for the peers (resolved on plain data). */
function concrete(w) {
  const jsyaml = optional('js-yaml');
  const text = readFileSync(w.file, 'utf8');
  const docs = jsyaml ? benchRequire(jsyaml).loadAll(text) : pkgRequire('yaml').parseAllDocuments(text).map((d) => d.toJS());
  const get = (o, k) => k.split('.').reduce((x, p) => x?.[p], o);
  for (let d = 0; d < docs.length; d++) {
    if (w.select && !w.select.split(',').every((kv) => { const [k, v] = kv.split('='); return get(docs[d], k) === v; })) continue;
    const keys = [];
    let node = docs[d];
    for (const part of w.path.match(/[^.[\]]+|\[[^\]]*\]/g)) {
      const sel = /^\[(.+?)=(.+)\]$/.exec(part);
      const key = sel ? (node ?? []).findIndex((it) => it?.[sel[1]] === sel[2]) : part;
      node = key === -1 ? undefined : node?.[key];
      keys.push(key);
    }
    if (node !== undefined) return [d, keys];
  }
  throw new Error(`${w.name}: ${w.path} not found`);
}

// ---------------------------------------------------------------------------------------
// Statistics and tables.

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmtMs = (ms) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
const fmtRate = (x) => (x >= 10 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toPrecision(2));
const fmtSize = (b) => (b >= 1e6 ? `${(b / 1e6).toFixed(1)} MB` : `${(b / 1e3).toFixed(1)} KB`);

/** One table row per tool of a workload; `ref` is gitops-bump's median. */
function rows(w, results, withRss) {
  const ref = results['gitops-bump'] ?? results['gitops-bump (CLI)'];
  const refMs = ref?.ms.length ? median(ref.ms) : NaN;
  return Object.entries(results).map(([tool, r]) => {
    const cells = [w.name, fmtSize(w.bytes), tool];
    if (r.ms.length === 0) {
      cells.push(r.note ?? 'no run', '', '', '', ...(withRss ? [''] : []), '', '0');
    } else {
      const m = median(r.ms);
      cells.push(fmtMs(m), fmtMs(Math.min(...r.ms)), fmtMs(Math.max(...r.ms)), fmtRate(w.bytes / 1e6 / (m / 1e3)));
      if (withRss) cells.push(Number.isFinite(median(r.rss)) ? median(r.rss).toFixed(0) : '?');
      const ratio = m / refMs;
      cells.push(Number.isFinite(ratio) ? `${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(2)}×` : '–', `${r.ms.length}${r.note ? ` (${r.note})` : ''}`);
    }
    return `| ${cells.join(' | ')} |`;
  });
}

function table(title, withRss, body) {
  console.log(`\n### ${title}\n`);
  console.log(`| workload | size | tool | median ms | min ms | max ms | MB/s |${withRss ? ' peak RSS MB |' : ''} ÷ gitops-bump | runs |`);
  console.log(`|---|---:|---|---:|---:|---:|---:|${withRss ? '---:|' : ''}---:|---|`);
  for (const line of body) console.log(line);
}

// ---------------------------------------------------------------------------------------
// The two levels, round-robin over tools.

/** What failed or was stopped, for `--smoke`'s exit code. */
const failures = [];

/** Runs `opts.runs` rounds over `tools` (name → run(run index) → answer); returns results. */
async function rounds(all, opts) {
  const tools = Object.fromEntries(Object.entries(all).filter(([t]) => !opts.tools || t.startsWith('gitops-bump') || opts.tools.some((x) => t.includes(x))));
  const results = Object.fromEntries(Object.keys(tools).map((t) => [t, { ms: [], rss: [] }]));
  for (let run = 0; run < opts.runs; run++) {
    for (const [tool, go] of Object.entries(tools)) {
      const r = results[tool];
      if (r.stopped) continue;
      const a = await go(run);
      if (a.timeout) Object.assign(r, { stopped: true, note: `stopped after ${opts.timeout / 1e3} s` });
      else if (a.error) Object.assign(r, { stopped: true, note: `failed: ${a.error}` });
      else if (a.ok === false) Object.assign(r, { stopped: true, note: 'failed: output lacks the new value' });
      else {
        r.ms.push(a.ms);
        if (a.rssMB !== undefined) r.rss.push(a.rssMB);
        const total = r.ms.reduce((x, y) => x + y, 0);
        if (run + 1 < opts.runs && run === 0 && a.ms > opts.budget) Object.assign(r, { stopped: true, note: `first run over ${opts.budget / 1e3} s` });
        else if (run + 1 < opts.runs && total > 2 * opts.budget) Object.assign(r, { stopped: true, note: `runs so far over ${(2 * opts.budget) / 1e3} s` });
      }
      if (r.note?.startsWith('failed') || r.note?.startsWith('stopped')) failures.push(`${tool}: ${r.note}`);
      if (opts.verbose) console.error(`  ${tool} run ${run + 1}: ${a.ms ? `${fmtMs(a.ms)} ms` : JSON.stringify(a)}`);
    }
  }
  return results;
}

async function inProcess(list, opts) {
  const names = ['gitops-bump'];
  if (optional('yaml')) names.push('npm-yaml');
  if (optional('js-yaml')) names.push('js-yaml');
  if (existsSync(python)) names.push('pyyaml', 'ruamel');
  const label = { 'gitops-bump': 'gitops-bump', 'npm-yaml': 'npm yaml (Document)', 'js-yaml': 'js-yaml (load, dump)', pyyaml: 'PyYAML (safe_load, dump)', ruamel: 'ruamel.yaml (round trip)' };
  const workers = names.map((n) => new Worker(n));
  const body = [];
  try {
    for (const w of list) {
      console.error(`side-by-side: in-process, ${w.name}`);
      const tools = Object.fromEntries(workers.map((k) => [label[k.tool], (run) => k.run({ ...w, warm: run === 0 && w.bytes < 1e6 && !opts.smoke }, opts.timeout)]));
      body.push(...rows(w, await rounds(tools, opts), false));
    }
  } finally {
    for (const k of workers) k.stop();
  }
  table('In-process (one edit of a text already in memory)', false, body);
}

async function wholeProcess(list, opts, scratch) {
  const tools = processTools();
  const body = [];
  for (const w of list) {
    console.error(`side-by-side: whole-process, ${w.name}`);
    const apply = Object.fromEntries(
      Object.entries(tools)
        .filter(([, argv]) => argv(w, 'x') !== null)
        .map(([tool, argv]) => [
          tool,
          async () => {
            const dir = mkdtempSync(join(scratch, 'run-'));
            const file = join(dir, w.spec ? 'kustomization.yaml' : 'input.yaml');
            copyFileSync(w.file, file);
            chmodSync(file, 0o644); // the corpus is read-only, and yq -i refuses such a file
            const a = await runProcess(argv(w, file), dir, opts.timeout);
            if (!a.timeout && !a.error) {
              const out = readFileSync(file, 'utf8');
              a.ok = out.includes(w.value) && out !== readFileSync(w.file, 'utf8');
            }
            rmSync(dir, { recursive: true, force: true });
            return a;
          },
        ]),
    );
    body.push(...rows(w, await rounds(apply, opts), true));
  }
  table('Whole-process (a fresh process per edit, on a fresh copy of the file)', true, body);
}

function versions() {
  const v = [`Node ${process.version}`];
  const pkgVersion = (name) => {
    try {
      return JSON.parse(readFileSync(join(dirname(optional(name)).replace(/(node_modules\/[^/]+).*/, '$1'), 'package.json'), 'utf8')).version;
    } catch {
      return '?';
    }
  };
  if (optional('yaml')) v.push(`npm yaml ${pkgVersion('yaml')}`);
  if (optional('js-yaml')) v.push(`js-yaml ${pkgVersion('js-yaml')}`);
  const tryRun = (f) => {
    try {
      return f();
    } catch {
      return null;
    }
  };
  const py = existsSync(python) && tryRun(() => execFileSync(python, ['-c', 'import sys, yaml, ruamel.yaml; print("Python %s, PyYAML %s, ruamel.yaml %s" % (sys.version.split()[0], yaml.__version__, ruamel.yaml.__version__))'], { encoding: 'utf8' }).trim());
  if (py) v.push(py);
  const yqv = existsSync(yq) && tryRun(() => execFileSync(yq, ['--version'], { encoding: 'utf8' }).trim().replace(/.* version /, 'yq '));
  if (yqv) v.push(yqv);
  // A kustomize built with `go install` reports "(devel)"; its module version is in the binary.
  const kv =
    existsSync(kustomize) &&
    (tryRun(() => /\bmod\s+\S+\s+(v\S+)/.exec(execFileSync('go', ['version', '-m', kustomize], { encoding: 'utf8' }))[1]) ??
      tryRun(() => execFileSync(kustomize, ['version'], { encoding: 'utf8' }).trim()));
  if (kv) v.push(`kustomize ${kv}`);
  return v.join(', ');
}

function parseArgs(argv) {
  const opts = { runs: 5, budget: 60e3, timeout: 120e3, inputs: join(root, 'target/bench-inputs'), level: null, smoke: false, verbose: false, words: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => {
      const n = Number(argv[++i]);
      if (!(n > 0)) throw new Error(`${a} needs a positive number`);
      return n;
    };
    if (a === '--runs') opts.runs = Math.floor(num());
    else if (a === '--budget') opts.budget = num() * 1e3;
    else if (a === '--timeout') opts.timeout = num() * 1e3;
    else if (a === '--inputs') opts.inputs = argv[++i];
    else if (a === '--level') opts.level = argv[++i];
    else if (a === '--smoke') Object.assign(opts, { smoke: true, runs: 1, timeout: 30e3 });
    else if (a === '--verbose') opts.verbose = true;
    else if (a === '--tools') opts.tools = argv[++i].split(',');
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else opts.words.push(a);
  }
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const scratch = mkdtempSync(join(tmpdir(), 'gitops-bump-side-by-side-'));
  mkdirSync(scratch, { recursive: true });
  try {
    const list = workloads(opts, scratch).map((w) => ({ ...w, target: concrete(w) }));
    console.log(`${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}; load average at start ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    console.log(`${versions()}; ${opts.runs} run(s) per row, alternating tools`);
    if (opts.level !== 'process') await inProcess(list, opts);
    if (opts.level !== 'in') await wholeProcess(list, opts, scratch);
    if (opts.smoke && failures.length) {
      console.error(`side-by-side --smoke: ${failures.join('; ')}`);
      process.exitCode = 1;
    }
    console.log(`\nload average at end ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--worker') {
  await worker(process.argv[3]);
} else {
  await main();
}
