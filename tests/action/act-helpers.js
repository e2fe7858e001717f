// Helpers of the tests that run the Action under nektos/act: readers of act's output
// (`--log-prefix-job-id` prefixes each line with `[job]`) and the repository act runs in.

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { installAction } from './helpers.js';

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
 * committed bundle and its .wasm) and `.github/workflows/e2e.yml`, committed and pushed to its origin.
 * @param {string} app a clone whose origin is the bare repository
 * @param {string} workflowText
 * @param {{git: (cwd: string, args: string[]) => string}} deps
 */
export function prepareApp(app, workflowText, { git }) {
  installAction(app);
  mkdirSync(path.join(app, '.github', 'workflows'), { recursive: true });
  writeFileSync(path.join(app, '.github', 'workflows', 'e2e.yml'), workflowText);
  git(app, ['add', '-A']);
  git(app, ['commit', '--quiet', '-m', 'ci: the Action and its e2e workflow']);
  git(app, ['push', '--quiet', 'origin', 'HEAD:main']);
}
