// The page's small repository: a few files by `/`-separated path, and the file source the
// core reads an overlay through (the same `{read, list}` interface the CLI gives it over
// the disk). No logic about YAML or kustomize lives here.

/** `a//b/./c.yaml` → `a/b/c.yaml`; null for an empty path or one that climbs out (`..`). */
export function normalizePath(path) {
  const parts = [];
  for (const part of String(path).trim().split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return null;
      parts.pop();
    } else {
      parts.push(part);
    }
  }
  return parts.length ? parts.join('/') : null;
}

/** Files by path, in the order they were added. */
export class Repo {
  /** @param {Record<string, string>} [files] */
  constructor(files = {}) {
    /** @type {Map<string, string>} */
    this.files = new Map();
    for (const [path, text] of Object.entries(files)) this.write(path, text);
  }

  /** The paths, sorted as a file tree lists them. */
  paths() {
    return [...this.files.keys()].sort();
  }

  /** @param {string} path */
  has(path) {
    return this.files.has(normalizePath(path) ?? '');
  }

  /** @param {string} path @returns {string | null} */
  read(path) {
    return this.files.get(normalizePath(path) ?? '') ?? null;
  }

  /** @param {string} path @param {string} text */
  write(path, text) {
    const p = normalizePath(path);
    if (p === null) throw new Error(`not a file path: \`${path}\``);
    this.files.set(p, text);
    return p;
  }

  /** @param {string} path */
  remove(path) {
    this.files.delete(normalizePath(path) ?? '');
  }

  /** Moves a file; false when `to` is not a path or names another file. */
  rename(from, to) {
    const a = normalizePath(from);
    const b = normalizePath(to);
    if (a === null || b === null || !this.files.has(a)) return false;
    if (a === b) return true;
    if (this.files.has(b) || this.isDir(b)) return false;
    // Keep the insertion order: rebuild the map with the new key in the old place.
    this.files = new Map([...this.files].map(([p, t]) => [p === a ? b : p, t]));
    return true;
  }

  /** @param {string} dir */
  isDir(dir) {
    const d = dir === '.' || dir === '' ? '' : normalizePath(dir);
    if (d === null) return false;
    if (d === '') return true;
    return [...this.files.keys()].some((p) => p.startsWith(`${d}/`));
  }

  /** Entry names directly inside `dir`, or null when it is not a directory. */
  list(dir) {
    if (!this.isDir(dir)) return null;
    const d = dir === '.' || dir === '' ? '' : normalizePath(dir);
    const prefix = d ? `${d}/` : '';
    const names = new Set();
    for (const p of this.files.keys()) {
      if (p.startsWith(prefix)) names.add(p.slice(prefix.length).split('/')[0]);
    }
    return [...names].sort();
  }

  /** The `{read, list}` file source the core's overlay functions take. */
  fileSource() {
    return { read: (p) => this.read(p), list: (p) => this.list(p) };
  }

  /** A plain object copy: path → text. */
  toObject() {
    return Object.fromEntries(this.files);
  }

  /** Whether this repository holds exactly `files`. */
  equals(files) {
    const entries = Object.entries(files);
    return entries.length === this.files.size && entries.every(([p, t]) => this.files.get(p) === t);
  }
}
