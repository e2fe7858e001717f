// The vendored part of GitHub's OpenAPI description (tests/github-api-server/api.github.com.json)
// is exactly what tests/github-api-server/vendor-openapi.mjs makes of the pinned
// @octokit/openapi (fetched by npm by version, checked against its integrity, npm's cache
// keeping it), and it holds whole every operation the local server implements.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPERATIONS, OUT } from '../github-api-server/vendor-openapi.mjs';

const SERVER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'github-api-server');

test('regenerating the vendored description from the pinned package changes nothing', { timeout: 300_000 }, () => {
  const r = spawnSync(process.execPath, [path.join(SERVER, 'vendor-openapi.mjs'), '--check'], { encoding: 'utf8', timeout: 280_000 });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /is what @octokit\/openapi@[\d.]+ gives/);
});

test('every operation the server implements is vendored whole; the others are named, not described', () => {
  const server = readFileSync(path.join(SERVER, 'server.js'), 'utf8');
  const handlers = [...server.slice(server.indexOf('const HANDLERS = {')).matchAll(/^ {2}(?:async )?'([a-z-]+\/[a-z-]+)'\(/gm)].map((m) => m[1]);
  assert.ok(handlers.length >= 10, `found the server's handlers (${handlers.length})`);
  assert.deepEqual(handlers.filter((h) => !OPERATIONS.includes(h)), [], 'a handler whose operation is not vendored: add it to OPERATIONS in vendor-openapi.mjs and run it');
  const spec = JSON.parse(readFileSync(OUT, 'utf8'));
  const ops = Object.values(spec.paths).flatMap((item) => Object.values(item).filter((o) => o.operationId));
  const whole = ops.filter((o) => OPERATIONS.includes(o.operationId));
  assert.deepEqual(whole.map((o) => o.operationId).sort(), [...OPERATIONS].sort());
  for (const o of whole) assert.ok(o.responses, `${o.operationId} keeps its responses`);
  const named = ops.filter((o) => !OPERATIONS.includes(o.operationId));
  assert.ok(named.length > 500, `the other operations are named (${named.length})`);
  for (const o of named) assert.deepEqual(Object.keys(o), ['operationId']);
});
