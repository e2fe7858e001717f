// How the page shows the core's errors. The core decides what is wrong and what to
// suggest; here its error becomes something calm to look at: a path still being typed
// is not an error yet, a "did you mean" becomes a button that applies it, and a hint
// names the page's own controls (the core names options by id; ../src/hints.js words them).

import { hintIn } from '../src/hints.js';

/** The fields of an error thrown by the core, as a plain (postMessage-able) object. */
export function plainError(err) {
  if (err && typeof err === 'object') {
    return {
      kind: err.kind || (err instanceof Error ? 'internal' : 'error'),
      message: String(err.message ?? err),
      line: err.line ?? null,
      column: err.column ?? null,
      segment: err.segment ?? null,
      found: err.found ?? null,
      hint: err.hint ?? null,
      hintTemplate: err.hintTemplate ?? null,
      options: Array.isArray(err.options) ? [...err.options] : [],
      file: err.file ?? null,
    };
  }
  return { kind: 'error', message: String(err), line: null, column: null, segment: null, found: null, hint: null, hintTemplate: null, options: [], file: null };
}

/** Which control an error is about (its line and column point into that input). */
export const ERROR_INPUT = {
  'path-syntax': 'path',
  'image-spec': 'spec',
  'invalid-value': 'value',
  'unknown-image': 'spec',
};

/**
 * The hint in the page's words, or null when it does not apply to this mode (reading
 * never creates and has no type, so "create it" is no advice in get mode).
 * @param {{hint?: string | null, hintTemplate?: string | null, options?: string[]}} error
 * @param {string} mode
 */
export function pageHint(error, mode) {
  if (!error.hint) return null;
  if (mode === 'get' && (error.options ?? []).some((o) => o === 'create' || o === 'type')) return null;
  return hintIn(error, 'playground');
}

/** The code frame without the `= path segment/found/help` lines the facts list shows. */
export function frameText(message) {
  return message.split('\n').filter((line) => !/^\s*= (path segment|found|help):/.test(line)).join('\n').replace(/\s+$/, '');
}

/** The name a "did you mean `X`?" hint suggests, or null. */
export function suggested(hint) {
  const m = /did you mean `([^`]+)`\?/.exec(hint ?? '');
  return m ? m[1] : null;
}

/** Start offsets of `needle` in `path` where it is a whole segment. */
function segmentOffsets(path, needle) {
  const out = [];
  for (let at = path.indexOf(needle); at >= 0; at = path.indexOf(needle, at + 1)) {
    const before = at === 0 ? '' : path[at - 1];
    const after = path[at + needle.length] ?? '';
    const starts = needle.startsWith('[') || before === '' || before === '.' || before === '/';
    const ends = after === '' || after === '.' || after === '[' || after === '/';
    if (starts && ends) out.push(at);
  }
  return out;
}

/**
 * What a "did you mean" would change: `{field, value, label}`, or null.
 * For a path, the failing segment is replaced where replacing it gets past that
 * segment (`tryPath(path)` returns the core's error for a path, or null when it works):
 * in `a.b.a` failing at the second `a`, replacing the first one fails at once.
 * @param {ReturnType<typeof plainError>} error
 * @param {{mode: string, path: string, spec: string}} state
 * @param {(path: string) => (ReturnType<typeof plainError> | null)} tryPath
 */
export function suggestion(error, state, tryPath) {
  const name = suggested(error.hint);
  if (!name) return null;
  if (error.kind === 'unknown-image') {
    // the spec starts with the image name it sets (`name`, `name:tag`, `name=new…`)
    const old = /^[^=:@]+(?::\d+(?=\/))?[^=:@]*/.exec(state.spec)?.[0];
    if (!old) return null;
    return { field: 'spec', value: name + state.spec.slice(old.length), label: name };
  }
  if (!error.segment || state.mode === 'image') return null;
  for (const at of segmentOffsets(state.path, error.segment)) {
    const path = state.path.slice(0, at) + name + state.path.slice(at + error.segment.length);
    const next = tryPath(path);
    // placed right, the path gets past the segment: it works, or fails further on
    if (!next || (next.segment !== error.segment && next.segment !== name)) return { field: 'path', value: path, label: name };
  }
  return null;
}

/**
 * Whether an error only says the input is not finished yet: the path ends in the middle
 * of a segment (a syntax error at its very end, an open `[` or quote), or its last key
 * is the start of a key that exists.
 * @param {ReturnType<typeof plainError>} error
 * @param {{mode: string, path: string, spec: string}} state
 */
export function isIncomplete(error, state) {
  const input = state.mode === 'image' ? state.spec : state.path;
  if (error.kind === 'path-syntax' || error.kind === 'image-spec') {
    // the parser ran out of input, or a bracket or quote is still open
    const first = (error.message ?? '').split('\n')[0];
    return (error.column !== null && error.column >= [...input].length) || /unterminated|ends with/.test(first);
  }
  if (error.kind === 'not-found' && error.segment && input.endsWith(error.segment)) {
    // `found` lists what is there: "a mapping with keys a, b, …" or "`name` values `a`, `b`"
    const listed = /(?:keys|values) (.*)$/.exec(error.found ?? '');
    const typed = error.segment.replace(/^\[[^=\]]*=|^\[|\]$/g, '').replace(/^["']|["']$/g, '');
    if (!listed || typed === '') return false;
    return listed[1].split(', ').map((w) => w.replace(/^`|`$/g, '')).some((w) => w !== typed && w.startsWith(typed));
  }
  return false;
}
