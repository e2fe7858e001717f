// The Action end to end under a real runner implementation: nektos/act (.tools/bin/act,
// built by scripts/setup-test) runs one workflow whose jobs use `./action`, on the host
// (`-P ubuntu-latest=-self-hosted`, no Docker). Each job's last step reads the Action's
// outputs back (as a later step of a real workflow does) and prints them; the test then
// checks them, the job summary and annotations in act's output, and the remotes' state:
// a local bare repository for the checkout, and the local GitHub API server (validating
// every request against GitHub's OpenAPI description, serving git over smart HTTP with
// the token) for clones, pull requests and API commits.
//
// The token is given as the `GITHUB_TOKEN` secret (so `github.token` is it) and act runs
// with --insecure-secrets: act masks nothing, only the Action's own masking protects it.

import test from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startGitHubServer } from '../github-api-server/server.js';
import { cleanEnv, runCommand } from '../pipeline/helpers.js';
import { ROOT, TOKEN, actJob as job, actPath, assertNoToken, configRepo, git, tempDir } from './helpers.js';
import { logOf, prepareApp, resultOf, summaryOf } from './act-helpers.js';

const ACT = path.join(ROOT, '.tools', 'bin', 'act');
const PROD = 'overlays/production/kustomization.yaml';
const BUMPED_LINE = '    newTag: "1.10.0"    # keep quoted';

function workflow({ gitUrl, gitCopies }) {
  const keepGit = (name) => `      - name: Keep .git for the token check
        if: always()
        run: cp -R .git ${JSON.stringify(path.join(gitCopies, name))}
`;
  const image = { images: 'ghcr.io/acme/api:1.10.0', targets: 'overlays/production' };
  return `name: e2e
on: push
permissions:
  contents: write
  pull-requests: write
jobs:
${job('push', image, { after: keepGit('push') })}
${job('clone', { ...image, repository: 'acme/clone', 'server-url': gitUrl })}
${job('pr', { ...image, repository: 'acme/pr', 'server-url': gitUrl, mode: 'pull-request', 'pr-labels': 'deploy', 'pr-title': 'Deploy api {tags}' })}
${job('api', { ...image, repository: 'acme/api', 'server-url': gitUrl, mode: 'api-commit' })}
${job('dry', { ...image, mode: 'dry-run', set: '- file: charts/api/values.yaml\n  path: image.tag\n  value: 1.10' })}
${job('root', { ...image, mode: 'dry-run' }, { uses: './' })}
${job('same', { images: 'ghcr.io/acme/api:1.9.0', targets: 'overlays/production' })}
${job('overlay', { images: 'ghcr.io/acme/worker:2.0.0', targets: 'overlays/production' }, { failing: true })}
${job('badpath', { set: '- {file: charts/api/values.yaml, path: image.tagg, value: "1.10"}' }, { failing: true, after: keepGit('badpath') })}
${job('badinput', { ...image, mode: 'yolo' }, { failing: true })}`;
}

test('act runs ./action in every mode; outputs, summaries, annotations and remotes', { timeout: 300000, skip: !existsSync(ACT) && !process.env.CI && 'act is not built (scripts/setup-test builds it; in CI this fails)' }, async (t) => {
  const dir = tempDir(t, 'gb-act-');
  // the app repository act checks out: the sample config, ./action, the workflow
  const origin = configRepo(t, { dir: path.join(dir, 'remote'), slug: 'acme/app' });
  const app = origin.clone('app');
  const remotes = {};
  for (const slug of ['acme/clone', 'acme/pr', 'acme/api']) remotes[slug] = configRepo(t, { dir: path.join(dir, 'remote'), slug });
  const server = await startGitHubServer({ repos: Object.fromEntries(Object.entries(remotes).map(([s, r]) => [s, r.bare])), token: TOKEN });
  t.after(() => server.close());
  const gitCopies = path.join(dir, 'git-copies');
  mkdirSync(gitCopies);
  prepareApp(app, workflow({ gitUrl: `${server.url}/git`, gitCopies }), { git });
  const start = origin.head();

  const started = Date.now();
  const r = await runCommand(
    ACT,
    ['push', '-P', 'ubuntu-latest=-self-hosted', '--pull=false', '--log-prefix-job-id', '--insecure-secrets', '--concurrent-jobs', '2',
      '-s', `GITHUB_TOKEN=${TOKEN}`, '--env', `GITHUB_API_URL=${server.apiUrl}`, '--env', `GITHUB_SERVER_URL=${server.url}`, '--env', 'GITHUB_REPOSITORY=acme/app'],
    { cwd: app, env: cleanEnv({ HOME: path.join(dir, 'home'), PATH: actPath(t) }), timeoutMs: 240000 },
  );
  const output = `${r.stdout}\n${r.stderr}`;
  if (process.env.GB_ACT_LOG) writeFileSync(process.env.GB_ACT_LOG, output); // to read what act printed
  t.diagnostic(`act ran 10 jobs in ${((Date.now() - started) / 1000).toFixed(1)}s (exit ${r.code})`);
  assert.equal(r.code, 0, output);

  // push into the checkout: origin main moved by one commit with the bump
  const push = resultOf(output, 'push');
  assert.equal(push.outcome, 'success');
  assert.equal(push.outputs.changed, 'true');
  assert.deepEqual(JSON.parse(push.outputs['changed-files']), [PROD]);
  assert.equal(push.outputs['commit-sha'], origin.head());
  assert.equal(git(origin.bare, ['rev-parse', 'main^']), start);
  assert.ok(origin.show('main', PROD).includes(BUMPED_LINE));
  assert.match(summaryOf(output, 'push'), /^### gitops-bump \(push\)\n/);
  assert.ok(summaryOf(output, 'push').includes('| `overlays/production/kustomization.yaml:18:13` | `images[1].newTag` | `1.9.0` → `1.10.0` |'));
  assert.match(summaryOf(output, 'push'), /<details><summary>Diff<\/summary>\n\n```diff\n--- a\/overlays\/production\/kustomization\.yaml\n/);
  assert.match(logOf(output, 'push'), /::group::gitops-bump: push, 1 edit in /);

  // clone of another repository over smart HTTP with the token, and push
  const clone = resultOf(output, 'clone');
  assert.equal(clone.outcome, 'success');
  assert.equal(clone.outputs['commit-sha'], remotes['acme/clone'].head());
  assert.ok(remotes['acme/clone'].show('main', PROD).includes(BUMPED_LINE));
  assert.match(summaryOf(output, 'clone'), /### gitops-bump \(push\) in acme\/clone/);

  // pull request
  const pr = resultOf(output, 'pr');
  assert.equal(pr.outcome, 'success');
  assert.deepEqual([pr.outputs['pr-operation'], pr.outputs['pr-number']], ['created', '1']);
  const [pull] = server.pulls('acme/pr');
  assert.equal(pull.title, 'Deploy api 1.10.0');
  assert.deepEqual(server.labelsOf('acme/pr', 1), ['deploy']);
  assert.equal(pr.outputs['commit-sha'], git(remotes['acme/pr'].bare, ['rev-parse', `refs/heads/${pull.head}`]));
  assert.equal(remotes['acme/pr'].log().length, 1, 'main of acme/pr is untouched');
  assert.ok(summaryOf(output, 'pr').includes(`Pull request [#1](${pr.outputs['pr-url']}) created`));

  // API commit
  const api = resultOf(output, 'api');
  assert.equal(api.outcome, 'success');
  assert.equal(api.outputs['commit-sha'], remotes['acme/api'].head());
  assert.ok(remotes['acme/api'].show('main', PROD).includes(BUMPED_LINE));
  assert.deepEqual(server.mismatches, [], JSON.stringify(server.mismatches, null, 2));

  // dry run: outputs and diff, nothing pushed
  const dry = resultOf(output, 'dry');
  assert.equal(dry.outcome, 'success');
  assert.equal(dry.outputs.changed, 'true');
  assert.equal(dry.outputs['commit-sha'], '');
  assert.ok(dry.outputs.diff.includes('+  tag: "1.10"'));
  assert.match(summaryOf(output, 'dry'), /Dry run: nothing was written/);

  // the root action.yml (what `uses: OWNER/gitops-bump@v1` and the Marketplace run): the same bundle
  const root = resultOf(output, 'root');
  assert.equal(root.outcome, 'success');
  assert.deepEqual([root.outputs.changed, root.outputs['changed-files'], root.outputs['commit-sha']], ['true', JSON.stringify([PROD]), '']);
  assert.ok(root.outputs.diff.includes(`+${BUMPED_LINE}`));

  // nothing to change
  const same = resultOf(output, 'same');
  assert.equal(same.outcome, 'success');
  assert.deepEqual([same.outputs.changed, same.outputs['changed-files'], same.outputs['commit-sha']], ['false', '[]', '']);
  assert.match(summaryOf(output, 'same'), /Nothing changed: every value is already up to date/);

  // failures: the step fails, the annotation is in act's output, no outputs
  const overlay = resultOf(output, 'overlay');
  assert.equal(overlay.outcome, 'failure');
  assert.match(summaryOf(output, 'overlay'), /^### gitops-bump \(push\) failed\n\ngitops-bump: unknown-image in overlays\/production\/kustomization\.yaml: nothing was committed or pushed\./);
  assert.deepEqual(overlay.outputs, {});
  assert.match(logOf(output, 'overlay'), /::error file=overlays\/production\/kustomization\.yaml[^:]*,title=gitops-bump%3A unknown-image[^:]*::error\[unknown-image\]/);
  const badpath = resultOf(output, 'badpath');
  assert.equal(badpath.outcome, 'failure');
  assert.deepEqual(badpath.outputs, {});
  assert.match(summaryOf(output, 'badpath'), /^### gitops-bump \(push\) failed\n[\s\S]*did you mean `tag`/);
  assert.match(logOf(output, 'badpath'), /::error file=charts\/api\/values\.yaml,line=\d+,col=\d+,title=gitops-bump%3A not-found in charts\/api\/values\.yaml::error\[not-found\]: .*did you mean `tag`/);
  const badinput = resultOf(output, 'badinput');
  assert.equal(badinput.outcome, 'failure');
  assert.deepEqual(badinput.outputs, {});
  assert.match(summaryOf(output, 'badinput'), /^### gitops-bump \(yolo\) failed\n\ngitops-bump: invalid input 'mode'/);
  assert.match(logOf(output, 'badinput'), /::error title=gitops-bump%3A invalid input 'mode'::Input 'mode' must be one of push, pull-request, api-commit, dry-run/);
  // only the push job changed origin
  assert.equal(origin.log().length, 3);

  // the token: nowhere in act's output (success and failure jobs) or the checkouts' .git
  assertNoToken(assert, { texts: { 'act output': output }, gitDirs: [path.join(gitCopies, 'push'), path.join(gitCopies, 'badpath')] });
});

test("the repository's own dry-run workflow passes under act", { timeout: 120000, skip: !existsSync(ACT) && !process.env.CI && 'act is not built' }, async (t) => {
  const repo = tempDir(t, 'gb-act-self-');
  for (const part of ['action/action.yml', 'action/package.json', 'action/dist', 'pkg/wasm/web/gitops_bump_bg.wasm', 'scripts/demo-repo', '.github/workflows/action-dry-run.yml']) {
    cpSync(path.join(ROOT, part), path.join(repo, part), { recursive: true });
  }
  git(repo, ['init', '--quiet', '--initial-branch=main']);
  git(repo, ['add', '-A']);
  git(repo, ['commit', '--quiet', '-m', 'the parts the workflow uses']);
  const r = await runCommand(ACT, ['push', '-P', 'ubuntu-latest=-self-hosted', '--pull=false', '-W', '.github/workflows/action-dry-run.yml'], {
    cwd: repo,
    env: cleanEnv({ HOME: tempDir(t, 'gb-act-home-') }), // outside the repository: act copies it into HOME
    timeoutMs: 100000,
  });
  const output = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.code, 0, output);
  assert.match(output, /changed=true files=\["overlays\/production\/kustomization\.yaml","charts\/api\/values\.yaml"\]/);
  assert.match(output, /Job succeeded/);
});
