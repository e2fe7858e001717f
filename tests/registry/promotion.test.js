// Promotion by digest through a mirror, against real registries on 127.0.0.1: staging pulls
// from the origin (crane's registry), production-eu pulls the same image through a mirror
// (distribution). A promotion copies tag and digest; the digest must exist in the mirror
// before anything is written. `status` flags one tag run as different images.

import assert from 'node:assert/strict';
import test from 'node:test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { cleanEnv, runNode } from '../pipeline/helpers.js';
import { snapshot, write } from './fixtures.js';
import { ROOT, SKIP, crane, pushImage, startCrane, startDistribution, tempDir } from './servers.js';

const CLI = path.join(ROOT, 'pkg', 'bin', 'gitops-bump.js');
const ENV = cleanEnv({ DOCKER_CONFIG: '/nonexistent-docker-config' });

test('promote through a mirror: a digest missing there writes nothing (exit 4); once copied, tag and digest land; status flags same tag, different digest', { skip: SKIP, timeout: 180000 }, async (t) => {
  const origin = await startCrane(t);
  const mirror = await startDistribution(t);
  const img = await pushImage(t, origin.host, 'acme/api', '1.9');
  const other = await pushImage(t, origin.host, 'acme/api', '1.9-rebuilt', { content: 'another build' });
  const api = `${origin.host}/acme/api`;
  const mirrored = `${mirror.host}/proxy/acme/api`;
  const dir = tempDir(t, 'gb-promote-mirror-');
  const overlay = (lines) => `resources:\n  - ../../base\nimages:\n  - name: ${api}\n${lines.map((l) => `    ${l}\n`).join('')}`;
  write(dir, {
    'base/deployment.yaml': `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  selector:\n    matchLabels: {app: api}\n  template:\n    metadata:\n      labels: {app: api}\n    spec:\n      containers:\n        - name: api\n          image: ${api}:1.8\n`,
    'base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
    'overlays/staging/kustomization.yaml': overlay(['newTag: "1.9"', `digest: ${img.digest}`]),
    'overlays/production-eu/kustomization.yaml': overlay([`newName: ${mirrored} # pulled through the EU mirror`, 'newTag: "1.8"']),
    // the same tag pinned to another build: what status must flag
    'overlays/production-us/kustomization.yaml': overlay(['newTag: "1.9"', `digest: ${other.digest}`]),
  });
  const cli = (args) => runNode([CLI, ...args], { cwd: dir, env: ENV });
  const before = snapshot(dir);

  let r = await cli(['promote', 'overlays/staging', 'overlays/production-eu']);
  assert.equal(r.code, 4, r.stderr);
  assert.match(r.stderr, new RegExp(`^error\\[digest-not-found\\]: ${mirrored.replace(/\./g, '\\.')}: ${img.digest} is not there; overlays/production-eu pulls \`${api.replace(/\./g, '\\.')}\` from it`, 'm'));
  assert.match(r.stderr, /= help: copy the image to the mirror first \(`crane cp /);
  assert.deepEqual(snapshot(dir), before, 'nothing written');

  // the mirror's replication catches up
  await crane(['cp', `${api}:1.9`, `${mirrored}:1.9`]);
  r = await cli(['promote', 'overlays/staging', 'overlays/production-eu']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`^verified ${mirrored.replace(/\./g, '\\.')}@${img.digest} is in the mirror$`, 'm'));
  assert.equal(readFileSync(path.join(dir, 'overlays/production-eu/kustomization.yaml'), 'utf8'),
    overlay([`newName: ${mirrored} # pulled through the EU mirror`, 'newTag: "1.9"', `digest: ${img.digest}`]));

  // a promotion within one repository asks nothing (the digest is FROM's own)
  const requests = origin.mark();
  r = await cli(['promote', 'overlays/staging', 'overlays/production-us', '--dry-run']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(origin.requestsSince(requests), []);

  r = await cli(['status', 'overlays/staging', 'overlays/production-eu', 'overlays/production-us']);
  assert.equal(r.code, 0, r.stderr);
  const short = (d) => `${d.slice(0, 19)}…`;
  assert.match(r.stdout, new RegExp(`1\\.9@${short(img.digest).replace('…', '')}`), 'digests shown short');
  assert.ok(r.stdout.split('\n').includes(`note: ${api}: same tag 1.9, different digest: overlays/staging ${short(img.digest)}, overlays/production-eu ${short(img.digest)}, overlays/production-us ${short(other.digest)}`), r.stdout);
  const st = JSON.parse((await cli(['status', 'overlays/staging', 'overlays/production-us', '--json'])).stdout);
  assert.deepEqual(st.sameTagDifferentDigest, [{ image: api, tag: '1.9', digests: { 'overlays/staging': img.digest, 'overlays/production-us': other.digest } }]);
});
