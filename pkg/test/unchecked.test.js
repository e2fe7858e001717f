// No check switches off silently: when the overlay check cannot see where an image would be
// rendered (a remote base, a patch it does not apply, a target it does not follow), the CLI
// still makes the edit, and says so on stderr in every output format and in --json.
import test from 'node:test';
import assert from 'node:assert/strict';
import { applyPlan } from '../src/plan.js';
import { cli, expect, git, read, tempTree } from './helpers.js';

const DEPLOY = 'kind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n      - name: api\n        image: ghcr.io/acme/api:1.0.0\n';
const FILES = {
  'base/deploy.yaml': DEPLOY,
  'base/kustomization.yaml': 'resources:\n- deploy.yaml\n',
  'prod/kustomization.yaml': 'resources:\n- ../base\n- https://github.com/acme/shared//worker?ref=v1\n',
  'apps/api.yaml': 'apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: api\nspec:\n  source:\n    repoURL: https://github.com/acme/config\n    path: prod\n',
};

test('a name the check cannot see is set with a warning naming what was not followed and why', (t) => {
  const cwd = tempTree(t, FILES);
  const r = expect(cli(['image', 'prod', 'ghcr.io/acme/apx:2.0.0'], { cwd }), 0);
  assert.match(read(cwd, 'prod/kustomization.yaml'), /name: ghcr\.io\/acme\/apx\n {2}newTag: 2\.0\.0/);
  assert.equal(
    r.stderr,
    'warning: image `ghcr.io/acme/apx:2.0.0` was set but not checked: the overlay check could not see where it would be rendered, so a misspelt name would go unnoticed\n' +
      '  not followed: `https://github.com/acme/shared//worker?ref=v1` in prod/kustomization.yaml: not fetched: pass --fetch-remote-bases to follow it (network access); its containers may have the image\n',
  );
  // a name it does see is decided: no warning
  const ok = expect(cli(['image', 'prod', 'ghcr.io/acme/api:2.0.0'], { cwd }), 0);
  assert.equal(ok.stderr, '');
});

test('--json carries `unchecked` with the reasons, and the warning still goes to stderr', (t) => {
  const cwd = tempTree(t, FILES);
  const r = expect(cli(['image', 'prod', 'ghcr.io/acme/apx:2.0.0', '--json', '--dry-run'], { cwd }), 0);
  const report = JSON.parse(r.stdout);
  assert.deepEqual(report.unchecked, [
    {
      spec: 'ghcr.io/acme/apx:2.0.0',
      file: 'prod/kustomization.yaml',
      what: 'https://github.com/acme/shared//worker?ref=v1',
      reason: 'not fetched: pass --fetch-remote-bases to follow it (network access); its containers may have the image',
    },
  ]);
  assert.match(r.stderr, /^warning: image `ghcr\.io\/acme\/apx:2\.0\.0` was set but not checked/);
  const clean = JSON.parse(expect(cli(['image', 'prod', 'ghcr.io/acme/api:2.0.0', '--json', '--dry-run'], { cwd }), 0).stdout);
  assert.deepEqual(clean.unchecked, []);
});

test('files are named relative to the directory the command runs in; --force checks nothing and says nothing', (t) => {
  const cwd = tempTree(t, FILES);
  const r = expect(cli(['image', '.', 'ghcr.io/acme/apx:2.0.0', '--dry-run'], { cwd: `${cwd}/prod` }), 0);
  assert.match(r.stderr, /not followed: `https:\/\/github\.com\/acme\/shared\/\/worker\?ref=v1` in kustomization\.yaml: /);
  assert.equal(expect(cli(['image', 'prod', 'ghcr.io/acme/apx:2.0.0', '--force', '--dry-run'], { cwd }), 0).stderr, '');
});

test('an Argo CD Application is checked against its source overlay in the repository, or says why not', (t) => {
  const cwd = tempTree(t, { ...FILES, 'apps/other.yaml': FILES['apps/api.yaml'].replace('path: prod', 'path: deploy/prod') });
  git(cwd, 'init', '--quiet');
  // followed into prod/: a name it renders passes quietly, a typo is unchecked because of the remote base
  assert.equal(expect(cli(['image', 'apps/api.yaml', 'ghcr.io/acme/api:2.0.0', '--dry-run'], { cwd }), 0).stderr, '');
  const typo = expect(cli(['image', 'apps/api.yaml', 'ghcr.io/acme/apx:2.0.0', '--dry-run'], { cwd }), 0);
  assert.match(typo.stderr, /not followed: `https:\/\/github\.com\/acme\/shared\/\/worker\?ref=v1` in prod\/kustomization\.yaml: /);
  // a source path that is not here
  const other = expect(cli(['image', 'apps/other.yaml', 'ghcr.io/acme/api:2.0.0', '--dry-run'], { cwd }), 0);
  assert.match(other.stderr, /not followed: `spec\.source\.path` in apps\/other\.yaml: `deploy\/prod` is not a kustomization directory of this repository/);
});

test('applyPlan returns what was not checked with the spec of each entry', (t) => {
  const cwd = tempTree(t, FILES);
  const res = applyPlan({ edits: [{ file: 'prod', image: 'ghcr.io/acme/apx:2' }, { file: 'prod', image: 'ghcr.io/acme/api:2' }] }, { cwd, dryRun: true });
  assert.deepEqual(
    res.unchecked.map((u) => [u.spec, u.file, u.what]),
    [['ghcr.io/acme/apx:2', 'prod/kustomization.yaml', 'https://github.com/acme/shared//worker?ref=v1']],
  );
});
