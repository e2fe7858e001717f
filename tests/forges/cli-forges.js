// The CLI's pull request flow on a forge other than GitHub (`--pr --forge NAME`), the same
// three runs on every forge: open, update with a new tag, nothing to change. Exit codes and
// the JSON result's pr {number, url, operation} are the same as on GitHub.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { gitAs } from './git.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = path.join(ROOT, 'pkg', 'bin', 'gitops-bump.js');
const run = promisify(execFile);

/** Runs the CLI; resolves {code, stdout, stderr} (never rejects on the exit code). */
export async function cli(args, { cwd, env }) {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { cwd, env, encoding: 'utf8' });
    return { code: 0, stdout, stderr };
  } catch (e) {
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** A clean environment: the machine's git config and tokens left out. */
export function env(extra) {
  const e = { PATH: process.env.PATH, HOME: process.env.HOME, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', ...extra };
  return e;
}

/**
 * `values.yaml` with image.tag 1.0.0 pushed to main of `remoteUrl` (over HTTP with `creds`),
 * then a clone to run the CLI in (it has no token of its own: the CLI's comes from the env).
 */
export async function checkout(t, remoteUrl, creds) {
  const dir = mkdtempSync(path.join(tmpdir(), 'gb-cli-forge-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await gitAs(dir, ['clone', '--quiet', remoteUrl, 'w'], creds);
  const w = path.join(dir, 'w');
  await gitAs(w, ['checkout', '--quiet', '-B', 'main']);
  writeFileSync(path.join(w, 'values.yaml'), 'image:\n  tag: 1.0.0\n');
  await gitAs(w, ['add', '-A']);
  await gitAs(w, ['-c', 'user.name=Fixture', '-c', 'user.email=f@example.com', 'commit', '--quiet', '-m', 'values']);
  await gitAs(w, ['push', '--quiet', 'origin', 'HEAD:refs/heads/main'], creds);
  return w;
}

/** open, update with a new tag, nothing to change — through the CLI. */
export async function cliScenario(t, { forge, cwd, apiUrl, vars, noun = 'pull request' }) {
  const args = (tag) => ['set', 'values.yaml', 'image.tag', tag, '--pr', '--forge', forge, '--pr-branch', 'gitops-bump/app', '--label', 'gitops', '--json', ...(apiUrl ? ['--api-url', apiUrl] : [])];
  const first = await cli(args('1.1.0'), { cwd, env: env(vars) });
  assert.equal(first.code, 0, first.stderr);
  const r1 = JSON.parse(first.stdout);
  assert.equal(r1.pr.operation, 'created');
  assert.match(first.stderr, new RegExp(`opened ${noun} #${r1.pr.number} `));
  const second = await cli(args('1.2.0'), { cwd, env: env(vars) });
  assert.equal(second.code, 0, second.stderr);
  const r2 = JSON.parse(second.stdout);
  assert.deepEqual([r2.pr.operation, r2.pr.number, r2.pr.url], ['updated', r1.pr.number, r1.pr.url]);
  const third = await cli(args('1.2.0'), { cwd, env: env(vars) });
  assert.equal(third.code, 0, third.stderr);
  const r3 = JSON.parse(third.stdout);
  assert.deepEqual([r3.pr.operation, r3.pr.number], ['none', r1.pr.number]);
  for (const out of [first, second, third]) for (const v of Object.values(vars)) assert.ok(!out.stdout.includes(v) && !out.stderr.includes(v), 'the token is not printed');
  // no token: exit 3 naming the forge's variables; a bad --forge: exit 2
  const none = await cli(args('1.3.0'), { cwd, env: env({}) });
  assert.equal(none.code, 3, none.stderr);
  assert.match(none.stderr, /no (Gitea|GitLab|Bitbucket) token: set /);
  return { r1, r2, r3 };
}
