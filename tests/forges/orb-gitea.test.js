// The packed orb's `bump` job, run by the CircleCI stand-in (tests/orb/executor.js), with
// mode pull_request and forge gitea against a real Gitea 1.27.3 on 127.0.0.1: the orb's
// scripts clone the repository over HTTP with the Gitea token, push the branch, open the
// pull request, update it for a new tag, and close it once the base holds the values; the
// commit is signed (sign: ssh).

import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { giteaMissing, startGitea } from './gitea.js';
import { checkout } from './cli-forges.js';
import { gitAs, pusher } from './git.js';
import { setup, artifactReport } from '../orb/fixtures.js';
import { tempDir } from '../action/helpers.js';

const missing = giteaMissing();
const skip = missing && process.env.GB_SKIP_GITEA === '1' ? `GB_SKIP_GITEA=1: ${missing}` : false;

test('the orb with forge: gitea opens, updates, then closes a pull request on a real Gitea (the base holds the values); signed with sign: ssh', { skip, timeout: 300000 }, async (t) => {
  assert.equal(missing, null, missing ?? '');
  const g = await startGitea(t);
  const ws = await checkout(t, g.remoteUrl, { user: g.user, token: g.token });
  const { bump } = setup(t);
  const keyDir = tempDir(t, 'gb-key-');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'bot@example.com', '-f', path.join(keyDir, 'id')]);
  const jobEnv = { GITEA_TOKEN: g.token, DEPLOY_SIGNING_KEY: readFileSync(path.join(keyDir, 'id'), 'utf8') };
  const args = (tag) => ({
    repository: g.remoteUrl,
    mode: 'pull_request',
    forge: 'gitea',
    token_env: 'GITEA_TOKEN',
    file: 'values.yaml',
    path: 'image.tag',
    value: tag,
    pr_branch: 'gitops-bump/app',
    pr_labels: 'gitops',
    sign: 'ssh',
    signing_key_env: 'DEPLOY_SIGNING_KEY',
    report_file: 'gitops-bump.json',
  });
  const first = await bump(args('1.1.0'), { jobEnv });
  assert.equal(first.exitCode, 0, first.output);
  const r1 = artifactReport(first);
  assert.equal(r1.pr.operation, 'created');
  assert.ok(r1.warnings.some((w) => /the labels gitops do not exist in the repository/.test(w)), r1.warnings.join('\n'));
  const second = await bump(args('1.2.0'), { jobEnv });
  assert.equal(second.exitCode, 0, second.output);
  const r2 = artifactReport(second);
  assert.deepEqual([r2.pr.operation, r2.pr.number, r2.pr.url], ['updated', r1.pr.number, r1.pr.url]);
  for (const r of [first, second]) {
    assert.ok(!r.output.includes(g.token), 'the token is not in the job log');
    assert.ok(!r.output.includes('PRIVATE KEY'), 'the key is not in the job log');
  }
  const { data: pr } = await g.api('GET', `/repos/${g.repo}/pulls/${r1.pr.number}`);
  assert.deepEqual([pr.state, pr.head.ref], ['open', 'gitops-bump/app']);
  assert.match(pr.title, /1\.2\.0/);
  await gitAs(ws, ['fetch', '--quiet', 'origin', 'gitops-bump/app'], { user: g.user, token: g.token });
  const sha = await gitAs(ws, ['rev-parse', 'FETCH_HEAD']);
  const allowed = path.join(keyDir, 'allowed');
  writeFileSync(allowed, `bot@example.com ${readFileSync(path.join(keyDir, 'id.pub'), 'utf8')}`);
  execFileSync('git', ['-c', `gpg.ssh.allowedSignersFile=${allowed}`, 'verify-commit', sha], { cwd: ws, stdio: 'pipe' });
  // the base gets the pull request's values another way: the next run closes it
  const other = await pusher(t, g.remoteUrl, { user: g.user, token: g.token });
  await other.advance('main', { 'values.yaml': `${await gitAs(ws, ['show', 'FETCH_HEAD:values.yaml'])}\n` }, 'release 1.2.0 by hand');
  const third = await bump(args('1.2.0'), { jobEnv });
  assert.equal(third.exitCode, 0, third.output);
  const r3 = artifactReport(third).pr;
  assert.deepEqual([r3.operation, r3.number, r3.url], ['closed', r1.pr.number, r1.pr.url]);
  assert.equal((await g.api('GET', `/repos/${g.repo}/pulls/${r1.pr.number}`)).data.state, 'closed');
});
