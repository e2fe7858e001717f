// GitCommandManager: the one way this package runs git.
//
// Every call is an argument array given to child_process.spawn (never a shell string);
// the child runs with GIT_TERMINAL_PROMPT=0 and an empty GIT_ASKPASS so it can never wait
// for a password; the token (if any) reaches it only through GIT_CONFIG_* variables built
// by Auth; every message that leaves this module is passed through auth.mask().

import { spawn } from 'node:child_process';
import { GitError } from './errors.js';
import { createAuth } from './auth.js';

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
   */
  constructor({ cwd, auth = createAuth(), remoteUrl = null, env = process.env, log, gitPath = 'git' }) {
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
      });
      const out = [];
      const err = [];
      child.stdout.on('data', (d) => out.push(d));
      child.stderr.on('data', (d) => err.push(d));
      child.on('error', (e) => {
        reject(new GitError(this.auth.mask(`cannot run git ${shown}: ${e.message}`), { args }));
      });
      child.on('close', (code, signal) => {
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

  async topLevel() {
    return this.output(['rev-parse', '--show-toplevel']);
  }

  /** Current branch name, or null when HEAD is detached. */
  async currentBranch() {
    const r = await this.exec(['symbolic-ref', '--quiet', '--short', 'HEAD'], { allowFailure: true });
    return r.exitCode === 0 ? r.stdout.trim() : null;
  }

  async remoteUrlOf(remote) {
    if (isUrlLike(remote)) return remote;
    const r = await this.exec(['remote', 'get-url', '--push', '--', remote], { allowFailure: true });
    return r.exitCode === 0 ? r.stdout.trim() : null;
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
