// The playground only wires the DOM to the wasm web build: every lookup, edit, quoting
// decision and error message is the core's. What lives here is presentation: the
// URL-hash state, the line diff of before/after, and mapping the core's UTF-8 byte
// offsets to the UTF-16 indices of the textarea.

import { EXAMPLES } from './examples.js';

const WASM_URL = '../wasm/web/gitops_bump.js';
const DIFF_CONTEXT = 2;

const $ = (id) => document.getElementById(id);
const el = {
  status: $('status'),
  example: $('example'),
  file: $('file'),
  yaml: $('yaml'),
  backdrop: $('backdrop'),
  form: $('form'),
  mode: $('mode'),
  path: $('path'),
  spec: $('spec'),
  value: $('value'),
  type: $('type'),
  create: $('create'),
  target: $('target'),
  parsed: $('parsed'),
  select: $('select'),
  all: $('all'),
  share: $('share'),
  copyResult: $('copy-result'),
  actionStatus: $('action-status'),
  errorPanel: $('error-panel'),
  errorKind: $('error-kind'),
  errorFacts: $('error-facts'),
  errorFrame: $('error-frame'),
  matchesHeading: $('matches-heading'),
  matchesCount: $('matches-count'),
  matchesHead: $('matches-head'),
  matchesBody: $('matches-body'),
  matchesEmpty: $('matches-empty'),
  diff: $('diff'),
  diffCount: $('diff-count'),
  result: $('result'),
  version: $('version'),
  summary: $('summary'),
};

let wasm = null;
let lastResult = '';

// ---------------------------------------------------------------- state <-> URL hash

const DEFAULTS = {
  file: 'input.yaml', mode: 'get', path: '', value: '', type: 'string', create: false, select: '', all: false,
  spec: '', target: 'auto',
};

function readForm() {
  return {
    file: el.file.value,
    mode: el.mode.value,
    path: el.path.value,
    value: el.value.value,
    type: el.type.value,
    create: el.create.checked,
    select: el.select.value,
    all: el.all.checked,
    spec: el.spec.value,
    target: el.target.value,
    yaml: el.yaml.value,
  };
}

function writeForm(state) {
  const s = { ...DEFAULTS, ...state };
  el.file.value = s.file;
  el.mode.value = s.mode;
  el.path.value = s.path;
  el.value.value = s.value;
  el.type.value = s.type;
  el.create.checked = Boolean(s.create);
  el.select.value = s.select;
  el.all.checked = Boolean(s.all);
  el.spec.value = s.spec;
  el.target.value = s.target;
  if (typeof s.yaml === 'string') el.yaml.value = s.yaml;
  // A select keeps its old value when given one it does not have.
  if (!el.mode.value) el.mode.value = DEFAULTS.mode;
  if (!el.type.value) el.type.value = DEFAULTS.type;
  if (!el.target.value) el.target.value = DEFAULTS.target;
}

/** The hash holds only what differs from the defaults; an unchanged example by its id. */
function stateToHash(state) {
  const params = new URLSearchParams();
  for (const [key, def] of Object.entries(DEFAULTS)) {
    const v = state[key];
    if (v === def) continue;
    params.set(key, typeof v === 'boolean' ? (v ? '1' : '0') : v);
  }
  const example = EXAMPLES.find((ex) => ex.yaml === state.yaml);
  if (example) params.set('ex', example.id);
  else params.set('yaml', state.yaml);
  return '#' + params.toString();
}

function hashToState(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  if ([...params.keys()].length === 0) return null;
  const state = { ...DEFAULTS };
  for (const [key, def] of Object.entries(DEFAULTS)) {
    if (!params.has(key)) continue;
    state[key] = typeof def === 'boolean' ? params.get(key) === '1' : params.get(key);
  }
  if (params.has('yaml')) state.yaml = params.get('yaml');
  else state.yaml = (EXAMPLES.find((ex) => ex.id === params.get('ex')) ?? EXAMPLES[0]).yaml;
  return state;
}

function saveHash(state) {
  const hash = stateToHash(state);
  if (hash !== location.hash) history.replaceState(null, '', hash);
}

// ---------------------------------------------------------------- errors

/** The core throws Errors carrying kind/line/column/...; anything else becomes `internal`. */
function normalizeError(err) {
  if (err && typeof err === 'object') {
    return {
      kind: err.kind || (err instanceof Error ? 'internal' : 'error'),
      message: String(err.message ?? err),
      line: err.line ?? null,
      column: err.column ?? null,
      segment: err.segment ?? null,
      found: err.found ?? null,
      hint: err.hint ?? null,
      file: err.file ?? null,
    };
  }
  return { kind: 'error', message: String(err), line: null, column: null };
}

// Which input an error is about: its line/column point into that input, not the YAML.
const ERROR_INPUT = {
  'path-syntax': 'path',
  'image-spec': 'spec',
  'invalid-value': 'value',
};

function showError(error, state) {
  el.errorPanel.hidden = false;
  el.errorKind.textContent = error.kind;
  el.errorFacts.replaceChildren();
  const facts = [
    ['kind', error.kind],
    ['line', error.line],
    ['column', error.column],
    ['segment', error.segment],
    ['found', error.found],
    ['hint', error.hint],
  ];
  for (const [name, value] of facts) {
    if (value === null || value === undefined || value === '') continue;
    const dt = document.createElement('dt');
    dt.textContent = name;
    const dd = document.createElement('dd');
    dd.textContent = String(value);
    dd.dataset.fact = name;
    el.errorFacts.append(dt, dd);
  }
  el.errorFrame.textContent = error.message;
  announce(`Error ${error.kind}${error.line ? ` at line ${error.line}` : ''}${error.column ? `, column ${error.column}` : ''}.`);

  const inputName = ERROR_INPUT[error.kind] ?? null;
  for (const name of ['path', 'spec', 'value', 'select']) {
    el[name].setAttribute('aria-invalid', String(name === inputName));
  }
  return inputName === null && error.line ? [lineSpan(state.yaml, error.line, error.column, 'error')] : [];
}

function clearError() {
  el.errorPanel.hidden = true;
  for (const name of ['path', 'spec', 'value', 'select']) el[name].removeAttribute('aria-invalid');
}

// ---------------------------------------------------------------- offsets and spans

/** Map sorted-or-not UTF-8 byte offsets of `text` to UTF-16 indices. */
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

function lineStart(text, line) {
  let index = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf('\n', index);
    if (next < 0) return text.length;
    index = next + 1;
  }
  return index;
}

/** From line:column to the end of that line (columns counted in characters). */
function lineSpan(text, line, column, cls) {
  const start = lineStart(text, line);
  let end = text.indexOf('\n', start);
  if (end < 0) end = text.length;
  if (end > start && text[end - 1] === '\r') end--;
  let from = start;
  if (column) {
    const chars = [...text.slice(start, end)];
    from = start + chars.slice(0, Math.max(0, column - 1)).join('').length;
  }
  return { start: Math.min(from, end), end: Math.max(end, Math.min(from, end) + 1), cls };
}

function foundSpans(text, found, cls) {
  const offsets = found.flatMap((f) => [f.start, f.end]);
  const indices = byteOffsetsToIndices(text, offsets);
  return found.map((f, i) => ({ start: indices[2 * i], end: indices[2 * i + 1], cls }));
}

function renderBackdrop(text, spans) {
  const sorted = spans
    .filter((s) => Number.isInteger(s.start) && Number.isInteger(s.end) && s.end >= s.start)
    .sort((a, b) => a.start - b.start);
  const parts = [];
  let at = 0;
  for (const span of sorted) {
    if (span.start < at) continue; // overlapping: the first one wins
    parts.push(document.createTextNode(text.slice(at, span.start)));
    const mark = document.createElement('mark');
    mark.className = span.cls;
    mark.textContent = text.slice(span.start, Math.max(span.end, span.start)) || ' ';
    parts.push(mark);
    at = Math.max(span.end, span.start);
  }
  // The extra space keeps a final empty line as tall as the textarea's.
  parts.push(document.createTextNode(text.slice(at) + ' '));
  el.backdrop.replaceChildren(...parts);
  syncScroll();
}

function syncScroll() {
  el.backdrop.scrollTop = el.yaml.scrollTop;
  el.backdrop.scrollLeft = el.yaml.scrollLeft;
}

// ---------------------------------------------------------------- diff

function splitLines(text) {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Line diff: trim the common head and tail, LCS over the (small) middle. */
function diffLines(a, b) {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head &&
         a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  const ops = [];
  for (let i = 0; i < head; i++) ops.push([' ', a[i]]);
  if (am.length * bm.length > 4_000_000) {
    for (const line of am) ops.push(['-', line]);
    for (const line of bm) ops.push(['+', line]);
  } else {
    const n = am.length;
    const m = bm.length;
    const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i][j] = am[i] === bm[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && am[i] === bm[j]) { ops.push([' ', am[i]]); i++; j++; }
      else if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) ops.push(['+', bm[j++]]);
      else ops.push(['-', am[i++]]);
    }
    // Show removals before additions within a changed run, as unified diffs do.
    for (let k = head; k < ops.length; k++) {
      let end = k;
      while (end < ops.length && ops[end][0] !== ' ') end++;
      if (end > k) {
        const run = ops.slice(k, end);
        ops.splice(k, end - k, ...run.filter((o) => o[0] === '-'), ...run.filter((o) => o[0] === '+'));
        k = end;
      }
    }
  }
  for (let i = a.length - tail; i < a.length; i++) ops.push([' ', a[i]]);
  return ops;
}

function renderDiff(before, after, file) {
  const ops = diffLines(splitLines(before), splitLines(after));
  const changed = ops.filter((o) => o[0] !== ' ').length;
  const nodes = [];
  if (before === after) {
    el.diffCount.textContent = '';
    const span = document.createElement('span');
    span.className = 'diff-none';
    span.textContent = 'No changes.';
    el.diff.replaceChildren(span);
    return;
  }
  const header = document.createElement('span');
  header.className = 'diff-file';
  header.textContent = `--- a/${file}\n+++ b/${file}\n`;
  nodes.push(header);
  // Hunks: changed lines with DIFF_CONTEXT lines around them.
  const keep = ops.map(() => false);
  ops.forEach((o, i) => {
    if (o[0] === ' ') return;
    for (let k = Math.max(0, i - DIFF_CONTEXT); k <= Math.min(ops.length - 1, i + DIFF_CONTEXT); k++) keep[k] = true;
  });
  let oldLine = 1;
  let newLine = 1;
  let i = 0;
  while (i < ops.length) {
    if (!keep[i]) {
      if (ops[i][0] !== '+') oldLine++;
      if (ops[i][0] !== '-') newLine++;
      i++;
      continue;
    }
    let end = i;
    while (end < ops.length && keep[end]) end++;
    const hunk = ops.slice(i, end);
    const oldCount = hunk.filter((o) => o[0] !== '+').length;
    const newCount = hunk.filter((o) => o[0] !== '-').length;
    const at = document.createElement('span');
    at.className = 'diff-hunk';
    at.textContent = `@@ -${oldCount ? oldLine : oldLine - 1},${oldCount} +${newCount ? newLine : newLine - 1},${newCount} @@\n`;
    nodes.push(at);
    for (const [sign, line] of hunk) {
      const span = document.createElement('span');
      span.className = sign === '+' ? 'diff-add' : sign === '-' ? 'diff-del' : 'diff-ctx';
      span.textContent = `${sign}${line.replace(/\r$/, '␍')}\n`;
      nodes.push(span);
    }
    oldLine += oldCount;
    newLine += newCount;
    i = end;
  }
  el.diff.replaceChildren(...nodes);
  el.diffCount.textContent = `${changed} line${changed === 1 ? '' : 's'}`;
}

// ---------------------------------------------------------------- tables

function cell(text, cls) {
  const td = document.createElement('td');
  if (cls) td.className = cls;
  if (text === null || text === undefined) {
    td.textContent = '—';
    td.classList.add('none');
  } else {
    const code = document.createElement('code');
    code.textContent = String(text);
    td.append(code);
  }
  return td;
}

function position(item) {
  return item.line ? `${item.line}:${item.column}` : null;
}

const MATCH_COLUMNS = [
  ['Path', 'path', (f) => f.path],
  ['Value', 'value', (f) => f.value ?? f.source],
  // The contract names it `kind`; the wasm shim sends `type`.
  ['Type', 'type', (f) => f.type ?? f.kind],
  ['Line:Col', 'pos', position],
  ['Doc', 'doc', (f) => f.doc],
];

const CHANGE_COLUMNS = [
  ['Path', 'path', (c) => c.path],
  ['Old', 'old', (c) => c.old],
  ['New', 'new', (c) => c.new],
  ['Kind', 'kind', (c) => c.kind],
  ['Line:Col', 'pos', position],
  ['Doc', 'doc', (c) => c.doc],
];

/** One table for both matches (get) and changes (set, image); `decorate(tr, item, i)`. */
function renderTable(heading, columns, items, emptyMessage, decorate) {
  el.matchesHeading.textContent = heading;
  const headRow = document.createElement('tr');
  for (const [title] of columns) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = title;
    headRow.append(th);
  }
  el.matchesHead.replaceChildren(headRow);
  el.matchesBody.replaceChildren(...items.map((item, i) => {
    const tr = document.createElement('tr');
    tr.append(...columns.map(([, cls, get]) => cell(get(item), cls)));
    decorate(tr, item, i);
    return tr;
  }));
  el.matchesCount.textContent = String(items.length);
  el.matchesEmpty.hidden = items.length > 0;
  el.matchesEmpty.textContent = emptyMessage;
}

function renderMatches(found, spans) {
  renderTable('Matches', MATCH_COLUMNS, found, 'No matches.', (tr, f, i) => {
    tr.className = 'match';
    tr.tabIndex = 0;
    tr.title = 'Select this span in the source';
    const pick = () => selectSpan(spans[i]);
    tr.addEventListener('click', pick);
    tr.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); pick(); }
    });
  });
}

function renderChanges(changes) {
  renderTable('Changes', CHANGE_COLUMNS, changes, 'No changes.', (tr, c) => {
    tr.className = `change change-${c.kind}`;
  });
}

function clearTable(message) {
  el.matchesHead.replaceChildren();
  el.matchesBody.replaceChildren();
  el.matchesCount.textContent = '';
  el.matchesEmpty.hidden = false;
  el.matchesEmpty.textContent = message;
}

function selectSpan(span) {
  if (!span) return;
  el.yaml.focus();
  el.yaml.setSelectionRange(span.start, span.end);
  // Bring the selection into view: scroll so its line is about a third down.
  const line = el.yaml.value.slice(0, span.start).split('\n').length - 1;
  const lineHeight = parseFloat(getComputedStyle(el.yaml).lineHeight) || 18;
  el.yaml.scrollTop = Math.max(0, line * lineHeight - el.yaml.clientHeight / 3);
  syncScroll();
}

// ---------------------------------------------------------------- run

/** A core export, or an error saying this wasm build lacks it. */
function core(name) {
  if (typeof wasm[name] !== 'function') {
    throw Object.assign(new Error(`this wasm build has no ${name}(): rebuild it (pkg/scripts/build-wasm.sh)`),
      { kind: 'usage' });
  }
  return wasm[name];
}

function fileName(state) {
  return state.file.trim() || DEFAULTS.file;
}

function options(state, extra) {
  const o = { file: fileName(state), ...extra };
  if (state.select.trim()) o.select = state.select.trim();
  if (state.all) o.all = true;
  return o;
}

function runGet(state) {
  const found = Array.from(core('getValue')(state.yaml, state.path, options(state)));
  const spans = foundSpans(state.yaml, found, 'match');
  renderMatches(found, spans);
  return { text: state.yaml, spans };
}

function runSet(state) {
  const out = core('setValue')(state.yaml, state.path, state.value,
    options(state, { type: state.type, create: state.create }));
  const changes = Array.from(out.changes ?? []);
  renderChanges(changes);
  let spans = [];
  try {
    spans = foundSpans(state.yaml, Array.from(core('getValue')(state.yaml, state.path, options(state))), 'match');
  } catch {
    // With `create`, the path may not exist yet: point at the changes instead.
    spans = changeSpans(state, changes);
  }
  return { text: out.text, spans };
}

function runImage(state) {
  renderParsed(state.spec);
  const out = core('setImage')(state.yaml, state.spec, { file: fileName(state), target: state.target });
  const changes = Array.from(out.changes ?? []);
  renderChanges(changes);
  return { text: out.text, spans: changeSpans(state, changes) };
}

/** The source spans of the changed values: each change's concrete path, in its document. */
function changeSpans(state, changes) {
  return changes.filter((c) => c.line).map((c) => {
    try {
      const found = Array.from(core('getValue')(state.yaml, c.path, { file: fileName(state), all: true }))
        .filter((f) => f.doc === c.doc && f.line === c.line);
      if (found.length === 1) return foundSpans(state.yaml, found, 'match')[0];
    } catch {
      // An inserted node has no span in the input yet.
    }
    return lineSpan(state.yaml, c.line, c.column, 'match');
  });
}

function renderParsed(spec) {
  el.parsed.replaceChildren();
  let parsed = null;
  try {
    if (spec.trim()) parsed = core('parseImageSpec')(spec);
  } catch {
    // Not a kustomize spec (a Flux `ns:policy=…` one, or an error setImage reports).
  }
  for (const key of ['name', 'newName', 'newTag', 'digest']) {
    if (!parsed || parsed[key] === undefined || parsed[key] === null || parsed[key] === '') continue;
    const item = document.createElement('span');
    item.className = 'kv';
    const k = document.createElement('span');
    k.className = 'k';
    k.textContent = key;
    const v = document.createElement('code');
    v.textContent = parsed[key];
    item.append(k, v);
    el.parsed.append(item);
  }
  if (!el.parsed.childElementCount) el.parsed.textContent = '—';
}

function showModes(mode) {
  for (const node of document.querySelectorAll('[data-modes]')) {
    node.hidden = !node.dataset.modes.split(' ').includes(mode);
  }
}

function run() {
  const state = readForm();
  showModes(state.mode);
  saveHash(state);
  if (!wasm) return;

  const needs = state.mode === 'image' ? state.spec : state.path;
  if (!needs.trim()) {
    clearError();
    clearTable(state.mode === 'image' ? 'Type an image spec.' : 'Type a key path.');
    el.parsed.replaceChildren();
    finish(state, state.yaml, []);
    return;
  }
  try {
    const run = state.mode === 'set' ? runSet : state.mode === 'image' ? runImage : runGet;
    const { text, spans } = run(state);
    clearError();
    finish(state, text, spans);
  } catch (err) {
    const error = normalizeError(err);
    const spans = showError(error, state);
    clearTable(error.kind === 'internal' ? 'The core failed.' : 'No result: see the error.');
    finish(state, state.yaml, spans);
    if (error.kind === 'internal') console.error(err);
  }
}

/** One short sentence for screen readers; rewritten only when it changes. */
function announce(text) {
  if (el.summary.textContent !== text) el.summary.textContent = text;
}

function finish(state, after, spans) {
  const before = state.yaml;
  lastResult = after;
  renderBackdrop(before, spans);
  el.result.textContent = after;
  el.result.dataset.changed = String(before !== after);
  renderDiff(before, after, fileName(state));
  document.body.dataset.state = 'ready';
  if (el.errorPanel.hidden) {
    const n = el.matchesBody.rows.length;
    const what = el.matchesHeading.textContent === 'Changes' ? 'change' : 'match';
    announce(`${n} ${what}${n === 1 ? '' : what === 'match' ? 'es' : 's'}${before === after ? '' : ', YAML changed'}.`);
  }
}

// ---------------------------------------------------------------- wiring

function loadExample(id) {
  const ex = EXAMPLES.find((e) => e.id === id);
  if (!ex) return;
  writeForm({ ...DEFAULTS, ...ex.state, yaml: ex.yaml });
  run();
}

async function flash(message) {
  el.actionStatus.textContent = message;
  setTimeout(() => { if (el.actionStatus.textContent === message) el.actionStatus.textContent = ''; }, 2500);
}

async function copy(text, what) {
  try {
    await navigator.clipboard.writeText(text);
    flash(`${what} copied.`);
  } catch {
    flash(`Could not copy the ${what.toLowerCase()}: select it and copy by hand.`);
  }
}

function wire() {
  for (const ex of EXAMPLES) {
    const option = document.createElement('option');
    option.value = ex.id;
    option.textContent = ex.label;
    el.example.append(option);
  }
  el.example.addEventListener('change', () => {
    loadExample(el.example.value);
    el.example.value = '';
  });
  el.form.addEventListener('input', run);
  el.form.addEventListener('change', run);
  el.form.addEventListener('submit', (e) => { e.preventDefault(); run(); });
  el.yaml.addEventListener('input', run);
  el.file.addEventListener('input', run); // outside the <form> element in the DOM
  el.yaml.addEventListener('scroll', syncScroll);
  el.yaml.addEventListener('keydown', (e) => {
    // Tab inserts two spaces (YAML has no tabs); Escape then Tab leaves the editor.
    if (e.key === 'Tab' && !e.shiftKey && !el.yaml.dataset.escaped) {
      e.preventDefault();
      el.yaml.setRangeText('  ', el.yaml.selectionStart, el.yaml.selectionEnd, 'end');
      run();
    } else if (e.key === 'Escape') {
      el.yaml.dataset.escaped = '1';
    } else {
      delete el.yaml.dataset.escaped;
    }
  });
  el.share.addEventListener('click', () => copy(location.href, 'Link'));
  el.copyResult.addEventListener('click', () => copy(lastResult, 'Result YAML'));
  window.addEventListener('hashchange', () => {
    const state = hashToState(location.hash);
    if (state) { writeForm(state); run(); }
  });
}

async function main() {
  wire();
  const fromHash = hashToState(location.hash);
  if (fromHash) writeForm(fromHash);
  else writeForm({ ...DEFAULTS, ...EXAMPLES[0].state, yaml: EXAMPLES[0].yaml });
  showModes(el.mode.value);
  renderBackdrop(el.yaml.value, []);

  try {
    const mod = await import(WASM_URL);
    await mod.default();
    wasm = mod;
  } catch (err) {
    el.status.textContent =
      'Could not load the WebAssembly core (pkg/wasm/web/gitops_bump.js). Build it with pkg/scripts/build-wasm.sh. ' +
      `(${err && err.message ? err.message : err})`;
    el.status.classList.add('bad');
    document.body.dataset.state = 'no-wasm';
    return;
  }
  const version = typeof wasm.version === 'function' ? wasm.version() : '?';
  el.version.textContent = `gitops-bump core ${version}`;
  el.status.textContent = `Ready — core ${version}. Results update as you type.`;
  run();
}

main();
