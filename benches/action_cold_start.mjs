// Cold start of the GitHub Action's bundle: wall time of `node action/dist/index.js` (a
// fresh process each time, as the runner starts it) on a small dry run over the sample
// config repository (scripts/demo-repo/: one image in one overlay, with the overlay check).
// Prints min / median / p90 of the wall time, beside the CLI's same dry run and `node -e ""`
// (the floor), and the CPU time (user + sys, from /usr/bin/time when it is there): on a
// machine shared with other work the wall time includes waiting for a core, the CPU
// time does not.
//   node benches/action_cold_start.mjs [--runs N]      (default 30)
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runsFlag = process.argv.indexOf('--runs');
const RUNS = runsFlag >= 0 ? Number(process.argv[runsFlag + 1]) : 30;

const work = mkdtempSync(path.join(tmpdir(), 'gb-cold-start-'));
try {
  const ws = path.join(work, 'ws');
  cpSync(path.join(ROOT, 'scripts', 'demo-repo'), ws, { recursive: true });
  const env = {
    PATH: process.env.PATH,
    GITHUB_WORKSPACE: ws,
    GITHUB_OUTPUT: path.join(work, 'output'),
    GITHUB_STEP_SUMMARY: path.join(work, 'summary'),
    INPUT_MODE: 'dry-run',
    INPUT_IMAGES: 'ghcr.io/acme/api:1.10.0',
    INPUT_TARGETS: 'overlays/production',
  };
  const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
  const cpu = new Map();
  const time = (args) => {
    writeFileSync(env.GITHUB_OUTPUT, '');
    const [cmd, argv] = TIME ? [TIME, ['-f', 'cpu %U %S', process.execPath, ...args]] : [process.execPath, args];
    const t = process.hrtime.bigint();
    const r = spawnSync(cmd, argv, { cwd: ws, env, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stdout}${r.stderr}`);
    const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
    if (m) cpu.set(args[0], [...(cpu.get(args[0]) ?? []), (Number(m[1]) + Number(m[2])) * 1000]);
    return ms;
  };
  const stats = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
    return `min ${s[0].toFixed(0)} ms, median ${at(0.5).toFixed(0)} ms, p90 ${at(0.9).toFixed(0)} ms`;
  };
  time([path.join(ROOT, 'action', 'dist', 'index.js')]); // warm the page cache once
  cpu.clear();
  const action = Array.from({ length: RUNS }, () => time([path.join(ROOT, 'action', 'dist', 'index.js')]));
  const cli = Array.from({ length: RUNS }, () =>
    time([path.join(ROOT, 'pkg', 'bin', 'gitops-bump.js'), 'image', 'overlays/production', 'ghcr.io/acme/api:1.10.0', '--dry-run']));
  const floor = Array.from({ length: RUNS }, () => time(['-e', '']));
  console.log(`action cold start, dry run on scripts/demo-repo (${RUNS} runs, node ${process.version}):`);
  const row = (label, key, xs) => console.log(`  ${label.padEnd(28)}wall ${stats(xs)}${cpu.has(key) ? `; cpu median ${stats(cpu.get(key)).split('median ')[1].split(',')[0]}` : ''}`);
  row('node action/dist/index.js', path.join(ROOT, 'action', 'dist', 'index.js'), action);
  row('gitops-bump image --dry-run', path.join(ROOT, 'pkg', 'bin', 'gitops-bump.js'), cli);
  row('node -e ""', '-e', floor);
} finally {
  rmSync(work, { recursive: true, force: true });
}
