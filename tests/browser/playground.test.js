// Browser test of the playground: a real Chromium (Debian's, driven by playwright-core)
// loads the page from startPlayground() over the real wasm web build, types into it and
// checks what the page shows; the snippets it offers are copied and run for real.
//
//   node --test tests/browser/
//   PLAYGROUND_SCREENSHOTS=docs/screenshots node --test tests/browser/playground.test.js
//       (re-takes the committed screenshots; by default they go to a temp dir)
//
// Needs /usr/bin/chromium (scripts/setup-test installs it), pkg/node_modules/playwright-core
// and pkg/wasm/ (pkg/scripts/build-wasm.sh). Locally a missing piece skips the test;
// with CI=true it fails it.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { EXAMPLES } from '../../pkg/playground/examples.js';
import { launch, missingPrerequisite, openPlayground, settled } from './chromium.js';
import { actionInputs, orbParameters, orbRunSteps, parseYaml } from './pipeline-names.js';
import { runKeystrokeBench } from '../../benches/playground-keystroke.mjs';
import { configRepo, runAction } from '../action/helpers.js';

const IN_CI = process.env.CI === 'true';
const CLI = fileURLToPath(new URL('../../pkg/bin/gitops-bump.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const API_PATH = 'spec.template.spec.containers[name=api].image';
const example = (id) => EXAMPLES.find((e) => e.id === id);
const REPO = example('overlay-image').files;
const DEPLOYMENT = 'apps/api/base/deployment.yaml';
const PRODUCTION = 'apps/api/overlays/production/kustomization.yaml';

/** 1-based line and column (in characters) of the first `needle` in `text`. */
function lineColumn(text, needle) {
  const at = text.indexOf(needle);
  assert.ok(at >= 0, `example has ${needle}`);
  const head = text.slice(0, at);
  return `${head.split('\n').length}:${at - head.lastIndexOf('\n')}`;
}

/** `text` with its only `from` replaced by `to`, asserting `from` occurs exactly once. */
function replaceOnce(text, from, to) {
  const at = text.indexOf(from);
  assert.ok(at >= 0 && text.indexOf(from, at + 1) < 0, `${from} occurs once`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

describe('playground in Chromium', () => {
  const missing = missingPrerequisite();
  if (missing && IN_CI) {
    test('prerequisites', () => assert.fail(`CI=true and the browser test cannot run: ${missing}`));
    return;
  }
  const opts = missing ? { skip: missing } : {};

  let browser;
  let page;
  let shots;

  const text = (selector) => page.locator(selector).textContent();
  const fact = (name) => text(`#error-facts dd[data-fact="${name}"]`);
  const marks = (cls = 'match') => page.$$eval(`#backdrop mark.${cls}`, (m) => m.map((x) => x.textContent));

  /** Fills an input (one input event, as a paste) and waits for the core's answer. */
  async function fill(selector, value) {
    await page.fill(selector, value);
    await settled(page);
  }
  async function choose(selector, value) {
    await page.selectOption(selector, value);
    await settled(page);
  }
  async function rows() {
    return page.$$eval('#matches-body tr', (trs) => trs.map((tr) =>
      Object.fromEntries([...tr.cells].map((td) => [td.className.split(' ')[0], td.textContent]))));
  }
  async function openFile(path) {
    await page.click(`#files button[data-file="${path}"]`);
    await settled(page);
  }
  async function shot(name) {
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: false });
  }

  before(async () => {
    if (missing) return;
    shots = process.env.PLAYGROUND_SCREENSHOTS ? join(ROOT, process.env.PLAYGROUND_SCREENSHOTS) : await mkdtemp(join(tmpdir(), 'gitops-bump-shots-'));
    await mkdir(shots, { recursive: true });
    browser = await launch({ viewport: { width: 1280, height: 900 } });
    page = browser.context.pages()[0] ?? await browser.context.newPage();
    await openPlayground(page, browser.url);
  });

  after(async () => {
    await browser?.close();
    if (shots && !process.env.PLAYGROUND_SCREENSHOTS) await rm(shots, { recursive: true, force: true });
  });

  test('loads the core and a small repository: base, overlays, values', opts, async () => {
    assert.match(await text('#version'), /^gitops-bump core \d+\.\d+\.\d+/);
    const files = await page.$$eval('#files button[data-file]', (b) => b.map((x) => x.dataset.file));
    assert.deepEqual(files, Object.keys(REPO).sort());
    assert.equal(await page.getAttribute(`#files button[data-file="${PRODUCTION}"]`, 'aria-current'), 'true');
    assert.equal(await page.inputValue('#file'), PRODUCTION);
    assert.equal(await page.inputValue('#yaml'), REPO[PRODUCTION]);
    assert.equal(await page.inputValue('#mode'), 'image');
    for (const id of ['file', 'mode', 'path', 'value', 'type', 'select', 'all', 'spec', 'force', 'create', 'example']) {
      assert.ok(await page.locator(`label[for="${id}"]`).count() >= 1, `#${id} has a <label>`);
    }
    assert.ok(await page.getAttribute('#yaml', 'aria-label'), 'the editor is named');
  });

  test('typing a key path shows its match, type and position, highlighted in the source', opts, async () => {
    await choose('#example', 'deployment');
    const source = REPO[DEPLOYMENT];
    await fill('#path', '');
    await page.locator('#path').pressSequentially(API_PATH); // every keystroke re-runs
    await settled(page);
    assert.equal(await page.isHidden('#error-panel'), true, await text('#error-frame'));
    const found = await rows();
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.deepEqual([found[0].value, found[0].type, found[0].pos, found[0].path],
      ['ghcr.io/acme/api:1.9.2', 'string', lineColumn(source, 'ghcr.io/acme/api:1.9.2'), 'spec.template.spec.containers[0].image']);
    assert.deepEqual(await marks(), ['ghcr.io/acme/api:1.9.2']);
    assert.equal(await text('#result'), source, 'get changes nothing');
    await page.click('#matches-body tr');
    const selected = await page.$eval('#yaml', (t) => t.value.slice(t.selectionStart, t.selectionEnd));
    assert.equal(selected, 'ghcr.io/acme/api:1.9.2');
  });

  test('highlights line up after non-ASCII text (UTF-8 offsets to UTF-16 indices)', opts, async () => {
    await fill('#yaml', '# Größe: 🚀 für Ärger\nimage:\n  repository: ghcr.io/acme/ä𝒜i\n  tag: 1.9.2  # ✓\n');
    await fill('#path', 'image.tag');
    assert.deepEqual(await marks(), ['1.9.2']);
    assert.equal((await rows())[0].pos, '4:8');
    await fill('#path', 'image.repository');
    assert.deepEqual(await marks(), ['ghcr.io/acme/ä𝒜i']);
  });

  test('[*] with "All matches" lists every container image', opts, async () => {
    await choose('#example', 'all');
    assert.deepEqual((await rows()).map((r) => r.value), ['ghcr.io/acme/api:1.9.2', 'ghcr.io/acme/metrics-sidecar:0.4.1']);
    assert.equal(await page.locator('#backdrop mark.match').count(), 2);
  });

  test('setting 1.10 keeps it a quoted string and every other byte', opts, async () => {
    await choose('#example', 'helm');
    const values = REPO['charts/api/values.yaml'];
    await page.fill('#value', '');
    await page.locator('#value').pressSequentially('1.10');
    await settled(page);
    assert.equal(await text('#result'), replaceOnce(values, 'tag: "1.9.2"', 'tag: "1.10"'));
    const [change] = await rows();
    assert.deepEqual([change.old, change.new, change.kind, change.pos], ['1.9.2', '1.10', 'set', lineColumn(values, '"1.9.2"')]);
    assert.deepEqual(await marks(), ['"1.9.2"'], 'the changed value is highlighted, quotes and all');
    assert.deepEqual(await page.$$eval('#diff .diff-del', (s) => s.map((x) => x.textContent)), ['-  tag: "1.9.2"          # overridden by CI\n']);
    assert.deepEqual(await page.$$eval('#diff .diff-add', (s) => s.map((x) => x.textContent)), ['+  tag: "1.10"          # overridden by CI\n']);
    assert.match(await text('#diff'), /^--- a\/charts\/api\/values\.yaml\n\+\+\+ b\/charts\/api\/values\.yaml\n@@ /);
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot('light');
  });

  test('an inserted value is reported where it is in the result, and a change of type is shown', opts, async () => {
    // a bitnami-style values file: the image has no tag yet, the replica count is an int
    const values = '## @param replicaCount\nreplicaCount: 1\nimage:\n  registry: docker.io\n  repository: bitnami/redis\n  pullPolicy: IfNotPresent\n';
    await choose('#example', 'helm');
    await fill('#yaml', values);
    await fill('#path', 'replicaCount');
    await fill('#value', 'three');
    assert.equal(await page.isHidden('#error-panel'), true, await text('#error-frame'));
    const [retyped] = await rows();
    assert.deepEqual([retyped.new, retyped.type, retyped.pos], ['three', 'int → string', '2:15']);
    assert.equal(await page.locator('#matches-body tr.type-changed').count(), 1);
    await fill('#value', '2');
    assert.equal((await rows())[0].type, 'int', 'an int set to an int stays one, and says so plainly');
    assert.equal(await page.locator('#matches-body tr.type-changed').count(), 0);

    await page.check('#create');
    await fill('#path', 'image.tag');
    await fill('#value', '7.2.4');
    const result = await text('#result');
    assert.equal(result, `${values}  tag: 7.2.4\n`);
    const [inserted] = await rows();
    assert.deepEqual([inserted.kind, inserted.pos], ['insert', lineColumn(result, '7.2.4')]);
    assert.equal(inserted.pos, '7:8', 'the new line of the result, not the insertion point in the source');
    await page.uncheck('#create');
    await settled(page);
  });

  test('a wrong path is an error with a clickable suggestion; a half-typed one is calm', opts, async () => {
    await choose('#example', 'deployment');
    const source = REPO[DEPLOYMENT];

    // Half-typed: neutral, not red, nothing marked invalid.
    for (const partial of ['spec.template.spec.containers[', 'spec.template.spec.containers[name=ap', 'spec.templ', 'metadata.labels["app.kub']) {
      await fill('#path', partial);
      assert.equal(await page.isVisible('#error-panel'), true, partial);
      assert.equal(await page.getAttribute('#error-panel', 'class'), 'panel calm', partial);
      assert.equal(await text('#error-heading'), 'Not finished yet', partial);
      assert.equal(await page.getAttribute('#path', 'aria-invalid'), 'false', partial);
      assert.equal(await page.locator('#backdrop mark.error').count(), 0, partial);
    }

    // A syntax error in the middle: red, the column, the frame.
    await fill('#path', 'spec..template');
    assert.equal(await page.getAttribute('#error-panel', 'class'), 'panel');
    assert.equal(await text('#error-kind'), 'path-syntax');
    assert.equal(await page.getAttribute('#path', 'aria-invalid'), 'true');
    assert.match(await text('#error-frame'), /^error\[path-syntax\]/);

    // A name that matches no item: the frame points into the source, the facts do not
    // repeat it, and "did you mean" is a button that fixes the path.
    await fill('#path', 'spec.template.spec.containers[name=apii].image');
    assert.equal(await text('#error-kind'), 'not-found');
    const frame = await text('#error-frame');
    assert.match(frame, /^error\[not-found\].*\n\s+--> apps\/api\/base\/deployment\.yaml:\d+:\d+/);
    assert.doesNotMatch(frame, /= (found|help|path segment):/);
    assert.equal(await fact('found'), '`name` values api, metrics');
    assert.equal(await page.locator('#error-facts dd[data-fact="hint"]').count(), 0, 'the suggestion is the button');
    assert.equal(await page.getAttribute('#path', 'aria-invalid'), 'false', 'the path is fine; the source has no such item');
    assert.ok(await page.locator('#backdrop mark.error').count() >= 1, 'the error is marked in the source');
    assert.equal(await text('#suggestion'), '[name=api]');
    await page.click('#suggestion');
    await settled(page);
    assert.equal(await page.inputValue('#path'), API_PATH);
    assert.equal(await page.isHidden('#error-panel'), true);
    assert.equal((await rows())[0].value, 'ghcr.io/acme/api:1.9.2');

    // A missing key in get mode: no CLI flag, no "create" advice.
    await fill('#path', 'spec.template.spec.containers[0].resources.limits');
    assert.equal(await text('#error-kind'), 'not-found');
    const panel = await text('#error-panel');
    assert.doesNotMatch(panel, /--[a-z]/, panel);
    assert.doesNotMatch(panel, /create/i, panel);
    // In set mode the same hint names the page's checkbox.
    await choose('#mode', 'set');
    await fill('#value', '1');
    assert.match(await fact('hint'), /“Create if missing”/);
    assert.doesNotMatch(await text('#error-panel'), /--[a-z]/);

    // Long frame lines wrap instead of being cut off.
    const long = `${'x'.repeat(300)}: 1\n`;
    await fill('#yaml', long);
    await fill('#path', 'y');
    await page.setViewportSize({ width: 900, height: 900 });
    const fits = await page.$eval('#error-frame', (f) => f.scrollWidth <= f.clientWidth);
    assert.ok(fits, 'the frame wraps');
    await page.setViewportSize({ width: 1280, height: 900 });
    await fill('#yaml', source);
    await choose('#mode', 'get');
    await fill('#path', 'spec.template.spec.containers[name=apii].image');
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot('error');
  });

  test('image mode: a misspelled image is the CLI\'s unknown-image and changes nothing', opts, async () => {
    await choose('#example', 'overlay-image');
    await fill('#spec', 'ghcr.io/acme/apii:1.10');
    assert.equal(await text('#error-kind'), 'unknown-image');
    assert.equal(await page.getAttribute('#error-panel', 'class'), 'panel');
    assert.match(await text('#error-frame'), /image `ghcr.io\/acme\/apii` matches no container in the overlay/);
    assert.equal(await text('#suggestion'), 'ghcr.io/acme/api');
    assert.equal(await text('#result'), REPO[PRODUCTION], 'nothing changed');
    assert.equal(await text('#diff'), 'No changes.');
    await shot('image-error');

    await page.click('#suggestion');
    await settled(page);
    assert.equal(await page.inputValue('#spec'), 'ghcr.io/acme/api:1.10');
    assert.equal(await page.isHidden('#error-panel'), true, await text('#error-frame'));
    // Only the overlay's kustomization changes, and only its newTag.
    assert.equal(await text('#result'), replaceOnce(REPO[PRODUCTION], 'newTag: 1.9.2   #', 'newTag: "1.10"   #'));
    assert.match(await text('#diff'), /^--- a\/apps\/api\/overlays\/production\/kustomization\.yaml\n\+\+\+ b\/apps\/api\/overlays\/production\/kustomization\.yaml\n/);
    assert.deepEqual(await page.$$eval('#parsed .kv', (kvs) => kvs.map((kv) => kv.textContent)), ['nameghcr.io/acme/api', 'newTag1.10']);
    assert.deepEqual(await marks(), ['1.9.2']);
    for (const path of Object.keys(REPO)) {
      await openFile(path);
      assert.equal(await page.inputValue('#yaml'), REPO[path], `${path} is untouched`);
    }
    await openFile(PRODUCTION);
    await shot('image');

    // The check reads the other files: a base that no longer has the container fails it.
    await openFile(DEPLOYMENT);
    await fill('#yaml', REPO[DEPLOYMENT].replace('image: ghcr.io/acme/api:1.9.2', 'image: ghcr.io/acme/web:1.9.2'));
    await openFile(PRODUCTION);
    assert.equal(await text('#error-kind'), 'unknown-image');
    await page.check('#force'); // the CLI's --force
    await settled(page);
    assert.equal(await page.isHidden('#error-panel'), true);
    await page.uncheck('#force');
    assert.equal(await page.isHidden('#unchecked-panel'), true, 'a decided check shows no note');

    // A remote base the check cannot see: the edit is made, and a note says what was not
    // followed and why, as the CLI's warning does.
    await choose('#example', 'overlay-image');
    await fill('#yaml', replaceOnce(REPO[PRODUCTION], '  - ../../base\n', '  - ../../base\n  - https://github.com/acme/shared//worker?ref=v1\n'));
    await fill('#spec', 'ghcr.io/acme/apii:1.10');
    assert.equal(await page.isHidden('#error-panel'), true, await text('#error-frame'));
    assert.equal(await page.isHidden('#unchecked-panel'), false);
    assert.match(await text('#unchecked-headline'), /^Image `ghcr\.io\/acme\/apii:1\.10` was set but not checked/);
    assert.deepEqual(await page.$$eval('#unchecked-list li', (lis) => lis.map((li) => li.textContent)), [
      `not followed: \`https://github.com/acme/shared//worker?ref=v1\` in ${PRODUCTION}: a remote base is not fetched (the check reads only this repository); its containers may have the image`,
    ]);
    assert.match(await text('#result'), /- name: ghcr\.io\/acme\/apii\n/);
    await shot('image-unchecked');
    await fill('#spec', 'ghcr.io/acme/api:1.10');
    assert.equal(await page.isHidden('#unchecked-panel'), true, 'a name the check sees: no note');
    await choose('#example', 'overlay-image');
  });

  test('files can be added, renamed and deleted; a clash is refused', opts, async () => {
    await choose('#example', 'overlay-image');
    await page.click('#new-file');
    await settled(page);
    assert.equal(await page.inputValue('#file'), 'apps/api/overlays/production/new.yaml');
    assert.equal(await page.inputValue('#yaml'), '');
    await page.fill('#file', 'apps/api/overlays/production/patch.yaml');
    await page.press('#file', 'Enter');
    await settled(page);
    assert.equal(await page.getAttribute('#files button[data-file="apps/api/overlays/production/patch.yaml"]', 'aria-current'), 'true');
    await page.fill('#file', PRODUCTION);
    await page.press('#file', 'Enter');
    assert.equal(await page.getAttribute('#file', 'aria-invalid'), 'true', 'renaming onto another file is refused');
    assert.match(await text('#action-status'), /already exists/);
    await page.click('#delete-file');
    await settled(page);
    const files = await page.$$eval('#files button[data-file]', (b) => b.map((x) => x.dataset.file));
    assert.deepEqual(files, Object.keys(REPO).sort());
  });

  test('every example runs without an error, and the editing ones change something', opts, async () => {
    for (const ex of EXAMPLES) {
      await choose('#example', ex.id);
      assert.equal(await page.inputValue('#file'), ex.state.file, ex.id);
      assert.equal(await page.inputValue('#yaml'), ex.files[ex.state.file], ex.id);
      assert.equal(await page.isHidden('#error-panel'), true, `${ex.id}: ${await text('#error-frame')}`);
      if (ex.state.mode === 'get') {
        assert.equal(await text('#result'), ex.files[ex.state.file], ex.id);
        assert.ok(await page.locator('#matches-body tr').count() >= 1, ex.id);
      } else {
        assert.ok(await page.locator('#diff .diff-add').count() >= 1, ex.id);
      }
    }
  });

  /** Clicks a copy button, waits until the page says it copied, and reads the clipboard. */
  async function clickToCopy(selector) {
    await page.$eval('#action-status', (status) => { status.textContent = ''; });
    await page.click(selector);
    await page.waitForSelector('#action-status:not(:empty)');
    assert.match(await text('#action-status'), /copied\.$/);
    return page.evaluate(() => navigator.clipboard.readText());
  }
  const copied = (which) => clickToCopy(`button[data-copy="${which}"]`);

  /**
   * Runs a copied CLI command (or a script, with `env`) in a git checkout of `files` whose
   * `origin` is a bare repository, with the package's CLI as `gitops-bump` on the PATH;
   * returns stdout, the files after, and the files on origin's main (what was pushed).
   */
  async function runCli(command, files, env = {}) {
    const top = await mkdtemp(join(tmpdir(), 'gitops-bump-snippet-'));
    const dir = join(top, 'checkout');
    const origin = join(top, 'origin.git');
    const git = (...args) => promisify(execFile)('git', args, { cwd: dir, env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
    try {
      for (const [path, body] of Object.entries(files)) {
        await mkdir(dirname(join(dir, path)), { recursive: true });
        await writeFile(join(dir, path), body);
      }
      await git('init', '--quiet', '--bare', '--initial-branch=main', origin);
      await git('init', '--quiet', '--initial-branch=main');
      await git('add', '-A');
      await git('commit', '--quiet', '-m', 'config');
      await git('remote', 'add', 'origin', origin);
      await git('push', '--quiet', '--set-upstream', 'origin', 'main');
      const bin = join(top, 'bin');
      await mkdir(bin);
      await writeFile(join(bin, 'gitops-bump'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`, { mode: 0o755 });
      const { stdout } = await promisify(execFile)('bash', ['-c', command], {
        cwd: dir, env: { ...process.env, ...env, PATH: `${bin}:${process.env.PATH}` }, timeout: 60_000,
      });
      const after = {};
      const pushed = {};
      for (const path of Object.keys(files)) {
        after[path] = await readFile(join(dir, path), 'utf8');
        pushed[path] = (await git('--git-dir', origin, 'show', `main:${path}`)).stdout;
      }
      return { stdout, after, pushed };
    } finally {
      await rm(top, { recursive: true, force: true });
    }
  }

  test('the CLI snippet, copied from the page and run, gives the page\'s result', opts, async () => {
    // set, with a selector and a type
    await choose('#example', 'helm');
    await fill('#path', 'replicaCount');
    await choose('#type', 'int');
    await fill('#value', '5');
    let command = await copied('cli');
    assert.equal(command, 'gitops-bump set charts/api/values.yaml replicaCount 5 --type int --push');
    let run = await runCli(command, REPO);
    assert.equal(run.after['charts/api/values.yaml'], await text('#result'));
    assert.equal(run.pushed['charts/api/values.yaml'], await text('#result'), 'committed and pushed, as the Action and the orb do');
    assert.notEqual(run.after['charts/api/values.yaml'], REPO['charts/api/values.yaml']);

    // image, with the overlay check over the other files
    await choose('#example', 'overlay-image');
    command = await copied('cli');
    assert.equal(command, `gitops-bump image ${PRODUCTION} ghcr.io/acme/api:1.10 --push`);
    run = await runCli(command, REPO);
    assert.equal(run.after[PRODUCTION], await text('#result'));
    assert.equal(run.pushed[PRODUCTION], await text('#result'));
    for (const path of Object.keys(REPO)) if (path !== PRODUCTION) assert.equal(run.pushed[path], REPO[path], path);

    // get: the same values the page lists
    await choose('#example', 'all');
    command = await copied('cli');
    assert.equal(command, `gitops-bump get ${DEPLOYMENT} 'spec.template.spec.containers[*].image' --all`);
    run = await runCli(command, REPO);
    assert.deepEqual(run.stdout.trim().split('\n'), (await rows()).map((r) => r.value));
  });


  test('the Action steps, copied and run by the Action\'s bundle, push the page\'s result', opts, async (t) => {
    for (const id of ['helm', 'overlay-image']) {
      await choose('#example', id);
      const steps = parseYaml(await copied('action'));
      assert.equal(steps[0].uses, 'actions/checkout@v4', 'the config repository is checked out first');
      const step = steps.find((s) => s.uses?.startsWith('gitops-bump/'));
      assert.equal(step.with.mode, undefined, 'the default mode: push, as the CLI and orb snippets do');
      const inputs = Object.fromEntries(Object.entries(step.with).map(([k, v]) => [k, String(v)]));
      const repo = configRepo(t, { files: REPO });
      const r = await runAction(t, { workspace: repo.clone(), inputs });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(r.outputs.diff, await text('#diff'), id);
      const file = id === 'helm' ? 'charts/api/values.yaml' : PRODUCTION;
      // (the helper's git output has its last line break trimmed)
      assert.equal(repo.show('main', file), (await text('#result')).replace(/\n$/, ''), `${id}: pushed`);
    }
  });

  test('the orb job, copied and run as CircleCI would (its script, its parameters), pushes the page\'s result', opts, async () => {
    for (const id of ['helm', 'overlay-image']) {
      await choose('#example', id);
      const config = parseYaml(await copied('orb'));
      const [entry] = config.workflows.bump.jobs;
      const params = { ...entry['gitops-bump/bump'] };
      assert.equal(params.context, 'gitops', 'the token comes from a context');
      delete params.context; // a workflow key, not a parameter
      assert.equal(params.mode, undefined, 'the default mode: push');
      // the job is checkout + the `bump` command, whose one run step makes the edit
      const steps = orbRunSteps('bump', params);
      assert.equal(steps.length, 1, 'bump has one run step of its own');
      const run = await runCli(steps[0].script, REPO, steps[0].env);
      const file = id === 'helm' ? 'charts/api/values.yaml' : PRODUCTION;
      assert.equal(run.after[file], await text('#result'), id);
      assert.equal(run.pushed[file], await text('#result'), `${id}: pushed`);
      assert.notEqual(run.pushed[file], REPO[file], id);
    }
  });

  test('while the edit fails the snippets are hidden, and a paste brings the match or the error into view', opts, async () => {
    await choose('#example', 'helm');
    assert.equal(await page.isVisible('#snippet-cli'), true);
    await fill('#path', 'image.tagg');
    assert.equal(await page.isVisible('#error-panel'), true);
    for (const id of ['#snippet-cli', '#snippet-action', '#snippet-orb']) assert.equal(await page.isHidden(id), true, `${id} is hidden while the edit fails`);
    assert.equal(await page.isVisible('#snippets-stale'), true);
    await fill('#path', 'image.tag');
    assert.equal(await page.isVisible('#snippet-cli'), true);
    assert.equal(await page.isHidden('#snippets-stale'), true);

    // a long file pasted in: the value the path names is in the middle, far from both the
    // editor's first screen and the caret the paste leaves at the end
    const keys = (from) => Array.from({ length: 150 }, (_, i) => `key${from + i}: ${i}`).join('\n');
    const long = `${keys(0)}\nimage:\n  tag: "1.9.2"\n${keys(150)}\n`;
    await choose('#mode', 'get');
    await page.locator('#yaml').evaluate((t) => { t.scrollTop = 0; });
    await page.evaluate((text) => navigator.clipboard.writeText(text), long);
    await page.locator('#yaml').focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Control+V');
    await settled(page);
    assert.equal(await page.inputValue('#yaml'), long);
    const visible = () => page.evaluate(() => {
      const editor = document.getElementById('yaml').getBoundingClientRect();
      const mark = document.querySelector('#backdrop mark');
      const box = mark?.getBoundingClientRect();
      return Boolean(box) && box.top >= editor.top && box.bottom <= editor.bottom;
    });
    assert.equal(await visible(), true, 'the match is scrolled into the editor');
    // and an error: the path names a key that is not there
    await fill('#path', 'image.tagg');
    await page.locator('#yaml').evaluate((t) => { t.scrollTop = 0; t.dispatchEvent(new Event('scroll')); });
    await page.evaluate((text) => navigator.clipboard.writeText(text), long.replace('tag: "1.9.2"', 'tags: "1.9.2"'));
    await page.locator('#yaml').focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Control+V');
    await settled(page);
    assert.equal(await page.isVisible('#error-panel'), true);
    assert.equal(await visible(), true, 'the error is scrolled into the editor');
  });

  test('the Action and orb snippets use only names the Action and the orb define', opts, async () => {
    await choose('#example', 'label-1.10');
    await fill('#select', 'kind=Deployment');
    const inputs = actionInputs();
    const step = parseYaml(await copied('action')).find((s) => s.uses?.startsWith('gitops-bump/'));
    assert.match(step.uses, /^gitops-bump\/gitops-bump\/action@v0\.1\.0$/);
    for (const key of Object.keys(step.with)) assert.ok(inputs.has(key), `with: ${key} is an input of action/action.yml`);
    assert.deepEqual(parseYaml(step.with.set), [{ file: DEPLOYMENT, path: 'metadata.labels["app.kubernetes.io/version"]', value: '1.10', select: 'kind=Deployment' }]);

    const orb = parseYaml(await copied('orb'));
    assert.equal(orb.orbs['gitops-bump'], 'gitops-bump/gitops-bump@0.1.0');
    const [name, params] = Object.entries(orb.workflows.bump.jobs[0])[0];
    assert.equal(name, 'gitops-bump/bump');
    const known = orbParameters('bump');
    for (const key of Object.keys(params)) assert.ok(known.has(key) || key === 'context', `${key} is a parameter of ${name}`);

    await choose('#example', 'overlay-image');
    await page.check('#force');
    await settled(page);
    const imageStep = parseYaml(await copied('action')).find((s) => s.uses?.startsWith('gitops-bump/'));
    assert.deepEqual(imageStep.with, { images: 'ghcr.io/acme/api:1.10', targets: PRODUCTION, 'check-overlay': false });
    for (const key of Object.keys(imageStep.with)) assert.ok(inputs.has(key), key);
    const imageOrb = parseYaml(await copied('orb'));
    const bumpImage = imageOrb.workflows.bump.jobs[0]['gitops-bump/bump'];
    assert.equal(bumpImage.check_overlay, false);
    for (const key of Object.keys(bumpImage)) assert.ok(known.has(key) || key === 'context', key);
    await page.uncheck('#force');
  });

  test('a shared link restores the files, the open file and the controls in a new page', opts, async () => {
    await choose('#example', 'overlay-image');
    await openFile('charts/api/values.yaml');
    const edited = REPO['charts/api/values.yaml'].replace('replicaCount: 2', 'replicaCount: 4  # sale week');
    await fill('#yaml', edited);
    await choose('#mode', 'set');
    await fill('#path', 'image.tag');
    await fill('#value', '1.10');
    const url = await clickToCopy('#share');
    assert.match(url, /#s=[A-Za-z0-9_-]+$/);
    assert.equal(url, await page.evaluate(() => location.href));
    const expected = await text('#result');

    const other = await browser.context.newPage();
    try {
      await openPlayground(other, url.replace(/#.*/, ''), url.slice(url.indexOf('#')));
      await other.waitForSelector('body[data-state="ready"]');
      assert.equal(await other.inputValue('#file'), 'charts/api/values.yaml');
      assert.equal(await other.inputValue('#yaml'), edited);
      assert.equal(await other.inputValue('#mode'), 'set');
      assert.equal(await other.inputValue('#path'), 'image.tag');
      assert.equal(await other.inputValue('#value'), '1.10');
      assert.equal(await other.locator('#result').textContent(), expected);
      const files = await other.$$eval('#files button[data-file]', (b) => b.map((x) => x.dataset.file));
      assert.deepEqual(files, Object.keys(REPO).sort());
    } finally {
      await other.close();
    }

    // A link of the older one-file form still opens.
    const legacy = await browser.context.newPage();
    try {
      const hash = `#${new URLSearchParams({ mode: 'set', path: 'image.tag', value: '1.10', file: 'values.yaml', yaml: 'image:\n  tag: 1.9 # pinned\n' })}`;
      await openPlayground(legacy, browser.url, hash);
      assert.equal(await legacy.inputValue('#file'), 'values.yaml');
      assert.equal(await legacy.locator('#result').textContent(), 'image:\n  tag: "1.10" # pinned\n');
    } finally {
      await legacy.close();
    }

    // A damaged link says so and opens the first example.
    const broken = await browser.context.newPage();
    try {
      await openPlayground(broken, browser.url, '#s=not-deflate-data');
      assert.match(await broken.locator('#status').textContent(), /could not be read/);
      assert.equal(await broken.inputValue('#file'), EXAMPLES[0].state.file);
    } finally {
      await broken.close();
    }

    // An unchanged example travels as its id: a short link.
    await choose('#example', 'helm');
    const short = await clickToCopy('#share');
    assert.ok(short.length < 200, short);
  });

  test('dark mode and a 390 px phone: no overflow, no word broken in the middle', opts, async () => {
    await choose('#example', 'overlay-image');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot('dark');
    await page.emulateMedia({ colorScheme: 'light' });

    await page.setViewportSize({ width: 390, height: 844 });
    await choose('#example', 'all');
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 390, `page is ${wide}px wide`);
    // Wherever a cell's text wraps, the line ends after `.`, `/`, `,` or `=` (a <wbr>).
    const breaksInside = (selector) => page.$$eval(selector, (codes) => codes.flatMap((code) => {
      const chars = [];
      const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        for (let i = 0; i < n.data.length; i++) {
          const r = document.createRange();
          r.setStart(n, i);
          r.setEnd(n, i + 1);
          chars.push({ ch: n.data[i], top: r.getBoundingClientRect().top });
        }
      }
      const bad = [];
      for (let i = 1; i < chars.length; i++) {
        if (chars[i].top > chars[i - 1].top + 1 && !/[./,=\s]/.test(chars[i - 1].ch)) bad.push(code.textContent);
      }
      return bad;
    }));
    assert.deepEqual(await breaksInside('#matches-body td code'), []);
    // The same for the facts of an error.
    await choose('#example', 'overlay-image');
    await fill('#spec', 'ghcr.io/acme/apii:1.10');
    assert.equal(await text('#error-kind'), 'unknown-image');
    assert.deepEqual(await breaksInside('#error-facts dd'), []);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 390);
    await choose('#example', 'all');
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot('phone');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  test('keystroke benchmark smoke run on a 2,000-line file (numbers: benches/)', opts, async () => {
    const rows = await runKeystrokeBench(page, { keys: 3 });
    assert.equal(rows.length, 3);
    for (const r of rows) {
      assert.equal(r.keys, 3, r.name);
      assert.ok(r.correct, `${r.name}: the typed text arrived`);
      assert.ok(Number.isFinite(r.median) && r.median > 0, `${r.name}: measured`);
    }
  });

  test('no page errors, no request left 127.0.0.1', opts, () => {
    assert.deepEqual(browser.problems, []);
  });
});
