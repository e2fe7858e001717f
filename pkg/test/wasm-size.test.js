// The wasm core: one .wasm for both bindings, at most 300 KB gzipped
// (docs/decisions/wasm-size-budget.md says why it is no longer 250).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { PKG } from './helpers.js';

const BUDGET = 300 * 1024;

test('the .wasm is at most 300 KB gzipped', (t) => {
  const file = path.join(PKG, 'wasm', 'web', 'gitops_bump_bg.wasm');
  assert.ok(fs.existsSync(file), `${file} is missing: it is committed (git checkout -- pkg/wasm), and bash scripts/build rebuilds it`);
  const raw = fs.readFileSync(file);
  const gz = gzipSync(raw, { level: 9 }).length;
  const line = `${(raw.length / 1024).toFixed(1)} KB raw, ${(gz / 1024).toFixed(1)} KB gzipped (budget ${BUDGET / 1024} KB)`;
  t.diagnostic(line);
  console.log(`wasm size: ${line}`);
  assert.ok(gz <= BUDGET, `wasm too large: ${line}`);
});

test('the package has one .wasm, which the Node glue and the web glue both load', () => {
  const wasmFiles = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(dir, e.name));
      else if (e.name.endsWith('.wasm')) wasmFiles.push(path.relative(PKG, path.join(dir, e.name)));
    }
  };
  walk(path.join(PKG, 'wasm'));
  assert.deepEqual(wasmFiles, [path.join('wasm', 'web', 'gitops_bump_bg.wasm')]);
  const nodeGlue = fs.readFileSync(path.join(PKG, 'wasm', 'node', 'gitops_bump.js'), 'utf8');
  assert.match(nodeGlue, /join\(__dirname, '\.\.', 'web', 'gitops_bump_bg\.wasm'\)/);
  const webGlue = fs.readFileSync(path.join(PKG, 'wasm', 'web', 'gitops_bump.js'), 'utf8');
  assert.match(webGlue, /new URL\('gitops_bump_bg\.wasm', import\.meta\.url\)/);
});

test('every function of the .wasm validates (the CLI and the Action validate them lazily: pkg/src/tiering.js)', () => {
  assert.equal(WebAssembly.validate(fs.readFileSync(path.join(PKG, 'wasm', 'web', 'gitops_bump_bg.wasm'))), true);
});

test('the node build is what the package loads, and it answers', async () => {
  const { version } = await import('gitops-bump');
  assert.match(version(), /^\d+\.\d+\.\d+/);
});
