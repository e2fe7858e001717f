// Keystroke cost of the playground in a real Chromium: how long from a key press to the
// next frame the browser presents, on a 2,000-line file, for three ways of typing
// (the value field in set mode, the YAML itself, the key path in get mode).
//
//   node benches/playground-keystroke.mjs            # the table for docs/BENCHMARKS.md
//   node benches/playground-keystroke.mjs --keys 10  # fewer keys per case
//   node benches/playground-keystroke.mjs --page DIR # another copy of pkg/playground/,
//       e.g. an older commit's: git archive COMMIT pkg/playground | tar -x -C /tmp/old
//
// Measured inside the page: a capturing `keydown` listener takes the event's timestamp;
// the next requestAnimationFrame callback posts a message, which runs after that frame
// is painted; the difference is the keystroke's "input → next frame" time. Playwright
// types through the browser's own input pipeline (CDP Input.dispatchKeyEvent), one key
// every 80 ms, so each key gets its own frame. Needs what tests/browser/ needs.
// Two more columns and a row put the figures in context on a shared machine: the page's
// own time to show each answer of the core (a `performance.measure` the page records),
// and the same typing into a bare textarea holding the same text (the browser's floor).

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { launch, missingPrerequisite, openPlayground } from '../tests/browser/chromium.js';

const DEPLOYMENT = fileURLToPath(new URL('./data/deployment.yaml', import.meta.url));
const KEY_DELAY_MS = 80;

/** A multi-document file of at least `lines` lines: the bench Deployment, renamed per copy. */
export function bigFile(lines = 2000) {
  const one = readFileSync(DEPLOYMENT, 'utf8');
  const docs = [];
  for (let i = 0; docs.join('---\n').split('\n').length <= lines; i++) {
    docs.push(one.replace('\n  name: api\n', `\n  name: api-${i}\n`));
  }
  return docs.join('---\n');
}

/** The cases: the controls' state, the field typed into, and what is typed. */
export const CASES = [
  {
    name: 'value field (set)',
    state: { mode: 'set', path: 'spec.template.spec.containers[name=api].image', select: 'metadata.name=api-8', value: '' },
    field: '#value',
    typed: 'ghcr.io/acme/api:2.0.1-rc.1',
  },
  {
    name: 'YAML text (set)',
    state: { mode: 'set', path: 'spec.template.spec.containers[name=api].image', select: 'metadata.name=api-8', value: 'ghcr.io/acme/api:2.0.1' },
    field: '#yaml',
    // a comment typed at the end of the 9th document's `replicas: 3` line
    at: (text) => text.indexOf('\n', text.indexOf('replicas: 3', text.indexOf('name: api-8'))),
    typed: '  # scaled up for the sale',
  },
  {
    name: 'key path (get)',
    state: { mode: 'get', path: '', select: 'metadata.name=api-8' },
    field: '#path',
    typed: 'spec.template.spec.containers[name=api].image',
  },
];

/** Installs the in-page probe: one entry per keydown, filled in after the next frame. */
function installProbe() {
  window.__keystrokes = [];
  addEventListener('keydown', (event) => {
    const entry = { key: event.key, ms: null };
    window.__keystrokes.push(entry);
    const start = event.timeStamp;
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => { entry.ms = performance.now() - start; };
      channel.port2.postMessage(null);
    });
  }, { capture: true });
}

/** Puts `text` in the editor as a paste does (one input event); playwright's fill is slow for 70 KB. */
async function paste(page, text) {
  await page.$eval('#yaml', (el, value) => {
    el.value = value;
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }, text);
}

/** Sets the controls to `state` (through the page's own inputs). */
async function setControls(page, state) {
  await page.selectOption('#mode', state.mode);
  for (const key of ['path', 'select', 'value']) {
    if (state[key] !== undefined && await page.isVisible(`#${key}`)) await page.fill(`#${key}`, state[key]);
  }
}

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/**
 * Runs each case in `page` (already showing the playground) and returns per-case figures.
 * @param {any} page
 * @param {{keys?: number, lines?: number}} [options] `keys` caps the keys typed per case
 * @returns {Promise<{name: string, keys: number, median: number, p95: number, max: number, correct: boolean}[]>}
 */
export async function runKeystrokeBench(page, { keys = Infinity, lines = 2000 } = {}) {
  const text = bigFile(lines);
  await page.evaluate(installProbe);
  const rows = [];
  for (const c of CASES) {
    await paste(page, text);
    await setControls(page, c.state);
    const typed = c.typed.slice(0, keys);
    await page.focus(c.field);
    if (c.at) {
      const at = c.at(text);
      await page.$eval(c.field, (t, i) => t.setSelectionRange(i, i), at);
    } else {
      await page.$eval(c.field, (i) => i.setSelectionRange(i.value.length, i.value.length));
    }
    await page.evaluate(() => { window.__keystrokes.length = 0; performance.clearMeasures('playground:render'); });
    await page.keyboard.type(typed, { delay: KEY_DELAY_MS });
    await page.waitForFunction((n) => window.__keystrokes.length === n && window.__keystrokes.every((k) => k.ms !== null),
      typed.length, { timeout: 30_000 });
    const ms = (await page.evaluate(() => window.__keystrokes.map((k) => k.ms))).sort((a, b) => a - b);
    // How long the page took to show each answer of the core (on the main thread).
    const renders = (await page.evaluate(() => {
      const list = performance.getEntriesByName('playground:render').map((e) => e.duration);
      performance.clearMeasures('playground:render');
      return list;
    })).sort((a, b) => a - b);
    // The page must still be right after the typing: the typed text is in the field.
    const value = await page.inputValue(c.field);
    rows.push({
      name: c.name,
      keys: ms.length,
      median: quantile(ms, 0.5),
      p95: quantile(ms, 0.95),
      max: ms[ms.length - 1],
      render: renders.length ? quantile(renders, 0.5) : null,
      correct: value.includes(typed),
    });
  }
  return rows;
}

/**
 * The floor: the same typing into a bare textarea holding the same text (no page around
 * it), in a page of its own. What the browser itself costs on this machine, right now.
 */
export async function runFloor(context, { keys = Infinity, lines = 2000 } = {}) {
  const text = bigFile(lines);
  const c = CASES.find((x) => x.field === '#yaml');
  const typed = c.typed.slice(0, keys);
  const page = await context.newPage();
  try {
    await page.setContent('<textarea id="yaml" wrap="off" spellcheck="false" style="width:600px;height:700px;font:13px/1.5 monospace"></textarea>');
    await page.$eval('#yaml', (el, value) => { el.value = value; }, text);
    await page.evaluate(installProbe);
    await page.focus('#yaml');
    await page.$eval('#yaml', (t, i) => t.setSelectionRange(i, i), c.at(text));
    await page.keyboard.type(typed, { delay: KEY_DELAY_MS });
    await page.waitForFunction((n) => window.__keystrokes.length === n && window.__keystrokes.every((k) => k.ms !== null),
      typed.length, { timeout: 30_000 });
    const ms = (await page.evaluate(() => window.__keystrokes.map((k) => k.ms))).sort((a, b) => a - b);
    return { name: 'bare textarea, same text (floor)', keys: ms.length, median: quantile(ms, 0.5), p95: quantile(ms, 0.95), max: ms[ms.length - 1], correct: true };
  } finally {
    await page.close();
  }
}

/** The markdown table of `rows`. */
export function table(rows, lines) {
  const out = [`| case (${lines}-line file) | keys | median ms | p95 ms | max ms | render of the core's answer, median ms |`, '|---|---:|---:|---:|---:|---:|'];
  for (const r of rows) out.push(`| ${r.name} | ${r.keys} | ${r.median.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.max.toFixed(1)} | ${r.render === null || r.render === undefined ? '—' : r.render.toFixed(1)} |`);
  return out.join('\n');
}

async function main() {
  const args = process.argv.slice(2);
  const keys = args.includes('--keys') ? Number(args[args.indexOf('--keys') + 1]) : Infinity;
  const missing = missingPrerequisite();
  if (missing) {
    console.error(`playground-keystroke: ${missing}`);
    process.exit(1);
  }
  const page = args.includes('--page') ? args[args.indexOf('--page') + 1] : undefined;
  const browser = await launch({ playgroundDir: page });
  try {
    const tab = browser.context.pages()[0] ?? await browser.context.newPage();
    await openPlayground(tab, browser.url);
    const lines = bigFile().split('\n').length;
    const rows = await runKeystrokeBench(tab, { keys });
    rows.push(await runFloor(browser.context, { keys }));
    console.log(table(rows, lines));
    console.log(`\nload average while measuring: ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`);
    if (browser.problems.length) console.error(browser.problems.join('\n'));
    if (rows.some((r) => !r.correct) || browser.problems.length) process.exitCode = 1;
  } finally {
    await browser.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await main().catch((err) => {
    // playwright's messages quote the whole 2,000-line text: the start says enough
    console.error(String(err?.stack ?? err).slice(0, 2000));
    process.exit(1);
  });
}
