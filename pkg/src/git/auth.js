// Token handling (guarantee 6 in docs/ARCHITECTURE.md: no leaked secrets).
//
// The token reaches git only as an `http.<origin>/.extraheader` given through the child's
// environment (GIT_CONFIG_COUNT / GIT_CONFIG_KEY_n / GIT_CONFIG_VALUE_n): never in argv, a
// URL or a config file, so nothing is left in .git/config even when the run is killed.
// `mask()` removes the token and every encoded form we create from any text we print.

import { configEnv, keepUrl } from './config-env.js';

const MASK = '***';

/**
 * @param {{token?: string|null}} options
 * @returns {Auth}
 */
export function createAuth({ token, extraSecrets = [], username } = {}) {
  return new Auth(token || null, extraSecrets, username);
}

/** Reads the token from `env[name]` (default GITHUB_TOKEN); empty means none. */
export function tokenFromEnv(env = process.env, name = 'GITHUB_TOKEN') {
  const value = env[name];
  return value && value.trim() ? value.trim() : null;
}

export class Auth {
  /**
   * @param {string|null} token
   * @param {Array<string|null>} [extraSecrets] other values to mask (e.g. a password taken from a URL)
   * @param {string} [username] the user name git sends with the token (each forge has its own; see forges/detect.js)
   */
  constructor(token, extraSecrets = [], username = 'x-access-token') {
    Object.defineProperty(this, 'token', { value: token, enumerable: false });
    const secrets = new Set();
    for (const extra of extraSecrets) {
      if (extra && extra.length >= 4) {
        secrets.add(extra);
        secrets.add(encodeURIComponent(extra));
      }
    }
    if (token) {
      const basic = Buffer.from(`${username}:${token}`).toString('base64');
      for (const s of [
        token,
        basic,
        Buffer.from(token).toString('base64'),
        Buffer.from(token).toString('base64url'),
        encodeURIComponent(token),
      ]) {
        if (s && s.length >= 4) secrets.add(s);
      }
      Object.defineProperty(this, 'basic', { value: basic, enumerable: false });
    }
    // Longest first, so a base64 form containing the raw token is replaced whole.
    Object.defineProperty(this, 'secrets', {
      value: [...secrets].sort((a, b) => b.length - a.length),
      enumerable: false,
    });
  }

  /** True when a token was given. */
  get hasToken() {
    return Boolean(this.token);
  }

  /**
   * Replaces the token, its base64 forms and any URL credentials / Authorization header
   * values in `text` with `***`.
   * @param {unknown} text
   * @returns {string}
   */
  mask(text) {
    let out = text == null ? '' : String(text);
    for (const s of this.secrets) out = out.split(s).join(MASK);
    // credentials in URLs (scheme://user:pass@host) and header values, whoever put them there
    out = out.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s:]*:[^/@\s]*@/gi, `$1${MASK}@`);
    out = out.replace(/(authorization:\s*(?:basic|bearer|token)\s+)[^\s'"]+/gi, `$1${MASK}`);
    return out;
  }

  /**
   * Environment additions that make git send the token to `remoteUrl`'s origin only.
   * Existing GIT_CONFIG_COUNT entries of `baseEnv` are kept; ours are appended.
   * Returns {} when there is no token or the remote is not http(s).
   * @param {string|null|undefined} remoteUrl
   * @param {NodeJS.ProcessEnv} baseEnv
   */
  gitConfigEnv(remoteUrl, baseEnv = {}) {
    if (!this.token || !remoteUrl) return {};
    const origin = httpOrigin(remoteUrl);
    if (!origin) return {};
    const key = `http.${origin}/.extraheader`;
    return configEnv(baseEnv, [
      // an empty value resets headers inherited from other config (e.g. a checkout's own)
      [key, ''],
      [key, `AUTHORIZATION: basic ${this.basic}`],
      ...keepUrl(remoteUrl),
    ]);
  }

  /** Headers for GitHub's REST API. */
  apiHeaders() {
    return this.token ? { Authorization: `Bearer ${this.token}` } : {};
  }
}

/** `https://host[:port]` of an http(s) URL, else null (ssh, file, local path). */
export function httpOrigin(url) {
  const m = /^(https?):\/\/(?:[^/@]*@)?([^/?#]+)/i.exec(String(url));
  return m ? `${m[1].toLowerCase()}://${m[2].toLowerCase()}` : null;
}

/** Splits `scheme://user:password@host/...` into the URL without credentials and the password. */
export function splitCredentials(repo) {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/@]*)@(.*)$/i.exec(String(repo ?? ''));
  if (!repo || !m) return { url: repo, password: null };
  const colon = m[2].indexOf(':');
  const password = colon >= 0 ? decodeURIComponent(m[2].slice(colon + 1)) : decodeURIComponent(m[2]);
  return { url: `${m[1]}${m[3]}`, password: password || null };
}
