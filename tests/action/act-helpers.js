// Helpers of the tests that run the Action under nektos/act: a workflow job using
// `./action` with a last step that prints its outcome and outputs, and readers of act's
// output (`--log-prefix-job-id` prefixes each line with `[job]`).

import assert from 'node:assert/strict';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPORT } from './helpers.js';

/** A job: checkout, the Action with `with`, optional extra steps, the report. */
export function job(name, withInputs, { failing = false, after = '' } = {}) {
  // the samples' images are made up: no registry to verify them in (registry-act.test.js does)
  const lines = Object.entries({ verify: 'false', ...withInputs }).map(([k, v]) => (String(v).includes('\n') ? `          ${k}: |\n${String(v).replace(/^/gm, '            ')}` : `          ${k}: ${JSON.stringify(String(v))}`));
  return `  ${name}:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Bump
        id: bump
        uses: ./action
${failing ? '        continue-on-error: true\n' : ''}        with:
${lines.join('\n')}
${after}${REPORT}`;
}

/** act's output lines of one job (`--log-prefix-job-id` prefixes each with `[job]`). */
export function linesOf(output, name) {
  const prefix = `[${name}]`;
  return output.split('\n').filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length));
}

export function resultOf(output, name) {
  const line = linesOf(output, name).find((l) => /^\s+\|\s+RESULT /.test(l));
  assert.ok(line, `job ${name}: no RESULT line in act's output:\n${linesOf(output, name).join('\n')}`);
  return JSON.parse(line.replace(/^\s+\|\s+RESULT /, ''));
}

/**
 * The job summary as act prints it after the step: `[job]   ⚙  Summary - ` and the first
 * line, then the other lines unprefixed (one write, so they stay together).
 */
export function summaryOf(output, name) {
  const lines = output.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`[${name}]`) && l.includes('Summary - '));
  assert.ok(start >= 0, `job ${name}: no summary in act's output`);
  const out = [lines[start].replace(/^.*?Summary - /, '')];
  for (let i = start + 1; i < lines.length && !lines[i].startsWith('['); i += 1) out.push(lines[i]);
  return out.join('\n');
}

/** Everything act printed for one job (log lines, annotations), prefix removed. */
export function logOf(output, name) {
  return linesOf(output, name).join('\n');
}


/**
 * Makes the clone `app` of a bare repository a repository act can run: `./action` (the
 * committed bundle) and `.github/workflows/e2e.yml`, committed and pushed to its origin.
 * @param {string} app a clone whose origin is the bare repository
 * @param {string} workflowText
 * @param {{root: string, git: (cwd: string, args: string[]) => string}} deps
 */
export function prepareApp(app, workflowText, { root, git }) {
  mkdirSync(path.join(app, 'action'), { recursive: true });
  cpSync(path.join(root, 'action', 'action.yml'), path.join(app, 'action', 'action.yml'));
  cpSync(path.join(root, 'action', 'package.json'), path.join(app, 'action', 'package.json'));
  cpSync(path.join(root, 'action', 'dist'), path.join(app, 'action', 'dist'), { recursive: true });
  cpSync(path.join(root, 'pkg', 'wasm', 'web', 'gitops_bump_bg.wasm'), path.join(app, 'pkg', 'wasm', 'web', 'gitops_bump_bg.wasm')); // the bundle reads the package's .wasm
  mkdirSync(path.join(app, '.github', 'workflows'), { recursive: true });
  writeFileSync(path.join(app, '.github', 'workflows', 'e2e.yml'), workflowText);
  git(app, ['add', '-A']);
  git(app, ['commit', '--quiet', '-m', 'ci: the Action and its e2e workflow']);
  git(app, ['push', '--quiet', 'origin', 'HEAD:main']);
}
