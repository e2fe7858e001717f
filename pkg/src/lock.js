/**
 * Per-file locks between local gitops-bump processes, so two runs editing the same file
 * at once cannot lose one of the updates. The lock of `dir/name` is the file
 * `dir/.name.gitops-bump.lock`, created exclusively and holding the owner's pid; a lock
 * whose owner is gone is taken over. Locks are registered with the cleanup module, so a
 * signal removes them too.
 *
 * @module gitops-bump/lock
 */
import fs from 'node:fs';
import path from 'node:path';
import { GitopsBumpError } from './errors.js';
import { trackPath } from './cleanup.js';

/** How long to wait for another process's lock before giving up (GITOPS_BUMP_LOCK_TIMEOUT, seconds, overrides). */
export const LOCK_TIMEOUT_MS = 60_000;

/** @returns {number} the lock timeout in milliseconds */
function lockTimeoutMs() {
  const s = Number(process.env.GITOPS_BUMP_LOCK_TIMEOUT);
  return Number.isFinite(s) && s > 0 ? s * 1000 : LOCK_TIMEOUT_MS;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * The lock file of a (real) file path.
 * @param {string} file
 * @returns {string}
 */
export function lockPath(file) {
  return path.join(path.dirname(file), `.${path.basename(file)}.gitops-bump.lock`);
}

/**
 * True when the process `pid` is alive (or cannot be told apart from alive).
 * @param {number} pid
 * @returns {boolean}
 */
function alive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return /** @type {NodeJS.ErrnoException} */ (error).code === 'EPERM';
  }
}

/**
 * Takes the lock of one file, waiting (with growing pauses) while another live process
 * holds it.
 * @param {string} file real path of the file to lock
 * @param {{timeoutMs?: number}} [options]
 * @returns {() => void} releases the lock
 * @throws {GitopsBumpError} `io` when the lock cannot be taken in time
 */
export function lockFile(file, { timeoutMs = lockTimeoutMs() } = {}) {
  const lock = lockPath(file);
  const deadline = Date.now() + timeoutMs;
  for (let pause = 2; ; pause = Math.min(pause * 2, 100)) {
    try {
      const fd = fs.openSync(lock, 'wx', 0o600);
      const forget = trackPath(lock);
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      return () => {
        forget();
        fs.rmSync(lock, { force: true });
      };
    } catch (error) {
      const code = /** @type {NodeJS.ErrnoException} */ (error).code;
      if (code !== 'EEXIST') {
        throw new GitopsBumpError(`${file}: cannot lock it for writing: ${/** @type {Error} */ (error).message}`, { kind: 'io', file, cause: error });
      }
    }
    const owner = readOwner(lock);
    if (owner === null ? olderThan(lock, 10_000) : !alive(owner)) {
      // the owner died without removing its lock: take it over (one process wins the rename)
      const stale = `${lock}.${process.pid}.stale`;
      try {
        fs.renameSync(lock, stale);
        fs.rmSync(stale, { force: true });
      } catch {
        // another process took it over first
      }
      continue;
    }
    if (Date.now() > deadline) {
      throw new GitopsBumpError(
        `${file}: another process (pid ${owner ?? 'unknown'}) has held ${path.basename(lock)} for over ${Math.round(timeoutMs / 1000)} s; if no gitops-bump is running, remove that file`,
        { kind: 'io', file },
      );
    }
    Atomics.wait(sleeper, 0, 0, pause + Math.floor(Math.random() * pause));
  }
}

/**
 * True when `p` was last modified more than `ms` ago (an empty lock whose writer died
 * before writing its pid).
 * @param {string} p
 * @param {number} ms
 * @returns {boolean}
 */
function olderThan(p, ms) {
  try {
    return Date.now() - fs.statSync(p).mtimeMs > ms;
  } catch {
    return false;
  }
}

/**
 * The pid written in a lock file, or null when it cannot be read (yet).
 * @param {string} lock
 * @returns {number | null}
 */
function readOwner(lock) {
  try {
    const text = fs.readFileSync(lock, 'utf8');
    return text === '' ? null : Number(text);
  } catch {
    return null;
  }
}

/**
 * Takes the locks of several files (in one sorted order, so two processes never wait for
 * each other), or none.
 * @param {string[]} files real paths
 * @returns {() => void} releases them all
 */
export function lockFiles(files) {
  /** @type {(() => void)[]} */
  const held = [];
  const releaseAll = () => {
    for (const release of held.splice(0).reverse()) release();
  };
  try {
    for (const file of [...new Set(files)].sort()) held.push(lockFile(file));
  } catch (error) {
    releaseAll();
    throw error;
  }
  return releaseAll;
}
