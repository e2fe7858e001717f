/**
 * Loads the Node build of the Rust core (`pkg/wasm/node/`) and wraps every export so
 * that errors become {@link GitopsBumpError}s. This module converts nothing else: the
 * arguments and results are exactly those of the wasm exports listed in
 * `docs/contract.md`. Positions in results (`line`, `column`) are 1-based; `start` and
 * `end` of a `Found` are UTF-8 byte offsets.
 *
 * @module gitops-bump/core
 */
import { createRequire } from 'node:module';
import { GitopsBumpError, fromCoreError } from './errors.js';

const require = createRequire(import.meta.url);
const WASM_GLUE = '../wasm/node/gitops_bump.js';

/** @type {Record<string, Function> | undefined} */
let wasm;
/** Set after a trap: the next call should get a fresh instance. */
let stale = false;
/** How many instances of the core this process has loaded (a new one after each trap). */
let instances = 0;

/**
 * The loaded wasm module (loaded on first use, so importing the package is cheap and a
 * missing build fails with a clear message instead of at import time). A build that is
 * there but cannot be loaded (for instance no memory for the instance under a low memory
 * limit) is reported with the real cause. After a trap, a fresh instance is loaded.
 * @returns {Record<string, Function>}
 */
function load() {
  if (wasm && !stale) return wasm;
  if (wasm) {
    // after a trap: a fresh instance when the glue can be evaluated again (not inside a
    // bundle, where it is inlined); else the old one, which a stack overflow leaves usable
    stale = false;
    try {
      wasm = reload();
      instances += 1;
    } catch {
      // keep the current instance
    }
    return wasm;
  }
  try {
    wasm = require(WASM_GLUE);
  } catch (error) {
    throw loadError(error);
  }
  instances += 1;
  return /** @type {Record<string, Function>} */ (wasm);
}

/**
 * Evaluates the wasm glue again, which instantiates the module anew (new memory, new
 * stack, new borrow flags).
 * @returns {Record<string, Function>}
 */
function reload() {
  const glue = require.resolve(WASM_GLUE);
  delete require.cache[glue];
  return require(glue);
}

/**
 * The error for a core that cannot be loaded: "not built" when the build is missing, else
 * the real cause.
 * @param {unknown} error
 * @returns {GitopsBumpError}
 */
function loadError(error) {
  const e = /** @type {NodeJS.ErrnoException} */ (error);
  if (e?.code === 'MODULE_NOT_FOUND' || (e?.code === 'ENOENT' && /gitops_bump/.test(String(e.message)))) {
    return new GitopsBumpError(
      'gitops-bump: the wasm core is missing (pkg/wasm/ is committed: restore it with `git checkout -- pkg/wasm`, or rebuild it with `bash scripts/build`)',
      { kind: 'internal', cause: error },
    );
  }
  const message = String(e?.message ?? error);
  const help = /out of memory|allocate/i.test(message)
    ? '\n  = help: a wasm instance needs several GB of virtual address space (V8 reserves it up front); raise the limit (ulimit -v, a container memory limit) or run where more is available'
    : '';
  return new GitopsBumpError(`gitops-bump: cannot load the wasm core: ${message}${help}`, { kind: 'internal', cause: error });
}

/**
 * Marks the current wasm instance as suspect after a trap, which can leave its memory,
 * stack pointer or borrow flags in a state where later calls fail too: the next call
 * loads a fresh one.
 */
function discard() {
  stale = true;
}

/**
 * True when `error` is a trap of the wasm instance (or a JS error raised while it ran,
 * such as a stack overflow), rather than an error the core returned on purpose.
 * @param {unknown} error
 * @returns {boolean}
 */
export function isTrap(error) {
  if (error instanceof WebAssembly.RuntimeError || error instanceof RangeError) return true;
  // a Rust panic reaches JS as an Error with the panic text (console_error_panic_hook)
  return error instanceof Error && !(error instanceof TypeError) && !('kind' in error);
}

/**
 * How many wasm instances this process has loaded: 1 after the first call, one more
 * after each trap.
 * @returns {number}
 */
export function instanceCount() {
  return instances;
}

/**
 * Calls one wasm export, turning what it throws into a GitopsBumpError. After a trap the
 * instance is replaced, so one bad input never breaks the next call.
 * @param {string} name export name (camelCase, as in the contract)
 * @param {unknown[]} args
 * @returns {any}
 */
function call(name, args) {
  const fn = load()[name];
  if (typeof fn !== 'function') {
    throw new GitopsBumpError(`gitops-bump: the wasm core has no export \`${name}\``, { kind: 'internal' });
  }
  try {
    return fn(...args);
  } catch (error) {
    if (!isTrap(error)) throw fromCoreError(error);
    discard();
    throw trapError(error);
  }
}

/**
 * The error reported for a trap: what stopped the core, and the likely cause.
 * @param {unknown} error
 * @returns {GitopsBumpError}
 */
function trapError(error) {
  const message = error instanceof Error ? error.message : String(error);
  const deep = /call stack|stack overflow|recursion|out of bounds|unreachable/i.test(message);
  return new GitopsBumpError(
    `the core stopped (${message})${deep ? '; the input is probably nested too deeply (thousands of levels)' : ''}; nothing was written, and the next call uses a fresh instance`,
    { kind: 'internal', cause: error, hint: deep ? 'flatten the YAML or the key path; real config files are a few dozen levels deep at most' : undefined },
  );
}

/** @typedef {import('./index.js').EditResult} EditResult */
/** @typedef {import('./index.js').Found} Found */
/** @typedef {import('./index.js').FileSource} FileSource */

/**
 * Sets the value at `path`. @see {@link import('./index.js').setValue}
 * @param {string} text @param {string} path @param {string} value @param {object} [options]
 * @returns {EditResult}
 */
export const setValue = (text, path, value, options) => call('setValue', [text, path, value, options ?? {}]);

/**
 * Removes the node at `path`.
 * @param {string} text @param {string} path @param {object} [options]
 * @returns {EditResult}
 */
export const removeValue = (text, path, options) => call('removeValue', [text, path, options ?? {}]);

/**
 * Reads the node(s) at `path`.
 * @param {string} text @param {string} path @param {object} [options]
 * @returns {Found[]}
 */
export const getValue = (text, path, options) => call('getValue', [text, path, options ?? {}]);

/**
 * Applies several edits to one text, all or none.
 * @param {string} text @param {object[]} edits @param {object} [options]
 * @returns {EditResult}
 */
export const applyEdits = (text, edits, options) => call('applyEdits', [text, edits, options ?? {}]);

/**
 * The non-empty digest fields (`digest`, `sha`, `digestChroot`) beside the image `tag` at
 * `path` (when `newTag` changes it), which a new tag must clear or the old image keeps running.
 * @param {string} text @param {string} path @param {string} newTag @param {object} [options]
 * @returns {string[]}
 */
export const tagCompanions = (text, path, newTag, options) => call('tagCompanions', [text, path, newTag, options ?? {}]);

/**
 * Sets an image (kustomize grammar) in a kustomization, Argo CD Application or Flux setter file.
 * @param {string} text @param {string} spec @param {object} [options]
 * @returns {EditResult}
 */
export const setImage = (text, spec, options) => call('setImage', [text, spec, options ?? {}]);

/**
 * The container images used by the resources an overlay renders.
 * @param {string} dir @param {FileSource} fs
 * @returns {{kustomization: string, images: object[], unchecked: string[], candidates: string[]}}
 */
export const overlayImages = (dir, fs) => call('overlayImages', [dir, fs]);

/**
 * Throws `unknown-image` when `spec` names no image of the overlay; else the matches.
 * @param {string} dir @param {string} spec @param {FileSource} fs
 * @returns {object[]}
 */
export const checkImage = (dir, spec, fs) => call('checkImage', [dir, spec, fs]);

/**
 * Every reference to the image under `dir`, edited.
 * @param {string} dir @param {string} spec @param {FileSource} fs
 * @returns {{files: {file: string, text: string, changes: object[]}[]}}
 */
export const scanImage = (dir, spec, fs) => call('scanImage', [dir, spec, fs]);

/**
 * The CLI's `image TARGET SPEC`: TARGET (relative to the file source's root) is a file
 * or a directory (its kustomization); a kustomization's overlay must use the image
 * unless `force`.
 * @param {string} target @param {string} spec @param {FileSource} fs
 * @param {{target?: string, force?: boolean}} [options]
 * @returns {{file: string, text: string, changes: object[]}}
 */
export const imageEdit = (target, spec, fs, options) => call('imageEdit', [target, spec, fs, options ?? {}]);

/**
 * What one environment runs (the core's environment model): `targets` are paths relative
 * to the file source's root — a directory or file, or a chain of Helm values files.
 * @param {string[]} targets @param {FileSource} fs
 * @returns {{kind: string, files: string[], images: object[], unchecked: string[]}}
 */
export const environment = (targets, fs) => call('environment', [targets, fs]);

/**
 * The edits of TO's own files that make it run `want` for image `key`.
 * @param {string[]} to @param {string[]} fromFiles @param {string} key @param {string} want
 * @param {string[]} labels `[TO's name, FROM's name]` for messages @param {FileSource} fs
 * @returns {{file: string, text: string, changes: object[]}[]}
 */
export const promoteImage = (to, fromFiles, key, want, labels, fs) => call('promoteImage', [to, fromFiles, key, want, labels, fs]);

/**
 * Parses a kustomize image spec (`name=newName:newTag@digest`, …).
 * @param {string} spec
 * @returns {{name: string, newName: string|null, newTag: string|null, digest: string|null}}
 */
export const parseImageSpec = (spec) => call('parseImageSpec', [spec]);

/**
 * The version of the Rust core.
 * @returns {string}
 */
export const version = () => call('version', []);
