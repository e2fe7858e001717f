// No check switches off silently, through the packed orb's bump job: an image the overlay
// check cannot see is pushed with a warning in the step's log that names what was not
// followed and why; a name it sees gets no warning; a typo the check can see never reaches
// the remote.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { makeRemote } from '../pipeline/helpers.js';
import { Runner } from './executor.js';
import { runnerOptions } from './fixtures.js';
import { OVERLAY_FILES, REFUSED, REMOTE_ACCEPTED, REMOTE_REFUSED, withRemoteBase } from '../action/overlay-fixture.js';
import { sharedRepo } from '../action/remote-base-fixture.js';

const FILES = {
  'base/deploy.yaml': 'kind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n      - name: api\n        image: ghcr.io/acme/api:1.0.0\n',
  'base/kustomization.yaml': 'resources:\n- deploy.yaml\n',
  'overlays/prod/kustomization.yaml': 'resources:\n- ../../base\n- https://github.com/acme/shared//worker?ref=v1\n',
};
const STEP = 'Bump the config repository with gitops-bump';

async function bump(t, images) {
  const config = makeRemote(t, FILES);
  const app = makeRemote(t, { 'README.md': 'the app\n' });
  const runner = new Runner(runnerOptions({ project: { url: app.url, sha: app.head(), branch: 'main' } }));
  const r = await runner.runJob('bump', { repository: config.url, targets: 'overlays/prod', images, fetch_remote_bases: false });
  t.after(() => rmSync(r.root, { recursive: true, force: true }));
  const step = r.steps.find((s) => s.name === STEP);
  assert.ok(step, r.output);
  return { r, config, out: step.output };
}

test('the bump job logs what the overlay check could not follow, and why', async (t) => {
  const { r, config, out } = await bump(t, 'ghcr.io/acme/apx:2.0.0');
  assert.equal(r.exitCode, 0, r.output);
  assert.match(out, /^WARNING {3}image ghcr\.io\/acme\/apx:2\.0\.0 was set but not checked: the overlay check could not see where it would be rendered$/m);
  assert.match(out, /^ {12}not followed: https:\/\/github\.com\/acme\/shared\/\/worker\?ref=v1 in overlays\/prod\/kustomization\.yaml: not fetched: set the `fetch_remote_bases` parameter to true/m);
  // the CLI's own warning reaches the log as well
  assert.match(out, /^warning: image `ghcr\.io\/acme\/apx:2\.0\.0` was set but not checked/m);
  assert.match(config.show('main', 'overlays/prod/kustomization.yaml'), /name: ghcr\.io\/acme\/apx/);
});

test('a name the check sees gets no warning', async (t) => {
  const { r, out } = await bump(t, 'ghcr.io/acme/api:2.0.0');
  assert.equal(r.exitCode, 0, r.output);
  assert.doesNotMatch(out, /not checked|not followed/);
});

test('the bump job never pushes a typo in patched, transformed or Argo CD targets', async (t) => {
  const config = makeRemote(t, OVERLAY_FILES);
  const app = makeRemote(t, { 'README.md': 'the app\n' });
  const runner = new Runner(runnerOptions({ project: { url: app.url, sha: app.head(), branch: 'main' } }));
  const start = config.head();
  for (const bad of REFUSED) {
    const r = await runner.runJob('bump', { repository: config.url, targets: bad.targets, images: bad.images });
    t.after(() => rmSync(r.root, { recursive: true, force: true }));
    assert.equal(r.exitCode, 1, `${bad.name}: ${r.output}`);
    const out = r.steps.find((s) => s.name === STEP).output;
    assert.match(out, /FAILED \(exit 1\): error\[unknown-image\]/, bad.name);
    assert.equal(config.head(), start, `${bad.name}: nothing reached the remote`);
  }
  // a name only a patch adds is pushed
  const ok = await runner.runJob('bump', { repository: config.url, targets: 'overlays/patched', images: 'ghcr.io/acme/migrate:3.2' });
  t.after(() => rmSync(ok.root, { recursive: true, force: true }));
  assert.equal(ok.exitCode, 0, ok.output);
  assert.match(config.show('main', 'overlays/patched/kustomization.yaml'), /- name: ghcr\.io\/acme\/migrate\n {2}newTag: "3\.2"$/);
});

test('the bump job follows a remote base (fetch_remote_bases defaults to true): a typo behind it never reaches the remote; the right name lands', async (t) => {
  const shared = sharedRepo(t);
  const config = makeRemote(t, withRemoteBase(FILES, shared.url('worker')));
  const app = makeRemote(t, { 'README.md': 'the app\n' });
  const runner = new Runner(runnerOptions({ project: { url: app.url, sha: app.head(), branch: 'main' } }));
  const start = config.head();
  const bad = await runner.runJob('bump', { repository: config.url, targets: REMOTE_REFUSED.targets, images: REMOTE_REFUSED.images });
  t.after(() => rmSync(bad.root, { recursive: true, force: true }));
  assert.equal(bad.exitCode, 1, bad.output);
  const out = bad.steps.find((s) => s.name === STEP).output;
  assert.match(out, /FAILED \(exit 1\): error\[unknown-image\]/);
  assert.match(out, REMOTE_REFUSED.hint);
  assert.match(out, /remote base: fetching file:\/\/\S+shared\.git \(host file\) at v1, path worker/);
  assert.equal(config.head(), start, 'nothing reached the remote');
  const ok = await runner.runJob('bump', { repository: config.url, targets: REMOTE_ACCEPTED.targets, images: REMOTE_ACCEPTED.images });
  t.after(() => rmSync(ok.root, { recursive: true, force: true }));
  assert.equal(ok.exitCode, 0, ok.output);
  assert.doesNotMatch(ok.steps.find((s) => s.name === STEP).output, /not checked|not followed/);
  assert.match(config.show('main', 'overlays/fetched/kustomization.yaml'), REMOTE_ACCEPTED.line);
});
