// runPipeline: commit and push with real git against a real local bare remote.

import test from 'node:test';
import assert from 'node:assert/strict';
import { runPipeline } from '../../pkg/src/pipeline.js';
import { cleanEnv, existsSync, fakeApply, git, makeRemote, path, read } from './helpers.js';

const VALUES = 'image:\n  repository: ghcr.io/acme/api\n  tag: 1.2.2\nreplicas: 2\n';
const FAST = { baseMs: 5, capMs: 20 };

function setTag(tag, file = 'values.yaml') {
  return { edits: [{ file, set: 'image.tag', value: tag }] };
}

test('commits only the edited file and pushes it', async (t) => {
  const remote = makeRemote(t, { 'values.yaml': VALUES, 'other.yaml': 'a: 1\n' });
  const clone = remote.clone();
  await import('node:fs').then((fs) => fs.writeFileSync(path.join(clone, 'other.yaml'), 'a: 2\n'));
  git(clone, ['add', 'other.yaml']); // staged but unrelated: must not be committed
  const plan = setTag('1.2.3');
  const res = await runPipeline({
    cwd: clone,
    plan,
    apply: fakeApply(plan),
    git: { commit: true, env: cleanEnv(), sourceSha: 'abc123' },
  });
  assert.match(res.commit, /^[0-9a-f]{40}$/);
  assert.equal(res.pushed, false);
  assert.deepEqual(git(clone, ['show', '--name-only', '--format=', 'HEAD']).split('\n'), ['values.yaml']);
  assert.equal(git(clone, ['diff', '--cached', '--name-only']), 'other.yaml');
  const msg = git(clone, ['log', '-1', '--format=%B']);
  assert.match(msg, /^chore\(deploy\): set image\.tag to 1\.2\.3 in values\.yaml\n/);
  assert.match(msg, /Source commit: abc123/);
  assert.equal(git(clone, ['log', '-1', '--format=%an <%ae>']), 'gitops-bump <gitops-bump@users.noreply.github.com>');
});

test('pushes to the current branch with a message template and author', async (t) => {
  const remote = makeRemote(t, { 'values.yaml': VALUES });
  const clone = remote.clone();
  const plan = setTag('1.2.3');
  const res = await runPipeline({
    cwd: clone,
    plan,
    apply: fakeApply(plan),
    git: {
      push: true,
      env: cleanEnv({ GITHUB_SHA: 'deadbeef' }),
      message: 'deploy {tags} ({paths} in {files}) from {sha}',
      author: 'Bot <bot@example.com>',
    },
  });
  assert.equal(res.pushed, true);
  assert.equal(res.attempts, 1);
  assert.equal(remote.head(), res.commit);
  assert.equal(remote.show('main', 'values.yaml'), VALUES.replace('1.2.2', '1.2.3').trimEnd());
  assert.equal(git(remote.bare, ['log', '-1', '--format=%s|%an <%ae>']), 'deploy 1.2.3 (image.tag in values.yaml) from deadbeef|Bot <bot@example.com>');
});

test('nothing changed: no commit, no push', async (t) => {
  const remote = makeRemote(t, { 'values.yaml': VALUES });
  const clone = remote.clone();
  const before = remote.head();
  const plan = setTag('1.2.2');
  const res = await runPipeline({ cwd: clone, plan, apply: fakeApply(plan), git: { push: true, env: cleanEnv() } });
  assert.equal(res.commit, null);
  assert.equal(res.pushed, false);
  assert.equal(remote.head(), before);
  assert.equal(git(clone, ['rev-parse', 'HEAD']), before);
});

test('remote moved: fetches, re-applies the plan on the fresh files, pushes again', async (t) => {
  const remote = makeRemote(t, { 'values.yaml': VALUES });
  const clone = remote.clone();
  const plan = setTag('1.2.3');
  const seen = [];
  const apply = fakeApply(plan, {
    onApply: (n, workdir) => {
      seen.push(read(path.join(workdir, 'values.yaml')));
      // another pipeline lands a change to the same file (another key) right after our first apply
      if (n === 1) remote.competingCommit({ 'values.yaml': (s) => s.replace('replicas: 2', 'replicas: 5') });
    },
  });
  const res = await runPipeline({ cwd: clone, plan, apply, git: { push: true, env: cleanEnv(), backoff: FAST } });
  assert.equal(res.pushed, true);
  assert.equal(res.attempts, 2);
  assert.equal(apply.calls, 2);
  assert.match(seen[1], /replicas: 5/, 'second apply ran on the fresh remote files');
  assert.equal(remote.show('main', 'values.yaml'), 'image:\n  repository: ghcr.io/acme/api\n  tag: 1.2.3\nreplicas: 5');
  assert.deepEqual(remote.log(), ['chore(deploy): set image.tag to 1.2.3 in values.yaml', 'competing change', 'seed']);
  assert.equal(git(remote.bare, ['rev-list', '--merges', 'main']), '');
});

test('remote moved to the same value: finishes without a commit', async (t) => {
  const remote = makeRemote(t, { 'values.yaml': VALUES });
  const clone = remote.clone();
  const plan = setTag('1.2.3');
  const apply = fakeApply(plan, {
    onApply: (n) => {
      if (n === 1) remote.competingCommit({ 'values.yaml': (s) => s.replace('tag: 1.2.2', 'tag: 1.2.3') }, 'same bump');
    },
  });
  const res = await runPipeline({ cwd: clone, plan, apply, git: { push: true, env: cleanEnv(), backoff: FAST } });
  assert.equal(res.commit, null);
  assert.equal(res.pushed, false);
  assert.deepEqual(remote.log(), ['same bump', 'seed']);
  assert.equal(git(clone, ['rev-parse', 'HEAD']), remote.head());
});

test('retries exhausted: clear error with exit code 3', async (t) => {
  const remote = makeRemote(t, { 'values.yaml': VALUES, 'counter.yaml': 'n: 0\n' });
  const clone = remote.clone();
  const plan = setTag('1.2.3');
  const apply = fakeApply(plan, {
    onApply: (n) => remote.competingCommit({ 'counter.yaml': `n: ${n}\n` }, `competing ${n}`),
  });
  const delays = [];
  await assert.rejects(
    runPipeline({
      cwd: clone,
      plan,
      apply,
      git: { push: true, retries: 2, env: cleanEnv(), backoff: FAST, log: (l) => delays.push(l) },
    }),
    (e) => {
      assert.equal(e.exitCode, 3);
      assert.equal(e.code, 'push-retries-exhausted');
      assert.match(e.message, /^push retries exhausted after 3 attempts/);
      return true;
    },
  );
  assert.equal(apply.calls, 3);
  assert.equal(delays.filter((l) => l.startsWith('retrying in')).length, 2);
  assert.ok(!remote.log().some((s) => s.startsWith('chore(deploy)')));
});

test('the wait before a retry grows with the commits git counts between the last two attempts', async (t) => {
  const remote = makeRemote(t, { 'values.yaml': VALUES, 'counter.yaml': 'n: 0\n' });
  const clone = remote.clone();
  const plan = setTag('1.2.3');
  const apply = fakeApply(plan, {
    // three other pipelines land while each attempt runs
    onApply: (n) => [1, 2, 3].forEach((k) => remote.competingCommit({ 'counter.yaml': `n: ${n}.${k}\n` }, `competing ${n}.${k}`)),
  });
  const logs = [];
  await assert.rejects(
    // factor 0: the attempt length drops out, the unit is 5 ms; no jitter (random 1)
    runPipeline({ cwd: clone, plan, apply, git: { push: true, retries: 2, env: cleanEnv(), backoff: { baseMs: 5, capMs: 1000, factor: 0 }, random: () => 1, log: (l) => logs.push(l) } }),
    (e) => e.code === 'push-retries-exhausted',
  );
  const waits = logs.filter((l) => l.startsWith('retrying in'));
  assert.equal(waits.length, 2);
  // before the first fetch nothing is counted; then git counts the three between the two bases
  assert.match(waits[0], /^retrying in 5 ms \(longest attempt \d+ ms, 1 commit landed between the last two attempts\)$/);
  assert.match(waits[1], /^retrying in 15 ms \(longest attempt \d+ ms, 3 commits landed between the last two attempts\)$/);
});

test('a push rejected for another reason fails at once', async (t) => {
  const remote = makeRemote(t, { 'values.yaml': VALUES });
  const { writeFileSync, chmodSync } = await import('node:fs');
  const hook = path.join(remote.bare, 'hooks', 'pre-receive');
  writeFileSync(hook, '#!/bin/sh\necho "protected branch" >&2\nexit 1\n');
  chmodSync(hook, 0o755);
  const clone = remote.clone();
  const plan = setTag('1.2.3');
  const apply = fakeApply(plan);
  await assert.rejects(
    runPipeline({ cwd: clone, plan, apply, git: { push: true, env: cleanEnv(), backoff: FAST } }),
    (e) => e.exitCode === 3 && e.code === 'push-failed' && /pre-receive hook declined/.test(e.message) && /protected branch/.test(e.message),
  );
  assert.equal(apply.calls, 1);
});

test('refuses to push from a checkout with uncommitted changes', async (t) => {
  const remote = makeRemote(t, { 'values.yaml': VALUES, 'other.yaml': 'a: 1\n' });
  const clone = remote.clone();
  const { writeFileSync } = await import('node:fs');
  writeFileSync(path.join(clone, 'other.yaml'), 'a: 2\n');
  const plan = setTag('1.2.3');
  const apply = fakeApply(plan);
  await assert.rejects(
    runPipeline({ cwd: clone, plan, apply, git: { push: true, env: cleanEnv() } }),
    (e) => e.exitCode === 3 && e.code === 'dirty-worktree' && /other\.yaml/.test(e.message),
  );
  assert.equal(apply.calls, 0);
});

test('--repo: shallow clone into a temp dir, push, remove the temp dir', async (t) => {
  const remote = makeRemote(t, { 'charts/api/values.yaml': VALUES });
  remote.competingCommit({ 'charts/api/values.yaml': (s) => `${s}# second\n` }, 'second');
  const plan = setTag('2.0.0', 'charts/api/values.yaml');
  const dirs = [];
  const apply = fakeApply(plan, {
    onApply: (n, workdir) => {
      dirs.push(workdir);
      assert.equal(git(workdir, ['rev-parse', '--is-shallow-repository']), 'true');
      assert.equal(git(workdir, ['rev-list', '--count', 'HEAD']), '1');
    },
  });
  const res = await runPipeline({ cwd: '/', plan, apply, git: { repo: remote.url, push: true, env: cleanEnv() } });
  assert.equal(res.pushed, true);
  assert.equal(res.branch, 'main');
  assert.match(remote.show('main', 'charts/api/values.yaml'), /tag: 2\.0\.0\nreplicas: 2\n# second/);
  assert.equal(existsSync(dirs[0]), false, 'temp clone removed');
});

test('--repo with a remote that moves: retries in the shallow clone', async (t) => {
  const remote = makeRemote(t, { 'values.yaml': VALUES });
  const plan = setTag('3.0.0');
  const apply = fakeApply(plan, {
    onApply: (n) => {
      if (n <= 2) remote.competingCommit({ 'values.yaml': (s) => s.replace(/replicas: \d+/, `replicas: ${n + 5}`) });
    },
  });
  const res = await runPipeline({ plan, apply, git: { repo: remote.url, branch: 'main', env: cleanEnv(), backoff: FAST } });
  assert.equal(res.attempts, 3);
  assert.equal(remote.show('main', 'values.yaml'), 'image:\n  repository: ghcr.io/acme/api\n  tag: 3.0.0\nreplicas: 7');
  assert.equal(git(remote.bare, ['rev-list', '--merges', 'main']), '');
});

test('no git flags: only applies', async (t) => {
  const remote = makeRemote(t, { 'values.yaml': VALUES });
  const clone = remote.clone();
  const plan = setTag('9.9.9');
  const res = await runPipeline({ cwd: clone, plan, apply: fakeApply(plan), git: {} });
  assert.equal(res.commit, null);
  assert.match(read(path.join(clone, 'values.yaml')), /tag: 9\.9\.9/);
  assert.equal(git(clone, ['status', '--porcelain']), 'M values.yaml');
});

test('a ref race lost inside the remote ("failed to update ref") is retried like a moved remote', async (t) => {
  const remote = makeRemote(t, { 'values.yaml': VALUES, 'other.yaml': 'a: 1\n' });
  // the first time a push arrives, another writer's commit lands while the push is being received
  const sneaky = remote.landsDuringNextPush({ 'other.yaml': 'a: 2\n' }, 'sneaky', 'main');
  const clone = remote.clone();
  const plan = setTag('4.0.0');
  const logs = [];
  const res = await runPipeline({ cwd: clone, plan, apply: fakeApply(plan), git: { push: true, env: cleanEnv(), backoff: FAST, log: (l) => logs.push(l) } });
  assert.equal(res.attempts, 2);
  assert.ok(logs.some((l) => /push rejected \((failed to update ref|.*lock.*)\)/.test(l)), logs.join('\n'));
  assert.deepEqual(remote.log(), ['chore(deploy): set image.tag to 4.0.0 in values.yaml', 'sneaky', 'seed']);
});

test('a retry never resets away local commits that are not on the remote', async (t) => {
  const remote = makeRemote(t, { 'values.yaml': VALUES, 'notes.md': 'x\n' });
  const clone = remote.clone();
  const { writeFileSync } = await import('node:fs');
  writeFileSync(path.join(clone, 'notes.md'), 'local work\n');
  git(clone, ['commit', '-qam', 'local work']);
  const local = git(clone, ['rev-parse', 'HEAD']);
  const plan = setTag('5.0.0');
  const apply = fakeApply(plan, {
    onApply: (n) => {
      if (n === 1) remote.competingCommit({ 'values.yaml': (s) => s.replace('replicas: 2', 'replicas: 3') });
    },
  });
  await assert.rejects(
    runPipeline({ cwd: clone, plan, apply, git: { push: true, env: cleanEnv(), backoff: FAST } }),
    (e) => e.exitCode === 3 && e.code === 'diverged' && /local commits/.test(e.message),
  );
  assert.equal(git(clone, ['rev-parse', 'HEAD']), local, 'the local commit kept; ours taken back, as a failed push leaves the checkout');
});

test('a shallow CI checkout (depth 1) retries after the remote moved', async (t) => {
  const remote = makeRemote(t, { 'values.yaml': VALUES });
  remote.competingCommit({ 'values.yaml': (s) => `${s}# two\n` }, 'two');
  const clone = remote.clone('shallow', ['--depth', '1', '--no-local']);
  assert.equal(git(clone, ['rev-parse', '--is-shallow-repository']), 'true');
  const plan = setTag('6.0.0');
  const apply = fakeApply(plan, {
    onApply: (n) => {
      if (n === 1) remote.competingCommit({ 'values.yaml': (s) => s.replace('replicas: 2', 'replicas: 4') });
    },
  });
  const res = await runPipeline({ cwd: clone, plan, apply, git: { push: true, env: cleanEnv(), backoff: FAST } });
  assert.equal(res.attempts, 2);
  assert.match(remote.show('main', 'values.yaml'), /tag: 6\.0\.0\nreplicas: 4\n# two/);
});

// An environment branch (Argo CD watches `deploy`) behind main by an unreleased commit and
// ahead of it by a commit of its own; the job's checkout is main, or detached as
// pull_request events leave it.
function deployBranch(t) {
  const remote = makeRemote(t, { 'values.yaml': VALUES, 'app.txt': 'released\n' });
  remote.competingCommit({ 'values.yaml': (s) => s.replace('replicas: 2', 'replicas: 9') }, 'deploy: its own replicas');
  git(remote.bare, ['branch', 'deploy', 'main']);
  git(remote.bare, ['update-ref', 'refs/heads/main', 'main^']); // main does not have deploy's commit
  remote.competingCommit({ 'app.txt': 'unreleased\n' }, 'main: not released yet');
  return remote;
}

for (const [name, detach] of [['a checkout of main', false], ['a detached checkout', true]]) {
  test(`--branch deploy from ${name}: the edit lands on deploy's own head; main's commits stay off it; the checkout is untouched`, async (t) => {
    const remote = deployBranch(t);
    const deployBefore = remote.head('deploy');
    const clone = remote.clone();
    if (detach) git(clone, ['checkout', '--quiet', '--detach', 'HEAD']);
    const headBefore = git(clone, ['rev-parse', 'HEAD']);
    const plan = setTag('1.2.3');
    const lines = [];
    const res = await runPipeline({ cwd: clone, plan, apply: fakeApply(plan), git: { push: true, branch: 'deploy', env: cleanEnv(), backoff: FAST, log: (l) => lines.push(l) } });
    assert.equal(res.pushed, true);
    assert.equal(remote.head('deploy'), res.commit);
    assert.equal(git(remote.bare, ['rev-parse', 'deploy^']), deployBefore, 'one commit on top of deploy');
    assert.equal(remote.show('deploy', 'values.yaml'), VALUES.replace('1.2.2', '1.2.3').replace('replicas: 2', 'replicas: 9').trimEnd(), "deploy's own change kept");
    assert.equal(remote.show('deploy', 'app.txt'), 'released', "main's unreleased commit is not on deploy");
    assert.equal(git(clone, ['rev-parse', 'HEAD']), headBefore, 'the checkout did not move');
    assert.equal(git(clone, ['status', '--porcelain']), '', 'the checkout is clean');
    assert.equal(git(clone, ['worktree', 'list']).split('\n').length, 1, 'the temporary worktree is gone');
    assert.equal(res.workdir, null);
    assert.ok(lines.some((l) => /working on deploy at [0-9a-f]{12} in a temporary worktree/.test(l)), lines.join('\n'));
  });
}

test('--branch to a branch the remote does not have: a clear error, nothing pushed', async (t) => {
  const remote = makeRemote(t, { 'values.yaml': VALUES });
  const clone = remote.clone();
  const plan = setTag('1.2.3');
  await assert.rejects(runPipeline({ cwd: clone, plan, apply: fakeApply(plan), git: { push: true, branch: 'nope', env: cleanEnv() } }), /branch nope does not exist on origin/);
  assert.equal(git(remote.bare, ['branch', '--list']).trim(), '* main');
});

test('--repo with a working directory: the plan runs there, its files are named from there; the commit names them from the root', async (t) => {
  const remote = makeRemote(t, { 'charts/api/values.yaml': VALUES, 'values.yaml': VALUES });
  const plan = setTag('1.2.3', 'api/values.yaml');
  let seen;
  const res = await runPipeline({
    cwd: remote.clone(),
    plan,
    apply: fakeApply(plan, { onApply: (_, workdir) => { seen = workdir; } }),
    git: { repo: remote.url, workingDirectory: 'charts/', env: cleanEnv(), message: 'bump {files}' },
  });
  assert.equal(path.basename(seen), 'charts', 'apply ran in the working directory inside the clone');
  assert.deepEqual(res.changed.map((c) => [c.file, c.repoFile]), [['api/values.yaml', 'charts/api/values.yaml']]);
  assert.equal(res.pushed, true);
  assert.equal(git(remote.bare, ['log', '-1', '--format=%s']), 'bump charts/api/values.yaml');
  assert.match(remote.show('main', 'charts/api/values.yaml'), /tag: 1\.2\.3/);
  assert.equal(remote.show('main', 'values.yaml'), VALUES.trimEnd(), 'the root values.yaml is untouched');
  for (const bad of ['../out', '/abs']) {
    await assert.rejects(runPipeline({ cwd: remote.clone(), plan, apply: fakeApply(plan), git: { repo: remote.url, workingDirectory: bad, env: cleanEnv() } }), /workingDirectory is a directory inside the clone of repo/);
  }
  await assert.rejects(runPipeline({ cwd: remote.clone(), plan, apply: fakeApply(plan), git: { push: true, workingDirectory: 'charts', env: cleanEnv() } }), /without repo/);
});
