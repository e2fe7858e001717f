// `gitops-bump … --pr --forge gitlab|bitbucket` against the local servers that check every
// call against the forges' published descriptions (Gitea for real: gitea.test.js).

import test from 'node:test';
import assert from 'node:assert/strict';
import { startGitLabServer } from '../forge-servers/gitlab.js';
import { startBitbucketServer } from '../forge-servers/bitbucket.js';
import { makeRemote } from '../pipeline/helpers.js';
import { checkout, cli, cliScenario, env } from './cli-forges.js';

test('CLI --pr --forge gitlab: open, update, nothing to change; exit codes', async (t) => {
  const remote = makeRemote(t, { 'README.md': 'x\n' });
  const token = 'glpat-cli000000000000000';
  const s = await startGitLabServer({ repos: { 'team/deploy/config': remote.bare }, token });
  t.after(() => s.close());
  const cwd = await checkout(t, s.remoteUrl('team/deploy/config'), { user: 'oauth2', token });
  const { r1 } = await cliScenario(t, { forge: 'gitlab', cwd, apiUrl: s.apiUrl, vars: { GITLAB_TOKEN: token }, noun: 'merge request' });
  const mr = s.mergeRequests('team/deploy/config').find((m) => m.iid === r1.pr.number);
  assert.equal(mr.source_branch, 'gitops-bump/app');
  assert.match(mr.title, /1\.2\.0/);
  assert.deepEqual(mr.labels, ['gitops']);
  assert.deepEqual(s.mismatches, []);
  assert.ok(s.gitRequests.filter((g) => g.status !== 401).every((g) => g.user === 'oauth2'), 'git sent the token as GitLab documents');
  const bad = await cli(['set', 'values.yaml', 'image.tag', '2.0.0', '--pr', '--forge', 'gitea-ish'], { cwd, env: env({ GITLAB_TOKEN: token }) });
  assert.equal(bad.code, 2);
  const api = await cli(['set', 'values.yaml', 'image.tag', '2.0.0', '--api-commit', '--forge', 'gitlab', '--api-url', s.apiUrl], { cwd, env: env({ GITLAB_TOKEN: token }) });
  assert.equal(api.code, 2, api.stderr);
  assert.match(api.stderr, /--api-commit uses GitHub's Git Data API; on gitlab the commit is pushed by git/);
});

test('CLI --pr --forge bitbucket with --token-env: open, update, nothing to change; labels are a warning', async (t) => {
  const remote = makeRemote(t, { 'README.md': 'x\n' });
  const token = 'bbat-cli0000000000000000';
  const s = await startBitbucketServer({ repos: { 'acme/config': remote.bare }, token });
  t.after(() => s.close());
  const cwd = await checkout(t, s.remoteUrl('acme/config'), { user: 'x-token-auth', token });
  const first = await cli(['set', 'values.yaml', 'image.tag', '1.1.0', '--pr', '--forge', 'bitbucket', '--api-url', s.apiUrl, '--token-env', 'BB_REPO_TOKEN', '--label', 'gitops', '--json'], {
    cwd,
    env: env({ BB_REPO_TOKEN: token }),
  });
  assert.equal(first.code, 0, first.stderr);
  const out = JSON.parse(first.stdout);
  assert.equal(out.pr.operation, 'created');
  assert.match(out.pr.url, /\/acme\/config\/pull-requests\/1$/);
  assert.ok(out.warnings.some((w) => /Bitbucket pull requests have no labels: gitops/.test(w)), out.warnings.join('\n'));
  await cliScenario(t, { forge: 'bitbucket', cwd, apiUrl: s.apiUrl, vars: { BITBUCKET_TOKEN: token } });
  assert.deepEqual(s.mismatches, []);
});
