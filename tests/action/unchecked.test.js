// No check switches off silently, through the Action's bundle: an image the overlay check
// cannot see is set, pushed, and reported as a warning annotation on the kustomization and
// a row in the job summary; a name it does see is reported as nothing of the kind.

import test from 'node:test';
import assert from 'node:assert/strict';
import { TOKEN, configRepo, runAction } from './helpers.js';

const DEPLOY = 'kind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n      - name: api\n        image: ghcr.io/acme/api:1.0.0\n';
export const REMOTE_BASE_REPO = {
  'base/deploy.yaml': DEPLOY,
  'base/kustomization.yaml': 'resources:\n- deploy.yaml\n',
  'overlays/prod/kustomization.yaml': 'resources:\n- ../../base\n- https://github.com/acme/shared//worker?ref=v1\n',
};
const KFILE = 'overlays/prod/kustomization.yaml';

test('an image the check cannot see: a warning annotation on the kustomization and a summary row', async (t) => {
  const repo = configRepo(t, { files: REMOTE_BASE_REPO });
  const r = await runAction(t, { workspace: repo.clone(), inputs: { images: 'ghcr.io/acme/apx:2.0.0', targets: 'overlays/prod', token: TOKEN } });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const warning = r.stdout.split('\n').find((l) => l.startsWith('::warning '));
  assert.ok(warning, r.stdout);
  assert.equal(
    warning,
    `::warning file=${KFILE},title=gitops-bump%3A image ghcr.io/acme/apx%3A2.0.0 not checked::` +
      'image `ghcr.io/acme/apx:2.0.0` was set but not checked: the overlay check could not see where it would be rendered, so a misspelt name would go unnoticed%0A' +
      `not followed: \`https://github.com/acme/shared//worker?ref=v1\` in ${KFILE}: a remote base is not fetched (the check reads only this repository); its containers may have the image`,
  );
  assert.ok(r.summary.includes('> [!WARNING]\n> The overlay check could not see where these images are rendered'), r.summary);
  assert.ok(
    r.summary.includes(`| \`ghcr.io/acme/apx:2.0.0\` | \`https://github.com/acme/shared//worker?ref=v1\` in \`${KFILE}\` | a remote base is not fetched`),
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
    inputs: { repository: 'acme/config', 'server-url': repo.serverUrl, 'working-directory': 'overlays', images: 'ghcr.io/acme/apx:2.0.0', targets: 'prod', token: TOKEN },
  });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^::warning title=gitops-bump%3A image ghcr\.io\/acme\/apx%3A2\.0\.0 not checked::/m);
  assert.ok(r.summary.includes('in `prod/kustomization.yaml` |'), r.summary);
});
