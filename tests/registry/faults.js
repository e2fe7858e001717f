// A fault-injecting registry, only for what the real servers (crane, distribution) do not
// do: 429 with Retry-After, 503, a missing Docker-Content-Digest, a token realm or a Link
// on another host, 404s for a while after a push (read-after-push lag), and a registry
// that serves a platform child for an index. It serves one repository `app` with one
// multi-platform tag `1.0.0` (an OCI index of linux/amd64 and linux/arm64).
//
// Not modelled: uploads, blobs other than the configs, deletes, token expiry.

import { createHash } from 'node:crypto';
import http from 'node:http';

const sha = (/** @type {string} */ text) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

/** The fake's content: two configs, two child manifests, one index. */
export function fakeContent() {
  const configs = ['amd64', 'arm64'].map((arch) => JSON.stringify({ architecture: arch, os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: {} }));
  const children = configs.map((c) =>
    JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(c), size: c.length }, layers: [] }),
  );
  const index = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: children.map((m, i) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(m), size: m.length, platform: { os: 'linux', architecture: ['amd64', 'arm64'][i] } })),
  });
  return { configs, children, index, indexDigest: sha(index), childDigests: children.map(sha) };
}

/**
 * Starts the fake. `faults` (mutable while it runs):
 * - `rateLimit: {times, retryAfter}`: the first `times` manifest requests get 429;
 * - `unavailable: {times}`: 503 without Retry-After;
 * - `noDigestHeader`: manifest answers without Docker-Content-Digest;
 * - `notFoundTimes`: the tag is 404 for its first N requests (just pushed);
 * - `bearer: {realm}`: a Bearer challenge naming `realm` (tokens are then required);
 * - `serveChild`: the index is answered with the amd64 child's bytes (and the index's digest header);
 * - `tags: string[]`, `link: (n, last) => string | null`: tag listing and its Link header;
 * - `referrers: {[digest]: descriptor[]}`: the OCI referrers API (neither real server has it).
 */
export async function startFaultyRegistry(t, faults = {}) {
  const content = fakeContent();
  /** @type {{method: string, url: string, authorization: string | null, accept: string | null}[]} */
  const requests = [];
  const counts = { manifest: 0, tag: 0 };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push({ method: req.method ?? '', url: url.pathname + url.search, authorization: req.headers.authorization ?? null, accept: req.headers.accept ?? null });
    if (faults.bearer && !(req.headers.authorization ?? '').startsWith('Bearer ')) {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${faults.bearer.realm}",service="fake",scope="repository:app:pull"`, 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
      return;
    }
    if (url.pathname === '/v2/') {
      res.writeHead(200).end('{}');
      return;
    }
    const referrers = /^\/v2\/app\/referrers\/(.+)$/.exec(url.pathname);
    if (referrers && faults.referrers) {
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json' });
      res.end(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: faults.referrers[referrers[1]] ?? [] }));
      return;
    }
    const m = /^\/v2\/app\/(manifests|blobs)\/(.+)$/.exec(url.pathname);
    if (url.pathname === '/v2/app/tags/list') {
      const n = Number(url.searchParams.get('n') ?? 1000);
      const last = url.searchParams.get('last');
      const all = faults.tags ?? ['1.0.0'];
      const from = last ? all.indexOf(last) + 1 : 0;
      const page = all.slice(from, from + n);
      const link = faults.link?.(n, page[page.length - 1]) ?? null;
      res.writeHead(200, { 'content-type': 'application/json', ...(link ? { link } : {}) });
      res.end(JSON.stringify({ name: 'app', tags: page }));
      return;
    }
    if (!m) {
      res.writeHead(404).end();
      return;
    }
    if (m[1] === 'manifests') {
      counts.manifest += 1;
      if (faults.rateLimit && counts.manifest <= faults.rateLimit.times) {
        res.writeHead(429, faults.rateLimit.retryAfter !== undefined ? { 'retry-after': String(faults.rateLimit.retryAfter) } : {});
        res.end('{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}');
        return;
      }
      if (faults.unavailable && counts.manifest <= faults.unavailable.times) {
        res.writeHead(503).end();
        return;
      }
    }
    const ref = m[2];
    /** @type {{body: string, type: string} | undefined} */
    let found;
    if (m[1] === 'manifests') {
      if (ref === '1.0.0') {
        counts.tag += 1;
        if (faults.notFoundTimes && counts.tag <= faults.notFoundTimes) found = undefined;
        else found = { body: content.index, type: 'application/vnd.oci.image.index.v1+json' };
      } else if (ref === content.indexDigest) {
        found = { body: content.index, type: 'application/vnd.oci.image.index.v1+json' };
      } else {
        const i = content.childDigests.indexOf(ref);
        if (i >= 0) found = { body: content.children[i], type: 'application/vnd.oci.image.manifest.v1+json' };
      }
      if (found && faults.serveChild && found.body === content.index) {
        found = { body: content.children[0], type: 'application/vnd.oci.image.manifest.v1+json' };
        res.setHeader('docker-content-digest', content.indexDigest);
      }
    } else {
      const i = content.configs.map(sha).indexOf(ref);
      if (i >= 0) found = { body: content.configs[i], type: 'application/octet-stream' };
    }
    if (!found) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(req.method === 'HEAD' ? undefined : '{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}');
      return;
    }
    if (!faults.noDigestHeader && !res.hasHeader('docker-content-digest')) res.setHeader('docker-content-digest', sha(found.body));
    res.writeHead(200, { 'content-type': found.type, 'content-length': Buffer.byteLength(found.body) });
    res.end(req.method === 'HEAD' ? undefined : found.body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => server.close(r)));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return { host: `127.0.0.1:${port}`, port, requests, content, faults };
}
