// Writes pkg/THIRD-PARTY-LICENSES.md, shipped in the npm tarball: the licences of the Rust
// crates linked into the wasm core (cargo metadata for wasm32) and of the npm packages the
// tarball carries (its bundled dependencies). Run by `bash scripts/build`; with --check it
// writes nothing and exits 1 when the committed file is stale (scripts/checks/licenses.sh).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { npmPackages, renderLicences, wasmCrates } from '../../scripts/licenses.mjs';

const PKG = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = path.resolve(PKG, '..');
const OUT = path.join(PKG, 'THIRD-PARTY-LICENSES.md');

const manifest = JSON.parse(readFileSync(path.join(PKG, 'package.json'), 'utf8'));
const bundled = (manifest.bundleDependencies ?? []).map((name) => path.join(PKG, 'node_modules', name));
const text = renderLicences('the gitops-bump npm package', [
  { title: 'Rust crates in the wasm core (wasm/web/gitops_bump_bg.wasm; cargo metadata, wasm32)', entries: wasmCrates(ROOT) },
  { title: 'npm packages the tarball carries (bundleDependencies)', entries: npmPackages(PKG, {}, bundled) },
]);

if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(OUT, 'utf8');
  } catch {
    // missing: stale
  }
  if (committed !== text) {
    console.error('licenses: pkg/THIRD-PARTY-LICENSES.md is not what Cargo.lock and the bundled packages give: run `bash scripts/build` and commit what it changed');
    process.exit(1);
  }
  console.log(`licenses: pkg/THIRD-PARTY-LICENSES.md is fresh (${text.length} bytes)`);
} else {
  writeFileSync(OUT, text);
  console.log(`licenses: wrote pkg/THIRD-PARTY-LICENSES.md (${text.length} bytes)`);
}
