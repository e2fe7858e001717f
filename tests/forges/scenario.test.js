// Issue 27's acceptance: the same pull request scenario on all four forges (forges.js:
// GitHub's local server, a real Gitea, GitLab's and Bitbucket's servers checked against
// their published API descriptions), through the pipeline as the CLI and the Action run
// it (runPipeline with the real applyPlan), in a checkout cloned over HTTP:
//   1. open            a new tag: the branch is pushed and the pull request opened
//   2. update          a newer tag: the branch moves, the same pull request is retitled
//   3. nothing to change  the same tag again: nothing pushed, the pull request untouched
//   4. stale close     the base already holds the values (merged by hand): the open pull
//                      request is closed (`pr-operation: closed`); a rerun finds none
//   5. a concurrent push  in push mode another writer pushes to the base between our plan
//                      and our push: the push is rejected, the retry fetches, applies the
//                      plan again on the new head and lands on top of the other commit
//   6. a concurrent run   another run pushes the pull request branch (and opens the pull
//                      request) while our push of it is in flight: our lease fails, the
//                      retry pushes over the other run's commit and updates its pull request

import test from 'node:test';
import assert from 'node:assert/strict';
import { runPipeline } from '../../pkg/src/pipeline.js';
import { applyPlan } from '../../pkg/src/plan.js';
import { cleanEnv } from '../pipeline/helpers.js';
import { FORGES } from './forges.js';
import { checkoutOf, gitAs, pusher } from './git.js';
import { startRelay } from './relay.js';

const values = (tag) => `# the app's deployment\nimage:\n  repository: registry.example.com/acme/app\n  tag: ${tag} # set by CI\nreplicas: 2\n`;
const SEED = { 'values.yaml': values('1.0.0'), 'other.yaml': 'image: other:1.0.0\n' };
const BRANCH = 'gitops-bump/app';
const FAST = { baseMs: 5, capMs: 20 };

for (const forge of FORGES) {
  test(`${forge.name}: open, update with a new tag, nothing to change, stale close, a concurrent push, a concurrent run`, { skip: forge.skip, timeout: 240000 }, async (t) => {
    const started = Date.now();
    const f = await forge.start(t, SEED);
    // everything goes through a relay, where step 6 holds one push back
    const origin = new URL(f.remoteUrl).origin;
    const relay = await startRelay(t, origin);
    const remoteUrl = f.remoteUrl.replace(origin, relay.url);
    const apiUrl = f.apiUrl.replace(origin, relay.url);
    const other = await pusher(t, remoteUrl, f.creds); // another writer of the same repository
    const cwd = await checkoutOf(t, remoteUrl, f.creds);
    const logs = [];
    let beforeApply = async () => {};
    const runIn = (dir, tag, extra, log = (l) => logs.push(l)) => {
      const plan = { edits: [{ file: 'values.yaml', set: 'image.tag', value: tag }] };
      const apply = async (workdir) => {
        await beforeApply();
        return applyPlan(plan, { cwd: workdir, allowOutside: true });
      };
      return runPipeline({ cwd: dir, plan, apply, git: { forge: forge.name, apiUrl, env: cleanEnv(f.env), backoff: FAST, log, ...extra } });
    };
    const run = (tag, extra) => runIn(cwd, tag, extra);
    const pr = (tag) => run(tag, { pr: true, prBranch: BRANCH, labels: ['gitops'] });

    // 1. open
    const r1 = await pr('1.1.0');
    assert.equal(r1.pr.operation, 'created');
    assert.ok(Number.isInteger(r1.pr.number) && r1.pr.number > 0, `a number: ${r1.pr.number}`);
    assert.match(r1.pr.url, /^http:\/\/127\.0\.0\.1:\d+\//);
    let pulls = await f.pulls();
    assert.deepEqual(pulls.map((p) => [p.number, p.head, p.state]), [[r1.pr.number, BRANCH, 'open']]);
    assert.match(pulls[0].title, /1\.1\.0/);
    const b1 = await other.read(BRANCH, 'values.yaml');
    assert.equal(b1.text, values('1.1.0').trimEnd(), 'only the tag changed, byte for byte');
    assert.equal(r1.warnings.some((w) => /have no labels: gitops/.test(w)), !forge.labels, r1.warnings.join('\n'));

    // 2. update with a new tag
    const r2 = await pr('1.2.0');
    assert.deepEqual([r2.pr.operation, r2.pr.number, r2.pr.url], ['updated', r1.pr.number, r1.pr.url]);
    pulls = await f.pulls();
    assert.deepEqual(pulls.map((p) => [p.number, p.state]), [[r1.pr.number, 'open']], 'the same pull request, no second one');
    assert.match(pulls[0].title, /1\.2\.0/);
    const b2 = await other.read(BRANCH, 'values.yaml');
    assert.equal(b2.text, values('1.2.0').trimEnd());
    assert.notEqual(b2.sha, b1.sha);

    // 3. nothing to change
    const r3 = await pr('1.2.0');
    assert.deepEqual([r3.pr.operation, r3.pr.number, r3.pushed], ['none', r1.pr.number, false]);
    assert.equal((await other.read(BRANCH)).sha, b2.sha, 'the branch did not move');

    // 4. stale close: the base already holds the values (someone merged them by hand)
    await other.advance('main', { 'values.yaml': values('1.2.0') }, 'release 1.2.0 by hand');
    const r4 = await pr('1.2.0');
    assert.deepEqual(r4.pr, { number: r1.pr.number, url: r1.pr.url, operation: 'closed' });
    assert.equal(r4.pushed ?? false, false);
    pulls = await f.pulls();
    assert.deepEqual(pulls.map((p) => [p.number, p.state]), [[r1.pr.number, 'closed']], 'closed on the server');
    assert.ok(logs.some((l) => l.includes(`closed ${forge.noun} #${r1.pr.number}, which it already holds`)), logs.join('\n'));
    const r5 = await pr('1.2.0');
    assert.deepEqual(r5.pr, { number: null, url: null, operation: 'none' }, 'a rerun finds nothing open to close');

    // 5. a concurrent push: the checkout is up to date, so only the other writer's push,
    // between our plan and our push, can make our first push fail
    await gitAs(cwd, ['pull', '--quiet', '--ff-only', 'origin', 'main'], f.creds);
    const head = await gitAs(cwd, ['rev-parse', 'HEAD']);
    assert.equal(head, (await other.read('main')).sha);
    let applies = 0;
    let theirs = null;
    beforeApply = async () => {
      applies += 1;
      if (applies === 1) theirs = await other.advance('main', { 'other.yaml': 'image: other:2.0.0\n' }, 'the other pipeline bumps other');
    };
    const r6 = await run('1.3.0', { push: true });
    assert.deepEqual([r6.pushed, r6.attempts, applies], [true, 2, 2], 'rejected once, applied again on the new head, pushed');
    assert.ok(logs.some((l) => /rejected/.test(l)), logs.join('\n'));
    const main = await other.read('main', 'values.yaml');
    assert.equal(main.text, values('1.3.0').trimEnd());
    assert.equal(main.sha, r6.commit);
    assert.equal(await gitAs(other.dir, ['rev-parse', 'FETCH_HEAD^']), theirs, "ours lands directly on the other writer's commit");
    assert.equal(await gitAs(other.dir, ['show', 'FETCH_HEAD:other.yaml']), 'image: other:2.0.0', 'their change is kept');
    assert.equal(main.merges, '', 'history stays linear');

    // 6. a concurrent run of the pull request: our push of the branch is held back while
    // another run (another checkout, another tag) pushes the branch and opens the pull
    // request; our push then fails its lease, the retry reads the new head (a gitops-bump
    // commit: not a person's), pushes over it and updates the pull request the other opened
    beforeApply = async () => {};
    const second = await checkoutOf(t, remoteUrl, f.creds);
    let theirRun = null;
    relay.before = async (r) => {
      if (theirRun || r.method !== 'POST' || !r.url.endsWith('/git-receive-pack') || !r.body.includes(`refs/heads/${BRANCH}`)) return;
      theirRun = runIn(second, '1.5.0', { pr: true, prBranch: BRANCH, labels: ['gitops'] }, () => {});
      await theirRun;
    };
    const r7 = await pr('1.4.0');
    const r8 = await theirRun;
    relay.before = async () => {};
    assert.equal(r8.pr.operation, 'created', 'the other run opened the pull request');
    assert.deepEqual([r7.pushed, r7.attempts], [true, 2], 'our lease failed once, the retry pushed');
    assert.deepEqual([r7.pr.operation, r7.pr.number], ['updated', r8.pr.number], 'the one the other run opened');
    assert.ok(logs.some((l) => l.includes(`push to ${BRANCH} rejected`)), logs.join('\n'));
    pulls = (await f.pulls()).filter((p) => p.state === 'open');
    assert.deepEqual(pulls.map((p) => [p.number, p.head]), [[r8.pr.number, BRANCH]], 'one open pull request');
    assert.match(pulls[0].title, /1\.4\.0/);
    const b6 = await other.read(BRANCH, 'values.yaml');
    assert.equal(b6.sha, r7.commit);
    assert.equal(b6.text, values('1.4.0').trimEnd());

    if (f.mismatches) assert.deepEqual(f.mismatches, [], JSON.stringify(f.mismatches, null, 2));
    for (const l of logs) assert.ok(!l.includes(f.token), `the token is not logged: ${l}`);
    t.diagnostic(`${forge.name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
}
