// The overlay check reads below the git checkout that holds the target (or, with no git,
// the whole filesystem), never just below the working directory: an overlay's
// `../../base` must resolve from the repository's top, from inside the overlay, and by
// absolute path from anywhere else.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { checkImage, overlayImages } from 'gitops-bump';
import { overlayRoot } from '../src/root.js';
import { cli, git, read, tempTree } from './helpers.js';

const DEPLOY = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: ghcr.io/acme/api:1.0.0\n';
const OVERLAY = 'resources:\n  - ../../base\nimages:\n  - name: ghcr.io/acme/api\n    newTag: 1.0.1 # set by CI\n';

/** A config repository (base + overlays/dev) inside `outer/repo`, with or without git. */
function repository(t, { withGit }) {
  const outer = tempTree(t, {
    'repo/base/deploy.yaml': DEPLOY,
    'repo/base/kustomization.yaml': 'resources:\n  - deploy.yaml\n',
    'repo/overlays/dev/kustomization.yaml': OVERLAY,
    'elsewhere/.keep': '',
  });
  const repo = path.join(outer, 'repo');
  if (withGit) git(repo, 'init', '--quiet');
  return { outer, repo, overlay: path.join(repo, 'overlays', 'dev') };
}

const bumped = (tag) => OVERLAY.replace('1.0.1', tag);

for (const withGit of [true, false]) {
  const what = withGit ? 'in a git checkout' : 'without git';
  test(`image: the overlay check finds ../../base from the top, from inside the overlay and by absolute path (${what})`, (t) => {
    const { outer, repo, overlay } = repository(t, { withGit });
    const fromTop = cli(['image', 'overlays/dev', 'ghcr.io/acme/api:2.0.0'], { cwd: repo });
    assert.equal(fromTop.code, 0, fromTop.stderr);
    assert.equal(read(overlay, 'kustomization.yaml'), bumped('2.0.0'));

    const fromInside = cli(['image', '.', 'ghcr.io/acme/api:2.0.1'], { cwd: overlay });
    assert.equal(fromInside.code, 0, fromInside.stderr);
    assert.equal(fromInside.stdout, 'kustomization.yaml:5:13: images[0].newTag: 2.0.0 -> 2.0.1\n', 'named as the user named it');
    assert.equal(read(overlay, 'kustomization.yaml'), bumped('2.0.1'));

    const fromElsewhere = cli(['image', overlay, 'ghcr.io/acme/api:2.0.2'], { cwd: path.join(outer, 'elsewhere') });
    assert.equal(fromElsewhere.code, 0, fromElsewhere.stderr);
    assert.equal(read(overlay, 'kustomization.yaml'), bumped('2.0.2'));

    // the check still runs from inside: an image the overlay does not use is refused
    const unknown = cli(['image', '.', 'ghcr.io/acme/apx:3'], { cwd: overlay });
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^error\[unknown-image\]: image `ghcr\.io\/acme\/apx` matches no container in the overlay\n {2}--> kustomization\.yaml\n[\s\S]*did you mean `ghcr\.io\/acme\/api`\?/);
    assert.equal(read(overlay, 'kustomization.yaml'), bumped('2.0.2'));
  });
}

test('the overlay check still refuses a base outside the git checkout', (t) => {
  const { outer, repo, overlay } = repository(t, { withGit: true });
  fs.mkdirSync(path.join(outer, 'shared'));
  fs.renameSync(path.join(repo, 'base'), path.join(outer, 'shared', 'base'));
  fs.writeFileSync(path.join(overlay, 'kustomization.yaml'), OVERLAY.replace('../../base', '../../../shared/base'));
  const r = cli(['image', '.', 'ghcr.io/acme/api:2.0.0'], { cwd: overlay });
  assert.equal(r.code, 2, r.stderr);
  // the file is named as the user reaches it from where they are (cwd is overlays/dev)
  assert.match(r.stderr, /`\.\.\/\.\.\/\.\.\/shared\/base` in kustomization\.yaml is outside the root given to the overlay check/);
  assert.equal(read(overlay, 'kustomization.yaml'), OVERLAY.replace('../../base', '../../../shared/base'));
});

test('checkImage and overlayImages from inside the overlay, without a root', (t) => {
  const { overlay, repo } = repository(t, { withGit: true });
  const before = process.cwd();
  process.chdir(overlay);
  t.after(() => process.chdir(before));
  const [image] = overlayImages('.');
  assert.equal(image.name, 'ghcr.io/acme/api');
  assert.equal(image.file, 'base/deploy.yaml', 'relative to the repository');
  assert.equal(checkImage('.', 'ghcr.io/acme/api:9').length, 1);
  assert.equal(overlayImages('overlays/dev', { root: repo }).length, 1, 'an explicit root is kept');
});

test('overlayRoot: the nearest directory holding .git (a directory or a file), else the filesystem root', (t) => {
  const dir = tempTree(t, { 'a/.git/HEAD': 'ref: refs/heads/main\n', 'a/b/c/x.yaml': 'a: 1\n', 'w/.git': 'gitdir: /elsewhere\n', 'w/d/y.yaml': '' });
  assert.equal(overlayRoot(path.join(dir, 'a', 'b', 'c')), path.join(dir, 'a'));
  assert.equal(overlayRoot(path.join(dir, 'a', 'b', 'c', 'x.yaml')), path.join(dir, 'a'));
  assert.equal(overlayRoot(path.join(dir, 'w', 'd', 'y.yaml')), path.join(dir, 'w'));
  const none = tempTree(t, { 'x/y.yaml': '' });
  const top = overlayRoot(path.join(none, 'x'));
  assert.ok(top === path.parse(none).root || fs.existsSync(path.join(top, '.git')), `no checkout: the filesystem root (or a checkout above the temp dir): ${top}`);
});
