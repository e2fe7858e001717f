// The licence files of what we ship (pkg/THIRD-PARTY-LICENSES.md in the npm tarball,
// action/dist/THIRD-PARTY-LICENSES.md beside the Action's bundle) name every crate linked
// into the wasm core and every npm package bundled, with the texts those packages ship.
// Their freshness (regenerate, compare) is scripts/checks/licenses.sh and action-dist.sh.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './clean-clone.js';
import { wasmCrates } from '../../scripts/licenses.mjs';

const crates = wasmCrates(ROOT);
const tableRows = (text) => [...text.matchAll(/^\| \[([^\]]+)\]\([^)]+\) \| ([^ |]+) \| ([^|]+) \|$/gm)].map((m) => `${m[1]} ${m[2]}`);

test('cargo metadata finds the crates linked into the wasm core, not the build-time ones', () => {
  const names = crates.map((c) => c.name);
  for (const linked of ['serde', 'serde_yaml', 'saphyr-parser', 'wasm-bindgen', 'serde-wasm-bindgen']) assert.ok(names.includes(linked), linked);
  for (const buildOnly of ['serde_derive', 'wasm-bindgen-macro', 'syn', 'proc-macro2', 'quote']) assert.ok(!names.includes(buildOnly), `${buildOnly} runs at build time only`);
  for (const c of crates) assert.ok(c.texts.length > 0 || c.license, `${c.name} has a licence`);
});

for (const [file, npm] of [['pkg/THIRD-PARTY-LICENSES.md', ['semver', 'yaml']], ['action/dist/THIRD-PARTY-LICENSES.md', ['semver', 'yaml']]]) {
  test(`${file} lists every crate of the wasm core and the bundled npm packages, with their texts`, () => {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    const rows = tableRows(text);
    for (const c of crates) assert.ok(rows.includes(`${c.name} ${c.version}`), `${c.name} ${c.version} is listed`);
    for (const name of npm) {
      const version = JSON.parse(fs.readFileSync(path.join(ROOT, 'pkg', 'node_modules', name, 'package.json'), 'utf8')).version;
      assert.ok(rows.includes(`${name} ${version}`), `${name} ${version} is listed`);
    }
    assert.equal(rows.length, crates.length + npm.length, 'nothing else is listed');
    const serde = crates.find((c) => c.name === 'serde');
    for (const t of serde.texts) assert.ok(text.includes(t.text.replace(/\s+$/, '')), `serde's ${t.file} is there verbatim`);
    assert.match(text, /### [^\n]*yaml [\d.]+ \(LICENSE\)[^\n]*\n\n```text\nCopyright Eemeli Aro/);
  });
}
