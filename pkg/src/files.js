/**
 * File I/O of the package: reading a file as exact text, writing it atomically, and the
 * `{ read, list }` file source the core uses to look at overlays.
 *
 * @module gitops-bump/files
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { GitopsBumpError } from './errors.js';

/**
 * Reads a file as UTF-8 text, refusing bytes that would not survive the round trip
 * (invalid UTF-8 would be rewritten as U+FFFD). A BOM is kept as `\uFEFF`.
 * @param {string} file path to read
 * @param {string} [display] the name to use in errors (default: `file`)
 * @returns {string}
 * @throws {GitopsBumpError} `not-found` when the file does not exist or is a directory
 */
export function readText(file, display = file) {
  let bytes;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    const code = /** @type {NodeJS.ErrnoException} */ (error).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a file' : String(/** @type {Error} */ (error).message);
    throw new GitopsBumpError(`${display}: ${reason}`, { kind: 'not-found', file: display, cause: error });
  }
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes)) {
    throw new GitopsBumpError(`${display}: not valid UTF-8; refusing to edit it`, { kind: 'yaml-syntax', file: display });
  }
  return text;
}

/**
 * Writes `text` to `file` atomically: a temporary file in the same directory (same file
 * system, so the rename is atomic), flushed, given the mode of the file it replaces, then
 * renamed over it. A symlink is followed, so the link stays a link. The temporary file
 * never outlives a failure.
 * @param {string} file
 * @param {string} text
 * @returns {void}
 */
export function writeAtomic(file, text) {
  let target = file;
  try {
    target = fs.realpathSync(file);
  } catch {
    // a new file: write it where it was asked for
  }
  let mode = 0o644;
  try {
    mode = fs.statSync(target).mode & 0o7777;
  } catch {
    // a new file: default mode
  }
  const dir = path.dirname(target);
  const temp = path.join(dir, `.${path.basename(target)}.gitops-bump-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  let fd;
  try {
    fd = fs.openSync(temp, 'wx', mode);
    fs.writeFileSync(fd, text, 'utf8');
    fs.fchmodSync(fd, mode); // the umask may have narrowed the mode given to open
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(temp, target);
  } catch (error) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw new GitopsBumpError(`${file}: cannot write: ${/** @type {Error} */ (error).message}`, {
      kind: 'io',
      file,
      cause: error,
    });
  }
}

/**
 * The file source the core's overlay functions read through (`overlayImages`,
 * `checkImage`, `scanImage`), over node:fs below `root`. Paths are `/`-separated and
 * relative to `root`. `pending` texts (file path relative to `root` → text) are served
 * instead of the disk contents, so a plan's later entries see its earlier edits.
 * @param {string} root directory the core's paths are relative to
 * @param {Map<string, string>} [pending] edited texts not written yet
 * @returns {import('./index.js').FileSource}
 */
export function nodeFileSource(root, pending = new Map()) {
  const resolve = (/** @type {string} */ p) => path.resolve(root, p);
  return {
    read(p) {
      const key = normalize(p);
      if (pending.has(key)) return /** @type {string} */ (pending.get(key));
      try {
        return fs.readFileSync(resolve(p), 'utf8');
      } catch {
        return null;
      }
    },
    list(p) {
      try {
        return fs.readdirSync(resolve(p)).sort();
      } catch {
        return null;
      }
    },
  };
}

/**
 * A path relative to some root in the `/`-separated, normalized form used as a key of
 * pending texts (`./a//b/../c.yaml` → `a/c.yaml`, `.` for the root itself).
 * @param {string} p
 * @returns {string}
 */
export function normalize(p) {
  return path.posix.normalize(p.split(path.sep).join('/')).replace(/\/$/, '') || '.';
}
