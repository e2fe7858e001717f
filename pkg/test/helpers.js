// Shared helpers of the package tests: temp trees and running the CLI as a user would.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { GitopsBumpError } from '../src/errors.js';

export const PKG = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = path.resolve(PKG, '..');
export const BIN = path.join(PKG, 'bin', 'gitops-bump.js');
export const DEMO_REPO = path.join(ROOT, 'scripts', 'demo-repo');

/**
 * A fresh temp directory holding `files` (relative path -> text), removed after the test.
 * @param {import('node:test').TestContext} t
 * @param {Record<string, string>} [files]
 * @returns {string}
 */
export function tempTree(t, files = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-bump-test-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/**
 * A fresh temp directory holding a copy of the folder `from`, removed after the test.
 * @param {import('node:test').TestContext} t
 * @param {string} from
 * @returns {string}
 */
export function copyTree(t, from) {
  const dir = tempTree(t);
  fs.cpSync(from, dir, { recursive: true });
  return dir;
}

/** A temp copy of scripts/demo-repo (a base, two overlays, a Helm values file). */
export const demoTree = (t) => copyTree(t, DEMO_REPO);

/** @param {string} dir @param {string} file @returns {string} */
export const read = (dir, file) => fs.readFileSync(path.join(dir, file), 'utf8');

/**
 * Runs `gitops-bump ARGS` in `cwd`.
 * @param {string[]} args
 * @param {{cwd: string, input?: string, env?: NodeJS.ProcessEnv}} options
 * @returns {{code: number|null, stdout: string, stderr: string}}
 */
export function cli(args, { cwd, input, env }) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    input,
    encoding: 'utf8',
    env: { ...gitEnv(), ...env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Asserts a CLI run's exit code (with its output in the failure message) and returns the run.
 * @param {{code: number|null, stdout: string, stderr: string}} r
 * @param {number} code
 */
export function expect(r, code) {
  assert.equal(r.code, code, `exit ${r.code}, expected ${code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

/** Runs the CLI asynchronously (for long-running commands). */
export function cliAsync(args, { cwd, env }) {
  return spawn(process.execPath, [BIN, ...args], { cwd, env: { ...gitEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** An environment where git ignores the machine's config and never prompts. */
export function gitEnv() {
  const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0' };
  for (const key of ['GITHUB_SHA', 'GITHUB_REPOSITORY', 'CIRCLE_SHA1', 'GITHUB_TOKEN']) delete env[key];
  return env;
}

/**
 * Runs git in `cwd` and returns its trimmed stdout (throws on failure).
 * @param {string} cwd
 * @param {...string} args
 */
export function git(cwd, ...args) {
  const r = spawnSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'init.defaultBranch=main', ...args], {
    cwd,
    encoding: 'utf8',
    env: gitEnv(),
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim();
}

/** Names in `dir` that look like leftover temp files of an atomic write. */
export function tempLeftovers(dir) {
  return fs.readdirSync(dir, { recursive: true }).map(String).filter((n) => n.includes('.gitops-bump-'));
}

/**
 * Asserts that `fn` throws a GitopsBumpError of `kind` and returns it.
 * @param {() => unknown} fn
 * @param {string} kind
 * @returns {GitopsBumpError}
 */
export function throwsKind(fn, kind) {
  let caught;
  assert.throws(fn, (e) => {
    caught = e;
    return e instanceof GitopsBumpError && e.kind === kind;
  });
  return /** @type {any} */ (caught);
}
