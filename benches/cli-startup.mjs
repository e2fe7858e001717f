// CLI start-up: `gitops-bump set` on a 3 KB Deployment against bare `node -e 0`, run
// alternately, each a fresh process on a fresh copy of the file, after two warm-up runs
// of each (file cache). Wall time and, through /usr/bin/time, CPU time (user + system, all
// threads): on a shared machine the CPU time is the steadier of the two. Then, in separate processes, where the time goes: importing the
// CLI's modules, loading and instantiating the wasm core, and the edit itself.
// Usage: node benches/cli-startup.mjs [runs]   (default 20)
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Math.max(3, Number(process.argv[2] ?? 20));
const work = mkdtempSync(join(tmpdir(), 'gitops-bump-startup-'));
const file = join(work, 'deployment.yaml');
const cli = join(root, 'pkg/bin/gitops-bump.js');
const path = 'spec.template.spec.containers[name=api].image';

const commands = {
  'node -e 0': () => ['node', ['-e', '0']],
  'gitops-bump set (3 KB)': () => {
    copyFileSync(join(root, 'benches/data/deployment.yaml'), file);
    return ['node', [cli, 'set', file, path, 'ghcr.io/acme/api:1.25.0']];
  },
};

const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const timeOut = join(work, 'time');

/** One run: wall and CPU milliseconds (CPU NaN without /usr/bin/time); the exit status must be 0. */
function once(make) {
  const [cmd, args] = make();
  const [c, a] = timeBin ? [timeBin, ['-f', '%U %S', '-o', timeOut, cmd, ...args]] : [cmd, args];
  const s = process.hrtime.bigint();
  const r = spawnSync(c, a, { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - s) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  const cpu = timeBin ? readFileSync(timeOut, 'utf8').trim().split(/\s+/).map(Number).reduce((x, y) => x + y, 0) * 1e3 : NaN;
  return { ms, cpu };
}

const times = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
const cpus = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
for (let i = 0; i < runs + 2; i++) {
  for (const [name, make] of Object.entries(commands)) {
    const { ms, cpu } = once(make);
    if (i >= 2) {
      times[name].push(ms);
      cpus[name].push(cpu);
    }
  }
}
const stats = (t) => {
  const s = [...t].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
};
console.log(`| command (${runs} runs each, alternating) | wall ms median | min | max | CPU ms median | min |`);
console.log('|---|---:|---:|---:|---:|---:|');
for (const [name, t] of Object.entries(times)) {
  const { median, min, max } = stats(t);
  const c = stats(cpus[name]);
  console.log(`| ${name} | ${median.toFixed(1)} | ${min.toFixed(1)} | ${max.toFixed(1)} | ${c.median.toFixed(0)} | ${c.min.toFixed(0)} |`);
}
const [node, set] = ['node -e 0', 'gitops-bump set (3 KB)'].map((k) => stats(times[k]));
const [nodeCpu, setCpu] = ['node -e 0', 'gitops-bump set (3 KB)'].map((k) => stats(cpus[k]));
console.log(`\nadded by gitops-bump: wall median ${(set.median - node.median).toFixed(1)} ms, min ${(set.min - node.min).toFixed(1)} ms; CPU median ${(setCpu.median - nodeCpu.median).toFixed(0)} ms, min ${(setCpu.min - nodeCpu.min).toFixed(0)} ms (target: 60 ms wall)`);

// Where the time goes, inside one process (median of `runs` processes): the CLI's own
// steps, timed by wrapping what they call. The wasm glue is loaded before main() (main
// would load it on its first edit) so that reading, compiling and instantiating the wasm
// are timed apart; file-system calls before the edit count as reading, those after it
// (lock, re-read, temporary file, rename) as writing, and fsync on its own.
const probe = `
const t0 = performance.now();
const { main } = await import(${JSON.stringify(join(root, 'pkg/src/cli.js'))});
const tiering = ${JSON.stringify(join(root, 'pkg/src/tiering.js'))};
const fs = (await import('node:fs')).default;
if (fs.existsSync(tiering)) (await import(tiering)).tuneWasmTieringForOneShot();
const t1 = performance.now();
const spent = { wasmRead: 0, compile: 0, instantiate: 0, read: 0, write: 0, fsync: 0, edit: 0 };
let phase = 'read';
const timed = (fn, key) => function (...args) {
  const s = performance.now();
  try { return Reflect.apply(fn, this, args); } finally { spent[typeof key === 'function' ? key(args) : key] += performance.now() - s; }
};
const { Module, Instance } = WebAssembly;
WebAssembly.Module = new Proxy(Module, { construct(T, a) { const s = performance.now(); try { return new T(...a); } finally { spent.compile += performance.now() - s; } } });
WebAssembly.Instance = new Proxy(Instance, { construct(T, a) { const s = performance.now(); try { return new T(...a); } finally { spent.instantiate += performance.now() - s; } } });
const readFileSync = fs.readFileSync;
fs.readFileSync = timed(readFileSync, () => 'wasmRead');
const { createRequire } = await import('node:module');
const glue = createRequire(import.meta.url)(${JSON.stringify(join(root, 'pkg/wasm/node/gitops_bump.js'))});
fs.readFileSync = readFileSync;
WebAssembly.Module = Module;
WebAssembly.Instance = Instance;
const t2 = performance.now();
const setValue = glue.setValue;
glue.setValue = function (...args) {
  const s = performance.now();
  try { return setValue.apply(this, args); } finally { spent.edit += performance.now() - s; phase = 'write'; }
};
const originals = {};
for (const name of ['openSync', 'readSync', 'fstatSync', 'statSync', 'realpathSync', 'existsSync', 'closeSync', 'readFileSync', 'writeSync', 'writeFileSync', 'fchmodSync', 'fchownSync', 'renameSync', 'rmSync']) {
  originals[name] = fs[name];
  fs[name] = timed(fs[name], () => phase);
}
originals.fsyncSync = fs.fsyncSync;
fs.fsyncSync = timed(fs.fsyncSync, 'fsync');
const sink = { write() {} };
const code = await main(['set', ${JSON.stringify(file)}, ${JSON.stringify(path)}, 'ghcr.io/acme/api:1.25.0'], { stdout: sink, stderr: sink, cwd: ${JSON.stringify(work)} });
const t3 = performance.now();
Object.assign(fs, originals);
if (code !== 0) throw new Error('exit ' + code);
const inMain = spent.read + spent.write + spent.fsync + spent.edit;
console.log(JSON.stringify({ modules: t1 - t0, wasmRead: spent.wasmRead, compile: spent.compile, instantiate: spent.instantiate,
  glue: t2 - t1 - spent.wasmRead - spent.compile - spent.instantiate, args: t3 - t2 - inMain,
  read: spent.read, edit: spent.edit, write: spent.write, fsync: spent.fsync, total: t3 - t0 }));
`;
const label = {
  modules: 'module loading: `pkg/src/cli.js` and what it imports',
  wasmRead: 'wasm: read the `.wasm` file',
  compile: 'wasm: compile (`new WebAssembly.Module`)',
  instantiate: 'wasm: instantiate (`new WebAssembly.Instance`)',
  glue: 'wasm: the rest of the bindings\' module',
  args: 'parse arguments, build and check the plan, report',
  read: 'read (resolve, open, read the file)',
  edit: 'edit (first call into the core: includes compiling the functions it runs)',
  write: 'write (lock, re-read, temporary file, rename)',
  fsync: 'fsync of the new file',
  total: 'total inside the process',
};
const parts = Object.fromEntries(Object.keys(label).map((k) => [k, []]));
for (let i = 0; i < runs; i++) {
  copyFileSync(join(root, 'benches/data/deployment.yaml'), file);
  const out = execFileSync('node', ['--input-type=module', '-e', probe], { encoding: 'utf8', cwd: work });
  const r = JSON.parse(out);
  for (const k of Object.keys(parts)) parts[k].push(r[k]);
}
console.log('\n| where the time goes (wall) | median ms | min ms |\n|---|---:|---:|');
console.log(`| node start (\`node -e 0\`, whole process, from the table above) | ${node.median.toFixed(1)} | ${node.min.toFixed(1)} |`);
for (const [k, t] of Object.entries(parts)) {
  const { median, min } = stats(t);
  console.log(`| ${label[k]} | ${median.toFixed(1)} | ${min.toFixed(1)} |`);
}
rmSync(work, { recursive: true, force: true });
