// Fixtures for the pipeline tests: real git, real bare repositories in temp dirs.

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PIPELINE = path.join(ROOT, 'pkg', 'src', 'pipeline.js');

/** A free TCP port on 127.0.0.1 (for a server a test starts). */
export async function freePort() {
  const server = net.createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = /** @type {net.AddressInfo} */ (server.address());
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const IDENTITY = {
  GIT_AUTHOR_NAME: 'Fixture',
  GIT_AUTHOR_EMAIL: 'fixture@example.com',
  GIT_COMMITTER_NAME: 'Fixture',
  GIT_COMMITTER_EMAIL: 'fixture@example.com',
};

/** Environment for spawned git/CLI runs: no global/system config of this machine. */
export function cleanEnv(extra = {}) {
  const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', ...extra };
  for (const k of ['GITHUB_TOKEN', 'GITHUB_SHA', 'GITHUB_REPOSITORY', 'GITHUB_API_URL', 'CIRCLE_SHA1', 'GIT_CONFIG_COUNT']) {
    if (!(k in extra)) delete env[k];
  }
  return env;
}

export function git(cwd, args, { input, env } = {}) {
  return execFileSync('git', args, {
    cwd,
    input,
    env: { ...cleanEnv(IDENTITY), ...env },
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
  }).trim();
}

export function tempDir(t, name = 'gb-test-') {
  const d = mkdtempSync(path.join(tmpdir(), name));
  t?.after?.(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/**
 * A bare "remote" holding `files` on `branch` (default main), plus helpers to clone it and
 * to push a competing commit to it.
 */
export function makeRemote(t, files, { branch = 'main' } = {}) {
  const dir = tempDir(t);
  const bare = path.join(dir, 'remote.git');
  git(dir, ['init', '--quiet', '--bare', `--initial-branch=${branch}`, bare]);
  const seed = path.join(dir, 'seed');
  git(dir, ['clone', '--quiet', bare, seed]);
  git(seed, ['checkout', '--quiet', '-B', branch]);
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(seed, f)), { recursive: true });
    writeFileSync(path.join(seed, f), text);
  }
  git(seed, ['add', '-A']);
  git(seed, ['commit', '--quiet', '-m', 'seed']);
  git(seed, ['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`]);
  let n = 0;
  return {
    dir,
    bare,
    url: `file://${bare}`,
    branch,
    /** A fresh non-bare clone (what a CI job checks out). */
    clone(name = `clone-${(n += 1)}`, extra = []) {
      const c = path.join(dir, name);
      git(dir, ['clone', '--quiet', ...extra, '--branch', branch, bare, c]);
      git(c, ['config', 'user.name', 'Fixture']);
      git(c, ['config', 'user.email', 'fixture@example.com']);
      return c;
    },
    /** Another writer commits `files` to the remote branch. */
    competingCommit(changes, message = 'competing change', onBranch = branch) {
      const c = path.join(dir, `other-${(n += 1)}`);
      git(dir, ['clone', '--quiet', '--branch', onBranch, bare, c]);
      for (const [f, text] of Object.entries(changes)) {
        const p = path.join(c, f);
        mkdirSync(path.dirname(p), { recursive: true });
        writeFileSync(p, typeof text === 'function' ? text(readFileSync(p, 'utf8')) : text);
      }
      git(c, ['commit', '--quiet', '-am', message]);
      git(c, ['push', '--quiet', 'origin', `HEAD:refs/heads/${onBranch}`]);
      rmSync(c, { recursive: true, force: true });
    },
    /**
     * Another writer's commit of `changes` lands while the next push is being received (once,
     * through a pre-receive hook), so that push is refused as from a moved remote, or loses
     * the ref race inside the remote. Returns that commit.
     */
    landsDuringNextPush(changes, message = 'competing change', onBranch = branch) {
      this.competingCommit(changes, message, onBranch);
      const commit = this.head(onBranch);
      git(bare, ['update-ref', `refs/heads/${onBranch}`, `${commit}^`]);
      const marker = path.join(dir, 'hook-ran');
      const hook = path.join(bare, 'hooks', 'pre-receive');
      writeFileSync(hook, `#!/bin/sh\nif [ ! -e '${marker}' ]; then touch '${marker}'; env -u GIT_QUARANTINE_PATH git update-ref refs/heads/${onBranch} ${commit}; fi\nexit 0\n`);
      chmodSync(hook, 0o755);
      return commit;
    },
    show(rev, file) {
      return git(bare, ['show', `${rev}:${file}`]);
    },
    head(ref = branch) {
      return git(bare, ['rev-parse', `refs/heads/${ref}`]);
    },
    log(ref = branch) {
      return git(bare, ['log', '--format=%s', ref]).split('\n');
    },
  };
}

/**
 * A stand-in for applyPlan (the real one lives in pkg/src/plan.js): each edit
 * `{file, set: 'a.b.c', value}` replaces the value of the first line `c: ...` in the file.
 * Enough YAML for these tests; the pipeline does not care how files are edited.
 */
export function fakeApply(plan, { onApply } = {}) {
  let calls = 0;
  const fn = async (workdir) => {
    calls += 1;
    if (onApply) await onApply(calls, workdir);
    const changed = [];
    const unchanged = [];
    for (const e of plan.edits) {
      const file = path.join(workdir, e.file);
      const before = readFileSync(file, 'utf8');
      const key = e.set.split('.').pop();
      const lines = before.split('\n');
      const i = lines.findIndex((l) => new RegExp(`^\\s*${key}:`).test(l));
      if (i < 0) throw Object.assign(new Error(`no key ${e.set} in ${e.file}`), { exitCode: 1 });
      const [, indent, old, cr] = /^(\s*)[^:]+:\s*(.*?)(\r?)$/.exec(lines[i]);
      if (old === String(e.value)) {
        unchanged.push(e.file);
        continue;
      }
      lines[i] = `${indent}${key}: ${e.value}${cr}`; // a CRLF line stays CRLF
      const after = lines.join('\n');
      writeFileSync(file, after);
      changed.push({ file: e.file, before, after, changes: [{ path: e.set, line: i + 1, old, new: String(e.value), kind: 'set' }] });
    }
    return { changed, unchanged };
  };
  Object.defineProperty(fn, 'calls', { get: () => calls });
  return fn;
}

export function read(file) {
  return readFileSync(file, 'utf8');
}

export { existsSync, spawnSync, path };

/** Runs a command asynchronously: `{code, stdout, stderr}` (never rejects on exit code). */
export function runCommand(cmd, args, { env, cwd, timeoutMs = 120000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr, signal });
    });
  });
}

/** `node ...args` asynchronously. */
export function runNode(args, options) {
  return runCommand(process.execPath, args, options);
}
