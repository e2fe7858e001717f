// The hostile-input harness: a sandbox with a work tree and an `outside` tree, a
// byte-level snapshot of both (symlinks as links, never followed), and `hostile()`, which
// runs one case as a user would (the real CLI in a child process) and asserts its exit
// code, its message, and that every file other than the intended targets is identical.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { BIN, gitEnv } from '../../pkg/test/helpers.js';

export { BIN, git, gitEnv } from '../../pkg/test/helpers.js';

/**
 * A fresh sandbox `{dir, root, outside}`: `root` is where the command runs, `outside` a
 * sibling tree it must never touch. Removed after the test.
 * @param {import('node:test').TestContext} t
 * @param {Record<string, string | Buffer | {link: string} | {fifo: true}>} [files] paths relative to the sandbox
 */
export function sandbox(t, files = {}) {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-bump-hostile-')));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const root = path.join(dir, 'root');
  const outside = path.join(dir, 'outside');
  fs.mkdirSync(root);
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'x.yaml'), 'image:\n  tag: outside # must never change\n');
  place(dir, files);
  return { dir, root, outside };
}

/**
 * Creates files, symlinks and FIFOs below `dir`.
 * @param {string} dir
 * @param {Record<string, string | Buffer | {link: string} | {fifo: true}>} files
 */
export function place(dir, files) {
  for (const [name, spec] of Object.entries(files)) {
    const p = path.join(dir, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    if (typeof spec === 'string' || Buffer.isBuffer(spec)) fs.writeFileSync(p, spec);
    else if ('link' in spec) fs.symlinkSync(spec.link, p);
    else spawnSync('mkfifo', [p]);
  }
}

/**
 * Every entry below `dir` (symlinks not followed): path -> `file:<bytes as base64>`,
 * `link:<target>`, `dir` or `other:<mode>`, plus owner and mode.
 * @param {string} dir
 * @returns {Map<string, string>}
 */
export function snapshot(dir) {
  const out = new Map();
  const walk = (/** @type {string} */ d) => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = fs.lstatSync(p);
      const rel = path.relative(dir, p);
      const meta = `${st.mode.toString(8)}:${st.uid}:${st.gid}`;
      if (st.isSymbolicLink()) out.set(rel, `link:${fs.readlinkSync(p)}`);
      else if (st.isDirectory()) {
        out.set(rel, `dir:${meta}`);
        walk(p);
      } else if (st.isFile()) out.set(rel, `file:${meta}:${fs.readFileSync(p).toString('base64')}`);
      else out.set(rel, `other:${meta}`);
    }
  };
  walk(dir);
  return out;
}

/**
 * Asserts that nothing but `targets` (paths relative to the snapshot's dir) changed
 * between two snapshots: no file changed, appeared or vanished elsewhere.
 * @param {Map<string, string>} before
 * @param {Map<string, string>} after
 * @param {string[]} [targets]
 * @param {string[]} [prefixes] directories (ending in `/`) whose contents may change, such as `.git/`
 */
export function assertOnlyChanged(before, after, targets = [], prefixes = []) {
  const keys = new Set([...before.keys(), ...after.keys()]);
  const changed = [...keys].filter((k) => before.get(k) !== after.get(k) && !targets.includes(k) && !prefixes.some((p) => k.startsWith(p)));
  assert.deepEqual(changed, [], `files other than ${JSON.stringify(targets)} changed, appeared or vanished`);
}

/**
 * Runs the CLI synchronously.
 * @param {string[]} args
 * @param {{cwd: string, input?: string | Buffer, env?: NodeJS.ProcessEnv, timeout?: number}} options
 * @returns {{code: number | null, signal: string | null, stdout: string, stderr: string}}
 */
export function run(args, { cwd, input, env, timeout = 30_000 }) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, input, env: { ...gitEnv(), ...env }, timeout, encoding: 'utf8' });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Starts the CLI as a child process (for signals and concurrency). */
export function start(args, { cwd, env = {} }) {
  return spawn(process.execPath, [BIN, ...args], { cwd, env: { ...gitEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Collects a child's output and exit status. */
export function finished(child) {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

/** Count of hostile cases registered by this process (each file asserts its own). */
let registered = 0;

/**
 * @typedef {object} Case
 * @property {Record<string, string | Buffer | {link: string} | {fifo: true}>} [files] relative to the sandbox (`root/…`, `outside/…`)
 * @property {(s: {dir: string, root: string, outside: string}) => void} [setup] more preparation
 * @property {string[] | ((s: {dir: string, root: string, outside: string}) => string[])} args
 * @property {string} [cwd] relative to the sandbox (default `root`)
 * @property {string | Buffer} [input] stdin
 * @property {NodeJS.ProcessEnv} [env]
 * @property {number} [timeout] ms before the run counts as hung (default 30 s)
 * @property {number} code expected exit code
 * @property {RegExp} message expected in stderr (or stdout for successes)
 * @property {Record<string, string | RegExp | null>} [changes] the intended targets (relative to the sandbox) and their text afterwards (null: removed)
 * @property {string[]} [mayChange] directories (`root/.git/`) whose contents may change, such as a commit's objects
 * @property {(s: {dir: string, root: string, outside: string}, r: object) => void} [check] more assertions
 */

/**
 * Registers one hostile case as a test.
 * @param {string} name
 * @param {Case} c
 */
export function hostile(name, c) {
  registered += 1;
  test(name, (t) => {
    const s = sandbox(t, c.files);
    c.setup?.(s);
    const before = snapshot(s.dir);
    const args = typeof c.args === 'function' ? c.args(s) : c.args;
    const r = run(args, { cwd: path.join(s.dir, c.cwd ?? 'root'), input: c.input, env: c.env, timeout: c.timeout });
    assert.equal(r.code, c.code, `exit code (stderr: ${r.stderr})`);
    assert.match(c.code === 0 ? r.stdout + r.stderr : r.stderr, c.message);
    assert.doesNotMatch(r.stderr, /error\[internal\]: .*\n\s+at /, 'no JS stack trace');
    const after = snapshot(s.dir);
    const targets = Object.keys(c.changes ?? {});
    assertOnlyChanged(before, after, targets, c.mayChange);
    for (const [file, want] of Object.entries(c.changes ?? {})) {
      if (want === null) {
        assert.ok(!fs.existsSync(path.join(s.dir, file)), `${file} is gone`);
        continue;
      }
      const text = fs.readFileSync(path.join(s.dir, file), 'utf8');
      if (want instanceof RegExp) assert.match(text, want, file);
      else assert.equal(text, want, file);
    }
    c.check?.(s, r);
  });
}

/**
 * Asserts at the end of a file that it registered at least `n` hostile cases (so a
 * table that silently shrank fails).
 * @param {number} n
 */
export function expectCases(n) {
  test(`registers at least ${n} hostile cases`, () => assert.ok(registered >= n, `${registered} < ${n}`));
}
