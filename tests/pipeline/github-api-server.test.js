// The local GitHub API server itself: it must catch requests that do not follow GitHub's
// OpenAPI description (else the PR/API-commit tests would prove nothing), serve contents
// through git, and speak git's smart HTTP with token auth.

import test from 'node:test';
import assert from 'node:assert/strict';
import { startGitHubServer } from '../github-api-server/server.js';
import { loadSpec } from '../github-api-server/openapi.js';
import { GitCommandManager } from '../../pkg/src/git/command-manager.js';
import { createAuth } from '../../pkg/src/git/auth.js';
import { cleanEnv, makeRemote, path, read, tempDir } from './helpers.js';

const TOKEN = 'ghs_serverSelfTest_000000000000';
const H = { Accept: 'application/vnd.github+json', 'X-GitHub-Api-Version': '2022-11-28', Authorization: `Bearer ${TOKEN}` };

async function setup(t) {
  const remote = makeRemote(t, { 'dir/a.yaml': 'a: 1\n' });
  const server = await startGitHubServer({ repos: { 'acme/config': remote.bare }, token: TOKEN });
  t.after(() => server.close());
  const call = async (method, p, body, headers = H) => {
    const res = await fetch(`${server.apiUrl}${p}`, {
      method,
      headers: body === undefined ? headers : { ...headers, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, data: await res.json().catch(() => null) };
  };
  return { remote, server, call };
}

test('uses the api.github.com description from @octokit/openapi (the part vendored beside the server)', () => {
  const spec = loadSpec();
  assert.match(spec.file, /github-api-server[\\/]api\.github\.com\.json$/);
  assert.match(spec.spec['x-vendored-from'], /^@octokit\/openapi@\d+\.\d+\.\d+ generated\/api\.github\.com\.json$/);
  assert.match(spec.spec.openapi, /^3\./);
  for (const route of [
    ['GET', '/repos/o/r/pulls', 'pulls/list'],
    ['POST', '/repos/o/r/pulls', 'pulls/create'],
    ['PATCH', '/repos/o/r/pulls/3', 'pulls/update'],
    ['POST', '/repos/o/r/issues/3/labels', 'issues/add-labels'],
    ['GET', '/repos/o/r/git/ref/heads/gitops-bump/x', 'git/get-ref'],
    ['PATCH', '/repos/o/r/git/refs/heads/main', 'git/update-ref'],
    ['POST', '/repos/o/r/git/refs', 'git/create-ref'],
    ['POST', '/repos/o/r/git/blobs', 'git/create-blob'],
    ['POST', '/repos/o/r/git/trees', 'git/create-tree'],
    ['POST', '/repos/o/r/git/commits', 'git/create-commit'],
    ['GET', '/repos/o/r/git/commits/abc', 'git/get-commit'],
    ['GET', '/repos/o/r/contents/a/b.yaml', 'repos/get-content'],
  ]) {
    assert.equal(spec.match(route[0], route[1])?.operation.operationId, route[2], route.join(' '));
  }
});

test('records every request that does not follow the description', async (t) => {
  const { server, call } = await setup(t);
  const cases = [
    ['POST', '/repos/acme/config/git/trees', { tree: [{ path: 'a', mode: '100645', type: 'blob', sha: 'x' }] }, /mode: "100645" is not one of/],
    ['POST', '/repos/acme/config/pulls', { title: 't', base: 'main' }, /missing required property head/],
    ['PATCH', '/repos/acme/config/git/refs/heads/main', { force: false }, /missing required property sha/],
    ['PATCH', '/repos/acme/config/pulls/one', { title: 't' }, /path\.pull_number: expected integer/],
    ['GET', '/repos/acme/config/pulls?state=opened', undefined, /query\.state: "opened" is not one of/],
    ['GET', '/repos/acme/config/pulls?heads=acme:x', undefined, /unknown query parameter heads/],
    ['POST', '/repos/acme/config/git/blobs', { content: 42 }, /body\.content: expected string/],
    ['POST', '/repos/acme/config/issues/1/labels', { labels: [] }, /oneOf|fewer than 1 items/],
    ['PUT', '/repos/acme/config/git/refs/heads/main', { sha: 'x' }, /is no operation of the OpenAPI description/],
    ['POST', '/repos/acme/config/git/commits', { message: 'm', tree: 't', parents: 'p' }, /body\.parents: expected array/],
  ];
  for (const [method, p, body, expected] of cases) {
    const before = server.mismatches.length;
    const res = await call(method, p, body);
    assert.ok(res.status >= 400, `${method} ${p} answered ${res.status}`);
    assert.equal(server.mismatches.length, before + 1, `${method} ${p} was not recorded`);
    assert.match(server.mismatches.at(-1).errors.join('\n'), expected);
  }
  const before = server.mismatches.length;
  await call('GET', '/repos/acme/config/pulls', undefined, { Authorization: H.Authorization });
  assert.match(server.mismatches.at(before)?.errors.join('\n') ?? '', /Accept is/);
  assert.equal((await call('GET', '/repos/acme/config/pulls', undefined, { ...H, Authorization: 'Bearer nope' })).status, 401);
});

test('contents via git cat-file; refs with the old-value check; responses follow the description', async (t) => {
  const { remote, server, call } = await setup(t);
  const file = await call('GET', '/repos/acme/config/contents/dir/a.yaml?ref=main');
  assert.equal(file.status, 200);
  assert.equal(Buffer.from(file.data.content, 'base64').toString(), 'a: 1\n');
  assert.equal(file.data.type, 'file');
  const head = remote.head();
  const blob = await call('POST', '/repos/acme/config/git/blobs', { content: Buffer.from('a: 2\n').toString('base64'), encoding: 'base64' });
  const commit = await call('GET', `/repos/acme/config/git/commits/${head}`);
  const tree = await call('POST', '/repos/acme/config/git/trees', { base_tree: commit.data.tree.sha, tree: [{ path: 'dir/a.yaml', mode: '100644', type: 'blob', sha: blob.data.sha }] });
  assert.equal(tree.status, 201);
  const c = await call('POST', '/repos/acme/config/git/commits', { message: 'two', tree: tree.data.sha, parents: [head] });
  assert.equal(c.status, 201);
  // someone else moves main first: a non-forced update is refused
  remote.competingCommit({ 'dir/a.yaml': 'a: 3\n' });
  const refused = await call('PATCH', '/repos/acme/config/git/refs/heads/main', { sha: c.data.sha, force: false });
  assert.equal(refused.status, 422);
  assert.equal(refused.data.message, 'Update is not a fast forward');
  const forced = await call('PATCH', '/repos/acme/config/git/refs/heads/main', { sha: c.data.sha, force: true });
  assert.equal(forced.status, 200);
  assert.equal(remote.show('main', 'dir/a.yaml'), 'a: 2');
  assert.equal((await call('GET', '/repos/acme/config/git/ref/heads/nope')).status, 404);
  assert.deepEqual(server.mismatches, []);
});

test('git smart HTTP needs the token; GitCommandManager sends it via GIT_CONFIG_* only', async (t) => {
  const { server } = await setup(t);
  const url = server.gitUrl('acme/config');
  const dir = tempDir(t);
  const env = cleanEnv();
  const anonymous = new GitCommandManager({ cwd: dir, env, remoteUrl: url });
  await assert.rejects(anonymous.clone(url, path.join(dir, 'a')), (e) => e.exitCode === 3 && /terminal prompts disabled|Authentication failed/.test(e.message));
  const auth = createAuth({ token: TOKEN });
  const gm = new GitCommandManager({ cwd: dir, env, remoteUrl: url, auth });
  const childEnv = gm.childEnv();
  assert.equal(childEnv.GIT_TERMINAL_PROMPT, '0');
  assert.equal(childEnv.GIT_ASKPASS, '');
  assert.equal(childEnv.GIT_CONFIG_KEY_1, `http.${server.url}/.extraheader`);
  await gm.clone(url, path.join(dir, 'b'));
  assert.equal(read(path.join(dir, 'b', 'dir', 'a.yaml')), 'a: 1\n');
  assert.doesNotMatch(read(path.join(dir, 'b', '.git', 'config')), /extraheader|ghs_/);
  assert.ok(server.gitRequests.some((r) => r.authorized));
});
