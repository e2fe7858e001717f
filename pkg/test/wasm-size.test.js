// The size budget of the wasm core: at most 250 KB gzipped, for each build.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { PKG } from './helpers.js';

const BUDGET = 250 * 1024;

for (const target of ['node', 'web']) {
  test(`the ${target} build's .wasm is at most 250 KB gzipped`, (t) => {
    const file = path.join(PKG, 'wasm', target, 'gitops_bump_bg.wasm');
    assert.ok(fs.existsSync(file), `${file} is missing: run bash pkg/scripts/build-wasm.sh`);
    const raw = fs.readFileSync(file);
    const gz = gzipSync(raw, { level: 9 }).length;
    const line = `${target}: ${(raw.length / 1024).toFixed(1)} KB raw, ${(gz / 1024).toFixed(1)} KB gzipped (budget ${BUDGET / 1024} KB)`;
    t.diagnostic(line);
    console.log(`wasm size: ${line}`);
    assert.ok(gz <= BUDGET, `wasm too large: ${line}`);
  });
}

test('the node build is what the package loads, and it answers', async () => {
  const { version } = await import('gitops-bump');
  assert.match(version(), /^\d+\.\d+\.\d+/);
});
