// The package as published: exports, types, bin, and the contract's names.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import * as api from 'gitops-bump';
import { PKG } from './helpers.js';

const manifest = JSON.parse(fs.readFileSync(path.join(PKG, 'package.json'), 'utf8'));

test('the manifest names the package, its ESM entry, types and bin', () => {
  assert.equal(manifest.name, 'gitops-bump');
  assert.equal(manifest.type, 'module');
  assert.equal(manifest.bin['gitops-bump'], 'bin/gitops-bump.js');
  assert.equal(manifest.exports['.'].import.default, './src/index.js');
  assert.equal(manifest.exports['.'].import.types, './src/index.d.ts');
  const bin = fs.readFileSync(path.join(PKG, manifest.bin['gitops-bump']), 'utf8');
  assert.ok(bin.startsWith('#!/usr/bin/env node\n'));
  assert.ok(fs.statSync(path.join(PKG, manifest.bin['gitops-bump'])).mode & 0o111, 'bin is executable');
});

test('the runtime dependencies are only the ones recorded in docs/decisions', () => {
  const doc = fs.readFileSync(path.join(PKG, '..', 'docs', 'decisions', 'npm-dependencies.md'), 'utf8');
  for (const dep of [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {})]) {
    assert.ok(doc.includes(`\`${dep}\``), `${dep} is recorded with its reason`);
  }
  assert.deepEqual(Object.keys(manifest.dependencies ?? {}), ['semver', 'yaml']);
});

test('the package exports every function the contract names', () => {
  const names = ['setValue', 'getValue', 'removeValue', 'applyEdits', 'setImage', 'overlayImages', 'checkImage', 'scanImage', 'parseImageSpec', 'version',
    'setValueInFile', 'getValueInFile', 'removeValueInFile', 'applyEditsInFile', 'setImageInFile', 'applyPlan', 'parsePlan', 'loadPlan', 'unifiedDiff'];
  for (const name of names) assert.equal(typeof api[name], 'function', name);
  assert.equal(typeof api.GitopsBumpError, 'function');
  assert.ok(new api.GitopsBumpError('x', { kind: 'usage' }) instanceof Error);
});

test('index.d.ts declares every runtime export, and nothing that does not exist', () => {
  const dts = fs.readFileSync(path.join(PKG, 'src', 'index.d.ts'), 'utf8');
  const declared = new Set([...dts.matchAll(/^export (?:declare )?(?:function|class|const) (\w+)/gm)].map((m) => m[1]));
  for (const m of dts.matchAll(/^export \{([^}]+)\} from /gm)) for (const name of m[1].split(',')) declared.add(name.trim());
  assert.deepEqual([...declared].sort(), Object.keys(api).sort());
});

test('the package resolves by name, as a dependency would resolve it', () => {
  const require = createRequire(path.join(PKG, 'test', 'x.js'));
  assert.equal(require.resolve('gitops-bump/package.json'), path.join(PKG, 'package.json'));
});

test('the source files carry JSDoc on every exported function', () => {
  for (const file of ['index.js', 'core.js', 'plan.js', 'files.js', 'diff.js', 'errors.js', 'cli.js']) {
    const text = fs.readFileSync(path.join(PKG, 'src', file), 'utf8');
    for (const m of text.matchAll(/^export (?:async )?function (\w+)/gm)) {
      const before = text.slice(0, m.index).trimEnd();
      assert.ok(before.endsWith('*/'), `${file}: ${m[1]} has a JSDoc comment`);
    }
  }
});
