// Small pure pieces: masking, auth env, backoff, templates, branch names.

import test from 'node:test';
import assert from 'node:assert/strict';
import { createAuth, httpOrigin } from '../../pkg/src/git/auth.js';
import { isRemoteMoved } from '../../pkg/src/git/command-manager.js';
import { AttemptClock, backoffDelay } from '../../pkg/src/pipeline/backoff.js';
import { GitHubClient, repoFromRemoteUrl } from '../../pkg/src/github/client.js';
import { commitMessage, pullRequestBranch, renderTemplate, splitImageSpec, summarize } from '../../pkg/src/template.js';

const TOKEN = 'ghp_unitTestToken_1234567890';

test('mask() removes the token, its base64 forms, URL credentials and auth headers', () => {
  const auth = createAuth({ token: TOKEN });
  const b64 = Buffer.from(`x-access-token:${TOKEN}`).toString('base64');
  const text = `a ${TOKEN} b ${b64} c ${Buffer.from(TOKEN).toString('base64')} https://u:pw@host/x AUTHORIZATION: basic Zm9vOmJhcg== Authorization: Bearer abc`;
  const out = auth.mask(text);
  assert.ok(!out.includes(TOKEN) && !out.includes(b64) && !out.includes('pw@') && !out.includes('Zm9vOmJhcg') && !out.includes('abc'));
  assert.equal(auth.mask(null), '');
  assert.ok(!JSON.stringify(auth).includes(TOKEN), 'the token is not enumerable');
});

test('gitConfigEnv() scopes the header to the remote origin and appends to existing GIT_CONFIG_COUNT', () => {
  const auth = createAuth({ token: TOKEN });
  const env = auth.gitConfigEnv('https://github.com/acme/config.git', { GIT_CONFIG_COUNT: '1' });
  assert.equal(env.GIT_CONFIG_COUNT, '5');
  assert.equal(env.GIT_CONFIG_KEY_0, undefined, 'the entries already there are kept');
  // the URL is used as given, whatever insteadOf rules (CircleCI's checkout writes one) say
  assert.deepEqual(
    [env.GIT_CONFIG_KEY_3, env.GIT_CONFIG_VALUE_3, env.GIT_CONFIG_KEY_4, env.GIT_CONFIG_VALUE_4],
    ['url.https://github.com/acme/config.git.insteadOf', 'https://github.com/acme/config.git', 'url.https://github.com/acme/config.git.pushInsteadOf', 'https://github.com/acme/config.git'],
  );
  assert.equal(env.GIT_CONFIG_KEY_2, 'http.https://github.com/.extraheader');
  assert.equal(env.GIT_CONFIG_VALUE_1, '');
  assert.equal(env.GIT_CONFIG_VALUE_2, `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`);
  assert.deepEqual(auth.gitConfigEnv('git@github.com:acme/config.git'), {});
  assert.deepEqual(auth.gitConfigEnv('/srv/config.git'), {});
  assert.deepEqual(createAuth({}).gitConfigEnv('https://github.com/a/b'), {});
  assert.equal(httpOrigin('https://x:y@GitHub.example.com:8443/a/b'), 'https://github.example.com:8443');
});

test('push rejections that mean "the remote moved"', () => {
  for (const s of ['[rejected] (fetch first)', '[rejected] (non-fast-forward)', '[rejected] (stale info)', '[remote rejected] (failed to update ref)', "cannot lock ref 'refs/heads/main': is at 1234abc but expected 5678def"]) {
    assert.ok(isRemoteMoved(s), s);
  }
  for (const s of ['[remote rejected] (pre-receive hook declined)', 'Authentication failed', '[remote rejected] (protected branch hook declined)']) {
    assert.ok(!isRemoteMoved(s), s);
  }
});

test('backoff: a short attempt on a quiet branch keeps the plain schedule (1 s doubling), jittered within [d/8, d]', () => {
  const quiet = { attemptMs: 300, landed: 1 };
  assert.equal(backoffDelay(1, quiet, undefined, () => 0), 125);
  assert.equal(backoffDelay(1, quiet, undefined, () => 1), 1000); // one collision: back within a second
  assert.equal(backoffDelay(3, quiet, undefined, () => 1), 4000);
  assert.equal(backoffDelay(5, quiet, undefined, () => 1), 16000);
  assert.equal(backoffDelay(1, undefined, undefined, () => 1), 1000, 'nothing measured: the plain schedule');
  const waits = [1, 2, 3, 4, 5].map((r) => backoffDelay(r, quiet, undefined, () => 1));
  assert.equal(waits.reduce((a, b) => a + b), 31000, 'five retries wait at most 31 s in all');
});

test('backoff: scales with the attempt length and the commits that landed, at most 2 minutes', () => {
  // the unit is two attempt lengths once an attempt takes longer than half the base
  assert.equal(backoffDelay(1, { attemptMs: 4000, landed: 1 }, undefined, () => 1), 8000);
  assert.equal(backoffDelay(2, { attemptMs: 4000, landed: 1 }, undefined, () => 1), 16000);
  // more commits landed than the doubling gives: the count wins
  assert.equal(backoffDelay(2, { attemptMs: 1000, landed: 7 }, undefined, () => 1), 14000);
  assert.equal(backoffDelay(4, { attemptMs: 1000, landed: 3 }, undefined, () => 1), 16000);
  // no commit landed between the two bases (it never reads below the doubling)
  assert.equal(backoffDelay(2, { attemptMs: 100, landed: 0 }, undefined, () => 1), 2000);
  // capped, and the jitter keeps its eighth
  assert.equal(backoffDelay(3, { attemptMs: 30000, landed: 20 }, undefined, () => 1), 120000);
  assert.equal(backoffDelay(3, { attemptMs: 30000, landed: 20 }, undefined, () => 0), 15000);
  assert.equal(backoffDelay(100, { attemptMs: 1e9, landed: 1e9 }, undefined, () => 1), 120000);
  // the worst case of the default five retries: five capped waits
  assert.equal([1, 2, 3, 4, 5].reduce((a, r) => a + backoffDelay(r, { attemptMs: 1e6, landed: 64 }, undefined, () => 1), 0), 600000);
  // a caller's own numbers; a missing factor is the default 2
  assert.equal(backoffDelay(2, { attemptMs: 50 }, { baseMs: 200, capMs: 3000 }, () => 0.5), 225);
  assert.equal(backoffDelay(1, { attemptMs: 500 }, { baseMs: 200, capMs: 3000 }, () => 1), 1000);
  assert.equal(backoffDelay(1, { attemptMs: 500 }, { baseMs: 200, capMs: 3000, factor: 4 }, () => 1), 2000);
  assert.equal(backoffDelay(9, { attemptMs: 500, landed: 2 }, { baseMs: 5, capMs: 20 }, () => 1), 20);
});

test('attempt clock: the longest attempt, and the commits between the bases of the last two attempts', async () => {
  let t = 0;
  const counted = [];
  const git = {
    async countCommits(from, to) {
      counted.push(`${from}..${to}`);
      return to === 'c3' ? null : 6;
    },
  };
  const clock = new AttemptClock(git, 'c0', () => t);
  t = 5000;
  assert.deepEqual(await clock.failed(), { attemptMs: 5000, landed: 1 }, 'first failure: no count yet');
  t = 9000; // slept 4 s
  clock.next();
  t = 9500;
  clock.fetched('c1');
  t = 10000; // a 1 s attempt: the longest stays 5 s
  assert.deepEqual(await clock.failed(), { attemptMs: 5000, landed: 6 });
  clock.next();
  clock.fetched('c1'); // the branch had not moved when this attempt fetched
  t = 17000;
  assert.deepEqual(await clock.failed(), { attemptMs: 7000, landed: 0 });
  clock.next();
  clock.fetched('c3');
  assert.deepEqual(await clock.failed(), { attemptMs: 7000, landed: 1 }, 'git could not count: 1');
  assert.deepEqual(counted, ['c0..c1', 'c1..c3']);
  const noGit = new AttemptClock(null, null, () => t);
  noGit.next();
  noGit.fetched('x');
  assert.deepEqual(await noGit.failed(), { attemptMs: 0, landed: 1 });
});

test('templates: default message, placeholders, image specs', () => {
  assert.deepEqual(splitImageSpec('api=ghcr.io/acme/api:1.2.3@sha256:abc'), { name: 'api', newName: 'ghcr.io/acme/api', tag: '1.2.3', digest: 'sha256:abc' });
  assert.deepEqual(splitImageSpec('localhost:5000/api'), { name: 'localhost:5000/api', newName: null, tag: null, digest: null });
  const changed = [{ file: 'k/kustomization.yaml', changes: [{ path: 'images[0].newTag', line: 4, old: '1.2.2', new: '1.2.3', kind: 'set' }] }];
  const s = summarize({ edits: [{ file: 'k/kustomization.yaml', image: 'api=ghcr.io/acme/api:1.2.3' }] }, changed, { sourceSha: 'f00' });
  assert.equal(commitMessage(s), 'chore(deploy): bump api to 1.2.3\n\n- k/kustomization.yaml:4 images[0].newTag: 1.2.2 -> 1.2.3\n\nSource commit: f00\n');
  assert.equal(renderTemplate('{images}@{tags} {files} {paths} {sha} {other}', s), 'api@1.2.3 k/kustomization.yaml images[0].newTag f00 {other}');
});

test('PR branch: deterministic per edits and base, independent of the new values', () => {
  const a = pullRequestBranch([{ file: 'a/values.yaml', set: 'image.tag', value: '1' }], { base: 'main' });
  const b = pullRequestBranch([{ file: 'a/values.yaml', set: 'image.tag', value: '2' }], { base: 'main' });
  const c = pullRequestBranch([{ file: 'a/values.yaml', set: 'image.tag', value: '2' }], { base: 'prod' });
  const d = pullRequestBranch({ edits: [{ file: 'k.yaml', image: 'api=ghcr.io/acme/api:1.2.3' }] }, { base: 'main' });
  assert.equal(a, b);
  assert.notEqual(a, c);
  assert.match(d, /^gitops-bump\/api-k-[0-9a-f]{8}$/);
  assert.match(a, /^gitops-bump\/[a-z0-9._/-]+$/);
  // promotions: named and hashed by target, source and the sorted images
  const promote = (to, from, images = []) => pullRequestBranch([{ promote: to, from, images }], { base: 'main' });
  const p = promote('production=overlays/production', 'staging=overlays/staging');
  assert.match(p, /^gitops-bump\/promote-production-[0-9a-f]{8}$/);
  assert.notEqual(p, promote('staging=overlays/staging', 'dev=overlays/dev'));
  assert.notEqual(p, promote('production=overlays/production', 'dev=overlays/dev'));
  assert.notEqual(p, promote('production=overlays/production', 'staging=overlays/staging', ['ghcr.io/acme/api']));
  assert.equal(promote('overlays/production', 'overlays/staging', ['b', 'a']), promote('overlays/production', 'overlays/staging', ['a', 'b']));
  const subject = commitMessage(
    summarize([{ promote: 'production=overlays/production', from: 'staging=overlays/staging', images: ['ghcr.io/acme/api'] }], [
      { file: 'overlays/production/kustomization.yaml', changes: [{ path: 'images[1].newTag', kind: 'set', old: '1.8', new: '1.9', line: 18 }] },
    ]),
  ).split('\n')[0];
  assert.equal(subject, 'chore(deploy): promote api (1.9) from staging to production');
});

test('GitHub client: base URL (GHE), branch refs keep their slashes, repo from remote URL', () => {
  const c = new GitHubClient({ apiUrl: 'https://ghe.example.com/api/v3/' });
  assert.equal(c.url('GET /repos/{owner}/{repo}/git/ref/{ref}', { owner: 'a', repo: 'b', ref: 'heads/gitops-bump/x y' }), 'https://ghe.example.com/api/v3/repos/a/b/git/ref/heads/gitops-bump/x%20y');
  assert.equal(c.url('GET /repos/{owner}/{repo}/pulls', { owner: 'a', repo: 'b', head: 'a:x', state: 'open' }), 'https://ghe.example.com/api/v3/repos/a/b/pulls?head=a%3Ax&state=open');
  assert.equal(new GitHubClient().apiUrl, 'https://api.github.com');
  assert.deepEqual(repoFromRemoteUrl('https://github.com/acme/config.git'), { owner: 'acme', repo: 'config' });
  assert.deepEqual(repoFromRemoteUrl('git@github.com:acme/config.git'), { owner: 'acme', repo: 'config' });
  assert.equal(repoFromRemoteUrl('/srv/git/config.git'), null);
});

test('GitHub client: GETs retry transient 5xx, writes never repeat, rate limits are named', async () => {
  const calls = [];
  const replies = [
    new Response('bad gateway', { status: 502 }),
    new Response(JSON.stringify({ object: { sha: 'a' } }), { status: 200 }),
    new Response(JSON.stringify({ message: 'Server Error' }), { status: 503 }),
    new Response(JSON.stringify({ message: 'API rate limit exceeded' }), { status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1700000000' } }),
  ];
  const fake = async (url, init) => {
    calls.push(`${init.method} ${init.headers.Authorization}`);
    return replies.shift();
  };
  const c = new GitHubClient({ apiUrl: 'http://x', fetch: fake, auth: createAuth({ token: TOKEN }), retryDelayMs: 1, rateLimitRetries: 0 });
  const got = await c.request('GET /repos/{owner}/{repo}/git/ref/{ref}', { owner: 'a', repo: 'b', ref: 'heads/main' });
  assert.equal(got.data.object.sha, 'a');
  await assert.rejects(c.request('POST /repos/{owner}/{repo}/git/blobs', { owner: 'a', repo: 'b' }, { content: '' }), (e) => e.status === 503 && e.exitCode === 3);
  await assert.rejects(c.request('POST /repos/{owner}/{repo}/pulls', { owner: 'a', repo: 'b' }, {}), (e) => /rate limited until 2023-11-14T22:13:20\.000Z/.test(e.message));
  assert.deepEqual(calls, ['GET Bearer ' + TOKEN, 'GET Bearer ' + TOKEN, 'POST Bearer ' + TOKEN, 'POST Bearer ' + TOKEN]);
});
