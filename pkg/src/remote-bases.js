/**
 * Remote bases, followed the way kustomize v5.5.0 follows them, where the caller allows
 * network access: a `resources:` or `components:` entry such as
 * `https://github.com/org/repo//deploy?ref=v1` is cloned shallow at its ref through the
 * package's git (pkg/src/git/: argument arrays, prompts off, a timeout per call, output
 * masked) into a temporary directory removed at exit, and the core's overlay check reads
 * the copy under a virtual path (`:remote/<n>/…`) of its file source; a plain http(s) URL
 * of a single manifest is downloaded. The core stays free of I/O: this module fetches
 * before the (synchronous) check runs, in rounds, until the check asks for nothing new.
 *
 * What is not fetched (not allowed, a host outside the allowlist, a git or HTTP error, a
 * limit reached) reaches the check as the reason it gives for that entry, so the front
 * ends report it as unchecked: never a silent pass.
 *
 * @module gitops-bump/remote-bases
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createAuth } from './git/auth.js';
import { trackPath } from './cleanup.js';
import { nodeFileSource } from './files.js';
import { usageError } from './errors.js';
import { turnOnWord } from './hints.js';

/** First segment of the virtual paths the copies are served under. */
export const VIRTUAL_ROOT = ':remote';
/** At most this many remote bases are fetched in one run. */
export const MAX_REMOTE_BASES = 20;
/** Rounds of fetching (a remote base inside a remote base needs one more). */
const MAX_ROUNDS = 6;
/** A single manifest downloaded over http(s) may be at most this big. */
const MAX_DOWNLOAD = 8 * 1024 * 1024;

/**
 * @typedef {object} GitRemote a remote base that is a git repository
 * @property {'git'} kind
 * @property {string} cloneUrl what `git fetch` is given (kustomize's CloneSpec)
 * @property {string} host the host name (`file` for file:// repositories)
 * @property {string} path the kustomization root inside the repository ('' for its top)
 * @property {string} ref the ref to fetch ('' for the remote's HEAD)
 * @property {number|null} timeoutMs `?timeout=`, when given
 * @property {boolean} submodules `?submodules=` (kustomize's default: true)
 */
/** @typedef {{kind: 'error', error: string}} BadRemote */

/**
 * Parses a remote resource the way kustomize v5.5.0's `NewRepoSpecFromURL` does (facts
 * from api/internal/git/repospec.go; our own code): the query first (`ref`, else
 * `version`; `timeout` as whole seconds or a Go duration; `submodules` as a Go bool), then
 * scheme (`ssh://`, `https://`, `http://`, `file://`, after an ignored `git::`), user name,
 * host (scp-style `user@host:path` and `github.com:org/repo` too; github.com normalized to
 * https, or to scp-style with a user or ssh), then the repository path up to `_git/<repo>`,
 * `//`, or `.git`, else its first two segments (all of it for file://).
 * @param {string} url as the kustomization writes it
 * @returns {GitRemote | BadRemote}
 */
export function parseRemote(url) {
  const bad = (/** @type {string} */ error) => ({ kind: /** @type {const} */ ('error'), error });
  if (url.startsWith('/')) return bad('an absolute path, not a URL');
  const q = url.indexOf('?');
  let n = q >= 0 ? url.slice(0, q) : url;
  const query = parseQuery(q >= 0 ? url.slice(q + 1) : '');
  if (n.slice(0, 5).toLowerCase() === 'git::') n = n.slice(5);
  let scheme = '';
  for (const s of ['ssh://', 'https://', 'http://', 'file://']) {
    if (n.slice(0, s.length).toLowerCase() === s) {
      scheme = s;
      n = n.slice(s.length);
      break;
    }
  }
  let user = /^[a-zA-Z][a-zA-Z0-9-]*@/.exec(n)?.[0] ?? '';
  n = n.slice(user.length);
  const github = /^github\.com[/:]/i.test(n);
  const scp = scheme === '' && (user !== '' || github);
  if (scheme === '' && !scp) return bad('no scheme kustomize knows (https://, ssh://, file://, user@host:path, github.com/…)');
  let host;
  let rest;
  if (scheme === 'file://') {
    host = scheme;
    rest = user + n;
    user = '';
  } else {
    let sep = n.indexOf('/');
    if (scp) {
      const colon = n.indexOf(':');
      if (sep === -1 || (colon > 0 && colon < sep)) sep = colon;
    }
    [host, rest] = sep >= 0 ? [n.slice(0, sep + 1), n.slice(sep + 1)] : [n, ''];
    if (github) {
      if (scheme.startsWith('ssh://') || user !== '') [scheme, host] = ['', 'github.com:'];
      else [scheme, user, host] = ['https://', '', 'github.com/'];
    }
    if (host === '') return bad('no host');
    host = scheme + user + host;
  }
  const parts = splitRepoPath(rest, scheme === 'file://');
  if (typeof parts === 'string') return bad(parts);
  const hostName = scheme === 'file://' ? 'file' : hostOf(host);
  return { kind: 'git', cloneUrl: host + parts.repo, host: hostName, path: parts.root, ref: query.ref, timeoutMs: query.timeoutMs, submodules: query.submodules };
}

/**
 * kustomize's split of the repository path from the kustomization root inside it.
 * @param {string} n
 * @param {boolean} all a file:// repository takes every segment by default
 * @returns {{repo: string, root: string} | string} the parts, or why it is not a repository URL
 */
function splitRepoPath(n, all) {
  let repo;
  let root;
  const gitRoot = n.indexOf('_git/');
  const slashes = n.indexOf('//');
  const suffix = n.indexOf('.git');
  if (gitRoot >= 0) {
    const segs = n.slice(gitRoot + 5).split('/');
    [repo, root] = [n.slice(0, gitRoot + 5) + segs[0], segs.slice(1).join('/')];
  } else if (slashes >= 0) {
    [repo, root] = [n.slice(0, slashes), n.slice(slashes + 2)];
  } else if (suffix >= 0) {
    [repo, root] = [n.slice(0, suffix + 4), n.slice(suffix + 4)];
  } else if (all) {
    [repo, root] = [n, ''];
  } else {
    const segs = n.split('/');
    if (segs.length < 2) return 'no org/repo path';
    [repo, root] = [segs.slice(0, 2).join('/'), segs.slice(2).join('/')];
  }
  if (!repo) return 'no repository path';
  const cleaned = path.posix.normalize(root.replace(/^\/+/, '') || '.');
  if (cleaned === '..' || cleaned.startsWith('../')) return 'its path leaves the repository';
  return { repo, root: root.replace(/^\//, '') };
}

/**
 * @param {string} query the text after `?`
 * @returns {{ref: string, timeoutMs: number|null, submodules: boolean}}
 */
function parseQuery(query) {
  const out = { ref: '', timeoutMs: /** @type {number|null} */ (null), submodules: true };
  let values;
  try {
    values = new URLSearchParams(query);
  } catch {
    return out;
  }
  out.ref = values.get('ref') || values.get('version') || '';
  const t = values.get('timeout');
  if (t) {
    if (/^\+?\d+$/.test(t) && Number(t) > 0) out.timeoutMs = Number(t) * 1000;
    else {
      const d = goDuration(t);
      if (d !== null && d > 0) out.timeoutMs = d;
    }
  }
  const s = values.get('submodules');
  if (s && /^(1|t|T|TRUE|true|True)$/.test(s)) out.submodules = true;
  else if (s && /^(0|f|F|FALSE|false|False)$/.test(s)) out.submodules = false;
  return out;
}

/** Milliseconds of a Go duration such as `90s`, `1m30s`, `1.5m`, `500ms`; null when not one. */
function goDuration(/** @type {string} */ s) {
  const units = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60000, h: 3600000 };
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let pos = 0;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) return null;
    total += Number(m[1]) * units[/** @type {keyof typeof units} */ (m[2])];
    pos = re.lastIndex;
  }
  return s.length > 0 ? total : null;
}

/** The host name of `https://user@host:port/`, `ssh://git@host/`, `git@host:`. */
function hostOf(/** @type {string} */ host) {
  return host
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/^[^@/]*@/, '')
    .replace(/[:/].*$/, '')
    .toLowerCase();
}

/**
 * Whether kustomize would first try `url` as a single file over http(s).
 * @param {string} url
 */
function isHttpUrl(url) {
  return /^https?:\/\//i.test(url);
}

/**
 * @typedef {object} RemoteBasesOptions
 * @property {boolean} allow whether network access is allowed (the front end's flag or input)
 * @property {string} [notAllowed] how the front end says to allow it, e.g. `pass --fetch-remote-bases`
 * @property {string[]|null} [hosts] the hosts that may be fetched from (`file` for file:// repositories); null: any
 * @property {NodeJS.ProcessEnv} [env] environment of git (GITOPS_BUMP_GIT_TIMEOUT, proxies, ssh)
 * @property {(line: string) => void} [log] one line per fetch: URL (credentials masked), host, ref
 * @property {number} [maxFileSize] larger files of a copy are not read
 */

/** The fetched copies of one run's remote bases, and the file source hooks that serve them. */
export class RemoteBases {
  /** @param {RemoteBasesOptions} options */
  constructor({ allow, notAllowed = 'network access is not allowed', hosts = null, env = process.env, log = () => {}, maxFileSize }) {
    this.allow = allow;
    this.notAllowed = notAllowed;
    this.hosts = hosts && hosts.length > 0 ? hosts.map((h) => h.toLowerCase()) : null;
    this.env = env;
    // the token of the pipeline is never given: a kustomization may name any URL
    this.auth = createAuth();
    this.log = (/** @type {string} */ line) => log(this.auth.mask(line));
    this.maxFileSize = maxFileSize;
    /** @type {Map<string, {root: string, path: string, source: any, shown: string, file?: boolean} | {reason: string}>} url -> copy or why not */
    this.done = new Map();
    /** @type {Set<string>} asked for during the last round and not fetched yet */
    this.wanted = new Set();
    /** @type {string|null} */
    this.dir = null;
    this.forget = () => {};
    this.count = 0;
  }

  /**
   * Runs `check` (a synchronous overlay check through {@link RemoteBases#source}) and fetches
   * what it asked for, round by round, until it asks for nothing new.
   * @param {() => unknown} check
   */
  async prepare(check) {
    if (!this.allow) return;
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      this.wanted.clear();
      try {
        check();
      } catch {
        // the real run reports it; here only what the check asked for matters
      }
      if (this.wanted.size === 0) return;
      for (const url of this.wanted) await this.fetch(url);
    }
  }

  /**
   * The core's `remote(url)` hook: where the copy is served, or why there is none.
   * @param {string} url
   * @returns {{root: string, path: string} | {reason: string}}
   */
  remote(url) {
    const done = this.done.get(url);
    if (done) return 'reason' in done ? done : { root: done.root, path: done.path };
    if (!this.allow) return { reason: `not fetched: ${this.notAllowed} to follow it (network access); its containers may have the image` };
    this.wanted.add(url);
    return { reason: 'not fetched (the check ran before the fetch finished); its containers may have the image' };
  }

  /** Whether `p` is a virtual path of a copy. */
  owns(/** @type {string} */ p) {
    return p === VIRTUAL_ROOT || p.startsWith(`${VIRTUAL_ROOT}/`);
  }

  /** The copy serving virtual path `p`, and the path inside it. */
  locate(/** @type {string} */ p) {
    const [, n, ...rest] = p.split('/');
    const copy = [...this.done.values()].find((c) => 'root' in c && c.root === `${VIRTUAL_ROOT}/${n}`);
    return copy && 'root' in copy ? { copy, inner: rest.join('/') || '.' } : null;
  }

  /** @param {string} p a virtual path @returns {string|null} */
  read(p) {
    const at = this.locate(p);
    return at ? at.copy.source.read(at.inner) : null;
  }

  /** @param {string} p a virtual path @returns {string[]|null} */
  list(p) {
    const at = this.locate(p);
    return at ? at.copy.source.list(at.inner) : null;
  }

  /**
   * How a virtual path is shown to people: the remote base's URL with the file inside it.
   * @param {string} p
   * @returns {string}
   */
  shown(p) {
    const at = this.locate(p);
    if (!at) return p;
    // a download is one file; in a repository, the file and where it came from
    if (at.copy.file || at.inner === '.') return at.copy.shown;
    return `${at.inner} in ${at.copy.shown}`;
  }

  /**
   * `text` (a reason of the core) with every virtual path of a copy shown as {@link RemoteBases#shown}.
   * @param {string} text
   * @returns {string}
   */
  showIn(text) {
    return String(text).replace(new RegExp(`${VIRTUAL_ROOT}/\\d+(?:/[^\\s\`'")]*)?`, 'g'), (p) => this.shown(p));
  }

  /** Removes the copies. Safe to call more than once. */
  close() {
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
    this.forget();
  }

  /** @param {string} url */
  async fetch(url) {
    const fail = (/** @type {string} */ why) => this.done.set(url, { reason: `not fetched: ${this.auth.mask(why)}; its containers may have the image` });
    if (this.count >= MAX_REMOTE_BASES) return fail(`more than ${MAX_REMOTE_BASES} remote bases in one run`);
    // a password or token in the URL would reach git's argv and the network: never
    if (hasCredentials(url)) return fail('a URL with credentials in it is not fetched');
    const spec = parseRemote(url);
    const host = spec.kind === 'git' ? spec.host : isHttpUrl(url) ? hostOf(url) : null;
    if (host && this.hosts && !this.hosts.includes(host)) return fail(`host ${host} is not in the allowed hosts (${this.hosts.join(', ')})`);
    this.count += 1;
    const n = this.count;
    const root = `${VIRTUAL_ROOT}/${n}`;
    const dir = path.join(this.tempDir(), String(n));
    if (isHttpUrl(url)) {
      // kustomize first reads an http(s) URL as a file, and only then as a repository
      const got = await this.download(url);
      if ('text' in got) {
        fs.mkdirSync(dir);
        const name = 'resource.yaml';
        fs.writeFileSync(path.join(dir, name), got.text);
        this.log(`remote base: downloaded ${url}`);
        this.done.set(url, { root, path: `${root}/${name}`, source: nodeFileSource(dir, new Map(), { maxFileSize: this.maxFileSize, ownRoot: true }), shown: this.auth.mask(url), file: true });
        return undefined;
      }
      if (spec.kind !== 'git') return fail(got.error);
    }
    if (spec.kind !== 'git') return fail(`\`${url}\` is not a URL kustomize fetches: ${spec.error}`);
    try {
      await this.clone(spec, dir);
    } catch (error) {
      return fail(firstLines(/** @type {Error} */ (error).message));
    }
    const inside = spec.path ? path.join(dir, spec.path) : dir;
    const shown = `${maskUrlCredentials(spec.cloneUrl)} at ${spec.ref || 'HEAD'}`;
    if (!fs.existsSync(inside)) return fail(`\`${spec.path}\` does not exist in ${spec.cloneUrl} at ${spec.ref || 'HEAD'}`);
    const rel = spec.path ? `${root}/${path.posix.normalize(spec.path).replace(/\/$/, '')}` : root;
    this.done.set(url, { root, path: rel, source: nodeFileSource(dir, new Map(), { maxFileSize: this.maxFileSize, ownRoot: true }), shown });
    return undefined;
  }

  /** The run's temporary directory, made on first use and removed at exit. */
  tempDir() {
    if (!this.dir) {
      this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-bump-remote-'));
      this.forget = trackPath(this.dir);
    }
    return this.dir;
  }

  /**
   * A shallow clone at the ref, as kustomize makes it: init, fetch --depth=1 URL REF,
   * checkout FETCH_HEAD, submodules when asked.
   * @param {GitRemote} spec
   * @param {string} dir
   */
  async clone(spec, dir) {
    // loaded when a base is really fetched: the CLI's start-up does not pay for it
    const { GitCommandManager, checkRemoteUrl } = await import('./git/command-manager.js');
    checkRemoteUrl(spec.cloneUrl, 'remote base');
    if (spec.ref.startsWith('-') || /[\0\n\r]/.test(spec.ref)) throw new Error(`ref ${JSON.stringify(spec.ref)} is not a ref`);
    const ref = spec.ref || 'HEAD';
    this.log(`remote base: fetching ${spec.cloneUrl} (host ${spec.host}) at ${ref}${spec.path ? `, path ${spec.path}` : ''}`);
    fs.mkdirSync(dir);
    const git = new GitCommandManager({ cwd: dir, auth: this.auth, env: this.env, timeoutMs: spec.timeoutMs ?? undefined });
    await git.exec(['init', '-q']);
    await git.exec(['-c', 'protocol.version=2', 'fetch', '-q', '--depth=1', '--no-tags', '--', spec.cloneUrl, ref]);
    await git.exec(['-c', 'advice.detachedHead=false', 'checkout', '-q', 'FETCH_HEAD']);
    if (spec.submodules && fs.existsSync(path.join(dir, '.gitmodules'))) {
      await git.exec(['submodule', 'update', '-q', '--init', '--recursive', '--depth=1']);
    }
  }

  /**
   * GETs a single manifest; no credentials are sent. Plain http only to a loopback host.
   * @param {string} url
   * @returns {Promise<{text: string} | {error: string}>}
   */
  async download(url) {
    let u;
    try {
      u = new URL(url);
    } catch {
      return { error: `\`${url}\` is not a URL` };
    }
    if (u.username || u.password) return { error: 'a URL with credentials in it is not fetched' };
    if (u.protocol === 'http:' && !['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) return { error: 'plain http is fetched only from a loopback host' };
    this.log(`remote base: GET ${url}`);
    const { gitTimeoutMs } = await import('./git/command-manager.js');
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(gitTimeoutMs(this.env)), redirect: 'follow' });
      const type = res.headers.get('content-type') ?? '';
      if (!res.ok) return { error: `GET ${url}: HTTP ${res.status}` };
      if (/html/i.test(type)) return { error: `GET ${url}: an HTML page, not a manifest` };
      const size = Number(res.headers.get('content-length') ?? 0);
      if (size > MAX_DOWNLOAD) return { error: `GET ${url}: over ${MAX_DOWNLOAD} bytes` };
      const text = await res.text();
      if (text.length > MAX_DOWNLOAD) return { error: `GET ${url}: over ${MAX_DOWNLOAD} bytes` };
      return { text };
    } catch (error) {
      return { error: `GET ${url}: ${/** @type {Error} */ (error).message}` };
    }
  }
}

/**
 * The CLI's remote bases: `--fetch-remote-bases` allows the network, `--remote-base-hosts
 * a,b` limits it to those hosts (`file` for file:// repositories); each fetch is logged on
 * stderr.
 * @param {Record<string, any>} values parsed options
 * @param {NodeJS.ProcessEnv} env
 * @param {{write(s: string): unknown}} err
 * @param {number} [maxFileSize]
 * @returns {RemoteBases}
 */
export function cliRemoteBases(values, env, err, maxFileSize) {
  const allow = Boolean(values['fetch-remote-bases']);
  const hosts = parseHosts(values['remote-base-hosts'], '--remote-base-hosts');
  if (hosts && !allow) throw usageError('--remote-base-hosts limits --fetch-remote-bases: add --fetch-remote-bases');
  // under the orb, its own words (pkg/src/hints.js)
  const notAllowed = turnOnWord('fetch-remote-bases', env.GITOPS_BUMP_FRONT_END === 'orb' ? 'orb' : 'cli');
  return new RemoteBases({ allow, notAllowed, hosts, env, log: (line) => err.write(`${line}\n`), maxFileSize });
}

/**
 * A comma- or space-separated list of host names, or null when none is given.
 * @param {string | undefined} text
 * @param {string} what how the front end names the option, for errors
 * @returns {string[] | null}
 */
export function parseHosts(text, what) {
  if (text === undefined || text.trim() === '') return null;
  const hosts = text.split(/[\s,]+/).filter(Boolean);
  const bad = hosts.find((h) => !/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i.test(h));
  if (bad) throw usageError(`${what}: \`${bad}\` is not a host name (give names such as github.com, or file for file:// repositories)`);
  return hosts.map((h) => h.toLowerCase());
}

/** Whether `url` carries a password (`scheme://user:password@host`). */
function hasCredentials(/** @type {string} */ url) {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/@?#]*:[^/@?#]*@/i.test(url.replace(/^git::/i, ''));
}

/**
 * `text` with the password of every `scheme://user:password@` replaced by `***`: what the
 * front ends show of a remote base's URL.
 * @param {string} text
 * @returns {string}
 */
export function maskUrlCredentials(text) {
  return String(text).replace(/([a-z][a-z0-9+.-]*:\/\/[^/@:\s]*):[^/@\s]*@/gi, '$1:***@');
}

/** The first two lines of a git error, on one line. */
function firstLines(/** @type {string} */ text) {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 2).join(' ');
}
