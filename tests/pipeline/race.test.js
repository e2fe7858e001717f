// Acceptance: many pipelines pushing to one config repo at once lose no update.
// Each process is the real CLI (`gitops-bump set FILE PATH VALUE --push --retries N`) in its
// own clone of one bare remote. Without a wasm build (pkg/wasm/node) the CLI cannot edit
// YAML; the same runs then go through runPipeline with the test driver, and say so.

import test from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cleanEnv, git, makeRemote, path, ROOT, runNode } from './helpers.js';

const CLI = path.join(ROOT, 'pkg', 'bin', 'gitops-bump.js');
const USE_CLI = existsSync(path.join(ROOT, 'pkg', 'wasm', 'node'));
const YAML = createRequire(path.join(ROOT, 'pkg', 'package.json'))('yaml');

test('the race runs through the real CLI in CI', { skip: !process.env.CI && 'not in CI' }, () => {
  assert.ok(USE_CLI, 'pkg/wasm/node is missing: scripts/setup should have built it');
});

async function bump(clone, file, value, retries) {
  const env = cleanEnv();
  if (USE_CLI) {
    return runNode([CLI, 'set', file, 'image.tag', value, '--push', '--retries', String(retries), '--json'], { cwd: clone, env });
  }
  const plan = { edits: [{ file, set: 'image.tag', value }] };
  return runNode([path.join(ROOT, 'tests/pipeline/driver.js'), JSON.stringify({ cwd: clone, plan, git: { push: true, retries } })], { env });
}

function attemptsOf(r) {
  try {
    return JSON.parse(r.stdout).attempts ?? 0;
  } catch {
    return 0;
  }
}

test(`16 processes bump 16 files at once: every commit lands (${USE_CLI ? 'CLI' : 'driver: no wasm build'})`, { timeout: 240000 }, async (t) => {
  const files = {};
  for (let i = 0; i < 16; i += 1) files[`apps/app-${i}/values.yaml`] = `# app ${i}\nimage:\n  repository: ghcr.io/acme/app-${i}\n  tag: "0.0.0"\n  # pinned by CI\n`;
  const remote = makeRemote(t, files);
  const clones = Object.keys(files).map((_, i) => remote.clone(`c${i}`));
  const started = Date.now();
  const runs = await Promise.all(clones.map((c, i) => bump(c, `apps/app-${i}/values.yaml`, `1.0.${i}`, 30)));
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const codes = runs.map((r) => r.code);
  const attempts = runs.map(attemptsOf);
  const landed = remote.log().filter((s) => s !== 'seed').length;
  const summary = `race 1 (16 files): exit codes ${JSON.stringify(tally(codes))}, commits landed ${landed}/16, push attempts total ${sum(attempts)} (max ${Math.max(...attempts)}), ${seconds}s, via ${USE_CLI ? 'CLI' : 'driver'}`;
  t.diagnostic(summary);
  runs.forEach((r, i) => assert.equal(r.code, 0, `process ${i}: ${r.stderr}`));
  assert.equal(landed, 16);
  for (let i = 0; i < 16; i += 1) {
    const text = remote.show('main', `apps/app-${i}/values.yaml`);
    assert.equal(YAML.parse(text).image.tag, `1.0.${i}`);
    if (USE_CLI) assert.equal(text, files[`apps/app-${i}/values.yaml`].replace('"0.0.0"', `"1.0.${i}"`).trimEnd());
  }
  assert.equal(git(remote.bare, ['rev-list', '--merges', 'main']), '');
});

test(`8 processes bump the same key: each lands or fails with exit 3, history stays linear (${USE_CLI ? 'CLI' : 'driver'})`, { timeout: 240000 }, async (t) => {
  const remote = makeRemote(t, { 'shared/values.yaml': 'image:\n  tag: "0.0.0"\nreplicas: 3\n' });
  const clones = Array.from({ length: 8 }, (_, i) => remote.clone(`s${i}`));
  const values = clones.map((_, i) => `2.0.${i}`);
  const started = Date.now();
  const runs = await Promise.all(clones.map((c, i) => bump(c, 'shared/values.yaml', values[i], 3)));
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const codes = runs.map((r) => r.code);
  const landed = remote.log().filter((s) => s !== 'seed').length;
  const summary = `race 2 (same key): exit codes ${JSON.stringify(tally(codes))}, commits landed ${landed}, ${seconds}s, via ${USE_CLI ? 'CLI' : 'driver'}`;
  t.diagnostic(summary);
  runs.forEach((r, i) => {
    assert.ok(r.code === 0 || r.code === 3, `process ${i} exited ${r.code}: ${r.stderr}`);
    if (r.code === 3) assert.match(r.stderr, /push retries exhausted after 4 attempts/);
  });
  assert.ok(codes.includes(0), 'at least one process landed');
  assert.equal(landed, codes.filter((c) => c === 0).length, 'one commit per successful process');
  assert.equal(git(remote.bare, ['rev-list', '--merges', 'main']), '');
  const final = YAML.parse(remote.show('main', 'shared/values.yaml'));
  assert.ok(values.includes(final.image.tag), `final tag ${final.image.tag}`);
  assert.equal(final.replicas, 3);
});

function tally(list) {
  const out = {};
  for (const x of list) out[x] = (out[x] ?? 0) + 1;
  return out;
}
function sum(list) {
  return list.reduce((a, b) => a + b, 0);
}
