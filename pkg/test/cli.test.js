// The gitops-bump CLI, run as a user runs it: `node pkg/bin/gitops-bump.js ...` in a
// temp directory. Every command, every option, every exit code.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { gitOptions } from '../src/cli.js';
import { cli, cliAsync, demoTree, expect, git, read, tempLeftovers, tempTree } from './helpers.js';

const VALUES = '# values\nimage:\n  # pinned\n  tag: "1.9"\n  pullPolicy: Always  # or IfNotPresent\n\nreplicaCount: 2\n';
const MULTI = 'kind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 1\n---\nkind: Deployment\nmetadata:\n  name: worker\nspec:\n  replicas: 1\n';

test('--help lists every command and the exit codes; --version prints the version', (t) => {
  const cwd = tempTree(t);
  const help = expect(cli(['--help'], { cwd }), 0).stdout;
  for (const cmd of ['get', 'set', 'remove', 'image', 'apply', 'playground']) assert.match(help, new RegExp(`gitops-bump ${cmd} `));
  assert.match(help, /Exit codes: 0 success.*1 edit error.*2 usage error.*3 git/s);
  assert.match(expect(cli(['--version'], { cwd }), 0).stdout, /^gitops-bump \d+\.\d+\.\d+\n$/);
});

test('every command has --help with its usage and examples', (t) => {
  const cwd = tempTree(t);
  for (const cmd of ['get', 'set', 'remove', 'image', 'apply', 'playground']) {
    const out = expect(cli([cmd, '--help'], { cwd }), 0).stdout;
    assert.match(out, new RegExp(`^Usage: gitops-bump ${cmd}`), cmd);
    assert.match(out, /Examples:\n {2}gitops-bump /, cmd);
  }
  assert.match(cli(['set', '--help'], { cwd }).stdout, /--push .*--retries N .*--pr .*--api-commit .*--token-env/s);
});

test('usage errors exit 2: no command, unknown command, unknown option, missing or extra arguments', (t) => {
  const cwd = tempTree(t, { 'v.yaml': VALUES });
  assert.match(expect(cli([], { cwd }), 2).stderr, /Usage:/);
  assert.match(expect(cli(['bump'], { cwd }), 2).stderr, /unknown command `bump`/);
  assert.match(expect(cli(['set', 'v.yaml', 'image.tag', '1', '--frobnicate'], { cwd }), 2).stderr, /--frobnicate.*\n.*usage: gitops-bump set/s);
  assert.match(expect(cli(['set', 'v.yaml', 'image.tag'], { cwd }), 2).stderr, /missing arguments/);
  assert.match(expect(cli(['get', 'v.yaml', 'a', 'b'], { cwd }), 2).stderr, /unexpected argument `b`/);
  assert.match(expect(cli(['set', 'v.yaml', 'image.tag', '1', '--type', 'number'], { cwd }), 2).stderr, /type.*expected one of string, int/);
  assert.match(expect(cli(['set', 'v.yaml', 'image.tag', '1', '--message', 'x'], { cwd }), 2).stderr, /--message needs one of --push, --pr, --api-commit, --commit, --repo/);
  assert.match(expect(cli(['set', 'v.yaml', 'image.tag', '1', '--push', '--title', 'x'], { cwd }), 2).stderr, /--title is a pull request field: add --pr/);
  assert.match(expect(cli(['set', 'v.yaml', 'image.tag', '1', '--push', '--retries', 'many'], { cwd }), 2).stderr, /--retries: expected a whole number/);
  assert.match(expect(cli(['set', 'v.yaml', 'image.tag', '1', '--commit', '--author', 'nobody'], { cwd }), 2).stderr, /--author: expected "Name <email>"/);
  assert.match(expect(cli(['playground', '--port', 'x'], { cwd }), 2).stderr, /--port/);
  assert.equal(read(cwd, 'v.yaml'), VALUES);
});

test('get prints plain values, YAML for collections, JSON with --json', (t) => {
  const cwd = tempTree(t, { 'v.yaml': VALUES, 'm.yaml': MULTI });
  assert.equal(expect(cli(['get', 'v.yaml', 'image.tag'], { cwd }), 0).stdout, '1.9\n');
  assert.equal(expect(cli(['get', 'v.yaml', '/replicaCount'], { cwd }), 0).stdout, '2\n');
  assert.match(expect(cli(['get', 'v.yaml', 'image'], { cwd }), 0).stdout, /tag: "1\.9"/);
  const [found] = JSON.parse(expect(cli(['get', 'v.yaml', 'image.tag', '--json'], { cwd }), 0).stdout);
  assert.deepEqual([found.path, found.type, found.value, found.line], ['image.tag', 'string', '1.9', 4]);
});

test('get --all and --select narrow or widen matches in multi-document files', (t) => {
  const cwd = tempTree(t, { 'm.yaml': MULTI });
  assert.match(expect(cli(['get', 'm.yaml', 'spec.replicas'], { cwd }), 1).stderr, /ambiguous/);
  assert.equal(expect(cli(['get', 'm.yaml', 'spec.replicas', '--all'], { cwd }), 0).stdout, '1\n1\n');
  const [one] = JSON.parse(expect(cli(['get', 'm.yaml', 'spec.replicas', '--select', 'metadata.name=worker', '--json'], { cwd }), 0).stdout);
  assert.equal(one.doc, 1);
});

test('an edit error exits 1 with the code frame on stderr, and the file is untouched', (t) => {
  const cwd = tempTree(t, { 'v.yaml': VALUES });
  const r = expect(cli(['set', 'v.yaml', 'imagee.tag', '1.10'], { cwd }), 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^error\[not-found\]/);
  assert.match(r.stderr, /v\.yaml:\d+:\d+/);
  assert.match(r.stderr, /\|.*\n.*\^/s, 'code frame');
  assert.match(r.stderr, /did you mean `image`/);
  assert.equal(read(cwd, 'v.yaml'), VALUES);
  assert.deepEqual(tempLeftovers(cwd), []);
});

test('a missing file exits 1 naming the file', (t) => {
  const cwd = tempTree(t);
  assert.match(expect(cli(['set', 'nope.yaml', 'a', 'b'], { cwd }), 1).stderr, /nope\.yaml: no such file/);
});

test('--json on an error prints the structured error on stdout too', (t) => {
  const cwd = tempTree(t, { 'v.yaml': VALUES });
  const r = expect(cli(['set', 'v.yaml', 'imagee.tag', '1.10', '--json'], { cwd }), 1);
  const { error } = JSON.parse(r.stdout);
  assert.equal(error.kind, 'not-found');
  assert.equal(error.segment, 'imagee');
  assert.equal(error.file, 'v.yaml');
});

test('set writes the value byte-exactly and prints what changed', (t) => {
  const cwd = tempTree(t, { 'v.yaml': VALUES });
  const r = expect(cli(['set', 'v.yaml', 'image.tag', '1.10'], { cwd }), 0);
  assert.equal(read(cwd, 'v.yaml'), VALUES.replace('"1.9"', '"1.10"'));
  assert.equal(r.stdout, 'v.yaml:4:8: image.tag: 1.9 -> 1.10\n');
  const again = expect(cli(['set', 'v.yaml', 'image.tag', '1.10'], { cwd }), 0);
  assert.equal(again.stdout, 'v.yaml: unchanged (already up to date)\n');
});

test('set --type and --create', (t) => {
  const cwd = tempTree(t, { 'v.yaml': VALUES });
  expect(cli(['set', 'v.yaml', 'replicaCount', '3', '--type', 'int'], { cwd }), 0);
  assert.match(read(cwd, 'v.yaml'), /\nreplicaCount: 3\n$/);
  expect(cli(['set', 'v.yaml', 'replicaCount', '--type', 'int', '--', '-1'], { cwd }), 0);
  assert.match(read(cwd, 'v.yaml'), /\nreplicaCount: -1\n$/, 'a value starting with - after --');
  expect(cli(['set', 'v.yaml', 'replicaCount', '4'], { cwd }), 0);
  assert.match(read(cwd, 'v.yaml'), /\nreplicaCount: 4\n$/, 'an int given an int stays an int');
  expect(cli(['set', 'v.yaml', 'replicaCount', '04'], { cwd }), 0);
  assert.match(read(cwd, 'v.yaml'), /\nreplicaCount: (["'])04\1\n$/, 'anything else is a string by default');
  expect(cli(['set', 'v.yaml', 'image.digest', 'sha256:abc'], { cwd }), 1);
  expect(cli(['set', 'v.yaml', 'image.digest', 'sha256:abc', '--create'], { cwd }), 0);
  assert.equal(JSON.parse(cli(['get', 'v.yaml', 'image.digest', '--json'], { cwd }).stdout)[0].value, 'sha256:abc');
});

test('set --select and --all in a multi-document file', (t) => {
  const cwd = tempTree(t, { 'm.yaml': MULTI });
  expect(cli(['set', 'm.yaml', 'spec.replicas', '3', '--type', 'int'], { cwd }), 1);
  expect(cli(['set', 'm.yaml', 'spec.replicas', '3', '--type', 'int', '--select', 'metadata.name=worker'], { cwd }), 0);
  assert.equal(read(cwd, 'm.yaml'), MULTI.replace(/(worker\nspec:\n {2}replicas: )1/, '$13'));
  expect(cli(['set', 'm.yaml', 'spec.replicas', '5', '--type', 'int', '--all'], { cwd }), 0);
  assert.equal(read(cwd, 'm.yaml'), MULTI.replaceAll('replicas: 1', 'replicas: 5'));
});

test('--dry-run prints a unified diff and writes nothing', (t) => {
  const cwd = tempTree(t, { 'v.yaml': VALUES });
  const r = expect(cli(['set', 'v.yaml', 'image.tag', '1.10', '--dry-run'], { cwd }), 0);
  assert.equal(r.stdout, '--- a/v.yaml\n+++ b/v.yaml\n@@ -1,7 +1,7 @@\n # values\n image:\n   # pinned\n-  tag: "1.9"\n+  tag: "1.10"\n   pullPolicy: Always  # or IfNotPresent\n \n replicaCount: 2\n');
  assert.equal(read(cwd, 'v.yaml'), VALUES);
});

test('--check exits 1 when a change would be made, 0 when none, and writes nothing', (t) => {
  const cwd = tempTree(t, { 'v.yaml': VALUES });
  const r = expect(cli(['set', 'v.yaml', 'image.tag', '1.10', '--check'], { cwd }), 1);
  assert.match(r.stderr, /would change v\.yaml/);
  assert.equal(read(cwd, 'v.yaml'), VALUES);
  expect(cli(['set', 'v.yaml', 'image.tag', '1.9', '--check'], { cwd }), 0);
});

test('--json reports changed and unchanged files with their changes', (t) => {
  const cwd = tempTree(t, { 'v.yaml': VALUES });
  const report = JSON.parse(expect(cli(['set', 'v.yaml', 'image.tag', '1.10', '--json'], { cwd }), 0).stdout);
  assert.equal(report.written, true);
  assert.deepEqual(report.changed.map((c) => c.file), ['v.yaml']);
  assert.equal(report.changed[0].changes[0].new, '1.10');
  const dry = JSON.parse(expect(cli(['set', 'v.yaml', 'image.tag', '2', '--json', '--dry-run'], { cwd }), 0).stdout);
  assert.equal(dry.written, false);
  assert.match(dry.changed[0].diff, /^-  tag: "1\.10"/m);
});

test('remove deletes the key, with --select and --all', (t) => {
  const cwd = tempTree(t, { 'v.yaml': VALUES, 'm.yaml': MULTI });
  expect(cli(['remove', 'v.yaml', 'image.pullPolicy'], { cwd }), 0);
  assert.equal(read(cwd, 'v.yaml'), VALUES.replace('  pullPolicy: Always  # or IfNotPresent\n', ''));
  expect(cli(['remove', 'v.yaml', 'image.pullPolicy'], { cwd }), 1);
  expect(cli(['remove', 'm.yaml', 'spec.replicas', '--select', 'metadata.name=api'], { cwd }), 0);
  assert.equal((read(cwd, 'm.yaml').match(/replicas/g) ?? []).length, 1);
  expect(cli(['remove', 'm.yaml', 'metadata.name', '--all', '--dry-run'], { cwd }), 0);
});

test('image on an overlay directory edits its kustomization, checking the image exists', (t) => {
  const cwd = demoTree(t);
  const before = read(cwd, 'overlays/production/kustomization.yaml');
  const r = expect(cli(['image', 'overlays/production', 'ghcr.io/acme/api:1.10.0'], { cwd }), 0);
  assert.match(r.stdout, /^overlays\/production\/kustomization\.yaml:\d+:\d+: .*1\.9\.0 -> 1\.10\.0$/m);
  assert.equal(read(cwd, 'overlays/production/kustomization.yaml'), before.replace('"1.9.0"', '"1.10.0"'));
  const bad = expect(cli(['image', 'overlays/production', 'ghcr.io/acme/apii:2.0'], { cwd }), 1);
  assert.match(bad.stderr, /unknown-image/);
  expect(cli(['image', 'overlays/production', 'ghcr.io/acme/apii:2.0', '--force', '--dry-run'], { cwd }), 0);
});

test('image takes several specs at once, all or none', (t) => {
  const cwd = demoTree(t);
  const before = read(cwd, 'overlays/production/kustomization.yaml');
  expect(cli(['image', 'overlays/production', 'ghcr.io/acme/api:1.10.0', 'ghcr.io/acme/nope:1'], { cwd }), 1);
  assert.equal(read(cwd, 'overlays/production/kustomization.yaml'), before);
  expect(cli(['image', 'overlays/production', 'ghcr.io/acme/api:1.10.0', 'prom/statsd-exporter:v0.27.0'], { cwd }), 0);
  assert.match(read(cwd, 'overlays/production/kustomization.yaml'), /newTag: v0\.27\.0\n[^]*newTag: "1\.10\.0"/);
});

test('image --scan updates every reference below a directory', (t) => {
  const cwd = demoTree(t);
  const r = expect(cli(['image', '.', 'ghcr.io/acme/api:1.10.0', '--scan', '--json'], { cwd }), 0);
  const files = JSON.parse(r.stdout).changed.map((c) => c.file);
  assert.ok(files.includes('overlays/production/kustomization.yaml'), files.join(', '));
});

test('apply runs a YAML or JSON plan file, or a plan on stdin', (t) => {
  const cwd = demoTree(t);
  fs.writeFileSync(path.join(cwd, 'bump.yaml'), 'edits:\n  - file: charts/api/values.yaml\n    set: image.tag\n    value: 1.10\n  - file: overlays/production\n    image: ghcr.io/acme/api:1.10.0\n');
  expect(cli(['apply', 'bump.yaml'], { cwd }), 0);
  assert.match(read(cwd, 'charts/api/values.yaml'), /tag: "1\.10"/);
  assert.match(read(cwd, 'overlays/production/kustomization.yaml'), /newTag: "1\.10\.0"/);
  fs.writeFileSync(path.join(cwd, 'bump.json'), JSON.stringify({ edits: [{ file: 'charts/api/values.yaml', set: 'replicaCount', value: 5 }] }));
  expect(cli(['apply', 'bump.json'], { cwd }), 0);
  assert.match(read(cwd, 'charts/api/values.yaml'), /replicaCount: 5\n/);
  expect(cli(['apply', '-'], { cwd, input: '- file: charts/api/values.yaml\n  remove: image.pullPolicy\n' }), 0);
  assert.doesNotMatch(read(cwd, 'charts/api/values.yaml'), /pullPolicy/);
});

test('apply with an invalid plan exits 2 naming the entry and field, touching nothing', (t) => {
  const cwd = demoTree(t);
  const before = read(cwd, 'charts/api/values.yaml');
  fs.writeFileSync(path.join(cwd, 'bad.yaml'), 'edits:\n  - file: charts/api/values.yaml\n    set: image.tag\n    value: "2"\n  - file: charts/api/values.yaml\n    set: image.tag\n');
  assert.match(expect(cli(['apply', 'bad.yaml'], { cwd }), 2).stderr, /edits\[1\]\.value: is required/);
  assert.match(expect(cli(['apply', 'missing.yaml'], { cwd }), 1).stderr, /no such file/);
  assert.equal(read(cwd, 'charts/api/values.yaml'), before);
});

/** A checkout of a fresh bare remote holding the demo repo. */
function demoCheckout(t) {
  const base = tempTree(t);
  const remote = path.join(base, 'remote.git');
  git(base, 'init', '--quiet', '--bare', remote);
  const work = path.join(base, 'work');
  fs.cpSync(path.join(demoTree(t)), work, { recursive: true });
  git(work, 'init', '--quiet');
  git(work, 'add', '.');
  git(work, 'commit', '--quiet', '-m', 'initial');
  git(work, 'remote', 'add', 'origin', remote);
  git(work, 'push', '--quiet', 'origin', 'HEAD:main');
  return { base, remote, work };
}

test('--commit commits the edited file in its checkout with the default author', (t) => {
  const { work } = demoCheckout(t);
  const r = expect(cli(['set', 'charts/api/values.yaml', 'image.tag', '1.10', '--commit', '--message', 'bump {files}'], { cwd: work }), 0);
  assert.match(r.stdout, /^commit [0-9a-f]{40}/m);
  assert.equal(git(work, 'log', '-1', '--format=%an <%ae>'), 'gitops-bump <gitops-bump@users.noreply.github.com>');
  assert.equal(git(work, 'show', '--name-only', '--format=', 'HEAD'), 'charts/api/values.yaml');
  assert.match(git(work, 'log', '-1', '--format=%s'), /^bump .*charts\/api\/values\.yaml/);
  assert.equal(git(work, 'status', '--porcelain'), '');
});

test('--push pushes the commit to the remote; --json reports it', (t) => {
  const { work, remote } = demoCheckout(t);
  const r = expect(cli(['image', 'overlays/production', 'ghcr.io/acme/api:1.10.0', '--push', '--json', '--author', 'Bot <bot@example.com>'], { cwd: work }), 0);
  const report = JSON.parse(r.stdout);
  assert.equal(report.pushed, true);
  assert.match(report.commit, /^[0-9a-f]{40}$/);
  assert.equal(git(remote, 'rev-parse', 'main'), report.commit);
  assert.equal(git(remote, 'log', '-1', '--format=%an', 'main'), 'Bot');
  assert.match(git(remote, 'show', 'main:overlays/production/kustomization.yaml'), /newTag: "1\.10\.0"/);
});

test('--remote, --branch, --message and --source-sha choose where and what is pushed', (t) => {
  const { work, base } = demoCheckout(t);
  const upstream = path.join(base, 'upstream.git');
  git(base, 'init', '--quiet', '--bare', upstream);
  git(work, 'remote', 'add', 'upstream', upstream);
  git(work, 'push', '--quiet', 'upstream', 'HEAD:release');
  expect(cli(['set', 'charts/api/values.yaml', 'image.tag', '1.10', '--push', '--remote', 'upstream', '--branch', 'release',
    '--message', 'deploy {tags} from {sha}', '--source-sha', 'abc1234def'], { cwd: work }), 0);
  assert.match(git(upstream, 'log', '-1', '--format=%s', 'release'), /^deploy .*1\.10.* from abc1234/);
  assert.match(git(upstream, 'show', 'release:charts/api/values.yaml'), /tag: "1\.10"/);
});

test('the git flags become runPipeline options, one for one', () => {
  const env = { GITHUB_REPOSITORY: 'acme/app' };
  const o = gitOptions({ pr: true, base: 'main', title: 'T {tags}', body: 'B', label: ['a', 'b'], draft: true, 'token-env': 'BOT_TOKEN',
    'github-repo': 'acme/config', 'api-url': 'https://ghe.example.com/api/v3', retries: '7', author: 'Bot <bot@example.com>', remote: 'up', branch: 'deploy', message: 'm', 'pr-branch': 'deploy/api', sign: 'ssh', 'signing-key-env': 'BOT_KEY', forge: 'gitea',
    'pr-overwrite': true, reviewer: ['alice'], 'team-reviewer': ['platform'], assignee: ['carol'], milestone: '3' }, env);
  assert.deepEqual({ ...o, env: undefined }, {
    commit: false, push: false, pr: true, apiCommit: false, repo: undefined, remote: 'up', branch: 'deploy', message: 'm',
    author: 'Bot <bot@example.com>', retries: 7, base: 'main', title: 'T {tags}', body: 'B', labels: ['a', 'b'], draft: true,
    prBranch: 'deploy/api', prOverwrite: true, reviewers: ['alice'], teamReviewers: ['platform'], assignees: ['carol'], milestone: 3, tokenEnv: 'BOT_TOKEN', forge: 'gitea', frontEnd: 'cli', sign: 'ssh', signingKeyEnv: 'BOT_KEY', githubRepo: 'acme/config', apiUrl: 'https://ghe.example.com/api/v3', sourceSha: undefined, env: undefined,
  });
  assert.throws(() => gitOptions({ push: true, 'signing-key-env': 'K' }, env), /--signing-key-env names the key of --sign/);
  assert.throws(() => gitOptions({ pr: true, milestone: 'v1' }, env), /--milestone: expected the milestone's number, got `v1`/);
  assert.throws(() => gitOptions({ push: true, reviewer: ['alice'] }, env), /--reviewer is a pull request field: add --pr/);
  assert.equal(o.env, env);
  assert.equal(gitOptions({}, env), null, 'no git flag, no pipeline');
  assert.equal(gitOptions({ 'api-commit': true }, env).tokenEnv, 'GITHUB_TOKEN');
  assert.equal(gitOptions({ repo: 'https://example.invalid/c.git' }, env).repo, 'https://example.invalid/c.git');
});

test('--repo clones the remote, edits and pushes there', (t) => {
  const { remote, base } = demoCheckout(t);
  const elsewhere = tempTree(t);
  expect(cli(['set', 'charts/api/values.yaml', 'image.tag', '1.10', '--repo', remote, '--branch', 'main'], { cwd: elsewhere }), 0);
  assert.match(git(remote, 'show', 'main:charts/api/values.yaml'), /tag: "1\.10"/);
  assert.ok(fs.existsSync(base));
});

test('a push that cannot succeed exits 3, and an edit error inside the pipeline still exits 1', (t) => {
  const { work } = demoCheckout(t);
  git(work, 'remote', 'set-url', 'origin', path.join(work, 'no-such-remote.git'));
  const r = expect(cli(['set', 'charts/api/values.yaml', 'image.tag', '1.10', '--push', '--retries', '0'], { cwd: work }), 3);
  assert.match(r.stderr, /^error\[/m);
  expect(cli(['set', 'charts/api/values.yaml', 'image.tagg', '1.10', '--push', '--retries', '0'], { cwd: work }), 1);
});

test('playground serves the page on 127.0.0.1 until interrupted', async (t) => {
  const cwd = tempTree(t);
  const child = cliAsync(['playground', '--port', '0'], { cwd });
  t.after(() => child.kill('SIGKILL'));
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`playground exited ${code}: ${out}`)));
    setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 15_000);
  });
  const res = await fetch(url);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /<html/i);
  const code = await new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', resolve);
    child.kill('SIGINT');
  });
  assert.equal(code, 0);
});
