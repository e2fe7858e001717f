// The Helm cases end to end through the packed orb's `bump` job (run by the stand-in runner,
// as orb-e2e.test.js does) against a config repository made of tests/helm/repo: an image on
// a Helm-source Application lands in its values, never a kustomize field; a tag bump (image
// or set) clears the digest beside it; an image on a values file lands in its image map,
// never in a kustomize images: block; an Application it cannot edit fails the job with
// nothing pushed. What main holds afterwards is rendered with `helm template`.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { git, makeRemote } from '../pipeline/helpers.js';
import { setup } from './fixtures.js';
import { renderChanges, repoFiles, requireHelm } from '../helm/helm.js';

describe('the packed bump job on a Helm config repository', { concurrency: 2 }, () => {
  /** The runner of the orb fixtures, and a config repository of the Helm fixtures. */
  function helmSetup(t) {
    requireHelm();
    const { runner } = setup(t);
    const config = makeRemote(t, repoFiles());
    const show = (file) => git(config.bare, ['show', `main:${file}`]);
    const head = () => git(config.bare, ['rev-parse', 'main']);
    const bump = async (args) => {
      const r = await runner.runJob('bump', { repository: config.url, ...args });
      t.after(() => rmSync(r.root, { recursive: true, force: true }));
      return r;
    };
    return { bump, show, head };
  }

  test('image on a valuesObject Application: the tag lands there, the old digest is cleared and reported', async (t) => {
    const { bump, show } = helmSetup(t);
    const r = await bump({ targets: 'apps/redis-values-object.yaml', images: 'bitnami/redis:8.2.2-debian-12-r0' });
    assert.equal(r.exitCode, 0, r.output);
    assert.match(r.output, /spec\.source\.helm\.valuesObject\.image\.digest: sha256:1{64} -> ""/);
    const app = show('apps/redis-values-object.yaml');
    assert.doesNotMatch(app, /kustomize/);
    assert.deepEqual(renderChanges({ 'apps/redis-values-object.yaml': app }), {
      'apps/redis-values-object.yaml': { 'StatefulSet/redis-values-object-master/redis': 'docker.io/bitnami/redis:8.2.2-debian-12-r0' },
    });
  });

  test('set of an ingress-nginx tag in a values file clears the digest beside it', async (t) => {
    const { bump, show } = helmSetup(t);
    const r = await bump({ file: 'envs/prod/ingress-nginx.yaml', path: 'controller.image.tag', value: 'v1.15.2' });
    assert.equal(r.exitCode, 0, r.output);
    assert.match(r.output, /controller\.image\.digest: sha256:594c\S* -> ""/);
    assert.deepEqual(renderChanges({ 'envs/prod/ingress-nginx.yaml': show('envs/prod/ingress-nginx.yaml') }), {
      'apps/ingress-multi-source.yaml': { 'Deployment/ingress-nginx-controller/controller': 'registry.k8s.io/ingress-nginx/controller:v1.15.2' },
    });
  });

  test('image on a Helm values file: the tag lands in its image map, never a kustomize images: block', async (t) => {
    const { bump, show } = helmSetup(t);
    const file = 'envs/prod/ingress-nginx.yaml';
    const before = show(file);
    const r = await bump({ targets: file, images: 'registry.k8s.io/ingress-nginx/controller:v1.15.2' });
    assert.equal(r.exitCode, 0, r.output);
    const after = show(file);
    assert.doesNotMatch(after, /^images:/m);
    assert.match(after, /^ {4}tag: "?v1\.15\.2"?/m);
    // only the tag and the digest beside it changed: every other line is as it was
    const changed = after.split('\n').filter((l, i) => l !== before.split('\n')[i]);
    assert.equal(changed.length, 2, changed.join('\n'));
    assert.deepEqual(renderChanges({ [file]: after }), {
      'apps/ingress-multi-source.yaml': { 'Deployment/ingress-nginx-controller/controller': 'registry.k8s.io/ingress-nginx/controller:v1.15.2' },
    });
  });

  test('image on an Application whose image only the values string names: the job fails, nothing is pushed', async (t) => {
    const { bump, head } = helmSetup(t);
    const before = head();
    const r = await bump({ targets: 'apps/redis-values-string.yaml', images: 'bitnami/redis:8.2.2-debian-12-r0' });
    assert.notEqual(r.exitCode, 0);
    assert.match(r.output, /rejects kustomize fields beside helm/);
    assert.equal(head(), before);
  });
});
