// Which forge a remote lives on, where its API answers, which project it names, and which
// token to use. The forge comes from the remote's host (github.com, gitlab.com,
// bitbucket.org, codeberg.org …) unless `--forge` names it (self-hosted instances); the
// API URL comes from the host unless `--api-url` gives it.

import { usageError } from '../errors.js';
import { apiUrlForRemote, DEFAULT_API_URL as GITHUB_API_URL } from '../github/client.js';

export const FORGES = Object.freeze(['github', 'gitea', 'gitlab', 'bitbucket']);

/** Hosts whose forge is known without `--forge`. */
const KNOWN_HOSTS = new Map([
  ['github.com', 'github'],
  ['gitlab.com', 'gitlab'],
  ['bitbucket.org', 'bitbucket'],
  ['codeberg.org', 'gitea'],
  ['gitea.com', 'gitea'],
]);

/**
 * The parts of a remote URL: `https://host[:port]/a/b/c(.git)`, `ssh://git@host/a/b.git`,
 * `git@host:a/b.git`. Null for local paths and file:// URLs.
 * @returns {{scheme: string, host: string, port: string|null, path: string}|null}
 */
export function parseRemote(url) {
  const s = String(url ?? '').trim();
  let m = /^([a-z][a-z0-9+.-]*):\/\/(?:[^/@]*@)?(\[[^\]]+\]|[^/:?#]+)(?::(\d+))?(\/[^?#]*)?$/i.exec(s);
  if (m) {
    const scheme = m[1].toLowerCase();
    if (scheme === 'file') return null;
    return { scheme, host: m[2].toLowerCase(), port: m[3] ?? null, path: trimPath(m[4] ?? '') };
  }
  m = /^[^/@\s]+@([^:/\s]+):(?!\/\/)(.+)$/.exec(s);
  if (m) return { scheme: 'ssh', host: m[1].toLowerCase(), port: null, path: trimPath(m[2]) };
  return null;
}

function trimPath(p) {
  return p.replace(/^\/+/, '').replace(/\/+$/, '').replace(/\.git$/, '');
}

/** The forge a host is known to be, else null. */
export function forgeOfHost(host, env = {}) {
  const h = String(host ?? '').toLowerCase();
  if (KNOWN_HOSTS.has(h)) return KNOWN_HOSTS.get(h);
  if (h.endsWith('.ghe.com')) return 'github';
  const ciHost = (name) => String(env[name] ?? '').replace(/^https?:\/\//, '').replace(/[:/].*$/, '').toLowerCase();
  // Inside a CI job of the forge itself, the job names its host.
  if (env.GITLAB_CI && h === ciHost('CI_SERVER_HOST')) return 'gitlab';
  if (env.GITEA_ACTIONS && h === ciHost('GITHUB_SERVER_URL')) return 'gitea';
  if (env.GITHUB_ACTIONS && !env.GITEA_ACTIONS && h === ciHost('GITHUB_SERVER_URL')) return 'github';
  const first = h.split('.')[0];
  if (first === 'gitlab') return 'gitlab';
  if (first === 'gitea' || first === 'forgejo') return 'gitea';
  return null;
}

/**
 * Resolves the forge, its API URL and the project for `remoteUrl`.
 * @param {string} remoteUrl
 * @param {{forge?: string|null, apiUrl?: string|null, env?: NodeJS.ProcessEnv, fallback?: string|null}} [options]
 *   `fallback`: the forge of a host no rule knows (the pipeline keeps `github` there, as
 *   before forges existed: GitHub Enterprise Server runs on any host)
 * @returns {{forge: string, apiUrl: string, host: string|null, project: {path: string, owner: string, repo: string}}}
 * @throws {import('../errors.js').GitopsBumpError} kind `usage` (exit 2) an unknown forge name, a host of no known forge without
 *   `--forge`, a remote that names no project, or an API URL that is no http(s) URL
 */
export function resolveForge(remoteUrl, { forge, apiUrl, env = {}, fallback = null } = {}) {
  if (forge != null && forge !== '' && !FORGES.includes(forge)) {
    throw usageError(`--forge: unknown forge "${forge}" (one of ${FORGES.join(', ')})`);
  }
  const remote = parseRemote(remoteUrl);
  const chosen = forge || (remote ? forgeOfHost(remote.host, env) : null) || (remote ? fallback : null);
  if (!chosen) {
    const where = remote ? `the host ${remote.host}` : `the remote ${JSON.stringify(String(remoteUrl ?? ''))}`;
    throw usageError(`cannot tell which forge serves ${where}: pass --forge ${FORGES.join('|')} (and --api-url for a self-hosted instance)`);
  }
  if (apiUrl != null && apiUrl !== '' && !/^https?:\/\/[^/\s]+/i.test(apiUrl)) {
    throw usageError(`--api-url: "${apiUrl}" is not an http(s) URL`);
  }
  const project = projectOf(chosen, remote, remoteUrl);
  const api = (apiUrl || defaultApiUrl(chosen, remote, env, project)).replace(/\/+$/, '');
  return { forge: chosen, apiUrl: api, host: remote?.host ?? null, project: project.project };
}

/** The project named by the remote's path; GitLab keeps nested groups, the others take owner/name. */
function projectOf(forge, remote, remoteUrl) {
  const segs = remote ? remote.path.split('/').filter(Boolean) : [];
  if (segs.length < 2) {
    throw usageError(`the remote ${JSON.stringify(String(remoteUrl ?? ''))} names no owner/repository path a ${forge} API can use`);
  }
  if (forge === 'gitlab') {
    // A self-managed GitLab under a relative URL root (/gitlab/group/repo) cannot be told
    // apart from a subgroup: --api-url gives the root, and the project is what follows it.
    const owner = segs.slice(0, -1).join('/');
    return { project: { path: segs.join('/'), owner, repo: segs.at(-1) }, prefix: '' };
  }
  const owner = segs.at(-2);
  const repo = segs.at(-1);
  return { project: { path: `${owner}/${repo}`, owner, repo }, prefix: segs.slice(0, -2).join('/') };
}

function defaultApiUrl(forge, remote, env, { prefix }) {
  const scheme = remote && (remote.scheme === 'http' || remote.scheme === 'https') ? remote.scheme : 'https';
  const hostPort = remote ? `${remote.host}${remote.port && remote.scheme !== 'ssh' ? `:${remote.port}` : ''}` : '';
  const sub = prefix ? `/${prefix}` : '';
  switch (forge) {
    case 'github':
      return apiUrlForRemote(remoteUrlOf(remote)) ?? GITHUB_API_URL;
    case 'gitlab':
      if (env.GITLAB_CI && env.CI_API_V4_URL && remote && forgeOfHost(remote.host, env) === 'gitlab' && String(env.CI_SERVER_HOST ?? '').toLowerCase() === remote.host) {
        return env.CI_API_V4_URL;
      }
      return `${scheme}://${hostPort}/api/v4`;
    case 'bitbucket':
      return remote?.host === 'bitbucket.org' ? 'https://api.bitbucket.org/2.0' : `${scheme}://${hostPort}/2.0`;
    default:
      return `${scheme}://${hostPort}${sub}/api/v1`;
  }
}

function remoteUrlOf(remote) {
  if (!remote) return null;
  const scheme = remote.scheme === 'http' || remote.scheme === 'https' ? remote.scheme : 'https';
  return `${scheme}://${remote.host}${remote.port && remote.scheme !== 'ssh' ? `:${remote.port}` : ''}/${remote.path}`;
}

/** Each forge's usual token variables, first found wins; `kind` says how it is sent. */
export const TOKEN_VARIABLES = Object.freeze({
  github: [{ name: 'GITHUB_TOKEN', kind: 'bearer' }],
  gitea: [
    { name: 'GITEA_TOKEN', kind: 'token' },
    { name: 'FORGEJO_TOKEN', kind: 'token' },
  ],
  gitlab: [
    { name: 'GITLAB_TOKEN', kind: 'private-token' },
    { name: 'GITLAB_OAUTH_TOKEN', kind: 'bearer' },
    { name: 'CI_JOB_TOKEN', kind: 'job-token' },
  ],
  bitbucket: [{ name: 'BITBUCKET_TOKEN', kind: 'bearer' }],
});

/**
 * The token for `forge`: from `tokenEnv` when given (its kind is the forge's first), else
 * the forge's usual variables. Bitbucket also takes an app password
 * (`BITBUCKET_USERNAME` + `BITBUCKET_APP_PASSWORD`, sent as Basic).
 * @returns {{token: string, kind: string, variable: string, username?: string}|null}
 * @throws {import('../errors.js').GitopsBumpError} kind `usage` `tokenEnv` names a variable that is unset or empty
 */
export function tokenFor(forge, env = {}, tokenEnv = null) {
  const vars = TOKEN_VARIABLES[forge] ?? [];
  const value = (name) => (typeof env[name] === 'string' && env[name].trim() ? env[name].trim() : null);
  if (tokenEnv) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(tokenEnv)) throw usageError(`--token-env: "${tokenEnv}" is not an environment variable name`);
    const token = value(tokenEnv);
    if (!token) throw usageError(`--token-env ${tokenEnv}: the variable is not set or empty`);
    const kind = vars.find((v) => v.name === tokenEnv)?.kind ?? vars[0]?.kind ?? 'bearer';
    return { token, kind, variable: tokenEnv };
  }
  for (const v of vars) {
    const token = value(v.name);
    if (token) return { token, kind: v.kind, variable: v.name };
  }
  if (forge === 'bitbucket' && value('BITBUCKET_USERNAME') && value('BITBUCKET_APP_PASSWORD')) {
    return { token: value('BITBUCKET_APP_PASSWORD'), kind: 'basic', variable: 'BITBUCKET_APP_PASSWORD', username: value('BITBUCKET_USERNAME') };
  }
  return null;
}

/** The HTTP headers that carry `credential` to the forge's API. */
export function apiHeaders(credential) {
  if (!credential) return {};
  const { token, kind, username } = credential;
  switch (kind) {
    case 'private-token':
      return { 'PRIVATE-TOKEN': token };
    case 'job-token':
      return { 'JOB-TOKEN': token };
    case 'token':
      return { Authorization: `token ${token}` };
    case 'basic':
      return { Authorization: `Basic ${Buffer.from(`${username}:${token}`).toString('base64')}` };
    default:
      return { Authorization: `Bearer ${token}` };
  }
}

/**
 * The user name git sends with the token over HTTPS (the password is the token): each
 * forge documents its own.
 */
export function gitUsername(forge, credential) {
  if (!credential) return null;
  if (credential.username) return credential.username;
  switch (forge) {
    case 'gitlab':
      return credential.kind === 'job-token' ? 'gitlab-ci-token' : 'oauth2';
    case 'bitbucket':
      return 'x-token-auth';
    case 'gitea':
      return 'gitops-bump'; // Gitea takes a token as the password of any user name
    default:
      return 'x-access-token';
  }
}
