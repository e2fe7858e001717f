// What pkg/src/tiering.js does to a one-shot process (the CLI, the Action): wasm functions
// validated when first compiled, not all at the module's load, unless the user chose
// otherwise on the command line. (The budget's effect is measured in
// benches/cli-startup.mjs; that both flags exist on Node 20 and 24: tests/action/node24.test.js.)
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { PKG } from './helpers.js';

// (module (func (export "f") (result i32) i64.const 0)): decodes, but does not validate
const INVALID = [0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 127, 3, 2, 1, 0, 7, 5, 1, 1, 102, 0, 0, 10, 6, 1, 4, 0, 66, 0, 11];
const PROBE = `
const { tuneWasmTieringForOneShot } = await import(${JSON.stringify(path.join(PKG, 'src', 'tiering.js'))});
tuneWasmTieringForOneShot();
let module;
try {
  module = new WebAssembly.Module(new Uint8Array(${JSON.stringify(INVALID)}));
} catch (e) {
  console.log('load: ' + e.constructor.name);
  process.exit(0);
}
try {
  new WebAssembly.Instance(module).exports.f();
  console.log('ran');
} catch (e) {
  console.log('first call: ' + e.constructor.name);
}
`;

/** @param {string[]} nodeArgs */
function probe(nodeArgs) {
  const r = spawnSync(process.execPath, [...nodeArgs, '--input-type=module', '-e', PROBE], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

test('a one-shot process validates a wasm function at its first call, not at the load', () => {
  assert.equal(probe([]), 'first call: CompileError');
});

test('the user\'s own choice on the command line wins', () => {
  // (Node refuses V8 flags like this one in NODE_OPTIONS, so the command line is the place)
  assert.equal(probe(['--no-wasm-lazy-validation']), 'load: CompileError');
});

test('without tiering.js, V8 validates the whole module at its load', () => {
  const r = spawnSync(process.execPath, ['-e', `try { new WebAssembly.Module(new Uint8Array(${JSON.stringify(INVALID)})); console.log('loaded') } catch (e) { console.log('load: ' + e.constructor.name) }`], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  assert.equal(r.stdout.trim(), 'load: CompileError');
});
