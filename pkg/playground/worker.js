// The core, off the page's main thread: typing never waits for a parse. Each message is
// one job (the controls and the repository's files); the reply is what the page shows:
// the result text, matches or changes, highlight spans as UTF-16 indices of the source,
// the unified diff (the same one `gitops-bump … --dry-run` prints), or the core's error.

import init, * as core from '../wasm/web/gitops_bump.js';
import { lineMap, unifiedDiff } from '../src/diff.js';
import { uncheckedNotes } from '../src/unchecked.js';
import { Repo } from './repo.js';
import { plainError, suggestion } from './errors.js';

const ready = init().then(() => core.version());

/** Map UTF-8 byte offsets of `text` to UTF-16 indices. */
function byteOffsetsToIndices(text, offsets) {
  if (/^[\x00-\x7f]*$/.test(text)) return offsets.slice();
  const wanted = [...new Set(offsets)].sort((a, b) => a - b);
  const map = new Map();
  let bytes = 0;
  let index = 0;
  let w = 0;
  for (const ch of text) {
    while (w < wanted.length && wanted[w] <= bytes) map.set(wanted[w++], index);
    const cp = ch.codePointAt(0);
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    index += ch.length;
  }
  while (w < wanted.length) map.set(wanted[w++], index);
  return offsets.map((o) => map.get(o));
}

function foundSpans(text, found) {
  const indices = byteOffsetsToIndices(text, found.flatMap((f) => [f.start, f.end]));
  return found.map((_, i) => ({ start: indices[2 * i], end: indices[2 * i + 1] }));
}

/** `{start, end}` of a 1-based line from a 1-based column (in characters) to its end. */
function lineSpan(text, line, column) {
  let start = 0;
  for (let l = 1; l < line && start >= 0; l++) start = text.indexOf('\n', start) + (start >= 0 ? 1 : 0);
  if (start < 0) start = text.length;
  let end = text.indexOf('\n', start);
  if (end < 0) end = text.length;
  if (end > start && text[end - 1] === '\r') end--;
  const from = column ? Math.min(end, start + [...text.slice(start, end)].slice(0, column - 1).join('').length) : start;
  return { start: from, end: Math.max(end, from + 1) };
}

function options(job, extra) {
  const o = { file: job.file, ...extra };
  if (job.select.trim()) o.select = job.select.trim();
  if (job.all) o.all = true;
  return o;
}

/**
 * The span of each changed value in the source, from the change's line and column (which
 * are those of the new value in the new text `after`, so they are taken back to the
 * source's lines first): a quoted scalar to its closing quote, a plain one as long as its
 * old value, else to the end of the line; an inserted value marks the end of the line it
 * goes after. No second parse of the file.
 */
function changeSpans(text, after, changes) {
  const back = lineMap(after, text);
  return changes.filter((c) => c.line).map((c) => {
    const line = c.kind === 'insert' ? lineSpan(text, Math.max(1, back(c.line) - 1), Infinity) : lineSpan(text, back(c.line), c.column);
    const q = text[line.start];
    if (q === '"' || q === "'") {
      for (let i = line.start + 1; i < line.end; i++) {
        if (q === '"' && text[i] === '\\') i++;
        else if (q === "'" && text[i] === "'" && text[i + 1] === "'") i++;
        else if (text[i] === q) return { start: line.start, end: i + 1 };
      }
    } else if (c.old && text.startsWith(c.old, line.start)) {
      return { start: line.start, end: line.start + c.old.length };
    }
    return line;
  });
}

function parsedSpec(spec) {
  try {
    return spec.trim() ? core.parseImageSpec(spec) : null;
  } catch {
    return null; // a Flux `ns:policy=…` spec, or an error the edit reports
  }
}

/**
 * Each span with the start of its first line and that line's 0-based number: the page
 * draws a highlight from there (one line block), not from the top of the file.
 */
function withLines(text, spans) {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  let line = 0;
  let at = 0;
  let lineStart = 0;
  for (const span of sorted) {
    for (let nl = text.indexOf('\n', at); nl >= 0 && nl < span.start; nl = text.indexOf('\n', nl + 1)) {
      line++;
      lineStart = nl + 1;
    }
    at = lineStart;
    Object.assign(span, { line, lineStart });
  }
  return spans;
}

/** The page's answer to one job. */
function run(job) {
  const text = job.files[job.file] ?? '';
  const reply = { text, after: text, items: [], spans: [], diff: '', parsed: null, error: null, unchecked: [] };
  if (job.mode === 'image') reply.parsed = parsedSpec(job.spec);
  if (!(job.mode === 'image' ? job.spec : job.path).trim()) return reply;
  try {
    if (job.mode === 'get') {
      reply.items = Array.from(core.getValue(text, job.path, options(job)));
      reply.spans = foundSpans(text, reply.items);
    } else if (job.mode === 'set') {
      const out = core.setValue(text, job.path, job.value, options(job, { type: job.type === 'auto' ? undefined : job.type, create: job.create }));
      reply.after = out.text;
      reply.items = Array.from(out.changes ?? []);
      reply.spans = changeSpans(text, reply.after, reply.items);
    } else {
      // What `gitops-bump image FILE SPEC` does: the overlay check runs over the repository.
      const out = core.imageEdit(job.file, job.spec, new Repo(job.files).fileSource(), { force: job.force });
      // what the overlay check could not see: the page says so, as every front end does
      reply.unchecked = uncheckedNotes(Array.from(out.unchecked ?? [], (u) => ({ ...u, spec: job.spec })));
      reply.after = out.text;
      reply.items = Array.from(out.changes ?? []);
      reply.spans = changeSpans(text, reply.after, reply.items);
    }
  } catch (err) {
    reply.error = plainError(err);
    if (reply.error.kind === 'internal') reply.error.message = String(err?.stack ?? err);
    reply.error.suggestion = suggestion(reply.error, job, (path) => {
      try {
        core.getValue(text, path, options(job, { all: true }));
        return null;
      } catch (e) {
        return plainError(e);
      }
    });
    if (reply.error.line && !['path-syntax', 'image-spec', 'invalid-value', 'unknown-image'].includes(reply.error.kind)) {
      reply.spans = [{ ...lineSpan(text, reply.error.line, reply.error.column), error: true }];
    }
  }
  reply.spans = withLines(text, reply.spans.filter((sp) => Number.isInteger(sp.start) && Number.isInteger(sp.end) && sp.end >= sp.start));
  if (reply.after !== text) reply.diff = unifiedDiff(text, reply.after, { fromFile: `a/${job.file}`, toFile: `b/${job.file}` });
  return reply;
}

addEventListener('message', async (event) => {
  const { id, job } = event.data;
  try {
    const version = await ready;
    postMessage({ id, version, reply: job ? run(job) : null });
  } catch (err) {
    postMessage({ id, failed: String(err?.message ?? err) });
  }
});
