/**
 * A small client for the OCI distribution API (the parts a bump needs): manifest HEAD and
 * GET, blobs, the referrers API and tag listing, with the authentication registries use
 * (Bearer token services, Basic), and the manners they expect:
 *
 * - one token per registry and scope for the run, shared by parallel requests; while a
 *   registry's authentication is unknown, one request finds it out and the others wait;
 * - `429` and `503` honour `Retry-After` (seconds or a date) up to a bound, then fail;
 * - credentials go only to the registry's own host (and Docker Hub's token service): never
 *   to a redirect, a `Link` or a token realm on another host;
 * - plain HTTP only for loopback hosts and hosts named as insecure registries;
 * - every request has a timeout and is counted (`stats`).
 *
 * @module gitops-bump/registry/client
 */
import { createHash } from 'node:crypto';
import { RegistryError } from './errors.js';
import { formatReference, isLoopback } from './reference.js';

/** Every manifest media type, so no registry has a reason to convert what it serves. */
export const MANIFEST_TYPES = Object.freeze([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
]);
/** Media types of a multi-platform index. */
export const INDEX_TYPES = Object.freeze(MANIFEST_TYPES.slice(0, 2));

/** Token services of registries whose API lives on another host than their tokens. */
const TOKEN_HOSTS = Object.freeze({ 'registry-1.docker.io': ['auth.docker.io'] });

/**
 * @typedef {object} ClientOptions
 * @property {{lookup(registry: string): Promise<import('./credentials.js').Credential | null>}} [credentials]
 * @property {string[]} [insecureRegistries] hosts (with port) allowed over plain HTTP
 * @property {typeof fetch} [fetch]
 * @property {number} [timeoutMs] per request (default 30 s)
 * @property {number} [maxRetries] for 429/503 (default 3)
 * @property {number} [maxRetryAfterMs] the longest `Retry-After` waited for (default 20 s)
 * @property {number[]} [notFoundDelaysMs] waits before asking again after a 404 on a tag
 *   (read-after-push lag; default 500, 1000, 2000 ms)
 * @property {(ms: number) => Promise<void>} [sleep]
 * @property {string} [userAgent]
 */

/**
 * @typedef {import('./reference.js').ImageReference} ImageReference
 */

export class RegistryClient {
  /** @param {ClientOptions} [options] */
  constructor(options = {}) {
    this.credentials = options.credentials ?? { lookup: async () => null };
    this.insecure = new Set((options.insecureRegistries ?? []).map((h) => h.toLowerCase()));
    this.fetch = options.fetch ?? globalThis.fetch;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxRetries = options.maxRetries ?? 3;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 20_000;
    this.notFoundDelaysMs = options.notFoundDelaysMs ?? [500, 1000, 2000];
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.userAgent = options.userAgent ?? 'gitops-bump';
    /** Requests sent, in all and by kind (`manifest`, `token`, `blob`, `referrers`, `tags`). */
    this.stats = { requests: 0, byKind: /** @type {Record<string, number>} */ ({}) };
    /** @type {Map<string, {scheme?: 'none'|'basic'|'bearer', realm?: string, service?: string, learning?: Promise<void>}>} */
    this.hosts = new Map();
    /** @type {Map<string, Promise<string>>} `host scope` -> bearer token */
    this.tokens = new Map();
  }

  /**
   * The scheme for a host: https, or http for loopback and insecure registries.
   * @param {string} host
   * @returns {'http' | 'https'}
   */
  scheme(host) {
    return isLoopback(host) || this.insecure.has(host.toLowerCase()) ? 'http' : 'https';
  }

  /**
   * HEAD of a manifest by tag or digest. Resolves to null on 404 (after the read-after-push
   * retries when `retryNotFound`).
   * @param {ImageReference} ref
   * @param {string} reference tag or digest
   * @param {{retryNotFound?: boolean}} [options]
   * @returns {Promise<{digest: string | null, mediaType: string, size: number, attempts: number} | null>}
   */
  async headManifest(ref, reference, options = {}) {
    const delays = options.retryNotFound ? this.notFoundDelaysMs : [];
    for (let attempt = 0; ; attempt += 1) {
      const res = await this.send(ref, { method: 'HEAD', path: `manifests/${reference}`, accept: MANIFEST_TYPES.join(', '), kind: 'manifest' });
      if (res.status === 404 && attempt < delays.length) {
        await this.sleep(delays[attempt]);
        continue;
      }
      if (res.status === 404) return null;
      this.expectOk(ref, res, `HEAD manifests/${reference}`);
      return {
        digest: res.headers.get('docker-content-digest'),
        mediaType: mediaTypeOf(res),
        size: Number(res.headers.get('content-length') ?? 0),
        attempts: attempt + 1,
      };
    }
  }

  /**
   * GET of a manifest; the digest is computed from the bytes served and checked against
   * the registry's `Docker-Content-Digest` and, for a digest reference, against the digest
   * asked for: a registry that serves something else is not trusted.
   * @param {ImageReference} ref
   * @param {string} reference tag or digest
   * @returns {Promise<{digest: string, mediaType: string, manifest: any} | null>} null on 404
   */
  async getManifest(ref, reference) {
    const res = await this.send(ref, { method: 'GET', path: `manifests/${reference}`, accept: MANIFEST_TYPES.join(', '), kind: 'manifest' });
    if (res.status === 404) return null;
    this.expectOk(ref, res, `GET manifests/${reference}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const header = res.headers.get('docker-content-digest');
    const mediaType = mediaTypeOf(res);
    const untrusted = (/** @type {string} */ why) =>
      new RegistryError('registry-unreachable', `${formatReference(ref)}: the registry's answer cannot be trusted`, {
        image: formatReference(ref),
        registry: ref.registry,
        tag: ref.tag,
        answer: why,
        hint: 'the registry (or a proxy in front of it) changed the manifest; ask its operator, or pin a digest you checked yourself',
      });
    if (header && header.startsWith('sha256:') && header !== digest) throw untrusted(`Docker-Content-Digest ${header} for content whose digest is ${digest}`);
    if (reference.startsWith('sha256:') && digest !== reference) throw untrusted(`content with digest ${digest} when ${reference} was asked for (a manifest list rewritten to one platform?)`);
    if (mediaType && !MANIFEST_TYPES.includes(mediaType)) throw untrusted(`a manifest of type ${mediaType}, which was not asked for`);
    let manifest;
    try {
      manifest = JSON.parse(bytes.toString('utf8'));
    } catch {
      throw untrusted('a manifest that is not JSON');
    }
    return { digest, mediaType: mediaType || manifest.mediaType || '', manifest };
  }

  /**
   * GET of a small JSON blob (an image config).
   * @param {ImageReference} ref
   * @param {string} digest
   * @returns {Promise<any>}
   */
  async getJsonBlob(ref, digest) {
    const res = await this.send(ref, { method: 'GET', path: `blobs/${digest}`, accept: '*/*', kind: 'blob' });
    this.expectOk(ref, res, `GET blobs/${digest}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (digest.startsWith('sha256:') && actual !== digest) {
      throw new RegistryError('registry-unreachable', `${formatReference(ref)}: the blob ${digest} came back with digest ${actual}`, { registry: ref.registry, image: formatReference(ref) });
    }
    return JSON.parse(bytes.toString('utf8'));
  }

  /**
   * The OCI referrers API: the manifests whose subject is `digest`. Resolves to null when
   * the registry does not offer the API (404, 405, or an answer that is not an index).
   * @param {ImageReference} ref
   * @param {string} digest
   * @returns {Promise<{artifactType?: string, mediaType?: string, digest: string}[] | null>}
   */
  async referrers(ref, digest) {
    const res = await this.send(ref, { method: 'GET', path: `referrers/${digest}`, accept: 'application/vnd.oci.image.index.v1+json', kind: 'referrers' });
    if (res.status === 404 || res.status === 405 || res.status === 400) return null;
    this.expectOk(ref, res, `GET referrers/${digest}`);
    try {
      const index = /** @type {any} */ (await res.json());
      return Array.isArray(index?.manifests) ? index.manifests : null;
    } catch {
      return null;
    }
  }

  /**
   * Lists a repository's tags, following `Link` pages (same host only), with a page cap and
   * loop detection (a registry that answers past the end with its first page again), and a
   * page size of 100 (or of 100 when a registry refuses a larger one asked for).
   * @param {ImageReference} ref
   * @param {{pageSize?: number, maxPages?: number}} [options]
   * @returns {Promise<{tags: string[], pages: number, truncated: boolean, reason?: string}>}
   */
  async listTags(ref, options = {}) {
    // 100 a page: what every registry serves (Quay refuses more)
    let pageSize = options.pageSize ?? 100;
    const maxPages = options.maxPages ?? 100;
    /** @type {string[]} */
    const tags = [];
    const seen = new Set();
    let path = `tags/list?n=${pageSize}`;
    for (let page = 0; page < maxPages; page += 1) {
      const res = await this.send(ref, { method: 'GET', path, accept: 'application/json', kind: 'tags' });
      if (res.status === 400 && pageSize > 100 && page === 0) {
        pageSize = 100;
        path = `tags/list?n=${pageSize}`;
        page -= 1;
        continue;
      }
      if (res.status === 404) return { tags: [], pages: page + 1, truncated: false };
      this.expectOk(ref, res, `GET ${path}`);
      const body = /** @type {any} */ (await res.json());
      const fresh = (Array.isArray(body?.tags) ? body.tags : []).filter((/** @type {unknown} */ t) => typeof t === 'string' && !seen.has(t));
      if (fresh.length === 0) return { tags, pages: page + 1, truncated: false };
      for (const t of fresh) seen.add(t);
      tags.push(...fresh);
      const next = nextLink(res.headers.get('link'), this.base(ref.host));
      if (next === false) return { tags, pages: page + 1, truncated: true, reason: 'the next page is on another host (not followed)' };
      if (next === null) {
        // no Link: page on with `last` (a registry that never sends Link), stopping when a
        // page brings nothing new (one that repeats its first page past the end)
        if (fresh.length < pageSize) return { tags, pages: page + 1, truncated: false };
        path = `tags/list?n=${pageSize}&last=${encodeURIComponent(tags[tags.length - 1])}`;
      } else {
        path = next;
      }
    }
    return { tags, pages: maxPages, truncated: true, reason: `more than ${maxPages} pages` };
  }

  /**
   * The API base URL of a host.
   * @param {string} host
   * @returns {string}
   */
  base(host) {
    return `${this.scheme(host)}://${host}/v2/`;
  }

  /**
   * Sends one API request (after the authentication dance, redirects and 429/503 waits).
   * @param {ImageReference} ref
   * @param {{method: string, path: string, accept: string, kind: string}} req `path` relative to `/v2/<repository>/`
   * @returns {Promise<Response>}
   */
  async send(ref, req) {
    const host = ref.host;
    let state = this.hosts.get(host);
    if (!state) this.hosts.set(host, (state = {}));
    /** @type {(() => void) | undefined} */
    let release;
    if (!state.scheme) {
      if (state.learning) await state.learning;
      else state.learning = new Promise((r) => (release = r));
    }
    try {
      const url = req.path.startsWith('http') ? req.path : `${this.base(host)}${ref.repository}/${req.path}`;
      const scope = `repository:${ref.repository}:pull`;
      let authorization = await this.authorization(ref, scope);
      let retriedAuth = false;
      for (let attempt = 0; ; attempt += 1) {
        const res = await this.fetchFollowing(ref, url, req, authorization);
        if (res.status === 401) {
          const challenge = parseChallenge(res.headers.get('www-authenticate'));
          if (!retriedAuth && challenge) {
            retriedAuth = true;
            state.scheme = challenge.scheme === 'bearer' ? 'bearer' : 'basic';
            state.realm = challenge.params.realm;
            state.service = challenge.params.service;
            this.tokens.delete(`${host} ${scope}`);
            authorization = await this.authorization(ref, challenge.params.scope ?? scope);
            if (authorization) continue;
          }
          throw await this.authError(ref, res, authorization !== undefined);
        }
        if (!state.scheme) state.scheme = 'none';
        if ((res.status === 429 || res.status === 503) && attempt < this.maxRetries) {
          const wait = retryAfterMs(res.headers.get('retry-after'), attempt);
          if (wait > this.maxRetryAfterMs) {
            throw this.unreachable(ref, `${res.status} with Retry-After ${res.headers.get('retry-after')} (more than the ${Math.round(this.maxRetryAfterMs / 1000)} s we wait)`, 'try again later, or raise the registry\'s rate limit (log in: anonymous pulls have lower limits)');
          }
          await this.sleep(wait);
          continue;
        }
        return res;
      }
    } finally {
      release?.();
    }
  }

  /**
   * The Authorization header for a request, or undefined (anonymous, or auth not known yet).
   * @param {ImageReference} ref
   * @param {string} scope
   * @returns {Promise<string | undefined>}
   */
  async authorization(ref, scope) {
    const state = this.hosts.get(ref.host);
    if (!state?.scheme || state.scheme === 'none') return undefined;
    if (state.scheme === 'basic') {
      const c = await this.lookup(ref);
      if (!c?.username && !c?.password) return undefined;
      return `Basic ${Buffer.from(`${c.username ?? ''}:${c.password ?? ''}`).toString('base64')}`;
    }
    const key = `${ref.host} ${scope}`;
    let token = this.tokens.get(key);
    if (!token) {
      token = this.fetchToken(ref, scope, /** @type {string} */ (state.realm), state.service);
      this.tokens.set(key, token);
      token.catch(() => this.tokens.delete(key));
    }
    return `Bearer ${await token}`;
  }

  /**
   * Asks a token service for a pull token: with the registry's credentials when the realm
   * is on the registry's own host (or its known token host), anonymously otherwise.
   * @param {ImageReference} ref
   * @param {string} scope
   * @param {string} realm
   * @param {string | undefined} service
   * @returns {Promise<string>}
   */
  async fetchToken(ref, scope, realm, service) {
    let url;
    try {
      url = new URL(realm);
    } catch {
      throw this.authFailure(ref, `a token realm that is not a URL (\`${String(realm).slice(0, 100)}\`)`);
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && this.scheme(url.host) === 'http')) {
      throw this.authFailure(ref, `a token realm over ${url.protocol.replace(':', '')} (${url.host}); tokens are fetched over https only (or from loopback and insecure registries)`);
    }
    if (url.host.toLowerCase() !== ref.host && !isLoopback(ref.host) && isPrivateAddress(url.hostname)) {
      throw this.authFailure(ref, `a token realm on the private or link-local address ${url.hostname}, which is not asked (a registry cannot send us to the cloud metadata service)`);
    }
    const ownHost = url.host.toLowerCase() === ref.host || (TOKEN_HOSTS[/** @type {keyof TOKEN_HOSTS} */ (ref.host)] ?? []).includes(url.host.toLowerCase());
    const credential = ownHost ? await this.lookup(ref) : null;
    this.withheld = this.withheld ?? new Set();
    if (!ownHost && (await this.lookup(ref))) this.withheld.add(ref.host);
    if (service) url.searchParams.set('service', service);
    url.searchParams.set('scope', scope);
    /** @type {Record<string, string>} */
    const headers = { 'user-agent': this.userAgent, accept: 'application/json' };
    /** @type {RequestInit} */
    const init = { method: 'GET', headers, redirect: 'error', signal: AbortSignal.timeout(this.timeoutMs) };
    if (credential?.identityToken) {
      init.method = 'POST';
      headers['content-type'] = 'application/x-www-form-urlencoded';
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credential.identityToken, client_id: 'gitops-bump', scope });
      if (service) form.set('service', service);
      init.body = form.toString();
    } else if (credential?.username || credential?.password) {
      headers.authorization = `Basic ${Buffer.from(`${credential.username ?? ''}:${credential.password ?? ''}`).toString('base64')}`;
    }
    this.count('token');
    let res;
    try {
      res = await this.fetch(url, init);
    } catch (error) {
      throw this.unreachable(ref, `the token service ${url.host} could not be reached (${describeNetworkError(error)})`);
    }
    if (res.status === 401 || res.status === 403) {
      throw this.authFailure(ref, `the token service ${url.host} answered ${res.status}${credential ? ' to the credentials' : ' to an anonymous request'}`, Boolean(credential));
    }
    if (!res.ok) throw this.unreachable(ref, `the token service ${url.host} answered ${res.status}`);
    const body = /** @type {any} */ (await res.json().catch(() => ({})));
    const token = body.token ?? body.access_token;
    if (typeof token !== 'string' || token === '') throw this.unreachable(ref, `the token service ${url.host} answered without a token`);
    return token;
  }

  /**
   * Fetches, following up to 5 redirects by hand: the Authorization header goes only to the
   * registry's own host, and https is never downgraded.
   * @param {ImageReference} ref
   * @param {string} start
   * @param {{method: string, accept: string, kind: string}} req
   * @param {string | undefined} authorization
   * @returns {Promise<Response>}
   */
  async fetchFollowing(ref, start, req, authorization) {
    let url = new URL(start);
    for (let hop = 0; hop <= 5; hop += 1) {
      /** @type {Record<string, string>} */
      const headers = { accept: req.accept, 'user-agent': this.userAgent };
      if (authorization && url.host.toLowerCase() === ref.host) headers.authorization = authorization;
      this.count(req.kind);
      let res;
      try {
        res = await this.fetch(url, { method: req.method, headers, redirect: 'manual', signal: AbortSignal.timeout(this.timeoutMs) });
      } catch (error) {
        throw this.unreachable(ref, `${req.method} ${url.host} failed: ${describeNetworkError(error)}`, this.scheme(ref.host) === 'https' && /ECONNREFUSED|EPROTO|wrong version/i.test(String(/** @type {any} */ (error)?.cause?.code ?? /** @type {any} */ (error)?.cause?.message ?? ''))
          ? `if ${ref.host} serves plain HTTP, name it as an insecure registry (--insecure-registry ${ref.host})`
          : 'check the registry host, the network and any proxy');
      }
      if (res.status < 300 || res.status >= 400 || !res.headers.get('location')) return res;
      await res.body?.cancel();
      const next = new URL(/** @type {string} */ (res.headers.get('location')), url);
      if (url.protocol === 'https:' && next.protocol !== 'https:') {
        throw this.unreachable(ref, `a redirect from https to ${next.protocol} (${next.host}), which is not followed`);
      }
      url = next;
    }
    throw this.unreachable(ref, 'more than 5 redirects');
  }

  /**
   * Throws for an answer that is neither success nor one the caller handles.
   * @param {ImageReference} ref
   * @param {Response} res
   * @param {string} what
   */
  expectOk(ref, res, what) {
    if (res.ok) return;
    if (res.status === 403) throw this.authFailure(ref, `${res.status} to ${what}`, true);
    throw this.unreachable(ref, `${res.status}${res.status === 429 || res.status === 503 ? ` after ${this.maxRetries} retries` : ''} to ${what}`);
  }

  /**
   * @param {ImageReference} ref
   * @param {Response} res a 401
   * @param {boolean} sentCredentials
   * @returns {Promise<RegistryError>}
   */
  async authError(ref, res, sentCredentials) {
    const answer = await registryAnswer(res);
    return this.authFailure(ref, `401 ${answer}${sentCredentials ? ' to the credentials sent' : ''}`, sentCredentials);
  }

  /**
   * @param {ImageReference} ref
   * @param {string} answer
   * @param {boolean} [hadCredentials]
   * @returns {RegistryError}
   */
  authFailure(ref, answer, hadCredentials = false) {
    const withheld = this.withheld?.has(ref.host);
    const hint = withheld
      ? `the registry's token realm is on another host, so its credentials were not sent there; the image needs them`
      : hadCredentials
        ? `the credentials for ${ref.registry} were refused: check them (docker login ${ref.registry}), and that they may pull ${ref.repository}`
        : `no credentials for ${ref.registry} were found: log in (docker login ${ref.registry}), set DOCKER_CONFIG, or give registry credentials`;
    return new RegistryError('registry-auth', `${formatReference(ref)}: the registry refused access`, { image: formatReference(ref), registry: ref.registry, tag: ref.tag, answer, hint });
  }

  /**
   * @param {ImageReference} ref
   * @param {string} answer
   * @param {string} [hint]
   * @returns {RegistryError}
   */
  unreachable(ref, answer, hint = 'check the registry host and the network, then run again') {
    return new RegistryError('registry-unreachable', `${formatReference(ref)}: the registry could not be asked`, { image: formatReference(ref), registry: ref.registry, tag: ref.tag, answer, hint });
  }

  /** @param {ImageReference} ref */
  async lookup(ref) {
    try {
      return await this.credentials.lookup(ref.registry);
    } catch (error) {
      throw new RegistryError('registry-auth', `${formatReference(ref)}: the credentials could not be read`, {
        image: formatReference(ref),
        registry: ref.registry,
        answer: /** @type {Error} */ (error).message,
        hint: 'fix the credential helper or config.json named above',
      });
    }
  }

  /** @param {string} kind */
  count(kind) {
    this.stats.requests += 1;
    this.stats.byKind[kind] = (this.stats.byKind[kind] ?? 0) + 1;
  }
}

/**
 * True for an IP literal in a private, loopback or link-local range.
 * @param {string} hostname
 * @returns {boolean}
 */
function isPrivateAddress(hostname) {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const v4 = /^(\d+)\.(\d+)\.\d+\.\d+$/.exec(h);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || a === 0;
  }
  return h === '::1' || /^f[cd][0-9a-f]{2}:/.test(h) || /^fe[89ab][0-9a-f]:/.test(h);
}

/**
 * The media type of a response, without parameters.
 * @param {Response} res
 * @returns {string}
 */
function mediaTypeOf(res) {
  return (res.headers.get('content-type') ?? '').split(';')[0].trim();
}

/**
 * Parses a `WWW-Authenticate` header: `Bearer realm="…",service="…",scope="…"` or `Basic realm="…"`.
 * @param {string | null} header
 * @returns {{scheme: string, params: Record<string, string>} | null}
 */
export function parseChallenge(header) {
  if (!header) return null;
  const m = /^\s*([A-Za-z]+)\s*(.*)$/s.exec(header);
  if (!m) return null;
  /** @type {Record<string, string>} */
  const params = {};
  const re = /([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?\s*/g;
  let p;
  while ((p = re.exec(m[2])) !== null) {
    if (p[0] === '') break;
    params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3];
  }
  const scheme = m[1].toLowerCase();
  if (scheme === 'bearer' && !params.realm) return null;
  return { scheme, params };
}

/**
 * The wait a `Retry-After` asks for (seconds or an HTTP date), or a backoff without one.
 * @param {string | null} header
 * @param {number} attempt
 * @returns {number} milliseconds
 */
export function retryAfterMs(header, attempt) {
  if (header) {
    if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
    const date = Date.parse(header);
    if (!Number.isNaN(date)) return Math.max(0, date - Date.now());
  }
  return 500 * 2 ** attempt;
}

/**
 * The next page of a `Link: <url>; rel="next"` header, as a URL on the same host; null
 * when there is none, false when it points at another host or scheme (not followed).
 * @param {string | null} header
 * @param {string} base the API base of the registry (`https://host/v2/`)
 * @returns {string | null | false}
 */
export function nextLink(header, base) {
  if (!header) return null;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /<([^>]*)>\s*;(.*)$/.exec(part.trim());
    if (!m || !/rel\s*=\s*"?next"?/i.test(m[2])) continue;
    const url = new URL(m[1], base);
    const own = new URL(base);
    if (url.host !== own.host || url.protocol !== own.protocol) return false;
    return url.href;
  }
  return null;
}

/**
 * What a registry's error body says: `404 MANIFEST_UNKNOWN (manifest unknown)`.
 * @param {Response} res
 * @returns {Promise<string>}
 */
export async function registryAnswer(res) {
  let detail = '';
  try {
    const text = await res.text();
    const body = JSON.parse(text);
    const e = Array.isArray(body?.errors) ? body.errors[0] : undefined;
    if (e) detail = ` ${String(e.code ?? '')}${e.message ? ` (${String(e.message).slice(0, 160)})` : ''}`;
  } catch {
    // HEAD has no body; a body that is not the API's JSON says nothing more
  }
  return `${res.status}${detail}`;
}

/** @param {unknown} error */
function describeNetworkError(error) {
  const e = /** @type {any} */ (error);
  if (e?.name === 'TimeoutError') return 'timed out';
  const cause = e?.cause;
  return String(cause?.code ?? cause?.message ?? e?.message ?? e).slice(0, 200);
}
