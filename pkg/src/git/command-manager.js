// GitCommandManager: the one way this package runs git.
//
// Every call is an argument array given to child_process.spawn (never a shell string);
// the child runs with GIT_TERMINAL_PROMPT=0 and an empty GIT_ASKPASS so it can never wait
// for a password; the token (if any) reaches it only through GIT_CONFIG_* variables built
// by Auth; every message that leaves this module is passed through auth.mask(). Only the
// transports of ALLOWED_PROTOCOLS are allowed (GIT_ALLOW_PROTOCOL), every call has a
// timeout, and every child leads its own process group, stopped as a whole on a timeout
// or when the CLI is interrupted.

import { spawn } from 'node:child_process';
import { GitError, PipelineError } from '../common/errors.js';
import { createAuth } from './auth.js';
import { stopChild, trackChild } from '../cleanup.js';

/** Transports git may use (git's names; `file` covers local paths). */
export const ALLOWED_PROTOCOLS = Object.freeze(['https', 'ssh', 'file']);

/** Default limit of one git call, in milliseconds (GITOPS_BUMP_GIT_TIMEOUT overrides, in seconds). */
export const DEFAULT_GIT_TIMEOUT_MS = 300_000;

const STRIP_ENV = ['GIT_ASKPASS', 'SSH_ASKPASS', 'GIT_CURL_VERBOSE', 'GIT_TRACE_CURL', 'GIT_TRACE_CURL_NO_DATA'];

export class GitCommandManager {
  /**
   * @param {object} options
   * @param {string} options.cwd working directory of every git call
   * @param {import('./auth.js').Auth} [options.auth]
   * @param {string|null} [options.remoteUrl] the only URL the token is sent to (http(s) only)
   * @param {NodeJS.ProcessEnv} [options.env] base environment (default process.env)
   * @param {(line: string) => void} [options.log] debug log (receives masked text)
   * @param {string} [options.gitPath] git executable (default `git` from PATH)
   * @param {number} [options.timeoutMs] limit of one call (default: GITOPS_BUMP_GIT_TIMEOUT seconds, else 300 s)
   */
  constructor({ cwd, auth = createAuth(), remoteUrl = null, env = process.env, log, gitPath = 'git', timeoutMs }) {
    this.timeoutMs = timeoutMs ?? gitTimeoutMs(env);
    this.cwd = cwd;
    this.auth = auth;
    this.remoteUrl = remoteUrl;
    this.baseEnv = env;
    this.log = log ?? (() => {});
    this.gitPath = gitPath;
  }

  /** A manager for another directory sharing auth, env and log. */
  at(cwd) {
    return new GitCommandManager({ ...this, cwd, env: this.baseEnv });
  }

  /** Environment of a git child: prompts off, askpass off, token header for the remote. */
  childEnv(extra = {}) {
    const env = { ...this.baseEnv };
    for (const k of STRIP_ENV) delete env[k];
    Object.assign(env, {
      GIT_TERMINAL_PROMPT: '0',
      GIT_ASKPASS: '',
      GCM_INTERACTIVE: 'never',
      GIT_TRACE_REDACT: '1',
      LC_ALL: 'C',
      GIT_ALLOW_PROTOCOL: allowedProtocols(this.remoteUrl).join(':'),
    });
    Object.assign(env, this.auth.gitConfigEnv(this.remoteUrl, env), extra);
    return env;
  }

  /**
   * Runs `git ...args`.
   * @param {string[]} args
   * @param {{input?: string|Buffer, allowFailure?: boolean, env?: object, cwd?: string, raw?: boolean}} [options]
   *   raw: stdout is the Buffer git wrote (file content, not text to show: not masked)
   * @returns {Promise<{stdout: string, stderr: string, exitCode: number}>}
   *   rejects with a masked GitError on non-zero exit unless allowFailure
   */
  exec(args, { input, allowFailure = false, env, cwd, raw = false } = {}) {
    if (!Array.isArray(args) || args.some((a) => typeof a !== 'string')) {
      throw new TypeError('git arguments must be an array of strings');
    }
    const shown = this.auth.mask(args.join(' '));
    this.log(`git ${shown}`);
    return new Promise((resolve, reject) => {
      const child = spawn(this.gitPath, args, {
        cwd: cwd ?? this.cwd,
        env: this.childEnv(env),
        stdio: ['pipe', 'pipe', 'pipe'],
        shell: false,
        windowsHide: true,
        detached: true, // its own process group: a timeout or a signal stops git's helpers too
      });
      trackChild(child);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        stopChild(child, 'SIGTERM');
        setTimeout(() => stopChild(child, 'SIGKILL'), 2000).unref();
      }, this.timeoutMs);
      const out = [];
      const err = [];
      child.stdout.on('data', (d) => out.push(d));
      child.stderr.on('data', (d) => err.push(d));
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(new GitError(this.auth.mask(`cannot run git ${shown}: ${e.message}`), { args }));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (timedOut) {
          reject(
            new GitError(`git ${shown} timed out after ${Math.round(this.timeoutMs / 1000)} s and was stopped (raise GITOPS_BUMP_GIT_TIMEOUT, in seconds, if the remote is just slow)`, {
              args,
              exitCode: code ?? 128,
              code: 'timeout',
            }),
          );
          return;
        }
        const stdout = raw ? Buffer.concat(out) : this.auth.mask(Buffer.concat(out).toString('utf8'));
        const stderr = this.auth.mask(Buffer.concat(err).toString('utf8'));
        const exitCode = code ?? 128;
        if (exitCode !== 0 && !allowFailure) {
          const why = signal ? `killed by ${signal}` : `exit code ${exitCode}`;
          const detail = stderr.trim() || (raw ? '' : stdout.trim());
          reject(
            new GitError(`git ${shown} failed (${why})${detail ? `:\n${indent(detail)}` : ''}`, {
              args,
              exitCode,
              stdout,
              stderr,
            }),
          );
          return;
        }
        resolve({ stdout, stderr, exitCode });
      });
      child.stdin.on('error', () => {}); // git may exit before reading its input
      child.stdin.end(input ?? '');
    });
  }

  /** stdout of `git ...args`, trimmed. */
  async output(args, options) {
    return (await this.exec(args, options)).stdout.trim();
  }

  async revParse(rev) {
    return this.output(['rev-parse', '--verify', '--quiet', '--end-of-options', rev]);
  }

  async tryRevParse(rev) {
    const r = await this.exec(['rev-parse', '--verify', '--quiet', '--end-of-options', rev], { allowFailure: true });
    return r.exitCode === 0 ? r.stdout.trim() : null;
  }

  /** How many commits `to` has that `from` has not (`rev-list --count from..to`); null when git cannot tell. */
  async countCommits(from, to) {
    const r = await this.exec(['rev-list', '--count', `${from}..${to}`, '--'], { allowFailure: true });
    const n = Number(r.stdout.trim());
    return r.exitCode === 0 && r.stdout.trim() !== '' && Number.isInteger(n) ? n : null;
  }

  async topLevel() {
    return this.output(['rev-parse', '--show-toplevel']);
  }

  /** Current branch name, or null when HEAD is detached. */
  async currentBranch() {
    const r = await this.exec(['symbolic-ref', '--quiet', '--short', 'HEAD'], { allowFailure: true });
    return r.exitCode === 0 ? r.stdout.trim() : null;
  }

  /**
   * The URL pushes to `remote` go to. An http(s) URL is given as configured (before
   * `insteadOf` rules, which the token's GIT_CONFIG entries cancel for it, see keepUrl in
   * auth.js); any other is given as git rewrites it (a `gh:` shorthand becomes its URL).
   */
  async remoteUrlOf(remote) {
    if (isUrlLike(remote)) return remote;
    const configured = (await this.configGet(`remote.${remote}.pushurl`)) ?? (await this.configGet(`remote.${remote}.url`));
    if (configured && /^https?:\/\//i.test(configured)) return configured;
    const r = await this.exec(['remote', 'get-url', '--push', '--', remote], { allowFailure: true });
    return r.exitCode === 0 ? r.stdout.trim() : null;
  }

  /**
   * The URLs git really uses for `remote` (a name or a URL) with this manager's
   * environment, after every `insteadOf` / `pushInsteadOf` rule: `{fetch, push}` (for a
   * URL rather than a remote's name, `push` is the fetch URL).
   */
  async effectiveUrls(remote) {
    const fetch = (await this.output(['ls-remote', '--get-url', '--', remote])) || remote;
    // outside a repository (before a clone) only the fetch URL can be asked for
    if (isUrlLike(remote)) return { fetch, push: fetch };
    const r = await this.exec(['remote', 'get-url', '--push', '--', remote], { allowFailure: true });
    return { fetch, push: r.exitCode === 0 ? r.stdout.trim() : fetch };
  }

  async configGet(key) {
    const r = await this.exec(['config', '--get', key], { allowFailure: true });
    return r.exitCode === 0 ? r.stdout.trim() : null;
  }

  /** Tracked files with uncommitted changes (staged or not). */
  async dirtyTrackedFiles() {
    const { stdout } = await this.exec(['status', '--porcelain=v1', '-z', '--untracked-files=no']);
    return stdout
      .split('\0')
      .filter(Boolean)
      .map((l) => l.slice(3));
  }

  async isShallow() {
    return (await this.output(['rev-parse', '--is-shallow-repository'])) === 'true';
  }

  /** Fetches `branch` from `remote`; returns the fetched commit id, or null if the branch does not exist. */
  async fetchBranch(remote, branch, { depth } = {}) {
    const args = ['fetch', '--no-tags', '--quiet'];
    if (depth) args.push(`--depth=${depth}`);
    args.push('--', remote, `+refs/heads/${branch}`);
    const r = await this.exec(args, { allowFailure: true });
    if (r.exitCode !== 0) {
      if (/couldn't find remote ref|no such ref|not our ref/i.test(r.stderr)) return null;
      throw new GitError(`git fetch of ${branch} from ${this.auth.mask(remote)} failed:\n${indent(r.stderr.trim())}`, {
        args,
        exitCode: r.exitCode,
        stderr: r.stderr,
      });
    }
    return this.revParse('FETCH_HEAD^{commit}');
  }

  /** Commit id of `refs/heads/branch` on the remote, or null. */
  async lsRemoteBranch(remote, branch) {
    const out = await this.output(['ls-remote', '--heads', '--', remote, `refs/heads/${branch}`]);
    const line = out.split('\n').find((l) => l.endsWith(`\trefs/heads/${branch}`));
    return line ? line.split('\t')[0] : null;
  }

  async resetHard(rev) {
    await this.exec(['reset', '--hard', '--quiet', rev]);
  }

  async add(files) {
    if (files.length) await this.exec(['add', '--', ...files]);
  }

  /** Paths among `files` whose content differs from HEAD. */
  async changedAgainstHead(files) {
    if (!files.length) return [];
    const out = await this.output(['diff', '--name-only', '-z', 'HEAD', '--', ...files]);
    return out.split('\0').filter(Boolean);
  }

  /**
   * Commits exactly `files` (other staged changes stay out) with `message` and `author`
   * ("Name <email>"). Returns the new commit id.
   */
  async commitFiles(files, { message, author, committer }) {
    const args = ['commit', '--quiet', '--no-edit', '--file=-'];
    if (author) args.push(`--author=${author}`);
    args.push('--only', '--', ...files);
    const env = {};
    if (committer) {
      env.GIT_COMMITTER_NAME = committer.name;
      env.GIT_COMMITTER_EMAIL = committer.email;
    }
    await this.exec(args, { input: message, env });
    return this.revParse('HEAD');
  }

  /**
   * Pushes `src` to `refs/heads/branch` of `remote`.
   * @returns {Promise<{ok: true} | {ok: false, retryable: boolean, reason: string, stderr: string}>}
   */
  async push(remote, src, branch, { lease } = {}) {
    const args = ['push', '--porcelain', '--no-verify'];
    if (lease !== undefined) args.push(`--force-with-lease=refs/heads/${branch}:${lease ?? ''}`);
    args.push('--', remote, `${src}:refs/heads/${branch}`);
    const r = await this.exec(args, { allowFailure: true });
    if (r.exitCode === 0) return { ok: true };
    const text = `${r.stdout}\n${r.stderr}`;
    const rejected = /^!\t.*$/m.exec(r.stdout)?.[0] ?? '';
    const reason = (/\[(?:remote )?rejected\]\s*(?:\(([^)]*)\))?/.exec(rejected)?.[1] ?? '').trim();
    const retryable = isRemoteMoved(rejected || text);
    return {
      ok: false,
      retryable,
      reason: reason || firstLine(r.stderr) || `exit code ${r.exitCode}`,
      stderr: r.stderr.trim(),
      stdout: r.stdout.trim(),
    };
  }

  /** Shallow clone of `branch` (default: the remote's default branch) into `dir`. */
  async clone(url, dir, { branch, depth = 1 } = {}) {
    const args = ['clone', '--quiet', '--no-tags', '--single-branch'];
    if (depth) args.push(`--depth=${depth}`);
    if (branch) args.push('--branch', branch);
    if (isLocalPath(url)) args.push('--no-local');
    args.push('--', url, dir);
    await this.exec(args);
  }
}

/**
 * The limit of one git call from the environment (GITOPS_BUMP_GIT_TIMEOUT, seconds).
 * @param {NodeJS.ProcessEnv} env
 * @returns {number} milliseconds
 */
export function gitTimeoutMs(env) {
  const s = Number(env.GITOPS_BUMP_GIT_TIMEOUT);
  return Number.isFinite(s) && s > 0 ? s * 1000 : DEFAULT_GIT_TIMEOUT_MS;
}

/**
 * The transports git may use for `remoteUrl`: https, ssh and file, plus plain http for a
 * loopback remote (a local test server; nothing leaves the machine).
 * @param {string|null|undefined} remoteUrl
 * @returns {string[]}
 */
function allowedProtocols(remoteUrl) {
  return isLoopbackHttp(remoteUrl) ? [...ALLOWED_PROTOCOLS, 'http'] : [...ALLOWED_PROTOCOLS];
}

/** @param {string|null|undefined} url @returns {boolean} */
function isLoopbackHttp(url) {
  return /^http:\/\/(?:[^/@]*@)?(?:127\.\d+\.\d+\.\d+|localhost|\[::1\])(?::\d+)?(?:\/|$)/i.test(String(url ?? ''));
}

/**
 * Checks a remote URL before git sees it: https://, ssh://, scp-style `user@host:path`,
 * file:// and local paths are allowed (plain http:// only to a loopback address); any
 * other transport (`ext::`, `fd::`, `git://`, a remote helper) and an argument that git
 * would read as an option are refused.
 * @param {string} url
 * @param {string} what how the caller names it in errors (`--repo`, `remote origin`)
 * @returns {string} the URL
 * @throws {PipelineError} usage (exit code 2)
 */
export function checkRemoteUrl(url, what) {
  const s = String(url ?? '');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(s)?.[1]?.toLowerCase();
  const ok = scheme
    ? ['https', 'ssh', 'git+ssh', 'ssh+git', 'file'].includes(scheme) || isLoopbackHttp(s)
    : !s.startsWith('-') && !s.includes('::') && s !== '' && !/^[a-z][a-z0-9+.-]*::/i.test(s);
  if (!ok || /[\0\n\r]/.test(s)) {
    throw new PipelineError(
      `${what}: ${JSON.stringify(s)} is not an allowed remote: use https://, ssh://, user@host:path, file:// or a local path`,
      { code: 'usage', details: { exitCode: 2 } },
    );
  }
  return s;
}

/** Rejections that mean "the remote ref moved under us": fetch, re-apply, retry. */
export function isRemoteMoved(text) {
  return /fetch first|non-fast-forward|stale info|failed to update ref|cannot lock ref|incorrect old value|failed to lock|is at [0-9a-f]+ but expected|tip of your current branch is behind/i.test(
    text,
  );
}

function isUrlLike(s) {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(s) || /^[^/]+@[^:]+:/.test(s) || s.startsWith('/') || s.startsWith('.');
}

function isLocalPath(url) {
  return !/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !/^[^/]+@[^:]+:/.test(url);
}

function firstLine(s) {
  return String(s).trim().split('\n')[0] ?? '';
}

function indent(s) {
  return s
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}
