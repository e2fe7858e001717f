// A tiny static server for the playground: the page (pkg/playground/) at `/`, the wasm web
// build (pkg/wasm/web/) at `/wasm/web/` and the package's own diff and hint wording
// (pkg/src/diff.js, pkg/src/hints.js) at `/src/…`, so the page's relative imports
// (`../wasm/web/gitops_bump.js`, `../src/diff.js`) resolve the same way here as in the package layout.
// Loopback only; GET and HEAD only; no path may escape its root.

import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(new URL('.', import.meta.url));

/** Where the page lives and where the wasm web build is generated. */
export const PLAYGROUND_DIR = resolve(HERE);
export const WASM_WEB_DIR = resolve(HERE, '..', 'wasm', 'web');
const PKG_SRC_DIR = resolve(HERE, '..', 'src');

const WASM_PREFIX = '/wasm/web/';
// The package modules the page shares with the CLI: these files only, nothing else of src/.
const SHARED_SOURCES = new Set(['/src/diff.js', '/src/unchecked.js', '/src/hints.js']);

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

// The server itself is not part of the page.
const HIDDEN = new Set(['server.js']);

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
  // 'wasm-unsafe-eval' lets the page compile its own wasm and nothing else.
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
    "form-action 'none'; frame-ancestors 'none'",
};

/**
 * Map a request path to a file inside one of the roots, or null when it escapes them or
 * is not something the page serves.
 */
async function resolveFile(urlPath, roots) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;

  let root = roots.playground;
  let rel = decoded;
  if (SHARED_SOURCES.has(decoded)) {
    root = PKG_SRC_DIR;
    rel = decoded.slice('/src/'.length);
  } else if (decoded.startsWith(WASM_PREFIX)) {
    root = roots.wasm;
    rel = decoded.slice(WASM_PREFIX.length);
  } else if (decoded === '/' || decoded === '') {
    rel = 'index.html';
  }
  // Any `..` segment is refused outright, before resolving; resolve() is the second fence.
  if (rel.split('/').some((part) => part === '..')) return null;
  rel = rel.replace(/^\/+/, '');
  if (root === roots.playground && HIDDEN.has(rel)) return null;
  if (!(extname(rel) in MIME)) return null;

  const file = resolve(root, rel);
  if (!file.startsWith(root + sep)) return null;
  // A symlink inside the root must not lead outside it either.
  try {
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(file)]);
    if (!realFile.startsWith(realRoot + sep)) return null;
    const info = await stat(realFile);
    if (!info.isFile()) return null;
    return { file: realFile, size: info.size };
  } catch {
    return null;
  }
}

function send(res, status, text, extra = {}) {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...extra,
  });
  res.end(text);
}

/**
 * Serve the playground on a loopback address.
 *
 * @param {object} [options]
 * @param {number} [options.port=0] 0 picks a free port
 * @param {string} [options.host='127.0.0.1'] must be a loopback address
 * @param {string} [options.wasmDir] the wasm web build (default pkg/wasm/web)
 * @param {string} [options.playgroundDir] the page (default pkg/playground)
 * @returns {Promise<{ url: string, port: number, close: () => Promise<void> }>}
 */
export async function startPlayground({
  port = 0,
  host = '127.0.0.1',
  wasmDir = WASM_WEB_DIR,
  playgroundDir = PLAYGROUND_DIR,
} = {}) {
  if (!LOOPBACK.has(host)) {
    throw new Error(`playground: refusing to listen on ${host}: only 127.0.0.1 (loopback) is allowed`);
  }
  const bindHost = host === 'localhost' ? '127.0.0.1' : host;
  const roots = { playground: resolve(playgroundDir), wasm: resolve(wasmDir) };
  let allowedHosts = new Set();

  const server = createServer(async (req, res) => {
    try {
      // DNS rebinding: only answer requests addressed to this loopback server.
      if (!allowedHosts.has(String(req.headers.host || '').toLowerCase())) {
        send(res, 421, 'misdirected request\n');
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        send(res, 405, 'method not allowed\n', { Allow: 'GET, HEAD' });
        return;
      }
      const urlPath = String(req.url || '/').split(/[?#]/, 1)[0];
      const found = await resolveFile(urlPath, roots);
      if (!found) {
        const wasmHint =
          urlPath.startsWith(WASM_PREFIX) ? ' (pkg/wasm/ is committed: restore it, or rebuild it with bash scripts/build)' : '';
        send(res, 404, `not found${wasmHint}\n`);
        return;
      }
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'Content-Type': MIME[extname(found.file)],
        'Content-Length': found.size,
      });
      if (req.method === 'HEAD') {
        res.end();
        return;
      }
      const stream = createReadStream(found.file);
      stream.on('error', () => res.destroy());
      stream.pipe(res);
    } catch {
      if (!res.headersSent) send(res, 500, 'internal error\n');
      else res.destroy();
    }
  });

  await new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, bindHost, () => {
      server.off('error', reject);
      resolvePromise();
    });
  });

  const actualPort = server.address().port;
  const hostPart = bindHost.includes(':') ? `[${bindHost}]` : bindHost;
  allowedHosts = new Set([`${hostPart}:${actualPort}`, `localhost:${actualPort}`]);
  const url = `http://${hostPart}:${actualPort}/`;

  let closing;
  return {
    url,
    port: actualPort,
    close() {
      closing ??= new Promise((resolvePromise) => {
        server.close(() => resolvePromise());
        server.closeAllConnections?.();
      });
      return closing;
    },
  };
}
