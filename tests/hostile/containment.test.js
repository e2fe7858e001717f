// Hostile paths, plans and symlinks: nothing is written outside the allowed root (the
// plan's directory, or the repository with git flags), symlinks inside it are followed
// and stay links, and a scan never leaves its directory, never loops and visits each
// real file once.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { expectCases, git, hostile, run, sandbox, snapshot, assertOnlyChanged } from './harness.js';

const VALUES = 'image:\n  repository: ghcr.io/acme/api\n  tag: "1.0" # pinned\n';
const BUMPED = 'image:\n  repository: ghcr.io/acme/api\n  tag: "2.0" # pinned\n';
const OUTSIDE_BUMPED = 'image:\n  tag: "2.0" # must never change\n';
const plan = (...files) => `edits:\n${files.map((f) => `  - file: ${f}\n    set: image.tag\n    value: "2.0"\n`).join('')}`;

// ---- without git: a plan's files must resolve under the plan's directory -------------

hostile('a plan naming ../outside is refused, nothing written', {
  files: { 'root/values.yaml': VALUES, 'root/plan.yaml': plan('values.yaml', '../outside/x.yaml') },
  args: ['apply', 'plan.yaml'],
  code: 1,
  message: /error\[outside-root\]: \.\.\/outside\/x\.yaml: is outside .*root; refusing/,
});

hostile('a plan naming an absolute path outside is refused', {
  files: { 'root/values.yaml': VALUES },
  setup: (s) => fs.writeFileSync(path.join(s.root, 'plan.yaml'), plan(path.join(s.outside, 'x.yaml'))),
  args: ['apply', 'plan.yaml'],
  code: 1,
  message: /outside-root.*x\.yaml: is outside/,
});

hostile('a plan naming a symlink that points outside is refused', {
  files: { 'root/values.yaml': { link: '../outside/x.yaml' }, 'root/plan.yaml': plan('values.yaml') },
  args: ['apply', 'plan.yaml'],
  code: 1,
  message: /values\.yaml: is outside .* \(it resolves to .*outside\/x\.yaml\)/,
});

hostile('a plan naming a file through a directory symlink that points outside is refused', {
  files: { 'root/conf': { link: '../outside' }, 'root/plan.yaml': plan('conf/x.yaml') },
  args: ['apply', 'plan.yaml'],
  code: 1,
  message: /conf\/x\.yaml: is outside/,
});

hostile('a plan with one good and one outside entry writes neither (all or none)', {
  files: { 'root/values.yaml': VALUES, 'root/evil.yaml': { link: '/etc/hostname' }, 'root/plan.yaml': plan('values.yaml', 'evil.yaml') },
  args: ['apply', 'plan.yaml'],
  code: 1,
  message: /evil\.yaml: is outside/,
});

hostile('a plan in a subdirectory may not name files beside it', {
  files: { 'root/values.yaml': VALUES, 'root/plans/bump.yaml': plan('values.yaml') },
  args: ['apply', 'plans/bump.yaml'],
  code: 1,
  message: /values\.yaml: is outside .*plans.*\n[^]*--allow-outside-plan-dir/,
});

hostile('--allow-outside-plan-dir lets a plan name files elsewhere', {
  files: { 'root/values.yaml': VALUES, 'root/plans/bump.yaml': plan('values.yaml', '../outside/x.yaml') },
  args: ['apply', 'plans/bump.yaml', '--allow-outside-plan-dir'],
  code: 0,
  message: /values\.yaml:3:8: image\.tag: 1\.0 -> 2\.0/,
  changes: { 'root/values.yaml': BUMPED, 'outside/x.yaml': OUTSIDE_BUMPED },
});

hostile('a plan on stdin may only name files under the current directory', {
  files: { 'root/values.yaml': VALUES },
  args: ['apply', '-'],
  input: plan('../outside/x.yaml'),
  code: 1,
  message: /\.\.\/outside\/x\.yaml: is outside/,
});

hostile('a symlink inside the plan directory is followed and stays a symlink', {
  files: { 'root/real/values.yaml': VALUES, 'root/values.yaml': { link: 'real/values.yaml' }, 'root/plan.yaml': plan('values.yaml') },
  args: ['apply', 'plan.yaml'],
  code: 0,
  message: /image\.tag: 1\.0 -> 2\.0/,
  changes: { 'root/real/values.yaml': BUMPED },
  check: (s) => assert.equal(fs.readlinkSync(path.join(s.root, 'values.yaml')), 'real/values.yaml'),
});

hostile('a chain of symlinks inside the root is followed to the real file', {
  files: { 'root/a/values.yaml': VALUES, 'root/b.yaml': { link: 'a/values.yaml' }, 'root/c.yaml': { link: 'b.yaml' }, 'root/plan.yaml': plan('c.yaml') },
  args: ['apply', 'plan.yaml'],
  code: 0,
  message: /c\.yaml:3:8: image\.tag/,
  changes: { 'root/a/values.yaml': BUMPED },
});

hostile('a symlink loop is an error, not a hang', {
  files: { 'root/loop.yaml': { link: 'loop.yaml' } },
  args: ['set', 'loop.yaml', 'image.tag', '2.0'],
  code: 1,
  message: /loop\.yaml: .*(ELOOP|too many (levels|symbolic))/i,
});

hostile('a dangling symlink is "no such file"', {
  files: { 'root/gone.yaml': { link: 'nowhere.yaml' } },
  args: ['set', 'gone.yaml', 'image.tag', '2.0'],
  code: 1,
  message: /gone\.yaml: no such file/,
});

hostile('no repository: a symlink in the working directory may not lead out of it', {
  files: { 'root/values.yaml': { link: '../outside/x.yaml' } },
  args: ['set', 'values.yaml', 'image.tag', '2.0'],
  code: 1,
  message: /error\[outside-root\]: values\.yaml: is outside .*root \(a symlink leads to .*outside\/x\.yaml\)/,
  check: (s) => assert.ok(fs.lstatSync(path.join(s.root, 'values.yaml')).isSymbolicLink()),
});

hostile('no repository: a file the user names outside the working directory is edited where it is', {
  files: { 'root/values.yaml': VALUES },
  args: ['set', '../outside/x.yaml', 'image.tag', '2.0'],
  code: 0,
  message: /\.\.\/outside\/x\.yaml:2:8: image\.tag: outside -> 2\.0/,
  changes: { 'outside/x.yaml': OUTSIDE_BUMPED },
});

hostile('a plan naming one file twice (a symlink and its target) keeps both edits', {
  files: {
    'root/values.yaml': VALUES,
    'root/alias.yaml': { link: 'values.yaml' },
    'root/plan.yaml': 'edits:\n  - file: alias.yaml\n    set: image.tag\n    value: "2.0"\n  - file: values.yaml\n    set: image.repository\n    value: ghcr.io/acme/api2\n',
  },
  args: ['apply', 'plan.yaml'],
  code: 0,
  message: /alias\.yaml:3:8: image\.tag: 1\.0 -> 2\.0\nalias\.yaml:2:15: image\.repository/,
  changes: { 'root/values.yaml': 'image:\n  repository: ghcr.io/acme/api2\n  tag: "2.0" # pinned\n' },
});

hostile('an overlay whose kustomization is a symlink outside is refused', {
  files: {
    'root/overlay/kustomization.yaml': { link: '../../outside/kustomization.yaml' },
    'outside/kustomization.yaml': 'images:\n  - name: api\n    newTag: "1.0"\n',
    'root/plan.yaml': 'edits:\n  - file: overlay\n    image: api:2.0\n    force: true\n',
  },
  args: ['apply', 'plan.yaml'],
  code: 1,
  message: /overlay\/kustomization\.yaml: is outside/,
});

hostile('an overlay resource reached through a symlink outside the checkout is refused by the check', {
  setup: (s) => git(s.root, 'init', '-q'), // the check reads below the checkout holding the overlay
  files: {
    'root/overlay/kustomization.yaml': 'resources:\n  - base\nimages:\n  - name: api\n    newTag: "1.0"\n',
    'root/overlay/base': { link: '../../outside/base' },
    'outside/base/kustomization.yaml': 'resources:\n  - deploy.yaml\n',
    'outside/base/deploy.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: api\n',
  },
  args: ['image', 'overlay', 'api:2.0'],
  code: 1,
  message: /overlay\/base: is outside/,
});

// ---- scan: never leaves the root, never loops, each real file once -------------------

const KUSTOMIZATION = 'images:\n  - name: ghcr.io/acme/api\n    newTag: "1.0"\n';
const KUSTOMIZATION_BUMPED = 'images:\n  - name: ghcr.io/acme/api\n    newTag: "2.0"\n';

hostile('scan with two .. symlinks finishes and edits the file once', {
  files: { 'root/app/kustomization.yaml': KUSTOMIZATION, 'root/app/up': { link: '..' }, 'root/app/up2': { link: '..' } },
  args: ['image', '.', 'ghcr.io/acme/api:2.0', '--scan'],
  code: 0,
  message: /^app\/kustomization\.yaml:3:13: images\[0\]\.newTag: 1\.0 -> 2\.0\n$/,
  changes: { 'root/app/kustomization.yaml': KUSTOMIZATION_BUMPED },
});

hostile('scan does not follow a directory symlink that points outside', {
  files: { 'root/app/kustomization.yaml': KUSTOMIZATION, 'root/ext': { link: '../outside' }, 'outside/kustomization.yaml': KUSTOMIZATION },
  args: ['image', '.', 'ghcr.io/acme/api:2.0', '--scan'],
  code: 0,
  message: /^app\/kustomization\.yaml:3:13: images\[0\]\.newTag: 1\.0 -> 2\.0\n$/,
  changes: { 'root/app/kustomization.yaml': KUSTOMIZATION_BUMPED },
});

hostile('scan skips a file symlink that points outside', {
  files: { 'root/app/kustomization.yaml': KUSTOMIZATION, 'root/app/values.yaml': { link: '../../outside/x.yaml' } },
  args: ['image', '.', 'ghcr.io/acme/api:2.0', '--scan'],
  code: 0,
  message: /^app\/kustomization\.yaml:3:13/,
  changes: { 'root/app/kustomization.yaml': KUSTOMIZATION_BUMPED },
});

hostile('scan edits a file reached by a symlink and its real name once', {
  files: { 'root/app/kustomization.yaml': KUSTOMIZATION, 'root/app/k.yaml': { link: 'kustomization.yaml' } },
  args: ['image', '.', 'ghcr.io/acme/api:2.0', '--scan', '--json'],
  code: 0,
  message: /"written": true/,
  changes: { 'root/app/kustomization.yaml': KUSTOMIZATION_BUMPED },
  check: (s, r) => assert.equal(JSON.parse(r.stdout).changed.length, 1),
});

hostile('scan skips .git and node_modules', {
  files: {
    'root/app/kustomization.yaml': KUSTOMIZATION,
    'root/node_modules/pkg/kustomization.yaml': KUSTOMIZATION,
    'root/.git/kustomization.yaml': KUSTOMIZATION,
  },
  args: ['image', '.', 'ghcr.io/acme/api:2.0', '--scan'],
  code: 0,
  message: /^app\/kustomization\.yaml:3:13: images\[0\]\.newTag: 1\.0 -> 2\.0\n$/,
  changes: { 'root/app/kustomization.yaml': KUSTOMIZATION_BUMPED },
});

hostile('scan of a directory symlink loop (a -> b -> a) terminates', {
  files: { 'root/k/kustomization.yaml': KUSTOMIZATION, 'root/a': { link: 'b' }, 'root/b': { link: 'a' }, 'root/k/self': { link: '.' } },
  args: ['image', '.', 'ghcr.io/acme/api:2.0', '--scan'],
  code: 0,
  message: /^k\/kustomization\.yaml:3:13/,
  changes: { 'root/k/kustomization.yaml': KUSTOMIZATION_BUMPED },
});

// ---- with a repository: every target inside it, checked before writing ---------------

/** A work repository in `root` (committed), optionally with a bare remote. */
function repo(s, files) {
  git(s.root, 'init', '-q');
  for (const [name, spec] of Object.entries(files)) {
    const p = path.join(s.root, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    if (typeof spec === 'string') fs.writeFileSync(p, spec);
    else fs.symlinkSync(spec.link, p);
  }
  git(s.root, 'add', '-A');
  git(s.root, 'commit', '-qm', 'init');
}

hostile('--commit: a committed symlink to an absolute outside path is refused before writing', {
  setup: (s) => repo(s, { 'values.yaml': { link: path.join(s.outside, 'x.yaml') } }),
  args: ['set', 'values.yaml', 'image.tag', '2.0', '--commit'],
  code: 1,
  message: /values\.yaml: is outside .*root .*every file must lie inside the repository|values\.yaml: is outside/s,
  check: (s) => assert.equal(git(s.root, 'rev-list', '--count', 'HEAD'), '1'),
});

hostile('--commit: a plan naming ../outside writes nothing, not even its in-repo edits', {
  setup: (s) => repo(s, { 'values.yaml': VALUES, 'plan.yaml': plan('values.yaml', '../outside/x.yaml') }),
  args: ['apply', 'plan.yaml', '--commit'],
  code: 1,
  message: /\.\.\/outside\/x\.yaml: is outside/,
});

hostile('--commit: a symlink inside the repository is followed, committed, and stays a link', {
  setup: (s) => repo(s, { 'real/values.yaml': VALUES, 'values.yaml': { link: 'real/values.yaml' } }),
  args: ['set', 'values.yaml', 'image.tag', '2.0', '--commit'],
  code: 0,
  message: /image\.tag: 1\.0 -> 2\.0\ncommit [0-9a-f]{40}/,
  changes: { 'root/real/values.yaml': BUMPED },
  mayChange: ['root/.git/'],
  check: (s) => {
    assert.equal(git(s.root, 'status', '--porcelain'), '');
    assert.equal(fs.readlinkSync(path.join(s.root, 'values.yaml')), 'real/values.yaml');
  },
});

// TMPDIR inside the sandbox, so a leftover clone would show up in the snapshot
test('--repo: a cloned symlink to an outside file is refused; the temporary clone is removed after a refused edit', (t) => {
  const s = sandbox(t);
  const src = path.join(s.dir, 'src');
  fs.mkdirSync(src);
  git(src, 'init', '-q');
  fs.symlinkSync(path.join(s.outside, 'x.yaml'), path.join(src, 'values.yaml'));
  git(src, 'add', '-A');
  git(src, 'commit', '-qm', 'init');
  git(s.dir, 'clone', '-q', '--bare', src, 'remote.git');
  fs.mkdirSync(path.join(s.dir, 'tmp'));
  const before = snapshot(s.dir);
  const r = run(['set', 'values.yaml', 'image.tag', '2.0', '--repo', `file://${s.dir}/remote.git`], { cwd: s.root, env: { TMPDIR: path.join(s.dir, 'tmp') } });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /values\.yaml: is outside .*every file must lie inside the repository/s);
  assertOnlyChanged(before, snapshot(s.dir));
});

expectCases(25);
