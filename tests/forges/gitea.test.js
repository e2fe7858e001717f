// The pull request scenario on a real Gitea (v1.27.3), started on 127.0.0.1 for this file.

import test from 'node:test';
import assert from 'node:assert/strict';
import { giteaMissing, startGitea } from './gitea.js';
import { clientFlow } from './client-flow.js';
import { openForge } from '../../pkg/src/forges/index.js';
import { checkout, cliScenario } from './cli-forges.js';

const missing = giteaMissing();
const skip = missing && process.env.GB_SKIP_GITEA === '1' ? `GB_SKIP_GITEA=1: ${missing}` : false;

test('Gitea for real, the client: open, update, nothing to change, close by prefix, a concurrent create', { skip, timeout: 240000 }, async (t) => {
  assert.equal(missing, null, missing ?? '');
  const g = await startGitea(t);
  // the label the scenario asks for exists; a second one does not (a warning, not a failure)
  assert.equal((await g.api('POST', `/repos/${g.repo}/labels`, { name: 'gitops', color: '#00aabb' })).status, 201);
  const openOnServer = async () => {
    const { data } = await g.api('GET', `/repos/${g.repo}/pulls?state=open&limit=50`);
    return data.map((p) => ({ number: p.number, head: p.head.ref, title: p.title }));
  };
  const r = await clientFlow(t, { forge: 'gitea', remoteUrl: g.remoteUrl, apiUrl: g.apiUrl, env: { GITEA_TOKEN: g.token }, openOnServer, labels: ['gitops', 'not-there'] });
  const { data: pr } = await g.api('GET', `/repos/${g.repo}/pulls/${r.first.number}`);
  assert.deepEqual(pr.labels.map((l) => l.name), ['gitops']);
  assert.equal(pr.html_url, r.first.url);
  assert.ok(r.warnings.some((w) => /the labels not-there do not exist in the repository/.test(w)), r.warnings.join('\n'));
  const { data: closed } = await g.api('GET', `/repos/${g.repo}/pulls?state=closed&limit=50`);
  assert.deepEqual(closed.map((p) => p.head.ref), ['gitops-bump/app-1.1.0']);
});

test('Gitea for real: the API URL from the remote; a wrong token is a masked exit-3 error', { skip, timeout: 120000 }, async (t) => {
  assert.equal(missing, null, missing ?? '');
  const g = await startGitea(t);
  const f = openForge(g.remoteUrl, { forge: 'gitea', env: { GITEA_TOKEN: g.token } });
  assert.equal(f.apiUrl, g.apiUrl);
  assert.deepEqual(await f.forgeApi.listOpen(), []);
  const bad = 'not-a-gitea-token-0123456789';
  const wrong = openForge(g.remoteUrl, { forge: 'gitea', env: { GITEA_TOKEN: bad } });
  await assert.rejects(wrong.forgeApi.listOpen(), (e) => e.exitCode === 3 && e.status === 401 && /^Gitea API GET .* returned 401/.test(e.message) && !e.message.includes(bad));
});

test('Gitea for real through the CLI: --pr --forge gitea opens, updates, then changes nothing; the API URL from the remote', { skip, timeout: 240000 }, async (t) => {
  assert.equal(missing, null, missing ?? '');
  const g = await startGitea(t);
  assert.equal((await g.api('POST', `/repos/${g.repo}/labels`, { name: 'gitops', color: '#00aabb' })).status, 201);
  const cwd = await checkout(t, g.remoteUrl, { user: g.user, token: g.token });
  const { r1 } = await cliScenario(t, { forge: 'gitea', cwd, vars: { GITEA_TOKEN: g.token } });
  const { data: pr } = await g.api('GET', `/repos/${g.repo}/pulls/${r1.pr.number}`);
  assert.deepEqual([pr.state, pr.head.ref, pr.labels.map((l) => l.name)], ['open', 'gitops-bump/app', ['gitops']]);
  assert.match(pr.title, /1\.2\.0/);
});
