// The containment rule through the JS entry points the Action and the orb use:
// runPipeline (with or without git) and applyPlan. Whatever apply function the caller
// passes, no target outside the repository (or the working directory) is written.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { applyPlan, writeAtomic } from '../../pkg/src/index.js';
import { runPipeline } from '../../pkg/src/pipeline.js';
import { assertOnlyChanged, git, gitEnv, sandbox, snapshot } from './harness.js';

const plan = (file) => ({ edits: [{ file, set: 'image.tag', value: '2.0' }] });

/** A committed checkout in `s.root` with `values.yaml` a symlink to the outside file. */
function hostileCheckout(s) {
  git(s.root, 'init', '-q');
  fs.symlinkSync(path.join(s.outside, 'x.yaml'), path.join(s.root, 'values.yaml'));
  fs.writeFileSync(path.join(s.root, 'ok.yaml'), 'image:\n  tag: "1.0"\n');
  git(s.root, 'add', '-A');
  git(s.root, 'commit', '-qm', 'init');
}

for (const [name, git_] of [
  ['with --commit', { commit: true }],
  ['without git flags (dry-run, as the Action\'s dry-run mode)', { dryRun: true }],
]) {
  test(`runPipeline ${name}: an apply that even lifts the plan rule cannot write outside`, async (t) => {
    const s = sandbox(t);
    hostileCheckout(s);
    const before = snapshot(s.dir);
    // the most permissive caller: allowOutside, and a plan whose first edit is in-repo
    const p = { edits: [...plan('ok.yaml').edits, ...plan('values.yaml').edits] };
    const apply = (workdir) => applyPlan(p, { cwd: workdir, allowOutside: true });
    await assert.rejects(runPipeline({ cwd: s.root, plan: p, apply, git: { ...git_, env: gitEnv() } }), (e) => e.kind === 'outside-root' && /values\.yaml: is outside/.test(e.message));
    assertOnlyChanged(before, snapshot(s.dir));
  });
}

test('runPipeline: a caller writing directly with writeAtomic is refused outside the repository', async (t) => {
  const s = sandbox(t);
  hostileCheckout(s);
  const before = snapshot(s.dir);
  const apply = (workdir) => {
    writeAtomic(path.join(workdir, 'values.yaml'), 'pwned: true\n');
    return { changed: [], unchanged: [] };
  };
  await assert.rejects(runPipeline({ cwd: s.root, plan: plan('values.yaml'), apply, git: { commit: true, env: gitEnv() } }), (e) => e.kind === 'outside-root');
  assertOnlyChanged(before, snapshot(s.dir));
});

test('applyPlan confines a plan to cwd by default, and to `root` when given', (t) => {
  const s = sandbox(t, { 'root/sub/values.yaml': 'image:\n  tag: "1.0"\n' });
  const before = snapshot(s.dir);
  assert.throws(() => applyPlan(plan('../outside/x.yaml'), { cwd: s.root }), (e) => e.kind === 'outside-root');
  assert.throws(() => applyPlan(plan('values.yaml'), { cwd: s.root, root: path.join(s.root, 'sub') }), (e) => e.kind === 'outside-root');
  assertOnlyChanged(before, snapshot(s.dir));
  const r = applyPlan(plan('sub/values.yaml'), { cwd: s.root, root: path.join(s.root, 'sub') });
  assert.equal(r.changed.length, 1);
  assertOnlyChanged(before, snapshot(s.dir), ['root/sub/values.yaml']);
});
