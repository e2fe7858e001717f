// The differential test of the Helm support, with `helm template` as the oracle: every
// `image`, `--scan` and `set` over the fixtures either exits non-zero and writes nothing, or
// exits 0 and the render changes in exactly the asked image of the intended containers —
// nothing else in any render moves. Every edited Application still passes Argo CD's
// source-type check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { cli, tempTree } from '../../pkg/test/helpers.js';
import { REPO, RENDERS, argoCheck, changedImages as changed, renderAll, requireHelm, treeFiles } from './helm.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const NGINX_DIGEST = 'sha256:594ceea76b01c592858f803f9ff4d2cb40542cae2060410b2c95f75907d659e1';

/** The api chart's one container, rendered at ghcr.io/acme/api:`tag`. */
const api = (tag) => ({ 'Deployment/api/api': `ghcr.io/acme/api:${tag}` });
/** prod's values file moved to `tag`: the Application of the local chart reads that file too. */
const prodAt = (tag) => ({ 'api prod': api(tag), 'apps/api-local-chart.yaml': api(tag) });

/**
 * Each case: the CLI arguments, and either the render changes it must make (render name ->
 * container -> new image), or the failure it must give (`error`: a regexp on stderr).
 */
const CASES = [
  {
    name: 'image on a parameters Application edits the parameter',
    args: ['image', 'apps/redis-parameters.yaml', 'docker.io/bitnami/redis:8.2.2-debian-12-r0'],
    renders: { 'apps/redis-parameters.yaml': { 'StatefulSet/cache-master/redis': 'docker.io/bitnami/redis:8.2.2-debian-12-r0' } },
  },
  {
    name: 'image on a valuesObject Application replaces the tag and clears the old digest',
    args: ['image', 'apps/redis-values-object.yaml', 'bitnami/redis:8.2.2-debian-12-r0'],
    before: { 'apps/redis-values-object.yaml': { 'StatefulSet/redis-values-object-master/redis': `docker.io/bitnami/redis@${D1}` } },
    renders: { 'apps/redis-values-object.yaml': { 'StatefulSet/redis-values-object-master/redis': 'docker.io/bitnami/redis:8.2.2-debian-12-r0' } },
    stdout: /image\.digest/,
  },
  {
    name: 'image with a digest on a valuesObject Application pins the new digest',
    args: ['image', 'apps/redis-values-object.yaml', `bitnami/redis:8.2.2-debian-12-r0@sha256:${'3'.repeat(64)}`],
    renders: { 'apps/redis-values-object.yaml': { 'StatefulSet/redis-values-object-master/redis': `docker.io/bitnami/redis@sha256:${'3'.repeat(64)}` } },
  },
  {
    name: 'image by the name rendered under global.imageRegistry edits that Application only',
    args: ['image', 'apps/redis-mirror.yaml', 'mirror.example.com/bitnami/redis:8.2.2-debian-12-r0'],
    before: { 'apps/redis-mirror.yaml': { 'StatefulSet/redis-mirror-master/redis': 'mirror.example.com/bitnami/redis:8.2.1-debian-12-r0' } },
    renders: { 'apps/redis-mirror.yaml': { 'StatefulSet/redis-mirror-master/redis': 'mirror.example.com/bitnami/redis:8.2.2-debian-12-r0' } },
  },
  {
    name: 'image on an Application whose values string holds only a tag is refused',
    args: ['image', 'apps/redis-values-string.yaml', 'bitnami/redis:8.2.2-debian-12-r0'],
    error: /rejects kustomize fields beside helm[\s\S]*valuesObject\.image\.tag/,
  },
  {
    name: 'image on an Application whose only parameter is a tag is refused, naming the parameter',
    args: ['image', 'apps/ksm-tag-parameter.yaml', 'registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.17.0'],
    error: /parameters\[name="image\.tag"\]\.value/,
  },
  {
    name: 'image on a multi-source Application of a chart and a ref is refused',
    args: ['image', 'apps/ingress-multi-source.yaml', 'registry.k8s.io/ingress-nginx/controller:v1.15.2'],
    error: /rejects kustomize fields beside helm/,
  },
  {
    name: 'image on the values file the multi-source Application reads edits it there',
    args: ['image', 'envs/prod/ingress-nginx.yaml', 'registry.k8s.io/ingress-nginx/controller:v1.15.2'],
    before: { 'apps/ingress-multi-source.yaml': { 'Deployment/ingress-nginx-controller/controller': `registry.k8s.io/ingress-nginx/controller:v1.15.1@${NGINX_DIGEST}` } },
    renders: { 'apps/ingress-multi-source.yaml': { 'Deployment/ingress-nginx-controller/controller': 'registry.k8s.io/ingress-nginx/controller:v1.15.2' } },
  },
  {
    name: 'set of an ingress-nginx tag clears the digest beside it and says so',
    args: ['set', 'envs/prod/ingress-nginx.yaml', 'controller.image.tag', 'v1.15.2'],
    renders: { 'apps/ingress-multi-source.yaml': { 'Deployment/ingress-nginx-controller/controller': 'registry.k8s.io/ingress-nginx/controller:v1.15.2' } },
    stdout: /controller\.image\.digest/,
  },
  {
    name: 'image on a HelmRelease edits spec.values and clears the old sha',
    args: ['image', 'flux/ksm.yaml', 'registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.17.0'],
    before: { 'flux/ksm.yaml': { 'Deployment/kube-state-metrics/kube-state-metrics': `registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.16.0@sha256:${'2a'.repeat(32)}` } },
    renders: { 'flux/ksm.yaml': { 'Deployment/kube-state-metrics/kube-state-metrics': 'registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.17.0' } },
  },
  {
    name: 'set of a kube-state-metrics tag clears the sha',
    args: ['set', 'flux/ksm.yaml', 'spec.values.image.tag', 'v2.17.0', '--select', 'kind=HelmRelease'],
    renders: { 'flux/ksm.yaml': { 'Deployment/kube-state-metrics/kube-state-metrics': 'registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.17.0' } },
  },
  {
    name: 'image on a values file edits the one sidecar it names',
    args: ['image', 'envs/prod/redis.yaml', 'bitnami/redis-exporter:1.77.0'],
    renders: { 'redis prod': { 'StatefulSet/rel-master/metrics': 'docker.io/bitnami/redis-exporter:1.77.0' } },
  },
  {
    name: 'image on a values file with --force (the old hint) edits the image, never appends images:',
    args: ['image', 'envs/prod/redis.yaml', 'docker.io/bitnami/redis:8.2.2-debian-12-r0', '--force'],
    renders: {
      'redis prod': {
        'StatefulSet/rel-master/redis': 'docker.io/bitnami/redis:8.2.2-debian-12-r0',
        'StatefulSet/rel-replicas/redis': 'docker.io/bitnami/redis:8.2.2-debian-12-r0',
      },
    },
    absent: { 'envs/prod/redis.yaml': /^images:/m },
  },
  {
    name: 'image on a HelmRelease that holds only a tag is refused (the name is the chart\'s)',
    args: ['image', 'flux/podinfo.yaml', 'docker.io/redis:7.4.3'],
    error: /references no image/,
  },
  {
    name: '--scan updates every Application, HelmRelease and values file naming the image',
    args: ['image', '.', 'docker.io/bitnami/redis:8.2.2-debian-12-r0', '--scan'],
    renders: {
      'apps/redis-parameters.yaml': { 'StatefulSet/cache-master/redis': 'docker.io/bitnami/redis:8.2.2-debian-12-r0' },
      'apps/redis-values-object.yaml': { 'StatefulSet/redis-values-object-master/redis': 'docker.io/bitnami/redis:8.2.2-debian-12-r0' },
      'apps/redis-mirror.yaml': { 'StatefulSet/redis-mirror-master/redis': 'mirror.example.com/bitnami/redis:8.2.2-debian-12-r0' },
      'redis prod': {
        'StatefulSet/rel-master/redis': 'docker.io/bitnami/redis:8.2.2-debian-12-r0',
        'StatefulSet/rel-replicas/redis': 'docker.io/bitnami/redis:8.2.2-debian-12-r0',
      },
    },
  },
  {
    name: '--scan edits the environment that pins the tag, never the chart\'s shared defaults',
    args: ['image', '.', 'ghcr.io/acme/api:1.2.0', '--scan'],
    renders: prodAt('1.2.0'),
    absent: { 'charts/api/values.yaml': /1\.2\.0/ },
  },
  {
    name: 'image on an environment\'s file that holds no tag adds it there (only the chart names the image)',
    args: ['image', 'envs/staging/values.yaml', 'ghcr.io/acme/api:1.2.0'],
    before: { 'api staging': api('1.0.0') },
    renders: { 'api staging': api('1.2.0') },
  },
  {
    name: '--scan of the chart\'s folder edits its defaults: what follows them moves, a pinned environment does not',
    args: ['image', 'charts/api', 'ghcr.io/acme/api:1.2.0', '--scan'],
    renders: { 'api staging': api('1.2.0') },
  },
  {
    name: 'promote between environment files: prod takes the version staging runs (the chart\'s default) in its own file',
    args: ['promote', 'envs/staging/values.yaml', 'envs/prod/values.yaml', '--image', 'ghcr.io/acme/api'],
    renders: prodAt('1.0.0'),
    absent: { 'charts/api/values.yaml': /1\.1\.0/ },
  },
  {
    name: 'promote into an environment file that holds no tag adds it there, never to the chart\'s defaults',
    args: ['promote', 'envs/prod/values.yaml', 'envs/staging/values.yaml'],
    renders: { 'api staging': api('1.1.0') },
    absent: { 'charts/api/values.yaml': /1\.1\.0/ },
  },
  {
    name: 'promote of a digest into an Application whose parameters have no digest field is refused',
    args: ['promote', 'apps/redis-values-object.yaml', 'apps/redis-parameters.yaml'],
    error: /no `digest` \(or `sha`\) field to pin/,
  },
  {
    name: 'promote into a Helm-source Application: TO runs FROM\'s version, its old digest cleared, its own registry kept',
    args: ['promote', 'apps/redis-mirror.yaml', 'apps/redis-values-object.yaml'],
    renders: { 'apps/redis-values-object.yaml': { 'StatefulSet/redis-values-object-master/redis': 'docker.io/bitnami/redis:8.2.1-debian-12-r0' } },
    stdout: /image\.digest/,
  },
  {
    name: 'promote into an Application over a chart of this repository edits the value file that decides its tag',
    args: ['promote', 'envs/staging/values.yaml', 'apps/api-local-chart.yaml'],
    renders: prodAt('1.0.0'), // the Application's tag is decided by prod's values file
  },
];

test('helm is the oracle here', () => requireHelm());

const APPS = Object.keys(treeFiles(REPO)).filter((f) => f.startsWith('apps/')).sort();

test('Argo CD\'s own check accepts every fixture Application and refuses a Helm source given kustomize images', (t) => {
  assert.deepEqual(argoCheck(REPO, APPS), { code: 0, output: '' });
  // What `image` did to a Helm-source Application before: Argo CD refuses the result.
  const dir = tempTree(t, { 'app.yaml': `${fs.readFileSync(path.join(REPO, 'apps/redis-parameters.yaml'), 'utf8')}`.replace('    helm:\n', '    kustomize:\n      images:\n        - bitnami/redis:8.2.2\n    helm:\n') });
  const r = argoCheck(dir, ['app.yaml']);
  assert.equal(r.code, 1);
  assert.match(r.output, /multiple application sources defined: Kustomize,Helm/);
});

const BASELINE = (() => {
  requireHelm();
  return renderAll(REPO);
})();

for (const c of CASES) {
  test(c.name, (t) => {
    const dir = tempTree(t);
    fs.cpSync(REPO, dir, { recursive: true });
    const files = treeFiles(dir);
    for (const [name, want] of Object.entries(c.before ?? {})) {
      for (const [key, image] of Object.entries(want)) assert.equal(BASELINE[name][key], image, `${name} ${key} before`);
    }
    const r = cli(c.args, { cwd: dir });
    if (c.error) {
      assert.notEqual(r.code, 0, `expected a refusal, got exit 0: ${r.stdout}`);
      assert.match(r.stderr, c.error);
      assert.deepEqual(treeFiles(dir), files, 'a refused command writes nothing');
      return;
    }
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(argoCheck(dir, APPS), { code: 0, output: '' }, 'Argo CD accepts every Application after the edit');
    if (c.stdout) assert.match(r.stdout, c.stdout);
    const after = renderAll(dir);
    for (const name of Object.keys(RENDERS)) {
      assert.deepEqual(changed(BASELINE[name], after[name]), c.renders[name] ?? {}, `render of ${name}`);
    }
    for (const [file, re] of Object.entries(c.absent ?? {})) assert.doesNotMatch(fs.readFileSync(path.join(dir, file), 'utf8'), re);
  });
}
