// A "shared" repository that overlays use as a remote base, for the tests of remote bases
// (pkg/src/remote-bases.js): a real bare git repository on disk, reached by kustomize and by
// gitops-bump through file:// URLs (kustomize v5.5.0 clones `file:///abs/repo.git//dir?ref=v1`
// like any other remote). Tag v1 holds a worker Deployment (ghcr.io/acme/worker:1.0) in
// `worker/`, a component adding a sidecar (ghcr.io/acme/proxy:0.9) in `sidecar/`, and
// `nested/`, which itself uses `worker/` of the same repository through a remote URL; the
// branch head (after v1) renames the worker image to ghcr.io/acme/worker-next, so a clone at
// the wrong ref shows.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

const WORKER = (image) => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: worker\nspec:\n  template:\n    spec:\n      containers:\n      - name: worker\n        image: ${image}\n`;

function git(cwd, ...args) {
  const r = spawnSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'init.defaultBranch=main', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0' },
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout.trim();
}

function write(dir, files) {
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
}

/**
 * Makes the shared repository; removed after the test.
 * @param {import('node:test').TestContext} t
 * @returns {{bare: string, url: (dir: string, ref?: string) => string}} the bare repository and
 *   the file:// URL of one of its directories at a ref (default v1)
 */
export function sharedRepo(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-shared-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const work = path.join(dir, 'work');
  const bare = path.join(dir, 'shared.git');
  const url = (/** @type {string} */ sub, ref = 'v1') => `file://${bare}//${sub}${ref ? `?ref=${ref}` : ''}`;
  fs.mkdirSync(work);
  git(work, 'init', '-q');
  write(work, {
    'worker/deploy.yaml': WORKER('ghcr.io/acme/worker:1.0'),
    'worker/kustomization.yaml': 'resources:\n- deploy.yaml\n',
    'sidecar/kustomization.yaml':
      'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n- target:\n    kind: Deployment\n  patch: |-\n    - op: add\n      path: /spec/template/spec/containers/-\n      value:\n        name: proxy\n        image: ghcr.io/acme/proxy:0.9\n',
    'nested/kustomization.yaml': `resources:\n- ${url('worker')}\n`,
  });
  git(work, 'add', '.');
  git(work, 'commit', '-qm', 'shared bases');
  git(work, 'tag', 'v1');
  write(work, { 'worker/deploy.yaml': WORKER('ghcr.io/acme/worker-next:2.0') });
  git(work, 'commit', '-qam', 'rename the worker image');
  git(dir, 'clone', '-q', '--bare', work, bare);
  return { bare, url };
}
