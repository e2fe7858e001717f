// Issue 27: each forge's token is only ever sent to that forge's API host and its git
// remote. Every forge's usual variable holds a token (the forge under test: its real one;
// the other three: decoys), and a relay in front of the forge records every request the
// pipeline sends, as it arrives. A second host (127.0.0.2) stands where a hostile answer
// points: an API answering with a redirect there must send it nothing at all; a git remote
// redirecting there must send it no credential (git follows a first redirect, without the
// Authorization header, and then fails).

import test from 'node:test';
import assert from 'node:assert/strict';
import { gitUsername, tokenFor } from '../../pkg/src/forges/index.js';
import { runPipeline } from '../../pkg/src/pipeline.js';
import { applyPlan } from '../../pkg/src/plan.js';
import { cleanEnv } from '../pipeline/helpers.js';
import { FORGES } from './forges.js';
import { checkoutOf } from './git.js';
import { carried, startRecorder, startRelay } from './relay.js';

const SEED = { 'values.yaml': 'image:\n  tag: 1.0.0\n' };
const DECOYS = {
  GITHUB_TOKEN: 'ghs_decoyGitHubToken000000000000',
  GITEA_TOKEN: 'decoyGiteaToken0000000000000000',
  GITLAB_TOKEN: 'glpat-decoyGitLabToken000000',
  BITBUCKET_TOKEN: 'bbat-decoyBitbucketToken0000',
};

for (const forge of FORGES) {
  test(`${forge.name}: its token goes to its API and its git remote only; a redirect to another host gets no token`, { skip: forge.skip, timeout: 240000 }, async (t) => {
    const f = await forge.start(t, SEED);
    const origin = new URL(f.remoteUrl).origin;
    const relay = await startRelay(t, origin);
    const second = await startRecorder(t);
    const remoteUrl = f.remoteUrl.replace(origin, relay.url);
    const apiUrl = f.apiUrl.replace(origin, relay.url);
    const env = cleanEnv({ ...DECOYS, ...f.env });
    const decoys = Object.entries(DECOYS)
      .filter(([k]) => !(k in f.env))
      .map(([, v]) => v);
    assert.equal(decoys.length, 3);
    const cwd = await checkoutOf(t, remoteUrl, f.creds);
    const from = relay.seen.length; // the test's own clone is not the pipeline's
    const run = (tag, extra) => {
      const plan = { edits: [{ file: 'values.yaml', set: 'image.tag', value: tag }] };
      return runPipeline({ cwd, plan, apply: (w) => applyPlan(plan, { cwd: w, allowOutside: true }), git: { forge: forge.name, apiUrl, env, backoff: { baseMs: 5, capMs: 20 }, ...extra } });
    };

    // honest: a pull request, then a push
    assert.equal((await run('1.1.0', { pr: true, prBranch: 'gitops-bump/app' })).pr.operation, 'created');
    assert.equal((await run('1.2.0', { push: true })).pushed, true);
    const sent = relay.seen.slice(from);
    const api = sent.filter((r) => !r.git);
    const git = sent.filter((r) => r.git);
    assert.ok(api.length >= 2 && git.length >= 4, `API ${api.length}, git ${git.length} requests`);
    for (const r of sent) {
      const text = carried(r);
      for (const d of decoys) assert.ok(!text.includes(d), `another forge's token reached ${forge.name}: ${r.method} ${r.url}`);
      assert.ok(text.includes(f.token), `${r.method} ${r.url} carried ${forge.name}'s token`);
    }
    const user = gitUsername(forge.name, tokenFor(forge.name, f.env));
    for (const r of git) assert.ok(carried(r).includes(`\n${user}:${f.token}`), `git sent ${forge.name}'s user name ${user} with its token: ${r.method} ${r.url}`);
    assert.deepEqual(second.seen, []);

    // the API answers with a redirect to the second host: refused, nothing sent there
    relay.redirect = { api: second.url };
    await assert.rejects(run('1.3.0', { pr: true, prBranch: 'gitops-bump/app' }), (e) => e.exitCode === 3 && !e.message.includes(f.token));
    assert.deepEqual(second.seen.map((r) => `${r.method} ${r.url}`), [], 'an API redirect to another host is not followed');

    // the git remote redirects to the second host: no credential goes there
    relay.redirect = { git: second.url };
    await assert.rejects(run('1.3.0', { push: true }), (e) => e.exitCode === 3 && !e.message.includes(f.token));
    assert.ok(second.seen.length >= 1, 'git followed the redirect (this is what is checked)');
    for (const r of second.seen) {
      const text = carried(r);
      for (const secret of [f.token, ...decoys]) assert.ok(!text.includes(secret), `a token went to the second host: ${r.method} ${r.url}`);
      assert.equal(r.headers.authorization, undefined, `no Authorization header to the second host: ${r.method} ${r.url}`);
    }
    if (forge.name === 'github') return;

    // only GITHUB_TOKEN is set: a push to this forge goes without a token (and fails here,
    // where the remote needs one), the error names this forge's variable
    relay.redirect = {};
    const before = relay.seen.length;
    const variable = Object.keys(f.env)[0];
    const pushAlone = (e) => e.exitCode === 3 && e.message.includes(`check the token in $${variable} (it is not set)`) && !e.message.includes(DECOYS.GITHUB_TOKEN);
    await assert.rejects(run('1.3.0', { push: true, env: cleanEnv({ GITHUB_TOKEN: DECOYS.GITHUB_TOKEN }) }), pushAlone);
    const lone = relay.seen.slice(before);
    assert.ok(lone.length >= 1);
    for (const r of lone) assert.ok(!carried(r).includes(DECOYS.GITHUB_TOKEN), `GITHUB_TOKEN reached ${forge.name}: ${r.method} ${r.url}`);
  });
}
