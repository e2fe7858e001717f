// The registry client against real registries on 127.0.0.1: `crane registry serve` and
// distribution's `registry` (htpasswd Basic; the `silly` Bearer challenge with the token
// service of servers.js), with images pushed by the real crane CLI. Requests are counted
// on both sides: the client's own count and what the server logged or the token service saw.

import assert from 'node:assert/strict';
import test from 'node:test';
import { writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { RegistryClient, MANIFEST_TYPES } from '../../pkg/src/registry/client.js';
import { credentialStore } from '../../pkg/src/registry/credentials.js';
import { parseReference } from '../../pkg/src/registry/reference.js';
import { resolveImage } from '../../pkg/src/registry/resolve.js';
import {
  IDENTITY_TOKEN, SKIP, SKIP_CRANE, SPECIAL_USERS, USER, PASSWORD, authsFor, crane, dockerConfig, pushImage, pushSignatureTag,
  startBearerRegistry, startCrane, startDistribution, tempDir,
} from './servers.js';

const fast = { notFoundDelaysMs: [5, 5, 5] };

test('crane: a tag resolves to its index digest with one HEAD carrying every manifest type', { skip: SKIP_CRANE, timeout: 120000 }, async (t) => {
  const reg = await startCrane(t);
  const img = await pushImage(t, reg.host, 'acme/api', '1.0.0');
  assert.equal(img.digest, await crane(['digest', img.ref]));
  const c = new RegistryClient(fast);
  const mark = reg.mark();
  const r = await resolveImage(c, parseReference(img.ref));
  assert.equal(r.digest, img.digest);
  assert.equal(r.mediaType, 'application/vnd.oci.image.index.v1+json');
  assert.equal(c.stats.requests, 1);
  assert.deepEqual(reg.requestsSince(mark).map((l) => l.replace(/^.*?(HEAD|GET)/, '$1').split(' ').slice(0, 2).join(' ')), ['HEAD /v2/acme/api/manifests/1.0.0']);
  assert.equal(MANIFEST_TYPES.length, 4);

  // the index digest given: accepted; a child's digest: refused, saying it is a child
  await resolveImage(c, parseReference(`${img.ref}@${img.digest}`));
  await assert.rejects(resolveImage(c, parseReference(`${img.ref}@${img.children['linux/arm64']}`)), (e) => {
    assert.equal(e.kind, 'digest-mismatch');
    assert.match(e.message, /is the linux\/arm64 image inside the tag's index, not the tag's digest/);
    assert.match(e.message, new RegExp(`give the index digest ${img.digest}`));
    return true;
  });
  // another image's digest: digest-mismatch without the child wording
  const other = await pushImage(t, reg.host, 'acme/api', '0.9.0', { content: 'older' });
  await assert.rejects(resolveImage(c, parseReference(`${img.ref}@${other.digest}`)), (e) => e.kind === 'digest-mismatch' && /the tag points at sha256:/.test(e.message) && !/inside the tag's index/.test(e.message));
  // a typo'd tag: tag-not-found after the bounded retries (4 HEADs)
  const before = c.stats.requests;
  await assert.rejects(resolveImage(c, parseReference(`${reg.host}/acme/api:1.0.O`)), (e) => e.kind === 'tag-not-found' && /`1\.0\.O` does not exist/.test(e.message));
  assert.equal(c.stats.requests - before, 4);
});

test('crane: platforms from the index, and from the config of a one-platform image', { skip: SKIP_CRANE, timeout: 120000 }, async (t) => {
  const reg = await startCrane(t);
  const multi = await pushImage(t, reg.host, 'app', '2.0.0', { platforms: ['linux/amd64', 'linux/arm64', 'linux/arm/v7'] });
  const single = await pushImage(t, reg.host, 'app', '2.0.0-amd64', { platforms: ['linux/amd64'], single: true });
  const c = new RegistryClient(fast);
  const r = await resolveImage(c, parseReference(multi.ref), { requirePlatforms: ['linux/amd64', 'linux/arm64'] });
  assert.deepEqual(r.platforms, ['linux/amd64', 'linux/arm64', 'linux/arm/v7']);
  const s = await resolveImage(c, parseReference(single.ref), { requirePlatforms: ['linux/amd64'] });
  assert.deepEqual(s.platforms, ['linux/amd64']);
  assert.equal(s.digest, single.digest);
  await assert.rejects(resolveImage(c, parseReference(single.ref), { requirePlatforms: ['linux/amd64', 'linux/arm64'] }), (e) => {
    assert.equal(e.kind, 'platform-missing');
    assert.match(e.message, /no linux\/arm64 image in the tag/);
    assert.match(e.message, /has linux\/amd64/);
    return true;
  });
});

test('crane: signatures by the sha256-<hex>.sig tag (crane has no referrers API)', { skip: SKIP_CRANE, timeout: 120000 }, async (t) => {
  const reg = await startCrane(t);
  const img = await pushImage(t, reg.host, 'app', '3.0.0');
  const c = new RegistryClient(fast);
  await assert.rejects(resolveImage(c, parseReference(img.ref), { requireSignature: true }), (e) => {
    assert.equal(e.kind, 'signature-missing');
    assert.match(e.message, /no referrers API; no sha256-[0-9a-f]{64}\.sig or \.att tag/);
    assert.match(e.message, /only presence is checked/);
    return true;
  });
  await pushSignatureTag(t, reg.host, 'app', img.digest);
  const r = await resolveImage(c, parseReference(img.ref), { requireSignature: true });
  assert.match(r.signature.via, /^tag sha256-[0-9a-f]{64}\.sig$/);
});

test('crane: tag listing without Link, and crane repeating its first page past the end', { skip: SKIP_CRANE, timeout: 180000 }, async (t) => {
  const reg = await startCrane(t);
  const img = await pushImage(t, reg.host, 'many', '0.0.0');
  // 26 more tags of the same image: 30 with the build tags, three full pages of 10
  const tags = ['0.0.0', ...Array.from({ length: 26 }, (_, i) => `1.${i}.0`)];
  for (const tag of tags.slice(1)) await crane(['tag', img.ref, tag]);
  const want = [...tags, ...Object.keys(img.children).map((p) => `build-0.0.0-${p.replaceAll('/', '-')}`), 'build-0.0.0-base'].sort();
  assert.equal(want.length, 30);
  // the quirk, reproduced: no Link, and `last` past the end answers the first page again
  const page = await fetch(`http://${reg.host}/v2/many/tags/list?n=10&last=${want[29]}`);
  assert.equal(page.headers.get('link'), null);
  assert.deepEqual((await page.json()).tags, want.slice(0, 10));
  const c = new RegistryClient(fast);
  const listed = await c.listTags(parseReference(`${reg.host}/many`), { pageSize: 10 });
  assert.deepEqual([...listed.tags].sort(), want);
  assert.equal(listed.truncated, false);
  assert.equal(listed.pages, 4, 'three pages, and the repeated first page that ends it');
});

test('distribution + htpasswd: Basic credentials from config.json auths; refused without', { skip: SKIP, timeout: 180000 }, async (t) => {
  const reg = await startDistribution(t, { auth: { kind: 'htpasswd' } });
  const config = dockerConfig(t, authsFor(reg.host));
  const img = await pushImage(t, reg.host, 'acme/api', '1.0.0', { env: { DOCKER_CONFIG: config } });
  const c = new RegistryClient({ ...fast, credentials: credentialStore({ env: { DOCKER_CONFIG: config } }) });
  const r = await resolveImage(c, parseReference(img.ref));
  assert.equal(r.digest, img.digest);
  assert.equal(c.stats.requests, 2, 'one 401 to learn the scheme, one HEAD with Basic');
  // a second image: one HEAD more, no new challenge
  await resolveImage(c, parseReference(img.ref));
  assert.equal(c.stats.requests, 3);

  const anon = new RegistryClient({ ...fast, credentials: credentialStore({ env: { DOCKER_CONFIG: tempDir(t) } }) });
  await assert.rejects(resolveImage(anon, parseReference(img.ref)), (e) => {
    assert.equal(e.kind, 'registry-auth');
    assert.match(e.message, /no credentials for 127\.0\.0\.1:\d+ were found/);
    return true;
  });
  // user names as Quay robots (org+robot), ECR (AWS) and GCR (oauth2accesstoken) have them
  for (const username of SPECIAL_USERS) {
    const dir = dockerConfig(t, { auths: { [reg.host]: { auth: Buffer.from(`${username}:${PASSWORD}`).toString('base64') } } });
    const special = new RegistryClient({ ...fast, credentials: credentialStore({ env: { DOCKER_CONFIG: dir } }) });
    assert.equal((await resolveImage(special, parseReference(img.ref))).digest, img.digest, username);
  }
  const wrong = new RegistryClient({ ...fast, credentials: credentialStore({ explicit: [{ registry: reg.host, username: USER, password: 'wrong-password' }] }) });
  await assert.rejects(resolveImage(wrong, parseReference(img.ref)), (e) => e.kind === 'registry-auth' && /were refused/.test(e.message) && !/wrong-password/.test(e.message));
});

test('distribution + silly Bearer: one token per repository for 20 parallel images; a credential helper', { skip: SKIP, timeout: 180000 }, async (t) => {
  const reg = await startBearerRegistry(t, { anonymousPull: false });
  const tokens = reg;
  // credentials through a docker-credential-* helper (the helper protocol: host on stdin)
  const bin = tempDir(t, 'gb-helper-');
  const helper = path.join(bin, 'docker-credential-gbtest');
  writeFileSync(helper, `#!/bin/sh\nread host\n[ "$1" = get ] || exit 1\nif [ "$host" = "${reg.host}" ]; then printf '{"ServerURL":"%s","Username":"${USER}","Secret":"${PASSWORD}"}' "$host"; else echo "credentials not found in native keychain"; exit 1; fi\n`);
  chmodSync(helper, 0o755);
  const config = dockerConfig(t, { credHelpers: { [reg.host]: 'gbtest' } });
  const env = { DOCKER_CONFIG: config, PATH: `${bin}:${process.env.PATH}` };
  const img = await pushImage(t, reg.host, 'acme/api', '1.0.0', { env });
  const pushTokens = tokens.requests.length;
  const c = new RegistryClient({ ...fast, credentials: credentialStore({ env }) });
  const refs = Array.from({ length: 20 }, () => parseReference(img.ref));
  const results = await Promise.all(refs.map((ref) => resolveImage(c, ref)));
  assert.ok(results.every((r) => r.digest === img.digest));
  const mine = tokens.requests.slice(pushTokens);
  assert.equal(mine.length, 1, 'one token for the run');
  assert.equal(mine[0].scope, 'repository:acme/api:pull');
  assert.equal(mine[0].service, 'test-registry');
  assert.equal(mine[0].authorized, true);
  // 1 request to learn the challenge, 1 token, 20 HEADs
  assert.deepEqual(c.stats.byKind, { manifest: 21, token: 1 });
});

test('distribution + silly Bearer: an identity token from config.json goes through the refresh-token grant', { skip: SKIP, timeout: 180000 }, async (t) => {
  const reg = await startBearerRegistry(t, { anonymousPull: false });
  const img = await pushImage(t, reg.host, 'acme/api', '1.0.0', { env: { DOCKER_CONFIG: dockerConfig(t, authsFor(reg.host)) } });
  const n = reg.requests.length;
  const config = dockerConfig(t, { auths: { [reg.host]: { identitytoken: IDENTITY_TOKEN } } });
  const c = new RegistryClient({ ...fast, credentials: credentialStore({ env: { DOCKER_CONFIG: config } }) });
  assert.equal((await resolveImage(c, parseReference(img.ref))).digest, img.digest);
  assert.deepEqual(reg.requests.slice(n).map((r) => [r.grant, r.scope, r.authorized]), [['refresh_token', 'repository:acme/api:pull', true]]);
});

test('distribution + silly Bearer: anonymous tokens for a public image; a refused anonymous pull is registry-auth', { skip: SKIP, timeout: 180000 }, async (t) => {
  const reg = await startBearerRegistry(t, { anonymousPull: true });
  const tokens = reg;
  const config = dockerConfig(t, authsFor(reg.host));
  const img = await pushImage(t, reg.host, 'public/app', '1.0.0', { env: { DOCKER_CONFIG: config } });
  const n = tokens.requests.length;
  const c = new RegistryClient({ ...fast, credentials: credentialStore({ env: { DOCKER_CONFIG: tempDir(t) } }) });
  assert.equal((await resolveImage(c, parseReference(img.ref))).digest, img.digest);
  assert.equal(tokens.requests.slice(n).every((r) => r.authorization === null), true);

  const reg2 = await startBearerRegistry(t, { anonymousPull: false });
  const c2 = new RegistryClient({ ...fast, credentials: credentialStore({ env: { DOCKER_CONFIG: tempDir(t) } }) });
  await assert.rejects(resolveImage(c2, parseReference(`${reg2.host}/private/app:1.0.0`)), (e) => e.kind === 'registry-auth' && /anonymous request/.test(e.message));
});

test('distribution: a Docker manifest list is rewritten to the amd64 child when Accept lacks the list type; our client gets the list', { skip: SKIP, timeout: 180000 }, async (t) => {
  const reg = await startDistribution(t);
  const img = await pushImage(t, reg.host, 'app', '1.0.0', { docker: true });
  // the quirk, reproduced: an Accept without the list type gets the amd64 child's digest
  const narrow = await fetch(`http://${reg.host}/v2/app/manifests/1.0.0`, { method: 'HEAD', headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' } });
  assert.equal(narrow.headers.get('docker-content-digest'), img.children['linux/amd64']);
  const c = new RegistryClient(fast);
  const r = await resolveImage(c, parseReference(img.ref), { requirePlatforms: ['linux/arm64'] });
  assert.equal(r.digest, img.digest);
  assert.equal(r.mediaType, 'application/vnd.docker.distribution.manifest.list.v2+json');
  assert.deepEqual(r.platforms, ['linux/amd64', 'linux/arm64']);
});

test('distribution: Link pagination with n', { skip: SKIP, timeout: 180000 }, async (t) => {
  const reg = await startDistribution(t);
  const img = await pushImage(t, reg.host, 'paged', '0.0.0');
  for (let i = 0; i < 12; i += 1) await crane(['tag', img.ref, `1.${i}.0`]);
  const c = new RegistryClient(fast);
  const listed = await c.listTags(parseReference(`${reg.host}/paged`), { pageSize: 5 });
  assert.equal(listed.tags.length, 16);
  assert.equal(new Set(listed.tags).size, 16);
  assert.equal(listed.truncated, false);
});
