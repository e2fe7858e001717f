// A small GitHub REST client over global fetch.
// Base URL given by the caller (default https://api.github.com); GitHub Enterprise Server
// answers at https://HOST/api/v3 (see apiUrlForRemote). Token in `Authorization: Bearer`; every error
// message is token-masked.

import { GitHubApiError } from '../common/errors.js';
import { createAuth } from '../git/auth.js';
import { sleep } from '../common/sleep.js';
import { fetchRetrying } from '../common/fetch-retry.js';

export const DEFAULT_API_URL = 'https://api.github.com';
export const API_VERSION = '2022-11-28';
// Path parameters that may hold slashes (branch names, file paths): encoded per segment.
const MULTI_SEGMENT = new Set(['ref', 'path']);

/** How long one request may take before it is abandoned (a hung connection fails the run). */
export const DEFAULT_TIMEOUT_MS = 30000;
/** The longest single wait for a rate limit; a later reset fails the run with its time. */
export const MAX_RATE_LIMIT_WAIT_MS = 10 * 60 * 1000;

/** Redirects followed within the API's origin before a request fails. */
const MAX_REDIRECTS = 3;

export class GitHubClient {
  /**
   * @param {object} options
   * @param {string} [options.apiUrl] default https://api.github.com
   * @param {import('../git/auth.js').Auth} [options.auth]
   * @param {typeof fetch} [options.fetch]
   * @param {(line: string) => void} [options.log]
   * @param {string} [options.userAgent]
   * @param {number} [options.getRetries] retries of a GET after a network error, timeout or 502/503/504 (2)
   * @param {number} [options.retryDelayMs] first delay of those retries (500, doubling)
   * @param {number} [options.timeoutMs] per request, including reading the answer (30000)
   * @param {number} [options.rateLimitRetries] waits for a rate limit per request (3)
   * @param {number} [options.maxRateLimitWaitMs] longest single wait (10 minutes)
   * @param {(ms: number) => Promise<void>} [options.sleep]
   */
  constructor({
    apiUrl,
    auth = createAuth(),
    fetch: fetchImpl = globalThis.fetch,
    log,
    userAgent = 'gitops-bump',
    getRetries = 2,
    retryDelayMs = 500,
    timeoutMs = DEFAULT_TIMEOUT_MS,
    rateLimitRetries = 3,
    maxRateLimitWaitMs = MAX_RATE_LIMIT_WAIT_MS,
    sleep: sleepImpl = sleep,
  } = {}) {
    this.getRetries = getRetries;
    this.retryDelayMs = retryDelayMs;
    this.timeoutMs = timeoutMs;
    this.rateLimitRetries = rateLimitRetries;
    this.maxRateLimitWaitMs = maxRateLimitWaitMs;
    this.sleep = sleepImpl;
    this.apiUrl = String(apiUrl || DEFAULT_API_URL).replace(/\/+$/, '');
    this.auth = auth;
    this.fetch = fetchImpl;
    this.log = log ?? (() => {});
    this.userAgent = userAgent;
  }

  /** Builds the URL of `route` ("GET /repos/{owner}/{repo}/pulls") with `params`. */
  url(route, params = {}) {
    const [, template] = splitRoute(route);
    const used = new Set();
    const path = template.replace(/\{(\w+)\}/g, (_, name) => {
      used.add(name);
      const v = params[name];
      if (v === undefined || v === null || v === '') throw new TypeError(`missing path parameter ${name} for ${route}`);
      return MULTI_SEGMENT.has(name)
        ? String(v).split('/').map(encodeURIComponent).join('/')
        : encodeURIComponent(String(v));
    });
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) {
      if (used.has(k) || v === undefined || v === null) continue;
      query.append(k, String(v));
    }
    const qs = query.toString();
    return `${this.apiUrl}${path}${qs ? `?${qs}` : ''}`;
  }

  /**
   * Calls `route` ("METHOD /path/{param}"); path params and (for GET) query params come
   * from `params`, the JSON body from `body`. Resolves `{status, data}`; rejects with a
   * masked GitHubApiError on a non-2xx status unless `accept` lists that status.
   *
   * Every attempt is abandoned after `timeoutMs`. GETs are retried on network errors,
   * timeouts and 502/503/504 (twice, 0.5 s then 1 s); writes are not, so a POST that may
   * have reached GitHub is never sent twice. A rate-limit refusal (403/429) did not reach
   * GitHub's handler, so any request waits as GitHub asks (retry-after, else
   * x-ratelimit-reset, else a minute) and is sent again, up to `rateLimitRetries` times.
   * A redirect is followed only within the API's own origin (GitHub's 301 for a renamed
   * repository); one to another host is an error and that host receives nothing.
   */
  async request(route, params = {}, body, { accept = [] } = {}) {
    const [method] = splitRoute(route);
    let url = this.url(route, params);
    let hops = 0;
    const headers = {
      Accept: 'application/vnd.github+json',
      'X-GitHub-Api-Version': API_VERSION,
      'User-Agent': this.userAgent,
      ...this.auth.apiHeaders(),
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json; charset=utf-8';
    const init = { method, headers, redirect: 'manual', body: body === undefined ? undefined : JSON.stringify(body) };
    const shown = `${method} ${this.auth.mask(url)}`;
    this.log(shown);
    const tries = { transient: 0 };
    let limited = 0;
    for (;;) {
      let res;
      let text;
      try {
        ({ res, text } = await fetchRetrying(this, url, init, tries));
      } catch (e) {
        throw new GitHubApiError(this.auth.mask(`GitHub API ${method} ${url} ${failure(e, this.timeoutMs)}`), { method, route });
      }
      const data = parseBody(text);
      if ((res.status >= 200 && res.status < 300) || accept.includes(res.status)) return { status: res.status, data };
      if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
        const to = new URL(res.headers.get('location'), url);
        if (to.origin !== new URL(this.apiUrl).origin || hops >= MAX_REDIRECTS) {
          const why = hops >= MAX_REDIRECTS ? `more than ${MAX_REDIRECTS} redirects` : `a redirect to ${to.origin}, not followed (the token would go along)`;
          throw new GitHubApiError(this.auth.mask(`GitHub API ${method} ${url} answered ${res.status}, ${why}; set the API URL to the final address`), { status: res.status, method, route, code: 'github-api' });
        }
        hops += 1;
        url = to.href;
        continue;
      }
      const wait = rateLimitWait(res, data);
      if (wait !== null && limited < this.rateLimitRetries && wait <= this.maxRateLimitWaitMs) {
        limited += 1;
        this.log(`rate limited (${res.status}) on ${shown}: waiting ${Math.ceil(wait / 1000)} s before sending it again`);
        await this.sleep(wait);
        continue;
      }
      throw apiError(this.auth, { res, data, method, url, route, limited: wait !== null });
    }
  }
}

/** The masked error for a non-2xx answer. */
function apiError(auth, { res, data, method, url, route, limited }) {
  const msg = typeof data === 'object' && data ? data.message : String(data ?? '').slice(0, 200);
  const errors = Array.isArray(data?.errors)
    ? `; ${data.errors.map((e) => (typeof e === 'string' ? e : e.message ?? e.code ?? JSON.stringify(e))).join('; ')}`
    : '';
  const hint = limited ? `; rate limited${rateLimitReset(res.headers)}` : '';
  return new GitHubApiError(auth.mask(`GitHub API ${method} ${url} returned ${res.status}${msg ? `: ${msg}` : ''}${errors}${hint}`), {
    status: res.status,
    method,
    route,
    response: data,
    code: limited ? 'rate-limited' : 'github-api',
  });
}

function parseBody(text) {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** "did not answer within 30 s" for a timeout, else "failed: <cause>". */
function failure(e, timeoutMs) {
  if (e?.name === 'TimeoutError' || e?.cause?.name === 'TimeoutError') return `did not answer within ${timeoutMs / 1000} s`;
  return `failed: ${e?.cause?.message ?? e?.message ?? String(e)}`;
}

/**
 * Milliseconds to wait before sending a rate-limited request again, or null when the
 * answer is no rate limit. GitHub's rules: retry-after seconds if given; else, when
 * x-ratelimit-remaining is 0, until x-ratelimit-reset (epoch seconds; one more second for
 * clock skew); else (a secondary limit without either) one minute.
 * @param {{status: number, headers: Headers}} res
 * @param {unknown} data
 * @param {number} [now]
 */
export function rateLimitWait(res, data, now = Date.now()) {
  if (res.status !== 403 && res.status !== 429) return null;
  const h = res.headers;
  const remaining = h.get('x-ratelimit-remaining');
  const after = h.get('retry-after');
  const message = typeof data === 'object' && data && typeof data.message === 'string' ? data.message : '';
  if (res.status === 403 && remaining !== '0' && after === null && !/rate limit/i.test(message)) return null;
  if (after !== null && /^\s*\d+\s*$/.test(after)) return Number(after) * 1000;
  const reset = Number(h.get('x-ratelimit-reset'));
  if (remaining === '0' && reset > 0) return Math.max(0, reset * 1000 - now) + 1000;
  return 60000;
}

function rateLimitReset(headers) {
  const after = headers.get('retry-after');
  if (after) return `: retry after ${after} s`;
  const reset = Number(headers.get('x-ratelimit-reset'));
  return reset ? ` until ${new Date(reset * 1000).toISOString()}` : '';
}

function splitRoute(route) {
  const m = /^(GET|POST|PATCH|PUT|DELETE) (\/\S*)$/.exec(route);
  if (!m) throw new TypeError(`bad route ${route}`);
  return [m[1], m[2]];
}

/** `{owner, repo}` from "owner/name". */
export function parseRepoSlug(slug) {
  const m = /^([\w.-]+)\/([\w.-]+?)(?:\.git)?$/.exec(String(slug ?? '').trim());
  return m ? { owner: m[1], repo: m[2] } : null;
}

/**
 * `{owner, repo}` from a GitHub remote URL (https://host/o/r(.git), git@host:o/r.git,
 * ssh://git@host/o/r.git); null for anything else (local paths).
 */
export function repoFromRemoteUrl(url) {
  const s = String(url ?? '');
  const m =
    /^[a-z+]+:\/\/(?:[^/@]*@)?[^/]+\/([\w.-]+)\/([\w.-]+?)(?:\.git)?\/?$/i.exec(s) ??
    /^[^/@\s]+@[^:\s]+:([\w.-]+)\/([\w.-]+?)(?:\.git)?$/.exec(s);
  if (!m || /^file:/i.test(s)) return null;
  return { owner: m[1], repo: m[2] };
}

/**
 * The REST API base URL for a remote that is not on github.com: `https://HOST/api/v3` (GitHub
 * Enterprise Server; `http://` when the remote is http), `https://api.SUBDOMAIN.ghe.com`
 * for GitHub Enterprise Cloud with data residency; null for github.com and for remotes
 * that are no URL (paths, file://).
 * @param {string|null|undefined} url
 * @returns {string|null}
 */
export function apiUrlForRemote(url) {
  const s = String(url ?? '');
  const m = /^([a-z][a-z0-9+.-]*):\/\/(?:[^/@]*@)?([^/:?#]+)(?::(\d+))?\//i.exec(s) ?? /^()[^/@\s]+@([^:/\s]+):/.exec(s);
  if (!m) return null;
  const scheme = m[1].toLowerCase();
  if (scheme === 'file') return null;
  const host = m[2].toLowerCase();
  if (host === 'github.com' || host.endsWith('.github.com')) return null;
  if (host.endsWith('.ghe.com')) return `https://api.${host}`;
  if (scheme === 'http') return `http://${host}${m[3] ? `:${m[3]}` : ''}/api/v3`;
  if (scheme === 'https') return `https://${host}${m[3] ? `:${m[3]}` : ''}/api/v3`;
  return `https://${host}/api/v3`;
}

/**
 * The REST API of the repository at `remoteUrl`, so that the token goes to that
 * repository's own server and no other: the runner's `GITHUB_API_URL` when the remote is on
 * the runner's server (`GITHUB_SERVER_URL`'s host; or when `GITHUB_SERVER_URL` is not set,
 * as outside GitHub Actions, or the remote is a path), else the API of the remote's host
 * (apiUrlForRemote: GHES `https://HOST/api/v3`, `api.SUB.ghe.com`), else api.github.com.
 * A github.com job bumping a repository on an Enterprise Server, or the reverse, thus never
 * sends one server's token to the other. `why` says how it was chosen, when not the default.
 * @param {string|null|undefined} remoteUrl
 * @param {NodeJS.ProcessEnv} env
 * @returns {{apiUrl: string|undefined, why: string|null}}
 */
export function apiUrlFor(remoteUrl, env) {
  const remoteHost = hostOf(remoteUrl);
  const runnerApi = env.GITHUB_API_URL || undefined;
  const serverHost = hostOf(env.GITHUB_SERVER_URL);
  if (runnerApi && (!remoteHost || !serverHost || remoteHost === serverHost)) return { apiUrl: runnerApi, why: null };
  const derived = apiUrlForRemote(remoteUrl);
  if (derived) return { apiUrl: derived, why: runnerApi ? `the remote's host ${remoteHost} is not this runner's server ${serverHost}` : 'the remote is not on github.com' };
  return { apiUrl: undefined, why: runnerApi ? `the remote is on github.com, not on this runner's server ${serverHost}` : null };
}

/** `host[:port]` of a URL (or scp-style `user@host:path`), lower case; null for paths. */
function hostOf(url) {
  const s = String(url ?? '');
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^/@]*@)?([^/?#]+)/i.exec(s) ?? /^[^/@\s]+@([^:/\s]+):/.exec(s);
  if (!m || /^file:/i.test(s)) return null;
  return m[1].toLowerCase().replace(/:(443|22)$/, '');
}
