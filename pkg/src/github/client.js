// A small GitHub REST client over global fetch.
// Base URL from GITHUB_API_URL (default https://api.github.com), so GitHub Enterprise
// Server (https://HOST/api/v3) works. Token in `Authorization: Bearer`; every error
// message is token-masked.

import { GitHubApiError } from '../git/errors.js';
import { createAuth } from '../git/auth.js';
import { sleep } from '../git/retry.js';

export const DEFAULT_API_URL = 'https://api.github.com';
export const API_VERSION = '2022-11-28';
// Path parameters that may hold slashes (branch names, file paths): encoded per segment.
const MULTI_SEGMENT = new Set(['ref', 'path']);

export class GitHubClient {
  /**
   * @param {object} options
   * @param {string} [options.apiUrl] default env GITHUB_API_URL or https://api.github.com
   * @param {import('../git/auth.js').Auth} [options.auth]
   * @param {typeof fetch} [options.fetch]
   * @param {(line: string) => void} [options.log]
   * @param {string} [options.userAgent]
   */
  constructor({
    apiUrl,
    auth = createAuth(),
    fetch: fetchImpl = globalThis.fetch,
    log,
    userAgent = 'gitops-bump',
    getRetries = 2,
    retryDelayMs = 500,
  } = {}) {
    this.getRetries = getRetries;
    this.retryDelayMs = retryDelayMs;
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
   */
  async request(route, params = {}, body, { accept = [] } = {}) {
    const [method] = splitRoute(route);
    const url = this.url(route, params);
    const headers = {
      Accept: 'application/vnd.github+json',
      'X-GitHub-Api-Version': API_VERSION,
      'User-Agent': this.userAgent,
      ...this.auth.apiHeaders(),
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json; charset=utf-8';
    this.log(`${method} ${this.auth.mask(url)}`);
    let res;
    // GETs are retried on network errors and 502/503/504 (twice, 0.5 s then 1 s); writes
    // are not, so a POST that reached GitHub is never sent twice.
    for (let attempt = 0; ; attempt += 1) {
      const retryable = method === 'GET' && attempt < this.getRetries;
      try {
        res = await this.fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      } catch (e) {
        if (retryable) {
          await sleep(this.retryDelayMs * 2 ** attempt);
          continue;
        }
        const why = e?.cause?.message ?? e?.message ?? String(e);
        throw new GitHubApiError(this.auth.mask(`GitHub API ${method} ${url} failed: ${why}`), { method, route });
      }
      if (retryable && [502, 503, 504].includes(res.status)) {
        await res.arrayBuffer().catch(() => {});
        await sleep(this.retryDelayMs * 2 ** attempt);
        continue;
      }
      break;
    }
    const text = await res.text();
    let data = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = text;
      }
    }
    if ((res.status >= 200 && res.status < 300) || accept.includes(res.status)) return { status: res.status, data };
    const msg = typeof data === 'object' && data ? data.message : String(data ?? '').slice(0, 200);
    const errors = Array.isArray(data?.errors)
      ? `; ${data.errors.map((e) => (typeof e === 'string' ? e : e.message ?? e.code ?? JSON.stringify(e))).join('; ')}`
      : '';
    const limited =
      (res.status === 403 || res.status === 429) &&
      (res.headers.get('x-ratelimit-remaining') === '0' || res.headers.has('retry-after'));
    const hint = limited ? `; rate limited${rateLimitReset(res.headers)}` : '';
    throw new GitHubApiError(
      this.auth.mask(`GitHub API ${method} ${url} returned ${res.status}${msg ? `: ${msg}` : ''}${errors}${hint}`),
      { status: res.status, method, route, response: data },
    );
  }
}

function rateLimitReset(headers) {
  const after = headers.get('retry-after');
  if (after) return ` (retry after ${after} s)`;
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
