/**
 * The root the overlay check reads below. An overlay names its bases with relative paths
 * (`../../base`) that leave the directory a command runs in, so the root cannot be the
 * working directory: it is the top level of the git checkout holding the target, or, with
 * no git, the filesystem root. The same overlay then checks the same way from the
 * repository's top, from inside the overlay, and by absolute path from anywhere.
 *
 * @module gitops-bump/root
 */
import fs from 'node:fs';
import path from 'node:path';

/**
 * The directory the overlay check for `target` reads below: the nearest directory at or
 * above it that holds `.git` (a directory, or the file of a worktree or submodule), else
 * the filesystem root. Found by looking, not by running git, so it costs a few `stat`s.
 * @param {string} target an absolute path (a directory or a file)
 * @returns {string} an absolute path
 */
export function overlayRoot(target) {
  let dir = path.resolve(target);
  if (!isDirectory(dir)) dir = path.dirname(dir);
  for (;;) {
    if (fs.existsSync(path.join(dir, '.git'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return dir;
    dir = parent;
  }
}

/**
 * @param {string} p
 * @returns {boolean}
 */
function isDirectory(p) {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
