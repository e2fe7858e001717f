/**
 * What must not outlive the process: temporary files of atomic writes, file locks,
 * temporary clones and running git children. Whoever creates one registers it here and
 * forgets it once it is gone; {@link installSignalCleanup} (the CLI calls it) makes
 * SIGINT, SIGTERM and SIGHUP stop the children and remove the rest before the process
 * dies of that signal.
 *
 * @module gitops-bump/cleanup
 */
import fs from 'node:fs';

/** Paths (files or directories) to remove on a signal. */
const paths = new Set();
/** Child processes to stop on a signal. @type {Set<import('node:child_process').ChildProcess>} */
const children = new Set();

/**
 * Registers a path to remove if the process is interrupted.
 * @param {string} p a file or directory
 * @returns {() => void} forgets the path again (call it once the path is gone or kept)
 */
export function trackPath(p) {
  paths.add(p);
  return () => paths.delete(p);
}

/**
 * Registers a child process to stop if this process is interrupted. Children spawned
 * `detached` lead their own process group, which is stopped as a whole.
 * @param {import('node:child_process').ChildProcess} child
 * @returns {() => void} forgets the child again
 */
export function trackChild(child) {
  children.add(child);
  const forget = () => children.delete(child);
  child.once('exit', forget);
  return forget;
}

/**
 * Stops a child process and, when it leads a process group, the whole group (git's own
 * helpers such as `git-remote-https` and `index-pack`).
 * @param {import('node:child_process').ChildProcess} child
 * @param {NodeJS.Signals} [signal]
 */
export function stopChild(child, signal = 'SIGTERM') {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/**
 * Synchronously stops every tracked child and removes every tracked path. Safe to call
 * more than once.
 */
export function cleanupNow() {
  for (const child of children) stopChild(child, 'SIGKILL');
  children.clear();
  for (const p of [...paths].reverse()) {
    try {
      fs.rmSync(p, { recursive: true, force: true });
    } catch {
      // best effort: nothing better can be done while dying
    }
  }
  paths.clear();
}

const SIGNALS = /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP']);
let installed = false;

/**
 * Makes SIGINT, SIGTERM and SIGHUP clean up ({@link cleanupNow}) and then end the process
 * by the same signal, so the parent sees the usual "killed by signal" status. A write in
 * progress is synchronous and finishes first, so a file is either old or new.
 */
export function installSignalCleanup() {
  if (installed) return;
  installed = true;
  for (const signal of SIGNALS) {
    process.once(signal, () => {
      cleanupNow();
      for (const s of SIGNALS) process.removeAllListeners(s);
      process.kill(process.pid, signal);
    });
  }
}
