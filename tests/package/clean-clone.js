// A clean clone of this tree, as a release job checks it out: what git holds (tracked
// files, and new files git does not ignore, as they are on disk, so a test of uncommitted
// work sees that work), nothing generated or built earlier in this run. pkg/node_modules
// links to this checkout's, standing in for the `npm ci` a release job runs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Copies the clone into DEST (which must not exist) and returns DEST. With
 * `{ nodeModules: false }` pkg/node_modules is not linked: what a `git clone` alone gives.
 * @param {string} dest @param {{nodeModules?: boolean}} [options]
 */
export function cleanClone(dest, { nodeModules = true } = {}) {
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(listed.status, 0, listed.stderr);
  for (const rel of listed.stdout.split('\0').filter(Boolean)) {
    const from = path.join(ROOT, rel);
    if (!fs.existsSync(from)) continue; // deleted in the tree, not yet committed
    fs.mkdirSync(path.dirname(path.join(dest, rel)), { recursive: true });
    fs.cpSync(from, path.join(dest, rel), { verbatimSymlinks: true });
  }
  if (nodeModules) fs.symlinkSync(path.join(ROOT, 'pkg', 'node_modules'), path.join(dest, 'pkg', 'node_modules'));
  for (const generated of ['pkg/dist', 'pkg/LICENSE', 'pkg/CHANGELOG.md', 'target']) {
    assert.ok(!fs.existsSync(path.join(dest, generated)), `a clean clone has no ${generated}`);
  }
  return dest;
}

/**
 * `npm pack` of pkg/ in a clean clone made under WORK; returns the tarball's path and npm's
 * report of it (files, integrity).
 * @param {string} work @param {NodeJS.ProcessEnv} env
 * @returns {{tarball: string, report: {filename: string, files: {path: string}[], integrity: string, unpackedSize: number}, clone: string}}
 */
export function packCleanClone(work, env) {
  const clone = cleanClone(path.join(work, 'clone'));
  const r = spawnSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: path.join(clone, 'pkg'), env, encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, `npm pack in the clean clone failed:\n${r.stdout}\n${r.stderr}`);
  const report = JSON.parse(r.stdout.replace(/^[^[]*/, ''))[0];
  return { tarball: path.join(work, report.filename), report, clone };
}
