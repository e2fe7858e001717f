// A push that cannot happen leaves the checkout as it was: no edit, no commit, and git's
// own message shown once. Run through the real CLI against real git.
import test from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, chmodSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { ROOT, cleanEnv, git, makeRemote, path, read } from './helpers.js';

const CLI = path.join(ROOT, 'pkg', 'bin', 'gitops-bump.js');
const VALUES = 'image:\n  tag: "1.9" # set by CI\n';

/** Runs the CLI in `cwd`. */
function cli(cwd, args) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** What a checkout looks like: its head, its status and the file. */
function state(clone) {
  return { head: git(clone, ['rev-parse', 'HEAD']), status: git(clone, ['status', '--porcelain']), values: read(path.join(clone, 'values.yaml')) };
}

test('--push in a checkout without the remote fails before editing or committing anything', (t) => {
  const remote = makeRemote(t, { 'values.yaml': VALUES });
  const clone = remote.clone();
  git(clone, ['remote', 'remove', 'origin']);
  const before = state(clone);
  const r = cli(clone, ['set', 'values.yaml', 'image.tag', '1.10', '--push']);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /^error\[no-remote\]: cannot push: this checkout has no remote `origin` \(add one with git remote add origin URL, or name another with --remote\); nothing was edited or committed\n$/);
  assert.deepEqual(state(clone), before);
  const other = cli(clone, ['set', 'values.yaml', 'image.tag', '1.10', '--push', '--remote', 'upstream']);
  assert.equal(other.code, 3);
  assert.match(other.stderr, /no remote `upstream`/);
  assert.deepEqual(state(clone), before);
});

test('a push that fails for good takes its commit and its edit back, and prints git\'s message once', (t) => {
  const remote = makeRemote(t, { 'values.yaml': VALUES });
  const clone = remote.clone();
  git(clone, ['remote', 'set-url', 'origin', path.join(remote.dir, 'missing.git')]);
  const before = state(clone);
  const r = cli(clone, ['set', 'values.yaml', 'image.tag', '1.10', '--push']);
  assert.equal(r.code, 3, r.stderr);
  const fatal = r.stderr.split('\n').filter((l) => /does not appear to be a git repository/.test(l));
  assert.equal(fatal.length, 1, `git's fatal line once:\n${r.stderr}`);
  assert.match(r.stderr, /push failed: the checkout is back at [0-9a-f]{12}, as it was/);
  assert.deepEqual(state(clone), before);
});

test('a push the remote declines also leaves the checkout as it was', (t) => {
  const remote = makeRemote(t, { 'values.yaml': VALUES });
  const hook = path.join(remote.bare, 'hooks', 'pre-receive');
  writeFileSync(hook, '#!/bin/sh\necho "protected branch" >&2\nexit 1\n');
  chmodSync(hook, 0o755);
  const clone = remote.clone();
  const before = state(clone);
  const r = cli(clone, ['set', 'values.yaml', 'image.tag', '1.10', '--push']);
  assert.equal(r.code, 3);
  assert.equal(r.stderr.split('\n').filter((l) => /protected branch/.test(l)).length, 1, r.stderr);
  assert.deepEqual(state(clone), before);
  assert.deepEqual(remote.log(), ['seed']);
});

test('--commit alone still commits without any remote', (t) => {
  const remote = makeRemote(t, { 'values.yaml': VALUES });
  const clone = remote.clone();
  git(clone, ['remote', 'remove', 'origin']);
  const r = cli(clone, ['set', 'values.yaml', 'image.tag', '1.10', '--commit']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(read(path.join(clone, 'values.yaml')), 'image:\n  tag: "1.10" # set by CI\n');
  assert.equal(git(clone, ['status', '--porcelain']), '');
});
