// What the CLI does for the orb (orb/src/scripts/bump.sh maps parameters to arguments and
// nothing more): the plan of `apply`'s flags, `--mode` in the orb's spelling, the summary
// block in the orb's words, `--report FILE`, `--fail-if-unchanged`, and `--dry-run` /
// `--check` of a clone (`--repo`). Run as the orb runs it: GITOPS_BUMP_FRONT_END=orb.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { cli, expect, git, read, tempTree } from './helpers.js';
import { changeLine, changeText, orbSummary } from '../src/summary.js';

const ORB = { GITOPS_BUMP_FRONT_END: 'orb' };
const KUST = 'resources:\n  - deploy.yaml\nimages:\n  - name: ghcr.io/acme/api\n    newTag: "1.0"\n';
const DEPLOY = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: ghcr.io/acme/api:0.9\n';

test('apply: the flags make the plan: every image in every target, --force, --scan, and one value', (t) => {
  const cwd = tempTree(t, { 'o/dev/kustomization.yaml': KUST, 'o/dev/deploy.yaml': DEPLOY, 'o/prod/kustomization.yaml': KUST, 'o/prod/deploy.yaml': DEPLOY, 'values.yaml': 'image:\n  tag: "1.9" # pinned\nreplicaCount: 1\n' });
  const r = expect(cli(['apply', '--image=ghcr.io/acme/api:1.1', '--target=o/dev', '--target=o/prod', '--file=values.yaml', '--path=image.tag', '--value=-1.10', '--json'], { cwd }), 0);
  const report = JSON.parse(r.stdout);
  assert.deepEqual(report.changed.map((c) => c.file).sort(), ['o/dev/kustomization.yaml', 'o/prod/kustomization.yaml', 'values.yaml']);
  // a value that starts with a dash is a value (the orb passes --value=...)
  assert.equal(read(cwd, 'values.yaml'), 'image:\n  tag: "-1.10" # pinned\nreplicaCount: 1\n');
  // --type: auto is no type; another type is the plan's
  expect(cli(['apply', '--file=values.yaml', '--path=replicaCount', '--value=3', '--type=string'], { cwd }), 0);
  assert.match(read(cwd, 'values.yaml'), /replicaCount: "3"\n/);
  // the overlay check refuses an image the overlay does not use, unless --force
  assert.match(expect(cli(['apply', '--image=ghcr.io/acme/other:2', '--target=o/dev'], { cwd }), 1).stderr, /unknown-image|not used/);
  expect(cli(['apply', '--image=ghcr.io/acme/other:2', '--target=o/dev', '--force'], { cwd }), 0);
  assert.match(read(cwd, 'o/dev/kustomization.yaml'), /name: ghcr.io\/acme\/other/);
});

test('apply: what is missing is named in the front end\'s words; a plan file and the flags together are refused', (t) => {
  const cwd = tempTree(t, { 'values.yaml': 'a: 1\n', 'plan.yaml': 'edits:\n  - file: values.yaml\n    set: a\n    value: "2"\n' });
  const cases = [
    [['--path=image.tag', '--value=1'], /`path` needs `file`/, /--path needs --file/],
    [['--file=values.yaml', '--value=1'], /`file` needs `path`/, /--file needs --path/],
    [['--file=values.yaml', '--path=a'], /`value` is missing/, /--value is missing/],
    [['--target=overlays/dev'], /no images: set `images`/, /no images: set --image/],
    [[], /nothing to do: give `images`, `file` \+ `path` \+ `value`, or `plan`/, /nothing to do: give --image/],
  ];
  for (const [flags, orbWords, cliWords] of cases) {
    assert.match(expect(cli(['apply', ...flags], { cwd, env: ORB }), 2).stderr, orbWords, flags.join(' '));
    assert.match(expect(cli(['apply', ...flags], { cwd }), 2).stderr, cliWords, flags.join(' '));
  }
  assert.match(expect(cli(['apply', 'plan.yaml', '--image=a:1'], { cwd }), 2).stderr, /either a plan file \(plan\.yaml\) or the flags that make a plan \(--image\)/);
  assert.equal(read(cwd, 'values.yaml'), 'a: 1\n');
});

test('--mode: the orb\'s and the Action\'s spellings name the pipeline\'s modes; a bad one is refused in the orb\'s words', (t) => {
  const cwd = tempTree(t, { 'values.yaml': 'a: 1\n' });
  const preview = expect(cli(['apply', '--mode', 'dry_run', '--file=values.yaml', '--path=a', '--value=2'], { cwd, env: ORB }), 0);
  assert.match(preview.stdout, /gitops-bump · dry run · /);
  assert.match(preview.stdout, /\+a: 2/);
  assert.equal(read(cwd, 'values.yaml'), 'a: 1\n', 'dry_run writes nothing');
  expect(cli(['set', 'values.yaml', 'a', '2', '--mode', 'check'], { cwd }), 1);
  expect(cli(['set', 'values.yaml', 'a', '2', '--mode', 'dry-run'], { cwd }), 0);
  const bad = expect(cli(['apply', '--mode', 'merge', '--file=values.yaml', '--path=a', '--value=2'], { cwd, env: ORB }), 2);
  assert.match(bad.stderr, /the `mode` parameter must be one of push, pull_request, api_commit, dry_run, check, edit, got "merge"/);
  assert.match(expect(cli(['set', 'values.yaml', 'a', '2', '--mode', 'edit'], { cwd }), 2).stderr, /--mode must be one of push, pull-request, api-commit, dry-run, check, commit, got "edit"/);
  assert.match(expect(cli(['set', 'values.yaml', 'a', '2', '--mode', 'push', '--pr'], { cwd }), 2).stderr, /--mode push and --pr: give the mode once/);
  assert.equal(read(cwd, 'values.yaml'), 'a: 1\n');
});

test('the orb\'s summary block: changes (type and aliases said), drift with its diff, fail_if_unchanged, errors; --report holds the JSON', (t) => {
  const cwd = tempTree(t, { 'values.yaml': 'base: &b "1.0"\nother: *b\nreplicaCount: 1\n' });
  const report = path.join(cwd, 'out', 'report.json');
  const edit = expect(cli(['apply', '--mode', 'edit', '--file=values.yaml', '--path=replicaCount', '--value=three', '--report', report], { cwd, env: ORB }), 0);
  assert.match(edit.stdout, /^-{72}\ngitops-bump · edit · .*\n-{72}\nchanged {3}values\.yaml\n {12}replicaCount: 1 -> three \(int -> string\) {3}\(line 3, column 15\)\n-{72}\n$/);
  assert.deepEqual(JSON.parse(fs.readFileSync(report, 'utf8')).changed[0].changes[0].new, 'three');
  const aliased = expect(cli(['apply', '--mode', 'edit', '--file=values.yaml', '--path=base', '--value=2.0'], { cwd, env: ORB }), 0);
  assert.match(aliased.stdout, /base: 1\.0 -> 2\.0 \(also changes other, through an alias\) {3}\(line 1, column 10\)/);
  const drift = expect(cli(['apply', '--mode', 'check', '--file=values.yaml', '--path=replicaCount', '--value=4'], { cwd, env: ORB }), 1);
  assert.match(drift.stdout, /DRIFT: the config repository differs[^]*\+replicaCount: "4"/);
  const same = expect(cli(['apply', '--mode', 'edit', '--file=values.yaml', '--path=replicaCount', '--value=three', '--fail-if-unchanged'], { cwd, env: ORB }), 1);
  assert.match(same.stdout, /unchanged values\.yaml \(already up to date\)\nFAILED: nothing had to change and fail_if_unchanged is set\n/);
  assert.match(expect(cli(['set', 'values.yaml', 'replicaCount', 'three', '--fail-if-unchanged'], { cwd }), 1).stderr, /--fail-if-unchanged is set/);
  const failed = expect(cli(['apply', '--mode', 'edit', '--file=values.yaml', '--path=imagee.tag', '--value=1', '--report', report], { cwd, env: ORB }), 1);
  assert.match(failed.stdout, /FAILED \(exit 1\): error\[not-found\]: no key `imagee`[^\n]*\n {2}at values\.yaml:1:1\n/);
  assert.equal(JSON.parse(fs.readFileSync(report, 'utf8')).error.kind, 'not-found');
});

test('orbSummary: commit and pull request in one block; the change line is the CLI\'s', () => {
  const ch = { path: 'images[0].newTag', kind: 'set', old: '1.0', new: '1.1', line: 5, column: 13 };
  const text = orbSummary(
    {
      changed: [{ file: 'overlays/prod/kustomization.yaml', changes: [ch] }],
      unchanged: ['overlays/dev/kustomization.yaml'],
      commit: 'abc123',
      pushed: true,
      attempts: 2,
      pr: { number: 7, url: 'https://github.com/acme/config/pull/7', operation: 'created', branch: 'gitops-bump/api-1a2b', headSha: 'abc123' },
    },
    { mode: 'pull_request', where: 'https://github.com/acme/config.git', exitCode: 0 },
  );
  assert.match(text, /gitops-bump · pull request · https:\/\/github\.com\/acme\/config\.git/);
  assert.match(text, /\n {12}images\[0\]\.newTag: 1\.0 -> 1\.1 {3}\(line 5, column 13\)\n/);
  assert.match(text, /\nunchanged overlays\/dev\/kustomization\.yaml \(already up to date\)\ncommit {4}abc123 pushed after 2 attempts\npull request #7 opened: https:\/\/github\.com\/acme\/config\/pull\/7\nbranch {4}gitops-bump\/api-1a2b at abc123\n/);
  const pr = (/** @type {object} */ p) => orbSummary({ changed: [], unchanged: ['a.yaml'], commit: null, pr: p }, { mode: 'pull_request', where: 'here', exitCode: 0 });
  const closed = pr({ number: 4, url: 'https://github.com/acme/config/pull/4', operation: 'closed', branch: 'gitops-bump/a', headSha: null });
  assert.match(closed, /pull request #4 closed \(the base already holds the values\): https:\/\/github\.com\/acme\/config\/pull\/4\n/);
  assert.doesNotMatch(closed, /branch {4}/);
  assert.match(pr({ number: null, url: null, operation: 'none', branch: 'gitops-bump/a', headSha: null }), /\nno pull request needed\n/);
  // one renderer: plain for the CLI and the orb, Markdown for the Action's summary
  assert.equal(changeLine({ path: 'p', kind: 'insert', new: '' }), 'p: added ""');
  assert.equal(changeLine({ path: 'p', kind: 'remove', old: 'x', aliases: ['q'] }), 'p: removed (also changes q, through an alias)');
  assert.equal(changeText({ path: 'p', old: '1', new: 'a|b', oldType: 'int', newType: 'string', aliases: ['q'] }, { code: (v) => `\`${v}\`` }), '`1` → `a|b` **(int → string)** (also changes `q`, through an alias)');
});

test('--dry-run and --check of a clone (--repo): the clone is compared, nothing is pushed, nothing is left behind', (t) => {
  const seed = tempTree(t, { 'values.yaml': 'replicaCount: 1\n' });
  git(seed, 'init', '-q');
  git(seed, 'add', '.');
  git(seed, 'commit', '-qm', 'seed');
  const bare = tempTree(t);
  git(bare, 'clone', '-q', '--bare', seed, 'config.git');
  const url = `file://${path.join(bare, 'config.git')}`;
  const head = git(bare, '--git-dir=config.git', 'rev-parse', 'HEAD');
  const here = tempTree(t);
  const diff = expect(cli(['set', 'values.yaml', 'replicaCount', '2', '--dry-run', '--repo', url], { cwd: here }), 0);
  assert.match(diff.stdout, /-replicaCount: 1\n\+replicaCount: 2\n/);
  const check = expect(cli(['apply', '--mode', 'check', '--repo', url, '--branch', 'main', '--file=values.yaml', '--path=replicaCount', '--value=2'], { cwd: here, env: ORB }), 1);
  assert.match(check.stdout, /gitops-bump · check · file:\/\/[^]*\nchanged {3}values\.yaml\n[^]*DRIFT/);
  expect(cli(['set', 'values.yaml', 'replicaCount', '1', '--check', '--repo', url], { cwd: here }), 0);
  assert.equal(git(bare, '--git-dir=config.git', 'rev-parse', 'HEAD'), head, 'nothing was pushed');
  assert.deepEqual(fs.readdirSync(here), [], 'nothing was written here');
});
