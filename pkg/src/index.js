/**
 * gitops-bump: byte-exact YAML edits for GitOps config repositories.
 *
 * Text functions (`setValue`, `getValue`, `removeValue`, `applyEdits`, `setImage`) take
 * and return strings and never touch the disk. File functions (`*InFile`, `applyPlan`)
 * read, edit and write atomically (temp file in the same directory + rename, mode kept);
 * on any error the file is untouched. Every error is a {@link GitopsBumpError}.
 *
 * @example
 * import { setValue } from 'gitops-bump';
 * const { text } = setValue('image:\n  tag: "1.9" # pinned\n', 'image.tag', '1.10');
 * // text === 'image:\n  tag: "1.10" # pinned\n'
 *
 * @module gitops-bump
 */
import path from 'node:path';
import * as core from './core.js';
import { usageError } from './errors.js';
import { nodeFileSource, normalize, readText } from './files.js';
import { overlayRoot } from './root.js';
import { applyEntries, normalizeValue } from './plan.js';

export { GitopsBumpError } from './errors.js';
export { applyPlan, applyPlanFetching, parsePlan, loadPlan, validatePlan } from './plan.js';
export { RemoteBases, parseRemote } from './remote-bases.js';
export { nodeFileSource, writeAtomic, readText } from './files.js';
export { unifiedDiff } from './diff.js';
export { runPipeline, DEFAULT_RETRIES } from './pipeline.js';

/**
 * @typedef {object} Change
 * @property {string} path concrete path of the node (`spec.template.spec.containers[0].image`)
 * @property {number} doc 0-based document index in a multi-document file
 * @property {number} line 1-based line in the input
 * @property {number} column 1-based column in the input
 * @property {string | null} [old] old plain value (YAML text for collections), null for an insert
 * @property {string | null} [new] new plain value, null for a removal
 * @property {'set'|'unchanged'|'insert'|'remove'} kind
 */

/**
 * @typedef {object} EditResult
 * @property {string} text the edited text (identical to the input when nothing changed)
 * @property {Change[]} changes what was changed, in order
 */

/**
 * @typedef {object} Found
 * @property {string} path concrete path
 * @property {number} doc 0-based document index
 * @property {'string'|'int'|'float'|'bool'|'null'|'map'|'seq'} type the node's data type
 * @property {string | null} [value] plain value for scalars
 * @property {string} source the node's text as written
 * @property {number} line 1-based
 * @property {number} column 1-based
 * @property {number} start UTF-8 byte offset of the node's text
 * @property {number} end UTF-8 byte offset just past it
 */

/**
 * @typedef {object} FileSource what the core reads overlays through (paths `/`-separated, relative to a root)
 * @property {(path: string) => string | null} read file text, or null when missing
 * @property {(path: string) => string[] | null} list entry names, or null when not a directory
 * @property {(url: string) => {root: string, path: string} | {reason: string} | null} [remote] where a fetched
 *   remote base is served (see remote-bases.js), or why it was not fetched
 */

/**
 * @typedef {object} FileEditResult
 * @property {string} file the file as given
 * @property {boolean} changed whether the text changed (and, unless `dryRun`, was written)
 * @property {string} before
 * @property {string} after
 * @property {Change[]} changes
 */

/**
 * Sets the scalar at `path` to `value`, changing only its bytes. Strings that another
 * YAML reader would take for a number, boolean or null (`1.10`, `yes`, `0123`) are quoted.
 * Without `options.type`, a string value is a string, a number an `int`/`float`, a boolean
 * a `bool`, `null` a `null`.
 * @param {string} text YAML source
 * @param {string} path key path (`image.tag`, `containers[name=api].image`, `/json/pointer`)
 * @param {string | number | boolean | null} value
 * @param {{type?: 'string'|'int'|'float'|'bool'|'null'|'yaml', create?: boolean, all?: boolean, select?: string, file?: string}} [options]
 *   `create` inserts missing keys (and `[key=value]` items); `all` allows many matches;
 *   `select` narrows a multi-document file (`kind=Deployment,metadata.name=api`);
 *   `file` is the name used in error messages
 * @returns {EditResult}
 * @throws {GitopsBumpError}
 */
export function setValue(text, path, value, options = {}) {
  const v = normalizeValue(value, options.type);
  return core.setValue(text, path, v.value, { ...options, type: v.type });
}

/**
 * Reads the node(s) at `path`.
 * @param {string} text
 * @param {string} path
 * @param {{all?: boolean, select?: string, file?: string}} [options]
 * @returns {Found[]}
 * @throws {GitopsBumpError} `not-found`, `ambiguous` (several matches without `all`), …
 */
export function getValue(text, path, options = {}) {
  return core.getValue(text, path, options);
}

/**
 * Removes the key or item at `path` (its lines, with their comments).
 * @param {string} text
 * @param {string} path
 * @param {{all?: boolean, select?: string, file?: string}} [options]
 * @returns {EditResult}
 * @throws {GitopsBumpError}
 */
export function removeValue(text, path, options = {}) {
  return core.removeValue(text, path, options);
}

/**
 * @typedef {object} EditRequest
 * @property {'set'|'remove'|'append'} op
 * @property {string} path
 * @property {string | number | boolean | null} [value] for `set` and `append`
 * @property {'string'|'int'|'float'|'bool'|'null'|'yaml'} [type]
 * @property {boolean} [create]
 * @property {boolean} [all]
 * @property {string} [select]
 */

/**
 * Applies several edits to one text: all of them or none.
 * @param {string} text
 * @param {EditRequest[]} edits
 * @param {{file?: string}} [options]
 * @returns {EditResult}
 * @throws {GitopsBumpError}
 */
export function applyEdits(text, edits, options = {}) {
  return core.applyEdits(text, normalizeEdits(edits), options);
}

/**
 * @param {EditRequest[]} edits
 * @returns {object[]} edits with string values and explicit types
 */
function normalizeEdits(edits) {
  if (!Array.isArray(edits)) throw usageError('applyEdits: `edits` must be a list');
  return edits.map((edit, i) => {
    if (!edit || typeof edit !== 'object') throw usageError(`edits[${i}]: expected an object`);
    if (edit.op === 'remove') return { ...edit };
    const v = normalizeValue(edit.value, edit.type, ({ field, message }) => usageError(`edits[${i}].${field}: ${message}`));
    return { ...edit, value: v.value, type: v.type };
  });
}

/**
 * Sets an image, in kustomize's grammar (`name=newName:newTag@digest`, `name:tag`,
 * `name@digest`, `name=newName`), in a kustomization's `images:`, an Argo CD
 * Application, or Flux setter markers.
 * It does not check that the overlay uses the image (an unknown name adds an entry): use
 * {@link checkImage} first, or {@link setImageInFile}, which checks as the CLI does.
 * @param {string} text
 * @param {string} spec
 * @param {{file?: string, target?: 'auto'|'kustomization'|'argocd'|'argocd-source'|'flux'}} [options]
 * @returns {EditResult}
 * @throws {GitopsBumpError} `image-spec`, `not-kustomization`, …
 */
export function setImage(text, spec, options = {}) {
  return core.setImage(text, spec, options);
}

/**
 * Parses a kustomize image spec. A field the spec keeps is `"*"` (`name:tag` keeps the
 * current newName); a field it clears is `null`.
 * @param {string} spec e.g. `api=ghcr.io/acme/api:1.2.3`
 * @returns {{name: string, newName: string|null, newTag: string|null, digest: string|null}}
 * @throws {GitopsBumpError} `image-spec`
 */
export function parseImageSpec(spec) {
  return core.parseImageSpec(spec);
}

/**
 * Resolves the `(dir, fs)` pair for the overlay functions: `fs` given, or node:fs below
 * `root`. Without a `root`, the overlay check reads below the git checkout holding `dir`
 * (else the filesystem root), so that `../../base` resolves from inside an overlay too;
 * a scan reads below the current directory.
 * @param {string} dir
 * @param {{root?: string, fs?: FileSource}} options
 * @param {{repository?: boolean}} [how] `repository`: default the root to the one of root.js
 * @returns {[string, FileSource]}
 */
function overlayArgs(dir, options, how = {}) {
  if (options.fs) return [dir, options.fs];
  const cwd = process.cwd();
  const abs = path.resolve(options.root ?? cwd, dir);
  const root = path.resolve(options.root ?? (how.repository ? overlayRoot(abs) : cwd));
  return [normalize(path.relative(root, abs)), nodeFileSource(root)];
}

/**
 * The container images used by the resources a kustomize overlay renders.
 * @param {string} dir overlay directory, relative to `root` (or to the current directory without one)
 * @param {{root?: string, fs?: FileSource}} [options] read through `fs`, or node:fs below `root`
 *   (default: the git checkout holding `dir`, else the filesystem root); `file`s are relative to it
 * @returns {{name: string, image: string, container: string, kind: string, resource: string, file: string, line: number}[]}
 */
export function overlayImages(dir, options = {}) {
  // the core returns {kustomization, images, unchecked, candidates}; the contract, the images
  return core.overlayImages(...overlayArgs(dir, options, { repository: true })).images;
}

/**
 * Checks that `spec` names an image the overlay's resources use.
 * @param {string} dir
 * @param {string} spec
 * @param {{root?: string, fs?: FileSource}} [options]
 * @returns {object[]} the matching images
 * @throws {GitopsBumpError} `unknown-image` (with a "did you mean")
 */
export function checkImage(dir, spec, options = {}) {
  const [d, fs] = overlayArgs(dir, options, { repository: true });
  return core.checkImage(d, spec, fs);
}

/**
 * Finds and edits every reference to the image under `dir` (kustomizations, Argo CD
 * Applications, Flux setters, manifests). Writes nothing: use {@link applyPlan} with a
 * `scan` entry to write.
 * @param {string} dir
 * @param {string} spec
 * @param {{root?: string, fs?: FileSource}} [options]
 * @returns {{files: {file: string, text: string, changes: Change[]}[]}}
 */
export function scanImage(dir, spec, options = {}) {
  const [d, fs] = overlayArgs(dir, options);
  return core.scanImage(d, spec, fs);
}

/**
 * The version of the Rust core.
 * @returns {string}
 */
export function version() {
  return core.version();
}

/**
 * Runs one plan entry on one file and reshapes the outcome.
 * @param {string} file
 * @param {import('./plan.js').Entry} entry
 * @param {{dryRun?: boolean, maxFileSize?: number}} options
 * @returns {FileEditResult}
 */
function editFile(file, entry, options) {
  const cwd = process.cwd();
  // a file named by the caller is edited where it resolves (a running pipeline still
  // confines it to its repository)
  const { changed, unchanged, unchecked } = applyEntries([entry], { cwd, dryRun: options.dryRun ?? false, root: null, maxFileSize: options.maxFileSize });
  if (changed.length > 0) return { ...changed[0], changed: true };
  // unchanged: report the text as it is (an image edit that changes nothing can still have
  // parts the overlay check did not follow)
  const before = readText(path.resolve(cwd, unchanged[0]), unchanged[0], options);
  return { file: unchanged[0], changed: false, before, after: before, changes: [], unchecked };
}

/**
 * {@link setValue} on a file, written atomically.
 * @param {string} file
 * @param {string} path
 * @param {string | number | boolean | null} value
 * @param {{type?: string, create?: boolean, all?: boolean, select?: string, dryRun?: boolean}} [options]
 * @returns {FileEditResult}
 */
export function setValueInFile(file, path, value, options = {}) {
  const v = normalizeValue(value, options.type);
  return editFile(file, { op: 'set', file, path, value: v.value, type: v.type, create: !!options.create, all: !!options.all, select: options.select }, options);
}

/**
 * {@link removeValue} on a file, written atomically.
 * @param {string} file
 * @param {string} path
 * @param {{all?: boolean, select?: string, dryRun?: boolean}} [options]
 * @returns {FileEditResult}
 */
export function removeValueInFile(file, path, options = {}) {
  return editFile(file, { op: 'remove', file, path, all: !!options.all, select: options.select }, options);
}

/**
 * {@link applyEdits} on a file, written atomically.
 * @param {string} file
 * @param {EditRequest[]} edits
 * @param {{dryRun?: boolean}} [options]
 * @returns {FileEditResult}
 */
export function applyEditsInFile(file, edits, options = {}) {
  return editFile(file, { op: 'edits', file, edits: normalizeEdits(edits) }, options);
}

/**
 * {@link setImage} on a file or an overlay directory (its kustomization file), written
 * atomically. For a kustomization, the image must be used by the overlay's resources
 * (checked with {@link checkImage}) unless `force` is set.
 * @param {string} file a file or an overlay directory
 * @param {string} spec
 * @param {{target?: 'auto'|'kustomization'|'argocd'|'argocd-source'|'flux', force?: boolean, dryRun?: boolean}} [options]
 * @returns {FileEditResult}
 */
export function setImageInFile(file, spec, options = {}) {
  return editFile(file, { op: 'image', file, spec, target: options.target, force: !!options.force }, options);
}

/**
 * {@link getValue} on a file.
 * @param {string} file
 * @param {string} path
 * @param {{all?: boolean, select?: string, maxFileSize?: number}} [options]
 * @returns {Found[]}
 */
export function getValueInFile(file, path, options = {}) {
  const { maxFileSize, ...rest } = options;
  return core.getValue(readText(file, file, { maxFileSize }), path, { ...rest, file });
}
