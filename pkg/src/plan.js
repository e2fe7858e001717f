/**
 * Edit plans: parsing (YAML or JSON), validation with errors that name the entry and
 * field, and all-or-nothing application to files (every new text is computed before
 * anything is written).
 *
 * Plan format (see docs/contract.md):
 *
 * ```yaml
 * edits:
 *   - file: overlays/prod/kustomization.yaml
 *     image: api=ghcr.io/acme/api:1.2.3
 *   - file: charts/api/values.yaml
 *     set: image.tag
 *     value: "1.10"
 *   - file: old.yaml
 *     remove: metadata.annotations.stale
 *   - scan: .
 *     image: ghcr.io/acme/api:1.2.3
 * ```
 *
 * @module gitops-bump/plan
 */
import fs from 'node:fs';
import path from 'node:path';
import * as core from './core.js';
import { GitopsBumpError, usageError } from './errors.js';
import { activeRepositoryRoot, allowedRoots, containedPath, nodeFileSource, normalize, readText, writeAtomic } from './files.js';
import { lineMap } from './diff.js';
import { lockFiles } from './lock.js';
import { maskUrlCredentials } from './remote-bases.js';
import { overlayRoot } from './root.js';
import { computePromotion, context } from './promote.js';
import { yaml } from './yaml-package.js';
import { ENTRY_FIELDS, entrySettings } from './registry/settings.js';
import { inputWord } from './hints.js';

/** Value types the core understands. */
export const VALUE_TYPES = Object.freeze(['string', 'int', 'float', 'bool', 'null', 'yaml']);

/** Fields allowed per kind of plan entry (anything else is a typo and an error). */
const ALLOWED = {
  set: ['file', 'set', 'value', 'type', 'create', 'all', 'select'],
  remove: ['file', 'remove', 'all', 'select'],
  image: ['file', 'image', 'target', 'force', ...ENTRY_FIELDS],
  scan: ['scan', 'image', ...ENTRY_FIELDS],
  promote: ['promote', 'from', 'images'],
};
const IMAGE_TARGETS = ['auto', 'kustomization', 'argocd', 'argocd-source', 'flux'];

/**
 * @typedef {{op: 'set', file: string, path: string, value: string, type: string, create: boolean, all: boolean, select?: string}
 *   | {op: 'remove', file: string, path: string, all: boolean, select?: string}
 *   | {op: 'image', file: string, spec: string, target?: string, force: boolean, registry?: import('./registry/settings.js').RegistrySettings}
 *   | {op: 'scan', dir: string, spec: string, registry?: import('./registry/settings.js').RegistrySettings}
 *   | {op: 'promote', from: string, to: string, images: string[]}
 *   | {op: 'edits', file: string, edits: object[]}} Entry
 */

/**
 * Parses the text of a plan file. JSON when it looks like JSON (or `format` says so),
 * else YAML read with the failsafe schema: every scalar is a string, so `value: 1.10`
 * means the string `1.10`, never the number 1.1.
 * @param {string} text
 * @param {{format?: 'yaml'|'json', file?: string}} [options]
 * @returns {unknown} the raw plan (validate it with {@link validatePlan})
 * @throws {GitopsBumpError} `usage` when the text does not parse
 */
export function parsePlan(text, options = {}) {
  const name = options.file ?? 'plan';
  const format = options.format ?? (/^\s*[[{]/.test(text) ? 'json' : 'yaml');
  const YAML = format === 'json' ? null : yaml(); // a missing package is not a bad plan
  try {
    if (!YAML) return JSON.parse(text);
    const doc = YAML.parseDocument(text, { schema: 'failsafe', uniqueKeys: true });
    if (doc.errors.length > 0) throw doc.errors[0];
    return doc.toJS();
  } catch (error) {
    throw usageError(`${name}: not a valid ${format === 'json' ? 'JSON' : 'YAML'} plan: ${/** @type {Error} */ (error).message}`, {
      file: name,
      cause: error,
    });
  }
}

/**
 * Reads and parses a plan file (`.json` is JSON, anything else YAML).
 * @param {string} file
 * @param {{maxFileSize?: number}} [options]
 * @returns {unknown}
 */
export function loadPlan(file, options = {}) {
  const text = readText(file, file, options);
  return parsePlan(text, { file, format: file.endsWith('.json') ? 'json' : undefined });
}

/**
 * Checks a raw plan (`{edits: [...]}` or a bare list) and returns its entries in
 * normalized form. Errors name the entry index and the field: `edits[2].value: ...`.
 * @param {unknown} plan
 * @returns {Entry[]}
 * @throws {GitopsBumpError} `usage`
 */
export function validatePlan(plan) {
  let list = plan;
  if (plan && typeof plan === 'object' && !Array.isArray(plan)) {
    const extra = Object.keys(plan).filter((k) => k !== 'edits');
    if (extra.length > 0) throw usageError(`plan: unknown top-level field \`${extra[0]}\` (expected \`edits\`)`);
    list = /** @type {any} */ (plan).edits;
  }
  if (!Array.isArray(list)) throw usageError('plan: expected a list of edits, or a mapping with an `edits` list');
  if (list.length === 0) throw usageError('plan: `edits` is empty; give at least one edit');
  const entries = list.map((raw, index) => validateEntry(raw, index));
  // the same image twice for one target: kustomize keeps only the last spec for an image,
  // while applying both in turn would not
  /** @type {Map<string, number[]>} */
  const byTarget = new Map();
  entries.forEach((e, i) => {
    if (e.op !== 'image' && e.op !== 'scan') return;
    const key = `${e.op}\0${e.op === 'image' ? e.file : e.dir}`;
    byTarget.set(key, [...(byTarget.get(key) ?? []), i]);
  });
  for (const indexes of byTarget.values()) {
    const twice = repeatedImage(indexes.map((i) => /** @type {{spec: string}} */ (entries[i]).spec));
    if (!twice) continue;
    const [first, second] = [indexes[twice.first], indexes[twice.second]];
    const e = /** @type {{op: string, file?: string, dir?: string, spec: string}} */ (entries[second]);
    const f = /** @type {{spec: string}} */ (entries[first]);
    throw usageError(`plan: edits[${second}].image: the image \`${twice.name}\` is given twice for \`${e.file ?? e.dir}\`: \`${f.spec}\` (edits[${first}]) and \`${e.spec}\`; give each image once (kustomize keeps only the last spec for an image)`, {
      segment: `edits[${second}].image`,
      hint: 'give each image once; kustomize keeps only the last spec for an image',
    });
  }
  return entries;
}

/**
 * The plan entries a front end's edit inputs make (the Action's `images`, `targets`, `scan`
 * and `check-overlay`; the orb's parameters, through the flags of `apply`): every image in
 * every target (default `.`), scanned or checked against the overlay unless `force`; and one
 * value set (`file` + `path` + `value`).
 * @param {{images?: string[], targets?: string[], scan?: boolean, force?: boolean,
 *   set?: {file?: string, path?: string, value?: string, type?: string, create?: boolean, all?: boolean, select?: string}}} inputs
 * @param {'cli'|'action'|'orb'} [frontEnd] whose words the errors use
 * @returns {object[]} raw plan entries, for {@link validatePlan}
 * @throws {GitopsBumpError} `usage`: targets without images, a `file` without a `path` or the reverse
 */
export function inputEntries({ images = [], targets = [], scan = false, force = false, set = {} }, frontEnd = 'cli') {
  const w = (/** @type {keyof typeof import('./hints.js').INPUT_WORDS} */ id) => inputWord(id, frontEnd);
  if (images.length === 0 && targets.length > 0 && targets.join(' ') !== '.') {
    throw usageError(`targets were given (${w('targets')}) but no images: set ${w('images')} (e.g. quay.io/acme/api:1.4.2)`);
  }
  const edits = (targets.length ? targets : ['.']).flatMap((target) => images.map((image) => (scan ? { scan: target, image } : { file: target, image, force })));
  const { file = '', path: keyPath = '' } = set;
  if (file || keyPath) {
    if (!file) throw usageError(`${w('path')} needs ${w('file')}: the YAML file in which to set it`);
    if (!keyPath) throw usageError(`${w('file')} needs ${w('path')}: the key path of the value to set, e.g. image.tag`);
    /** @type {Record<string, unknown>} */
    const edit = { file, set: keyPath, value: set.value ?? '', create: Boolean(set.create), all: Boolean(set.all) };
    // auto is the CLI's own default: no type in the plan
    if (set.type && set.type !== 'auto') edit.type = set.type;
    if (set.select) edit.select = set.select;
    edits.push(edit);
  }
  return edits;
}

/**
 * The first image named twice among `specs` (kustomize's image name, so `api:1` and
 * `api=mirror/api:2` are the same image), as `{name, first, second}` indexes; null when
 * every image is named once. A spec that does not parse is left for its edit to report.
 * @param {string[]} specs
 * @returns {{name: string, first: number, second: number} | null}
 */
export function repeatedImage(specs) {
  /** @type {Map<string, number>} */
  const seen = new Map();
  for (const [i, spec] of specs.entries()) {
    let name;
    try {
      name = /** @type {{name: string}} */ (core.parseImageSpec(spec)).name;
    } catch {
      continue;
    }
    const first = seen.get(name);
    if (first !== undefined) return { name, first, second: i };
    seen.set(name, i);
  }
  return null;
}

/**
 * @param {unknown} raw
 * @param {number} index
 * @returns {Entry}
 */
function validateEntry(raw, index) {
  const where = `edits[${index}]`;
  const fail = (/** @type {string} */ field, /** @type {string} */ message) =>
    usageError(`plan: ${where}${field ? `.${field}` : ''}: ${message}`, { segment: field ? `${where}.${field}` : where });
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw fail('', 'expected a mapping such as `{file: values.yaml, set: image.tag, value: "1.2.3"}`');
  }
  const entry = /** @type {Record<string, unknown>} */ (raw);
  const kinds = ['set', 'remove', 'scan', 'promote'].filter((k) => k in entry);
  if (kinds.length === 0 && 'image' in entry) kinds.push('image');
  if (kinds.length !== 1) {
    throw fail('', kinds.length === 0
      ? 'says nothing to do: give one of `set`, `remove`, `image` (with `file`), `scan` (with `image`) or `promote` (with `from`)'
      : `gives both \`${kinds[0]}\` and \`${kinds[1]}\`; one edit per entry`);
  }
  const kind = /** @type {keyof typeof ALLOWED} */ (kinds[0]);
  for (const key of Object.keys(entry)) {
    if (!ALLOWED[kind].includes(key)) {
      throw fail(key, `unknown field for a \`${kind}\` entry (allowed: ${ALLOWED[kind].join(', ')})`);
    }
  }
  const str = (/** @type {string} */ field, required = true) => {
    const v = entry[field];
    if (v === undefined || v === null) {
      if (required) throw fail(field, 'is required');
      return undefined;
    }
    if (typeof v !== 'string' || v === '') throw fail(field, `expected a non-empty string, got ${JSON.stringify(v)}`);
    return v;
  };
  const bool = (/** @type {string} */ field) => {
    const v = entry[field];
    if (v === undefined || v === null || v === false || v === 'false') return false;
    if (v === true || v === 'true') return true;
    throw fail(field, `expected true or false, got ${JSON.stringify(v)}`);
  };
  switch (kind) {
    case 'set': {
      const { value, type } = normalizeValue(entry.value, entry.type, (m) => fail(m.field, m.message));
      return { op: 'set', file: /** @type {string} */ (str('file')), path: /** @type {string} */ (str('set')), value, type, create: bool('create'), all: bool('all'), select: str('select', false) };
    }
    case 'remove':
      return { op: 'remove', file: /** @type {string} */ (str('file')), path: /** @type {string} */ (str('remove')), all: bool('all'), select: str('select', false) };
    case 'image': {
      const target = str('target', false);
      if (target !== undefined && !IMAGE_TARGETS.includes(target)) throw fail('target', `expected one of ${IMAGE_TARGETS.join(', ')}`);
      return { op: 'image', file: /** @type {string} */ (str('file')), spec: /** @type {string} */ (str('image')), target, force: bool('force'), ...registryOf(entry, fail) };
    }
    case 'promote': {
      const images = entry.images ?? [];
      if (!Array.isArray(images) || images.some((i) => typeof i !== 'string' || i === '')) {
        throw fail('images', `expected a list of image names, got ${JSON.stringify(images)}`);
      }
      return { op: 'promote', to: /** @type {string} */ (str('promote')), from: /** @type {string} */ (str('from')), images };
    }
    default:
      return { op: 'scan', dir: /** @type {string} */ (str('scan')), spec: /** @type {string} */ (str('image')), ...registryOf(entry, fail) };
  }
}

/**
 * The registry checks an image entry asks for (`verify`, `pin-digest`,
 * `require-platforms`, `require-signature`; see registry/verify.js), when it asks for any.
 * @param {Record<string, unknown>} entry
 * @param {(field: string, message: string) => Error} fail
 * @returns {{registry?: import('./registry/settings.js').RegistrySettings}}
 */
function registryOf(entry, fail) {
  const settings = entrySettings(entry, fail);
  return Object.keys(settings).length > 0 ? { registry: settings } : {};
}

/**
 * Turns a value given as JS data into the `(value, type)` pair the core takes. Strings
 * get type `auto` unless `type` says otherwise (a string, except that `5` replacing a plain
 * int stays an int, and `true`/`false` replacing a bool stays a bool); without an explicit type a
 * number becomes `int`/`float`, a boolean `bool`, `null` `null`.
 * @param {unknown} value
 * @param {unknown} type
 * @param {(problem: {field: string, message: string}) => Error} [fail] builds the error to throw
 * @returns {{value: string, type: string}}
 */
export function normalizeValue(value, type, fail = ({ field, message }) => usageError(`${field}: ${message}`)) {
  if (type !== undefined && type !== null && !(typeof type === 'string' && VALUE_TYPES.includes(type))) {
    throw fail({ field: 'type', message: `expected one of ${VALUE_TYPES.join(', ')}, got ${JSON.stringify(type)}` });
  }
  const given = /** @type {string | undefined} */ (type ?? undefined);
  if (value === undefined) {
    if (given === 'null') return { value: 'null', type: 'null' };
    throw fail({ field: 'value', message: 'is required' });
  }
  if (value === null) return { value: 'null', type: given ?? 'null' };
  // No type: `auto` lets a plain int or bool given its own kind of canonical text keep its type.
  if (typeof value === 'string') return { value, type: given ?? 'auto' };
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw fail({ field: 'value', message: `not a finite number: ${value}` });
    return { value: String(value), type: given ?? (Number.isInteger(value) ? 'int' : 'float') };
  }
  if (typeof value === 'boolean') return { value: String(value), type: given ?? 'bool' };
  throw fail({ field: 'value', message: `expected a scalar (string, number, boolean or null), got ${Array.isArray(value) ? 'a list' : 'a mapping'}; use type: yaml with a YAML string for structure` });
}

/**
 * @typedef {object} FileOutcome
 * @property {string} file the file as named in the plan (or as the core named it, for `scan`)
 * @property {string} before its text before the plan
 * @property {string} after its text after the plan
 * @property {object[]} changes the core's changes, in plan order
 * @property {Unchecked[]} unchecked why the overlay check could not decide an image edit of this file
 */

/**
 * What the overlay check did not follow for one `image` entry (the core's words), and why
 * the image could still be rendered from it: reported by every front end, never silent.
 * @typedef {object} Unchecked
 * @property {string} spec the image spec of the entry
 * @property {string} file the file that lists it, relative to the plan's directory
 * @property {string} what what was not followed (a URL, a key, a patch's path, a target kind)
 * @property {string} reason why, and how the image could still come from it
 */

/**
 * @typedef {object} ApplyOptions
 * @property {string} cwd directory the plan's paths are relative to
 * @property {boolean} [dryRun] compute and report, write nothing
 * @property {string | null} [root] every target must resolve (symlinks followed) inside
 *   this directory; null: anywhere (on top of this, a running pipeline's repository)
 * @property {number} [maxFileSize] bytes; larger files are refused
 * @property {import('./remote-bases.js').RemoteBases} [remoteBases] fetched remote bases the
 *   overlay check follows (see {@link applyPlanFetching}); without it they are unchecked
 */

/** Real path of each outcome, for writing (kept off the reported records). */
const realPaths = new WeakMap();

/**
 * Computes the outcome of every entry, without writing. Every target is resolved to its
 * real path and checked against the allowed roots first; files are keyed by real path,
 * so a plan naming a file twice (for instance through a symlink and directly) edits it
 * in plan order. The overlay checks and scans of later entries see the earlier entries'
 * edits.
 * @param {Entry[]} entries
 * @param {string} cwd
 * @param {Omit<ApplyOptions, 'cwd' | 'dryRun'>} [options]
 * @returns {{outcomes: FileOutcome[], promotions: PromotionTable[]}} one record per file
 *   touched, in first-touched order; the before/after table of each promotion, computed here
 */
export function computeEntries(entries, cwd, options = {}) {
  const roots = allowedRoots(options.root);
  const limits = { maxFileSize: options.maxFileSize };
  /** @type {Map<string, FileOutcome>} real path -> outcome */
  const files = new Map();
  /** @type {Map<string, string>} real path -> pending text, for the core's file source */
  const pending = new Map();
  const source = nodeFileSource(cwd, pending, limits);
  const rel = (/** @type {string} */ abs) => normalize(path.relative(cwd, abs));
  /** @type {PromotionTable[]} */
  const promotions = [];

  /** @param {string} named path as named (relative to cwd) @param {string} display @returns {[string, FileOutcome]} */
  const current = (named, display) => {
    const real = containedPath(path.resolve(cwd, named), display, roots);
    let record = files.get(real);
    if (!record) {
      const before = readText(real, display, limits);
      record = { file: display, before, after: before, changes: [], unchecked: [] };
      files.set(real, record);
      realPaths.set(record, real);
    }
    return [real, record];
  };
  /** @param {string} real @param {FileOutcome} record @param {{text: string, changes: object[]}} result */
  const update = (real, record, result) => {
    // what earlier entries reported moves with the lines this one adds or removes above it
    // (a first entry has nothing to move: no diff, which costs a one-edit run ~2 ms of CPU)
    if (record.changes.some((c) => typeof c.line === 'number')) {
      const moved = lineMap(record.after, result.text);
      record.changes = record.changes.map((c) => (typeof c.line === 'number' ? { ...c, line: moved(c.line) } : c));
    }
    record.after = result.text;
    record.changes.push(...result.changes);
    pending.set(real, result.text);
  };
  /** Calls the core; a missing file it reports may really be one the file source refused. */
  const viaSource = (/** @type {() => any} */ fn) => {
    source.refused.length = 0;
    try {
      return fn();
    } catch (error) {
      throw source.refused[0] ?? error;
    }
  };

  for (const entry of entries) {
    if (entry.op === 'promote') {
      // TO's own files, recomputed from FROM as the files are now (a re-applied plan
      // promotes what FROM runs on the fresh head)
      const promotion = computePromotion(entry.from, entry.to, entry.images, context(cwd, cwd, pending));
      promotions.push({ from: promotion.from, to: promotion.to, rows: promotion.rows });
      for (const f of promotion.files) {
        const [real, record] = current(f.file, f.file);
        update(real, record, f);
      }
      continue;
    }
    if (entry.op === 'scan') {
      const dir = rel(path.resolve(cwd, entry.dir));
      if (fs.statSync(path.resolve(cwd, entry.dir), { throwIfNoEntry: false })?.isFile()) throw scanOfAFile(dir);
      const result = viaSource(() => core.scanImage(dir, entry.spec, source));
      const seen = new Set();
      for (const f of result.files) {
        const [real, record] = current(f.file, f.file);
        if (seen.has(real)) continue; // the same real file under a second name
        seen.add(real);
        update(real, record, f);
      }
      continue;
    }
    if (entry.op === 'image') {
      // the core resolves a directory to its kustomization and runs the overlay check
      // (unless force) through a file source over the same pending texts, so it sees
      // earlier entries' edits; it reads below the target's repository (root.js), as
      // `../../base` leaves cwd, and nothing a symlink points to outside it
      const target = path.resolve(cwd, entry.file);
      containedPath(target, normalize(entry.file), roots);
      const base = overlayRoot(target);
      const overlaySource = nodeFileSource(base, pending, { ...limits, remoteBases: options.remoteBases });
      let result;
      try {
        result = core.imageEdit(normalize(path.relative(base, target)), entry.spec, overlaySource, { target: entry.target, force: entry.force });
      } catch (error) {
        throw rebasedError(overlaySource.refused[0] ?? error, cwd, base);
      }
      const abs = path.resolve(base, result.file);
      const [real, record] = current(abs, rel(abs));
      update(real, record, result);
      for (const u of result.unchecked ?? []) {
        const file = options.remoteBases?.owns(u.file) ? options.remoteBases.shown(u.file) : rel(path.resolve(base, u.file));
        const reason = options.remoteBases ? options.remoteBases.showIn(u.reason) : u.reason;
        record.unchecked.push({ spec: entry.spec, file, what: maskUrlCredentials(u.what), reason });
      }
      continue;
    }
    const display = normalize(entry.file);
    const [real, record] = current(entry.file, display);
    const text = record.after;
    const opts = { file: display };
    switch (entry.op) {
      case 'set': {
        // A new image tag clears the digest beside it (the chart would render the old
        // digest, so the old image); the change report shows the cleared field.
        const stale = entry.all ? [] : core.tagCompanions(text, entry.path, String(entry.value), { select: entry.select });
        const set = { op: 'set', path: entry.path, value: entry.value, type: entry.type, create: entry.create, all: entry.all, select: entry.select };
        update(real, record, stale.length === 0
          ? core.setValue(text, entry.path, entry.value, { ...opts, type: entry.type, create: entry.create, all: entry.all, select: entry.select })
          : core.applyEdits(text, [set, ...stale.map((p) => ({ op: 'set', path: p, value: '', select: entry.select }))], opts));
        break;
      }
      case 'remove':
        update(real, record, core.removeValue(text, entry.path, { ...opts, all: entry.all, select: entry.select }));
        break;
      case 'edits':
        update(real, record, core.applyEdits(text, entry.edits, opts));
        break;
    }
  }
  return { outcomes: [...files.values()], promotions };
}

/**
 * A scan entry whose target is a file: a scan reads the files below a directory.
 * @param {string} file as the user named it
 * @returns {GitopsBumpError}
 */
function scanOfAFile(file) {
  const hint = `scan its directory (\`${normalize(path.dirname(file))}\`), or name the file as the target without a scan to edit it alone`;
  return new GitopsBumpError(`error[not-found]: \`${file}\` is a file: a scan reads the files below a directory\n  = help: ${hint}`, { kind: 'not-found', file, found: 'a file', hint });
}

/**
 * An error of the core naming a file relative to `base`, naming it relative to `cwd`
 * instead (the way the user named the target).
 * @param {unknown} error
 * @param {string} cwd
 * @param {string} base
 * @returns {unknown}
 */
function rebasedError(error, cwd, base) {
  if (base === cwd || !(error instanceof GitopsBumpError) || !error.file) return error;
  const file = normalize(path.relative(cwd, path.resolve(base, error.file)));
  // every mention (the first line, the `-->` line, a hint's command to run), so that what
  // the user is told to type names the file from where they are
  const named = new RegExp(`(?<![\\w./-])${error.file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w/-])`, 'g');
  const swap = (/** @type {string | undefined} */ text) => text?.replace(named, file);
  const message = swap(error.message) ?? error.message;
  return new GitopsBumpError(message, { ...error.fields(), hint: swap(error.hint), hintTemplate: swap(error.hintTemplate), options: error.options, message, file, cause: error.cause });
}

/**
 * Writes every changed file atomically. When one write fails, the files already written
 * are put back to their old text (best effort) and the error is re-thrown.
 * @param {FileOutcome[]} records
 */
function writeAll(records) {
  /** @type {FileOutcome[]} */
  const done = [];
  try {
    for (const record of records) {
      writeAtomic(realPaths.get(record), record.after);
      done.push(record);
    }
  } catch (error) {
    for (const record of done.reverse()) {
      try {
        writeAtomic(realPaths.get(record), record.before);
      } catch {
        // keep the original error; nothing better can be done here
      }
    }
    throw error;
  }
}

/**
 * A promotion's before/after table: every image of TO, what FROM runs, what TO ran before
 * and runs after (promote.js's renderPromotion prints it).
 * @typedef {{from: string, to: string, rows: {image: string, from: string|null, before: string|null, after: string|null}[]}} PromotionTable
 */

/**
 * @typedef {object} PlanResult
 * @property {FileOutcome[]} changed files whose text changed (written unless `dryRun`)
 * @property {string[]} unchanged files the plan touched whose text stayed the same
 * @property {Unchecked[]} unchecked image edits the overlay check could not decide, and why
 * @property {PromotionTable[]} promotions the plan's promotions, as computed where it was
 *   applied (empty when it promotes nothing)
 */

/**
 * Applies a plan to the files below `cwd`: all or nothing. Every new text is computed
 * (and self-checked by the core) first; files are written only when every entry
 * succeeded, each atomically, while holding a lock per file against other gitops-bump
 * processes. Every target must resolve inside `root` (default: `cwd` outside a pipeline;
 * `allowOutside` lifts it) and, inside a running pipeline, inside its repository.
 * @param {unknown} plan a parsed plan (`{edits: [...]}` or a list), see {@link parsePlan}
 * @param {{cwd?: string, dryRun?: boolean, root?: string, allowOutside?: boolean, maxFileSize?: number, remoteBases?: import('./remote-bases.js').RemoteBases}} [options]
 * @returns {PlanResult}
 * @throws {GitopsBumpError} on the first entry that fails; nothing is written then
 */
export function applyPlan(plan, options = {}) {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const entries = validatePlan(plan);
  // default: cwd, or inside a running pipeline its repository (which always applies)
  const fallback = activeRepositoryRoot() ? null : cwd;
  const root = options.allowOutside ? null : options.root !== undefined ? path.resolve(cwd, options.root) : fallback;
  return applyEntries(entries, { cwd, dryRun: options.dryRun ?? false, root, maxFileSize: options.maxFileSize, remoteBases: options.remoteBases });
}

/**
 * {@link applyPlan}, after fetching the remote bases its overlay checks follow (when
 * `options.remoteBases` allows network access): a dry run asks what to fetch, round by
 * round, then the plan is applied with the copies in place.
 * @param {unknown} plan
 * @param {Parameters<typeof applyPlan>[1]} options
 * @returns {Promise<PlanResult>}
 */
export async function applyPlanFetching(plan, options = {}) {
  await options.remoteBases?.prepare(() => applyPlan(plan, { ...options, dryRun: true }));
  return applyPlan(plan, options);
}

/** How often a plan is recomputed when another process changed its files meanwhile. */
const CONFLICT_ATTEMPTS = 50;

/**
 * {@link applyPlan} over already validated entries. Compare-and-swap under per-file
 * locks: after computing, the changed files are locked and re-read; when another process
 * changed one since it was read, the plan is computed again on the fresh text, so no
 * update is reported that is not on disk.
 * @param {Entry[]} entries
 * @param {ApplyOptions} options
 * @returns {PlanResult}
 */
export function applyEntries(entries, { cwd, dryRun = false, root = null, maxFileSize, remoteBases }) {
  for (let attempt = 1; ; attempt += 1) {
    const { outcomes, promotions } = computeEntries(entries, cwd, { root, maxFileSize, remoteBases });
    const changed = outcomes.filter((r) => r.after !== r.before);
    const unchanged = outcomes.filter((r) => r.after === r.before).map((r) => r.file);
    const unchecked = outcomes.flatMap((r) => r.unchecked);
    if (dryRun || changed.length === 0) return { changed, unchanged, unchecked, promotions };
    const release = lockFiles(changed.map((r) => /** @type {string} */ (realPaths.get(r))));
    try {
      const moved = changed.find((r) => !sameText(/** @type {string} */ (realPaths.get(r)), r.before));
      if (!moved) {
        writeAll(changed);
        return { changed, unchanged, unchecked, promotions };
      }
      if (attempt >= CONFLICT_ATTEMPTS) {
        throw new GitopsBumpError(`${moved.file}: changed by another process ${attempt} times while being edited; nothing was written`, { kind: 'io', file: moved.file });
      }
    } finally {
      release();
    }
  }
}

/**
 * True when the file still holds `text` (false when it changed or vanished).
 * @param {string} real
 * @param {string} text
 * @returns {boolean}
 */
function sameText(real, text) {
  try {
    return fs.readFileSync(real).equals(Buffer.from(text, 'utf8'));
  } catch {
    return false;
  }
}
