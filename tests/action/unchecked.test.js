// No check switches off silently, through the Action's bundle: an image the overlay check
// cannot see is set, pushed, and reported as a warning annotation on the kustomization and
// a row in the job summary; a name it does see is reported as nothing of the kind.

import test from 'node:test';
import assert from 'node:assert/strict';
import { TOKEN, configRepo, runAction } from './helpers.js';
import { sharedRepo } from './remote-base-fixture.js';
import { REMOTE_ACCEPTED, REMOTE_REFUSED, withRemoteBase } from './overlay-fixture.js';

const DEPLOY = 'kind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n      - name: api\n        image: ghcr.io/acme/api:1.0.0\n';
export const REMOTE_BASE_REPO = {
  'base/deploy.yaml': DEPLOY,
  'base/kustomization.yaml': 'resources:\n- deploy.yaml\n',
  'overlays/prod/kustomization.yaml': 'resources:\n- ../../base\n- https://github.com/acme/shared//worker?ref=v1\n',
};
const KFILE = 'overlays/prod/kustomization.yaml';

test('an image the check cannot see: a warning annotation on the kustomization and a summary row', async (t) => {
  const repo = configRepo(t, { files: REMOTE_BASE_REPO });
  const r = await runAction(t, { workspace: repo.clone(), inputs: { images: 'ghcr.io/acme/apx:2.0.0', targets: 'overlays/prod', token: TOKEN, 'fetch-remote-bases': 'false' } });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const warning = r.stdout.split('\n').find((l) => l.startsWith('::warning '));
  assert.ok(warning, r.stdout);
  assert.equal(
    warning,
    `::warning file=${KFILE},title=gitops-bump%3A image ghcr.io/acme/apx%3A2.0.0 not checked::` +
      'image `ghcr.io/acme/apx:2.0.0` was set but not checked: the overlay check could not see where it would be rendered, so a misspelt name would go unnoticed%0A' +
      `not followed: \`https://github.com/acme/shared//worker?ref=v1\` in ${KFILE}: not fetched: set the 'fetch-remote-bases' input to true to follow it (network access); its containers may have the image`,
  );
  assert.ok(r.summary.includes('> [!WARNING]\n> The overlay check could not see where these images are rendered'), r.summary);
  assert.ok(
    r.summary.includes(`| \`ghcr.io/acme/apx:2.0.0\` | \`https://github.com/acme/shared//worker?ref=v1\` in \`${KFILE}\` | not fetched: set the 'fetch-remote-bases' input to true`),
    r.summary,
  );
  assert.match(repo.show('main', KFILE), /name: ghcr\.io\/acme\/apx/);
});

test('a name the check sees: no warning, no summary row', async (t) => {
  const repo = configRepo(t, { files: REMOTE_BASE_REPO });
  const r = await runAction(t, { workspace: repo.clone(), inputs: { images: 'ghcr.io/acme/api:2.0.0', targets: 'overlays/prod', token: TOKEN } });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.doesNotMatch(r.stdout, /^::warning /m);
  assert.doesNotMatch(r.summary, /WARNING/);
});

test('in a cloned repository with a working-directory, the warning names the file in the summary', async (t) => {
  const repo = configRepo(t, { files: REMOTE_BASE_REPO });
  const r = await runAction(t, {
    workspace: repo.clone(),
    inputs: { repository: 'acme/config', 'server-url': repo.serverUrl, 'working-directory': 'overlays', images: 'ghcr.io/acme/apx:2.0.0', targets: 'prod', token: TOKEN, 'fetch-remote-bases': 'false' },
  });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^::warning title=gitops-bump%3A image ghcr\.io\/acme\/apx%3A2\.0\.0 not checked::/m);
  assert.ok(r.summary.includes('in `prod/kustomization.yaml` |'), r.summary);
});

test('behind a remote base the Action fetches (fetch-remote-bases defaults to true): a typo fails and never reaches the remote; the right name lands', async (t) => {
  const shared = sharedRepo(t);
  const repo = configRepo(t, { files: withRemoteBase(REMOTE_BASE_REPO, shared.url('worker')) });
  const start = repo.head();
  const bad = await runAction(t, { workspace: repo.clone(), inputs: { images: REMOTE_REFUSED.images, targets: REMOTE_REFUSED.targets, token: TOKEN } });
  assert.equal(bad.code, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout, REMOTE_REFUSED.hint);
  assert.match(bad.stdout, new RegExp(`remote base: fetching file://${shared.bare} \\(host file\\) at v1, path worker`));
  assert.equal(repo.head(), start, 'nothing reached the remote');
  const ok = await runAction(t, { workspace: repo.clone('ok'), inputs: { images: REMOTE_ACCEPTED.images, targets: REMOTE_ACCEPTED.targets, token: TOKEN } });
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.doesNotMatch(ok.stdout, /^::warning /m);
  assert.match(repo.show('main', 'overlays/fetched/kustomization.yaml'), REMOTE_ACCEPTED.line);
  // with fetch-remote-bases false the same typo is pushed, said to be unchecked
  const off = await runAction(t, { workspace: repo.clone('off'), inputs: { images: REMOTE_REFUSED.images, targets: REMOTE_REFUSED.targets, token: TOKEN, 'fetch-remote-bases': 'false' } });
  assert.equal(off.code, 0, off.stdout + off.stderr);
  assert.match(off.stdout, /not fetched: set the 'fetch-remote-bases' input to true/);
});

test('remote-base-hosts limits the hosts: a base elsewhere is not fetched and said so; a bad host name is an input error', async (t) => {
  const shared = sharedRepo(t);
  const repo = configRepo(t, { files: withRemoteBase(REMOTE_BASE_REPO, shared.url('worker')) });
  const r = await runAction(t, { workspace: repo.clone(), inputs: { images: REMOTE_REFUSED.images, targets: REMOTE_REFUSED.targets, token: TOKEN, 'remote-base-hosts': 'github.com, gitlab.acme.io', mode: 'dry-run' } });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /not fetched: host file is not in the allowed hosts \(github\.com, gitlab\.acme\.io\)/);
  assert.doesNotMatch(r.stdout, /remote base: fetching/);
  const bad = await runAction(t, { workspace: repo.clone('bad'), inputs: { images: REMOTE_REFUSED.images, targets: REMOTE_REFUSED.targets, token: TOKEN, 'remote-base-hosts': 'https://github.com' } });
  assert.equal(bad.code, 2, bad.stdout + bad.stderr);
  assert.match(bad.stdout, /Input 'remote-base-hosts' is invalid: .*`https:\/\/github\.com` is not a host name/);
});
