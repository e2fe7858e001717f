// A race: 8 runs of the Action's bundle at once, each bumping a different image in the
// same kustomization of one config repository (cloned with `repository` and pushed).
// Every push that loses re-applies its edit on the new head; all 8 land, history linear.

import test from 'node:test';
import assert from 'node:assert/strict';
import { configRepo, git, runAction, tempDir } from './helpers.js';

const N = 8;

function files() {
  const out = {};
  const resources = [];
  const images = [];
  for (let i = 0; i < N; i += 1) {
    out[`base/svc-${i}.yaml`] = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      `  name: svc-${i}`,
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      `        - name: svc-${i}`,
      `          image: ghcr.io/acme/svc-${i}:1.0.0`,
      '',
    ].join('\n');
    resources.push(`  - ../../base/svc-${i}.yaml`);
    images.push(`  # service ${i}`, `  - name: ghcr.io/acme/svc-${i}`, '    newTag: "1.0.0"');
  }
  out['overlays/prod/kustomization.yaml'] = ['apiVersion: kustomize.config.k8s.io/v1beta1', 'kind: Kustomization', 'resources:', ...resources, 'images:', ...images, ''].join('\n');
  return out;
}

test(`${N} Action runs at once bump ${N} images in one kustomization: all land, linear history`, { timeout: 240000 }, async (t) => {
  const seed = files();
  const repo = configRepo(t, { files: seed });
  const started = Date.now();
  const runs = await Promise.all(
    Array.from({ length: N }, (_, i) =>
      runAction(t, {
        workspace: tempDir(t, 'gb-app-'),
        inputs: { repository: 'acme/config', 'server-url': repo.serverUrl, images: `ghcr.io/acme/svc-${i}:2.0.${i}`, targets: 'overlays/prod', retries: '30' },
      }),
    ),
  );
  const attempts = runs.map((r) => (/after (\d+) attempts/.exec(r.summary) ?? [0, 1])[1]).map(Number);
  t.diagnostic(`${N} runs in ${((Date.now() - started) / 1000).toFixed(1)}s, push attempts ${JSON.stringify(attempts)}`);
  runs.forEach((r, i) => {
    assert.equal(r.code, 0, `run ${i}: ${r.stdout}${r.stderr}`);
    assert.equal(r.outputs.changed, 'true');
  });
  const log = repo.log();
  assert.equal(log.length, N + 1);
  for (const entry of log) assert.ok(entry.split('|')[0].trim().split(' ').length <= 2, `a merge commit: ${entry}`);
  assert.equal(git(repo.bare, ['rev-list', '--merges', 'main']), '');
  const shas = new Set(runs.map((r) => r.outputs['commit-sha']));
  assert.equal(shas.size, N);
  for (const sha of shas) assert.equal(git(repo.bare, ['merge-base', '--is-ancestor', sha, 'main']) ?? '', '');
  let expected = seed['overlays/prod/kustomization.yaml'];
  for (let i = 0; i < N; i += 1) {
    expected = expected.replace(`svc-${i}\n    newTag: "1.0.0"`, `svc-${i}\n    newTag: "2.0.${i}"`);
  }
  assert.equal(repo.show('main', 'overlays/prod/kustomization.yaml'), expected.trimEnd());
});
