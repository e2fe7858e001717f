// The Action's bundle run directly, as the runner starts it: `node action/dist/index.js`
// with INPUT_* variables, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_WORKSPACE, GITHUB_SHA
// and GITHUB_API_URL. Real git against real bare repositories; pull requests and API
// commits against the local GitHub API server that validates every request and response
// against GitHub's OpenAPI description. The same cases run under act in act.test.js.

import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startGitHubServer } from '../github-api-server/server.js';
import { DIST, TOKEN, assertNoToken, configRepo, git, runAction, tempDir } from './helpers.js';

const PROD = 'overlays/production/kustomization.yaml';
const PROD_LINE = '    newTag: "1.9.0"    # keep quoted';
const BUMPED_LINE = '    newTag: "1.10.0"    # keep quoted';

test('the bundle is built', () => {
  assert.ok(existsSync(DIST), `${DIST} is missing: run bash scripts/build`);
  // the bundle reads the package's one committed .wasm (nothing is copied beside it)
  assert.ok(existsSync(path.join(path.dirname(DIST), '..', '..', 'pkg', 'wasm', 'web', 'gitops_bump_bg.wasm')));
  assert.ok(!existsSync(path.join(path.dirname(DIST), 'gitops_bump_bg.wasm')), 'no second copy of the .wasm in action/dist/');
});

test('push into the checkout: one commit on main, outputs, summary, only the tag bytes changed', async (t) => {
  const repo = configRepo(t);
  const ws = repo.clone();
  const before = repo.head();
  const r = await runAction(t, { workspace: ws, inputs: { images: 'ghcr.io/acme/api:1.10.0', targets: 'overlays/production', token: TOKEN } });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(r.outputs.changed, 'true');
  assert.deepEqual(JSON.parse(r.outputs['changed-files']), [PROD]);
  assert.deepEqual(JSON.parse(r.outputs.changes), [{ file: PROD, path: 'images[1].newTag', line: 18, column: 13, old: '1.9.0', new: '1.10.0', oldType: 'string', newType: 'string', typeChanged: false, aliases: [] }]);
  assert.equal(r.outputs['commit-sha'], repo.head());
  assert.equal(r.outputs['pr-operation'], 'none');
  assert.equal(r.outputs['pr-number'], '');
  assert.match(r.outputs.diff, /^--- a\/overlays\/production\/kustomization\.yaml\n\+\+\+ b\//);
  assert.ok(r.outputs.diff.includes(`-${PROD_LINE}\n+${BUMPED_LINE}\n`), r.outputs.diff);
  // the remote: one commit on top, by the bot, only that line changed
  const [top] = repo.log();
  assert.match(top, new RegExp(`^${r.outputs['commit-sha']} ${before}\\|github-actions\\[bot\\]\\|chore\\(deploy\\): bump ghcr.io/acme/api to 1.10.0$`));
  const old = git(repo.bare, ['show', `${before}:${PROD}`]);
  assert.equal(repo.show('main', PROD), old.replace(PROD_LINE, BUMPED_LINE));
  assert.match(git(repo.bare, ['log', '-1', '--format=%B', 'main']), /Source commit: 0123456789abcdef/);
  // the summary: table row, commit, diff in a collapsed block
  assert.match(r.summary, /^### gitops-bump \(push\)\n/);
  assert.ok(r.summary.includes('| `overlays/production/kustomization.yaml:18:13` | `images[1].newTag` | `1.9.0` → `1.10.0` |'), r.summary);
  assert.ok(r.summary.includes(`Commit \`${r.outputs['commit-sha'].slice(0, 12)}\` pushed to \`main\``), r.summary);
  assert.match(r.summary, /<details><summary>Diff<\/summary>\n\n```diff\n--- a\/overlays/);
  // logs are grouped; the token is masked and appears nowhere
  assert.match(r.stdout, /^::group::gitops-bump: push, 1 edit in /m);
  assert.match(r.stdout, /^::endgroup::$/m);
  assert.match(r.stdout, /^::add-mask::/m);
  assertNoToken(assert, { texts: { stdout: r.stdout.replace(/^::add-mask::.*$/gm, ''), stderr: r.stderr, outputs: r.outputText, summary: r.summary }, gitDirs: [path.join(ws, '.git')] });
});

test('clone of another repository (owner/name under server-url) and push, on top of a teammate’s push', async (t) => {
  const repo = configRepo(t);
  const other = repo.clone('teammate');
  git(other, ['-c', 'user.name=Dev', '-c', 'user.email=dev@example.com', 'commit', '--quiet', '--allow-empty', '-m', 'teammate']);
  git(other, ['push', '--quiet', 'origin', 'HEAD:main']);
  const teammate = repo.head();
  const ws = tempDir(t, 'gb-app-');
  const r = await runAction(t, {
    workspace: ws,
    inputs: { repository: 'acme/config', 'server-url': repo.serverUrl, images: 'ghcr.io/acme/api:1.10.0', targets: 'overlays/production', token: TOKEN },
  });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(r.outputs['commit-sha'], repo.head());
  assert.equal(git(repo.bare, ['rev-parse', 'main^']), teammate);
  assert.ok(repo.show('main', PROD).includes(BUMPED_LINE));
  assert.match(r.summary, /^### gitops-bump \(push\) in acme\/config\n/);
  assert.match(r.summary, /Commit \[`[0-9a-f]{12}`\]\(file:|Commit `[0-9a-f]{12}`/);
  assert.match(r.stdout, /cloning file:\/\/.*acme\/config\.git/);
});

test('working-directory inside a clone: files relative to it, in the outputs too', async (t) => {
  const repo = configRepo(t);
  const r = await runAction(t, {
    workspace: tempDir(t, 'gb-app-'),
    inputs: { repository: 'acme/config', 'server-url': repo.serverUrl, 'working-directory': 'charts', set: '- {file: api/values.yaml, path: image.tag, value: 1.10}' },
  });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(JSON.parse(r.outputs['changed-files']), ['api/values.yaml']);
  assert.equal(JSON.parse(r.outputs.changes)[0].file, 'api/values.yaml');
  assert.match(r.outputs.diff, /^--- a\/charts\/api\/values\.yaml$/m);
  assert.match(repo.show('main', 'charts/api/values.yaml'), /^  tag: "1\.10"$/m);
});

async function withServer(t, repo) {
  const server = await startGitHubServer({ repos: { [repo.slug]: repo.bare }, token: TOKEN });
  t.after(() => server.close());
  return server;
}

test('pull-request against the GitHub API server: created, then updated by a rerun; the token stays secret', async (t) => {
  const repo = configRepo(t);
  const server = await withServer(t, repo);
  const main = repo.head();
  const bump = (tag, extra = {}) =>
    runAction(t, {
      workspace: tempDir(t, 'gb-app-'),
      env: { GITHUB_API_URL: server.apiUrl },
      inputs: {
        repository: 'acme/config',
        'server-url': `${server.url}/git`,
        images: `ghcr.io/acme/api:${tag}`,
        targets: 'overlays/production',
        mode: 'pull-request',
        'pr-labels': 'deploy, production',
        token: TOKEN,
        ...extra,
      },
    });
  const first = await bump('1.10.0', { 'pr-draft': 'true', 'pr-reviewers': 'alice, bob', 'pr-team-reviewers': 'platform', 'pr-assignees': 'carol' });
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.equal(first.outputs['pr-operation'], 'created');
  assert.equal(first.outputs['pr-number'], '1');
  assert.match(first.outputs['pr-url'], /\/acme\/config\/pull\/1$/);
  assert.equal(repo.head(), main, 'main is untouched');
  const [pr] = server.pulls('acme/config');
  assert.equal(pr.title, 'chore(deploy): bump ghcr.io/acme/api to 1.10.0');
  assert.equal(pr.draft, true);
  assert.deepEqual(server.labelsOf('acme/config', 1), ['deploy', 'production']);
  assert.deepEqual([pr.reviewers, pr.team_reviewers, pr.assignees], [['alice', 'bob'], ['platform'], ['carol']]);
  assert.equal(first.outputs['commit-sha'], git(repo.bare, ['rev-parse', `refs/heads/${pr.head}`]));
  assert.deepEqual([first.outputs['pr-branch'], first.outputs['pr-head-sha']], [pr.head, git(repo.bare, ['rev-parse', `refs/heads/${pr.head}`])]);
  assert.ok(repo.show(pr.head, PROD).includes(BUMPED_LINE));
  assert.ok(first.summary.includes(`Pull request [#1](${first.outputs['pr-url']}) created`), first.summary);

  const second = await bump('1.10.1');
  assert.equal(second.code, 0, second.stdout + second.stderr);
  assert.deepEqual([second.outputs['pr-operation'], second.outputs['pr-number']], ['updated', '1']);
  assert.equal(server.pulls('acme/config').length, 1);
  // the same run again: the branch already holds this change, the pull request is untouched
  const third = await bump('1.10.1');
  assert.equal(third.code, 0, third.stdout + third.stderr);
  assert.deepEqual([third.outputs['pr-operation'], third.outputs['pr-number'], third.outputs['commit-sha']], ['none', '1', second.outputs['commit-sha']]);
  assert.ok(third.summary.includes('Pull request [#1]('), third.summary);
  assert.match(third.summary, /\) already up to date from `gitops-bump\//);
  // a reviewer's fix pushed to the bot's branch: the step fails in the Action's own words and
  // the fix stays; pr-overwrite replaces the branch
  const fix = repo.clone('reviewer');
  git(fix, ['checkout', '--quiet', '-b', 'fix', `origin/${pr.head}`]);
  writeFileSync(path.join(fix, 'REVIEW.md'), 'checked\n');
  git(fix, ['add', 'REVIEW.md']);
  git(fix, ['commit', '--quiet', '-m', 'review: checked']);
  git(fix, ['push', '--quiet', 'origin', `HEAD:refs/heads/${pr.head}`]);
  const human = repo.head(pr.head);
  const refused = await bump('1.10.2');
  assert.equal(refused.code, 3, refused.stdout + refused.stderr);
  assert.match(refused.stdout, new RegExp(`holds a commit that gitops-bump did not make \\(${human.slice(0, 12)} by Fixture <fixture@example\\.com>\\).*with the 'pr-overwrite' input`));
  assert.equal(repo.head(pr.head), human, 'the reviewer\'s commit was thrown away');
  server.behaviour.milestones = [2];
  const forced = await bump('1.10.2', { 'pr-overwrite': 'true', 'pr-milestone': '2' });
  assert.equal(forced.code, 0, forced.stdout + forced.stderr);
  assert.deepEqual([forced.outputs['pr-operation'], forced.outputs['pr-head-sha']], ['updated', repo.head(pr.head)]);
  assert.notEqual(repo.head(pr.head), human);
  assert.equal(server.pulls('acme/config')[0].milestone, 2);
  assert.deepEqual(server.mismatches, [], JSON.stringify(server.mismatches, null, 2));
  assert.ok(server.gitRequests.some((g) => g.authorized), 'git went through the token-checking smart HTTP endpoint');
  for (const r of [first, second, third, refused, forced]) {
    assertNoToken(assert, { texts: { stdout: r.stdout.replace(/^::add-mask::.*$/gm, ''), stderr: r.stderr, outputs: r.outputText, summary: r.summary } });
  }
});

test('api-commit against the GitHub API server: main moves by a commit GitHub made', async (t) => {
  const repo = configRepo(t);
  const server = await withServer(t, repo);
  const main = repo.head();
  const r = await runAction(t, {
    workspace: tempDir(t, 'gb-app-'),
    env: { GITHUB_API_URL: server.apiUrl },
    inputs: { repository: 'acme/config', 'server-url': `${server.url}/git`, images: 'ghcr.io/acme/api:1.10.0', targets: 'overlays/production', mode: 'api-commit', token: TOKEN },
  });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(r.outputs['commit-sha'], repo.head());
  assert.equal(git(repo.bare, ['rev-parse', 'main^']), main);
  assert.ok(repo.show('main', PROD).includes(BUMPED_LINE));
  assert.ok(server.requests.some((q) => q.operation === 'git/create-commit' && q.status === 201));
  // no author sent: GitHub makes the token's owner the author (as for the commits it signs)
  assert.equal(git(repo.bare, ['log', '-1', '--format=%an', 'main']), 'gitops-bump-test[bot]');
  assert.deepEqual(server.mismatches, [], JSON.stringify(server.mismatches, null, 2));
  assertNoToken(assert, { texts: { stdout: r.stdout.replace(/^::add-mask::.*$/gm, ''), stderr: r.stderr, outputs: r.outputText, summary: r.summary } });
});

test('dry-run: the diff and the outputs, nothing written, committed or pushed', async (t) => {
  const repo = configRepo(t);
  const ws = repo.clone();
  const before = readFileSync(path.join(ws, PROD), 'utf8');
  const r = await runAction(t, {
    workspace: ws,
    inputs: { mode: 'dry-run', set: '- file: charts/api/values.yaml\n  path: image.tag\n  value: 1.10\n', images: 'ghcr.io/acme/api:1.10.0', targets: 'overlays/production' },
  });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(r.outputs.changed, 'true');
  assert.deepEqual(JSON.parse(r.outputs['changed-files']), [PROD, 'charts/api/values.yaml']);
  assert.ok(r.outputs.diff.includes('-  tag: "1.9"\n+  tag: "1.10"\n'), r.outputs.diff);
  assert.equal(r.outputs['commit-sha'], '');
  assert.equal(readFileSync(path.join(ws, PROD), 'utf8'), before);
  assert.equal(git(ws, ['status', '--porcelain']), '');
  assert.equal(repo.log().length, 1);
  assert.match(r.summary, /Dry run: nothing was written, committed or pushed\./);
});

test('a pull-request input in push mode is a warning, not an error', async (t) => {
  const repo = configRepo(t);
  const r = await runAction(t, { workspace: repo.clone(), inputs: { images: 'ghcr.io/acme/api:1.10.0', targets: 'overlays/production', 'pr-title': 'Deploy' } });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^::warning::Input 'pr-title' is only read in mode pull-request; mode is push$/m);
});

test('nothing to change: changed=false, no commit; with fail-if-unchanged the step fails', async (t) => {
  const repo = configRepo(t);
  const ws = repo.clone();
  const inputs = { images: 'ghcr.io/acme/api:1.9.0', targets: 'overlays/production' };
  const r = await runAction(t, { workspace: ws, inputs });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual([r.outputs.changed, r.outputs['changed-files'], r.outputs.changes, r.outputs['commit-sha'], r.outputs.diff], ['false', '[]', '[]', '', '']);
  assert.match(r.summary, /Nothing changed: every value is already up to date\./);
  assert.equal(repo.log().length, 1);
  const strict = await runAction(t, { workspace: ws, inputs: { ...inputs, 'fail-if-unchanged': 'true' } });
  assert.equal(strict.code, 1);
  assert.match(strict.stdout, /^::error title=gitops-bump%3A nothing changed::nothing changed, and fail-if-unchanged is true/m);
  assert.equal(strict.outputs.changed, 'false');
});

test('an image the overlay does not use: an annotation on the kustomization, nothing pushed', async (t) => {
  const repo = configRepo(t);
  const ws = repo.clone();
  const r = await runAction(t, { workspace: ws, inputs: { images: 'ghcr.io/acme/worker:2.0.0', targets: 'overlays/production' } });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^::error file=overlays\/production\/kustomization\.yaml(,line=\d+,col=\d+)?,title=gitops-bump%3A unknown-image in overlays\/production\/kustomization\.yaml::error\[unknown-image\]: .*ghcr\.io\/acme\/worker/m);
  assert.equal(r.outputText, '');
  assert.match(r.summary, /^### gitops-bump \(push\) failed\n\ngitops-bump: unknown-image in overlays\/production\/kustomization\.yaml: nothing was committed or pushed\.\n\n```text\nerror\[unknown-image\]: image `ghcr\.io\/acme\/worker` /);
  assert.equal(repo.log().length, 1);
  assert.equal(git(ws, ['status', '--porcelain']), '');
  // check-overlay: false lets the same image through (kustomize would add it)
  const forced = await runAction(t, { workspace: ws, inputs: { images: 'ghcr.io/acme/worker:2.0.0', targets: 'overlays/production', 'check-overlay': 'false' } });
  assert.equal(forced.code, 0, forced.stdout + forced.stderr);
  assert.match(repo.show('main', PROD), /name: ghcr\.io\/acme\/worker\n\s+newTag: 2\.0\.0/);
});

test('a bad key path: ::error file=…,line=…,col=… on the values file, with the did-you-mean', async (t) => {
  const repo = configRepo(t);
  const ws = repo.clone();
  const r = await runAction(t, { workspace: ws, inputs: { set: '- {file: charts/api/values.yaml, path: image.tagg, value: "1.10"}' } });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const line = r.stdout.split('\n').find((l) => l.startsWith('::error '));
  assert.match(line, /^::error file=charts\/api\/values\.yaml,line=\d+,col=\d+,title=gitops-bump%3A not-found in charts\/api\/values\.yaml::error\[not-found\]: /);
  assert.match(line, /did you mean `tag`\?/);
  assert.match(r.summary, /^### gitops-bump \(push\) failed\n/);
  assert.ok(r.summary.includes('  = help: did you mean `tag`?\n```\n'), r.summary);
  assert.equal(repo.log().length, 1);
});

test('working-directory: annotations stay relative to the workspace', async (t) => {
  const repo = configRepo(t);
  const ws = tempDir(t, 'gb-app-');
  git(ws, ['clone', '--quiet', repo.bare, path.join(ws, 'config')]);
  const r = await runAction(t, { workspace: ws, inputs: { 'working-directory': 'config', set: '- {file: charts/api/values.yaml, path: image.tagg, value: "1.10"}' } });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^::error file=config\/charts\/api\/values\.yaml,line=/m);
});

test('invalid inputs fail before anything runs, naming the input', async (t) => {
  const repo = configRepo(t);
  const ws = repo.clone();
  const cases = [
    [{ images: 'ghcr.io/acme/api:1.10.0', mode: 'yolo' }, "Input 'mode' must be one of push, pull-request, api-commit, dry-run, got \"yolo\""],
    [{}, "Input 'images' is empty, and so are 'set', 'plan' and 'promote-from'"],
    [{ images: 'ghcr.io/acme/api:1.10.0', retries: 'many' }, "Input 'retries' must be a whole number from 0 to 100"],
    [{ images: 'ghcr.io/acme/api:1.10.0', 'check-overlay': 'yes' }, "Input 'check-overlay' must be true or false"],
    [{ images: 'ghcr.io/acme/api:1.10.0', mode: 'pull-request' }, "Input 'token' is empty: mode pull-request calls the GitHub API"],
    [{ images: 'ghcr.io/acme/api:1.10.0', repository: 'not a repo' }, "Input 'repository' must be owner/name"],
    [{ images: 'ghcr.io/acme/api:1.10.0', 'working-directory': '../elsewhere' }, "Input 'working-directory' must be a path inside the workspace"],
    [{ images: 'ghcr.io/acme/api:1.10.0', repository: 'acme/config', mode: 'dry-run' }, "Input 'mode' is dry-run, which previews the files of a checkout"],
    [{ set: '- {file: a.yaml, path: x, value: 1, vlaue: 2}' }, "Input 'set' item 1: unknown field `vlaue`"],
    [{ set: '- {file: a.yaml, path: x, value: 1, type: number}' }, "Input 'set' is invalid: edits[0].type: expected one of string, int"],
    [{ plan: 'missing.yaml' }, "Input 'plan' is invalid: "],
    [{ images: 'ghcr.io/acme/api:1.10.0\nghcr.io/acme/API::' }, "Input 'images' line 2 (\"ghcr.io/acme/API::\") is not an image spec: "],
  ];
  for (const [inputs, message] of cases) {
    const r = await runAction(t, { workspace: ws, inputs });
    assert.equal(r.code, 2, `${JSON.stringify(inputs)}: ${r.stdout}${r.stderr}`);
    assert.ok(r.stdout.includes(message), `${JSON.stringify(inputs)}: expected ${message} in\n${r.stdout}`);
    assert.match(r.stdout, /^::error title=gitops-bump%3A invalid input '[\w-]+'::Input '/m);
    assert.equal(r.outputText, '');
    assert.match(r.summary, /^### gitops-bump \(.+\) failed\n\ngitops-bump: invalid input '[\w-]+': nothing was committed or pushed\./);
    assert.ok(r.summary.includes(message), r.summary);
  }
  assert.equal(repo.log().length, 1);
  assert.equal(git(ws, ['status', '--porcelain']), '');
});

test('a refused token: exit 3, the token nowhere in the output or the checkout', async (t) => {
  const repo = configRepo(t);
  const server = await startGitHubServer({ repos: { [repo.slug]: repo.bare }, token: 'ghs_theServerWantsAnotherToken0123456' });
  t.after(() => server.close());
  const ws = tempDir(t, 'gb-app-');
  git(ws, ['clone', '--quiet', repo.bare, path.join(ws, 'config')]);
  git(path.join(ws, 'config'), ['remote', 'set-url', 'origin', server.gitUrl('acme/config')]);
  const r = await runAction(t, {
    workspace: ws,
    env: { GITHUB_API_URL: server.apiUrl },
    inputs: { 'working-directory': 'config', images: 'ghcr.io/acme/api:1.10.0', targets: 'overlays/production', token: TOKEN, retries: '0' },
  });
  assert.equal(r.code, 3, r.stdout + r.stderr);
  assert.match(r.stdout, /^::error title=gitops-bump%3A (auth|push-failed|git) failure::/m);
  assert.match(r.summary, /^### gitops-bump \(push\) failed\n\ngitops-bump: (auth|push-failed|git) failure: nothing was committed or pushed\./);
  assert.match(r.stdout, /the remote refused the credentials: check the( token in the)? 'token' input/);
  assert.equal(repo.log().length, 1);
  assertNoToken(assert, { texts: { stdout: r.stdout.replace(/^::add-mask::.*$/gm, ''), stderr: r.stderr, outputs: r.outputText, summary: r.summary }, gitDirs: [path.join(ws, 'config', '.git')] });
});

test('a detached checkout (as for pull_request events): the error names the branch input; with it, the push lands', async (t) => {
  const repo = configRepo(t);
  const ws = repo.clone();
  git(ws, ['checkout', '--quiet', '--detach']);
  const inputs = { images: 'ghcr.io/acme/api:1.10.0', targets: 'overlays/production' };
  const r = await runAction(t, { workspace: ws, inputs });
  assert.equal(r.code, 3, r.stdout + r.stderr);
  assert.match(r.stdout, /^::error title=gitops-bump%3A usage failure::HEAD is detached: give the 'branch' input to say where to push/m);
  const ok = await runAction(t, { workspace: ws, inputs: { ...inputs, branch: 'main' } });
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.equal(ok.outputs['commit-sha'], repo.head());
});

test('a plan file from the workspace, applied in a cloned config repository', async (t) => {
  const repo = configRepo(t);
  const ws = tempDir(t, 'gb-app-');
  writeFileSync(path.join(ws, 'deploy.yaml'), 'edits:\n  - file: overlays/staging\n    image: ghcr.io/acme/api:1.10.0\n  - file: charts/api/values.yaml\n    set: image.tag\n    value: 1.10\n');
  const r = await runAction(t, { workspace: ws, inputs: { repository: 'acme/config', 'server-url': repo.serverUrl, plan: 'deploy.yaml' } });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(JSON.parse(r.outputs['changed-files']), ['overlays/staging/kustomization.yaml', 'charts/api/values.yaml']);
  assert.match(repo.show('main', 'charts/api/values.yaml'), /^  tag: "1\.10"$/m);
  assert.match(repo.show('main', 'overlays/staging/kustomization.yaml'), /^    newTag: 1\.10\.0   # release candidate$/m);
});

test('scan: every reference to the image under the targets', async (t) => {
  const repo = configRepo(t);
  const ws = repo.clone();
  const r = await runAction(t, { workspace: ws, inputs: { mode: 'dry-run', images: 'ghcr.io/acme/api:1.10.0', targets: 'overlays', scan: 'true' } });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(JSON.parse(r.outputs['changed-files']).sort(), ['overlays/production/kustomization.yaml', 'overlays/staging/kustomization.yaml']);
});

test('promotion: the pull request changes only the target overlay, its body is the before/after table; status after the run', async (t) => {
  const repo = configRepo(t);
  const server = await withServer(t, repo);
  const r = await runAction(t, {
    workspace: tempDir(t, 'gb-app-'),
    env: { GITHUB_API_URL: server.apiUrl },
    inputs: {
      repository: 'acme/config',
      'server-url': `${server.url}/git`,
      'promote-from': 'staging=overlays/staging',
      'promote-to': 'production=overlays/production',
      mode: 'pull-request',
      status: 'staging=overlays/staging\nproduction=overlays/production',
      token: TOKEN,
    },
  });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const [pr] = server.pulls('acme/config');
  assert.equal(pr.title, 'Promote staging=overlays/staging to production=overlays/production');
  assert.match(pr.body, /\| `ghcr\.io\/acme\/api` \| `ghcr\.io\/acme\/api:1\.10\.0-rc\.1` \| `ghcr\.io\/acme\/api:1\.9\.0` \| \*\*`ghcr\.io\/acme\/api:1\.10\.0-rc\.1`\*\* \|/);
  assert.equal(git(repo.bare, ['diff', '--name-only', 'main', pr.head]), PROD);
  assert.deepEqual(JSON.parse(r.outputs['changed-files']), [PROD]);
  const st = JSON.parse(r.outputs.status);
  assert.deepEqual(st.environments.map((e) => e.name), ['staging', 'production']);
  const api = st.images.find((i) => i.image === 'ghcr.io/acme/api');
  assert.equal(api.cells.production.image, 'ghcr.io/acme/api:1.10.0-rc.1', 'the status is read after the edit');
  assert.equal(api.differs, false);
  assert.match(r.summary, /### Promotion: staging → production\n\n\| image \| staging \| production before \| production after \|/);
  assert.match(r.summary, /### What runs where \(after this run\)\n\n\| image \| staging \| production \|/);
  assert.ok(!r.summary.includes('GITOPS_BUMP_TOKEN'), 'warnings speak of the inputs, not of the private variable');
  assert.deepEqual(server.mismatches, []);
});

test('promotion inputs: both ends are needed, and a promotion stands alone', async (t) => {
  const ws = configRepo(t).clone();
  let r = await runAction(t, { workspace: ws, inputs: { 'promote-from': 'overlays/staging' } });
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stdout, /Input 'promote-to' is empty: a promotion needs both promote-from and promote-to/);
  r = await runAction(t, { workspace: ws, inputs: { 'promote-from': 'overlays/staging', 'promote-to': 'overlays/production', images: 'ghcr.io/acme/api:2.0.0' } });
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stdout, /Input 'promote-from' stands alone/);
  assert.equal(git(ws, ['status', '--porcelain']), '');
});

test('a container job: the workspace belongs to another user; git is told it is safe, nothing is left behind', { skip: process.getuid?.() !== 0 && 'needs root, to give the workspace to another user as the runner does' }, async (t) => {
  const repo = configRepo(t);
  const ws = repo.clone();
  // the runner's user owns the workspace; the step runs as root (this process)
  execFileSync('chown', ['-R', '1001:1001', ws]);
  const asOwner = (args) => git(ws, ['-c', `safe.directory=${ws}`, ...args]);
  const configBefore = readFileSync(path.join(ws, '.git', 'config'), 'utf8');
  const r = await runAction(t, { workspace: ws, inputs: { images: 'ghcr.io/acme/api:1.10.0', targets: 'overlays/production', token: TOKEN } });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(r.outputs['commit-sha'], repo.head());
  assert.ok(repo.show('main', PROD).includes(BUMPED_LINE));
  assert.equal(asOwner(['status', '--porcelain']), '');
  assert.equal(readFileSync(path.join(ws, '.git', 'config'), 'utf8'), configBefore, 'safe.directory went into the checkout\'s config');

  // outside GitHub Actions nothing is assumed: git's refusal is named, with what to change
  const cli = await runAction(t, { workspace: ws, inputs: { images: 'ghcr.io/acme/api:1.11.0', targets: 'overlays/production', token: TOKEN }, env: { GITHUB_ACTIONS: '' } });
  assert.equal(cli.code, 3, cli.stdout + cli.stderr);
  assert.match(cli.stdout, /git refuses to work in \S+: the repository belongs to another user than the one running this step \("dubious ownership"/);
  assert.match(cli.stdout, /safe\.directory/);
  assert.doesNotMatch(cli.stdout, /not inside a git checkout/);
});

test("a pipeline error keeps its exit code and speaks of the Action's inputs, never 'internal error'", async (t) => {
  const repo = configRepo(t);
  const ws = repo.clone();
  // http:// server-url: the input check refuses what the pipeline would refuse
  const http = await runAction(t, { workspace: ws, inputs: { repository: 'acme/config', 'server-url': 'http://ghe.example.com', images: 'ghcr.io/acme/api:1.10.0', token: TOKEN } });
  assert.equal(http.code, 2, http.stdout + http.stderr);
  assert.match(http.stdout, /::error title=gitops-bump%3A invalid input 'server-url'::Input 'server-url' must be an https:\/\/ \(or ssh:\/\/, file:\/\/\) URL: plain http:\/\/ is refused/);
  // the pipeline's own refusal of the checkout's remote: exit 2 as the CLI's, no stack trace
  git(ws, ['remote', 'set-url', 'origin', 'http://git.example.com/acme/config.git']);
  const remote = await runAction(t, { workspace: ws, inputs: { images: 'ghcr.io/acme/api:1.10.0', targets: 'overlays/production', token: TOKEN } });
  assert.equal(remote.code, 2, remote.stdout + remote.stderr);
  assert.match(remote.stdout, /::error title=gitops-bump%3A invalid input \(usage\)::remote origin: "http:\/\/git\.example\.com\/acme\/config\.git" is not an allowed remote/);
  for (const r of [http, remote]) {
    assert.doesNotMatch(r.stdout + r.stderr, /internal error|at async |\.js:\d+:\d+/);
    assert.doesNotMatch(r.stdout, /--repo|--branch|--api-url/);
  }
});

test('GHES and github.com in one job: the API of the repository\'s own server gets the token, the runner\'s gets nothing', async (t) => {
  const repo = configRepo(t);
  // the runner's server (github.com for this job) and an Enterprise Server holding acme/config
  const runner = await startGitHubServer({ repos: {}, token: 'ghs_theRunnersOwnToken0123456789', prefix: '/api/v3' });
  t.after(() => runner.close());
  const ghes = await startGitHubServer({ repos: { 'acme/config': repo.bare }, token: TOKEN, prefix: '/api/v3' });
  t.after(() => ghes.close());
  const env = { GITHUB_SERVER_URL: runner.url, GITHUB_API_URL: runner.apiUrl };
  const inputs = { repository: 'acme/config', 'server-url': `${ghes.url}/git`, images: 'ghcr.io/acme/api:1.10.0', targets: 'overlays/production', mode: 'pull-request', token: TOKEN };
  const r = await runAction(t, { workspace: tempDir(t, 'gb-app-'), env, inputs });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(r.outputs['pr-operation'], 'created');
  assert.equal(ghes.pulls('acme/config').length, 1);
  assert.deepEqual(runner.requests, [], "a request (with the Enterprise token) went to the runner's API");
  assert.match(r.stdout, new RegExp(`GitHub API: ${ghes.apiUrl.replace(/[.]/g, '\\.')} \\(the remote's host 127\\.0\\.0\\.1:${ghes.port} is not this runner's server 127\\.0\\.0\\.1:${runner.port}`));
  assert.deepEqual(ghes.mismatches, []);

  // api-url names the API outright; the runner's is still never asked
  const explicit = await runAction(t, { workspace: tempDir(t, 'gb-app-'), env, inputs: { ...inputs, images: 'ghcr.io/acme/api:1.10.1', 'api-url': ghes.apiUrl } });
  assert.equal(explicit.code, 0, explicit.stdout + explicit.stderr);
  assert.equal(explicit.outputs['pr-operation'], 'updated');
  assert.deepEqual(runner.requests, []);
  const bad = await runAction(t, { workspace: tempDir(t, 'gb-app-'), env, inputs: { ...inputs, 'api-url': 'http://ghe.example.com/api/v3' } });
  assert.equal(bad.code, 2);
  assert.match(bad.stdout, /Input 'api-url' must be an https:\/\/ URL/);
});
