// The orb's Bitbucket Cloud and GitLab examples (orb/src/examples/bitbucket_pull_request.yml,
// gitlab_merge_request.yml), run end to end as written: the packed orb's `bump` job with the
// example's own parameters, by the CircleCI stand-in (tests/orb/executor.js), against the
// Bitbucket and GitLab stand-ins that check every call against the published API
// descriptions. What differs from the page, and why: the repository URL points at the
// stand-in on 127.0.0.1 (so Bitbucket, known by its host bitbucket.org, is named with
// `forge: bitbucket`), `<< pipeline.git.revision >>` is the checked-out commit, and verify
// is false (the images are made up). Each runs twice: opened, then updated for a new tag.

import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startBitbucketServer } from '../forge-servers/bitbucket.js';
import { startGitLabServer } from '../forge-servers/gitlab.js';
import { git, makeRemote, tempDir } from '../pipeline/helpers.js';
import { artifactReport, releasedOrb, setup } from '../orb/fixtures.js';

/** The example's `gitops-bump/bump` workflow job: its parameters, and the context it names. */
function exampleBump(name) {
  const usage = releasedOrb().examples[name].usage;
  const jobs = Object.values(usage.workflows).flatMap((w) => w.jobs ?? []);
  const entry = jobs.map((j) => (typeof j === 'string' ? [j, {}] : Object.entries(j)[0])).find(([k]) => k === 'gitops-bump/bump');
  assert.ok(entry, `examples/${name} runs gitops-bump/bump`);
  const { name: _n, requires: _r, context, ...params } = entry[1];
  return { params, context };
}

/** A config repository whose overlays/production runs `image` (at 1.0.0). */
function configRepo(t, image) {
  return makeRemote(t, {
    'base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
    'base/deployment.yaml': `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: ${image}:1.0.0\n`,
    'overlays/production/kustomization.yaml': `# production\nresources:\n  - ../../base\nimages:\n  - name: ${image}\n    newTag: 1.0.0\n`,
  });
}

const revision = (params, sha) => Object.fromEntries(Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? v.replaceAll('<< pipeline.git.revision >>', sha) : v]));

test('the orb\'s Bitbucket Cloud example, end to end: a signed pull request opened, then updated', { timeout: 300000 }, async (t) => {
  const { params, context } = exampleBump('bitbucket_pull_request');
  assert.equal(context, 'bitbucket-gitops');
  assert.equal(params.repository, 'https://bitbucket.org/acme/config.git');
  const image = params.images.split(':')[0];
  const config = configRepo(t, image);
  const token = 'bbat-orbExampleToken000000000';
  const server = await startBitbucketServer({ repos: { 'acme/config': config.bare }, token });
  t.after(() => server.close());
  const keyDir = tempDir(t, 'gb-key-');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'bot@example.com', '-f', path.join(keyDir, 'id')]);
  // what the bitbucket-gitops context holds
  const jobEnv = { [params.token_env]: token, [params.signing_key_env]: readFileSync(path.join(keyDir, 'id'), 'utf8') };
  const { bump, sha } = setup(t);
  const args = (rev) => ({ ...revision(params, rev), repository: server.remoteUrl('acme/config'), forge: 'bitbucket', verify: 'false' });

  const first = await bump(args(sha), { jobEnv });
  assert.equal(first.exitCode, 0, first.output);
  const r1 = artifactReport(first);
  assert.equal(r1.pr.operation, 'created');
  const second = await bump(args('2.0.0'), { jobEnv });
  assert.equal(second.exitCode, 0, second.output);
  const r2 = artifactReport(second);
  assert.deepEqual([r2.pr.operation, r2.pr.number], ['updated', r1.pr.number]);
  for (const r of [first, second]) {
    assert.ok(!r.output.includes(token), 'the token is not in the job log');
    assert.ok(!r.output.includes('PRIVATE KEY'), 'the key is not in the job log');
  }
  assert.deepEqual(server.mismatches, [], JSON.stringify(server.mismatches, null, 2));
  const pulls = server.pullRequests('acme/config');
  assert.deepEqual(pulls.map((p) => [p.id, p.state]), [[r1.pr.number, 'OPEN']]);
  assert.equal(pulls[0].title, 'Deploy api 2.0.0 to production', 'the example\'s pr_title');
  assert.ok(server.gitRequests.every((g) => g.status === 401 || g.user === 'x-token-auth'), 'git pushed as x-token-auth');
  const head = config.head(pulls[0].source);
  assert.match(config.show(head, 'overlays/production/kustomization.yaml'), /newTag: "?2\.0\.0"?/);
  const allowed = path.join(keyDir, 'allowed');
  writeFileSync(allowed, `bot@example.com ${readFileSync(path.join(keyDir, 'id.pub'), 'utf8')}`);
  git(config.bare, ['-c', `gpg.ssh.allowedSignersFile=${allowed}`, 'verify-commit', head]);
});

test('the orb\'s GitLab example, end to end: a merge request in a subgroup project opened, then updated, with its labels', { timeout: 300000 }, async (t) => {
  const { params, context } = exampleBump('gitlab_merge_request');
  assert.equal(context, 'gitlab-gitops');
  assert.equal(params.forge, 'gitlab');
  const project = new URL(params.repository).pathname.replace(/^\//, '').replace(/\.git$/, '');
  assert.equal(project, 'platform/deploy/config');
  const image = params.images.split(':')[0];
  const config = configRepo(t, image);
  const token = 'glpat-orbExampleToken00000000';
  const server = await startGitLabServer({ repos: { [project]: config.bare }, token });
  t.after(() => server.close());
  const jobEnv = { [params.token_env]: token };
  const { bump, sha } = setup(t);
  const args = (rev) => ({ ...revision(params, rev), repository: server.remoteUrl(project), verify: 'false' });

  const first = await bump(args(sha), { jobEnv });
  assert.equal(first.exitCode, 0, first.output);
  const r1 = artifactReport(first);
  assert.equal(r1.pr.operation, 'created');
  assert.match(r1.pr.url, /\/platform\/deploy\/config\/-\/merge_requests\/\d+$/);
  const second = await bump(args('2.0.0'), { jobEnv });
  assert.equal(second.exitCode, 0, second.output);
  const r2 = artifactReport(second);
  assert.deepEqual([r2.pr.operation, r2.pr.number], ['updated', r1.pr.number]);
  for (const r of [first, second]) assert.ok(!r.output.includes(token), 'the token is not in the job log');
  assert.deepEqual(server.mismatches, [], JSON.stringify(server.mismatches, null, 2));
  const mrs = server.mergeRequests(project);
  assert.deepEqual(mrs.map((m) => [m.iid, m.state]), [[r1.pr.number, 'opened']]);
  assert.equal(mrs[0].title, 'Deploy api 2.0.0 to production');
  assert.deepEqual([...mrs[0].labels].sort(), params.pr_labels.split(',').sort(), "the example's pr_labels");
  for (const q of server.requests) assert.match(q.path, /^\/api\/v4\/projects\/platform%2Fdeploy%2Fconfig\//, 'the project path is one encoded segment');
  assert.match(config.show(config.head(mrs[0].source_branch), 'overlays/production/kustomization.yaml'), /newTag: "?2\.0\.0"?/);
});
