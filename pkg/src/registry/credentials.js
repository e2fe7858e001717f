/**
 * Registry credentials as users already have them: Docker's `config.json` (in
 * `$DOCKER_CONFIG`, else `~/.docker/`) with `auths`, `credHelpers` and `credsStore` (the
 * latter two through `docker-credential-<helper> get`), or credentials given explicitly
 * for one registry (the Action's `registry-username`/`registry-password`).
 *
 * A credential is only ever looked up for the registry it will be sent to; what is found
 * is kept in memory for the run and never printed.
 *
 * @module gitops-bump/registry/credentials
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { credentialKeys } from './reference.js';

/**
 * @typedef {object} Credential
 * @property {string} [username]
 * @property {string} [password]
 * @property {string} [identityToken] an OAuth2 refresh token (`identitytoken`, or a helper's `<token>` user)
 * @property {string} source where it came from, for messages (never the secret)
 */

/**
 * @typedef {object} CredentialOptions
 * @property {NodeJS.ProcessEnv} [env] for DOCKER_CONFIG, HOME and PATH
 * @property {{registry: string, username: string, password: string}[]} [explicit]
 *   credentials for one registry each; they win over config.json
 * @property {(helper: string, host: string, env: NodeJS.ProcessEnv) => Promise<string>} [runHelper]
 *   runs `docker-credential-<helper> get` (replaceable in tests)
 */

/** How long a credential helper may take. */
const HELPER_TIMEOUT_MS = 20_000;

/**
 * Makes the credential lookup of a run: `lookup(registry)` resolves to a
 * {@link Credential} or null, at most once per registry.
 * @param {CredentialOptions} [options]
 * @returns {{lookup(registry: string): Promise<Credential | null>, secrets(): string[]}}
 */
export function credentialStore(options = {}) {
  const env = options.env ?? process.env;
  const runHelper = options.runHelper ?? defaultRunHelper;
  /** @type {Map<string, Promise<Credential | null>>} */
  const cache = new Map();
  /** @type {Set<string>} */
  const seen = new Set();
  let config;
  const dockerConfig = () => (config ??= readDockerConfig(env));

  /** @param {string} registry */
  const find = async (registry) => {
    const explicit = (options.explicit ?? []).find((c) => c.registry === registry);
    if (explicit) return { username: explicit.username, password: explicit.password, source: 'the given registry credentials' };
    const { data, file } = dockerConfig();
    if (!data) return null;
    const keys = credentialKeys(registry);
    const helpers = /** @type {Record<string, string>} */ (data.credHelpers ?? {});
    const helperKey = keys.find((k) => typeof helpers[k] === 'string');
    if (helperKey) return fromHelper(helpers[helperKey], helperKey, `credHelpers in ${file}`);
    const auths = /** @type {Record<string, any>} */ (data.auths ?? {});
    const authKey = keys.find((k) => auths[k] && typeof auths[k] === 'object' && (auths[k].auth || auths[k].username || auths[k].identitytoken));
    if (authKey) return fromAuth(auths[authKey], `auths["${authKey}"] in ${file}`);
    if (typeof data.credsStore === 'string' && data.credsStore !== '') {
      // a store answers for what was logged in to; Docker Hub is filed under its v1 URL
      return fromHelper(data.credsStore, keys[0], `credsStore in ${file}`, true);
    }
    return null;
  };

  /**
   * @param {string} helper @param {string} host @param {string} source
   * @param {boolean} [missingIsNone] a store that has nothing for the host: anonymous
   * @returns {Promise<Credential | null>}
   */
  const fromHelper = async (helper, host, source, missingIsNone = false) => {
    let out;
    try {
      out = await runHelper(helper, host, env);
    } catch (error) {
      const text = String(/** @type {any} */ (error)?.stdout ?? '') + String(/** @type {any} */ (error)?.message ?? '');
      if (missingIsNone && /credentials not found/i.test(text)) return null;
      if (/credentials not found/i.test(text)) return null;
      throw Object.assign(new Error(`docker-credential-${helper} (from ${source}) failed for ${host}: ${firstLine(text)}`), { credentialError: true });
    }
    let parsed;
    try {
      parsed = JSON.parse(out);
    } catch {
      throw Object.assign(new Error(`docker-credential-${helper} (from ${source}) printed something that is not JSON for ${host}`), { credentialError: true });
    }
    const credential = parsed.Username === '<token>'
      ? { identityToken: String(parsed.Secret ?? ''), source: `docker-credential-${helper}` }
      : { username: String(parsed.Username ?? ''), password: String(parsed.Secret ?? ''), source: `docker-credential-${helper}` };
    remember(credential);
    return credential;
  };

  /** @param {Credential} c */
  const remember = (c) => {
    for (const s of [c.password, c.identityToken]) if (s) seen.add(s);
  };

  return {
    lookup(registry) {
      let p = cache.get(registry);
      if (!p) {
        p = find(registry).then((c) => {
          if (c) remember(c);
          return c;
        });
        cache.set(registry, p);
      }
      return p;
    },
    /** Every secret looked up so far (for masking). */
    secrets: () => [...seen, ...(options.explicit ?? []).map((c) => c.password).filter(Boolean)],
  };
}

/**
 * @param {any} entry an `auths` entry
 * @param {string} source
 * @returns {Credential}
 */
function fromAuth(entry, source) {
  if (entry.identitytoken) return { identityToken: String(entry.identitytoken), source };
  if (entry.auth) {
    const decoded = Buffer.from(String(entry.auth), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), source };
  }
  return { username: String(entry.username ?? ''), password: String(entry.password ?? ''), source };
}

/**
 * Reads `config.json` from `$DOCKER_CONFIG` or `~/.docker`; a missing file is no config, an
 * unreadable one is reported when a credential is needed.
 * @param {NodeJS.ProcessEnv} env
 * @returns {{data: any, file: string}}
 */
function readDockerConfig(env) {
  const dir = env.DOCKER_CONFIG || path.join(env.HOME || homedir(), '.docker');
  const file = path.join(dir, 'config.json');
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { data: null, file };
  }
  try {
    return { data: JSON.parse(text), file };
  } catch (error) {
    throw Object.assign(new Error(`${file}: not valid JSON (${/** @type {Error} */ (error).message}); fix it or point DOCKER_CONFIG at another directory`), { credentialError: true });
  }
}

/**
 * Runs `docker-credential-HELPER get` with the host on stdin (the helper protocol).
 * @param {string} helper
 * @param {string} host
 * @param {NodeJS.ProcessEnv} env
 * @returns {Promise<string>}
 */
function defaultRunHelper(helper, host, env) {
  if (!/^[A-Za-z0-9_.-]+$/.test(helper)) return Promise.reject(new Error(`the helper name \`${helper}\` is not a plain name`));
  return new Promise((resolve, reject) => {
    const child = execFile(`docker-credential-${helper}`, ['get'], { env, timeout: HELPER_TIMEOUT_MS, maxBuffer: 1 << 20 }, (error, stdout) => {
      if (error) reject(Object.assign(error, { stdout }));
      else resolve(stdout);
    });
    // a helper that exits without reading its stdin is reported by its exit, not as EPIPE
    child.stdin?.on('error', () => {});
    child.stdin?.end(host);
  });
}

/** @param {string} text */
function firstLine(text) {
  return text.trim().split('\n')[0].slice(0, 200);
}
