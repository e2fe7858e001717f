// The forge client's flow (client-flow.js) on GitHub, GitLab and Bitbucket Cloud, each a
// local server backed by real bare repositories that checks every request and response
// against the forge's published API description. Gitea runs for real in gitea.test.js.

import test from 'node:test';
import assert from 'node:assert/strict';
import { startGitHubServer } from '../github-api-server/server.js';
import { startGitLabServer } from '../forge-servers/gitlab.js';
import { startBitbucketServer } from '../forge-servers/bitbucket.js';
import { makeRemote } from '../pipeline/helpers.js';
import { clientFlow } from './client-flow.js';

const SEED = { 'app.yaml': 'image: app:1.0.0\n', 'other.yaml': 'image: other:1.0.0\n' };

test('GitHub client: open, update, nothing to change, close by prefix, a concurrent create', async (t) => {
  const remote = makeRemote(t, SEED);
  const token = 'ghs_scenario0000000000000000000';
  const server = await startGitHubServer({ repos: { 'acme/config': remote.bare }, token });
  t.after(() => server.close());
  const openOnServer = async () => server.pulls('acme/config').filter((p) => p.state === 'open').map((p) => ({ number: p.number, head: p.head, title: p.title }));
  const r = await clientFlow(t, { forge: 'github', remoteUrl: server.remoteUrl('acme/config'), apiUrl: server.apiUrl, env: { GITHUB_TOKEN: token }, openOnServer, labels: ['gitops'] });
  assert.deepEqual(server.labelsOf('acme/config', r.first.number), ['gitops']);
  assert.deepEqual(server.mismatches, []);
});

test('GitLab client: the same flow against the published OpenAPI description, project path URL-encoded', async (t) => {
  const remote = makeRemote(t, SEED);
  const token = 'glpat-scenario000000000000';
  const server = await startGitLabServer({ repos: { 'platform/deploy/config': remote.bare }, token });
  t.after(() => server.close());
  const openOnServer = async () =>
    server
      .mergeRequests('platform/deploy/config')
      .filter((m) => m.state === 'opened')
      .map((m) => ({ number: m.iid, head: m.source_branch, title: m.title }));
  const r = await clientFlow(t, { forge: 'gitlab', remoteUrl: server.remoteUrl('platform/deploy/config'), apiUrl: server.apiUrl, env: { GITLAB_TOKEN: token }, openOnServer, labels: ['gitops'] });
  assert.deepEqual(server.mismatches, []);
  assert.ok(server.requests.length > 10);
  for (const req of server.requests) {
    assert.match(req.path, /^\/api\/v4\/projects\/platform%2Fdeploy%2Fconfig\/merge_requests/, 'the project path is one encoded segment');
    assert.equal(req.headers['private-token'], token);
    assert.equal(req.headers.authorization, undefined);
  }
  assert.deepEqual(server.mergeRequests('platform/deploy/config').find((m) => m.iid === r.first.number).labels, ['gitops']);
  assert.match(r.first.url, /\/platform\/deploy\/config\/-\/merge_requests\/\d+$/);
  assert.deepEqual(r.warnings, []);
});

test('Bitbucket Cloud client: the same flow against the published description; labels are a warning', async (t) => {
  const remote = makeRemote(t, SEED);
  const token = 'bbat-scenario0000000000000';
  // a page of 1 makes the client follow `next` links in every listing of this scenario
  const server = await startBitbucketServer({ repos: { 'acme/config': remote.bare }, token, pagelen: 1 });
  t.after(() => server.close());
  const openOnServer = async () =>
    server
      .pullRequests('acme/config')
      .filter((p) => p.state === 'OPEN')
      .map((p) => ({ number: p.id, head: p.source, title: p.title }));
  const r = await clientFlow(t, { forge: 'bitbucket', remoteUrl: server.remoteUrl('acme/config'), apiUrl: server.apiUrl, env: { BITBUCKET_TOKEN: token }, openOnServer, labels: ['gitops'] });
  assert.deepEqual(server.mismatches, []);
  assert.ok(server.requests.some((q) => /[?&]page=2/.test(q.query)), 'a second page was fetched through its next link');
  assert.equal(server.pullRequests('acme/config').find((p) => p.source === 'gitops-bump/app-1.1.0').state, 'DECLINED');
  assert.ok(r.warnings.some((w) => /Bitbucket pull requests have no labels: gitops/.test(w)), r.warnings.join('\n'));
  assert.ok(server.gitRequests.every((g) => g.status === 401 || g.user === 'x-token-auth'), 'git used the access-token user name');
});
