// The Action with `forge: gitea`, run as the runner runs it (INPUT_*, GITHUB_OUTPUT,
// GITHUB_STEP_SUMMARY), against a real Gitea 1.27.3 on 127.0.0.1: mode pull-request opens
// the pull request, a second run with a new tag updates it, a third changes nothing, a
// fourth, after the base got the values another way, closes it; signed
// with `sign: ssh` and `signing-key`, and `git verify-commit` accepts the pushed commit.

import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { giteaMissing, startGitea } from './gitea.js';
import { checkout } from './cli-forges.js';
import { gitAs, pusher } from './git.js';
import { runAction, tempDir } from '../action/helpers.js';

const missing = giteaMissing();
const skip = missing && process.env.GB_SKIP_GITEA === '1' ? `GB_SKIP_GITEA=1: ${missing}` : false;

test('the Action with forge: gitea opens, updates, leaves, then closes the pull request (the base holds the values); pr-* outputs; a signed commit; push mode with the Gitea token', { skip, timeout: 300000 }, async (t) => {
  assert.equal(missing, null, missing ?? '');
  const g = await startGitea(t);
  const ws = await checkout(t, g.remoteUrl, { user: g.user, token: g.token });
  const keyDir = tempDir(t, 'gb-key-');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'bot@example.com', '-f', path.join(keyDir, 'id')]);
  const key = readFileSync(path.join(keyDir, 'id'), 'utf8');
  const inputs = (tag) => ({
    set: `- {file: values.yaml, path: image.tag, value: "${tag}"}`,
    mode: 'pull-request',
    forge: 'gitea',
    token: g.token,
    'pr-branch': 'gitops-bump/app',
    sign: 'ssh',
    'signing-key': key,
  });
  const first = await runAction(t, { workspace: ws, inputs: inputs('1.1.0') });
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.equal(first.outputs['pr-operation'], 'created');
  const number = first.outputs['pr-number'];
  assert.match(first.outputs['pr-url'], new RegExp(`^${g.url}/${g.repo}/pulls/${number}$`));
  const second = await runAction(t, { workspace: ws, inputs: inputs('1.2.0') });
  assert.equal(second.code, 0, second.stdout + second.stderr);
  assert.deepEqual([second.outputs['pr-operation'], second.outputs['pr-number']], ['updated', number]);
  const third = await runAction(t, { workspace: ws, inputs: inputs('1.2.0') });
  assert.equal(third.code, 0, third.stdout + third.stderr);
  assert.deepEqual([third.outputs['pr-operation'], third.outputs['pr-number']], ['none', number]);
  for (const r of [first, second, third]) {
    // ::add-mask:: lines hand the secrets to the runner, which hides them from the log
    for (const text of [r.stdout.replace(/^::add-mask::.*$/gm, ''), r.stderr, r.outputText, r.summary]) {
      assert.ok(!text.includes(g.token), 'the token is not printed');
      assert.ok(!text.includes('PRIVATE KEY'), 'the key is not printed');
    }
  }
  const { data: pr } = await g.api('GET', `/repos/${g.repo}/pulls/${number}`);
  assert.equal(pr.state, 'open');
  assert.match(pr.title, /1\.2\.0/);
  // the pull request's commit is signed with the key, and verifies
  const allowed = path.join(keyDir, 'allowed');
  writeFileSync(allowed, `bot@example.com ${readFileSync(path.join(keyDir, 'id.pub'), 'utf8')}`);
  await gitAs(ws, ['fetch', '--quiet', 'origin', 'gitops-bump/app'], { user: g.user, token: g.token });
  const sha = await gitAs(ws, ['rev-parse', 'FETCH_HEAD']);
  assert.equal(sha.slice(0, 7), pr.head.sha.slice(0, 7));
  execFileSync('git', ['-c', `gpg.ssh.allowedSignersFile=${allowed}`, 'verify-commit', sha], { cwd: ws, stdio: 'pipe' });
  // the base gets the pull request's values another way: the next run closes it
  const other = await pusher(t, g.remoteUrl, { user: g.user, token: g.token });
  await other.advance('main', { 'values.yaml': `${await gitAs(ws, ['show', 'FETCH_HEAD:values.yaml'])}\n` }, 'release 1.2.0 by hand');
  const fourth = await runAction(t, { workspace: ws, inputs: inputs('1.2.0') });
  assert.equal(fourth.code, 0, fourth.stdout + fourth.stderr);
  assert.deepEqual([fourth.outputs['pr-operation'], fourth.outputs['pr-number']], ['closed', number]);
  assert.equal((await g.api('GET', `/repos/${g.repo}/pulls/${number}`)).data.state, 'closed');
  // push mode on Gitea: the token goes to git as Gitea's; the checkout is behind main, so
  // the first push is rejected and the plan applied again on the fetched head
  const pushed = await runAction(t, { workspace: ws, inputs: { set: '- {file: values.yaml, path: image.tag, value: "1.3.0"}', mode: 'push', forge: 'gitea', token: g.token } });
  assert.equal(pushed.code, 0, pushed.stdout + pushed.stderr);
  const main = await other.read('main', 'values.yaml');
  assert.equal(pushed.outputs['commit-sha'], main.sha);
  assert.match(main.text, /tag: "?1\.3\.0"?/);
  assert.equal(main.subjects[1], 'release 1.2.0 by hand', 'on top of the commit it did not have');
  // an unknown forge is an input error (exit 2) naming the input
  const bad = await runAction(t, { workspace: ws, inputs: { ...inputs('1.3.0'), forge: 'gogs' } });
  assert.equal(bad.code, 2);
  assert.match(bad.stdout + bad.stderr, /Input 'forge' must be one of github, gitea, gitlab, bitbucket/);
});
