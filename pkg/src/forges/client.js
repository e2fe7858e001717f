// A small JSON REST client shared by the Gitea, GitLab and Bitbucket forges.
//
// The token is only ever sent to the forge's API origin: every request URL (including a
// pagination link the server hands back) must start with the API base URL, and redirects
// are not followed (fetch's default would carry the Authorization header along). Every
// error message is token-masked. Exit code 3, like every git/API failure (docs/contract.md).

import { PipelineError } from '../common/errors.js';
import { sleep as realSleep } from '../common/sleep.js';
import { fetchRetrying } from '../common/fetch-retry.js';

/** How long one request may take before it is abandoned. */
export const DEFAULT_TIMEOUT_MS = 30000;

/** A forge REST call that failed (non-2xx status, a network error, or a refused URL). */
export class ForgeApiError extends PipelineError {
  constructor(message, { forge, status, method, url, response, code = 'forge-api' } = {}) {
    super(message, { code });
    this.name = 'ForgeApiError';
    this.forge = forge;
    this.status = status;
    this.method = method;
    this.url = url;
    this.response = response;
  }
}

export class ForgeClient {
  /**
   * @param {object} options
   * @param {string} options.forge      "gitea" | "gitlab" | "bitbucket" (names errors)
   * @param {string} options.label      "Gitea" … (names errors)
   * @param {string} options.apiUrl     base URL, e.g. https://gitlab.example.com/api/v4
   * @param {Record<string,string>} [options.headers] auth headers, sent with every request
   * @param {{mask(text: unknown): string}} [options.auth] masks secrets in messages
   * @param {typeof fetch} [options.fetch]
   * @param {(line: string) => void} [options.log]
   * @param {number} [options.timeoutMs]
   * @param {number} [options.getRetries] retries of a GET after a network error or 502/503/504 (2)
   * @param {number} [options.retryDelayMs]
   * @param {(ms: number) => Promise<void>} [options.sleep]
   */
  constructor({
    forge,
    label,
    apiUrl,
    headers = {},
    auth = { mask: (t) => String(t ?? '') },
    fetch: fetchImpl = globalThis.fetch,
    log = () => {},
    timeoutMs = DEFAULT_TIMEOUT_MS,
    getRetries = 2,
    retryDelayMs = 500,
    sleep = realSleep,
  }) {
    this.forge = forge;
    this.label = label;
    this.apiUrl = String(apiUrl).replace(/\/+$/, '');
    Object.defineProperty(this, 'headers', { value: headers, enumerable: false });
    this.auth = auth;
    this.fetch = fetchImpl;
    this.log = log;
    this.timeoutMs = timeoutMs;
    this.getRetries = getRetries;
    this.retryDelayMs = retryDelayMs;
    this.sleep = sleep;
  }

  /** `apiUrl + path` with `query` (arrays repeat the key; undefined/null values are left out). */
  url(path, query = {}) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined || v === null) continue;
      for (const one of Array.isArray(v) ? v : [v]) q.append(k, String(one));
    }
    const qs = q.toString();
    return `${this.apiUrl}${path}${qs ? `?${qs}` : ''}`;
  }

  /**
   * Sends `method` to `target` (a path under the API URL, or a full URL that must lie under
   * it). Resolves `{status, data, headers}`; rejects with a masked ForgeApiError on a
   * non-2xx status unless `accept` lists it. GETs are retried on network errors, timeouts
   * and 502/503/504; writes never are (a POST that may have arrived is not sent twice).
   */
  async request(method, target, { query, body, accept = [] } = {}) {
    const url = /^https?:\/\//i.test(target) ? target : this.url(target, query);
    if (!isUnder(url, this.apiUrl)) {
      throw new ForgeApiError(
        this.auth.mask(`${this.label} API: refusing to send the token to ${originOf(url)}, which is not the API at ${this.apiUrl}`),
        { forge: this.forge, method, url, code: 'forge-foreign-url' },
      );
    }
    const headers = { Accept: 'application/json', 'User-Agent': 'gitops-bump', ...this.headers };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const init = { method, headers, redirect: 'manual', body: body === undefined ? undefined : JSON.stringify(body) };
    this.log(`${method} ${this.auth.mask(url)}`);
    let res;
    let text;
    try {
      ({ res, text } = await fetchRetrying(this, url, init));
    } catch (e) {
      const why = e?.name === 'TimeoutError' ? `did not answer within ${this.timeoutMs / 1000} s` : `failed: ${e?.cause?.message ?? e?.message ?? e}`;
      throw new ForgeApiError(this.auth.mask(`${this.label} API ${method} ${url} ${why}`), { forge: this.forge, method, url });
    }
    const data = parse(text);
    if ((res.status >= 200 && res.status < 300) || accept.includes(res.status)) return { status: res.status, data, headers: res.headers };
    if (res.status >= 300 && res.status < 400) {
      const to = res.headers.get('location');
      throw new ForgeApiError(
        this.auth.mask(`${this.label} API ${method} ${url} answered ${res.status}, a redirect to ${to ?? '(no location)'}: not followed (the token would go along); set the API URL to the final address`),
        { forge: this.forge, status: res.status, method, url, code: 'forge-redirect' },
      );
    }
    throw new ForgeApiError(this.auth.mask(`${this.label} API ${method} ${url} returned ${res.status}${describe(data)}`), {
      forge: this.forge,
      status: res.status,
      method,
      url,
      response: data,
    });
  }
}

/** True when `url` is the API URL or lies under it (same scheme, host, port and path prefix). */
export function isUnder(url, apiUrl) {
  let u;
  let base;
  try {
    u = new URL(url);
    base = new URL(apiUrl);
  } catch {
    return false;
  }
  if (u.origin !== base.origin) return false;
  const prefix = base.pathname.replace(/\/+$/, '');
  return u.pathname === prefix || u.pathname.startsWith(`${prefix}/`);
}

function originOf(url) {
  try {
    return new URL(url).origin;
  } catch {
    return 'an address that is no URL';
  }
}

function parse(text) {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * ": <message>" from the error shapes the forges answer with: Gitea `{message}`, GitLab
 * `{message}` (a string, or an object of field → messages) or `{error}`, Bitbucket
 * `{type: "error", error: {message, detail}}`.
 */
function describe(data) {
  if (data == null) return '';
  if (typeof data === 'string') return `: ${data.slice(0, 200)}`;
  const m = data.error && typeof data.error === 'object' ? [data.error.message, data.error.detail].filter(Boolean).join(' — ') : data.message ?? data.error;
  if (m == null) return '';
  if (typeof m === 'string') return `: ${m}`;
  if (Array.isArray(m)) return `: ${m.join('; ')}`;
  if (typeof m === 'object') {
    return `: ${Object.entries(m)
      .map(([k, v]) => `${k} ${Array.isArray(v) ? v.join(', ') : v}`)
      .join('; ')}`;
  }
  return `: ${String(m)}`;
}

/** The text of an error answer, for matching ("already exists"). */
export function errorText(e) {
  const d = e?.response;
  if (!d) return String(e?.message ?? '');
  return JSON.stringify(d);
}
