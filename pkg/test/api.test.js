// The text API, imported exactly as a user would: `from 'gitops-bump'`.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  applyEdits,
  checkImage,
  getValue,
  overlayImages,
  parseImageSpec,
  removeValue,
  scanImage,
  setImage,
  setValue,
  version,
} from 'gitops-bump';
import { demoTree, ROOT, throwsKind } from './helpers.js';

const VALUES = `# Default values
replicaCount: 2

image:
  repository: ghcr.io/acme/api
  tag: "1.9"
  pullPolicy: IfNotPresent   # or Always
`;

test('version() is the crate version', () => {
  const cargo = fs.readFileSync(path.join(ROOT, 'Cargo.toml'), 'utf8');
  assert.equal(version(), /^version = "([^"]+)"/m.exec(cargo)[1]);
});

test('setValue changes only the bytes of the value, keeping its quote style', () => {
  const { text, changes } = setValue(VALUES, 'image.tag', '1.10');
  assert.equal(text, VALUES.replace('tag: "1.9"', 'tag: "1.10"'));
  assert.equal(changes.length, 1);
  assert.equal(changes[0].path, 'image.tag');
  assert.equal(changes[0].kind, 'set');
  assert.equal(changes[0].old, '1.9');
  assert.equal(changes[0].new, '1.10');
  assert.equal(changes[0].line, 6);
  assert.equal(changes[0].doc, 0);
});

test('setValue keeps the trailing comment after a quoted or plain value', () => {
  for (const [before, after] of [
    ['tag: "1.9"   # pinned\nx: 1\n', 'tag: "1.10"   # pinned\nx: 1\n'],
    ["tag: '1.9' # pinned\n", "tag: '1.10' # pinned\n"],
    ['tag: v1.9 # pinned\n', 'tag: "1.10" # pinned\n'],
  ]) {
    const { text } = setValue(before, 'tag', '1.10');
    if (before.startsWith('tag: v')) assert.match(text, /^tag: (["'])1\.10\1 # pinned\n$/);
    else assert.equal(text, after);
  }
});

test('setValue quotes a string that YAML would read as a number', () => {
  const { text } = setValue('tag: v1\n', 'tag', '1.10');
  assert.match(text, /^tag: (["'])1\.10\1\n$/);
  const { text: sha } = setValue('tag: abc\n', 'tag', '1234567');
  assert.match(sha, /^tag: (["'])1234567\1\n$/);
});

test('setValue infers the type of a JS number or boolean, unless a type is given', () => {
  assert.equal(setValue('replicaCount: 2\n', 'replicaCount', 3).text, 'replicaCount: 3\n');
  assert.equal(setValue('enabled: false\n', 'enabled', true).text, 'enabled: true\n');
  assert.match(setValue('replicaCount: 2\n', 'replicaCount', 3, { type: 'string' }).text, /^replicaCount: (["'])3\1\n$/);
  assert.equal(setValue('replicaCount: 2\n', 'replicaCount', '4', { type: 'int' }).text, 'replicaCount: 4\n');
});

test('setValue with the same value reports an unchanged change and returns the same text', () => {
  const { text, changes } = setValue(VALUES, 'image.tag', '1.9');
  assert.equal(text, VALUES);
  assert.deepEqual(changes.map((c) => c.kind), ['unchanged']);
});

test('setValue with create inserts a missing key in the file\'s indentation', () => {
  const { text, changes } = setValue(VALUES, 'image.digest', 'sha256:abc', { create: true });
  assert.ok(text.startsWith(VALUES.slice(0, VALUES.indexOf('  pullPolicy'))), 'lines before the insertion are unchanged');
  assert.match(text, /\n  digest: "?sha256:abc"?\n/);
  assert.equal(changes[0].kind, 'insert');
});

test('a missing key is a not-found error with the segment, a code frame and a hint', () => {
  const e = throwsKind(() => setValue(VALUES, 'imagee.tag', '1.10', { file: 'values.yaml' }), 'not-found');
  assert.equal(e.segment, 'imagee');
  assert.equal(e.file, 'values.yaml');
  assert.equal(typeof e.line, 'number');
  assert.equal(typeof e.column, 'number');
  assert.match(e.hint ?? '', /image/);
  assert.match(e.message, /values\.yaml/);
  assert.match(e.message, /\^/, 'the message carries a code frame');
  assert.ok(e instanceof Error);
  assert.equal(JSON.parse(JSON.stringify(e)).kind, 'not-found');
});

test('a bad path is a path-syntax error', () => {
  throwsKind(() => getValue(VALUES, 'image.[', {}), 'path-syntax');
});

test('malformed YAML is a yaml-syntax error', () => {
  throwsKind(() => setValue('a: [1, 2\nb: c\n', 'b', 'd'), 'yaml-syntax');
});

test('getValue returns the node with its type (and no second name for it), value, position and source', () => {
  const [found, ...rest] = getValue(VALUES, 'image.tag');
  assert.equal(rest.length, 0);
  assert.equal(found.path, 'image.tag');
  assert.equal(found.type, 'string');
  assert.equal('kind' in found, false, 'a node has a type; kind names what a change did');
  assert.equal(found.value, '1.9');
  assert.equal(found.source, '"1.9"');
  assert.equal(found.line, 6);
  assert.equal(found.column, 8);
  assert.equal(Buffer.from(VALUES).subarray(found.start, found.end).toString(), '"1.9"');
  const [map] = getValue(VALUES, 'image');
  assert.equal(map.type, 'map');
  const [count] = getValue(VALUES, '/replicaCount');
  assert.equal(count.type, 'int');
  assert.equal(count.value, '2');
});

const MULTI = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: api
          image: ghcr.io/acme/api:1.9.0
        - name: sidecar
          image: envoy:1.0
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
spec:
  template:
    spec:
      containers:
        - name: api
          image: ghcr.io/acme/api:1.9.0
`;

test('a path matching in several documents is ambiguous unless all or a selector narrows it', () => {
  const path = 'spec.template.spec.containers[name=api].image';
  throwsKind(() => getValue(MULTI, path), 'ambiguous');
  assert.equal(getValue(MULTI, path, { all: true }).length, 2);
  const [one] = getValue(MULTI, path, { select: 'kind=Deployment,metadata.name=worker' });
  assert.equal(one.doc, 1);
  const { text } = setValue(MULTI, path, 'ghcr.io/acme/api:1.10.0', { select: 'metadata.name=worker' });
  assert.equal(text, MULTI.replace(/(worker[^]*)ghcr.io\/acme\/api:1.9.0/, '$1ghcr.io/acme/api:1.10.0'));
});

test('a [key=value] selector that matches nothing is not-found, not a silent no-op', () => {
  throwsKind(() => setValue(MULTI, 'spec.template.spec.containers[name=ap].image', 'x', { select: 'metadata.name=api' }), 'not-found');
});

test('removeValue removes the key and its line, nothing else', () => {
  const { text, changes } = removeValue(VALUES, 'image.pullPolicy');
  assert.equal(text, VALUES.replace('  pullPolicy: IfNotPresent   # or Always\n', ''));
  assert.equal(changes[0].kind, 'remove');
});

test('applyEdits applies every edit, or none when one fails', () => {
  const { text, changes } = applyEdits(VALUES, [
    { op: 'set', path: 'image.tag', value: '2.0' },
    { op: 'set', path: 'replicaCount', value: 4 },
    { op: 'remove', path: 'image.pullPolicy' },
  ]);
  assert.equal(
    text,
    VALUES.replace('"1.9"', '"2.0"').replace('replicaCount: 2', 'replicaCount: 4').replace('  pullPolicy: IfNotPresent   # or Always\n', ''),
  );
  assert.equal(changes.length, 3);
  throwsKind(() => applyEdits(VALUES, [{ op: 'set', path: 'image.tag', value: '2.0' }, { op: 'set', path: 'nope.x', value: '1' }]), 'not-found');
});

test('applyEdits validates edits before calling the core', () => {
  throwsKind(() => applyEdits(VALUES, [{ op: 'set', path: 'image.tag', value: { a: 1 } }]), 'usage');
  throwsKind(() => applyEdits(VALUES, /** @type {any} */ ('nope')), 'usage');
});

const KUSTOMIZATION = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base

# release images
images:
  - name: ghcr.io/acme/api
    newTag: "1.9.0"    # keep quoted
`;

test('setImage sets newTag in a kustomization and touches nothing else', () => {
  const { text, changes } = setImage(KUSTOMIZATION, 'ghcr.io/acme/api:1.10.0', { file: 'kustomization.yaml' });
  assert.equal(text, KUSTOMIZATION.replace('"1.9.0"', '"1.10.0"'));
  assert.ok(changes.some((c) => c.kind === 'set' && c.new === '1.10.0'));
});

test('setImage with an invalid spec is an image-spec error', () => {
  throwsKind(() => setImage(KUSTOMIZATION, 'ghcr.io/acme/api:bad tag'), 'image-spec');
});

test('parseImageSpec speaks kustomize\'s grammar', () => {
  const digest = `sha256:${'a'.repeat(64)}`;
  const spec = parseImageSpec(`api=ghcr.io/acme/api:1.2.3@${digest}`);
  assert.equal(spec.name, 'api');
  assert.equal(spec.newName, 'ghcr.io/acme/api');
  assert.equal(spec.newTag, '1.2.3');
  assert.equal(spec.digest, digest);
  // `name:tag` keeps the current newName ("*") and clears the digest (null)
  assert.deepEqual({ ...parseImageSpec('ghcr.io/acme/api:1.10') }, { name: 'ghcr.io/acme/api', newName: '*', newTag: '1.10', digest: null });
  assert.throws(() => parseImageSpec('api=a=b'), (e) => e.kind === 'image-spec');
});

test('overlayImages lists the images the overlay renders, read through node:fs below root', (t) => {
  const root = demoTree(t);
  const images = overlayImages('overlays/production', { root });
  const names = images.map((i) => i.name).sort();
  assert.deepEqual(names, ['ghcr.io/acme/api', 'prom/statsd-exporter']);
  const api = images.find((i) => i.name === 'ghcr.io/acme/api');
  assert.equal(api.container, 'api');
  assert.equal(api.kind, 'Deployment');
});

test('overlayImages accepts a custom { read, list } file source', () => {
  const files = {
    'o/kustomization.yaml': 'resources:\n  - d.yaml\n',
    'o/d.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: busybox:1.36\n',
  };
  const reads = [];
  const fs = {
    read: (p) => {
      reads.push(p);
      return files[p] ?? null;
    },
    list: (p) => (p === 'o' ? ['d.yaml', 'kustomization.yaml'] : null),
  };
  const images = overlayImages('o', { fs });
  assert.deepEqual(images.map((i) => i.name), ['busybox']);
  assert.ok(reads.includes('o/d.yaml'), `read the resource (reads: ${reads.join(', ')})`);
});

test('checkImage throws unknown-image for an image the overlay does not use', (t) => {
  const root = demoTree(t);
  assert.ok(checkImage('overlays/production', 'ghcr.io/acme/api:2.0.0', { root }).length >= 1);
  const e = throwsKind(() => checkImage('overlays/production', 'ghcr.io/acme/apii:2.0.0', { root }), 'unknown-image');
  assert.match(e.message + (e.hint ?? ''), /ghcr\.io\/acme\/api\b/);
});

test('scanImage edits every reference below a directory, writing nothing', (t) => {
  const root = demoTree(t);
  const before = fs.readFileSync(path.join(root, 'base/deployment.yaml'), 'utf8');
  const { files } = scanImage('.', 'ghcr.io/acme/api:1.10.0', { root });
  const prod = files.find((f) => f.file === 'overlays/production/kustomization.yaml');
  assert.ok(prod, `production overlay found (files: ${files.map((f) => f.file).join(', ')})`);
  assert.equal(prod.text, fs.readFileSync(path.join(root, prod.file), 'utf8').replace('"1.9.0"', '"1.10.0"'));
  for (const f of files) assert.ok(f.changes.length >= 1, `${f.file} lists its changes`);
  assert.equal(fs.readFileSync(path.join(root, 'base/deployment.yaml'), 'utf8'), before);
});
