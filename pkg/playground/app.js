// The playground only wires the DOM to the wasm web build: every lookup, edit, quoting
// decision, overlay check and error message is the core's, run in a worker (worker.js)
// so that typing never waits for it. What lives here is presentation: the file list,
// the highlight layer, the tables, the diff, the pipeline snippets and the URL state.

import { EXAMPLES } from './examples.js';
import { Repo, normalizePath } from './repo.js';
import { decodeState, urlSaver } from './share.js';
import { actionSnippet, cliSnippet, orbSnippet } from './snippets.js';
import { ERROR_INPUT, frameText, isIncomplete, pageHint } from './errors.js';

const $ = (id) => document.getElementById(id);
const el = Object.fromEntries([
  'status', 'example', 'files', 'new-file', 'delete-file', 'file', 'yaml', 'backdrop', 'form', 'mode', 'path',
  'spec', 'value', 'type', 'create', 'force', 'parsed', 'select', 'all', 'share', 'copy-result', 'action-status',
  'error-panel', 'error-heading', 'error-kind', 'error-facts', 'error-frame', 'suggest', 'suggestion',
  'matches-heading', 'matches-count', 'matches-head', 'matches-body', 'matches-empty', 'diff', 'diff-count',
  'result', 'version', 'summary', 'snippet-cli', 'snippet-action', 'snippet-orb', 'snippets-stale',
  'unchecked-panel', 'unchecked-headline', 'unchecked-list',
].map((id) => [id.replace(/-(\w)/g, (_, c) => c.toUpperCase()), $(id)]));

/** The controls and their defaults; the URL keeps only what differs. */
const CONTROLS = { mode: 'get', path: '', value: '', type: 'auto', create: false, select: '', all: false, spec: '', force: false };
const INPUTS = ['path', 'spec', 'value', 'select'];

let repo = new Repo();
let pasted = false; // a paste waits for its answer, to bring it into view
let open = '';
let exampleId = null; // the example the files came from, while they are unchanged
let shown = { text: null, spansKey: null, after: '' };
let suggestionToApply = null;
let sendScheduled = false; // a change waits for the next frame to reach the core

// ---------------------------------------------------------------- state

function controls() {
  const s = {};
  for (const [key, def] of Object.entries(CONTROLS)) s[key] = typeof def === 'boolean' ? el[key].checked : el[key].value;
  return s;
}

function setControls(state) {
  for (const [key, def] of Object.entries(CONTROLS)) {
    const v = state[key] ?? def;
    if (typeof def === 'boolean') el[key].checked = Boolean(v);
    else el[key].value = v;
    // A select keeps its old value when given one it does not have.
    if (el[key].tagName === 'SELECT' && !el[key].value) el[key].value = def;
  }
}

/** What a link holds: the files (or the example they came from), the open file, the controls. */
function snapshot() {
  const state = { v: 1, open };
  const example = EXAMPLES.find((ex) => ex.id === exampleId);
  if (example && repo.equals(example.files)) state.ex = example.id;
  else state.files = repo.toObject();
  for (const [key, value] of Object.entries(controls())) if (value !== CONTROLS[key]) state[key] = value;
  return state;
}

/** Puts a saved (or example) state on the page. */
function restore(state) {
  if (state.legacy) state = fromLegacy(state.legacy);
  const example = EXAMPLES.find((ex) => ex.id === state.ex);
  repo = new Repo(state.files ?? example?.files ?? EXAMPLES[0].files);
  exampleId = state.files ? null : (example ?? EXAMPLES[0]).id;
  setControls(state);
  openFile(repo.has(state.open ?? '') ? normalizePath(state.open) : repo.paths()[0]);
}

/** A link of the older one-file form: `#mode=set&path=…&file=…&yaml=…` or `&ex=…`. */
function fromLegacy(p) {
  const state = { ...p, all: p.all === '1', create: p.create === '1', open: p.file };
  if (p.yaml !== undefined) state.files = { [normalizePath(p.file ?? '') ?? 'input.yaml']: p.yaml };
  if (state.files) state.open = Object.keys(state.files)[0];
  return state;
}

function loadExample(id) {
  const ex = EXAMPLES.find((e) => e.id === id);
  if (ex) restore({ ex: ex.id, open: ex.state.file, ...ex.state });
  changed();
}

const saver = urlSaver(snapshot);

// ---------------------------------------------------------------- files

function openFile(path) {
  open = path;
  el.yaml.value = repo.read(path) ?? '';
  el.file.value = path;
  el.file.removeAttribute('aria-invalid');
  el.yaml.scrollTop = 0;
  el.yaml.scrollLeft = 0;
  syncScroll();
  renderFiles();
}

function renderFiles() {
  el.files.replaceChildren(...repo.paths().map((path) => {
    const li = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'file-tab';
    button.dataset.file = path;
    const slash = path.lastIndexOf('/');
    const dir = document.createElement('span');
    dir.className = 'dir';
    dir.textContent = path.slice(0, slash + 1);
    button.append(dir, path.slice(slash + 1));
    if (path === open) button.setAttribute('aria-current', 'true');
    li.append(button);
    return li;
  }));
  el.deleteFile.disabled = repo.files.size <= 1;
}

function newFile() {
  const dir = open.includes('/') ? open.slice(0, open.lastIndexOf('/') + 1) : '';
  let path = `${dir}new.yaml`;
  for (let i = 2; repo.has(path); i++) path = `${dir}new-${i}.yaml`;
  repo.write(path, '');
  openFile(path);
  el.file.focus();
  el.file.select();
  changed();
}

function renameOpenFile() {
  const to = normalizePath(el.file.value);
  if (to === open) return;
  if (to === null || !repo.rename(open, to)) {
    el.file.setAttribute('aria-invalid', 'true');
    flash(to === null ? 'Not a file path inside the repository.' : `${to} already exists.`);
    return;
  }
  openFile(to);
  changed();
}

// ---------------------------------------------------------------- the core, in a worker

const engine = {
  worker: null,
  busy: false,
  pending: null,
  sent: null,
  request(job) {
    document.body.dataset.state = 'busy';
    this.pending = job;
    if (!this.busy && this.worker) this.next();
  },
  next() {
    if (!this.pending) return;
    this.sent = this.pending;
    this.pending = null;
    this.busy = true;
    this.worker.postMessage({ job: this.sent });
  },
};

function job() {
  return { ...controls(), file: open, files: repo.toObject() };
}

/** Runs `fn` once the next frame is painted (or soon, in a hidden page that paints none). */
function afterPaint(fn) {
  let done = false;
  const run = () => {
    if (!done) {
      done = true;
      fn();
    }
  };
  requestAnimationFrame(() => setTimeout(run, 0));
  setTimeout(run, 100);
}

/**
 * Any edit: the URL is saved once typing pauses; the core runs on the latest state,
 * started after the keystroke's frame is painted so the two never compete for a core.
 */
function changed() {
  showModes(el.mode.value);
  saver.schedule();
  document.body.dataset.state = 'busy';
  if (sendScheduled) return;
  sendScheduled = true;
  afterPaint(() => {
    sendScheduled = false;
    engine.request(job());
  });
}

function startWorker() {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    worker.addEventListener('error', (event) => reject(new Error(event.message || 'the worker did not start')), { once: true });
    worker.addEventListener('message', (event) => {
      if (event.data.failed) {
        reject(new Error(event.data.failed));
        return;
      }
      if (!engine.worker) {
        engine.worker = worker;
        resolve(event.data.version);
        return;
      }
      engine.busy = false;
      // a newer state is waiting (sent, or to be sent after this frame): show that one
      if (!engine.pending && !sendScheduled) {
        const start = performance.now();
        render(engine.sent, event.data.reply);
        // the keystroke benchmark reads these (benches/playground-keystroke.mjs)
        performance.measure('playground:render', { start, end: performance.now() });
      }
      engine.next();
      if (!engine.busy && !sendScheduled) document.body.dataset.state = 'ready';
    });
    worker.postMessage({ job: null });
  });
}

// ---------------------------------------------------------------- render

function showModes(mode) {
  for (const node of document.querySelectorAll('[data-modes]')) {
    const hidden = !node.dataset.modes.split(' ').includes(mode);
    if (node.hidden !== hidden) node.hidden = hidden;
  }
}

function render(job, reply) {
  if (job.file !== open) return; // the file was switched meanwhile; a newer job follows
  const incomplete = reply.error ? isIncomplete(reply.error, job) : false;
  if (reply.error) showError(reply.error, job, incomplete);
  else clearError();
  if (job.mode === 'image') renderParsed(reply.parsed);
  renderUnchecked(reply.error ? [] : (reply.unchecked ?? []));
  if (reply.error) clearTable(incomplete ? 'Keep typing…' : 'No result: see the error.');
  else if (!(job.mode === 'image' ? job.spec : job.path).trim()) clearTable(job.mode === 'image' ? 'Type an image spec.' : 'Type a key path.');
  else if (job.mode === 'get') renderMatches(reply.items, reply.spans);
  else renderChanges(reply.items);
  renderBackdrop(reply.text, incomplete ? [] : reply.spans);
  renderDiff(reply.diff);
  if (shown.after !== reply.after) el.result.textContent = reply.after;
  shown.after = reply.after;
  el.result.dataset.changed = String(reply.after !== reply.text);
  renderSnippets(job, reply.error);
  if (pasted) {
    pasted = false;
    revealFirst(reply);
  }
  if (!reply.error) {
    const n = reply.items.length;
    const what = job.mode === 'get' ? (n === 1 ? 'match' : 'matches') : (n === 1 ? 'change' : 'changes');
    announce(`${n} ${what}${reply.after === reply.text ? '' : `, ${job.file} changed`}.`);
  }
}

/** What the overlay check could not see for the edit on screen (hidden when it saw all). */
function renderUnchecked(notes) {
  el.uncheckedPanel.hidden = notes.length === 0;
  if (!notes.length) return;
  el.uncheckedHeadline.textContent = `${notes[0].headline[0].toUpperCase()}${notes[0].headline.slice(1)}.`;
  el.uncheckedList.replaceChildren(
    ...notes[0].items.map((item) => {
      const li = document.createElement('li');
      li.textContent = item;
      return li;
    }),
  );
}

function showError(error, job, incomplete) {
  el.errorPanel.hidden = false;
  el.errorPanel.classList.toggle('calm', incomplete);
  el.errorHeading.textContent = incomplete ? 'Not finished yet' : 'Error';
  el.errorKind.textContent = error.kind;
  el.errorFrame.textContent = frameText(error.message);
  const facts = [
    ['segment', error.segment],
    ['found', error.found],
    ['hint', error.suggestion ? null : pageHint(error, job.mode)],
  ];
  el.errorFacts.replaceChildren(...facts.filter(([, v]) => v).flatMap(([name, value]) => {
    const dt = document.createElement('dt');
    dt.textContent = name;
    const dd = document.createElement('dd');
    dd.append(...breakable(value));
    dd.dataset.fact = name;
    return [dt, dd];
  }));
  el.errorPanel.dataset.line = error.line ?? '';
  el.errorPanel.dataset.column = error.column ?? '';
  suggestionToApply = error.suggestion ?? null;
  el.suggest.hidden = !suggestionToApply;
  if (suggestionToApply) el.suggestion.textContent = suggestionToApply.label;
  const input = ERROR_INPUT[error.kind] ?? null;
  for (const name of INPUTS) el[name].setAttribute('aria-invalid', String(!incomplete && name === input));
  if (!incomplete) announce(`Error ${error.kind}${error.line ? ` at line ${error.line}` : ''}${error.column ? `, column ${error.column}` : ''}.`);
}

function clearError() {
  el.errorPanel.hidden = true;
  suggestionToApply = null;
  for (const name of INPUTS) el[name].removeAttribute('aria-invalid');
}

/**
 * The highlight layer under the textarea: one block per highlight, placed at its line,
 * holding that line's text up to the mark (so the mark lands on the same columns) and
 * the mark. Typing in a 2,000-line file re-lays out a few lines here, not the file.
 */
function renderBackdrop(text, spans) {
  const key = spans.map((s) => `${s.start}-${s.end}${s.error ? 'e' : ''}`).join(',');
  if (shown.text === text && shown.spansKey === key) return;
  shown = { ...shown, text, spansKey: key };
  el.backdrop.replaceChildren(...spans.map((span) => {
    const block = document.createElement('div');
    block.className = 'hl';
    block.style.setProperty('--line', span.line);
    const mark = document.createElement('mark');
    mark.className = span.error ? 'error' : 'match';
    mark.textContent = text.slice(span.start, span.end) || ' ';
    block.append(text.slice(span.lineStart, span.start), mark);
    return block;
  }));
}

function syncScroll() {
  el.backdrop.style.transform = `translate(${-el.yaml.scrollLeft}px, ${-el.yaml.scrollTop}px)`;
}

function renderDiff(diff) {
  if (!diff) {
    el.diffCount.textContent = '';
    const span = document.createElement('span');
    span.className = 'diff-none';
    span.textContent = 'No changes.';
    el.diff.replaceChildren(span);
    return;
  }
  let changedLines = 0;
  el.diff.replaceChildren(...diff.replace(/\n$/, '').split('\n').map((line, i) => {
    const span = document.createElement('span');
    const sign = line[0];
    span.className = i < 2 ? 'diff-file' : line.startsWith('@@') ? 'diff-hunk' : sign === '+' ? 'diff-add' : sign === '-' ? 'diff-del' : 'diff-ctx';
    if (i >= 2 && (sign === '+' || sign === '-')) changedLines++;
    span.textContent = `${line.replace(/\r$/, '␍')}\n`;
    return span;
  }));
  el.diffCount.textContent = `${changedLines} line${changedLines === 1 ? '' : 's'}`;
}

/**
 * The snippets, or while the edit fails, a note instead of them: a snippet of an edit that
 * fails would fail the same way in the pipeline, so none is offered to copy.
 */
function renderSnippets(job, error) {
  const failing = Boolean(error);
  el.snippetsStale.hidden = !failing;
  for (const pre of [el.snippetCli, el.snippetAction, el.snippetOrb]) {
    pre.closest('.snippet').hidden = failing;
  }
  if (failing) return;
  el.snippetCli.textContent = cliSnippet(job);
  const reading = '# Reading is not a pipeline step: switch the mode to set or image.';
  el.snippetAction.textContent = actionSnippet(job) ?? reading;
  el.snippetOrb.textContent = orbSnippet(job) ?? reading;
}

/**
 * After a paste: brings the first highlight (the match, the change or the error) into
 * the editor's view, and its row or the error panel into the page's view.
 */
function revealFirst(reply) {
  const first = reply.spans.find((s) => s.error) ?? reply.spans[0];
  if (first) {
    const lineHeight = parseFloat(getComputedStyle(el.yaml).lineHeight) || 18;
    const top = first.line * lineHeight;
    if (top < el.yaml.scrollTop || top + lineHeight > el.yaml.scrollTop + el.yaml.clientHeight) {
      el.yaml.scrollTop = Math.max(0, top - el.yaml.clientHeight / 3);
      syncScroll();
    }
  }
  const target = reply.error ? el.errorPanel : el.matchesBody.querySelector('tr');
  target?.scrollIntoView({ block: 'nearest' });
}

// ---------------------------------------------------------------- tables

/** Text with break opportunities after `.`, `/` and `,` only: no break inside a word. */
function breakable(text) {
  const nodes = [];
  for (const part of String(text).split(/(?<=[./,=])/)) {
    if (nodes.length) nodes.push(document.createElement('wbr'));
    nodes.push(part);
  }
  return nodes;
}

function cell(text, cls, title) {
  const td = document.createElement('td');
  td.className = cls;
  td.dataset.label = title;
  if (text === null || text === undefined) {
    td.textContent = '—';
    td.classList.add('none');
  } else {
    const code = document.createElement('code');
    code.append(...breakable(text));
    td.append(code);
  }
  return td;
}

const position = (item) => (item.line ? `${item.line}:${item.column}` : null);

const MATCH_COLUMNS = [
  ['Path', 'path', (f) => f.path],
  ['Value', 'value', (f) => f.value ?? f.source],
  ['Type', 'type', (f) => f.type ?? f.kind],
  ['Line:Col', 'pos', position],
  ['Doc', 'doc', (f) => f.doc],
];

const CHANGE_COLUMNS = [
  ['Path', 'path', (c) => c.path],
  ['Old', 'old', (c) => c.old],
  ['New', 'new', (c) => c.new],
  ['Kind', 'kind', (c) => c.kind],
  // a change of type is made and always shown: `int → string`
  ['Type', 'type', (c) => (typeChanged(c) ? `${c.oldType} → ${c.newType}` : c.newType ?? c.oldType)],
  ['Line:Col', 'pos', position],
  ['Doc', 'doc', (c) => c.doc],
];

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
    tr.append(...columns.map(([title, cls, get]) => cell(get(item), cls, title)));
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
    tr.dataset.span = `${spans[i]?.start}-${spans[i]?.end}`;
  });
}

function typeChanged(c) {
  return Boolean(c.oldType && c.newType && c.oldType !== c.newType);
}

function renderChanges(changes) {
  renderTable('Changes', CHANGE_COLUMNS, changes, 'No changes.', (tr, c) => {
    tr.className = `change change-${c.kind}${typeChanged(c) ? ' type-changed' : ''}`;
    if (typeChanged(c)) tr.title = `The value's type changed (${c.oldType} → ${c.newType}); pick a type to write another one.`;
  });
}

function clearTable(message) {
  el.matchesHead.replaceChildren();
  el.matchesBody.replaceChildren();
  el.matchesCount.textContent = '';
  el.matchesEmpty.hidden = false;
  el.matchesEmpty.textContent = message;
}

function selectSpan(row) {
  const [start, end] = (row.dataset.span ?? '').split('-').map(Number);
  if (!Number.isInteger(start) || !Number.isInteger(end)) return;
  el.yaml.focus();
  el.yaml.setSelectionRange(start, end);
  // Bring the selection into view: its line about a third down.
  const line = el.yaml.value.slice(0, start).split('\n').length - 1;
  const lineHeight = parseFloat(getComputedStyle(el.yaml).lineHeight) || 18;
  el.yaml.scrollTop = Math.max(0, line * lineHeight - el.yaml.clientHeight / 3);
  syncScroll();
}

function renderParsed(parsed) {
  el.parsed.replaceChildren();
  for (const key of ['name', 'newName', 'newTag', 'digest']) {
    // `*` keeps the field as it is: nothing to show
    if (!parsed || parsed[key] === undefined || parsed[key] === null || parsed[key] === '' || parsed[key] === '*') continue;
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

// ---------------------------------------------------------------- small things

/** One short sentence for screen readers; rewritten only when it changes. */
function announce(text) {
  if (el.summary.textContent !== text) el.summary.textContent = text;
}

let flashTimer = null;

/** A short status next to the buttons, shown for 2.5 s after the last one. */
function flash(message) {
  clearTimeout(flashTimer);
  el.actionStatus.textContent = message;
  flashTimer = setTimeout(() => { el.actionStatus.textContent = ''; }, 2500);
}

async function copy(text, what) {
  try {
    await navigator.clipboard.writeText(text);
    flash(`${what} copied.`);
  } catch {
    flash(`Could not copy the ${what.toLowerCase()}: select it and copy by hand.`);
  }
}

// ---------------------------------------------------------------- wiring

function wire() {
  for (const ex of EXAMPLES) el.example.append(new Option(ex.label, ex.id));
  el.example.addEventListener('change', () => {
    loadExample(el.example.value);
    el.example.value = '';
  });
  el.form.addEventListener('input', changed);
  el.form.addEventListener('change', changed);
  el.form.addEventListener('submit', (e) => { e.preventDefault(); changed(); });
  el.yaml.addEventListener('input', () => {
    repo.write(open, el.yaml.value);
    changed();
  });
  el.yaml.addEventListener('scroll', syncScroll, { passive: true });
  for (const input of [el.yaml, el.path, el.spec, el.value]) input.addEventListener('paste', () => { pasted = true; });
  el.yaml.addEventListener('keydown', (e) => {
    // Tab inserts two spaces (YAML has no tabs); Escape then Tab leaves the editor.
    if (e.key === 'Tab' && !e.shiftKey && !el.yaml.dataset.escaped) {
      e.preventDefault();
      el.yaml.setRangeText('  ', el.yaml.selectionStart, el.yaml.selectionEnd, 'end');
      el.yaml.dispatchEvent(new Event('input'));
    } else if (e.key === 'Escape') {
      el.yaml.dataset.escaped = '1';
    } else {
      delete el.yaml.dataset.escaped;
    }
  });
  el.files.addEventListener('click', (e) => {
    const button = e.target.closest('button[data-file]');
    if (button && button.dataset.file !== open) {
      openFile(button.dataset.file);
      changed();
    }
  });
  el.file.addEventListener('change', renameOpenFile);
  el.file.addEventListener('keydown', (e) => { if (e.key === 'Enter') renameOpenFile(); });
  el.newFile.addEventListener('click', newFile);
  el.deleteFile.addEventListener('click', () => {
    if (repo.files.size <= 1) return;
    repo.remove(open);
    openFile(repo.paths()[0]);
    changed();
  });
  el.matchesBody.addEventListener('click', (e) => {
    const row = e.target.closest('tr.match');
    if (row) selectSpan(row);
  });
  el.matchesBody.addEventListener('keydown', (e) => {
    const row = e.target.closest('tr.match');
    if (row && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); selectSpan(row); }
  });
  el.suggestion.addEventListener('click', () => {
    if (!suggestionToApply) return;
    el[suggestionToApply.field].value = suggestionToApply.value;
    el[suggestionToApply.field].focus();
    changed();
  });
  el.share.addEventListener('click', async () => copy(await saver.flush(), 'Link'));
  el.copyResult.addEventListener('click', () => copy(shown.after, 'Result'));
  for (const button of document.querySelectorAll('button[data-copy]')) {
    const what = { cli: 'Command', action: 'Action step', orb: 'Orb step' }[button.dataset.copy];
    button.addEventListener('click', () => copy($(`snippet-${button.dataset.copy}`).textContent, what));
  }
  window.addEventListener('hashchange', async () => {
    if (location.hash === saver.written()) return;
    const state = await decodeState(location.hash).catch(() => null);
    if (state) {
      restore(state);
      changed();
    }
  });
}

async function main() {
  wire();
  let state = null;
  let note = '';
  try {
    state = await decodeState(location.hash);
  } catch {
    note = ' The link’s state could not be read: showing the first example.';
  }
  restore(state ?? { ex: EXAMPLES[0].id, open: EXAMPLES[0].state.file, ...EXAMPLES[0].state });
  showModes(el.mode.value);

  let version;
  try {
    version = await startWorker();
  } catch (err) {
    el.status.textContent =
      'Could not load the WebAssembly core (pkg/wasm/web/gitops_bump.js). It is committed in pkg/wasm/; bash scripts/build rebuilds it. ' +
      `(${err && err.message ? err.message : err})`;
    el.status.classList.add('bad');
    document.body.dataset.state = 'no-wasm';
    return;
  }
  el.version.textContent = `gitops-bump core ${version}`;
  el.status.textContent = `Ready — core ${version}. Results update as you type.${note}`;
  engine.request(job());
}

main();
