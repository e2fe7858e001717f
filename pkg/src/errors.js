/**
 * The one error type of the package.
 *
 * Errors thrown by the wasm core carry `kind, line, column, segment, found, hint, file`
 * and a `message` that already holds the full display with the code frame; they are
 * re-thrown as {@link GitopsBumpError} with the same fields. Errors raised in JavaScript
 * (a missing file, an invalid plan entry, a bad CLI argument) use the same type and the
 * same `kind` strings as the core (`not-found`, `usage`, `invalid-value`, …).
 *
 * @module gitops-bump/errors
 */

/** Fields copied from a core error onto a {@link GitopsBumpError}. */
const FIELDS = /** @type {const} */ (['kind', 'line', 'column', 'segment', 'found', 'hint', 'file']);
/** Fields a core error also carries for front ends: the hint as written and the options it names (see hints.js). */
const HINT_FIELDS = /** @type {const} */ (['hintTemplate', 'options']);

/**
 * An edit, path, plan or usage error, with where it happened and what was found.
 */
export class GitopsBumpError extends Error {
  /**
   * @param {string} message full message (for core errors: with the code frame)
   * @param {object} [fields]
   * @param {string} [fields.kind] error kind, e.g. `not-found`, `ambiguous`, `usage`
   * @param {number} [fields.line] 1-based line in `file`
   * @param {number} [fields.column] 1-based column in `file`
   * @param {string} [fields.segment] the path segment that failed, as written
   * @param {string} [fields.found] what was there instead
   * @param {string} [fields.hint] a "did you mean" suggestion
   * @param {string} [fields.file] the file the error is about
   * @param {string} [fields.hintTemplate] the hint with a placeholder for each option it names (see hints.js)
   * @param {string[]} [fields.options] the ids of the options the hint names
   * @param {unknown} [fields.cause] the underlying error
   */
  constructor(message, fields = {}) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.name = 'GitopsBumpError';
    /** @type {string} */
    this.kind = fields.kind ?? 'invalid-value';
    for (const key of FIELDS.slice(1)) {
      /** @type {any} */ (this)[key] = fields[key] ?? undefined;
    }
    /** @type {string | undefined} */
    this.hintTemplate = fields.hintTemplate ?? undefined;
    /** @type {string[]} */
    this.options = fields.options ?? [];
  }

  /**
   * A copy of this error that names `file` (when the error does not name one yet).
   * Core messages are rendered with the file name the caller passed; this only fills
   * the `file` field and prefixes plain messages.
   * @param {string} file
   * @returns {GitopsBumpError}
   */
  withFile(file) {
    if (this.file) return this;
    const message = this.message.includes(file) ? this.message : `${file}: ${this.message}`;
    const copy = new GitopsBumpError(message, { ...this.fields(), hintTemplate: this.hintTemplate, options: this.options, file, cause: this.cause });
    return copy;
  }

  /**
   * The structured fields as a plain object (for `--json` output).
   * @returns {{kind: string, message: string, line?: number, column?: number, segment?: string, found?: string, hint?: string, file?: string}}
   */
  fields() {
    /** @type {Record<string, unknown>} */
    const out = { kind: this.kind, message: this.message };
    for (const key of FIELDS.slice(1)) {
      const value = /** @type {any} */ (this)[key];
      if (value !== undefined && value !== null) out[key] = value;
    }
    return /** @type {any} */ (out);
  }

  /** @returns {object} the fields, so `JSON.stringify(error)` is useful */
  toJSON() {
    return this.fields();
  }
}

/**
 * Converts anything thrown by the wasm core into a {@link GitopsBumpError}.
 * Non-core errors (a JS TypeError, a panic) are wrapped with kind `internal`.
 * @param {unknown} error
 * @returns {GitopsBumpError}
 */
export function fromCoreError(error) {
  if (error instanceof GitopsBumpError) return error;
  if (error && typeof error === 'object' && typeof (/** @type {any} */ (error).kind) === 'string') {
    const e = /** @type {any} */ (error);
    /** @type {Record<string, unknown>} */
    const fields = { cause: error };
    for (const key of [...FIELDS, ...HINT_FIELDS]) {
      if (e[key] !== undefined && e[key] !== null) fields[key] = e[key];
    }
    return new GitopsBumpError(String(e.message ?? e), /** @type {any} */ (fields));
  }
  const message = error instanceof Error ? error.message : String(error);
  return new GitopsBumpError(`internal error in the core: ${message}`, { kind: 'internal', cause: error });
}

/**
 * A usage error (bad argument, invalid plan entry): CLI exit code 2.
 * @param {string} message
 * @param {object} [fields] extra fields, see {@link GitopsBumpError}
 * @returns {GitopsBumpError}
 */
export function usageError(message, fields = {}) {
  return new GitopsBumpError(message, { ...fields, kind: 'usage' });
}
