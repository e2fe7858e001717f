// The playground's static server: MIME types, roots, traversal, loopback only.
// Runs without a browser and without the real wasm build (it serves a stand-in dir).
//
//   node --test tests/browser/

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { PLAYGROUND_DIR, startPlayground } from '../../pkg/playground/server.js';

/** A raw request: the path goes on the wire as written (fetch would normalise `..`). */
function get(url, path, { method = 'GET', host } = {}) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method, headers: host ? { host } : {} }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('playground server', () => {
  let dir;
  let wasmDir;
  let server;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gitops-bump-playground-'));
    wasmDir = join(dir, 'pkg', 'wasm', 'web');
    await mkdir(wasmDir, { recursive: true });
    await writeFile(join(wasmDir, 'gitops_bump.js'), 'export default async function init() {}\n');
    await writeFile(join(wasmDir, 'gitops_bump_bg.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    await writeFile(join(dir, 'pkg', 'wasm', 'secret.js'), 'outside the roots\n');
    await writeFile(join(dir, 'outside.txt'), 'outside\n');
    await symlink(join(dir, 'outside.txt'), join(wasmDir, 'link.txt'));
    server = await startPlayground({ port: 0, wasmDir });
  });

  after(async () => {
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('listens on 127.0.0.1 and gives its url', () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.ok(server.port > 0);
  });

  test('serves the page with the right MIME types', async () => {
    const cases = [
      ['/', 'text/html; charset=utf-8'],
      ['/index.html', 'text/html; charset=utf-8'],
      ['/app.js', 'text/javascript; charset=utf-8'],
      ['/examples.js', 'text/javascript; charset=utf-8'],
      ['/worker.js', 'text/javascript; charset=utf-8'],
      ['/src/diff.js', 'text/javascript; charset=utf-8'],
      ['/style.css', 'text/css; charset=utf-8'],
      ['/wasm/web/gitops_bump.js', 'text/javascript; charset=utf-8'],
      ['/wasm/web/gitops_bump_bg.wasm', 'application/wasm'],
      ['/app.js?v=1#x', 'text/javascript; charset=utf-8'],
    ];
    for (const [path, type] of cases) {
      const res = await get(server.url, path);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers['content-type'], type, path);
      assert.equal(res.headers['x-content-type-options'], 'nosniff', path);
      assert.match(res.headers['content-security-policy'], /'wasm-unsafe-eval'/, path);
    }
    const wasm = await get(server.url, '/wasm/web/gitops_bump_bg.wasm');
    assert.deepEqual([...wasm.body.subarray(0, 4)], [0, 0x61, 0x73, 0x6d]);
    const head = await get(server.url, '/index.html', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.ok(Number(head.headers['content-length']) > 0);
  });

  test('the page references only files the server serves', async () => {
    const html = (await get(server.url, '/')).body.toString();
    for (const ref of html.matchAll(/(?:src|href)="([^"#:]+)"/g)) {
      const res = await get(server.url, '/' + ref[1]);
      assert.equal(res.status, 200, ref[1]);
    }
    // and every module the page and its worker import
    const seen = new Set();
    const visit = async (url) => {
      if (seen.has(url)) return;
      seen.add(url);
      const res = await get(server.url, url);
      assert.equal(res.status, 200, url);
      for (const m of res.body.toString().matchAll(/(?:from |import\(|new URL\()'(\.{1,2}\/[^']+\.js)'/g)) {
        if (m[1].includes('/wasm/')) continue; // the stand-in wasm dir has its own files
        await visit(new URL(m[1], `http://x${url}`).pathname);
      }
    };
    await visit('/app.js');
    assert.ok(seen.has('/worker.js') && seen.has('/src/diff.js'), [...seen].join(' '));
  });

  test('refuses paths that escape the roots', async () => {
    const escapes = [
      '/../server.js',
      '/..%2fserver.js',
      '/%2e%2e/%2e%2e/package.json',
      '/wasm/web/../secret.js',
      '/wasm/web/..%2fsecret.js',
      '/wasm/web/%2e%2e/secret.js',
      '/wasm/web/..%5csecret.js',
      '/wasm/web/link.txt',
      '/%00index.html',
      '/%E0%A4%A',
      '//etc/passwd',
      '/server.js',
      '/wasm/web/',
      '/wasm/web',
      '/nope.html',
      // of the package's sources, only the ones the page imports
      '/src/cli.js',
      '/src/../package.json',
      '/src/%2e%2e/package.json',
      '/src/',
    ];
    for (const path of escapes) {
      const res = await get(server.url, path);
      assert.ok(res.status === 404 || res.status === 400, `${path} -> ${res.status}`);
      assert.doesNotMatch(res.body.toString(), /outside|startPlayground/, path);
    }
  });

  test('only GET and HEAD', async () => {
    const res = await get(server.url, '/', { method: 'POST' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.allow, 'GET, HEAD');
  });

  test('answers only requests addressed to itself (DNS rebinding)', async () => {
    assert.equal((await get(server.url, '/', { host: 'evil.example:80' })).status, 421);
    assert.equal((await get(server.url, '/', { host: `localhost:${server.port}` })).status, 200);
  });

  test('refuses a non-loopback host', async () => {
    await assert.rejects(startPlayground({ host: '0.0.0.0' }), /only 127\.0\.0\.1/);
    await assert.rejects(startPlayground({ host: '192.168.1.10' }), /only 127\.0\.0\.1/);
  });

  test('a missing wasm build is a 404 that says how to get it back', async () => {
    const bare = await startPlayground({ wasmDir: join(dir, 'missing') });
    try {
      const res = await get(bare.url, '/wasm/web/gitops_bump.js');
      assert.equal(res.status, 404);
      assert.match(res.body.toString(), /pkg\/wasm\/ is committed: restore it, or rebuild it with bash scripts\/build/);
    } finally {
      await bare.close();
    }
  });

  test('defaults to pkg/playground and close() stops it', async () => {
    assert.match(PLAYGROUND_DIR, /pkg[\\/]playground$/);
    const s = await startPlayground();
    await s.close();
    await s.close(); // idempotent
    await assert.rejects(get(s.url, '/'), /ECONNREFUSED/);
  });
});
