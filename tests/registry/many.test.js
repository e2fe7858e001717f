// Many images, one commit: a policy bump over 20 services (each in a dev and a prod
// overlay) resolves every image in a real registry on 127.0.0.1 before anything is
// written; one image that cannot be resolved fails the run with nothing written or pushed,
// or, with --skip-unresolved, is listed as skipped while the other 19 land in one commit.

import assert from 'node:assert/strict';
import test from 'node:test';
import path from 'node:path';
import { cleanEnv, git, makeRemote, runNode } from '../pipeline/helpers.js';
import { snapshot } from './fixtures.js';
import { ROOT, SKIP, pushCreated, startDistribution } from './servers.js';

const CLI = path.join(ROOT, 'pkg', 'bin', 'gitops-bump.js');
const ENV = cleanEnv({ GITOPS_BUMP_REGISTRY_NOT_FOUND_DELAYS_MS: '5,5', DOCKER_CONFIG: '/nonexistent-docker-config' });
const SERVICES = Array.from({ length: 20 }, (_, i) => `svc-${String(i + 1).padStart(2, '0')}`);
const MISSING = 'svc-13';

/** A monorepo of config: each service's base and its dev and prod overlays. */
function monorepo(host) {
  const files = {};
  for (const svc of SERVICES) {
    files[`services/${svc}/base/deployment.yaml`] = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${svc}\nspec:\n  selector:\n    matchLabels: {app: ${svc}}\n  template:\n    metadata:\n      labels: {app: ${svc}}\n    spec:\n      containers:\n        - name: ${svc}\n          image: ${host}/acme/${svc}:0.1.0\n`;
    files[`services/${svc}/base/kustomization.yaml`] = 'resources:\n  - deployment.yaml\n';
    for (const env of ['dev', 'prod']) {
      files[`services/${svc}/overlays/${env}/kustomization.yaml`] = `# ${svc} in ${env}\nresources:\n  - ../../base\nimages:\n  - name: ${host}/acme/${svc}\n    newTag: 0.1.0\n`;
    }
  }
  files['bump.yaml'] = `# every service, dev and prod, to the newest 1.x\nedits:\n${SERVICES.flatMap((svc) => ['dev', 'prod'].map((env) => `  - file: services/${svc}/overlays/${env}\n    image: ${host}/acme/${svc}\n    policy: semver:^1.0.0\n`)).join('')}`;
  return files;
}

test('distribution: 20 images in one commit; one missing fails the run before any write; --skip-unresolved writes 19 and lists it', { skip: SKIP, timeout: 180000 }, async (t) => {
  const reg = await startDistribution(t);
  for (const svc of SERVICES) {
    if (svc === MISSING) continue; // CI never pushed it
    await pushCreated(reg.host, `acme/${svc}`, '1.0.0', '2026-12-01T10:00:00Z');
    await pushCreated(reg.host, `acme/${svc}`, '1.4.2', '2026-12-06T10:00:00Z');
    await pushCreated(reg.host, `acme/${svc}`, '2.0.0', '2026-12-07T10:00:00Z');
  }
  const remote = makeRemote(t, monorepo(reg.host));
  const clone = remote.clone();
  const head = remote.head();
  const before = snapshot(clone);
  const cli = (args) => runNode([CLI, 'apply', 'bump.yaml', '--push', '--json', ...args], { cwd: clone, env: ENV });

  let r = await cli([]);
  assert.equal(r.code, 4, r.stderr);
  assert.match(r.stderr, new RegExp(`error\\[tag-not-found\\]: ${reg.host.replace(/\./g, '\\.')}/acme/${MISSING}: no tag is allowed by semver:\\^1\\.0\\.0`));
  assert.doesNotMatch(r.stderr, /acme\/svc-(0[1-9]|1[0-24-9]|20)\b/, 'only the missing image is named');
  assert.equal(remote.head(), head, 'nothing pushed');
  assert.deepEqual(snapshot(clone), before, 'nothing written');
  assert.equal(git(clone, ['status', '--porcelain']), '');

  const started = Date.now();
  r = await cli(['--skip-unresolved']);
  assert.equal(r.code, 0, r.stderr);
  t.diagnostic(`20 images (40 entries) listed, resolved, written and pushed in one commit in ${Date.now() - started} ms`);
  assert.match(r.stderr, new RegExp(`^skipped ${reg.host.replace(/\./g, '\\.')}/acme/${MISSING}: .*no tag is allowed by semver:\\^1\\.0\\.0 \\(--skip-unresolved\\)$`, 'm'));
  const report = JSON.parse(r.stdout);
  const skipped = report.images.filter((i) => i.skipped);
  assert.deepEqual(skipped.map((i) => i.spec), [`${reg.host}/acme/${MISSING}`, `${reg.host}/acme/${MISSING}`], 'listed as skipped, for its dev and prod');
  assert.equal(report.images.filter((i) => i.verified).length, 38);
  assert.equal(report.changed.length, 38, '19 images in their dev and prod overlays');
  assert.equal(report.pushed, true);
  assert.deepEqual(git(remote.bare, ['rev-list', '--count', `${head}..main`]), '1', 'one commit');
  const files = git(remote.bare, ['diff', '--name-only', head, 'main']).split('\n');
  assert.equal(files.length, 38);
  assert.ok(!files.some((f) => f.includes(MISSING)));
  for (const svc of SERVICES.filter((s) => s !== MISSING)) assert.match(remote.show('main', `services/${svc}/overlays/prod/kustomization.yaml`), /newTag: 1\.4\.2$/);
  assert.match(remote.show('main', `services/${MISSING}/overlays/prod/kustomization.yaml`), /newTag: 0\.1\.0$/);
});
