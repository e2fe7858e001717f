/**
 * File I/O of the package: reading a file as exact text (regular files only, with a size
 * limit), the containment policy (every target resolved to its real path and checked
 * against the allowed root before anything is written), writing atomically with the
 * mode, owner and group kept, and the `{ read, list }` file source the core uses to look
 * at overlays.
 *
 * @module gitops-bump/files
 */
import fs from 'node:fs';
import path from 'node:path';
import { AsyncLocalStorage } from 'node:async_hooks';
import { GitopsBumpError } from './errors.js';
import { trackPath } from './cleanup.js';

/** Files larger than this (bytes) are refused unless the caller raises the limit. */
export const DEFAULT_MAX_FILE_SIZE = 256 * 1024 * 1024;

/** The repository root every target must lie in, while a pipeline runs an apply. */
const repositoryRoot = new AsyncLocalStorage();
/**
 * A random suffix for a temporary file's name. It only has to make a clash between two
 * writers unlikely: the file is created with O_EXCL ('wx'), which never follows or reuses
 * a path that exists, so a guessed name cannot redirect a write. Not node:crypto: loading
 * it costs a plain edit about 10 ms of its start-up.
 * @returns {string} 8 hex digits
 */
const tempSuffix = () => Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, '0');

/**
 * Runs `fn` with `root` as the repository every file read or written must resolve into
 * (on top of any root the caller gives). runPipeline wraps every apply in it, so the
 * rule holds whatever apply function the caller passed.
 * @template T
 * @param {string} root real path of the repository's top level
 * @param {() => T} fn
 * @returns {T}
 */
export function withRepositoryRoot(root, fn) {
  return repositoryRoot.run(root, fn);
}

/**
 * The repository root of the running pipeline, or null outside one.
 * @returns {string | null}
 */
export function activeRepositoryRoot() {
  return repositoryRoot.getStore() ?? null;
}

/**
 * The roots a target must resolve into: `root` (when given) and the repository of a
 * running pipeline (when there is one).
 * @param {string | null | undefined} root
 * @returns {string[]}
 */
export function allowedRoots(root) {
  const roots = [];
  if (root) roots.push(realOrSelf(path.resolve(root)));
  const repo = repositoryRoot.getStore();
  if (repo) roots.push(repo);
  return roots;
}

/**
 * The real path of `p` (symlinks followed), or `p` itself when it does not exist.
 * @param {string} p absolute path
 * @returns {string}
 */
function realOrSelf(p) {
  try {
    return fs.realpathSync(p);
  } catch {
    // the nearest existing parent decides where a new file would land
    const parent = path.dirname(p);
    return parent === p ? p : path.join(realOrSelf(parent), path.basename(p));
  }
}

/**
 * True when `p` is `root` or below it (both real paths).
 * @param {string} p
 * @param {string} root
 * @returns {boolean}
 */
export function isInside(p, root) {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}

/**
 * Resolves a target to its real path (symlinks followed) and checks that it lies inside
 * every allowed root, before a single byte is read or written.
 * @param {string} abs absolute path as named
 * @param {string} display the name used in errors
 * @param {string[]} roots real paths of the allowed roots (none: anywhere)
 * @param {string} [hint] what to say about the rule (default: the plan or repository rule)
 * @returns {string} the real path
 * @throws {GitopsBumpError} `outside-root`
 */
export function containedPath(abs, display, roots, hint) {
  const real = realOrSelf(abs);
  for (const root of roots) {
    if (!isInside(real, root)) {
      const via = real === abs ? '' : ` (it resolves to ${real})`;
      const why = hint ?? (repositoryRoot.getStore() === root
        ? 'every file must lie inside the repository'
        : 'a plan may only name files under its own directory; pass --allow-outside-plan-dir (API: allowOutside: true) to allow more');
      throw new GitopsBumpError(`${display}: is outside ${root}${via}; refusing to read or write it\n  = help: ${why}`, {
        kind: 'outside-root',
        file: display,
        found: real,
        hint: why,
      });
    }
  }
  return real;
}

/**
 * Reads a regular file's bytes, refusing FIFOs, devices, sockets and directories (they
 * could block forever or never end) and files over `maxFileSize`.
 * @param {string} file path to read
 * @param {string} [display] the name to use in errors (default: `file`)
 * @param {{maxFileSize?: number}} [options]
 * @returns {Buffer}
 * @throws {GitopsBumpError} `not-found`, `io` (not a regular file), `too-large`
 */
export function readBytes(file, display = file, { maxFileSize = DEFAULT_MAX_FILE_SIZE } = {}) {
  let fd;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused just below
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | (fs.constants.O_NOCTTY ?? 0));
  } catch (error) {
    const code = /** @type {NodeJS.ErrnoException} */ (error).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a file' : String(/** @type {Error} */ (error).message);
    throw new GitopsBumpError(`${display}: ${reason}`, { kind: 'not-found', file: display, cause: error });
  }
  try {
    const stat = fs.fstatSync(fd);
    if (stat.isDirectory()) throw new GitopsBumpError(`${display}: is a directory, not a file`, { kind: 'not-found', file: display });
    if (!stat.isFile()) {
      throw new GitopsBumpError(`${display}: is ${kindOf(stat)}, not a regular file; refusing to read it`, { kind: 'io', file: display, found: kindOf(stat) });
    }
    if (stat.size > maxFileSize) throw tooLarge(display, stat.size, maxFileSize);
    const chunks = [];
    let total = 0;
    const buffer = Buffer.allocUnsafe(Math.min(Math.max(stat.size, 1), 1 << 20) + 1);
    for (;;) {
      const n = fs.readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      total += n;
      if (total > maxFileSize) throw tooLarge(display, total, maxFileSize); // it grew while read
      chunks.push(Buffer.from(buffer.subarray(0, n)));
    }
    return Buffer.concat(chunks, total);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * @param {string} display @param {number} size @param {number} max
 * @returns {GitopsBumpError}
 */
function tooLarge(display, size, max) {
  const hint = 'raise the limit with --max-file-size BYTES (API: maxFileSize)';
  return new GitopsBumpError(`${display}: is ${size} bytes, over the limit of ${max} bytes; refusing to read it\n  = help: ${hint}`, {
    kind: 'too-large',
    file: display,
    found: `${size} bytes`,
    hint,
  });
}

/**
 * A readable name for a file that is not regular.
 * @param {fs.Stats} stat
 * @returns {string}
 */
function kindOf(stat) {
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Decodes UTF-8 strictly: bytes that would not survive the round trip (invalid UTF-8
 * would be rewritten as U+FFFD) are refused. A BOM is kept as `\uFEFF`.
 * @param {Buffer} bytes
 * @param {string} display the name to use in errors
 * @returns {string}
 * @throws {GitopsBumpError} `yaml-syntax`
 */
export function decodeUtf8(bytes, display) {
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes)) {
    throw new GitopsBumpError(`${display}: not valid UTF-8; refusing to edit it`, { kind: 'yaml-syntax', file: display });
  }
  return text;
}

/**
 * Reads a regular file as UTF-8 text, strictly (see {@link readBytes}, {@link decodeUtf8}).
 * @param {string} file path to read
 * @param {string} [display] the name to use in errors (default: `file`)
 * @param {{maxFileSize?: number}} [options]
 * @returns {string}
 * @throws {GitopsBumpError} `not-found`, `io`, `too-large`, `yaml-syntax`
 */
export function readText(file, display = file, options = {}) {
  return decodeUtf8(readBytes(file, display, options), display);
}

/**
 * Writes `text` to `file` atomically: a temporary file in the same directory (same file
 * system, so the rename is atomic), flushed, given the mode, owner and group of the file
 * it replaces (owner and group when the process may set them), then renamed over it. A
 * symlink is followed, so the link stays a link; a hard link is replaced by a new file
 * (its other names keep the old text). The temporary file never outlives a failure or a
 * signal. Inside a running pipeline the real target must lie in the repository.
 * @param {string} file
 * @param {string} text
 * @returns {void}
 * @throws {GitopsBumpError} `io`, `outside-root`
 */
export function writeAtomic(file, text) {
  const target = containedPath(path.resolve(file), file, allowedRoots(null));
  /** @type {fs.Stats | undefined} */
  let stat;
  try {
    stat = fs.statSync(target);
  } catch {
    // a new file: default mode, the process's owner
  }
  const mode = stat ? stat.mode & 0o7777 : 0o644;
  const dir = path.dirname(target);
  const temp = path.join(dir, `.${path.basename(target)}.gitops-bump-${process.pid}-${tempSuffix()}.tmp`);
  const forget = trackPath(temp);
  let fd;
  try {
    fd = fs.openSync(temp, 'wx', mode & 0o777);
    fs.writeFileSync(fd, text, 'utf8');
    if (stat) keepOwner(fd, stat);
    fs.fchmodSync(fd, mode); // the umask may have narrowed the mode given to open; chown clears setuid
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
  } finally {
    forget();
  }
}

/**
 * Gives the temporary file the owner and group of the file it replaces, when the process
 * may (root may; others only their own uid and one of their groups).
 * @param {number} fd
 * @param {fs.Stats} stat
 */
function keepOwner(fd, stat) {
  const uid = process.geteuid?.();
  const gid = process.getegid?.();
  if (stat.uid === uid && stat.gid === gid) return;
  try {
    fs.fchownSync(fd, stat.uid, stat.gid);
  } catch {
    try {
      fs.fchownSync(fd, -1, stat.gid); // at least the group, when we are a member of it
    } catch {
      // not permitted: the new file belongs to this process's user (docs/SECURITY.md)
    }
  }
}

/**
 * The file source the core's overlay functions read through (`overlayImages`,
 * `checkImage`, `scanImage`), over node:fs below `root`. Paths are `/`-separated and
 * relative to `root`. `pending` texts (file path relative to `root`, or real absolute
 * path → text) are served instead of the disk contents, so a plan's later entries see
 * its earlier edits. Nothing outside `root` (after following symlinks) is read or
 * listed; listings leave out directory symlinks (so a scan visits each real file once
 * and never loops), `.git` and `node_modules`; only regular files up to `maxFileSize`
 * are read. What was refused is recorded in `refused`, so a caller can name the real
 * cause when the core reports a missing file.
 * @param {string} root directory the core's paths are relative to
 * @param {Map<string, string>} [pending] edited texts not written yet
 * With `remoteBases` (pkg/src/remote-bases.js), the fetched copies of remote bases are
 * served under their virtual paths (`:remote/<n>/…`, never read from disk) and the core's
 * `remote(url)` hook says where each one is, or why it was not fetched.
 * `ownRoot` confines reads to `root` alone, not to a running pipeline's repository too (a
 * fetched copy lies outside it).
 * @param {{maxFileSize?: number, remoteBases?: import('./remote-bases.js').RemoteBases, ownRoot?: boolean}} [options]
 * @returns {import('./index.js').FileSource & {refused: GitopsBumpError[]}}
 */
export function nodeFileSource(root, pending = new Map(), options = {}) {
  const remotes = options.remoteBases;
  if (remotes) {
    const local = nodeFileSource(root, pending, { maxFileSize: options.maxFileSize });
    return {
      refused: local.refused,
      read: (p) => (remotes.owns(normalize(p)) ? remotes.read(normalize(p)) : local.read(p)),
      list: (p) => (remotes.owns(normalize(p)) ? remotes.list(normalize(p)) : local.list(p)),
      remote: (url) => remotes.remote(url),
    };
  }
  const realRoot = realOrSelf(path.resolve(root));
  /** @type {GitopsBumpError[]} */
  const refused = [];
  /** @param {string} p @returns {string | null} the real path, when inside root */
  const inside = (p) => {
    try {
      return containedPath(path.resolve(root, p), normalize(p), options.ownRoot ? [realRoot] : [realRoot, ...allowedRoots(null)], 'overlays and scans only read files inside the directory they start from; a symlink leaving it is not followed');
    } catch (error) {
      refused.push(/** @type {GitopsBumpError} */ (error));
      return null;
    }
  };
  return {
    refused,
    read(p) {
      const key = normalize(p);
      if (pending.has(key)) return /** @type {string} */ (pending.get(key));
      const real = inside(p);
      if (real === null) return null;
      if (pending.has(real)) return /** @type {string} */ (pending.get(real));
      try {
        return readText(real, key, options);
      } catch (error) {
        if (/** @type {GitopsBumpError} */ (error).kind !== 'not-found') refused.push(/** @type {GitopsBumpError} */ (error));
        return null;
      }
    },
    list(p) {
      const real = inside(p);
      if (real === null) return null;
      try {
        return fs
          .readdirSync(real, { withFileTypes: true })
          .filter((d) => d.name !== '.git' && d.name !== 'node_modules' && !(d.isSymbolicLink() && isDirectory(path.join(real, d.name))))
          .map((d) => d.name)
          .sort();
      } catch {
        return null;
      }
    },
  };
}

/**
 * @param {string} p
 * @returns {boolean} whether `p` (symlinks followed) is a directory
 */
function isDirectory(p) {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
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
