// The forge client's own flow (pkg/src/forges/pulls.js, below the pipeline) on every forge:
// open, update, nothing to change, close superseded pull requests by branch prefix
// (closeStalePullRequests), and a concurrent run that opens the same pull request between
// our look-up and our create. The pipeline's scenario (issue 27's acceptance) is
// scenario.test.js.

import assert from 'node:assert/strict';
import { closeStalePullRequests, openForge, upsertPullRequest } from '../../pkg/src/forges/index.js';
import { pusher } from './git.js';

/**
 * Runs the client flow on one forge.
 * @param {import('node:test').TestContext} t
 * @param {object} o
 * @param {string} o.forge            --forge value (the host is 127.0.0.1)
 * @param {string} o.remoteUrl        the repository's HTTP remote
 * @param {string} o.apiUrl
 * @param {Record<string,string>} o.env  holds the token in the forge's usual variable
 * @param {() => Promise<Array<{number: number, head: string, title: string, state: string}>>} o.openOnServer
 *   the open pull requests as the server itself holds them (not through the client)
 * @param {string[]} [o.labels]
 */
export async function clientFlow(t, { forge, remoteUrl, apiUrl, env, openOnServer, labels = [] }) {
  const warnings = [];
  const warn = (w) => warnings.push(w);
  const make = (fetchImpl) => openForge(remoteUrl, { forge, apiUrl, env, fetch: fetchImpl, fallback: null });
  const { forgeApi: api, credential, gitUsername } = make();
  assert.ok(credential, `${forge}: a token was found in its usual variable`);
  const creds = { user: gitUsername, token: credential.token };
  const git = await pusher(t, remoteUrl, creds);

  // an earlier run's pull request for the previous tag: the stale one
  await git.push('gitops-bump/app-1.1.0', 'app.yaml', 'image: app:1.1.0\n', 'bump app to 1.1.0');
  const old = await upsertPullRequest(api, { head: 'gitops-bump/app-1.1.0', base: 'main', title: 'Bump app to 1.1.0', body: 'app 1.0.0 → 1.1.0', warn });
  assert.equal(old.operation, 'created');

  // 1. open
  const sha1 = await git.push('gitops-bump/app', 'app.yaml', 'image: app:1.2.0\n', 'bump app to 1.2.0');
  const first = await upsertPullRequest(api, { head: 'gitops-bump/app', base: 'main', title: 'Bump app to 1.2.0', body: 'app 1.1.0 → 1.2.0', labels, warn });
  assert.equal(first.operation, 'created');
  assert.ok(Number.isInteger(first.number) && first.number > 0, `a number: ${first.number}`);
  assert.match(first.url, /^http:\/\/127\.0\.0\.1:\d+\//);
  let open = await openOnServer();
  assert.deepEqual(open.filter((p) => p.head === 'gitops-bump/app').map((p) => p.title), ['Bump app to 1.2.0']);

  // stale close: the 1.1.0 pull request is superseded by the 1.2.0 one
  const closed = await closeStalePullRequests(api, { base: 'main', prefix: 'gitops-bump/app-', keep: 'gitops-bump/app', warn });
  assert.deepEqual(closed, [old.number]);
  open = await openOnServer();
  assert.deepEqual(open.map((p) => p.head).sort(), ['gitops-bump/app']);

  // 2. update with a new tag: the branch moves, title and body change, same pull request
  const sha2 = await git.push('gitops-bump/app', 'app.yaml', 'image: app:1.3.0\n', 'bump app to 1.3.0');
  assert.notEqual(sha1, sha2);
  const second = await upsertPullRequest(api, { head: 'gitops-bump/app', base: 'main', title: 'Bump app to 1.3.0', body: 'app 1.1.0 → 1.3.0', labels, warn });
  assert.deepEqual([second.operation, second.number, second.url], ['updated', first.number, first.url]);
  open = await openOnServer();
  assert.deepEqual(open.map((p) => p.title), ['Bump app to 1.3.0']);
  const found = await api.findOpen({ head: 'gitops-bump/app', base: 'main' });
  assert.equal(found.headSha?.slice(0, 7), sha2.slice(0, 7), 'the pull request shows the new commit');

  // 3. nothing to change: the branch did not move and title/body are the same
  const third = await upsertPullRequest(api, { head: 'gitops-bump/app', base: 'main', title: 'Bump app to 1.3.0', body: 'app 1.1.0 → 1.3.0', labels, branchUpdated: false, warn });
  assert.deepEqual([third.operation, third.number], ['none', first.number]);

  // 4. a concurrent run: between our look-up and our create, another run pushes the branch
  // and opens the pull request itself; ours must update that one, not fail or open a second
  let raced = 0;
  const racing = make(async (url, init) => {
    if (init?.method === 'POST' && /\/(pulls|merge_requests|pullrequests)$/.test(new URL(url).pathname) && raced === 0) {
      raced += 1;
      await git.push('gitops-bump/other', 'other.yaml', 'image: other:2.0.0\n', 'bump other (the other run)');
      await upsertPullRequest(make().forgeApi, { head: 'gitops-bump/other', base: 'main', title: 'Bump other (the other run)', body: 'theirs', warn });
    }
    return fetch(url, init);
  }).forgeApi;
  const sha3 = await git.push('gitops-bump/other', 'other.yaml', 'image: other:2.0.0\n', 'bump other to 2.0.0');
  const fourth = await upsertPullRequest(racing, { head: 'gitops-bump/other', base: 'main', title: 'Bump other to 2.0.0', body: 'other 1.0.0 → 2.0.0', warn });
  assert.equal(raced, 1, 'the other run came in between');
  assert.equal(fourth.operation, 'updated');
  open = await openOnServer();
  const others = open.filter((p) => p.head === 'gitops-bump/other');
  assert.deepEqual(others.map((p) => [p.number, p.title]), [[fourth.number, 'Bump other to 2.0.0']], 'one pull request, with our title');
  const theirs = await api.findOpen({ head: 'gitops-bump/other', base: 'main' });
  assert.notEqual(theirs.headSha?.slice(0, 7), sha3.slice(0, 7), 'the other run pushed after us: the pull request shows its commit');
  return { warnings, first, second, third, fourth };
}
