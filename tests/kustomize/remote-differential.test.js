// The overlay check against kustomize v5.5.0 itself, for remote bases: the JS layer fetches
// them (pkg/src/remote-bases.js, as `--fetch-remote-bases` does), so this differential runs
// where the fetching happens. Overlays use a real bare repository through file:// URLs
// (a resource, a component, a remote base inside a remote base, no ref, an `images:` entry
// over a remote image). For every image name they mention and a typo of each, the check's
// verdict (accepted, or refused as unknown-image; never unchecked: everything is fetched)
// must equal whether `kustomize build` renders the new tag after `kustomize edit set image`.

import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { applyPlanFetching } from '../../pkg/src/plan.js';
import { RemoteBases } from '../../pkg/src/remote-bases.js';
import { sharedRepo } from '../action/remote-base-fixture.js';
import { tempTree } from '../../pkg/test/helpers.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const KUSTOMIZE = process.env.KUSTOMIZE_BIN || path.join(ROOT, '.tools', 'bin', 'kustomize');
const TAG = 'gbdiff';
const API = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n      - name: api\n        image: ghcr.io/acme/api:1.0\n';

/** The overlays, each `prod/` of its own config tree beside `base/`. */
const cases = (/** @type {(dir: string, ref?: string) => string} */ url) => ({
  resource: `resources:\n- ../base\n- ${url('worker')}\n`,
  nested: `resources:\n- ${url('nested')}\n`,
  component: `resources:\n- ../base\ncomponents:\n- ${url('sidecar')}\n`,
  'no-ref': `resources:\n- ${url('worker', '')}\n`,
  'images-entry': `resources:\n- ${url('worker')}\nimages:\n- name: ghcr.io/acme/worker\n  newName: registry.acme.io/worker\n`,
});
const NAMES = ['ghcr.io/acme/api', 'ghcr.io/acme/worker', 'ghcr.io/acme/worker-next', 'ghcr.io/acme/proxy', 'registry.acme.io/worker'];

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0' } });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Whether kustomize renders `name` with the new tag after its own `edit set image`. */
function kustomizeRenders(t, files, name) {
  const dir = tempTree(t, files);
  // an existing entry keeps its newName in our edit; kustomize's `*` form does the same (docs/kustomize.md)
  const spec = files['prod/kustomization.yaml'].includes(`- name: ${name}\n`) ? `${name}=*:${TAG}` : `${name}:${TAG}`;
  const edit = run(KUSTOMIZE, ['edit', 'set', 'image', spec], path.join(dir, 'prod'));
  assert.equal(edit.code, 0, edit.out);
  const build = run(KUSTOMIZE, ['build', 'prod'], dir);
  assert.equal(build.code, 0, build.out);
  return new RegExp(`image: \\S+:${TAG}\\b`).test(build.out);
}

/** Our verdict on `name` in `cwd/prod`, with the remote bases fetched. */
async function verdict(cwd, name) {
  const remoteBases = new RemoteBases({ allow: true });
  try {
    const r = await applyPlanFetching([{ file: 'prod', image: `${name}:${TAG}` }], { cwd, dryRun: true, remoteBases });
    return r.unchecked.length === 0 ? 'accepted' : `unchecked: ${JSON.stringify(r.unchecked)}`;
  } catch (error) {
    if (/** @type {any} */ (error).kind === 'unknown-image') return 'refused';
    throw error;
  } finally {
    remoteBases.close();
  }
}

test('remote bases: the check agrees with kustomize build, name by name and typo by typo', { skip: !fs.existsSync(KUSTOMIZE) && !process.env.CI && 'kustomize is not built (scripts/setup-test builds it; in CI this fails)', timeout: 300_000 }, async (t) => {
  const shared = sharedRepo(t);
  let compared = 0;
  let accepted = 0;
  for (const [name, kustomization] of Object.entries(cases(shared.url))) {
    const files = { 'base/deploy.yaml': API, 'base/kustomization.yaml': 'resources:\n- deploy.yaml\n', 'prod/kustomization.yaml': kustomization };
    const cwd = tempTree(t, files);
    for (const image of NAMES.flatMap((n) => [n, n.slice(0, -1)])) {
      const ours = await verdict(cwd, image);
      const theirs = kustomizeRenders(t, files, image) ? 'accepted' : 'refused';
      assert.equal(ours, theirs, `${name}: ${image}`);
      compared += 1;
      if (ours === 'accepted') accepted += 1;
    }
  }
  // every case decides something each way: the comparison cannot pass by refusing everything
  assert.equal(compared, 50);
  assert.equal(accepted, 8, 'api and worker; worker; api and proxy; worker-next at HEAD; worker and its new name');
});
