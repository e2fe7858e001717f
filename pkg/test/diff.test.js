// The unified diff of --dry-run: exact output for simple cases, and `patch` applies it.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { unifiedDiff } from 'gitops-bump';
import { tempTree } from './helpers.js';

test('equal texts give an empty diff', () => {
  assert.equal(unifiedDiff('a\n', 'a\n'), '');
});

test('a one-line change has three lines of context and git-style headers', () => {
  const before = 'l1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\n';
  const after = before.replace('l5', 'L5');
  assert.equal(
    unifiedDiff(before, after, { fromFile: 'a/v.yaml', toFile: 'b/v.yaml' }),
    '--- a/v.yaml\n+++ b/v.yaml\n@@ -2,7 +2,7 @@\n l2\n l3\n l4\n-l5\n+L5\n l6\n l7\n l8\n',
  );
});

test('a missing final newline is marked', () => {
  assert.equal(unifiedDiff('a\nb', 'a\nc'), '--- a/file\n+++ b/file\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n');
});

test('an insertion into an empty file and distant changes make separate hunks', () => {
  assert.equal(unifiedDiff('', 'x\n'), '--- a/file\n+++ b/file\n@@ -0,0 +1 @@\n+x\n');
  const lines = Array.from({ length: 20 }, (_, i) => `line ${i}\n`);
  const after = [...lines];
  after[1] = 'changed 1\n';
  after[18] = 'changed 18\n';
  const diff = unifiedDiff(lines.join(''), after.join(''));
  assert.deepEqual(diff.match(/^@@.*@@$/gm), ['@@ -1,5 +1,5 @@', '@@ -16,5 +16,5 @@']);
});

test('patch(1) turns the old text into the new one, for 300 random edits with CRLF and no-EOL cases', (t) => {
  const dir = tempTree(t);
  const file = path.join(dir, 'f');
  let seed = 42;
  const rnd = (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let round = 0; round < 300; round++) {
    const a = Array.from({ length: rnd(25) }, () => `l${rnd(5)}${rnd(8) === 0 ? '\r' : ''}\n`);
    const b = [...a];
    for (let e = rnd(5); e > 0; e--) {
      const at = rnd(b.length + 1);
      if (rnd(2)) b.splice(at, 1);
      else b.splice(at, 0, `n${rnd(3)}\n`);
    }
    let before = a.join('');
    let after = b.join('');
    if (rnd(3) === 0) before = before.replace(/\n$/, '');
    if (rnd(3) === 0) after = after.replace(/\n$/, '');
    const diff = unifiedDiff(before, after);
    fs.writeFileSync(file, before);
    if (diff) {
      const r = spawnSync('patch', ['-s', '-p1', file], { input: diff, encoding: 'utf8' });
      assert.equal(r.status, 0, `round ${round}: patch failed: ${r.stderr}${r.stdout}\n${diff}`);
    }
    assert.equal(fs.readFileSync(file, 'utf8'), after, `round ${round}:\n${diff}`);
  }
});
