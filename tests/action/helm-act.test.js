// The Helm cases end to end through the Action under nektos/act (as act.test.js runs it):
// the config repository is tests/helm/repo (Argo CD Applications with Helm sources, a
// values file a multi-source app reads, upstream-shaped charts rendered by `helm template`).
// An image on a Helm-source Application lands in its values (never a kustomize field), an
// image on a values file lands in its image map, a tag bump by image or by set clears the
// digest beside it, and an Application the tool cannot edit fails the step with nothing
// pushed. What main holds afterwards is rendered with helm: exactly the asked images moved.

import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { cleanEnv, runCommand } from '../pipeline/helpers.js';
import { ROOT, actJob as job, configRepo, git, pushWorkflow, tempDir } from './helpers.js';
import { renderChanges, repoFiles, requireHelm } from '../helm/helm.js';

const ACT = path.join(ROOT, '.tools', 'bin', 'act');
const APP = 'apps/redis-values-object.yaml';
const INGRESS = 'envs/prod/ingress-nginx.yaml';
const KSM = 'flux/ksm.yaml';

function resultOf(output, name) {
  const line = output.split('\n').find((l) => l.startsWith(`[${name}]`) && / RESULT /.test(l));
  assert.ok(line, `job ${name}: no RESULT line in act's output:\n${output}`);
  return JSON.parse(line.replace(/^.*? RESULT /, ''));
}

test('act: Helm sources, values files and HelmReleases get the image where Helm reads it', { timeout: 300000, skip: !existsSync(ACT) && !process.env.CI && 'act is not built (scripts/setup-test builds it; in CI this fails)' }, async (t) => {
  requireHelm();
  const dir = tempDir(t, 'gb-helm-act-');
  const origin = configRepo(t, { dir: path.join(dir, 'remote'), slug: 'acme/config', files: repoFiles() });
  const app = origin.clone('app');
  pushWorkflow(app, 'helm', `${job('app', { images: 'bitnami/redis:8.2.2-debian-12-r0', targets: APP })}
${job('values', { images: 'registry.k8s.io/ingress-nginx/controller:v1.15.2', targets: INGRESS })}
${job('set', { set: `- {file: ${KSM}, path: spec.values.image.tag, value: v2.17.0, select: kind=HelmRelease}` })}
${job('refused', { images: 'bitnami/redis:8.2.2-debian-12-r0', targets: 'apps/redis-values-string.yaml' }, { failing: true })}`, 'ci: the Action and its Helm workflow');
  const start = origin.head();

  const r = await runCommand(
    ACT,
    ['push', '-P', 'ubuntu-latest=-self-hosted', '--pull=false', '--log-prefix-job-id', '--concurrent-jobs', '1'],
    { cwd: app, env: cleanEnv({ HOME: path.join(dir, 'home') }), timeoutMs: 240000 },
  );
  const output = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.code, 0, output);
  for (const name of ['app', 'values', 'set']) assert.equal(resultOf(output, name).outcome, 'success', `${name}: ${output}`);
  const refused = resultOf(output, 'refused');
  assert.equal(refused.outcome, 'failure');
  assert.match(output, /\[refused\].*::error file=apps\/redis-values-string\.yaml.*rejects kustomize fields beside helm/);

  // Three commits on main (one per successful job), none by the refused one.
  const log = git(origin.bare, ['log', '--format=%H', `${start}..main`]).split('\n').filter(Boolean);
  assert.equal(log.length, 3, `commits: ${log.join(', ')}`);
  const after = Object.fromEntries([APP, INGRESS, KSM, 'apps/redis-values-string.yaml'].map((f) => [f, origin.show('main', f)]));
  assert.equal(after['apps/redis-values-string.yaml'], repoFiles()['apps/redis-values-string.yaml'].trimEnd()); // git show, trimmed
  assert.doesNotMatch(after[APP], /kustomize/);
  assert.deepEqual(renderChanges(after), {
    'apps/redis-values-object.yaml': { 'StatefulSet/redis-values-object-master/redis': 'docker.io/bitnami/redis:8.2.2-debian-12-r0' },
    'apps/ingress-multi-source.yaml': { 'Deployment/ingress-nginx-controller/controller': 'registry.k8s.io/ingress-nginx/controller:v1.15.2' },
    'flux/ksm.yaml': { 'Deployment/kube-state-metrics/kube-state-metrics': 'registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.17.0' },
  });
  // The cleared digests are reported in the outputs' changes.
  const changes = (name) => JSON.parse(resultOf(output, name).outputs.changes).map((c) => c.path);
  assert.ok(changes('app').includes('spec.source.helm.valuesObject.image.digest'), changes('app').join(', '));
  assert.ok(changes('values').includes('controller.image.digest'), changes('values').join(', '));
  assert.ok(changes('set').includes('spec.values.image.sha'), changes('set').join(', '));
});
