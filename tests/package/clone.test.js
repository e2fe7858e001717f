// A fresh clone runs the CLI with Node alone: no npm install, no Rust, nothing built (the
// wasm core is committed in pkg/wasm/). Its speed is measured in benches/cli-startup.mjs
// (docs/BENCHMARKS.md), not here.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cleanClone } from './clean-clone.js';

test('a clean clone runs `node pkg/bin/gitops-bump.js set/get` with Node alone', (t) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-clone-'));
  t.after(() => fs.rmSync(work, { recursive: true, force: true }));
  const clone = cleanClone(path.join(work, 'clone'), { nodeModules: false });
  assert.ok(!fs.existsSync(path.join(clone, 'pkg', 'node_modules')), 'no npm install');
  // only Node's own directory and the system's basic tools on the PATH: no cargo, no npm packages
  const env = { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`, HOME: work, LANG: 'C.UTF-8' };
  const values = path.join(work, 'values.yaml');
  fs.writeFileSync(values, 'image:\n  repository: ghcr.io/acme/api # pinned\n  tag: "1.9"\n\nreplicas: 2\n');
  const cli = (...args) => spawnSync(process.execPath, [path.join(clone, 'pkg', 'bin', 'gitops-bump.js'), ...args], { cwd: work, env, encoding: 'utf8' });
  const set = cli('set', 'values.yaml', 'image.tag', '1.10');
  assert.equal(set.status, 0, set.stderr);
  assert.match(set.stdout, /values\.yaml:3:8: image\.tag: 1\.9 -> 1\.10/);
  assert.equal(fs.readFileSync(values, 'utf8'), 'image:\n  repository: ghcr.io/acme/api # pinned\n  tag: "1.10"\n\nreplicas: 2\n');
  const get = cli('get', 'values.yaml', 'image.tag');
  assert.equal(get.stdout, '1.10\n');
  const bad = cli('set', 'values.yaml', 'imagee.tag', '2');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /did you mean `image`/);

  // a JSON plan needs nothing more; a YAML plan needs the npm package `yaml`, and says so
  fs.writeFileSync(path.join(work, 'plan.json'), JSON.stringify({ edits: [{ file: 'values.yaml', set: 'image.tag', value: '2.0' }] }));
  const json = cli('apply', 'plan.json');
  assert.equal(json.status, 0, json.stderr);
  assert.match(fs.readFileSync(values, 'utf8'), /tag: "2\.0"/);
  fs.writeFileSync(path.join(work, 'plan.yaml'), 'edits:\n  - file: values.yaml\n    set: image.tag\n    value: "3.0"\n');
  const yamlPlan = cli('apply', 'plan.yaml');
  assert.equal(yamlPlan.status, 1);
  assert.match(yamlPlan.stderr, /error\[internal\]: the npm package `yaml` is not installed, and YAML plans and Helm values need it: in a clone of gitops-bump run `npm ci --omit=dev` in pkg\//);
  assert.doesNotMatch(yamlPlan.stderr, /not a valid YAML plan/);
  assert.match(fs.readFileSync(values, 'utf8'), /tag: "2\.0"/, 'nothing written');
});
