// Concurrent local processes on one file: no update is reported that is not on disk
// (per-file locks + compare-and-swap), stale locks are taken over, a live one is waited
// for and then reported; owner and group of an edited file are kept.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { BIN, expectCases, finished, gitEnv, hostile, sandbox, snapshot, start, assertOnlyChanged } from './harness.js';

const N = 16;

test(`${N} concurrent set --create with different keys: every key survives`, async (t) => {
  const s = sandbox(t, { 'root/values.yaml': 'keys:\n  k0: "0"\n' });
  const before = snapshot(s.dir);
  const runs = Array.from({ length: N }, (_, i) => finished(start(['set', 'values.yaml', `keys.n${i}`, `v${i}`, '--create'], { cwd: s.root })));
  const results = await Promise.all(runs);
  for (const [i, r] of results.entries()) {
    assert.equal(r.code, 0, `process ${i}: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`keys\\.n${i}: added v${i}`));
  }
  const text = fs.readFileSync(path.join(s.root, 'values.yaml'), 'utf8');
  for (let i = 0; i < N; i += 1) assert.match(text, new RegExp(`^  n${i}: v${i}$`, 'm'), `key n${i} is on disk`);
  assert.equal(text.split('\n').length, N + 3);
  assertOnlyChanged(before, snapshot(s.dir), ['root/values.yaml']);
});

test(`${N} concurrent plans editing two files each: all edits on disk, no lock or temp file left`, async (t) => {
  const s = sandbox(t, { 'root/a.yaml': 'a: {}\n', 'root/b.yaml': 'b: {}\n' });
  const before = snapshot(s.dir);
  const runs = Array.from({ length: N }, (_, i) => {
    // half the plans name the files in the other order (a deadlock if locks were not sorted)
    const files = i % 2 ? ['a.yaml', 'b.yaml'] : ['b.yaml', 'a.yaml'];
    const plan = `edits:\n${files.map((f) => `  - file: ${f}\n    set: ${f[0]}.p${i}\n    value: "${i}"\n    create: true\n`).join('')}`;
    fs.writeFileSync(path.join(s.root, `plan${i}.yaml`), plan);
    return finished(start(['apply', `plan${i}.yaml`], { cwd: s.root }));
  });
  const results = await Promise.all(runs);
  for (const [i, r] of results.entries()) assert.equal(r.code, 0, `plan ${i}: ${r.stderr}`);
  for (const f of ['a', 'b']) {
    const text = fs.readFileSync(path.join(s.root, `${f}.yaml`), 'utf8');
    for (let i = 0; i < N; i += 1) assert.match(text, new RegExp(`p${i}: "${i}"`), `${f}.yaml has p${i}`);
  }
  const plans = Array.from({ length: N }, (_, i) => `root/plan${i}.yaml`);
  assertOnlyChanged(before, snapshot(s.dir), ['root/a.yaml', 'root/b.yaml', ...plans]);
});

hostile('a stale lock (its process is gone) is taken over and removed', {
  files: { 'root/values.yaml': 'a: "1"\n', 'root/.values.yaml.gitops-bump.lock': '999999999' },
  args: ['set', 'values.yaml', 'a', '2'],
  code: 0,
  message: /a: 1 -> 2/,
  changes: { 'root/values.yaml': 'a: "2"\n', 'root/.values.yaml.gitops-bump.lock': null },
});

hostile('a lock held by a live process is waited for, then reported; nothing written', {
  files: { 'root/values.yaml': 'a: "1"\n', 'root/.values.yaml.gitops-bump.lock': String(process.pid) },
  args: ['set', 'values.yaml', 'a', '2'],
  env: { GITOPS_BUMP_LOCK_TIMEOUT: '1' },
  code: 1,
  message: new RegExp(`error\\[io\\]: .*values\\.yaml: another process \\(pid ${process.pid}\\) has held \\.values\\.yaml\\.gitops-bump\\.lock for over 1 s`),
});

test('owner and group of an edited file are kept (when running as root)', { skip: process.getuid?.() !== 0 && 'needs root to own a file as another user' }, (t) => {
  const s = sandbox(t, { 'root/secret.yaml': 'token: "1"\n' });
  const file = path.join(s.root, 'secret.yaml');
  fs.chownSync(file, 65534, 65534);
  fs.chmodSync(file, 0o600);
  const r = spawnCli(['set', 'secret.yaml', 'token', '2'], s.root);
  assert.equal(r.status, 0, r.stderr);
  const st = fs.statSync(file);
  assert.deepEqual([st.uid, st.gid, st.mode & 0o7777], [65534, 65534, 0o600]);
  assert.equal(fs.readFileSync(file, 'utf8'), 'token: "2"\n');
});

/** @param {string[]} args @param {string} cwd */
function spawnCli(args, cwd) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd, env: gitEnv(), encoding: 'utf8', timeout: 30_000 });
}

expectCases(2);
