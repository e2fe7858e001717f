// The scheduled flows users copy, run as shipped: the GitHub workflow
// action/examples/scheduled-bump.yml (actionlint, then nektos/act for its `schedule` and its
// `workflow_dispatch` promotion) and the orb example examples/scheduled_dev_bump.yml
// (CircleCI's config schema in orb-static.test.js; here its `when` conditions and its
// jobs through the stand-in runner's bash), against crane's registry on 127.0.0.1, a local
// bare config repository and the local GitHub API server. Each bumps dev to the newest
// allowed tag through a pull request, then promotes dev to production through another.

import assert from 'node:assert/strict';
import test from 'node:test';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startGitHubServer } from '../github-api-server/server.js';
import { cleanEnv, git, makeRemote, runCommand } from '../pipeline/helpers.js';
import { TOKEN, actPath } from '../action/helpers.js';
import { logOf, prepareApp } from '../action/act-helpers.js';
import { Runner, evaluate, substitute } from '../orb/executor.js';
import { releasedOrb, runnerOptions } from '../orb/fixtures.js';
import { ROOT, SKIP_CRANE, pushImage, startCrane, tagMany, tempDir } from './servers.js';

const BIN = path.join(ROOT, '.tools', 'bin');
const ACT = path.join(BIN, 'act');
const EXAMPLE = path.join(ROOT, 'action', 'examples', 'scheduled-bump.yml');
const SKIP_ACT = SKIP_CRANE || (!existsSync(ACT) && !process.env.CI && 'act is not built (scripts/setup-test builds it; in CI this fails)');
const FAST = { GITOPS_BUMP_REGISTRY_NOT_FOUND_DELAYS_MS: '5,5', DOCKER_CONFIG: '/nonexistent-docker-config' };

/** The config repository: a base and its dev and production overlays, both on 1.0.0. */
function configFiles(image) {
  const overlay = (env) => `# ${env}\nresources:\n  - ../../base\nimages:\n  - name: ${image}\n    newTag: 1.0.0\n`;
  return {
    'base/deployment.yaml': `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  selector:\n    matchLabels: {app: api}\n  template:\n    metadata:\n      labels: {app: api}\n    spec:\n      containers:\n        - name: api\n          image: ${image}:1.0.0\n`,
    'base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
    'overlays/dev/kustomization.yaml': overlay('dev'),
    'overlays/production/kustomization.yaml': overlay('production'),
  };
}

/** A registry holding 1.x builds, a pre-release and a 2.0.0: semver:^1.0.0 picks 1.2.0. */
async function registry(t) {
  const reg = await startCrane(t);
  await pushImage(t, reg.host, 'acme/api', '1.0.0', { platforms: ['linux/amd64'], single: true });
  await tagMany(reg.host, 'acme/api', '1.0.0', ['1.1.0', '1.2.0', '1.3.0-rc.1', '2.0.0']);
  return { reg, image: `${reg.host}/acme/api` };
}

/** Merges pull request `pull` of a bare repository (its branch is on main: a fast-forward). */
function merge(bare, pull) {
  git(bare, ['merge-base', '--is-ancestor', 'refs/heads/main', `refs/heads/${pull.head}`]);
  git(bare, ['update-ref', 'refs/heads/main', `refs/heads/${pull.head}`]);
}

test('actionlint passes the scheduled workflow example, and fails a broken copy of it', { skip: !existsSync(path.join(BIN, 'actionlint')) && !process.env.CI && 'actionlint is not built' }, async (t) => {
  let r = await runCommand(path.join(BIN, 'actionlint'), ['-no-color', EXAMPLE]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const broken = path.join(tempDir(t, 'gb-lint-'), 'broken.yml');
  writeFileSync(broken, readFileSync(EXAMPLE, 'utf8').replace('!inputs.promote', '!inputs.promot'));
  r = await runCommand(path.join(BIN, 'actionlint'), ['-no-color', broken]);
  assert.notEqual(r.code, 0);
  assert.match(r.stdout, /promot/);
});

test('act: the scheduled workflow bumps dev to the newest allowed tag through a pull request; its dispatch promotes dev to production', { skip: SKIP_ACT, timeout: 300000 }, async (t) => {
  const { image } = await registry(t);
  const dir = tempDir(t, 'gb-scheduled-act-');
  const origin = makeRemote(t, configFiles(image));
  const app = origin.clone('app');
  // the example as shipped, with the Action from this checkout and the image in the local registry
  const text = readFileSync(EXAMPLE, 'utf8');
  assert.equal(text.match(/uses: gitops-bump\/gitops-bump@v1/g)?.length, 2);
  prepareApp(app, text.replaceAll('uses: gitops-bump/gitops-bump@v1', 'uses: ./').replaceAll('ghcr.io/acme/api', image), { git });
  const server = await startGitHubServer({ repos: { 'acme/config': origin.bare }, token: TOKEN });
  t.after(() => server.close());
  const act = (args) => runCommand(
    ACT,
    [...args, '-P', 'ubuntu-latest=-self-hosted', '--pull=false', '--log-prefix-job-id', '--insecure-secrets',
      '-s', `GITHUB_TOKEN=${TOKEN}`, '--env', `GITHUB_API_URL=${server.apiUrl}`, '--env', `GITHUB_SERVER_URL=${server.url}`, '--env', 'GITHUB_REPOSITORY=acme/config',
      ...Object.entries(FAST).flatMap(([k, v]) => ['--env', `${k}=${v}`])],
    { cwd: app, env: cleanEnv({ HOME: path.join(dir, 'home'), PATH: actPath(t) }), timeoutMs: 240000 },
  );
  const main = origin.head();

  let r = await act(['schedule']);
  let output = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.code, 0, output);
  assert.match(logOf(output, 'bump-dev'), /picked 1\.2\.0 for .*acme\/api by semver:\^1\.0\.0 from \d+ tags; newer skipped: 2\.0\.0 \(outside \^1\.0\.0\), 1\.3\.0-rc\.1 \(a pre-release/);
  assert.equal(logOf(output, 'promote-production'), '', 'the promotion does not run on the schedule');
  let pulls = server.pulls('acme/config');
  assert.equal(pulls.length, 1);
  assert.equal(pulls[0].title, 'dev: api 1.2.0');
  assert.deepEqual(server.labelsOf('acme/config', 1), ['dev']);
  assert.match(git(origin.bare, ['show', `refs/heads/${pulls[0].head}:overlays/dev/kustomization.yaml`]), /newTag: 1\.2\.0$/);
  assert.equal(origin.head(), main, 'main moves only when the pull request is merged');

  merge(origin.bare, pulls[0]);
  git(app, ['pull', '--quiet', '--ff-only', 'origin', 'main']);
  r = await act(['workflow_dispatch', '--input', 'promote=true']);
  output = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.code, 0, output);
  assert.equal(logOf(output, 'bump-dev'), '', 'the dispatch with promote runs the promotion only');
  pulls = server.pulls('acme/config');
  assert.equal(pulls.length, 2);
  assert.deepEqual(server.labelsOf('acme/config', 2), ['promotion']);
  assert.match(git(origin.bare, ['show', `refs/heads/${pulls[1].head}:overlays/production/kustomization.yaml`]), /newTag: 1\.2\.0$/);
  assert.match(pulls[1].body, /1\.0\.0.*1\.2\.0/s, 'the before/after table');
  assert.deepEqual(server.mismatches, [], JSON.stringify(server.mismatches, null, 2));
});

test('orb: the scheduled pipeline runs only on its schedule and bumps dev through a pull request; the promotion waits for its approval, then opens one', { skip: SKIP_CRANE, timeout: 300000 }, async (t) => {
  const { image } = await registry(t);
  const usage = releasedOrb().examples.scheduled_dev_bump.usage;
  const config = makeRemote(t, configFiles(image));
  const server = await startGitHubServer({ repos: { 'acme/config': config.bare }, token: TOKEN });
  t.after(() => server.close());
  const app = makeRemote(t, { 'README.md': 'the config repository\n' });
  const runner = new Runner(runnerOptions({ project: { url: app.url, sha: app.head(), branch: 'main' } }));
  const jobEnv = { ...FAST, GITHUB_TOKEN: TOKEN, GITHUB_API_URL: server.apiUrl, GITHUB_REPOSITORY: 'acme/config' };

  // which workflow a pipeline runs: the schedule named in the example, or promote=true
  const runs = (pipeline) => Object.entries(usage.workflows).filter(([, wf]) => evaluate(substitute(wf.when, { pipeline, parameters: {} }, 'when'))).map(([n]) => n);
  const pipeline = (trigger, schedule, promote = false) => ({ trigger_source: trigger, 'schedule.name': schedule, 'parameters.promote': promote });
  assert.deepEqual(runs(pipeline('scheduled_pipeline', 'nightly-dev-bump')), ['nightly-dev-bump']);
  assert.deepEqual(runs(pipeline('scheduled_pipeline', 'weekly-report')), []);
  assert.deepEqual(runs(pipeline('webhook', '')), []);
  assert.deepEqual(runs(pipeline('api', '', true)), ['promote-dev-to-production']);

  /** Runs the orb's bump job as a workflow entry gives it, in the local config repository. */
  const bump = async (entry) => {
    const { requires, context, ...params } = entry['gitops-bump/bump'];
    assert.equal(context, 'gitops');
    const args = { ...params, repository: server.remoteUrl('acme/config') };
    if (args.images) args.images = args.images.replaceAll('ghcr.io/acme/api', image);
    const r = await runner.runJob('bump', args, { jobEnv });
    t.after(() => import('node:fs').then((fs) => fs.rmSync(r.root, { recursive: true, force: true })));
    assert.equal(r.exitCode, 0, r.output);
    return { r, requires };
  };

  const [nightly] = usage.workflows['nightly-dev-bump'].jobs;
  const { r } = await bump(nightly);
  assert.match(r.output, /picked 1\.2\.0 for .*acme\/api by semver:\^1\.0\.0/);
  let pulls = server.pulls('acme/config');
  assert.equal(pulls.length, 1);
  assert.equal(pulls[0].title, 'dev: api 1.2.0');
  assert.match(git(config.bare, ['show', `refs/heads/${pulls[0].head}:overlays/dev/kustomization.yaml`]), /newTag: 1\.2\.0$/);
  merge(config.bare, pulls[0]);

  const [hold, promote] = usage.workflows['promote-dev-to-production'].jobs;
  assert.deepEqual(hold, { hold: { type: 'approval' } }, 'an approval step first');
  const { requires } = await bump(promote);
  assert.deepEqual(requires, ['hold'], 'the promotion runs only after the approval');
  pulls = server.pulls('acme/config');
  assert.equal(pulls.length, 2);
  assert.match(git(config.bare, ['show', `refs/heads/${pulls[1].head}:overlays/production/kustomization.yaml`]), /newTag: 1\.2\.0$/);
  assert.deepEqual(server.labelsOf('acme/config', 2), ['promotion']);
  assert.deepEqual(server.mismatches, [], JSON.stringify(server.mismatches, null, 2));
});
