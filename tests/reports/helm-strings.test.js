// Issue 21 item 1: an `image: "repo:tag"` string in Helm values is an image, also for
// `status` and `promote`. The fixture (tests/reports/helm-envs) is shaped like a bitnami
// chart's values split per environment: the main image as a registry/repository/tag map,
// an exporter whose image is one quoted string, and a `sidecars` list whose entries carry
// plain `image:` strings (dev in double quotes, prod in single quotes or none).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { cli, copyTree, ROOT } from '../../pkg/test/helpers.js';

const FIXTURE = path.join(ROOT, 'tests', 'reports', 'helm-envs');
const DEV = 'dev=envs/dev/values.yaml';
const PROD = 'prod=envs/prod/values.yaml';
const PROD_FILE = 'envs/prod/values.yaml';

/** A temp copy of the fixture. */
const envs = (t) => copyTree(t, FIXTURE);

function ok(r) {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

/** 1-based line of the first line of `text` containing `needle`. */
function lineOf(text, needle) {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `${needle} not in\n${text}`);
  return i + 1;
}

test('status reads image strings in Helm values (a quoted exporter image, sidecar list entries) beside the image map', (t) => {
  const dir = envs(t);
  const st = JSON.parse(ok(cli(['status', DEV, PROD, '--json'], { cwd: dir })).stdout);
  const rows = Object.fromEntries(st.images.map((r) => [r.image, r.cells]));
  assert.deepEqual(Object.keys(rows).sort(), ['docker.io/acme/redis-exporter', 'docker.io/bitnami/redis', 'ghcr.io/acme/log-shipper']);
  const prodText = fs.readFileSync(path.join(dir, PROD_FILE), 'utf8');
  for (const [image, dev, prod, needle] of [
    ['docker.io/acme/redis-exporter', '1.58.0', '1.55.0', 'redis-exporter:'],
    ['ghcr.io/acme/log-shipper', '2.4.1', '2.3.9', 'log-shipper:'],
  ]) {
    assert.equal(rows[image].dev.tag, dev, image);
    assert.equal(rows[image].prod.tag, prod, image);
    assert.equal(rows[image].prod.file, PROD_FILE, image);
    assert.equal(rows[image].prod.line, lineOf(prodText, needle), `${image}: the line of the string in prod`);
  }
  const text = ok(cli(['status', DEV, PROD], { cwd: dir })).stdout;
  assert.match(text, /^docker\.io\/acme\/redis-exporter +1\.58\.0 +1\.55\.0 \*$/m);
  assert.match(text, /^ghcr\.io\/acme\/log-shipper +2\.4\.1 +2\.3\.9 \*$/m);
});

test('promote copies image strings into the target file, keeping each string\'s quoting and every other byte', (t) => {
  const dir = envs(t);
  const before = fs.readFileSync(path.join(dir, PROD_FILE), 'utf8');
  const devBefore = fs.readFileSync(path.join(dir, 'envs/dev/values.yaml'), 'utf8');
  const r = ok(cli(['promote', DEV, PROD], { cwd: dir }));
  assert.match(r.stdout, /^docker\.io\/acme\/redis-exporter .* promoted$/m);
  assert.match(r.stdout, /^ghcr\.io\/acme\/log-shipper .* promoted$/m);
  const expected = before
    .replace('tag: 7.2.3-debian-12-r1', 'tag: 7.2.4-debian-12-r9')
    .replace("image: 'docker.io/acme/redis-exporter:1.55.0'", "image: 'docker.io/acme/redis-exporter:1.58.0'")
    .replace('image: ghcr.io/acme/log-shipper:2.3.9', 'image: ghcr.io/acme/log-shipper:2.4.1');
  assert.notEqual(expected, before);
  assert.equal(fs.readFileSync(path.join(dir, PROD_FILE), 'utf8'), expected);
  assert.equal(fs.readFileSync(path.join(dir, 'envs/dev/values.yaml'), 'utf8'), devBefore, 'FROM is never written');
  const st = JSON.parse(ok(cli(['status', DEV, PROD, '--json'], { cwd: dir })).stdout);
  for (const row of st.images) assert.equal(row.cells.prod.image, row.cells.dev.image, row.image);
});

test('promote --image of a string image changes that string only', (t) => {
  const dir = envs(t);
  const before = fs.readFileSync(path.join(dir, PROD_FILE), 'utf8');
  ok(cli(['promote', DEV, PROD, '--image', 'ghcr.io/acme/log-shipper'], { cwd: dir }));
  assert.equal(fs.readFileSync(path.join(dir, PROD_FILE), 'utf8'), before.replace('log-shipper:2.3.9', 'log-shipper:2.4.1'));
});
