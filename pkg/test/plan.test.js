// Plans: parsing, validation errors naming the entry and field, all-or-nothing application.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { GitopsBumpError, applyPlan, loadPlan, parsePlan, validatePlan } from 'gitops-bump';
import { demoTree, read, tempLeftovers, tempTree } from './helpers.js';

const usage = (pattern) => (e) => e instanceof GitopsBumpError && e.kind === 'usage' && pattern.test(e.message);

test('YAML plans read every scalar as a string: value 1.10 stays "1.10"', () => {
  const plan = parsePlan('edits:\n  - file: v.yaml\n    set: image.tag\n    value: 1.10\n    create: true\n');
  assert.deepEqual(plan, { edits: [{ file: 'v.yaml', set: 'image.tag', value: '1.10', create: 'true' }] });
  const [entry] = validatePlan(plan);
  assert.equal(entry.value, '1.10');
  assert.equal(entry.type, 'auto', 'a string, unless it replaces a plain int or bool with its own kind of text');
  assert.equal(entry.create, true);
});

test('JSON plans keep JSON types; a number becomes an int or float edit', () => {
  const plan = parsePlan('[{"file": "v.yaml", "set": "replicas", "value": 3}, {"file": "v.yaml", "set": "ratio", "value": 0.5}]');
  const [a, b] = validatePlan(plan);
  assert.deepEqual([a.value, a.type, b.value, b.type], ['3', 'int', '0.5', 'float']);
});

test('an unparsable plan is a usage error that says why', () => {
  assert.throws(() => parsePlan('edits: [\n'), usage(/not a valid YAML plan/));
  assert.throws(() => parsePlan('{"edits": ', { file: 'p.json' }), usage(/p\.json: not a valid JSON plan/));
  assert.throws(() => parsePlan('a: 1\na: 2\n'), usage(/not a valid YAML plan/));
});

test('validation errors name the entry index and the field', () => {
  assert.throws(() => validatePlan({ edits: [{ file: 'a', set: 'x', value: '1' }, { file: 'b', set: 'y' }] }), usage(/edits\[1\]\.value: is required/));
  assert.throws(() => validatePlan([{ file: 'a', set: 'x', vaule: '1' }]), usage(/edits\[0\]\.vaule: unknown field/));
  assert.throws(() => validatePlan([{ file: 'a', set: 'x', remove: 'y' }]), usage(/edits\[0\]: gives both `set` and `remove`/));
  assert.throws(() => validatePlan([{ file: 'a' }]), usage(/edits\[0\]: says nothing to do/));
  assert.throws(() => validatePlan([{ set: 'x', value: '1' }]), usage(/edits\[0\]\.file: is required/));
  assert.throws(() => validatePlan([{ file: 'a', set: 'x', value: '1', type: 'number' }]), usage(/edits\[0\]\.type: expected one of string, int/));
  assert.throws(() => validatePlan([{ file: 'a', set: 'x', value: '1', create: 'maybe' }]), usage(/edits\[0\]\.create: expected true or false/));
  assert.throws(() => validatePlan([{ file: 'a', set: 'x', value: { nested: 1 } }]), usage(/edits\[0\]\.value: expected a scalar/));
  assert.throws(() => validatePlan([{ file: 'a', image: 'x:1', target: 'helm' }]), usage(/edits\[0\]\.target: expected one of auto/));
  assert.throws(() => validatePlan([{ scan: '.', image: 'x:1', file: 'a' }]), usage(/edits\[0\]\.file: unknown field for a `scan` entry/));
  assert.throws(() => validatePlan(['oops']), usage(/edits\[0\]: expected a mapping/));
  assert.throws(() => validatePlan({ edits: [] }), usage(/empty/));
  assert.throws(() => validatePlan({ edit: [] }), usage(/unknown top-level field `edit`/));
  assert.throws(() => validatePlan('edits'), usage(/expected a list of edits/));
});

test('applyPlan applies set, remove and image entries and reports each file once', (t) => {
  const root = demoTree(t);
  const result = applyPlan(
    {
      edits: [
        { file: 'overlays/production', image: 'ghcr.io/acme/api:1.10.0' },
        { file: 'charts/api/values.yaml', set: 'image.tag', value: '1.10' },
        { file: 'charts/api/values.yaml', set: 'replicaCount', value: '3', type: 'int' },
        { file: 'charts/api/values.yaml', remove: 'image.pullPolicy' },
      ],
    },
    { cwd: root },
  );
  assert.deepEqual(result.changed.map((c) => c.file), ['overlays/production/kustomization.yaml', 'charts/api/values.yaml']);
  assert.deepEqual(result.unchanged, []);
  const values = result.changed[1];
  assert.equal(values.changes.length, 3);
  assert.equal(read(root, 'charts/api/values.yaml'), values.after);
  assert.equal(
    values.after,
    values.before.replace('tag: "1.9"', 'tag: "1.10"').replace('replicaCount: 2', 'replicaCount: 3').replace('  pullPolicy: IfNotPresent\n', ''),
  );
  assert.match(read(root, 'overlays/production/kustomization.yaml'), /newTag: "1\.10\.0" {4}# keep quoted/);
});

test('applyPlan is all or nothing: a failing later entry leaves every file untouched', (t) => {
  const root = demoTree(t);
  const before = { prod: read(root, 'overlays/production/kustomization.yaml'), values: read(root, 'charts/api/values.yaml') };
  assert.throws(
    () =>
      applyPlan(
        [
          { file: 'overlays/production', image: 'ghcr.io/acme/api:1.10.0' },
          { file: 'charts/api/values.yaml', set: 'image.tag', value: '1.10' },
          { file: 'charts/api/values.yaml', set: 'image.tagg', value: '1.10' },
        ],
        { cwd: root },
      ),
    (e) => e instanceof GitopsBumpError && e.kind === 'not-found' && e.file === 'charts/api/values.yaml' && e.segment === 'tagg',
  );
  assert.equal(read(root, 'overlays/production/kustomization.yaml'), before.prod);
  assert.equal(read(root, 'charts/api/values.yaml'), before.values);
  assert.deepEqual(tempLeftovers(root), []);
});

test('applyPlan with dryRun writes nothing; an already-applied plan is unchanged', (t) => {
  const root = demoTree(t);
  const plan = [{ file: 'charts/api/values.yaml', set: 'image.tag', value: '1.10' }];
  const before = read(root, 'charts/api/values.yaml');
  const dry = applyPlan(plan, { cwd: root, dryRun: true });
  assert.equal(dry.changed.length, 1);
  assert.equal(read(root, 'charts/api/values.yaml'), before);
  applyPlan(plan, { cwd: root });
  const again = applyPlan(plan, { cwd: root });
  assert.deepEqual(again, { changed: [], unchanged: ['charts/api/values.yaml'], unchecked: [], promotions: [] });
});

test('an image entry checks the overlay unless force is set', (t) => {
  const root = demoTree(t);
  assert.throws(() => applyPlan([{ file: 'overlays/staging', image: 'ghcr.io/acme/web:1.0' }], { cwd: root }), (e) => e.kind === 'unknown-image');
  const forced = applyPlan([{ file: 'overlays/staging', image: 'ghcr.io/acme/web:1.0', force: 'true' }], { cwd: root, dryRun: true });
  assert.match(forced.changed[0].after, /ghcr\.io\/acme\/web/);
});

test('an image entry on a directory without a kustomization is not-kustomization', (t) => {
  const root = tempTree(t, { 'empty/README': 'x' });
  assert.throws(() => applyPlan([{ file: 'empty', image: 'x:1' }], { cwd: root }), (e) => e.kind === 'not-kustomization' && e.file === 'empty');
});

test('a scan entry updates every reference to the image below the directory', (t) => {
  const root = demoTree(t);
  const result = applyPlan([{ scan: '.', image: 'ghcr.io/acme/api:1.10.0' }], { cwd: root });
  const files = result.changed.map((c) => c.file);
  assert.ok(files.includes('overlays/production/kustomization.yaml'), files.join(', '));
  for (const c of result.changed) assert.equal(read(root, c.file), c.after);
});

test('loadPlan reads YAML and JSON files', (t) => {
  const root = tempTree(t, {
    'plan.yaml': '- file: v.yaml\n  set: a\n  value: 0123\n',
    'plan.json': '{"edits": [{"file": "v.yaml", "remove": "a"}]}',
  });
  assert.deepEqual(loadPlan(path.join(root, 'plan.yaml')), [{ file: 'v.yaml', set: 'a', value: '0123' }]);
  assert.deepEqual(loadPlan(path.join(root, 'plan.json')), { edits: [{ file: 'v.yaml', remove: 'a' }] });
  assert.throws(() => loadPlan(path.join(root, 'nope.yaml')), (e) => e.kind === 'not-found');
  assert.ok(fs.existsSync(path.join(root, 'plan.yaml')));
});
