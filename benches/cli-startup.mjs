// CLI start-up, side by side: `gitops-bump set` on a 3 KB Deployment against bare
// `node -e 0`, on Node 20 (the `node` on the PATH) and Node 24 (.tools/bin/node24, which
// scripts/setup-test installs), and yq (.tools/bin/yq) making the same edit in place.
// gitops-bump runs two ways: as installed from npm (the tarball packed from a clean clone,
// installed into a scratch project: the bin requires the one-file CommonJS bundle
// dist/cli.cjs, with Node's compile cache where the Node has one) and from a checkout
// (`node pkg/bin/gitops-bump.js`: the bin imports the ES module sources).
// Every command runs alternately, each a fresh process on a fresh copy of the file, after
// two warm-up runs of each (file cache, compile cache). Wall time, and CPU time (user +
// system, all threads, from getrusage): on a shared machine the CPU time is the steadier.
// Then, with --probe, where the CPU time goes inside one process of the installed CLI, on
// each Node.
// With --before REV, the package as packed at REV runs in the same alternation (before and after).
// Usage: node benches/cli-startup.mjs [runs] [--probe] [--before REV]   (default 15 runs)
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packCleanClone } from '../tests/package/clean-clone.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Math.max(3, Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 15));
const probeToo = process.argv.includes('--probe');
const beforeAt = process.argv.indexOf('--before');
const beforeRev = beforeAt > 0 ? process.argv[beforeAt + 1] : undefined;
const work = mkdtempSync(join(tmpdir(), 'gitops-bump-startup-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const file = join(work, 'deployment.yaml');
const keyPath = 'spec.template.spec.containers[name=api].image';
const image = 'ghcr.io/acme/api:1.25.0';
const fresh = () => copyFileSync(join(root, 'benches/data/deployment.yaml'), file);

// --- the package as npm installs it
const env = { ...process.env, npm_config_update_notifier: 'false' };
for (const k of Object.keys(env)) if (/^npm_(?!config_update)/i.test(k) || k === 'NODE_OPTIONS') delete env[k];
const { tarball } = packCleanClone(work, env);
const project = join(work, 'project');
mkdirSync(project);
writeFileSync(join(project, 'package.json'), '{"name":"bench","private":true}');
execFileSync('npm', ['install', '--ignore-scripts', '--offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], { cwd: project, env, stdio: 'ignore' });
const installed = join(project, 'node_modules', 'gitops-bump', 'bin', 'gitops-bump.js');
const checkout = join(root, 'pkg', 'bin', 'gitops-bump.js');

// --- with --before REV: the package as it was at REV (git archive of it, packed the same
// way), installed beside it and run in the same alternation, so both see the same load
let installedBefore;
if (beforeRev) {
  const tree = join(work, 'before');
  mkdirSync(tree);
  execFileSync('bash', ['-c', 'git -C "$1" archive "$2" | tar -x -C "$3"', '_', root, beforeRev, tree]);
  symlinkSync(join(root, 'pkg', 'node_modules'), join(tree, 'pkg', 'node_modules'));
  const packs = join(work, 'before-pack');
  mkdirSync(packs);
  execFileSync('npm', ['pack', '--pack-destination', packs, '--loglevel=error'], { cwd: join(tree, 'pkg'), env, stdio: 'ignore' });
  const oldProject = join(work, 'project-before');
  mkdirSync(oldProject);
  writeFileSync(join(oldProject, 'package.json'), '{"name":"bench-before","private":true}');
  execFileSync('npm', ['install', '--ignore-scripts', '--offline', '--no-audit', '--no-fund', '--loglevel=error', join(packs, readdirSync(packs)[0])], { cwd: oldProject, env, stdio: 'ignore' });
  installedBefore = join(oldProject, 'node_modules', 'gitops-bump', 'bin', 'gitops-bump.js');
}

const nodes = [['Node 20', 'node'], ['Node 24', join(root, '.tools', 'bin', 'node24')]].filter(([, bin]) => bin === 'node' || existsSync(bin));
const versionOf = (bin) => execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
// the compile cache in a directory of this run (Node's default is the system's temp dir)
const cacheEnv = { ...env, NODE_COMPILE_CACHE: join(work, 'compile-cache') };
const commands = {};
for (const [name, bin] of nodes) {
  const v = versionOf(bin);
  commands[`${name} (${v}): node -e 0`] = () => [bin, ['-e', '0']];
  commands[`${name}: gitops-bump set, installed (bundle)`] = () => (fresh(), [bin, [installed, 'set', file, keyPath, image]]);
  commands[`${name}: gitops-bump set, checkout (sources)`] = () => (fresh(), [bin, [checkout, 'set', file, keyPath, image]]);
  if (installedBefore) commands[`${name}: gitops-bump set, installed, at ${beforeRev}`] = () => (fresh(), [bin, [installedBefore, 'set', file, keyPath, image]]);
}
const yq = join(root, '.tools', 'bin', 'yq');
if (existsSync(yq)) commands['yq -i (the same edit)'] = () => (fresh(), [yq, ['-i', `(.spec.template.spec.containers[] | select(.name == "api")).image = "${image}"`, file]]);

// Each run goes through a small Python wrapper that times the command alone (wall) and
// reads its CPU time from wait4's rusage of that one process (microseconds, where
// /usr/bin/time rounds to 10 ms; posix_spawn, so no fork of the wrapper is counted).
const timeOut = join(work, 'time');
const wrapper = `import os, sys, time
t = time.perf_counter()
pid = os.posix_spawnp(sys.argv[2], sys.argv[2:], os.environ, file_actions=[(os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0)])
_, status, ru = os.wait4(pid, 0)
wall = time.perf_counter() - t
open(sys.argv[1], "w").write(f"{wall * 1000} {(ru.ru_utime + ru.ru_stime) * 1000}")
sys.exit(os.waitstatus_to_exitcode(status))`;

/** One run: wall and CPU milliseconds of the command alone; the exit status must be 0. */
function once(make) {
  const [cmd, args] = make();
  const r = spawnSync('python3', ['-c', wrapper, timeOut, cmd, ...args], { cwd: work, env: cacheEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  const [ms, cpu] = readFileSync(timeOut, 'utf8').split(' ').map(Number);
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
let load = '';
try {
  load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
} catch {
  // not Linux
}
console.log(`${runs} runs each, alternating; load average at the end: ${load || 'unknown'}\n`);
console.log('| command | wall ms median | min | max | CPU ms median | min |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const [name, t] of Object.entries(times)) {
  const { median, min, max } = stats(t);
  const c = stats(cpus[name]);
  console.log(`| ${name} | ${median.toFixed(1)} | ${min.toFixed(1)} | ${max.toFixed(1)} | ${c.median.toFixed(0)} | ${c.min.toFixed(0)} |`);
}
console.log('\n| added over bare Node (medians) | wall ms | CPU ms | goal (wall) |\n|---|---:|---:|---:|');
for (const [name] of nodes) {
  const base = Object.keys(times).find((k) => k.startsWith(`${name} (`));
  for (const how of ['installed (bundle)', 'checkout (sources)', ...(installedBefore ? [`installed, at ${beforeRev}`] : [])]) {
    const k = `${name}: gitops-bump set, ${how}`;
    const goal = name === 'Node 24' ? '+30' : '+45';
    console.log(`| ${k} | +${(stats(times[k]).median - stats(times[base]).median).toFixed(1)} | +${(stats(cpus[k]).median - stats(cpus[base]).median).toFixed(0)} | ${goal} |`);
  }
}

if (probeToo) {
  // Where the CPU time goes inside one process of the installed CLI, on each Node (median
  // of `runs` processes): the steps the bin takes, timed with process.cpuUsage() (all
  // threads), the wasm core's calls apart by wrapping the glue's exports. "bin" is what
  // the process spent before the bin's first line (Node's own start, as in `node -e 0`).
  const pkgDir = join(project, 'node_modules', 'gitops-bump');
  const probe = `
const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };
const t0 = cpu();
require('node:module').enableCompileCache?.();
const { main, tuneWasmTieringForOneShot } = require(${JSON.stringify(join(pkgDir, 'dist', 'cli.cjs'))});
const t1 = cpu();
tuneWasmTieringForOneShot();
const t2 = cpu();
const glue = require(${JSON.stringify(join(pkgDir, 'wasm', 'node', 'gitops_bump.js'))});
const t3 = cpu();
let calls = 0;
for (const [k, f] of Object.entries(glue)) if (typeof f === 'function') glue[k] = (...a) => { const t = cpu(); try { return f(...a); } finally { calls += cpu() - t; } };
const sink = { write() {} };
main(['set', ${JSON.stringify(file)}, ${JSON.stringify(keyPath)}, ${JSON.stringify(image)}], { stdout: sink, stderr: sink, cwd: ${JSON.stringify(work)} }).then((code) => {
  const t4 = cpu();
  if (code !== 0) throw new Error('exit ' + code);
  console.log(JSON.stringify({ start: t0, bundle: t1 - t0, flags: t2 - t1, core: t3 - t2, calls, main: t4 - t3 - calls, total: t4 }));
});
`;
  const label = {
    start: 'Node\'s start, before the first line (the whole of `node -e 0` but its exit)',
    bundle: 'require dist/cli.cjs (read, compile or compile cache, run its top level)',
    flags: 'V8 flags for a one-shot process (node:v8; tiering.js)',
    core: 'wasm core: read, compile (lazily validated), instantiate, glue',
    calls: 'wasm calls of the edit (first calls: V8 compiles each function they reach)',
    main: 'main() but the wasm calls: arguments, plan, read, lock, write, fsync, report',
    total: 'total inside the process, at the end of main()',
  };
  for (const [name, bin] of nodes) {
    const parts = Object.fromEntries(Object.keys(label).map((k) => [k, []]));
    for (let i = 0; i < runs + 2; i++) {
      fresh();
      const r = JSON.parse(execFileSync(bin, ['-e', probe], { encoding: 'utf8', cwd: work, env: cacheEnv }));
      if (i >= 2) for (const k of Object.keys(parts)) parts[k].push(r[k]);
    }
    console.log(`\n| where the CPU time goes (${name}, installed) | median ms | min ms |\n|---|---:|---:|`);
    for (const [k, t] of Object.entries(parts)) console.log(`| ${label[k]} | ${stats(t).median.toFixed(1)} | ${stats(t).min.toFixed(1)} |`);
  }
}
