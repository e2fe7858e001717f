// Pull requests and API commits against GitHub's real behaviour: the local server answers
// as GitHub does (branch protection, rate limits, the lag after a push, label and draft
// restrictions, the Actions PR setting), each switched on in `server.behaviour`.

import test from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { runPipeline } from '../../pkg/src/pipeline.js';
import * as client from '../../pkg/src/github/client.js';
import { createAuth } from '../../pkg/src/git/auth.js';
import { refuseUnlessOurs } from '../../pkg/src/git/pr-branch.js';
import { startGitHubServer } from '../github-api-server/server.js';
import { startConnectProxy } from '../github-api-server/connect-proxy.js';
import { cleanEnv, fakeApply, git, makeRemote, path, read, ROOT, runCommand, runNode, tempDir } from './helpers.js';

const CLI = path.join(ROOT, 'pkg', 'bin', 'gitops-bump.js');
const DRIVER = path.join(ROOT, 'tests', 'pipeline', 'driver.js');
const HAVE_WASM = existsSync(path.join(ROOT, 'pkg', 'wasm', 'node'));
const VALUES = 'image:\n  repository: ghcr.io/acme/api\n  tag: 1.2.2\nreplicas: 2\n';
const TOKEN = 'ghs_behaviourTestToken0123456789ab';
const FAST = { baseMs: 5, capMs: 20 };
const { GitHubClient } = client;

async function setup(t, { prefix = '', behaviour = {}, files = {} } = {}) {
  const remote = makeRemote(t, { 'deploy/values.yaml': VALUES, 'other.yaml': 'a: 1\n', ...files });
  const server = await startGitHubServer({ repos: { 'acme/config': remote.bare }, token: TOKEN, prefix, behaviour });
  t.after(() => server.close());
  const env = cleanEnv({ GITHUB_TOKEN: TOKEN, GITHUB_API_URL: server.apiUrl, GITHUB_REPOSITORY: 'acme/config' });
  return { remote, server, env };
}

const plan = (tag) => ({ edits: [{ file: 'deploy/values.yaml', set: 'image.tag', value: tag }] });

/** runPipeline in `cwd` with the fake apply; `logs` collects the progress lines. */
function run(cwd, tag, git, logs = []) {
  const p = plan(tag);
  return runPipeline({ cwd, plan: p, apply: fakeApply(p), git: { backoff: FAST, log: (l) => logs.push(l), ...git } });
}

const ops = (server, name) => server.requests.filter((r) => r.operation === name).map((r) => r.status);

function noMismatches(server) {
  assert.deepEqual(server.mismatches, [], JSON.stringify(server.mismatches, null, 2));
}

// ---- 1. API commits to a branch GitHub refuses to move ---------------------------------

test('API commit to a protected branch: exit 3 naming protection and rulesets; remote unchanged; checkout clean', async (t) => {
  const { remote, server, env } = await setup(t, { behaviour: { protectedBranches: ['main'] } });
  const clone = remote.clone();
  const before = remote.head();
  await assert.rejects(run(clone, '1.3.0', { apiCommit: true, env }), (e) => {
    assert.equal(e.exitCode, 3);
    assert.equal(e.code, 'ref-update-refused');
    assert.match(e.message, /Reference update failed/);
    assert.match(e.message, /branch protection rule or a ruleset/);
    assert.match(e.message, /--pr/);
    return true;
  });
  assert.equal(remote.head(), before);
  assert.deepEqual(ops(server, 'git/update-ref'), [422], 'no retry of a refusal');
  assert.equal(git(clone, ['status', '--porcelain']), '', 'the edit is not left in the checkout');
  assert.equal(git(clone, ['rev-parse', 'HEAD']), before);
  noMismatches(server);
});

test('API commit: a ref update refused while the head reads unchanged re-applies on clean files', async (t) => {
  const { remote, server, env } = await setup(t);
  const seed = remote.head();
  let patches = 0;
  let reads = 0;
  // the first update loses a race; by the time the head is read again the other writer's
  // ref is gone (replica lag, a force-push back): the head reads as before
  server.hooks['git/update-ref'] = () => {
    patches += 1;
    if (patches === 1) remote.competingCommit({ 'other.yaml': 'a: 2\n' });
  };
  server.hooks['git/get-ref'] = () => {
    reads += 1;
    if (reads === 2) git(remote.bare, ['update-ref', 'refs/heads/main', seed]);
  };
  const logs = [];
  const res = await run(remote.clone(), '1.4.0', { apiCommit: true, env }, logs);
  assert.equal(res.attempts, 2, logs.join('\n'));
  assert.equal(res.pushed, true);
  assert.match(remote.show('main', 'deploy/values.yaml'), /tag: 1\.4\.0/);
  assert.deepEqual(ops(server, 'git/update-ref'), [422, 200]);
  noMismatches(server);
});

// ---- 2. --pr --api-commit: a refused PR-branch update; identical reruns -----------------

test('--pr --api-commit: an identical rerun leaves the PR branch alone; a refused branch update fails before the PR is touched', async (t) => {
  const { remote, server, env } = await setup(t);
  const first = await run(remote.clone(), '2.0.0', { pr: true, apiCommit: true, env });
  const branchHead = remote.head(first.branch);
  const mark = server.requests.length;
  const again = await run(remote.clone(), '2.0.0', { pr: true, apiCommit: true, env });
  const later = server.requests.slice(mark).map((r) => r.operation);
  assert.equal(remote.head(first.branch), branchHead, 'the PR branch is not rewritten');
  assert.ok(!later.includes('git/update-ref') && !later.includes('git/create-blob') && !later.includes('pulls/update'), later.join(' '));
  assert.equal(again.pushed, false);
  assert.equal(again.commit, branchHead);
  assert.deepEqual(again.pr, { number: 1, url: first.pullRequest.url, operation: 'none' });

  server.behaviour.protectedBranches = ['gitops-bump/*'];
  await assert.rejects(run(remote.clone(), '2.0.1', { pr: true, apiCommit: true, env }), (e) => {
    assert.equal(e.exitCode, 3);
    assert.match(e.message, new RegExp(`refs/heads/${first.branch.replace(/[.]/g, '\\.')}`));
    assert.match(e.message, /branch protection rule or a ruleset/);
    return true;
  });
  assert.equal(remote.head(first.branch), branchHead);
  assert.match(server.pulls('acme/config')[0].title, /2\.0\.0/, 'the PR is not retitled for a commit that did not land');
  noMismatches(server);
});

// ---- 3. finding the existing pull request ----------------------------------------------

test('the existing PR is found by head=owner:branch and base; a PR of another branch at the same commit is left alone', async (t) => {
  const { remote, server, env } = await setup(t, { behaviour: { looseHeadFilter: true } });
  const first = await run(remote.clone(), '3.0.0', { pr: true, env });
  // someone copies the PR branch and opens a PR from the copy into another base; ours is closed
  git(remote.bare, ['update-ref', 'refs/heads/copy', remote.head(first.branch)]);
  git(remote.bare, ['update-ref', 'refs/heads/release', remote.head('main')]);
  const api = (method, p, body) =>
    fetch(`${server.apiUrl}${p}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then((r) => r.json());
  const other = await api('POST', '/repos/acme/config/pulls', { title: 'copy', head: 'copy', base: 'release' });
  await api('PATCH', `/repos/acme/config/pulls/${first.pullRequest.number}`, { state: 'closed' });

  const res = await run(remote.clone(), '3.0.0', { pr: true, env });
  const copy = server.pulls('acme/config').find((p) => p.number === other.number);
  assert.deepEqual([copy.title, copy.base], ['copy', 'release'], 'the other PR is neither retitled nor retargeted');
  assert.notEqual(res.pullRequest.number, other.number);
  assert.equal(res.pr.operation, 'created');
  const list = server.requests.filter((r) => r.operation === 'pulls/list').at(-1);
  assert.match(list.query, /head=acme%3Agitops-bump%2F/);
  assert.match(list.query, /base=main/);
  assert.ok(!server.requests.some((r) => r.operation === 'pulls/update' && r.path.endsWith(`/${other.number}`)));
  noMismatches(server);
});

// ---- 4. labels and drafts --------------------------------------------------------------

test('a label the token may not create is a warning: the PR stays open, exit 0', async (t) => {
  const { remote, server, env } = await setup(t, { behaviour: { labelsForbidden: true, repoLabels: ['deploy'] } });
  const logs = [];
  const res = await run(remote.clone(), '4.0.0', { pr: true, labels: ['deploy', 'brand-new'], env }, logs);
  assert.equal(res.pr.operation, 'created');
  assert.deepEqual(ops(server, 'issues/add-labels'), [403]);
  assert.match(res.warnings.join('\n'), /could not add the labels deploy, brand-new to pull request #1/);
  assert.match(res.warnings.join('\n'), /issues: write|create the labels/);
  assert.ok(logs.some((l) => /^warning: could not add the labels/.test(l)), logs.join('\n'));
  assert.equal(server.pulls('acme/config').length, 1);
  noMismatches(server);
});

test('drafts on a repository without draft support: the PR is opened as ready, and the run says so', async (t) => {
  const { remote, server, env } = await setup(t, { behaviour: { draftsUnsupported: true } });
  const logs = [];
  const res = await run(remote.clone(), '4.1.0', { pr: true, draft: true, env }, logs);
  assert.equal(res.pullRequest.draft, false);
  assert.equal(server.pulls('acme/config')[0].draft, false);
  assert.deepEqual(ops(server, 'pulls/create'), [422, 201]);
  assert.ok(res.warnings.some((w) => /does not support draft pull requests: opened #1 as ready for review/.test(w)), res.warnings.join('\n'));
  noMismatches(server);
});

// ---- 5. rate limits, lag after a push, timeouts ----------------------------------------

test('rate limits: a primary 403 waits for x-ratelimit-reset, a secondary 429 for retry-after; nothing is created twice', async (t) => {
  const { remote, server, env } = await setup(t, { behaviour: { rateLimit: { status: 403, kind: 'primary', count: 1, resetIn: 1, operations: ['pulls/create'] } } });
  const logs = [];
  const started = Date.now();
  const res = await run(remote.clone(), '5.0.0', { pr: true, env }, logs);
  assert.equal(res.pr.operation, 'created');
  assert.deepEqual(ops(server, 'pulls/create'), [403, 201]);
  assert.ok(logs.some((l) => /rate limited \(403\).*waiting \d+ s/.test(l)), logs.join('\n'));
  assert.ok(Date.now() - started >= 900, 'waited for the reset');

  server.behaviour.rateLimit = { status: 429, kind: 'secondary', count: 1, retryAfter: 1, operations: ['git/update-ref'] };
  const api = await run(remote.clone(), '5.0.1', { apiCommit: true, env }, logs);
  assert.equal(api.attempts, 1, 'the refused update is sent again, not the whole commit');
  assert.deepEqual(ops(server, 'git/update-ref'), [429, 200]);
  assert.deepEqual(ops(server, 'git/create-blob'), [201]);
  assert.match(remote.show('main', 'deploy/values.yaml'), /tag: 5\.0\.1/);
  noMismatches(server);
});

test('rate-limit waits: retry-after, else x-ratelimit-reset, else 60 s; a wait too long fails with the time', async () => {
  const waits = [];
  const reset = Math.floor(Date.now() / 1000) + 30;
  const limited = (headers, message = 'API rate limit exceeded') => new Response(JSON.stringify({ message }), { status: 403, headers });
  const replies = [
    limited({ 'retry-after': '7', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) }),
    limited({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) }),
    limited({ 'x-ratelimit-remaining': '12' }, 'You have exceeded a secondary rate limit.'),
    new Response(JSON.stringify({ sha: 'abc' }), { status: 201 }),
  ];
  const c = new GitHubClient({ apiUrl: 'http://x', fetch: async () => replies.shift(), auth: createAuth({ token: TOKEN }), sleep: async (ms) => waits.push(ms) });
  const got = await c.request('POST /repos/{owner}/{repo}/git/blobs', { owner: 'a', repo: 'b' }, { content: '' });
  assert.equal(got.data.sha, 'abc');
  assert.equal(waits[0], 7000);
  assert.ok(waits[1] > 28000 && waits[1] <= 32000, String(waits[1]));
  assert.equal(waits[2], 60000);
  // an ordinary 403 (a missing permission) is not waited on
  const plain = new GitHubClient({ apiUrl: 'http://x', fetch: async () => new Response(JSON.stringify({ message: 'Resource not accessible by integration' }), { status: 403 }), sleep: async () => assert.fail('no wait') });
  await assert.rejects(plain.request('POST /repos/{owner}/{repo}/pulls', { owner: 'a', repo: 'b' }, {}), (e) => e.status === 403);
  // a reset an hour away is not waited for: the error says until when
  const far = String(Math.floor(Date.now() / 1000) + 3600);
  const long = new GitHubClient({ apiUrl: 'http://x', fetch: async () => limited({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': far }), sleep: async () => assert.fail('no wait') });
  await assert.rejects(long.request('GET /repos/{owner}/{repo}/pulls', { owner: 'a', repo: 'b' }), (e) => /rate limited until \d{4}-/.test(e.message) && e.code === 'rate-limited');
});

test('POST /pulls right after a push: the "head invalid" lag is retried', async (t) => {
  const { remote, server, env } = await setup(t, { behaviour: { headInvalidLag: 2 } });
  const res = await run(remote.clone(), '5.1.0', { pr: true, env });
  assert.equal(res.pr.operation, 'created');
  assert.deepEqual(ops(server, 'pulls/create'), [422, 422, 201]);
  noMismatches(server);
});

test('every API request has a timeout (30 s by default)', async (t) => {
  const { server } = await setup(t, { behaviour: { delayMs: { 'git/get-ref': 3000 } } });
  assert.equal(new GitHubClient().timeoutMs, 30000);
  const c = new GitHubClient({ apiUrl: server.apiUrl, auth: createAuth({ token: TOKEN }), timeoutMs: 150, getRetries: 0 });
  const started = Date.now();
  await assert.rejects(
    c.request('GET /repos/{owner}/{repo}/git/ref/{ref}', { owner: 'acme', repo: 'config', ref: 'heads/main' }),
    (e) => e.exitCode === 3 && /did not answer within 0\.15 s/.test(e.message) && !e.message.includes(TOKEN),
  );
  assert.ok(Date.now() - started < 2500, 'gave up at the timeout');
});

// ---- 6. tokens and where they work -----------------------------------------------------

test('the Actions setting that forbids opening PRs: exit 3 naming the setting and the token to use', async (t) => {
  const { remote, server, env } = await setup(t, { behaviour: { actionsCannotCreatePulls: true } });
  await assert.rejects(run(remote.clone(), '6.0.0', { pr: true, env }), (e) => {
    assert.equal(e.exitCode, 3);
    assert.match(e.message, /not permitted to create or approve pull requests/);
    assert.match(e.message, /Allow GitHub Actions to create and approve pull requests/);
    assert.match(e.message, /GitHub App token|personal access token/);
    return true;
  });
  noMismatches(server);
});

test("the workflow's own token aimed at another repository: said before trying", async (t) => {
  const { remote, server, env } = await setup(t);
  const logs = [];
  await run(remote.clone(), '6.1.0', { pr: true, githubRepo: 'acme/config', env: { ...env, GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'acme/app' } }, logs);
  const i = logs.findIndex((l) => /^warning: .*acme\/config.*acme\/app/.test(l));
  assert.ok(i >= 0, logs.join('\n'));
  assert.match(logs[i], /GitHub App token|fine-grained personal access token/);
  noMismatches(server);
});

test('a push refused with 403 (a read-only token) names the token and the permission', async (t) => {
  const { remote, server, env } = await setup(t, { behaviour: { gitPushForbidden: true } });
  const dir = path.join(tempDir(t), 'checkout');
  const header = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`;
  await runCommand('git', ['-c', `http.extraheader=${header}`, 'clone', '--quiet', server.remoteUrl('acme/config'), dir], { env: cleanEnv() });
  git(dir, ['config', 'user.name', 'Fixture']);
  git(dir, ['config', 'user.email', 'f@example.com']);
  const r = await runNode([DRIVER, JSON.stringify({ cwd: dir, plan: plan('6.2.0'), git: { push: true } })], { env });
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /403/);
  assert.match(r.stderr, /\$GITHUB_TOKEN/);
  assert.match(r.stderr, /contents: write/);
  assert.ok(!r.stderr.includes(TOKEN));
  assert.equal(remote.head(), git(remote.bare, ['rev-parse', 'main']));
});

// ---- 7. GitHub Enterprise Server from the CLI ------------------------------------------

test('the API URL: --api-url, else GITHUB_API_URL, else https://HOST/api/v3 from a non-github.com remote', () => {
  const apiUrlForRemote = client.apiUrlForRemote;
  assert.equal(typeof apiUrlForRemote, 'function');
  assert.equal(apiUrlForRemote('https://github.com/acme/config.git'), null);
  assert.equal(apiUrlForRemote('git@github.com:acme/config.git'), null);
  assert.equal(apiUrlForRemote('https://ghe.example.com/acme/config.git'), 'https://ghe.example.com/api/v3');
  assert.equal(apiUrlForRemote('git@ghe.example.com:acme/config.git'), 'https://ghe.example.com/api/v3');
  assert.equal(apiUrlForRemote('ssh://git@ghe.example.com:2222/acme/config.git'), 'https://ghe.example.com/api/v3');
  assert.equal(apiUrlForRemote('http://127.0.0.1:8080/acme/config.git'), 'http://127.0.0.1:8080/api/v3');
  assert.equal(apiUrlForRemote('https://acme.ghe.com/acme/config.git'), 'https://api.acme.ghe.com');
  assert.equal(apiUrlForRemote('/srv/git/config.git'), null);
  assert.equal(apiUrlForRemote('file:///srv/git/config.git'), null);
});

test('a GHES-shaped remote with no GITHUB_API_URL: the API of that host is used', async (t) => {
  const { remote, server } = await setup(t, { prefix: '/api/v3' });
  const dir = path.join(tempDir(t), 'checkout');
  const header = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`;
  await runCommand('git', ['-c', `http.extraheader=${header}`, 'clone', '--quiet', server.remoteUrl('acme/config'), dir], { env: cleanEnv() });
  git(dir, ['config', 'user.name', 'Fixture']);
  git(dir, ['config', 'user.email', 'f@example.com']);
  const res = await run(dir, '7.0.0', { pr: true, env: cleanEnv({ GITHUB_TOKEN: TOKEN }) });
  assert.equal(res.pr.operation, 'created');
  assert.ok(server.requests.every((r) => r.path.startsWith('/api/v3/repos/acme/config/')));
  assert.match(remote.show(res.branch, 'deploy/values.yaml'), /tag: 7\.0\.0/);
  noMismatches(server);
});

test('the CLI takes --api-url', { skip: !HAVE_WASM && 'no wasm build' }, async (t) => {
  const { remote, server } = await setup(t);
  const env = cleanEnv({ GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: 'acme/config' });
  const r = await runNode([CLI, 'set', 'deploy/values.yaml', 'image.tag', '7.1.0', '--pr', '--api-url', server.apiUrl, '--json'], { cwd: remote.clone(), env });
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.pullRequest.number, 1);
  assert.equal(out.pr.operation, 'created');
  noMismatches(server);
  const bad = await runNode([CLI, 'set', 'deploy/values.yaml', 'image.tag', '7.1.1', '--api-url', server.apiUrl], { cwd: remote.clone(), env });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--api-url needs one of/);
});

// ---- 8. git older than 2.31 ------------------------------------------------------------

test('git older than 2.31 (ignores GIT_CONFIG_COUNT): a clear failure before any git call with the token', async (t) => {
  const { server, env } = await setup(t);
  const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  const bin = path.join(tempDir(t, 'gb-oldgit-'), 'bin');
  mkdirSync(bin);
  writeFileSync(path.join(bin, 'git'), `#!/bin/sh\nif [ "$1" = "--version" ]; then echo "git version 2.30.2"; exit 0; fi\nexec '${realGit}' "$@"\n`);
  chmodSync(path.join(bin, 'git'), 0o755);
  const r = await runNode([DRIVER, JSON.stringify({ cwd: '/', plan: plan('8.0.0'), git: { repo: server.remoteUrl('acme/config'), push: true } })], {
    env: { ...env, PATH: `${bin}:${process.env.PATH}` },
  });
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /git 2\.30\.2 is too old/);
  assert.match(r.stderr, /2\.31/);
  assert.equal(server.gitRequests.length, 0, 'git never ran against the remote');
  const { parseGitVersion } = await import('../../pkg/src/git/version.js');
  assert.deepEqual(parseGitVersion('git version 2.39.5 (Apple Git-154)'), [2, 39, 5]);
  assert.deepEqual(parseGitVersion('git version 2.45.1.windows.1'), [2, 45, 1]);
  assert.equal(parseGitVersion('nonsense'), null);
});

// ---- 9. API-commit content comes from the index ----------------------------------------

test('API commit content is the staged blob: core.autocrlf=true does not turn LF into CRLF on GitHub', async (t) => {
  const { remote, server, env } = await setup(t);
  const clone = remote.clone('crlf', ['-c', 'core.autocrlf=true']);
  assert.match(read(path.join(clone, 'deploy/values.yaml')), /\r\n/, 'the work tree has CRLF');
  const res = await run(clone, '9.0.0', { apiCommit: true, env });
  assert.equal(res.pushed, true);
  const blob = git(remote.bare, ['cat-file', 'blob', `${res.commit}:deploy/values.yaml`]);
  assert.ok(!blob.includes('\r'), JSON.stringify(blob));
  assert.match(blob, /tag: 9\.0\.0/);
  const pr = await run(remote.clone('crlf-pr', ['-c', 'core.autocrlf=true']), '9.0.1', { pr: true, apiCommit: true, env });
  assert.ok(!git(remote.bare, ['cat-file', 'blob', `${pr.commit}:deploy/values.yaml`]).includes('\r'));
  noMismatches(server);
});

// ---- 10. shallow clones ----------------------------------------------------------------

test('in a depth-1 clone the PR branch is fetched with --depth 1 (not the base history under it)', async (t) => {
  const { remote, server, env } = await setup(t);
  const seed = remote.clone('history');
  for (let i = 0; i < 30; i += 1) git(seed, ['commit', '--quiet', '--allow-empty', '-m', `history ${i}`]);
  git(seed, ['push', '--quiet', 'origin', 'HEAD:refs/heads/main']);
  const first = await run(remote.clone(), '10.0.0', { pr: true, env });
  remote.competingCommit({ 'other.yaml': 'a: 2\n' });
  const shallow = remote.clone('shallow', ['--depth', '1', '--no-local']);
  const commits = () => git(shallow, ['cat-file', '--batch-all-objects', '--batch-check=%(objecttype)']).split('\n').filter((l) => l === 'commit').length;
  assert.equal(commits(), 1);
  const res = await run(shallow, '10.0.0', { pr: true, env });
  assert.equal(res.branch, first.branch);
  assert.ok(commits() <= 4, `the shallow clone now holds ${commits()} commits`);
  assert.equal(git(shallow, ['rev-parse', '--is-shallow-repository']), 'true');
  noMismatches(server);
});

// ---- 11. PR bodies over GitHub's limit -------------------------------------------------

test('a PR body over 65536 characters is cut with a note, so the PR is still opened', async (t) => {
  const { remote, server, env } = await setup(t);
  const res = await run(remote.clone(), '11.0.0', { pr: true, body: `${'x'.repeat(70000)} {tags}`, env });
  assert.equal(res.pr.operation, 'created');
  const body = server.pulls('acme/config')[0].body;
  assert.ok(body.length <= 65536, String(body.length));
  assert.match(body, /truncated/);
  assert.ok(res.warnings.some((w) => /body .*truncated/.test(w)));
  noMismatches(server);
});

// ---- the result the Action reads -------------------------------------------------------

test('the result carries changedFiles, changes, commitSha and pr {number, url, operation}', async (t) => {
  const { remote, server, env } = await setup(t);
  const a = await run(remote.clone(), '12.0.0', { pr: true, env });
  assert.deepEqual(a.changedFiles, ['deploy/values.yaml']);
  assert.deepEqual(a.changes, [{ file: 'deploy/values.yaml', path: 'image.tag', line: 3, old: '1.2.2', new: '12.0.0' }]);
  assert.equal(a.commitSha, remote.head(a.branch));
  assert.deepEqual(a.pr, { number: 1, url: a.pullRequest.url, operation: 'created' });
  const b = await run(remote.clone(), '12.0.1', { pr: true, env });
  assert.equal(b.pr.operation, 'updated');
  const c = await run(remote.clone(), '12.0.1', { pr: true, env });
  assert.equal(c.pr.operation, 'none');
  // a run for the base's own value has nothing to change, so the open pull request of its
  // branch (named by the key, not the value: the one for 12.0.1) is closed
  const closed = await run(remote.clone(), '1.2.2', { pr: true, env });
  assert.deepEqual([closed.changedFiles, closed.changes, closed.commitSha, closed.pr], [[], [], null, { number: 1, url: a.pullRequest.url, operation: 'closed' }]);
  const none = await run(remote.clone(), '1.2.2', { pr: true, env });
  assert.deepEqual([none.changedFiles, none.changes, none.commitSha, none.pr], [[], [], null, { number: null, url: null, operation: 'none' }]);
  const push = await run(remote.clone(), '12.1.0', { push: true, env });
  assert.equal(push.commitSha, remote.head());
  assert.equal(push.pr, null);
  noMismatches(server);
});

// ---- proxies -----------------------------------------------------------------------------

test('behind a proxy: every API request goes through the HTTPS_PROXY tunnel (the API resolves nowhere else); NO_PROXY is honoured', async (t) => {
  const remote = makeRemote(t, { 'deploy/values.yaml': VALUES });
  const dir = tempDir(t);
  const [key, cert] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=api.proxied.test', '-addext', 'subjectAltName=DNS:api.proxied.test'], { stdio: 'ignore' });
  const server = await startGitHubServer({ repos: { 'acme/config': remote.bare }, token: TOKEN, tls: { key: read(key), cert: read(cert), host: 'api.proxied.test' } });
  t.after(() => server.close());
  const proxy = await startConnectProxy({ hosts: { 'api.proxied.test': '127.0.0.1' }, credentials: 'runner:pr0xy-pass' });
  t.after(() => proxy.close());
  const env = cleanEnv({
    GITHUB_TOKEN: TOKEN,
    GITHUB_API_URL: server.apiUrl,
    GITHUB_REPOSITORY: 'acme/config',
    HTTPS_PROXY: `http://runner:pr0xy-pass@127.0.0.1:${proxy.port}`,
    NO_PROXY: 'localhost,.example.com',
    NODE_EXTRA_CA_CERTS: cert, // the runner's trust store would hold the Enterprise CA
  });
  const drive = (tag, extra = {}) => runNode([DRIVER, JSON.stringify({ cwd: remote.clone(), plan: plan(tag), git: { pr: true, backoff: FAST } })], { env: { ...env, ...extra } });
  const r = await drive('1.3.0');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(server.pulls('acme/config').length, 1);
  assert.ok(proxy.tunnels.length >= 2, `${proxy.tunnels.length} tunnels`);
  assert.deepEqual([...new Set(proxy.tunnels.map((x) => x.target))], [`api.proxied.test:${server.port}`]);
  assert.ok(proxy.tunnels.every((x) => x.authorized), 'the proxy credentials were sent');
  assert.deepEqual(proxy.refused, []);
  assert.ok(!r.stderr.includes('pr0xy-pass') && !r.stdout.includes('pr0xy-pass'), 'the proxy password was printed');
  noMismatches(server);

  // the host in NO_PROXY: straight to a name only the proxy can resolve, which fails
  const before = proxy.tunnels.length;
  const direct = await drive('1.3.1', { NO_PROXY: 'proxied.test' });
  assert.equal(direct.code, 3, direct.stderr);
  assert.match(direct.stderr, /ENOTFOUND|EAI_AGAIN|getaddrinfo/);
  assert.equal(proxy.tunnels.length, before, 'NO_PROXY was ignored');
});

// ---- pull requests, as users of create-pull-request expect them ---------------------------

test('the base already holds the values: the open pull request of an earlier run is closed', async (t) => {
  const { remote, server, env } = await setup(t);
  const first = await run(remote.clone(), '1.3.0', { pr: true, env });
  assert.equal(first.pr.operation, 'created');
  // someone merged the same value into main by other means
  remote.competingCommit({ 'deploy/values.yaml': (s) => s.replace('tag: 1.2.2', 'tag: 1.3.0') }, 'deploy 1.3.0 by hand');
  const logs = [];
  const again = await run(remote.clone(), '1.3.0', { pr: true, env }, logs);
  assert.deepEqual(again.pr, { number: first.pr.number, url: first.pr.url, operation: 'closed' });
  assert.equal(server.pulls('acme/config')[0].state, 'closed');
  assert.ok(logs.some((l) => /closed pull request #1, which it already holds/.test(l)), logs.join('\n'));
  // nothing open any more: a third run says so and touches nothing
  const third = await run(remote.clone(), '1.3.0', { pr: true, env });
  assert.equal(third.pr.operation, 'none');
  noMismatches(server);
});

test("a commit someone else pushed to the pull request's branch is not force-pushed away, unless prOverwrite", async (t) => {
  const { remote, server, env } = await setup(t);
  const first = await run(remote.clone(), '1.3.0', { pr: true, env });
  const branch = first.branch;
  remote.competingCommit({ 'other.yaml': 'a: reviewed\n' }, 'review: fix other.yaml', branch);
  const human = remote.head(branch);
  await assert.rejects(run(remote.clone(), '1.3.1', { pr: true, env }), (e) => {
    assert.equal(e.exitCode, 3);
    assert.equal(e.code, 'pr-branch-not-ours');
    assert.match(e.message, new RegExp(`holds a commit that gitops-bump did not make \\(${human.slice(0, 12)} by Fixture <fixture@example\\.com>\\).*--pr-overwrite`));
    return true;
  });
  assert.equal(remote.head(branch), human, 'the branch was replaced');
  const forced = await run(remote.clone(), '1.3.1', { pr: true, env, prOverwrite: true });
  assert.equal(forced.pr.operation, 'updated');
  assert.notEqual(remote.head(branch), human);
  // our own commits alone are replaced as before
  const next = await run(remote.clone(), '1.3.2', { pr: true, env });
  assert.equal(next.pushed, true);
  noMismatches(server);
});

test("--pr --api-commit: a person's commit on the pull request's branch is not replaced through the API either, unless prOverwrite", async (t) => {
  const { remote, server, env } = await setup(t);
  const api = { pr: true, apiCommit: true, env };
  const first = await run(remote.clone(), '1.3.0', api);
  const branch = first.branch;
  // GitHub authors an API commit without an author as the token's owner, not as
  // gitops-bump: an earlier run's commit is still ours and is replaced
  const second = await run(remote.clone(), '1.3.1', api);
  assert.equal(second.pushed, true);
  assert.equal(remote.head(branch), second.commit);
  remote.competingCommit({ 'other.yaml': 'a: reviewed\n' }, 'review: fix other.yaml', branch);
  const human = remote.head(branch);
  await assert.rejects(run(remote.clone(), '1.3.2', api), (e) => {
    assert.equal(e.exitCode, 3);
    assert.equal(e.code, 'pr-branch-not-ours');
    assert.match(e.message, new RegExp(`holds a commit that gitops-bump did not make \\(${human.slice(0, 12)} by Fixture <fixture@example\\.com>\\).*--pr-overwrite`));
    return true;
  });
  assert.equal(remote.head(branch), human, 'the branch was replaced');
  assert.equal(server.pulls('acme/config')[0].state, 'open');
  const forced = await run(remote.clone(), '1.3.2', { ...api, prOverwrite: true });
  assert.equal(forced.pr.operation, 'updated');
  assert.equal(remote.head(branch), forced.commit);
  // a push cannot tell who the token's owner is: the API commits count as foreign there
  // (docs/pipeline.md), so switching to a push takes prOverwrite once
  await assert.rejects(run(remote.clone(), '1.3.3', { pr: true, env }), (e) => e.code === 'pr-branch-not-ours' && /by gitops-bump-test\[bot\]/.test(e.message));
  const pushed = await run(remote.clone(), '1.3.3', { pr: true, env, prOverwrite: true });
  assert.equal(pushed.pushed, true);
  // a branch a push wrote (authored as gitops-bump) is ours in API mode
  const viaApi = await run(remote.clone(), '1.3.4', api);
  assert.equal(viaApi.pushed, true);
  assert.equal(remote.head(branch), viaApi.commit);
  noMismatches(server);
});

test('the PR-branch rule: authors compared without case; commits GitHub did not list are not vouched for', () => {
  const c = (sha, email) => ({ sha: sha.repeat(40), name: 'N', email });
  assert.doesNotThrow(() => refuseUnlessOurs('b', [c('a', 'Bot@Example.com')], ['bot@example.com']));
  assert.throws(() => refuseUnlessOurs('b', [c('a', 'bot@example.com'), c('b', 'eve@example.com')], ['bot@example.com', '']), /holds a commit .*\(bbbbbbbbbbbb by N <eve@example\.com>\)/);
  assert.throws(() => refuseUnlessOurs('b', [c('a', 'bot@example.com')], ['bot@example.com'], 251), (e) => e.code === 'pr-branch-not-ours' && /holds 250 commits .*\(250 not listed by the API\)/.test(e.message));
});

test('reviewers, team reviewers, assignees and a milestone; a refusal of each is a warning, the pull request stands', async (t) => {
  const { remote, server, env } = await setup(t, { behaviour: { collaborators: ['alice'], teamsForbidden: true, milestones: [3] } });
  const first = await run(remote.clone(), '1.3.0', { pr: true, env, reviewers: ['alice'], assignees: ['alice', 'bob'], milestone: 3 });
  assert.equal(first.pr.operation, 'created');
  assert.deepEqual(first.warnings, []);
  const [pr] = server.pulls('acme/config');
  assert.deepEqual([pr.reviewers, pr.assignees, pr.milestone], [['alice'], ['alice'], 3], 'bob cannot be assigned: GitHub skips him');
  const second = await run(remote.clone(), '1.3.1', { pr: true, env, teamReviewers: ['platform'], milestone: 9 });
  assert.equal(second.pr.operation, 'updated');
  assert.equal(second.warnings.length, 2, second.warnings.join('\n'));
  assert.match(second.warnings[0], /^could not request reviews from team platform on pull request #1 \(403: Resource not accessible by integration\)/);
  assert.match(second.warnings[1], /^could not set milestone 9 on pull request #1 \(422: Validation Failed\)/);
  assert.equal(server.pulls('acme/config')[0].milestone, 3);
  noMismatches(server);
});
