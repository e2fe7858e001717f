// Fixtures for the Action's tests: the sample config repository (scripts/demo-repo/) in
// real bare repositories, a direct run of the bundle exactly as the runner starts it
// (INPUT_* variables, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files), and readers for what
// the runner would have stored.

import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cleanEnv, git, runCommand, tempDir, ROOT } from '../pipeline/helpers.js';

export { ROOT, git, tempDir };
export const DIST = path.join(ROOT, 'action', 'dist', 'index.js');
export const DEMO_REPO = path.join(ROOT, 'scripts', 'demo-repo');
/** A token shaped like GitHub's, easy to search for in everything the Action leaves behind. */
export const TOKEN = 'ghs_RecognisableActionTestToken0123456789';

/**
 * A bare repository `<dir>/<owner>/<name>.git` holding the sample config repository on
 * main (one commit), so `server-url: file://<dir>` + `repository: owner/name` finds it.
 * @param {import('node:test').TestContext} t
 * @param {{dir?: string, slug?: string, files?: Record<string, string>}} [options]
 */
export function configRepo(t, { dir = tempDir(t, 'gb-action-'), slug = 'acme/config', files } = {}) {
  const bare = path.join(dir, `${slug}.git`);
  mkdirSync(path.dirname(bare), { recursive: true });
  git(dir, ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
  const seed = path.join(dir, `seed-${slug.replace('/', '-')}`);
  if (files) {
    for (const [f, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(seed, f)), { recursive: true });
      writeFileSync(path.join(seed, f), text);
    }
  } else {
    cpSync(DEMO_REPO, seed, { recursive: true });
  }
  git(seed, ['init', '--quiet', '--initial-branch=main']);
  git(seed, ['add', '-A']);
  git(seed, ['commit', '--quiet', '-m', 'chore: shop config']);
  git(seed, ['push', '--quiet', bare, 'HEAD:refs/heads/main']);
  return {
    dir,
    bare,
    slug,
    serverUrl: `file://${dir}`,
    head: (ref = 'main') => git(bare, ['rev-parse', `refs/heads/${ref}`]),
    show: (rev, file) => git(bare, ['show', `${rev}:${file}`]),
    log: (ref = 'main') => git(bare, ['log', '--format=%H %P|%an|%s', ref]).split('\n'),
    /** A CI checkout of main with `origin` pointing at the bare repository. */
    clone(name = 'workspace') {
      const c = path.join(dir, name);
      git(dir, ['clone', '--quiet', '--branch', 'main', bare, c]);
      return c;
    },
  };
}

/** Parses a GITHUB_OUTPUT file (`name<<DELIMITER` records) into an object. */
export function parseOutputFile(text) {
  const out = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]);
    if (!m) continue;
    const [, name, delimiter] = m;
    const value = [];
    for (i += 1; i < lines.length && lines[i] !== delimiter; i += 1) value.push(lines[i]);
    if (lines[i] !== delimiter) throw new Error(`output ${name}: no closing delimiter`);
    out[name] = value.join('\n');
  }
  return out;
}

/** The runner's variable for an input: INPUT_ + upper case, spaces as _, hyphens kept. */
export function inputEnv(inputs) {
  return Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.replace(/ /g, '_').toUpperCase()}`, String(v)]));
}

/**
 * Runs `node action/dist/index.js` as the runner would: inputs as INPUT_*, fresh
 * GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, GITHUB_WORKSPACE, GITHUB_SHA.
 * Inputs left out get no variable at all (so the bundle's own defaults apply, as the
 * runner's would from action.yml), except `verify` (false unless given).
 * @returns {Promise<{code: number, stdout: string, stderr: string, outputs: Record<string, string>, outputText: string, summary: string}>}
 */
/**
 * The Node that runs the Action's bundle: `GB_ACTION_NODE` (tests/action/node24.test.js
 * runs this file's tests again with Node 24, the runtime `using: node24` names), else the
 * Node running the tests.
 */
export const ACTION_NODE = process.env.GB_ACTION_NODE || process.execPath;

/**
 * PATH for act, which on the host runs an action with the first `node` on PATH: with
 * GB_ACTION_NODE, a `node` that is ACTION_NODE and appends its arguments to
 * GB_ACTION_NODE_LOG (so a test can see which runs it made).
 * @param {import('node:test').TestContext} t
 * @returns {string}
 */
export function actPath(t) {
  if (!process.env.GB_ACTION_NODE) return process.env.PATH ?? '';
  const dir = tempDir(t, 'gb-node-');
  const log = process.env.GB_ACTION_NODE_LOG ?? '/dev/null';
  writeFileSync(path.join(dir, 'node'), `#!/bin/sh\nprintf '%s\\n' "$*" >> ${JSON.stringify(log)}\nexec ${JSON.stringify(ACTION_NODE)} "$@"\n`, { mode: 0o755 });
  return `${dir}:${process.env.PATH ?? ''}`;
}

export async function runAction(t, { inputs, workspace, env = {} }) {
  const files = tempDir(t, 'gb-runner-');
  const output = path.join(files, 'output');
  const summary = path.join(files, 'summary');
  writeFileSync(output, '');
  writeFileSync(summary, '');
  const res = await runCommand(ACTION_NODE, [DIST], {
    cwd: workspace,
    env: cleanEnv({
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: workspace,
      GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
      GITHUB_REPOSITORY: 'acme/app',
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: summary,
      // verify defaults to auto, which asks the images' registries: these tests bump
      // made-up images on public hosts, so they switch it off unless they name it
      // (tests/action/registry.test.js runs it against registries on 127.0.0.1)
      ...inputEnv({ verify: 'false', ...inputs }),
      ...env,
    }),
  });
  const outputText = readFileSync(output, 'utf8');
  return { ...res, outputs: parseOutputFile(outputText), outputText, summary: readFileSync(summary, 'utf8') };
}

/** Every file below `dir` (recursively), as [path, bytes]. */
export function filesBelow(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) out.push([p, readFileSync(p)]);
    }
  };
  walk(dir);
  return out;
}

/**
 * The token, and the encoded forms it travels in, must appear in none of `texts` and in
 * no file under the `.git` directories given.
 */
export function assertNoToken(assert, { texts = {}, gitDirs = [] }, token = TOKEN) {
  const forms = [token, Buffer.from(`x-access-token:${token}`).toString('base64'), Buffer.from(token).toString('base64')];
  for (const [name, text] of Object.entries(texts)) {
    for (const f of forms) assert.ok(!String(text).includes(f), `${name} contains the token (or an encoded form)`);
  }
  let files = 0;
  for (const d of gitDirs) {
    for (const [p, bytes] of filesBelow(d)) {
      files += 1;
      for (const f of forms) assert.ok(!bytes.includes(f), `${p} contains the token (or an encoded form)`);
    }
  }
  if (gitDirs.length) assert.ok(files > 10, `looked at only ${files} files under ${gitDirs.join(', ')}`);
}

/** The last step of every job: the bump step's outcome and outputs as one JSON line. */
export const REPORT = `      - name: Report
        if: always()
        env:
          OUTCOME: \${{ steps.bump.outcome }}
          OUTPUTS: \${{ toJSON(steps.bump.outputs) }}
        run: |
          node -e 'console.log("RESULT " + JSON.stringify({ outcome: process.env.OUTCOME, outputs: JSON.parse(process.env.OUTPUTS) }))'
`;

/**
 * One job of an act workflow: checkout, the Action (`./action`) with `withInputs`
 * (registry verification off unless asked: the samples' images are made up), optional extra
 * steps, then the REPORT step.
 * @param {string} name @param {Record<string, unknown>} withInputs
 * @param {{failing?: boolean, after?: string}} [options]
 */
export function actJob(name, withInputs, { failing = false, after = '', uses = './action' } = {}) {
  const lines = Object.entries({ verify: 'false', ...withInputs }).map(([k, v]) => (String(v).includes('\n') ? `          ${k}: |\n${String(v).replace(/^/gm, '            ')}` : `          ${k}: ${JSON.stringify(String(v))}`));
  return `  ${name}:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Bump
        id: bump
        uses: ${uses}
${failing ? '        continue-on-error: true\n' : ''}        with:
${lines.join('\n')}
${after}${REPORT}`;
}

/**
 * Copies the Action (action.yml, its bundle and the .wasm the bundle reads) into `app`, and
 * the root action.yml the Marketplace lists (`uses: ./` runs the same bundle).
 */
export function installAction(app) {
  for (const part of ['action.yml', 'action/action.yml', 'action/package.json', 'action/dist', 'pkg/wasm/web/gitops_bump_bg.wasm']) {
    cpSync(path.join(ROOT, part), path.join(app, part), { recursive: true });
  }
}

/**
 * What a user's repository holds before act runs it: the Action (installAction) and a
 * workflow `.github/workflows/NAME.yml` run on push with `contents: write`, its `jobs` as
 * given, committed and pushed to main.
 * @param {string} app the app repository's clone
 * @param {string} name
 * @param {string} jobs the workflow's jobs, indented as under `jobs:`
 * @param {string} message the commit message
 */
export function pushWorkflow(app, name, jobs, message) {
  installAction(app);
  mkdirSync(path.join(app, '.github', 'workflows'), { recursive: true });
  writeFileSync(path.join(app, '.github', 'workflows', `${name}.yml`), `name: ${name}\non: push\npermissions:\n  contents: write\njobs:\n${jobs}`);
  git(app, ['add', '-A']);
  git(app, ['commit', '--quiet', '-m', message]);
  git(app, ['push', '--quiet', 'origin', 'HEAD:main']);
}
