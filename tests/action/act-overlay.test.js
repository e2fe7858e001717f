// The overlay check end to end under nektos/act: in a repository whose overlays use
// patches, a built-in transformer, an Argo CD Application and a remote base, a misspelt
// image (or one a patch replaced) fails the step and never reaches the remote; a name only
// a patch adds is pushed; behind a remote base the Action fetches (a file:// repository), a
// typo fails too and the right name lands; behind one it cannot fetch (github.com, no
// network here), a typo is pushed with a warning annotation and a summary row saying what
// was not checked.

import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { cleanEnv, runCommand } from '../pipeline/helpers.js';
import { logOf, prepareApp, resultOf, summaryOf } from './act-helpers.js';
import { ROOT, TOKEN, actJob as job, configRepo, git, tempDir } from './helpers.js';
import { OVERLAY_FILES, REFUSED, REMOTE_ACCEPTED, REMOTE_REFUSED, withRemoteBase } from './overlay-fixture.js';
import { sharedRepo } from './remote-base-fixture.js';

const ACT = path.join(ROOT, '.tools', 'bin', 'act');

function workflow() {
  return `name: e2e
on: push
permissions:
  contents: write
jobs:
${job('patchok', { images: 'ghcr.io/acme/migrate:3.2', targets: 'overlays/patched' })}
${REFUSED.map((r) => job(r.name.replace(/-/g, ''), { images: r.images, targets: r.targets }, { failing: true })).join('\n')}
${job('remote', { images: 'ghcr.io/acme/apii:2.0.0', targets: 'overlays/remote' })}
${job('remotetypo', { images: REMOTE_REFUSED.images, targets: REMOTE_REFUSED.targets }, { failing: true })}
${job('remoteok', { images: REMOTE_ACCEPTED.images, targets: REMOTE_ACCEPTED.targets })}`;
}

test('act: typos in patched, transformed, Argo CD and remote-base targets never reach the remote', { timeout: 300000, skip: !existsSync(ACT) && !process.env.CI && 'act is not built (scripts/setup-test builds it; in CI this fails)' }, async (t) => {
  const dir = tempDir(t, 'gb-act-overlay-');
  // overlays/fetched uses a remote base (a file:// repository the Action fetches, as its
  // fetch-remote-bases input defaults to true)
  const shared = sharedRepo(t);
  const origin = configRepo(t, { dir: path.join(dir, 'remote'), slug: 'acme/config', files: withRemoteBase(OVERLAY_FILES, shared.url('worker')) });
  const app = origin.clone('app');
  prepareApp(app, workflow(), { git });
  const start = origin.head();
  const r = await runCommand(
    ACT,
    ['push', '-P', 'ubuntu-latest=-self-hosted', '--pull=false', '--log-prefix-job-id', '--insecure-secrets', '--concurrent-jobs', '2', '-s', `GITHUB_TOKEN=${TOKEN}`, '--env', 'GITHUB_REPOSITORY=acme/config'],
    { cwd: app, env: cleanEnv({ HOME: path.join(dir, 'home') }), timeoutMs: 240000 },
  );
  const output = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.code, 0, output);

  // a name only a patch adds: accepted and pushed
  const ok = resultOf(output, 'patchok');
  assert.equal(ok.outcome, 'success', logOf(output, 'patchok'));
  assert.match(origin.show('main', 'overlays/patched/kustomization.yaml'), /- name: ghcr\.io\/acme\/migrate\n {2}newTag: "3\.2"$/);
  // no overlay-check warning (a downgrade warning of the registry step may be there: verify is off)
  assert.doesNotMatch(logOf(output, 'patchok'), /::warning [^\n]*title=gitops-bump%3A image \S+ not checked::/);

  // typos and replaced names: the step fails with unknown-image and a suggestion from the render
  for (const bad of REFUSED) {
    const name = bad.name.replace(/-/g, '');
    const res = resultOf(output, name);
    assert.equal(res.outcome, 'failure', `${bad.name}: ${logOf(output, name)}`);
    assert.match(summaryOf(output, name), /gitops-bump: unknown-image in /, bad.name);
    assert.match(logOf(output, name), bad.hint, bad.name);
  }
  for (const file of ['overlays/labelled/kustomization.yaml', 'apps/api.yaml']) {
    assert.equal(origin.show('main', file), OVERLAY_FILES[file].trimEnd(), `${file} never changed on the remote`);
  }
  assert.doesNotMatch(origin.show('main', 'overlays/patched/kustomization.yaml'), /migrat\n|ghcr\.io\/acme\/api/);

  // behind a remote base: pushed, with a warning annotation and a summary row
  const remote = resultOf(output, 'remote');
  assert.equal(remote.outcome, 'success');
  assert.match(logOf(output, 'remote'), /::warning file=overlays\/remote\/kustomization\.yaml,title=gitops-bump%3A image ghcr\.io\/acme\/apii%3A2\.0\.0 not checked::image `ghcr\.io\/acme\/apii:2\.0\.0` was set but not checked/);
  assert.match(summaryOf(output, 'remote'), /\| `ghcr\.io\/acme\/apii:2\.0\.0` \| `https:\/\/github\.com\/acme\/shared\/\/worker\?ref=v1` in `overlays\/remote\/kustomization\.yaml` \|/);

  // behind a remote base that is fetched: a typo fails the step, the right name lands
  assert.equal(resultOf(output, 'remotetypo').outcome, 'failure', logOf(output, 'remotetypo'));
  assert.match(logOf(output, 'remotetypo'), REMOTE_REFUSED.hint);
  assert.match(summaryOf(output, 'remotetypo'), /gitops-bump: unknown-image in /);
  assert.equal(resultOf(output, 'remoteok').outcome, 'success', logOf(output, 'remoteok'));
  assert.match(origin.show('main', 'overlays/fetched/kustomization.yaml'), REMOTE_ACCEPTED.line);
  assert.doesNotMatch(origin.show('main', 'overlays/fetched/kustomization.yaml'), /workr/);

  // exactly three commits landed: the accepted patch name, the unchecked one, the fetched one
  assert.equal(git(origin.bare, ['rev-list', '--count', `${start}..main`]), '3');
});
