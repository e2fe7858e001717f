// What each front end reports about one edit of a real-world-shaped config repository
// (tests/reports/config-repo: a podinfo-style overlay whose image has no tag pinned yet and a
// bitnami-style Helm values file): where the new value is, and a change of its type. The
// CLI (text and --json), the Action's bundle run as the runner runs it (outputs, summary,
// annotations, log) and the orb's script with the real CLI on its PATH must agree.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { cli, tempTree, read, BIN, ROOT } from '../../pkg/test/helpers.js';
import { configRepo, runAction } from '../action/helpers.js';

const REPO = path.join(ROOT, 'tests', 'reports', 'config-repo');
const OVERLAY = 'deploy/overlays/production';
const KUSTOMIZATION = `${OVERLAY}/kustomization.yaml`;
const VALUES = 'charts/redis/values.yaml';
const PODINFO = 'ghcr.io/stefanprodan/podinfo:6.5.4';

/** The fixture repository's files, relative path -> text. */
function repoFiles(dir = REPO, prefix = '') {
  const out = {};
  for (const name of fs.readdirSync(dir)) {
    const p = path.join(dir, name);
    if (fs.statSync(p).isDirectory()) Object.assign(out, repoFiles(p, `${prefix}${name}/`));
    else out[`${prefix}${name}`] = fs.readFileSync(p, 'utf8');
  }
  return out;
}

/** 1-based line and column of the first occurrence of `needle` in `text`. */
function where(text, needle) {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, `${JSON.stringify(needle)} not in\n${text}`);
  const before = text.slice(0, at);
  return { line: before.split('\n').length, column: at - before.lastIndexOf('\n') };
}

/** Runs the command and fails with its output when the exit code differs. */
function ok(r, code = 0) {
  assert.equal(r.code, code, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

test('CLI: an inserted newTag is reported on its new line, in the text and in --json', (t) => {
  const cwd = tempTree(t, repoFiles());
  const out = ok(cli(['image', OVERLAY, PODINFO], { cwd })).stdout;
  const after = read(cwd, KUSTOMIZATION);
  const at = where(after, '6.5.4');
  assert.deepEqual(at, { line: 9, column: 13 });
  assert.equal(out, `${KUSTOMIZATION}:9:13: images[0].newTag: added 6.5.4\n`);
  const json = tempTree(t, repoFiles());
  const report = JSON.parse(ok(cli(['image', OVERLAY, PODINFO, '--json'], { cwd: json })).stdout);
  const [change] = report.changed[0].changes;
  assert.deepEqual([change.line, change.column, change.kind], [9, 13, 'insert']);
});

test('CLI: a change of type is made and shown, in the text and in --json', (t) => {
  const cwd = tempTree(t, repoFiles());
  const out = ok(cli(['set', VALUES, 'replicaCount', 'three'], { cwd })).stdout;
  assert.equal(out, `${VALUES}:3:15: replicaCount: 1 -> three (int -> string)\n`);
  assert.match(read(cwd, VALUES), /^replicaCount: three$/m);
  const json = tempTree(t, repoFiles());
  const [change] = JSON.parse(ok(cli(['set', VALUES, 'replicaCount', 'three', '--json'], { cwd: json })).stdout).changed[0].changes;
  assert.deepEqual([change.oldType, change.newType, change.line, change.column], ['int', 'string', 3, 15]);
  assert.match(ok(cli(['set', '--help'], { cwd })).stdout, /A change of\s+type \(replicaCount 1 -> three\) is made and always shown/);
});

test('CLI: a plan entry that removes a line above an earlier entry moves what that entry reported', (t) => {
  const plan = [
    { file: VALUES, set: 'image.pullPolicy', value: 'Always' },
    { file: VALUES, remove: 'image.registry' },
  ];
  const cwd = tempTree(t, { ...repoFiles(), 'plan.json': JSON.stringify({ edits: plan }) });
  const report = JSON.parse(ok(cli(['apply', 'plan.json', '--json'], { cwd })).stdout);
  const after = read(cwd, VALUES);
  const [set, removed] = report.changed[0].changes;
  assert.deepEqual([set.line, set.column], [where(after, 'Always').line, where(after, 'Always').column]);
  assert.equal(set.line, 10);
  assert.equal(removed.line, 7);
});

test('CLI: the same image twice in one plan is refused for the same target, as on the command line', (t) => {
  const plan = { edits: [{ file: OVERLAY, image: PODINFO }, { file: OVERLAY, image: 'ghcr.io/stefanprodan/podinfo=mirror.acme.io/podinfo:6.5.5' }] };
  const cwd = tempTree(t, { ...repoFiles(), 'plan.json': JSON.stringify(plan) });
  const r = ok(cli(['apply', 'plan.json'], { cwd }), 2);
  assert.match(r.stderr, /edits\[1\]\.image: the image `ghcr\.io\/stefanprodan\/podinfo` is given twice for `deploy\/overlays\/production`/);
  assert.equal(read(cwd, KUSTOMIZATION), repoFiles()[KUSTOMIZATION]);
  // the same image in two targets is two edits, not a repetition
  const two = tempTree(t, { ...repoFiles(), 'plan.json': JSON.stringify({ edits: [{ file: OVERLAY, image: PODINFO }, { scan: 'deploy', image: PODINFO }] }) });
  ok(cli(['apply', 'plan.json', '--dry-run'], { cwd: two }));
  assert.match(ok(cli(['image', OVERLAY, PODINFO, 'ghcr.io/stefanprodan/podinfo:6.5.5'], { cwd }), 2).stderr, /given twice/);
});

test('Action: the changes output, the summary and the log carry the new value’s place and the change of type', async (t) => {
  const repo = configRepo(t, { files: repoFiles() });
  const r = await runAction(t, {
    workspace: repo.clone(),
    inputs: { mode: 'dry-run', images: PODINFO, targets: OVERLAY, set: `- file: ${VALUES}\n  path: replicaCount\n  value: three\n` },
  });
  ok(r);
  const rows = JSON.parse(r.outputs.changes);
  assert.deepEqual(
    rows.map((x) => [x.file, x.path, x.line, x.column, x.typeChanged]),
    [
      [KUSTOMIZATION, 'images[0].newTag', 9, 13, false],
      [VALUES, 'replicaCount', 3, 15, true],
    ],
  );
  assert.deepEqual([rows[1].oldType, rows[1].newType], ['int', 'string']);
  assert.ok(r.summary.includes(`\`${KUSTOMIZATION}:9:13\``), r.summary);
  assert.ok(r.summary.includes(`\`${VALUES}:3:15\` | \`replicaCount\` | \`1\` → \`three\` **(int → string)**`), r.summary);
  assert.match(r.summary, /one value changed its type/);
  assert.match(r.stdout, /^::warning file=charts\/redis\/values\.yaml,line=3,col=15,title=gitops-bump%3A type changed in charts\/redis\/values\.yaml::replicaCount: 1 -> three changed the value's type \(int -> string\)$/m);
  assert.match(r.stdout, /^charts\/redis\/values\.yaml:3:15: replicaCount: 1 -> three \(int -> string\)$/m);
  // an inserted value is said as the CLI and the orb say it (one change line: pkg/src/summary.js)
  assert.match(r.stdout, /^deploy\/overlays\/production\/kustomization\.yaml:9:13: images\[0\]\.newTag: added 6\.5\.4$/m);
  assert.ok(r.summary.includes(`\`${KUSTOMIZATION}:9:13\` | \`images[0].newTag\` | added \`6.5.4\` |`), r.summary);
});

test('Action: the same image twice in `images` is refused naming both lines; the orb’s mode spellings are taken', async (t) => {
  const repo = configRepo(t, { files: repoFiles() });
  const ws = repo.clone();
  const twice = await runAction(t, { workspace: ws, inputs: { mode: 'dry-run', images: `${PODINFO}\nredis:7.2\nghcr.io/stefanprodan/podinfo@sha256:${'a'.repeat(64)}`, targets: OVERLAY } });
  ok(twice, 2);
  assert.match(twice.stdout, /::error title=gitops-bump%3A invalid input 'images'::.*line 3 .* names the image ghcr\.io\/stefanprodan\/podinfo again \(line 1: /);
  const underscored = await runAction(t, { workspace: ws, inputs: { mode: 'dry_run', images: PODINFO, targets: OVERLAY } });
  ok(underscored);
  assert.equal(underscored.outputs.changed, 'true');
  assert.match(underscored.summary, /Dry run: nothing was written/);
});

/** Runs the orb's bump script as a CircleCI step would, with the real CLI on the PATH. */
function orbStep(t, cwd, params) {
  const bin = tempTree(t, { 'gitops-bump': `#!/usr/bin/env bash\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"\n` });
  fs.chmodSync(path.join(bin, 'gitops-bump'), 0o755);
  const env = { PATH: `${bin}:${process.env.PATH}`, HOME: process.env.HOME };
  for (const [k, v] of Object.entries(params)) env[`PARAM_${k}`] = v;
  const r = spawnSync('bash', [path.join(ROOT, 'orb', 'src', 'scripts', 'bump.sh')], { cwd, env, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('Action: a push from a checkout without the remote names no option the Action lacks (the CLI\'s --remote)', async (t) => {
  const repo = configRepo(t, { files: repoFiles() });
  const work = repo.clone();
  spawnSync('git', ['remote', 'remove', 'origin'], { cwd: work });
  const r = await runAction(t, { workspace: work, inputs: { mode: 'push', images: PODINFO, targets: OVERLAY } });
  assert.equal(r.code, 3, r.stdout);
  assert.match(r.stdout, /cannot push: this checkout has no remote `origin` \(add one with git remote add origin URL\); nothing was edited or committed/);
  assert.doesNotMatch(r.stdout, /--remote\b/);
});

test('CLI: a hint that names a file names it as the user did (from a subdirectory of the checkout), and following it works', (t) => {
  const dir = tempTree(t, repoFiles());
  spawnSync('git', ['init', '-q'], { cwd: dir });
  const cwd = path.join(dir, 'charts', 'redis');
  const r = ok(cli(['image', 'values.yaml', 'docker.io/acme/nope:1'], { cwd }), 1);
  assert.match(r.stderr, /^error\[unknown-image\]: `values\.yaml` references no image `docker\.io\/acme\/nope`$/m);
  const hint = /= help: .*\(gitops-bump (set [^ ]+ image\.tag) TAG\)/.exec(r.stderr);
  assert.ok(hint, r.stderr);
  assert.equal(hint[1], 'set values.yaml image.tag', r.stderr);
  assert.doesNotMatch(r.stderr, /charts\/redis\//, 'no path from the checkout\'s root');
  ok(cli([...hint[1].split(' '), '7.4.1'], { cwd }));
  assert.match(read(cwd, 'values.yaml'), /^ {2}tag: 7\.4\.1$/m);
});

test('CLI: --scan of a file says a scan takes a directory and how to edit the file instead; nothing is written', (t) => {
  const dir = tempTree(t, repoFiles());
  const before = read(dir, VALUES);
  const r = ok(cli(['image', VALUES, 'docker.io/bitnami/redis:7.4.1', '--scan', '--json'], { cwd: dir }), 1);
  const e = JSON.parse(r.stdout).error;
  assert.equal(e.file, VALUES);
  assert.match(e.message, /`charts\/redis\/values\.yaml` is a file: a scan reads the files below a directory/);
  assert.match(e.hint, /scan its directory \(`charts\/redis`\), or name the file as the target without a scan to edit it alone/);
  assert.equal(read(dir, VALUES), before);
});

test('Action and orb: an image a Helm values file lacks is answered with their own inputs and parameters, not the CLI\'s commands', async (t) => {
  const repo = configRepo(t, { files: repoFiles() });
  const r = await runAction(t, { workspace: repo.clone(), inputs: { mode: 'dry-run', images: 'docker.io/acme/nope:1', targets: VALUES } });
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stdout, /= help: it is not a kustomization, so no `images:` entry is added; set the chart's key yourself \(an entry `\{file: charts\/redis\/values\.yaml, path: image\.tag, value: TAG\}` in the 'set' input\) or update every reference below a directory \(the 'scan' input set to true, with DIR in the 'targets' input\)/);
  assert.doesNotMatch(r.stdout, /gitops-bump (set|image) |--scan/);
  const orb = cli(['apply', `--image=docker.io/acme/nope:1`, `--target=${VALUES}`], { cwd: tempTree(t, repoFiles()), env: { GITOPS_BUMP_FRONT_END: 'orb' } });
  assert.equal(orb.code, 1, orb.stderr);
  assert.match(orb.stderr, /\(the `file`, `path` and `value` parameters: charts\/redis\/values\.yaml, image\.tag, TAG\) or update every reference below a directory \(the `scan` parameter set to true, with DIR in `targets`\)/);
  assert.doesNotMatch(orb.stderr, /gitops-bump (set|image) |--scan/);
});

test('orb: the log shows the new value’s line and column and the change of type; the same image twice is refused', (t) => {
  const cwd = tempTree(t, repoFiles());
  const r = ok(orbStep(t, cwd, { MODE: 'edit', IMAGES: PODINFO, TARGETS: OVERLAY, FILE: VALUES, PATH: 'replicaCount', VALUE: 'three' }));
  assert.match(r.stdout, /images\[0\]\.newTag: added 6\.5\.4 {3}\(line 9, column 13\)/);
  assert.match(r.stdout, /replicaCount: 1 -> three \(int -> string\) {3}\(line 3, column 15\)/);
  const again = tempTree(t, repoFiles());
  const twice = ok(orbStep(t, again, { MODE: 'edit', IMAGES: `${PODINFO} ghcr.io/stefanprodan/podinfo:6.5.5`, TARGETS: OVERLAY }), 2);
  assert.match(twice.stdout + twice.stderr, /the image `ghcr\.io\/stefanprodan\/podinfo` is given twice for `deploy\/overlays\/production`/);
  assert.equal(read(again, KUSTOMIZATION), repoFiles()[KUSTOMIZATION]);
});

test('CLI: the help of a command that only reads names only its own options (status has no --check)', (t) => {
  const cwd = tempTree(t);
  const own = { get: ['--select', '--all', '--json', '--max-file-size'], status: ['--json', '--markdown'], playground: ['--port'] };
  for (const [command, options] of Object.entries(own)) {
    const help = ok(cli([command, '--help'], { cwd })).stdout;
    const named = [...new Set(help.match(/--[a-z][a-z-]*/g) ?? [])];
    assert.deepEqual(named.filter((o) => !options.includes(o)), [], `${command} --help names options it does not have`);
  }
  assert.match(ok(cli(['status', '--help'], { cwd })).stdout, /Exit codes: 0 printed, 1 an environment that cannot be read/);
});

test('CLI: an empty FILE or PATH, and an argument that is not UTF-8, are refused in the command line’s own words', (t) => {
  const cwd = tempTree(t, repoFiles());
  const path = ok(cli(['set', VALUES, '', '1'], { cwd }), 2).stderr;
  assert.match(path, /^error\[usage\]: the PATH argument is empty\n {2}= help: give a key path, such as image\.tag/);
  assert.doesNotMatch(path, /edits\[0\]|plan/);
  assert.match(ok(cli(['remove', '', 'a'], { cwd }), 2).stderr, /the FILE argument is empty/);
  assert.match(ok(cli(['image', OVERLAY, ''], { cwd }), 2).stderr, /the SPEC argument is empty/);
  // an empty VALUE is a value
  ok(cli(['set', VALUES, 'image.pullPolicy', ''], { cwd }));
  assert.match(read(cwd, VALUES), /^ {2}pullPolicy: ""$/m);
  // bytes that are not UTF-8 reach node as U+FFFD: refused, the file untouched
  const before = read(cwd, VALUES);
  const r = spawnSync('bash', ['-c', `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} set ${VALUES} image.tag $'7.2\\xff'`], { cwd, encoding: 'utf8' });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^error\[usage\]: argument 4 \(`7\.2\uFFFD`\) is not valid UTF-8/);
  assert.equal(read(cwd, VALUES), before);
  // a real U+FFFD typed as UTF-8 is a character like any other
  ok(cli(['set', VALUES, 'image.tag', 'odd\uFFFDtag'], { cwd }));
  assert.match(read(cwd, VALUES), /tag: odd\uFFFDtag/);
});

test('Action: setting an anchored value names the aliases that change with it in the changes output, the summary, the log and an annotation', async (t) => {
  const values = 'image:\n  tag: &tag 7.2.4\nmigrations:\n  image:\n    tag: *tag\n';
  const repo = configRepo(t, { files: { 'values.yaml': values } });
  const r = await runAction(t, { workspace: repo.clone(), inputs: { mode: 'dry-run', set: '- file: values.yaml\n  path: image.tag\n  value: 7.2.5\n' } });
  ok(r);
  const rows = JSON.parse(r.outputs.changes);
  assert.deepEqual(rows.map((x) => [x.path, x.line, x.column, x.aliases]), [['image.tag', 2, 13, ['migrations.image.tag']]]);
  assert.ok(r.summary.includes('| `values.yaml:2:13` | `image.tag` | `7.2.4` → `7.2.5` (also changes `migrations.image.tag`, through an alias) |'), r.summary);
  assert.match(r.stdout, /^values\.yaml:2:13: image\.tag: 7\.2\.4 -> 7\.2\.5 \(also changes migrations\.image\.tag, through an alias\)$/m);
  assert.match(r.stdout, /^::warning file=values\.yaml,line=2,col=13,title=gitops-bump%3A aliases changed too[^:]*::image\.tag is anchored: setting it also changes migrations\.image\.tag, which read it through an alias$/m);
});

test('CLI: setting an anchored value names the aliases that change with it; get refuses an alias bomb naming the limit', (t) => {
  // one tag shared by the app and its migration job through an anchor (a common values shape)
  const values = 'image:\n  tag: &tag 7.2.4\nmigrations:\n  image:\n    tag: *tag\n';
  const cwd = tempTree(t, { 'values.yaml': values });
  assert.equal(ok(cli(['set', 'values.yaml', 'image.tag', '7.2.5'], { cwd })).stdout, 'values.yaml:2:13: image.tag: 7.2.4 -> 7.2.5 (also changes migrations.image.tag, through an alias)\n');
  const [change] = JSON.parse(ok(cli(['set', 'values.yaml', 'image.tag', '7.2.6', '--json'], { cwd })).stdout).changed[0].changes;
  assert.deepEqual(change.aliases, ['migrations.image.tag']);
  const levels = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i <= 5; i++) levels.push(`${'abcdef'[i]}: &${'abcdef'[i]} [${Array(9).fill(`*${'abcdef'[i - 1]}`).join(',')}]`);
  const bomb = tempTree(t, { 'bomb.yaml': `${levels.join('\n')}\n` });
  for (const args of [['get', 'bomb.yaml', 'e'], ['get', 'bomb.yaml', 'e', '--json']]) {
    const r = ok(cli(args, { cwd: bomb }), 1);
    assert.match(r.stdout + r.stderr, /error\[alias\]: `e` expands through aliases beyond the limit: a document may repeat anchored nodes at most 100 times per event it holds/);
    // no value printed: the error (with --json, as the error report) is all there is
    if (args.includes('--json')) assert.equal(JSON.parse(r.stdout).error.kind, 'alias');
    else assert.equal(r.stdout, '');
  }
});
