// Real registries on 127.0.0.1 for the registry client's tests: `crane registry serve`
// (go-containerregistry) and distribution's `registry` (htpasswd Basic auth, or the
// `silly` Bearer challenge with the small token service below), with images pushed by the
// real `crane` CLI (no Docker). A fault-injecting fake covers only what neither server
// does (see faults.js).

import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT, freePort, tempDir } from '../pipeline/helpers.js';

export { ROOT, tempDir };
export const CRANE = process.env.CRANE_BIN ?? path.join(ROOT, '.tools', 'bin', 'crane');
export const REGISTRY = process.env.REGISTRY_BIN ?? path.join(ROOT, '.tools', 'bin', 'registry');
export const KUSTOMIZE = process.env.KUSTOMIZE_BIN ?? path.join(ROOT, '.tools', 'bin', 'kustomize');

/**
 * A skip reason when the servers are not built (scripts/setup-test builds them), or false.
 * In CI a missing binary is a failure, never a skip.
 */
export const SKIP = !process.env.CI && !(existsSync(CRANE) && existsSync(REGISTRY)) && 'crane or registry is not built (scripts/setup-test builds them; in CI this fails)';
/** The same for tests that need crane only. */
export const SKIP_CRANE = !process.env.CI && !existsSync(CRANE) && 'crane is not built (scripts/setup-test builds it; in CI this fails)';

/** The test user of the htpasswd and token-service registries, and a bcrypt (cost 5) of its password. */
export const USER = 'ci-robot';
export const PASSWORD = 's3cret-registry-pass';
/** User names with a meaning at some registries: a Quay robot account, ECR's, GCR's. */
export const SPECIAL_USERS = ['acme+deployer', 'AWS', 'oauth2accesstoken'];
/** An identity (refresh) token the token service exchanges, as `identitytoken` in config.json. */
export const IDENTITY_TOKEN = 'identity-refresh-token-0123';
const PASSWORD_BCRYPT = '$2a$05$/4ZPGPi03maudFNwTyP8aOZLFOpEXEwUpV8Rh8w0.jFCdW5lHmyY6';

const run = promisify(execFile);

export { freePort };

/** Waits until `url` answers (any status). */
async function waitFor(url, child, log) {
  for (let i = 0; i < 200; i += 1) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}): ${log()}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`${url} did not answer: ${log()}`);
}

/**
 * Starts a process and stops it after the test.
 * @returns {{child: import('node:child_process').ChildProcess, log: () => string}}
 */
function startProcess(t, bin, args, options = {}) {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGTERM');
  });
  return { child, log: () => log };
}

/**
 * `crane registry serve`: in memory, no auth, no Link headers; past the end of the tag
 * list it answers with the first page again.
 * Its log has one line per request, so `requests()` counts what reached it.
 */
export async function startCrane(t) {
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const p = startProcess(t, CRANE, ['registry', 'serve', '--address', host]);
  await waitFor(`http://${host}/v2/`, p.child, p.log);
  const mark = () => p.log().split('\n').length;
  return {
    host,
    log: p.log,
    /** Requests logged since `since` (a value of `mark()`), e.g. `HEAD /v2/app/manifests/1.0.0`. */
    requestsSince: (since) => p.log().split('\n').slice(since - 1).filter((l) => /\s(GET|HEAD|PUT|POST|PATCH|DELETE) \/v2\//.test(l)),
    mark,
  };
}

/**
 * Distribution's `registry serve` with in-memory storage and one of:
 * `{auth: 'htpasswd'}` (Basic, user {@link USER}), `{auth: 'silly', realm}` (a Bearer
 * challenge naming `realm`; it accepts any token), or no auth.
 */
export async function startDistribution(t, { auth } = {}) {
  const dir = tempDir(t, 'gb-distribution-');
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  let authBlock = '';
  if (auth?.kind === 'htpasswd') {
    // the test user, and the user names Quay robots, ECR and GCR use, with the same password
    writeFileSync(path.join(dir, 'htpasswd'), [USER, ...SPECIAL_USERS].map((u) => `${u}:${PASSWORD_BCRYPT}\n`).join(''));
    authBlock = `auth:\n  htpasswd:\n    realm: gitops-bump-tests\n    path: ${path.join(dir, 'htpasswd')}\n`;
  } else if (auth?.kind === 'silly') {
    authBlock = `auth:\n  silly:\n    realm: ${auth.realm}\n    service: ${auth.service ?? 'test-registry'}\n`;
  }
  const config = `version: 0.1
log:
  level: info
  accesslog:
    disabled: false
storage:
  inmemory: {}
  delete:
    enabled: true
http:
  addr: ${host}
${authBlock}`;
  writeFileSync(path.join(dir, 'config.yml'), config);
  const p = startProcess(t, REGISTRY, ['serve', path.join(dir, 'config.yml')], { env: { ...process.env, OTEL_TRACES_EXPORTER: 'none' } });
  await waitFor(`http://${host}/v2/`, p.child, p.log);
  return { host, log: p.log };
}

/**
 * Distribution with the `silly` Bearer challenge, behind a front on 127.0.0.1 that serves
 * the token service at `/token` and passes every other request through to distribution
 * unchanged (as an nginx in front of a registry and its token server does), so the realm
 * is on the registry's own host. The token service hands out a token for any scope to the
 * test user (Basic), and for pull scopes also anonymously when `anonymousPull`; it
 * records each token request (with whether it carried credentials). distribution's silly
 * auth accepts any token; it checks only that one is there.
 */
export async function startBearerRegistry(t, { anonymousPull = false } = {}) {
  /** @type {{scope: string | null, service: string | null, authorized: boolean, authorization: string | null}[]} */
  const requests = [];
  let upstream = '';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/token') {
      const forward = http.request({ host: '127.0.0.1', port: Number(upstream.split(':')[1]), method: req.method, path: req.url, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      forward.on('error', () => res.writeHead(502).end());
      req.pipe(forward);
      return;
    }
    if (req.method === 'POST') {
      // the OAuth2 refresh-token grant (docker's identitytoken)
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        const good = form.get('grant_type') === 'refresh_token' && form.get('refresh_token') === IDENTITY_TOKEN;
        requests.push({ scope: form.get('scope'), service: form.get('service'), authorized: good, authorization: null, grant: form.get('grant_type') });
        res.writeHead(good ? 200 : 401, { 'content-type': 'application/json' });
        res.end(good ? JSON.stringify({ access_token: `tok-${requests.length}`, expires_in: 300 }) : '{}');
      });
      return;
    }
    const authorization = req.headers.authorization ?? null;
    const good = authorization === `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
    const scope = url.searchParams.get('scope');
    requests.push({ scope, service: url.searchParams.get('service'), authorized: good, authorization });
    const pullOnly = (scope ?? '').split(' ').every((sc) => /:pull$/.test(sc));
    if (good || (anonymousPull && pullOnly && !authorization)) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token: `tok-${requests.length}`, expires_in: 300 }));
      return;
    }
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end('{"details":"credentials required"}');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => server.close(r)));
  const { port } = /** @type {net.AddressInfo} */ (server.address());
  const host = `127.0.0.1:${port}`;
  const registry = await startDistribution(t, { auth: { kind: 'silly', realm: `http://${host}/token`, service: 'test-registry' } });
  upstream = registry.host;
  return { host, requests, registry };
}

/**
 * A docker config directory (DOCKER_CONFIG) with `auths` for `host`.
 */
export function dockerConfig(t, entries = {}) {
  const dir = tempDir(t, 'gb-docker-config-');
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(entries, null, 2));
  return dir;
}

/** `auths` entry with the test user's credentials. */
export function authsFor(host) {
  return { auths: { [host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } } };
}

/** Runs the real crane CLI. */
export async function crane(args, { env = {} } = {}) {
  const { stdout } = await run(CRANE, args, { env: { ...process.env, ...env }, maxBuffer: 16 << 20 });
  return stdout.trim();
}

/**
 * Pushes `repo:tag` with crane: a multi-platform index of `platforms` (default amd64 and
 * arm64), or one image when `platforms` has one entry and `single` is set. `docker: true`
 * gives Docker media types (a manifest list) instead of OCI. Returns the tag's digest and
 * each child's.
 */
export async function pushImage(t, host, repo, tag, { platforms = ['linux/amd64', 'linux/arm64'], single = false, docker = false, env = {}, content = `${repo}:${tag}` } = {}) {
  const dir = tempDir(t, 'gb-image-');
  mkdirSync(path.join(dir, 'layer'), { recursive: true });
  writeFileSync(path.join(dir, 'layer', 'app.txt'), content);
  await run('tar', ['-czf', path.join(dir, 'layer.tgz'), '-C', path.join(dir, 'layer'), 'app.txt']);
  const base = `${host}/${repo}:build-${tag}-base`;
  await crane(['append', '-f', path.join(dir, 'layer.tgz'), '-t', base, ...(docker ? [] : ['--oci-empty-base'])], { env });
  /** @type {Record<string, string>} */
  const children = {};
  for (const platform of platforms) {
    const child = `${host}/${repo}:build-${tag}-${platform.replaceAll('/', '-')}`;
    await crane(['mutate', '--set-platform', platform, '-t', single ? `${host}/${repo}:${tag}` : child, base], { env });
    children[platform] = await crane(['digest', single ? `${host}/${repo}:${tag}` : child], { env });
  }
  if (!single) {
    const args = ['index', 'append', ...platforms.flatMap((p) => ['-m', `${host}/${repo}:build-${tag}-${p.replaceAll('/', '-')}`]), '-t', `${host}/${repo}:${tag}`];
    if (docker) args.push('--docker-empty-base');
    await crane(args, { env });
  }
  const digest = await crane(['digest', `${host}/${repo}:${tag}`], { env });
  return { digest, children, ref: `${host}/${repo}:${tag}` };
}

/**
 * Signs an image the way cosign lays it out, without cosign: a `sha256-<hex>.sig` tag
 * (presence is all gitops-bump checks).
 */
export async function pushSignatureTag(t, host, repo, digest, { env = {} } = {}) {
  const dir = tempDir(t, 'gb-sig-');
  writeFileSync(path.join(dir, 'sig.txt'), `signature of ${digest}`);
  await run('tar', ['-czf', path.join(dir, 'sig.tgz'), '-C', dir, 'sig.txt']);
  await crane(['append', '-f', path.join(dir, 'sig.tgz'), '-t', `${host}/${repo}:${digest.replace(':', '-')}.sig`, '--oci-empty-base'], { env });
}

/**
 * Gives the manifest of `repo:from` each of `tags` on a registry without auth, with one PUT
 * per tag straight to the API (250 `crane tag` processes would take a minute).
 */
export async function tagMany(host, repo, from, tags) {
  const accept = 'application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${from}`, { headers: { accept } });
  if (!res.ok) throw new Error(`GET ${repo}:${from}: ${res.status}`);
  const type = res.headers.get('content-type');
  const body = Buffer.from(await res.arrayBuffer());
  for (let i = 0; i < tags.length; i += 16) {
    await Promise.all(tags.slice(i, i + 16).map(async (tag) => {
      const put = await fetch(`http://${host}/v2/${repo}/manifests/${tag}`, { method: 'PUT', headers: { 'content-type': type }, body });
      if (put.status !== 201) throw new Error(`PUT ${repo}:${tag}: ${put.status} ${await put.text()}`);
    }));
  }
}

/**
 * Pushes `repo:tag` straight to the API of a registry without auth, as a build tool that
 * records when it built does: a one-layer OCI image whose config says `created`; with
 * `index`, an OCI index over it (linux/amd64) and an arm64 twice as old, so a client that
 * reads the wrong child sees another time. Returns the tag's digest.
 */
export async function pushCreated(host, repo, tag, created, { index = false } = {}) {
  const { createHash } = await import('node:crypto');
  const sha = (b) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
  const blob = async (bytes) => {
    const digest = sha(bytes);
    const start = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
    if (start.status !== 202) throw new Error(`POST blobs/uploads: ${start.status}`);
    const where = new URL(start.headers.get('location'), `http://${host}`);
    where.searchParams.set('digest', digest);
    const put = await fetch(where, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: bytes });
    if (put.status !== 201) throw new Error(`PUT blob: ${put.status} ${await put.text()}`);
    return { digest, size: bytes.length };
  };
  const manifest = async (reference, mediaType, doc) => {
    const bytes = Buffer.from(JSON.stringify(doc));
    const put = await fetch(`http://${host}/v2/${repo}/manifests/${reference}`, { method: 'PUT', headers: { 'content-type': mediaType }, body: bytes });
    if (put.status !== 201) throw new Error(`PUT ${repo}:${reference}: ${put.status} ${await put.text()}`);
    return { digest: sha(bytes), size: bytes.length, mediaType };
  };
  const image = async (arch, when) => {
    const layer = await blob(Buffer.from(`${repo}:${tag} ${arch}`));
    const config = await blob(Buffer.from(JSON.stringify({ architecture: arch, os: 'linux', created: when, rootfs: { type: 'layers', diff_ids: [layer.digest] }, config: {} })));
    return manifest(index ? `${tag}-${arch}` : tag, 'application/vnd.oci.image.manifest.v1+json', {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
    });
  };
  const amd64 = await image('amd64', created);
  if (!index) return amd64.digest;
  const arm64 = await image('arm64', new Date(Date.parse(created) / 2).toISOString());
  const entry = (m, arch) => ({ mediaType: m.mediaType, digest: m.digest, size: m.size, platform: { os: 'linux', architecture: arch } });
  const top = await manifest(tag, 'application/vnd.oci.image.index.v1+json', { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [entry(arm64, 'arm64'), entry(amd64, 'amd64')] });
  return top.digest;
}

/**
 * A crane registry where `acme/api` has 1.2.0 and `acme/worker` only 2.0.0 (nothing in
 * `semver:^1.0.0`), and the config repository's files (fixtures.js) running both at 0.9.0:
 * the shape of the skip-unresolved tests.
 * @returns {Promise<{reg: {host: string}, files: Record<string, string>}>}
 */
export async function unresolvableWorker(t, configFiles) {
  const reg = await startCrane(t);
  await pushCreated(reg.host, 'acme/api', '1.2.0', '2026-12-06T10:00:00Z');
  await pushCreated(reg.host, 'acme/worker', '2.0.0', '2026-12-06T10:00:00Z'); // nothing in ^1
  const files = configFiles(reg.host);
  files['overlays/prod/kustomization.yaml'] += `  - name: ${reg.host}/acme/worker\n    newTag: 0.9.0\n`;
  files['base/deployment.yaml'] += `        - name: worker\n          image: ${reg.host}/acme/worker:0.9.0\n`;
  return { reg, files };
}
