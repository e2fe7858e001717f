// File-level helpers: atomic writes, modes, symlinks, exact bytes, untouched on error.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  GitopsBumpError,
  applyEditsInFile,
  getValueInFile,
  readText,
  removeValueInFile,
  setImageInFile,
  setValueInFile,
  writeAtomic,
} from 'gitops-bump';
import { demoTree, read, tempLeftovers, tempTree } from './helpers.js';

const VALUES = 'image:\n  tag: "1.9"\n  pullPolicy: Always  # pinned\n';

/** Runs `fn` with the process in `dir` (the *InFile helpers resolve against cwd). */
function inDir(dir, fn) {
  const old = process.cwd();
  process.chdir(dir);
  try {
    return fn();
  } finally {
    process.chdir(old);
  }
}

test('setValueInFile writes the new text, keeps the file mode and leaves no temp file', (t) => {
  const dir = tempTree(t, { 'values.yaml': VALUES });
  const file = path.join(dir, 'values.yaml');
  fs.chmodSync(file, 0o640);
  const result = setValueInFile(file, 'image.tag', '1.10');
  assert.equal(result.changed, true);
  assert.equal(result.before, VALUES);
  assert.equal(result.after, VALUES.replace('"1.9"', '"1.10"'));
  assert.equal(fs.readFileSync(file, 'utf8'), result.after);
  assert.equal(fs.statSync(file).mode & 0o777, 0o640);
  assert.deepEqual(tempLeftovers(dir), []);
});

test('a failed edit leaves the file byte-identical, with the same mtime, and no temp file', (t) => {
  const dir = tempTree(t, { 'values.yaml': VALUES });
  const file = path.join(dir, 'values.yaml');
  const before = fs.statSync(file);
  assert.throws(() => setValueInFile(file, 'image.nope.deeper', 'x'), (e) => e instanceof GitopsBumpError && e.kind === 'not-found');
  assert.equal(fs.readFileSync(file, 'utf8'), VALUES);
  assert.equal(fs.statSync(file).mtimeMs, before.mtimeMs);
  assert.equal(fs.statSync(file).ino, before.ino, 'not even replaced by a copy');
  assert.deepEqual(tempLeftovers(dir), []);
});

test('an unchanged edit does not rewrite the file', (t) => {
  const dir = tempTree(t, { 'values.yaml': VALUES });
  const file = path.join(dir, 'values.yaml');
  const ino = fs.statSync(file).ino;
  const result = setValueInFile(file, 'image.tag', '1.9');
  assert.equal(result.changed, false);
  assert.equal(result.after, VALUES);
  assert.equal(fs.statSync(file).ino, ino);
});

test('dryRun computes the edit and writes nothing', (t) => {
  const dir = tempTree(t, { 'values.yaml': VALUES });
  const file = path.join(dir, 'values.yaml');
  const result = setValueInFile(file, 'image.tag', '2.0', { dryRun: true });
  assert.equal(result.changed, true);
  assert.match(result.after, /"2\.0"/);
  assert.equal(fs.readFileSync(file, 'utf8'), VALUES);
});

test('a symlinked file is edited through the link; the link stays a link', (t) => {
  const dir = tempTree(t, { 'real/values.yaml': VALUES });
  fs.symlinkSync('real/values.yaml', path.join(dir, 'link.yaml'));
  setValueInFile(path.join(dir, 'link.yaml'), 'image.tag', '3.0');
  assert.ok(fs.lstatSync(path.join(dir, 'link.yaml')).isSymbolicLink());
  assert.match(read(dir, 'real/values.yaml'), /tag: "3\.0"/);
  assert.deepEqual(tempLeftovers(dir), []);
});

test('a BOM, CRLF line ends and a missing final newline survive an edit', (t) => {
  const text = '\uFEFFimage:\r\n  tag: v1\r\n  pullPolicy: Always';
  const dir = tempTree(t, { 'values.yaml': text });
  setValueInFile(path.join(dir, 'values.yaml'), 'image.tag', 'v2');
  assert.deepEqual(fs.readFileSync(path.join(dir, 'values.yaml')), Buffer.from(text.replace('v1', 'v2')));
});

test('removeValueInFile, applyEditsInFile and getValueInFile work on files', (t) => {
  const dir = tempTree(t, { 'values.yaml': VALUES });
  const file = path.join(dir, 'values.yaml');
  assert.equal(getValueInFile(file, 'image.pullPolicy')[0].value, 'Always');
  removeValueInFile(file, 'image.pullPolicy');
  assert.equal(read(dir, 'values.yaml'), 'image:\n  tag: "1.9"\n');
  applyEditsInFile(file, [{ op: 'set', path: 'image.tag', value: '1.11' }, { op: 'set', path: 'image.pullPolicy', value: 'Never', create: true }]);
  assert.equal(read(dir, 'values.yaml'), 'image:\n  tag: "1.11"\n  pullPolicy: Never\n');
});

test('errors of getValueInFile name the file', (t) => {
  const dir = tempTree(t, { 'values.yaml': VALUES });
  const file = path.join(dir, 'values.yaml');
  assert.throws(() => getValueInFile(file, 'image.tagg'), (e) => e.kind === 'not-found' && e.file === file && e.message.includes(file));
});

test('setImageInFile on an overlay directory edits its kustomization after checking the image', (t) => {
  const root = demoTree(t);
  inDir(root, () => {
    const result = setImageInFile('overlays/production', 'ghcr.io/acme/api:1.10.0');
    assert.equal(result.file, 'overlays/production/kustomization.yaml');
    assert.equal(result.changed, true);
    assert.throws(() => setImageInFile('overlays/production', 'ghcr.io/acme/nope:1.0'), (e) => e.kind === 'unknown-image');
    const forced = setImageInFile('overlays/production', 'ghcr.io/acme/nope:1.0', { force: true, dryRun: true });
    assert.match(forced.after, /ghcr\.io\/acme\/nope/);
  });
  assert.match(read(root, 'overlays/production/kustomization.yaml'), /newTag: "1\.10\.0" {4}# keep quoted/);
  assert.doesNotMatch(read(root, 'overlays/production/kustomization.yaml'), /nope/);
});

test('a missing file is a not-found error naming the file', (t) => {
  const dir = tempTree(t);
  assert.throws(() => setValueInFile(path.join(dir, 'missing.yaml'), 'a', 'b'), (e) => e.kind === 'not-found' && /no such file/.test(e.message));
});

test('readText refuses invalid UTF-8 instead of corrupting it', (t) => {
  const dir = tempTree(t);
  const file = path.join(dir, 'latin1.yaml');
  fs.writeFileSync(file, Buffer.from([0x61, 0x3a, 0x20, 0xe9, 0x0a]));
  assert.throws(() => readText(file), (e) => e instanceof GitopsBumpError && /UTF-8/.test(e.message));
});

test('writeAtomic keeps a new file\'s default mode and cleans up when the rename fails', (t) => {
  const dir = tempTree(t, { 'sub/keep.txt': 'x' });
  writeAtomic(path.join(dir, 'new.yaml'), 'a: 1\n');
  assert.equal(read(dir, 'new.yaml'), 'a: 1\n');
  // renaming a file over a non-empty directory fails: the temp file must not stay behind
  assert.throws(() => writeAtomic(path.join(dir, 'sub'), 'a: 2\n'), (e) => e instanceof GitopsBumpError && e.kind === 'io');
  assert.deepEqual(tempLeftovers(dir), []);
  assert.equal(read(dir, 'sub/keep.txt'), 'x');
});
