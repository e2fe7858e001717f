// What a plain edit loads: the CLI's start-up stays small only while `set` leaves git,
// the GitHub client, the playground server, the `yaml` package and node:crypto unloaded
// (timings live in benches/cli-startup.mjs; this checks what is loaded, which does not
// depend on the machine's load).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { BIN, demoTree, git, gitEnv, read } from './helpers.js';

const FILE = 'base/deployment.yaml';
const IMAGE = 'spec.template.spec.containers[name=api].image';

// Preloaded into the CLI's process: at exit, prints the built-in modules Node loaded and
// the CommonJS files in require's cache.
const HOOK = `process.on('exit', () => {
  const cjs = Object.keys(require('node:module')._cache);
  require('node:fs').writeSync(2, '\\n@@loaded ' + JSON.stringify({ builtins: process.moduleLoadList, cjs }) + '\\n');
});
`;

/**
 * Runs the CLI with the hook; returns its exit code and what it loaded.
 * @param {string} dir
 * @param {string[]} args
 */
function loaded(dir, args) {
  const hook = path.join(dir, '.loaded-hook.cjs');
  fs.writeFileSync(hook, HOOK);
  const r = spawnSync(process.execPath, ['--require', hook, BIN, ...args], { cwd: dir, encoding: 'utf8', env: gitEnv(), timeout: 60_000 });
  const line = r.stderr.split('\n').find((l) => l.startsWith('@@loaded '));
  assert.ok(line, `no report from the hook; stderr:\n${r.stderr}`);
  const { builtins, cjs } = JSON.parse(line.slice('@@loaded '.length));
  const has = (/** @type {string} */ name) => builtins.includes(`NativeModule ${name}`);
  const yaml = cjs.some((/** @type {string} */ f) => f.split(path.sep).join('/').includes('/node_modules/yaml/'));
  return { code: r.status, has, yaml };
}

test('a plain set loads no git, GitHub client, playground server, yaml package or node:crypto', (t) => {
  const dir = demoTree(t);
  const before = read(dir, FILE);
  const run = loaded(dir, ['set', FILE, IMAGE, 'ghcr.io/acme/api:1.10.0']);
  assert.equal(run.code, 0);
  assert.equal(read(dir, FILE), before.replace('api:1.9.0', 'api:1.10.0'));
  assert.equal(run.has('child_process'), false, 'git (node:child_process) was loaded');
  assert.equal(run.has('http') || run.has('https') || run.has('internal/deps/undici/undici'), false, 'an HTTP client was loaded');
  assert.equal(run.yaml, false, 'the yaml package was loaded');
  assert.equal(run.has('crypto'), false, 'node:crypto was loaded');
});

test('the hook does see them when a command needs them: a YAML plan loads yaml, --commit loads git', (t) => {
  const dir = demoTree(t);
  fs.writeFileSync(path.join(dir, 'plan.yaml'), `edits:\n  - file: ${FILE}\n    set: ${IMAGE}\n    value: ghcr.io/acme/api:1.2.0\n`);
  const plan = loaded(dir, ['apply', 'plan.yaml']);
  assert.equal(plan.code, 0);
  assert.equal(plan.yaml, true);
  git(dir, 'init', '-q');
  git(dir, 'add', '.');
  git(dir, 'commit', '-qm', 'init');
  const commit = loaded(dir, ['set', FILE, IMAGE, 'ghcr.io/acme/api:1.3.0', '--commit']);
  assert.equal(commit.code, 0);
  assert.equal(commit.has('child_process'), true);
});
