// The CLI's usage errors speak our words: "did you mean" for a mistyped command, option,
// --type value or --select value; a negative number is a VALUE; each command's help names
// only the options and exit codes it has.
import test from 'node:test';
import assert from 'node:assert/strict';
import { cli, read, tempTree } from './helpers.js';

const MULTI = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 1\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: api\n';

/** A temp dir with values.yaml and deploy.yaml. */
const tree = (t) => tempTree(t, { 'values.yaml': 'replicaCount: 2\nimage:\n  tag: "1.9"\n', 'deploy.yaml': MULTI });

/**
 * Runs a command that must fail as a usage error, leaving the files as they were.
 * @returns {string} stderr
 */
function usage(t, args) {
  const dir = tree(t);
  const r = cli(args, { cwd: dir });
  assert.equal(r.code, 2, `exit 2 for ${args.join(' ')}: ${r.stderr}`);
  assert.equal(r.stdout, '');
  assert.equal(read(dir, 'values.yaml'), 'replicaCount: 2\nimage:\n  tag: "1.9"\n');
  assert.doesNotMatch(r.stderr, /To specify a positional argument|Unknown option|argument is ambiguous/, 'no raw Node parser message');
  return r.stderr;
}

test('a mistyped command gets a did-you-mean', (t) => {
  assert.match(usage(t, ['sett', 'values.yaml', 'a', 'b']), /^error\[usage\]: unknown command `sett`\n {2}= help: did you mean `set`\?\n/);
  assert.match(usage(t, ['imgae', '.', 'api:1']), /did you mean `image`\?/);
  assert.match(usage(t, ['--verison']), /^error\[usage\]: unknown option `--verison`\n {2}= help: did you mean `--version`\?/);
  assert.doesNotMatch(usage(t, ['frobnicate']), /did you mean/, 'nothing close, no guess');
});

test('a mistyped option gets a did-you-mean in our words, with the usage line', (t) => {
  const err = usage(t, ['set', 'values.yaml', 'image.tag', '1.10', '--dryrun']);
  assert.equal(err, 'error[usage]: unknown option `--dryrun` for `set`\n  = help: did you mean `--dry-run`?\n'
    + '  = usage: gitops-bump set FILE PATH VALUE [--type T] [--create] [--select S] [--all]\n  = help: gitops-bump set --help\n');
  assert.match(usage(t, ['image', '.', 'api:1', '--sacn']), /did you mean `--scan`\?/);
  assert.match(usage(t, ['get', 'values.yaml', 'image.tag', '--dry-run']), /unknown option `--dry-run` for `get`\n {2}= help: --dry-run is an option of set, remove, image, (?:\w+, )*apply/);
  assert.match(usage(t, ['set', 'values.yaml', 'image.tag', '1.10', '-x']), /unknown option `-x` for `set`/);
  assert.match(usage(t, ['set', 'values.yaml', 'image.tag', '--select']), /--select needs a value/);
  assert.match(usage(t, ['set', 'values.yaml', 'image.tag', 'x', '--select', '-k']), /--select needs a value\n {2}= help: a value that starts with "-" is written --select=-k/);
  assert.match(usage(t, ['set', 'values.yaml', 'image.tag', 'x', '--all=yes']), /--all takes no value \(got `yes`\)/);
});

test('a mistyped --type value gets a did-you-mean before anything is read', (t) => {
  assert.match(usage(t, ['set', 'values.yaml', 'replicaCount', '3', '--type', 'integer']),
    /^error\[usage\]: --type: expected one of string, int, float, bool, null, yaml, got `integer`\n {2}= help: did you mean `int`\?/);
  assert.match(usage(t, ['set', 'values.yaml', 'replicaCount', 'true', '--type', 'boolean']), /did you mean `bool`\?/);
  assert.match(usage(t, ['set', 'values.yaml', 'replicaCount', '3', '--type', 'strnig']), /did you mean `string`\?/);
});

test('a mistyped --select value or field gets a did-you-mean (exit 1: the file has no such document)', (t) => {
  const dir = tree(t);
  const value = cli(['set', 'deploy.yaml', 'spec.replicas', '3', '--select', 'kind=Deploymnt'], { cwd: dir });
  assert.equal(value.code, 1);
  assert.match(value.stderr, /no document matches the selector `kind=Deploymnt`[\s\S]*= help: did you mean `kind=Deployment`\?/);
  const second = cli(['set', 'deploy.yaml', 'spec.replicas', '3', '--select', 'kind=Deployment,metadata.name=apii'], { cwd: dir });
  assert.match(second.stderr, /= help: did you mean `metadata\.name=api`\?/);
  const field = cli(['get', 'deploy.yaml', 'spec.replicas', '--select', 'metadata.nme=api'], { cwd: dir });
  assert.match(field.stderr, /= help: no document has `metadata\.nme`: did you mean `name`\?/);
  assert.equal(read(dir, 'deploy.yaml'), MULTI);
});

test('a negative number is a VALUE, not an option', (t) => {
  const dir = tree(t);
  const r = cli(['set', 'values.yaml', 'replicaCount', '-1', '--type', 'int'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(read(dir, 'values.yaml'), /^replicaCount: -1\n/);
  const f = cli(['set', 'values.yaml', 'image.tag', '-0.5', '--type', 'float'], { cwd: dir });
  assert.equal(f.code, 0, f.stderr);
  assert.match(read(dir, 'values.yaml'), /tag: -0\.5\n/);
  const s = cli(['set', 'values.yaml', 'image.tag', '-2'], { cwd: dir });
  assert.equal(s.code, 0, s.stderr);
  assert.match(read(dir, 'values.yaml'), /tag: "-2"\n/, 'without --type a string, quoted');
});

test('any other VALUE that starts with "-" goes after "--", and --help says so', (t) => {
  const dir = tree(t);
  const r = cli(['set', 'values.yaml', 'args', '--create', '--', '--verbose'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(read(dir, 'values.yaml'), /\nargs: --verbose\n$/);
  for (const args of [['--help'], ['set', '--help']]) {
    const help = cli(args, { cwd: dir });
    assert.equal(help.code, 0);
    assert.match(help.stdout, /A VALUE that starts with "-" is read as an option, except a negative number\n\(-1, -0\.5\): put "--" before such a value, after the options/);
  }
  // the error itself says so where the VALUE goes, with the command to type
  const unknown = cli(['set', 'values.yaml', 'args', '--verbose'], { cwd: dir });
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^error\[usage\]: unknown option `--verbose` for `set`\n {2}= help: a VALUE that starts with "-" goes after "--": gitops-bump set values\.yaml args -- --verbose\n/);
  assert.doesNotMatch(cli(['set', 'values.yaml', '--verbose', 'args', 'x'], { cwd: dir }).stderr, /goes after "--"/, 'not where a FILE or PATH goes');
  const after = cli(['set', 'values.yaml', 'args', '--', '--help'], { cwd: dir });
  assert.equal(after.code, 0, 'a --help after -- is a value');
  assert.match(read(dir, 'values.yaml'), /\nargs: --help\n$/);
});

test('get --help and playground --help speak only of what they take', (t) => {
  const dir = tree(t);
  for (const command of ['get', 'playground', 'completion']) {
    const help = cli([command, '--help'], { cwd: dir });
    assert.equal(help.code, 0);
    assert.doesNotMatch(help.stdout, /--check|--dry-run|git or API/, `${command} --help`);
    assert.match(help.stdout, /^Exit codes: 0 /m);
  }
  for (const command of ['set', 'remove', 'image', 'apply']) {
    assert.match(cli([command, '--help'], { cwd: dir }).stdout, /--check: a change\nwould be made/);
  }
});
