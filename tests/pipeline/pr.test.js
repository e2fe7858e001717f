// Pull requests and API commits against the local GitHub API server (validated against
// GitHub's OpenAPI description) backed by the same bare repository git pushes to.

import test from 'node:test';
import assert from 'node:assert/strict';
import { runPipeline } from '../../pkg/src/pipeline.js';
import { startGitHubServer } from '../github-api-server/server.js';
import { existsSync } from 'node:fs';
import { cleanEnv, fakeApply, git, makeRemote, path, read, ROOT, runNode } from './helpers.js';

const CLI = path.join(ROOT, 'pkg', 'bin', 'gitops-bump.js');
const HAVE_WASM = existsSync(path.join(ROOT, 'pkg', 'wasm', 'node'));

const VALUES = 'image:\n  repository: ghcr.io/acme/api\n  tag: 1.2.2\nreplicas: 2\n';
const TOKEN = 'ghs_prTestToken0123456789abcdef';
const FAST = { baseMs: 5, capMs: 20 };

async function setup(t, { prefix = '' } = {}) {
  const remote = makeRemote(t, { 'deploy/values.yaml': VALUES, 'other.yaml': 'a: 1\n' });
  const server = await startGitHubServer({ repos: { 'acme/config': remote.bare }, token: TOKEN, prefix });
  t.after(() => server.close());
  const env = cleanEnv({ GITHUB_TOKEN: TOKEN, GITHUB_API_URL: server.apiUrl, GITHUB_REPOSITORY: 'acme/config' });
  return { remote, server, env };
}

function plan(tag) {
  return { edits: [{ file: 'deploy/values.yaml', set: 'image.tag', value: tag }] };
}

function noMismatches(server) {
  assert.deepEqual(server.mismatches, [], JSON.stringify(server.mismatches, null, 2));
}

test('opens a draft pull request with labels from a branch derived from the plan', async (t) => {
  const { remote, server, env } = await setup(t);
  const clone = remote.clone();
  const head = git(clone, ['rev-parse', 'HEAD']);
  const p = plan('1.2.3');
  const res = await runPipeline({
    cwd: clone,
    plan: p,
    apply: fakeApply(p),
    git: { pr: true, draft: true, labels: ['deploy', 'automated'], env, sourceSha: 'cafe42' },
  });
  assert.equal(res.pushed, true);
  assert.deepEqual({ ...res.pullRequest, url: undefined }, { number: 1, url: undefined, operation: 'created', updated: false, created: true, draft: true });
  assert.match(res.pullRequest.url, /\/html\/acme\/config\/pull\/1$/);
  assert.match(res.branch, /^gitops-bump\/image\.tag-deploy-values-[0-9a-f]{8}$/);
  // main untouched, PR branch = main + one commit with the bump
  assert.equal(remote.head('main'), head);
  assert.equal(git(remote.bare, ['rev-parse', `${res.branch}^`]), head);
  assert.match(remote.show(res.branch, 'deploy/values.yaml'), /tag: 1\.2\.3/);
  const [pr] = server.pulls('acme/config');
  assert.equal(pr.title, 'chore(deploy): set image.tag to 1.2.3 in deploy/values.yaml');
  assert.match(pr.body, /deploy\/values\.yaml:3 image\.tag: 1\.2\.2 -> 1\.2\.3/);
  assert.match(pr.body, /Source commit: cafe42/);
  assert.equal(pr.draft, true);
  assert.equal(pr.base, 'main');
  assert.deepEqual(server.labelsOf('acme/config', 1), ['deploy', 'automated']);
  // the user's checkout is left as it was, no worktree left behind
  assert.equal(git(clone, ['rev-parse', 'HEAD']), head);
  assert.equal(git(clone, ['status', '--porcelain']), '');
  assert.equal(git(clone, ['worktree', 'list']).split('\n').length, 1);
  assert.deepEqual(
    server.requests.map((r) => `${r.operation} ${r.status}`),
    ['pulls/list 200', 'pulls/create 201', 'issues/add-labels 200'],
  );
  noMismatches(server);
});

test('a rerun updates the same pull request (no duplicate); an identical rerun pushes nothing', async (t) => {
  const { remote, server, env } = await setup(t);
  const run = async (tag, extra = {}) => {
    const p = plan(tag);
    return runPipeline({ cwd: remote.clone(), plan: p, apply: fakeApply(p), git: { pr: true, env, title: 'Deploy {tags}', ...extra } });
  };
  const first = await run('1.2.3');
  const second = await run('1.2.4', { labels: ['deploy'] });
  assert.equal(second.branch, first.branch);
  assert.deepEqual([second.pullRequest.number, second.pullRequest.updated], [1, true]);
  assert.equal(server.pulls('acme/config').length, 1);
  assert.equal(server.pulls('acme/config')[0].title, 'Deploy 1.2.4');
  assert.match(remote.show(first.branch, 'deploy/values.yaml'), /tag: 1\.2\.4/);
  assert.equal(git(remote.bare, ['rev-list', '--count', `main..${first.branch}`]), '1');
  const branchHead = remote.head(first.branch);
  const third = await run('1.2.4');
  assert.equal(third.pushed, false);
  assert.equal(third.commit, branchHead);
  assert.equal(remote.head(first.branch), branchHead);
  assert.equal(server.pulls('acme/config').length, 1);
  assert.deepEqual(server.labelsOf('acme/config', 1), ['deploy']);
  noMismatches(server);
});

test('--repo with --pr: clones the base, pushes the PR branch, opens the PR', async (t) => {
  const { remote, server, env } = await setup(t);
  const p = plan('5.0.0');
  const res = await runPipeline({ plan: p, apply: fakeApply(p), git: { repo: remote.url, pr: true, base: 'main', env, body: 'Bump to {tags} in {files}' } });
  assert.equal(res.pullRequest.number, 1);
  assert.equal(server.pulls('acme/config')[0].body, 'Bump to 5.0.0 in deploy/values.yaml');
  assert.match(remote.show(res.branch, 'deploy/values.yaml'), /tag: 5\.0\.0/);
  noMismatches(server);
});

test('nothing to change on the base: no branch, no pull request', async (t) => {
  const { remote, server, env } = await setup(t);
  const p = plan('1.2.2');
  const res = await runPipeline({ cwd: remote.clone(), plan: p, apply: fakeApply(p), git: { pr: true, env } });
  assert.equal(res.pullRequest, null);
  // one look for an open pull request of an earlier run to close; nothing written
  assert.deepEqual(server.requests.map((r) => r.operation), ['pulls/list']);
  assert.equal(git(remote.bare, ['for-each-ref', '--format=%(refname)']), 'refs/heads/main');
});

test('API commit: blobs, tree, commit and a fast-forward ref update through the API', async (t) => {
  const { remote, server, env } = await setup(t);
  const clone = remote.clone();
  const before = remote.head();
  const p = plan('1.3.0');
  const res = await runPipeline({ cwd: clone, plan: p, apply: fakeApply(p), git: { apiCommit: true, env } });
  assert.equal(res.pushed, true);
  assert.equal(res.attempts, 1);
  assert.equal(remote.head(), res.commit);
  assert.equal(git(remote.bare, ['rev-parse', `${res.commit}^`]), before);
  assert.deepEqual(git(remote.bare, ['diff', '--name-only', before, res.commit]).split('\n'), ['deploy/values.yaml']);
  assert.match(remote.show('main', 'deploy/values.yaml'), /tag: 1\.3\.0/);
  assert.equal(git(remote.bare, ['log', '-1', '--format=%an|%s']), 'gitops-bump-test[bot]|chore(deploy): set image.tag to 1.3.0 in deploy/values.yaml');
  assert.equal(git(clone, ['rev-parse', 'HEAD']), res.commit, 'checkout synced to the API commit');
  assert.deepEqual(
    server.requests.map((r) => r.operation),
    ['git/get-ref', 'git/get-commit', 'git/create-blob', 'git/create-tree', 'git/create-commit', 'git/update-ref'],
  );
  noMismatches(server);
});

test('API commit when the ref moved: re-fetches, re-applies on the new head, retries', async (t) => {
  const { remote, server, env } = await setup(t);
  let patches = 0;
  server.hooks['git/update-ref'] = () => {
    patches += 1;
    if (patches === 1) remote.competingCommit({ 'deploy/values.yaml': (s) => s.replace('replicas: 2', 'replicas: 9') });
  };
  const p = plan('1.4.0');
  const seen = [];
  const apply = fakeApply(p, { onApply: (n, wd) => seen.push(read(path.join(wd, 'deploy/values.yaml'))) });
  const res = await runPipeline({ cwd: remote.clone(), plan: p, apply, git: { apiCommit: true, env, backoff: FAST } });
  assert.equal(res.attempts, 2);
  assert.equal(apply.calls, 2);
  assert.match(seen[1], /replicas: 9/);
  assert.equal(remote.show('main', 'deploy/values.yaml'), 'image:\n  repository: ghcr.io/acme/api\n  tag: 1.4.0\nreplicas: 9');
  assert.deepEqual(remote.log(), ['chore(deploy): set image.tag to 1.4.0 in deploy/values.yaml', 'competing change', 'seed']);
  assert.equal(server.requests.filter((r) => r.operation === 'git/update-ref').map((r) => r.status).join(','), '422,200');
  noMismatches(server);
});

test('API commit retries exhausted: exit code 3', async (t) => {
  const { remote, server, env } = await setup(t);
  let n = 0;
  server.hooks['git/update-ref'] = () => remote.competingCommit({ 'other.yaml': `a: ${(n += 1) + 1}\n` });
  const p = plan('1.5.0');
  await assert.rejects(
    runPipeline({ cwd: remote.clone(), plan: p, apply: fakeApply(p), git: { apiCommit: true, retries: 1, env, backoff: FAST } }),
    (e) => e.exitCode === 3 && /^push retries exhausted after 2 attempts/.test(e.message),
  );
  assert.doesNotMatch(remote.show('main', 'deploy/values.yaml'), /1\.5\.0/);
  noMismatches(server);
});

test('pull request with an API commit creates, then force-updates, the PR branch ref', async (t) => {
  const { remote, server, env } = await setup(t);
  const run = (tag) => {
    const p = plan(tag);
    return runPipeline({ cwd: remote.clone(), plan: p, apply: fakeApply(p), git: { pr: true, apiCommit: true, env } });
  };
  const a = await run('2.0.0');
  const b = await run('2.0.1');
  assert.equal(a.branch, b.branch);
  assert.equal(remote.head(b.branch), b.commit);
  assert.match(remote.show(b.branch, 'deploy/values.yaml'), /tag: 2\.0\.1/);
  assert.equal(server.pulls('acme/config').length, 1);
  assert.ok(server.requests.some((r) => r.operation === 'git/create-ref' && r.status === 201));
  assert.ok(server.requests.some((r) => r.operation === 'git/update-ref' && r.status === 200));
  noMismatches(server);
});

test('GITHUB_API_URL of a GitHub Enterprise Server (/api/v3) is honoured', async (t) => {
  const { remote, server, env } = await setup(t, { prefix: '/api/v3' });
  assert.match(env.GITHUB_API_URL, /\/api\/v3$/);
  const p = plan('7.0.0');
  const res = await runPipeline({ cwd: remote.clone(), plan: p, apply: fakeApply(p), git: { pr: true, env } });
  assert.equal(res.pullRequest.number, 1);
  assert.ok(server.requests.length >= 2);
  assert.ok(server.requests.every((r) => r.path.startsWith('/api/v3/repos/acme/config/')));
  noMismatches(server);
});

test('no token: a clear error, exit code 3, nothing pushed', async (t) => {
  const { remote, env } = await setup(t);
  const p = plan('8.0.0');
  await assert.rejects(
    runPipeline({ cwd: remote.clone(), plan: p, apply: fakeApply(p), git: { pr: true, env: { ...env, GITHUB_TOKEN: '' }, tokenEnv: 'GITHUB_TOKEN' } }),
    (e) => e.exitCode === 3 && e.code === 'auth' && /GITHUB_TOKEN/.test(e.message),
  );
});

test('a rejected token: the API error is reported with exit code 3 and the token masked', async (t) => {
  const { remote, env } = await setup(t);
  const p = plan('8.0.0');
  const bad = 'ghs_wrongToken_0000000000000000';
  await assert.rejects(
    runPipeline({ cwd: remote.clone(), plan: p, apply: fakeApply(p), git: { apiCommit: true, env: { ...env, BUMP_TOKEN: bad }, tokenEnv: 'BUMP_TOKEN' } }),
    (e) => {
      assert.equal(e.exitCode, 3);
      assert.match(e.message, /returned 401: Bad credentials/);
      assert.ok(!e.message.includes(bad) && !e.stack.includes(bad));
      return true;
    },
  );
});

test('the CLI opens, then updates, a pull request (set ... --pr --label --draft)', { skip: !HAVE_WASM && 'no wasm build' }, async (t) => {
  const { remote, server, env } = await setup(t);
  const cli = (value, ...flags) =>
    runNode([CLI, 'set', 'deploy/values.yaml', 'image.tag', value, '--pr', '--json', ...flags], { cwd: remote.clone(), env });
  const a = await cli('1.10', '--label', 'deploy', '--draft', '--title', 'Deploy {tags}');
  assert.equal(a.code, 0, a.stderr);
  const ra = JSON.parse(a.stdout);
  assert.equal(ra.pullRequest.number, 1);
  const b = await cli('1.11', '--label', 'deploy');
  assert.equal(b.code, 0, b.stderr);
  assert.equal(JSON.parse(b.stdout).pullRequest.updated, true);
  const [pr] = server.pulls('acme/config');
  assert.equal(server.pulls('acme/config').length, 1);
  assert.equal(pr.draft, true);
  assert.match(pr.title, /1\.11/);
  assert.match(remote.show(pr.head, 'deploy/values.yaml'), /tag: "1\.11"/);
  assert.deepEqual(server.labelsOf('acme/config', 1), ['deploy']);
  noMismatches(server);
});

test('the PR branch moved between lease read and push: the forced push is retried with a fresh lease', async (t) => {
  const { remote, server, env } = await setup(t);
  const { writeFileSync, chmodSync } = await import('node:fs');
  const seed = remote.head();
  const marker = path.join(remote.dir, 'hook-ran');
  writeFileSync(
    path.join(remote.bare, 'hooks', 'pre-receive'),
    `#!/bin/sh\nwhile read old new ref; do\n  if [ ! -e '${marker}' ]; then touch '${marker}'; env -u GIT_QUARANTINE_PATH git update-ref "$ref" ${seed}; fi\ndone\nexit 0\n`,
  );
  chmodSync(path.join(remote.bare, 'hooks', 'pre-receive'), 0o755);
  const p = plan('6.0.0');
  const logs = [];
  const res = await runPipeline({ cwd: remote.clone(), plan: p, apply: fakeApply(p), git: { pr: true, env, backoff: FAST, log: (l) => logs.push(l) } });
  assert.equal(res.attempts, 2, logs.join('\n'));
  assert.equal(remote.head(res.branch), res.commit);
  assert.match(remote.show(res.branch, 'deploy/values.yaml'), /tag: 6\.0\.0/);
  assert.equal(server.pulls('acme/config').length, 1);
  noMismatches(server);
});

test('the CLI commits through the API (set ... --api-commit), retrying a moved ref', { skip: !HAVE_WASM && 'no wasm build' }, async (t) => {
  const { remote, server, env } = await setup(t);
  let patches = 0;
  server.hooks['git/update-ref'] = () => {
    patches += 1;
    if (patches === 1) remote.competingCommit({ 'other.yaml': 'a: 2\n' });
  };
  const r = await runNode([CLI, 'set', 'deploy/values.yaml', 'image.tag', '3.6', '--api-commit', '--json', '--message', 'deploy {tags}'], { cwd: remote.clone(), env });
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.attempts, 2);
  assert.equal(remote.head(), out.commit);
  assert.equal(remote.show('main', 'deploy/values.yaml'), VALUES.replace('tag: 1.2.2', 'tag: "3.6"').trimEnd());
  assert.equal(remote.show('main', 'other.yaml'), 'a: 2');
  assert.deepEqual(remote.log().slice(0, 2), ['deploy 3.6', 'competing change']);
  noMismatches(server);
});
