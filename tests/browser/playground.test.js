// Browser test of the playground: a real Chromium (Debian's, driven by playwright-core)
// loads the page from startPlayground() over the real wasm web build, types key paths
// and checks what the page shows.
//
//   node --test tests/browser/
//
// Needs /usr/bin/chromium (scripts/setup installs it), pkg/node_modules/playwright-core
// and pkg/wasm/web/ (pkg/scripts/build-wasm.sh). Locally a missing piece skips the test;
// with CI=true it fails it.
// PLAYGROUND_SCREENSHOT=path keeps the screenshot there (default: a temp file).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { startPlayground, WASM_WEB_DIR } from '../../pkg/playground/server.js';
import { EXAMPLES } from '../../pkg/playground/examples.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const IN_CI = process.env.CI === 'true';
const PKG_JSON = fileURLToPath(new URL('../../pkg/package.json', import.meta.url));

const API_PATH = 'spec.template.spec.containers[name=api].image';
const EXAMPLE = EXAMPLES.find((e) => e.id === 'deployment').yaml;
const KUSTOMIZATION = EXAMPLES.find((e) => e.id === 'kustomization').yaml;

/** 1-based line and column (in characters) of the first `needle` in `text`. */
function lineColumn(text, needle) {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, `example has ${needle}`);
  const before = text.slice(0, at);
  return `${before.split('\n').length}:${at - before.lastIndexOf('\n')}`;
}

/** `text` with its only `from` replaced by `to`, asserting `from` occurs exactly once. */
function replaceOnce(text, from, to) {
  const at = text.indexOf(from);
  assert.ok(at >= 0 && text.indexOf(from, at + 1) < 0, `${from} occurs once`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

function loadPlaywright() {
  const require = createRequire(PKG_JSON);
  return require('playwright-core');
}

/** Why the browser test cannot run here, or null. */
function missingPrerequisite() {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing (apt-get install -y chromium, or scripts/setup)`;
  try {
    loadPlaywright();
  } catch {
    return 'playwright-core is not installed in pkg/ (npm ci in pkg/)';
  }
  if (!existsSync(join(WASM_WEB_DIR, 'gitops_bump.js')) || !existsSync(join(WASM_WEB_DIR, 'gitops_bump_bg.wasm'))) {
    return `the wasm web build is missing in ${WASM_WEB_DIR} (bash pkg/scripts/build-wasm.sh)`;
  }
  return null;
}

describe('playground in Chromium', () => {
  const missing = missingPrerequisite();
  if (missing && IN_CI) {
    test('prerequisites', () => assert.fail(`CI=true and the browser test cannot run: ${missing}`));
    return;
  }
  const opts = missing ? { skip: missing } : {};

  let server;
  let context;
  let page;
  let profile;
  const pageErrors = [];

  const text = (selector) => page.locator(selector).textContent();
  const fact = (name) => text(`#error-facts dd[data-fact="${name}"]`);

  async function rows() {
    return page.$$eval('#matches-body tr', (trs) => trs.map((tr) =>
      Object.fromEntries([...tr.cells].map((td) => [td.className.split(' ')[0], td.textContent]))));
  }

  async function open(hash = '') {
    await page.goto(server.url + hash);
    await page.waitForSelector('body[data-state]', { timeout: 20_000 });
    assert.equal(await page.getAttribute('body', 'data-state'), 'ready', await text('#status'));
  }

  before(async () => {
    if (missing) return;
    server = await startPlayground({ port: 0 });
    profile = await mkdtemp(join(tmpdir(), 'gitops-bump-chromium-'));
    const { chromium } = loadPlaywright();
    // launchPersistentContext is how playwright takes a --user-data-dir.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1440, height: 1000 },
      offline: false,
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (err) => pageErrors.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => { if (msg.type() === 'error') pageErrors.push(`console: ${msg.text()}`); });
    page.on('requestfailed', (req) => pageErrors.push(`request failed: ${req.url()}`));
    await open();
  });

  after(async () => {
    await context?.close();
    await server?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  test('loads the core and prefills a Deployment + kustomization example', opts, async () => {
    assert.match(await text('#version'), /^gitops-bump core \d+\.\d+\.\d+/);
    assert.equal(await page.inputValue('#yaml'), EXAMPLE);
    assert.equal(await page.inputValue('#mode'), 'get');
    for (const id of ['yaml', 'file', 'mode', 'path', 'value', 'type', 'select', 'all', 'spec', 'target', 'create', 'example']) {
      const labels = await page.locator(`label[for="${id}"]`).count();
      assert.ok(labels >= 1, `#${id} has a <label>`);
    }
  });

  test('typing a key path shows its match, type and position, highlighted in the source', opts, async () => {
    await page.selectOption('#mode', 'get');
    await page.fill('#path', '');
    await page.locator('#path').pressSequentially(API_PATH); // every keystroke re-runs
    assert.equal(await page.inputValue('#path'), API_PATH);
    assert.equal(await page.isHidden('#error-panel'), true, await text('#error-frame'));
    const found = await rows();
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.equal(found[0].value, 'ghcr.io/acme/api:1.9.2');
    assert.equal(found[0].type, 'string');
    assert.equal(found[0].pos, lineColumn(EXAMPLE, 'ghcr.io/acme/api:1.9.2'));
    assert.equal(found[0].path, 'spec.template.spec.containers[0].image');
    assert.deepEqual(await page.$$eval('#backdrop mark.match', (m) => m.map((x) => x.textContent)),
      ['ghcr.io/acme/api:1.9.2']);
    assert.equal(await text('#matches-count'), '1');
    assert.equal(await text('#result'), EXAMPLE, 'get changes nothing');

    // Clicking the match selects its span in the textarea.
    await page.click('#matches-body tr');
    const selected = await page.$eval('#yaml', (t) => t.value.slice(t.selectionStart, t.selectionEnd));
    assert.equal(selected, 'ghcr.io/acme/api:1.9.2');
  });

  test('highlights line up after non-ASCII text (UTF-8 offsets to UTF-16 indices)', opts, async () => {
    const yaml = '# Größe: 🚀 für Ärger\nimage:\n  repository: ghcr.io/acme/ä𝒜i\n  tag: 1.9.2  # ✓\n';
    await page.fill('#yaml', yaml);
    await page.selectOption('#mode', 'get');
    await page.fill('#path', 'image.tag');
    assert.deepEqual(await page.$$eval('#backdrop mark.match', (m) => m.map((x) => x.textContent)), ['1.9.2']);
    assert.equal((await rows())[0].pos, '4:8');
    await page.fill('#path', 'image.repository');
    assert.deepEqual(await page.$$eval('#backdrop mark.match', (m) => m.map((x) => x.textContent)),
      ['ghcr.io/acme/ä𝒜i']);
    await page.fill('#yaml', EXAMPLE);
  });

  test('[*] with "all matches" lists every container image', opts, async () => {
    await page.fill('#path', 'spec.template.spec.containers[*].image');
    await page.check('#all');
    const found = await rows();
    assert.deepEqual(found.map((r) => r.value),
      ['ghcr.io/acme/api:1.9.2', 'ghcr.io/acme/metrics-sidecar:0.4.1']);
    assert.equal(await page.locator('#backdrop mark.match').count(), 2);
    await page.uncheck('#all');
  });

  test('setting 1.10 keeps it a quoted string and every other byte', opts, async () => {
    await page.selectOption('#mode', 'set');
    await page.fill('#value', '1.10');
    await page.selectOption('#type', 'string');
    await page.fill('#path', 'images[name=ghcr.io/acme/api].newTag');
    assert.equal(await page.isHidden('#error-panel'), true, await text('#error-frame'));

    const result = await text('#result');
    const withDouble = replaceOnce(EXAMPLE, 'newTag: 1.9.2', 'newTag: "1.10"');
    const withSingle = replaceOnce(EXAMPLE, 'newTag: 1.9.2', "newTag: '1.10'");
    assert.ok(result === withDouble || result === withSingle,
      `only the tag changed, quoted:\n${result}`);

    const [change] = await rows();
    assert.equal(change.old, '1.9.2');
    assert.equal(change.new, '1.10');
    assert.equal(change.kind, 'set');
    assert.equal(change.pos, lineColumn(EXAMPLE, '1.9.2   # bumped by CI'));

    const del = await page.$$eval('#diff .diff-del', (s) => s.map((x) => x.textContent));
    const add = await page.$$eval('#diff .diff-add', (s) => s.map((x) => x.textContent));
    assert.deepEqual(del, ['-    newTag: 1.9.2   # bumped by CI\n']);
    assert.equal(add.length, 1);
    assert.match(add[0], /^\+ {4}newTag: (["'])1\.10\1 {3}# bumped by CI\n$/);
    assert.match(await text('#diff .diff-hunk'), /^@@ -\d+,\d+ \+\d+,\d+ @@/);

    // An existing double-quoted value keeps its quotes.
    await page.fill('#path', 'metadata.labels["app.kubernetes.io/version"]');
    assert.equal(await text('#result'),
      replaceOnce(EXAMPLE, 'app.kubernetes.io/version: "1.9"', 'app.kubernetes.io/version: "1.10"'));
  });

  test('a bad path shows the error kind, column and code frame, and changes nothing', opts, async () => {
    await page.selectOption('#mode', 'get');
    const bad = 'spec.template.spec.containers[name=api.image';
    await page.fill('#path', bad);
    assert.equal(await page.isVisible('#error-panel'), true);
    assert.equal(await text('#error-kind'), 'path-syntax');
    assert.equal(await fact('kind'), 'path-syntax');
    const column = Number(await fact('column'));
    assert.ok(Number.isInteger(column) && column >= 1 && column <= bad.length + 1, `column ${column}`);
    assert.match(await text('#error-frame'), /path-syntax/);
    assert.equal(await page.getAttribute('#path', 'aria-invalid'), 'true');
    assert.equal(await page.locator('#matches-body tr').count(), 0);
    assert.equal(await text('#result'), EXAMPLE);
    assert.equal(await text('#diff'), 'No changes.');

    // A name that matches no item: not-found, pointing into the source, with a hint.
    await page.fill('#path', 'spec.template.spec.containers[name=apii].image');
    assert.equal(await text('#error-kind'), 'not-found');
    assert.match(await fact('line'), /^\d+$/);
    assert.match(await text('#error-frame'), /not-found/);
    assert.equal(await page.getAttribute('#path', 'aria-invalid'), 'false');
    assert.ok(await page.locator('#backdrop mark.error').count() >= 1, 'the error is marked in the source');

    // Fixing the path clears the error.
    await page.fill('#path', API_PATH);
    assert.equal(await page.isHidden('#error-panel'), true);
  });

  test('an image spec updates the kustomization newTag, quoted, byte-exact', opts, async () => {
    await page.selectOption('#example', 'kustomization');
    assert.equal(await page.inputValue('#mode'), 'image');
    assert.equal(await page.inputValue('#yaml'), KUSTOMIZATION);
    await page.fill('#spec', '');
    await page.locator('#spec').pressSequentially('ghcr.io/acme/api:1.10');
    assert.equal(await page.isHidden('#error-panel'), true, await text('#error-frame'));
    const result = await text('#result');
    assert.ok(
      result === replaceOnce(KUSTOMIZATION, 'newTag: 1.9.2', 'newTag: "1.10"') ||
      result === replaceOnce(KUSTOMIZATION, 'newTag: 1.9.2', "newTag: '1.10'"),
      `only newTag changed:\n${result}`);
    const parsed = await page.$$eval('#parsed .kv', (kvs) => kvs.map((kv) => kv.textContent));
    assert.ok(parsed.includes('nameghcr.io/acme/api'), JSON.stringify(parsed));
    assert.ok(parsed.includes('newTag1.10'), JSON.stringify(parsed));
    const changes = await rows();
    assert.ok(changes.some((c) => c.old === '1.9.2' && c.new === '1.10'), JSON.stringify(changes));
    assert.deepEqual(await page.$$eval('#backdrop mark.match', (m) => m.map((x) => x.textContent)), ['1.9.2']);

    // A spec outside the grammar: the core's image-spec error, on the spec input.
    await page.fill('#spec', 'ghcr.io/acme/api@sha256:not-a-digest');
    assert.equal(await page.isVisible('#error-panel'), true);
    assert.equal(await text('#error-kind'), 'image-spec');
    assert.match(await text('#error-frame'), /image-spec/);
    assert.equal(await page.getAttribute('#spec', 'aria-invalid'), 'true');
    assert.equal(await text('#result'), KUSTOMIZATION);
    assert.equal(await text('#diff'), 'No changes.');
  });

  test('every example runs without an error, and the editing ones change something', opts, async () => {
    for (const example of EXAMPLES) {
      await page.selectOption('#example', example.id);
      assert.equal(await page.inputValue('#yaml'), example.yaml, example.id);
      assert.equal(await page.isHidden('#error-panel'), true, `${example.id}: ${await text('#error-frame')}`);
      const result = await text('#result');
      if (example.state.mode === 'get') {
        assert.equal(result, example.yaml, example.id);
        assert.ok(await page.locator('#matches-body tr').count() >= 1, example.id);
      } else {
        assert.notEqual(result, example.yaml, `${example.id} changes the YAML`);
        assert.ok(await page.locator('#diff .diff-add').count() >= 1, example.id);
      }
    }
  });

  test('the state is shareable through the URL hash', opts, async () => {
    await page.selectOption('#example', 'deployment');
    await page.selectOption('#mode', 'set');
    await page.fill('#value', '1.10');
    await page.fill('#path', 'images[name=ghcr.io/acme/api].newTag');
    // page.url() can lag behind history.replaceState: ask the page.
    const url = await page.evaluate(() => location.href);
    assert.match(url, /#.*mode=set/);
    assert.match(url, /ex=deployment/);
    const expected = await text('#result');

    const other = await context.newPage();
    try {
      other.on('pageerror', (err) => pageErrors.push(`pageerror: ${err.message}`));
      await other.goto(url);
      await other.waitForSelector('body[data-state="ready"]');
      assert.equal(await other.inputValue('#path'), 'images[name=ghcr.io/acme/api].newTag');
      assert.equal(await other.inputValue('#value'), '1.10');
      assert.equal(await other.locator('#result').textContent(), expected);
    } finally {
      await other.close();
    }

    // Edited YAML and the file name travel in the hash too.
    await page.fill('#yaml', 'image:\n  tag: 1.9.2  # chart default\n');
    await page.fill('#file', 'charts/api/values.yaml');
    await page.fill('#path', 'image.tag');
    const other2 = await context.newPage();
    try {
      await other2.goto(await page.evaluate(() => location.href));
      await other2.waitForSelector('body[data-state="ready"]');
      assert.equal(await other2.inputValue('#yaml'), 'image:\n  tag: 1.9.2  # chart default\n');
      assert.equal(await other2.inputValue('#file'), 'charts/api/values.yaml');
      assert.match(await other2.locator('#result').textContent(), /^image:\n {2}tag: (["'])1\.10\1 {2}# chart default\n$/);
      assert.match(await other2.locator('#diff').textContent(), /^--- a\/charts\/api\/values\.yaml\n/);
    } finally {
      await other2.close();
    }
  });

  test('screenshot (look at it) and no page errors', opts, async (t) => {
    await open('#ex=deployment&mode=set&path=images%5Bname%3Dghcr.io%2Facme%2Fapi%5D.newTag&value=1.10');
    const shot = process.env.PLAYGROUND_SCREENSHOT || join(tmpdir(), `gitops-bump-playground-${process.pid}.png`);
    await page.screenshot({ path: shot, fullPage: true });
    t.diagnostic(`screenshot: ${shot}`);
    assert.deepEqual(pageErrors, []);
  });
});
