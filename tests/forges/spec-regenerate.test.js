// regenerate.mjs rebuilds the vendored descriptions from the forges' published files: fed
// files shaped like the upstream ones (prose, other paths, other definitions, properties the
// client does not read and the definitions they name), it writes back what is vendored.

import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const specDir = path.join(here, '..', 'forge-servers', 'spec');
const script = path.join(specDir, 'regenerate.mjs');
const vendored = (f) => JSON.parse(readFileSync(path.join(specDir, f), 'utf8'));
const YAML = createRequire(path.join(here, '..', '..', 'pkg', 'package.json'))('yaml');

/** `spec` as an upstream file would carry it: prose on every node, more of everything. */
function upstreamLike(spec, extraPath, entity, extraDef) {
  const prose = (node) => {
    if (Array.isArray(node)) return node.map(prose);
    if (!node || typeof node !== 'object' || node.$ref) return node;
    const out = { description: 'words', ...Object.fromEntries(Object.entries(node).map(([k, v]) => [k, k === 'properties' ? Object.fromEntries(Object.entries(v).map(([pk, pv]) => [pk, prose(pv)])) : prose(v)])) };
    return out;
  };
  const paths = { ...prose(spec.paths), [extraPath]: { get: { tags: ['x'], responses: { 200: { description: 'ok', schema: { $ref: `#/definitions/${extraDef}` } } } } } };
  for (const item of Object.values(paths)) for (const op of Object.values(item)) if (op && op.responses) op.tags = ['t'];
  const definitions = prose(spec.definitions);
  const props = definitions[entity].properties ?? definitions[entity].allOf.find((d) => d.properties).properties;
  props.author_extra = { $ref: `#/definitions/${extraDef}` };
  props.upvotes = { type: 'string' };
  definitions[extraDef] = { type: 'object', properties: { name: { type: 'string' } } };
  return { paths, definitions };
}

test('GitLab: openapi_v2.yaml in, the vendored gitlab.json out', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gb-regen-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const spec = vendored('gitlab.json');
  const up = upstreamLike(spec, '/api/v4/projects/{id}/issues', 'API_Entities_MergeRequest', 'API_Entities_UserBasic');
  const file = path.join(dir, 'openapi_v2.yaml');
  writeFileSync(file, YAML.stringify({ swagger: '2.0', info: spec.info, securityDefinitions: spec.securityDefinitions, paths: up.paths, definitions: up.definitions }));
  execFileSync(process.execPath, [script, '--gitlab', file, '--out', dir]);
  const out = JSON.parse(readFileSync(path.join(dir, 'gitlab.json'), 'utf8'));
  assert.deepEqual(out.paths, spec.paths);
  assert.deepEqual(out.definitions, spec.definitions);
});

test('Bitbucket: paths.json and definitions.json in, the vendored bitbucket.json out', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gb-regen-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const spec = vendored('bitbucket.json');
  const up = upstreamLike(spec, '/repositories/{username}/{repo_slug}/issues', 'account', 'link');
  writeFileSync(path.join(dir, 'paths.json'), JSON.stringify(up.paths));
  writeFileSync(path.join(dir, 'definitions.json'), JSON.stringify(up.definitions));
  execFileSync(process.execPath, [script, '--bitbucket-paths', path.join(dir, 'paths.json'), '--bitbucket-definitions', path.join(dir, 'definitions.json'), '--out', dir]);
  const out = JSON.parse(readFileSync(path.join(dir, 'bitbucket.json'), 'utf8'));
  assert.deepEqual(out.paths, spec.paths);
  assert.deepEqual(out.definitions, spec.definitions);
});
