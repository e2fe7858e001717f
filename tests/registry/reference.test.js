// Image references with Docker Hub's rules, and credentials from Docker's config.json.

import assert from 'node:assert/strict';
import test from 'node:test';
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { credentialStore } from '../../pkg/src/registry/credentials.js';
import { credentialKeys, isLoopback, parseReference } from '../../pkg/src/registry/reference.js';
import { dockerConfig, tempDir } from './servers.js';

test('Docker Hub: no host, library/, and its three names', () => {
  const pick = (r) => [r.registry, r.host, r.repository, r.tag, r.digest];
  assert.deepEqual(pick(parseReference('nginx')), ['docker.io', 'registry-1.docker.io', 'library/nginx', undefined, undefined]);
  assert.deepEqual(pick(parseReference('nginx:1.27')), ['docker.io', 'registry-1.docker.io', 'library/nginx', '1.27', undefined]);
  assert.deepEqual(pick(parseReference('bitnami/redis:7.2')), ['docker.io', 'registry-1.docker.io', 'bitnami/redis', '7.2', undefined]);
  for (const alias of ['docker.io', 'index.docker.io', 'registry-1.docker.io']) {
    assert.deepEqual(pick(parseReference(`${alias}/nginx:1`)), ['docker.io', 'registry-1.docker.io', 'library/nginx', '1', undefined]);
  }
  const d = `sha256:${'a'.repeat(64)}`;
  assert.deepEqual(pick(parseReference(`ghcr.io/acme/api:1.2.3@${d}`)), ['ghcr.io', 'ghcr.io', 'acme/api', '1.2.3', d]);
  assert.deepEqual(pick(parseReference('localhost:5000/app:v1')), ['localhost:5000', 'localhost:5000', 'app', 'v1', undefined]);
  assert.deepEqual(pick(parseReference('localhost/app')), ['localhost', 'localhost', 'app', undefined, undefined]);
  assert.deepEqual(pick(parseReference('quay.io/org/team/app:main-1234-abc1234')), ['quay.io', 'quay.io', 'org/team/app', 'main-1234-abc1234', undefined]);
});

test('references a registry cannot resolve are refused, naming the part', () => {
  assert.throws(() => parseReference('ghcr.io/Acme/api:1'), /path component `Acme`/);
  assert.throws(() => parseReference('ghcr.io/acme/api:-bad'), /the tag `-bad`/);
  assert.throws(() => parseReference('ghcr.io/acme/api@sha256:abc'), /the digest `sha256:abc`/);
  assert.throws(() => parseReference(''), /empty/);
});

test('credential keys: Docker Hub under its v1 URL first; loopback hosts', () => {
  assert.equal(credentialKeys('docker.io')[0], 'https://index.docker.io/v1/');
  assert.deepEqual(credentialKeys('ghcr.io').slice(0, 2), ['ghcr.io', 'https://ghcr.io']);
  assert.equal(isLoopback('127.0.0.1:5000'), true);
  assert.equal(isLoopback('localhost'), true);
  assert.equal(isLoopback('[::1]:5000'), true);
  assert.equal(isLoopback('127.example.com'), false);
  assert.equal(isLoopback('registry.local:5000'), false);
});

test('config.json: auths (auth and username/password), identity tokens, credHelpers over auths, credsStore', async (t) => {
  const b64 = (s) => Buffer.from(s).toString('base64');
  const dir = dockerConfig(t, {
    auths: {
      'https://index.docker.io/v1/': { auth: b64('hubuser:hub-pass:with-colon') },
      'quay.io': { username: 'acme+deployer', password: 'ROBOTTOKEN' },
      'myregistry.azurecr.io': { identitytoken: 'refresh-token-value' },
      'helped.example.com': { auth: b64('not:used') },
    },
    credHelpers: { 'helped.example.com': 'fake', '123456789012.dkr.ecr.eu-west-1.amazonaws.com': 'fake' },
    credsStore: 'store',
  });
  const calls = [];
  const runHelper = async (helper, host) => {
    calls.push([helper, host]);
    if (helper === 'fake' && host.includes('ecr')) return JSON.stringify({ Username: 'AWS', Secret: 'ecr-password' });
    if (helper === 'fake') return JSON.stringify({ Username: '<token>', Secret: 'helper-identity' });
    if (helper === 'store' && host === 'gcr.io') return JSON.stringify({ Username: 'oauth2accesstoken', Secret: 'ya29.token' });
    throw Object.assign(new Error('exit 1'), { stdout: 'credentials not found in native keychain' });
  };
  const store = credentialStore({ env: { DOCKER_CONFIG: dir }, runHelper });
  assert.deepEqual(await store.lookup('docker.io'), { username: 'hubuser', password: 'hub-pass:with-colon', source: `auths["https://index.docker.io/v1/"] in ${path.join(dir, 'config.json')}` });
  assert.equal((await store.lookup('quay.io')).username, 'acme+deployer');
  assert.equal((await store.lookup('myregistry.azurecr.io')).identityToken, 'refresh-token-value');
  assert.equal((await store.lookup('helped.example.com')).identityToken, 'helper-identity');
  assert.equal((await store.lookup('123456789012.dkr.ecr.eu-west-1.amazonaws.com')).password, 'ecr-password');
  assert.equal((await store.lookup('gcr.io')).username, 'oauth2accesstoken');
  assert.equal(await store.lookup('ghcr.io'), null);
  await store.lookup('gcr.io');
  assert.equal(calls.filter(([, h]) => h === 'gcr.io').length, 1, 'looked up once per run');
  assert.ok(store.secrets().includes('ecr-password'));
});

test('a failing credential helper is an error naming the helper and host, without secrets', async (t) => {
  const bin = tempDir(t, 'gb-helper-');
  writeFileSync(path.join(bin, 'docker-credential-broken'), '#!/bin/sh\necho "keychain locked" >&2\nexit 3\n');
  chmodSync(path.join(bin, 'docker-credential-broken'), 0o755);
  const dir = dockerConfig(t, { credHelpers: { 'ghcr.io': 'broken' } });
  const store = credentialStore({ env: { DOCKER_CONFIG: dir, PATH: `${bin}:${process.env.PATH}` } });
  await assert.rejects(store.lookup('ghcr.io'), /docker-credential-broken \(from credHelpers in .*config\.json\) failed for ghcr\.io/);
  const bad = tempDir(t);
  writeFileSync(path.join(bad, 'config.json'), '{ not json');
  await assert.rejects(credentialStore({ env: { DOCKER_CONFIG: bad } }).lookup('ghcr.io'), /config\.json: not valid JSON/);
});
