// git for the forge tests: real git over HTTP, the token sent as the forge's Basic
// credentials through the environment only (nothing is left in a config file).

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const IDENTITY = { GIT_AUTHOR_NAME: 'Fixture', GIT_AUTHOR_EMAIL: 'fixture@example.com', GIT_COMMITTER_NAME: 'Fixture', GIT_COMMITTER_EMAIL: 'fixture@example.com' };

const run = promisify(execFile);

/**
 * git in `cwd`, sending `user:token` as Basic to the remote through the environment only.
 * Asynchronous: the servers answering git run in this same process.
 */
export async function gitAs(cwd, args, { user, token } = {}) {
  const env = { ...process.env, ...IDENTITY, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0' };
  delete env.GIT_CONFIG_COUNT;
  if (token) {
    env.GIT_CONFIG_COUNT = '1';
    env.GIT_CONFIG_KEY_0 = 'http.extraHeader';
    env.GIT_CONFIG_VALUE_0 = `Authorization: Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`;
  }
  const { stdout } = await run('git', args, { cwd, env, encoding: 'utf8' });
  return stdout.trim();
}

/** A working clone of `remoteUrl` that commits `file` with `text` onto `branch` (from main) and pushes it. */
export async function pusher(t, remoteUrl, creds) {
  const dir = mkdtempSync(path.join(tmpdir(), 'gb-forge-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await gitAs(dir, ['clone', '--quiet', remoteUrl, 'w'], creds);
  const w = path.join(dir, 'w');
  return {
    dir: w,
    async push(branch, file, text, message) {
      await gitAs(w, ['checkout', '--quiet', '-B', branch, 'origin/main']);
      writeFileSync(path.join(w, file), text);
      await gitAs(w, ['add', '-A']);
      await gitAs(w, ['commit', '--quiet', '-m', message]);
      await gitAs(w, ['push', '--quiet', '--force', 'origin', `HEAD:refs/heads/${branch}`], creds);
      return gitAs(w, ['rev-parse', 'HEAD']);
    },
    /** Commits `files` ({path: text}) on top of the remote's `branch` as it is now and pushes it (no force). */
    async advance(branch, files, message) {
      await gitAs(w, ['fetch', '--quiet', 'origin', `refs/heads/${branch}`], creds);
      await gitAs(w, ['checkout', '--quiet', '-B', branch, 'FETCH_HEAD']);
      for (const [file, text] of Object.entries(files)) writeFileSync(path.join(w, file), text);
      await gitAs(w, ['add', '-A']);
      await gitAs(w, ['commit', '--quiet', '-m', message]);
      await gitAs(w, ['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`], creds);
      return gitAs(w, ['rev-parse', 'HEAD']);
    },
    /** The remote's `branch` now: its head and `file` in it ({sha: null} when there is no such branch). */
    async read(branch, file) {
      const ls = await gitAs(w, ['ls-remote', 'origin', `refs/heads/${branch}`], creds);
      if (!ls) return { sha: null, text: null, subjects: [] };
      await gitAs(w, ['fetch', '--quiet', 'origin', `refs/heads/${branch}`], creds);
      const sha = await gitAs(w, ['rev-parse', 'FETCH_HEAD']);
      const text = file ? await gitAs(w, ['show', `FETCH_HEAD:${file}`]) : null;
      const subjects = (await gitAs(w, ['log', '--format=%s', 'FETCH_HEAD'])).split('\n');
      const merges = await gitAs(w, ['rev-list', '--merges', 'FETCH_HEAD']);
      return { sha, text, subjects, merges };
    },
  };
}

/** A checkout of `remoteUrl` (what a CI job has), cloned over HTTP; no credentials are kept in it. */
export async function checkoutOf(t, remoteUrl, creds) {
  const dir = mkdtempSync(path.join(tmpdir(), 'gb-checkout-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await gitAs(dir, ['clone', '--quiet', remoteUrl, 'w'], creds);
  const w = path.join(dir, 'w');
  await gitAs(w, ['config', 'user.name', 'CI']);
  await gitAs(w, ['config', 'user.email', 'ci@example.com']);
  return w;
}
