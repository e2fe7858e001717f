// One way to drive the playground in a real Chromium (Debian's /usr/bin/chromium through
// playwright-core), shared by the browser tests and the keystroke benchmark
// (benches/playground-keystroke.mjs): the prerequisites, the launch flags, a page that
// records errors and every request that would leave 127.0.0.1.

import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { startPlayground, WASM_WEB_DIR } from '../../pkg/playground/server.js';

export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const PKG_JSON = fileURLToPath(new URL('../../pkg/package.json', import.meta.url));

/** playwright-core, as installed in pkg/. */
export function loadPlaywright() {
  return createRequire(PKG_JSON)('playwright-core');
}

/** Why Chromium cannot drive the playground here, or null. */
export function missingPrerequisite() {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing (apt-get install -y chromium, or scripts/setup-test)`;
  try {
    loadPlaywright();
  } catch {
    return 'playwright-core is not installed in pkg/ (npm ci in pkg/)';
  }
  if (!existsSync(join(WASM_WEB_DIR, 'gitops_bump.js')) || !existsSync(join(WASM_WEB_DIR, 'gitops_bump_bg.wasm'))) {
    return `the wasm web build is missing in ${WASM_WEB_DIR} (it is committed; bash scripts/build rebuilds it)`;
  }
  return null;
}

/**
 * Starts the playground server and a Chromium with a fresh profile.
 * @param {{viewport?: {width: number, height: number}, colorScheme?: 'light'|'dark', playgroundDir?: string}} [options]
 *   `playgroundDir` serves another copy of the page (the benchmark's "before" figures)
 * @returns {Promise<{url: string, context: any, problems: string[], watch: (page: any) => any, close: () => Promise<void>}>}
 */
export async function launch({ viewport = { width: 1440, height: 1000 }, colorScheme = 'light', playgroundDir } = {}) {
  const server = await startPlayground({ port: 0, ...(playgroundDir ? { playgroundDir } : {}) });
  const profile = await mkdtemp(join(tmpdir(), 'gitops-bump-chromium-'));
  const { chromium } = loadPlaywright();
  let context;
  try {
    // launchPersistentContext is how playwright takes a --user-data-dir.
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport, colorScheme,
    });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url.replace(/\/$/, '') });
  } catch (error) {
    await server.close();
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
  const problems = [];
  const origin = new URL(server.url).origin;
  // Every page of the context reports errors and any request that leaves the loopback server.
  const watch = (page) => {
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => { if (msg.type() === 'error') problems.push(`console: ${msg.text()}`); });
    page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()}`));
    page.on('request', (req) => {
      const url = req.url();
      if (!url.startsWith(`${origin}/`) && !url.startsWith('data:') && !url.startsWith('blob:')) problems.push(`request left 127.0.0.1: ${url}`);
    });
    return page;
  };
  context.on('page', watch);
  for (const page of context.pages()) watch(page);
  return {
    url: server.url,
    context,
    problems,
    watch,
    async close() {
      await context.close();
      await server.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Opens the playground (optionally at a hash) in `page` and waits for the core.
 * @param {any} page
 * @param {string} url
 * @param {string} [hash]
 */
export async function openPlayground(page, url, hash = '') {
  await page.goto(url + hash);
  await page.waitForSelector('body[data-state="ready"], body[data-state="no-wasm"]', { timeout: 60_000 });
  const state = await page.getAttribute('body', 'data-state');
  if (state !== 'ready') throw new Error(`the playground did not load: ${await page.locator('#status').textContent()}`);
}

/** Waits until the page has shown the core's answer to the latest change. */
export async function settled(page) {
  // generous: the whole test suite may share the machine's cores
  await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
}
