// The registry client against the fault-injecting fake: what neither real server does.
// Each test counts the requests that reached the registry.

import assert from 'node:assert/strict';
import test from 'node:test';
import http from 'node:http';
import { RegistryClient, nextLink, parseChallenge, retryAfterMs } from '../../pkg/src/registry/client.js';
import { credentialStore } from '../../pkg/src/registry/credentials.js';
import { parseReference } from '../../pkg/src/registry/reference.js';
import { findSignature, resolveImage } from '../../pkg/src/registry/resolve.js';
import { startFaultyRegistry } from './faults.js';
import { dockerConfig, USER, PASSWORD } from './servers.js';

/** A client whose waits are recorded, not slept. */
function client(options = {}) {
  const waits = [];
  const c = new RegistryClient({ sleep: async (ms) => void waits.push(ms), notFoundDelaysMs: [10, 20, 40], ...options });
  return { c, waits };
}

test('429 with Retry-After: waited as asked, then the digest; bounded', async (t) => {
  const fake = await startFaultyRegistry(t, { rateLimit: { times: 2, retryAfter: 3 } });
  const { c, waits } = client();
  const r = await resolveImage(c, parseReference(`${fake.host}/app:1.0.0`));
  assert.equal(r.digest, fake.content.indexDigest);
  assert.deepEqual(waits, [3000, 3000]);
  assert.equal(fake.requests.filter((q) => q.method === 'HEAD').length, 3);
  // every manifest media type is in Accept, so no registry has a reason to convert
  assert.deepEqual(fake.requests[0].accept.split(', ').sort(), [
    'application/vnd.docker.distribution.manifest.list.v2+json',
    'application/vnd.docker.distribution.manifest.v2+json',
    'application/vnd.oci.image.index.v1+json',
    'application/vnd.oci.image.manifest.v1+json',
  ]);

  // more 429s than the bound: registry-unreachable, after maxRetries + 1 requests
  const fake2 = await startFaultyRegistry(t, { rateLimit: { times: 10, retryAfter: 1 } });
  const { c: c2 } = client({ maxRetries: 3 });
  await assert.rejects(resolveImage(c2, parseReference(`${fake2.host}/app:1.0.0`)), (e) => e.kind === 'registry-unreachable' && /429 after 3 retries/.test(e.message));
  assert.equal(fake2.requests.length, 4);

  // a Retry-After longer than we wait for fails at once, saying so
  const fake3 = await startFaultyRegistry(t, { rateLimit: { times: 1, retryAfter: 3600 } });
  const { c: c3, waits: w3 } = client({ maxRetryAfterMs: 20_000 });
  await assert.rejects(resolveImage(c3, parseReference(`${fake3.host}/app:1.0.0`)), (e) => e.kind === 'registry-unreachable' && /Retry-After 3600/.test(e.message));
  assert.deepEqual(w3, []);
  assert.equal(fake3.requests.length, 1);
});

test('503 without Retry-After backs off exponentially, bounded', async (t) => {
  const fake = await startFaultyRegistry(t, { unavailable: { times: 2 } });
  const { c, waits } = client();
  const r = await resolveImage(c, parseReference(`${fake.host}/app:1.0.0`));
  assert.equal(r.digest, fake.content.indexDigest);
  assert.deepEqual(waits, [500, 1000]);
  assert.equal(retryAfterMs(new Date(Date.now() + 5000).toUTCString(), 0) > 3000, true);
});

test('read-after-push: a 404 right after the push is asked again, a few times, then tag-not-found', async (t) => {
  const fake = await startFaultyRegistry(t, { notFoundTimes: 2 });
  const { c, waits } = client();
  const r = await resolveImage(c, parseReference(`${fake.host}/app:1.0.0`));
  assert.equal(r.digest, fake.content.indexDigest);
  assert.equal(r.attempts, 3);
  assert.deepEqual(waits, [10, 20]);

  const fake2 = await startFaultyRegistry(t, { notFoundTimes: 100 });
  const { c: c2, waits: w2 } = client();
  await assert.rejects(resolveImage(c2, parseReference(`${fake2.host}/app:1.0.0`)), (e) => {
    assert.equal(e.kind, 'tag-not-found');
    assert.match(e.message, /the tag `1\.0\.0` does not exist/);
    assert.match(e.message, /404 for manifests\/1\.0\.0, 4 times/);
    return true;
  });
  assert.deepEqual(w2, [10, 20, 40]);
  assert.equal(fake2.requests.length, 4);
});

test('no Docker-Content-Digest: the digest of the bytes served (one GET more)', async (t) => {
  const fake = await startFaultyRegistry(t, { noDigestHeader: true });
  const { c } = client();
  const r = await resolveImage(c, parseReference(`${fake.host}/app:1.0.0`));
  assert.equal(r.digest, fake.content.indexDigest);
  assert.deepEqual(fake.requests.map((q) => q.method), ['HEAD', 'GET']);
});

test('a registry serving a platform child for the index is detected, not trusted', async (t) => {
  const fake = await startFaultyRegistry(t, { serveChild: true });
  const { c } = client();
  await assert.rejects(resolveImage(c, parseReference(`${fake.host}/app:1.0.0`), { requirePlatforms: ['linux/arm64'] }), (e) => {
    assert.equal(e.kind, 'registry-unreachable');
    assert.match(e.message, /cannot be trusted/);
    assert.match(e.message, /Docker-Content-Digest sha256:[0-9a-f]{64} for content whose digest is/);
    return true;
  });
});

test('a token realm on another host gets no credentials; the error says why', async (t) => {
  // the token service listens on 127.0.0.1 but is named as localhost: another host
  const seen = [];
  const tokens = http.createServer((req, res) => {
    seen.push(req.headers.authorization ?? null);
    res.writeHead(401).end('{}');
  });
  await new Promise((r) => tokens.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => tokens.close(r)));
  const realm = `http://localhost:${tokens.address().port}/token`;
  const fake = await startFaultyRegistry(t, { bearer: { realm } });
  const config = dockerConfig(t, { auths: { [fake.host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } } });
  const { c } = client({ credentials: credentialStore({ env: { DOCKER_CONFIG: config } }), insecureRegistries: [`localhost:${tokens.address().port}`] });
  await assert.rejects(resolveImage(c, parseReference(`${fake.host}/app:1.0.0`)), (e) => {
    assert.equal(e.kind, 'registry-auth');
    assert.match(e.message, /token realm is on another host, so its credentials were not sent/);
    assert.doesNotMatch(e.message, new RegExp(PASSWORD));
    return true;
  });
  assert.deepEqual(seen, [null]);
  assert.equal(fake.requests.every((q) => q.authorization === null), true);
});

test('a plain-HTTP token realm for an https registry is refused', async () => {
  const c = new RegistryClient();
  const ref = parseReference('registry.example.com/app:1');
  c.hosts.set(ref.host, { scheme: 'bearer', realm: 'http://registry.example.com/token' });
  await assert.rejects(c.authorization(ref, 'repository:app:pull'), (e) => e.kind === 'registry-auth' && /tokens are fetched over https only/.test(e.message));
  assert.equal(c.stats.requests, 0);
});

test('a realm on a private or link-local address is not asked for a registry elsewhere', async () => {
  const c = new RegistryClient();
  const ref = parseReference('registry.example.com/app:1');
  c.hosts.set(ref.host, { scheme: 'bearer', realm: 'https://169.254.169.254/latest/meta-data' });
  await assert.rejects(c.authorization(ref, 'repository:app:pull'), (e) => e.kind === 'registry-auth' && /private or link-local address 169\.254\.169\.254/.test(e.message));
  assert.equal(c.stats.requests, 0);
});

test('a redirect to another host loses the Authorization header; https is never downgraded', async (t) => {
  const seen = [];
  const other = http.createServer((req, res) => {
    seen.push(req.headers.authorization ?? null);
    res.writeHead(200, { 'content-type': 'application/vnd.oci.image.index.v1+json', 'docker-content-digest': 'sha256:' + 'a'.repeat(64) }).end();
  });
  await new Promise((r) => other.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => other.close(r)));
  const first = http.createServer((req, res) => {
    seen.push(req.headers.authorization ?? null);
    if (!req.headers.authorization) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="x"' }).end();
      return;
    }
    res.writeHead(307, { location: `http://localhost:${other.address().port}${req.url}` }).end();
  });
  await new Promise((r) => first.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => first.close(r)));
  const host = `127.0.0.1:${first.address().port}`;
  const c = new RegistryClient({ credentials: credentialStore({ explicit: [{ registry: host, username: USER, password: PASSWORD }] }) });
  const head = await c.headManifest(parseReference(`${host}/app:1`), '1');
  assert.equal(head.digest, 'sha256:' + 'a'.repeat(64));
  assert.equal(seen.length, 3);
  assert.equal(seen[0], null);
  assert.match(seen[1], /^Basic /);
  assert.equal(seen[2], null, 'the redirect target on another host got the credentials');
});

test('Link pages on another host are not followed; a Link-less registry is paged with last, stopping on a repeat', async (t) => {
  const tags = Array.from({ length: 250 }, (_, i) => `1.0.${i}`);
  const fake = await startFaultyRegistry(t, { tags, link: (n, last) => `<http://localhost:1/v2/app/tags/list?n=${n}&last=${last}>; rel="next"` });
  const { c } = client();
  const listed = await c.listTags(parseReference(`${fake.host}/app`), { pageSize: 100 });
  assert.equal(listed.tags.length, 100);
  assert.equal(listed.truncated, true);
  assert.match(listed.reason, /another host/);
  assert.equal(fake.requests.length, 1);
  assert.equal(nextLink('<http://localhost:1/v2/x>; rel="next"', `http://${fake.host}/v2/`), false);

  // without Link: pages of 100 with `last`; the fake answers past the end with nothing
  // new (crane repeats its first page; the servers test covers that one)
  fake.faults.link = undefined;
  const { c: c2 } = client();
  const all = await c2.listTags(parseReference(`${fake.host}/app`), { pageSize: 100 });
  assert.deepEqual(all.tags, tags);
  assert.equal(all.truncated, false);
  assert.equal(nextLink(`</v2/app/tags/list?n=2&last=b>; rel="next"`, `http://${fake.host}/v2/`), `http://${fake.host}/v2/app/tags/list?n=2&last=b`);
});

test('signatures: the referrers API first (no tag lookups then); other artifacts do not count', async (t) => {
  const fake = await startFaultyRegistry(t);
  const digest = fake.content.indexDigest;
  fake.faults.referrers = { [digest]: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json', digest: `sha256:${'b'.repeat(64)}`, size: 10 }] };
  const { c } = client();
  const r = await resolveImage(c, parseReference(`${fake.host}/app:1.0.0`), { requireSignature: true });
  assert.match(r.signature.via, /^referrers API \(application\/vnd\.dev\.sigstore\.bundle\.v0\.3\+json sha256:b{64}\)$/);
  assert.deepEqual(fake.requests.map((q) => `${q.method} ${q.url.replace(/sha256:[0-9a-f]+/, 'D')}`), ['HEAD /v2/app/manifests/1.0.0', 'GET /v2/app/referrers/D']);
  // an SBOM is a referrer, not a signature: then the .sig and .att tags are asked
  fake.faults.referrers = { [digest]: [{ artifactType: 'application/spdx+json', digest: `sha256:${'c'.repeat(64)}` }] };
  const found = await findSignature(c, parseReference(`${fake.host}/app:1.0.0`), digest);
  assert.deepEqual(found, { found: false, via: `1 referrer(s), none a signature; no ${digest.replace(':', '-')}.sig or .att tag` });
});

test('challenge parsing: Bearer with quoted params, Basic, junk', () => {
  assert.deepEqual(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"'), {
    scheme: 'bearer',
    params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/nginx:pull' },
  });
  assert.equal(parseChallenge('Basic realm="Registry Realm"').scheme, 'basic');
  assert.equal(parseChallenge('Bearer service="x"'), null);
  assert.equal(parseChallenge(''), null);
});
