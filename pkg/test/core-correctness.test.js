// The core's answers as users of the CLI and the API see them: types kept and reported,
// collections read as YAML, aliases read through, deep input refused cleanly (no wasm trap).
import test from 'node:test';
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { getValue, setValue } from 'gitops-bump';
import { cli, demoTree, expect, read, tempTree, throwsKind } from './helpers.js';

test('set keeps an int an int, says when a type changes, and reports typed values as written', (t) => {
  const cwd = tempTree(t, { 'deploy.yaml': 'spec:\n  replicas: 2\n  tag: 1.9\n' });
  expect(cli(['set', 'deploy.yaml', 'spec.replicas', '5'], { cwd }), 0);
  assert.equal(read(cwd, 'deploy.yaml'), 'spec:\n  replicas: 5\n  tag: 1.9\n');
  const same = JSON.parse(expect(cli(['set', 'deploy.yaml', 'spec.replicas', '5', '--json'], { cwd }), 0).stdout);
  assert.deepEqual([same.changed.length, same.unchanged.length], [0, 1]);
  const r = expect(cli(['set', 'deploy.yaml', 'spec.tag', '1.10', '--json', '--dry-run'], { cwd }), 0);
  const change = JSON.parse(r.stdout).changed[0].changes[0];
  assert.deepEqual([change.oldType, change.newType, change.new], ['float', 'string', '1.10']);
  const summary = expect(cli(['set', 'deploy.yaml', 'spec.tag', '1.10'], { cwd }), 0).stdout;
  assert.match(summary, /spec\.tag: 1\.9 -> 1\.10 \(float -> string\)$/m);
  assert.equal(read(cwd, 'deploy.yaml'), 'spec:\n  replicas: 5\n  tag: "1.10"\n');
  const b = setValue('a: 1\n', 'a', 'yes', { type: 'bool' });
  assert.deepEqual([b.text, b.changes[0].new], ['a: true\n', 'true']);
  assert.equal(setValue('a: 1\n', 'a', '1e3', { type: 'float' }).text, 'a: 1.0e+3\n');
});

test('get prints a collection as a YAML document, and names the anchor it read through', (t) => {
  const cwd = tempTree(t, { 'v.yaml': 'base: &b\n  repository: x # c\n  tag: "1.9"\nlist:\n  - a\n  - b\napi:\n  <<: *b\n' });
  const map = expect(cli(['get', 'v.yaml', 'base'], { cwd }), 0).stdout;
  assert.deepEqual(YAML.parse(map), { repository: 'x', tag: '1.9' });
  assert.deepEqual(YAML.parse(expect(cli(['get', 'v.yaml', 'list'], { cwd }), 0).stdout), ['a', 'b']);
  const merged = expect(cli(['get', 'v.yaml', 'api.tag'], { cwd }), 0);
  assert.equal(merged.stdout, '1.9\n');
  assert.match(merged.stderr, /anchor `&b` is at v\.yaml:1/);
  const dup = expect(cli(['get', 'v.yaml', 'x'], { cwd: tempTree(t, { 'v.yaml': 'x: 1\ny: 2\nx: 3\n' }) }), 1);
  assert.match(dup.stderr, /duplicate key `x`: it is also at line 1/);
});

test('the same image twice in one command is a usage error naming both specs', (t) => {
  const cwd = demoTree(t);
  const before = read(cwd, 'overlays/production/kustomization.yaml');
  const r = expect(cli(['image', 'overlays/production', 'ghcr.io/acme/api=reg/api:v1', 'ghcr.io/acme/api=*:v2'], { cwd }), 2);
  assert.match(r.stderr, /`ghcr\.io\/acme\/api=reg\/api:v1` and `ghcr\.io\/acme\/api=\*:v2`/);
  assert.equal(read(cwd, 'overlays/production/kustomization.yaml'), before);
});

test('deep input is a clean too-deep error through the wasm core, and the next call works', () => {
  const deepSeq = `${'- '.repeat(10_000)}x\n`;
  const deepMap = Array.from({ length: 10_000 }, (_, i) => `${' '.repeat(i)}k:\n`).join('');
  for (const text of [deepSeq, deepMap]) {
    const e = throwsKind(() => getValue(text, 'a'), 'too-deep');
    assert.ok(e.line > 0 && e.column > 0, e.message);
    throwsKind(() => setValue(text, 'a', '1'), 'too-deep');
  }
  for (const n of [200, 3_000]) {
    const e = throwsKind(() => setValue('x: 1\n', Array(n).fill('k').join('.'), 'v', { create: true }), 'too-deep');
    assert.doesNotMatch(e.message, /bug/);
  }
  assert.equal(setValue('a: 1\n', 'a', '2').text, 'a: 2\n');
});
