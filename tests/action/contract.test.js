// action.yml against the code that reads it: every input declared there is read with the
// same default by a direct run, every output it declares is written; and the runner's
// file-command protocol as written by action/src/workflow.js.

import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { INPUT_DEFAULTS, inputVariable } from '../../action/src/inputs.js';
import { modeNames } from '../../pkg/src/pipeline/modes.js';
import { outputs } from '../../action/src/report.js';
import { Workflow, escapeProperty, fileRecord } from '../../action/src/workflow.js';
import { ROOT, parseOutputFile } from './helpers.js';

const YAML = createRequire(path.join(ROOT, 'pkg', 'package.json'))('yaml');
const action = YAML.parse(readFileSync(path.join(ROOT, 'action', 'action.yml'), 'utf8'));

/** The names every layer relies on (the Action, the orb, the docs). */
const CONTRACT_INPUTS = [
  'images', 'targets', 'scan', 'set', 'plan', 'repository', 'branch', 'working-directory', 'token', 'mode',
  'commit-message', 'author-name', 'author-email', 'pr-title', 'pr-body', 'pr-labels', 'pr-base', 'pr-draft',
  'pr-branch', 'retries', 'check-overlay', 'fail-if-unchanged',
  // promotion between environments, and the "what runs where" table
  'promote-from', 'promote-to', 'promote-images', 'status',
  // images resolved in their registries before anything is written
  'verify', 'pin-digest', 'require-platforms', 'require-signature', 'registry-username', 'registry-password', 'policy', 'tag-filter',
];
const CONTRACT_OUTPUTS = ['changed', 'changed-files', 'changes', 'commit-sha', 'pr-number', 'pr-url', 'pr-operation', 'pr-branch', 'pr-head-sha', 'diff', 'status', 'images'];

test('action.yml runs dist/index.js on node24 and declares the contract names', () => {
  assert.deepEqual(action.runs, { using: 'node24', main: 'dist/index.js' });
  for (const name of CONTRACT_INPUTS) assert.ok(action.inputs[name], `input ${name} is not declared`);
  assert.deepEqual(Object.keys(action.outputs).sort(), [...CONTRACT_OUTPUTS].sort());
  for (const [name, spec] of Object.entries({ ...action.inputs, ...action.outputs })) assert.ok(spec.description, `${name} has no description`);
  assert.equal(action.inputs.mode.default, 'push');
  assert.deepEqual(modeNames('action'), ['push', 'pull-request', 'api-commit', 'dry-run']);
  assert.equal(action.inputs.token.default, '${{ github.token }}');
});

test('the root action.yml (for the Marketplace) is action/action.yml running the same bundle', () => {
  const text = readFileSync(path.join(ROOT, 'action.yml'), 'utf8');
  const inner = readFileSync(path.join(ROOT, 'action', 'action.yml'), 'utf8');
  const body = text.replace(/^(#.*\n)+/, '');
  assert.equal(body, inner.replace('  main: dist/index.js\n', '  main: action/dist/index.js\n'), 'the two files differ in more than runs.main: edit both');
  const root = YAML.parse(text);
  assert.deepEqual(root.runs, { using: 'node24', main: 'action/dist/index.js' });
  assert.deepEqual({ ...root, runs: action.runs }, action);
});

test('a direct run reads every input with the default action.yml gives it', () => {
  assert.deepEqual(Object.keys(INPUT_DEFAULTS).sort(), Object.keys(action.inputs).sort());
  for (const [name, spec] of Object.entries(action.inputs)) {
    const fromYaml = String(spec.default ?? '');
    // defaults the runner computes (github.token, github.server_url) are read from the environment instead
    assert.equal(INPUT_DEFAULTS[name], fromYaml.startsWith('${{') ? '' : fromYaml, `input ${name}`);
  }
  assert.equal(inputVariable('working-directory'), 'INPUT_WORKING-DIRECTORY');
  assert.equal(inputVariable('a b'), 'INPUT_A_B');
});

test('the outputs written are exactly the ones declared', () => {
  const values = outputs({ changed: [], commit: null, pushed: false, attempts: 0, pullRequest: null, branch: null }, { preview: false });
  assert.deepEqual(Object.keys(values).sort(), Object.keys(action.outputs).sort());
  assert.equal(values['pr-operation'], 'none');
});

test('an output value cannot end its record early or forge another output', () => {
  const value = 'line 1\nEOF\ncommit-sha<<EOF\nforged\nEOF\nghadelimiter_00000000-0000-0000-0000-000000000000\n';
  const a = fileRecord('diff', value);
  const b = fileRecord('diff', value);
  assert.notEqual(a.split('\n')[0], b.split('\n')[0], 'the delimiter is random');
  assert.deepEqual(parseOutputFile(a), { diff: value });
});

test('command properties escape , : and newlines; masked values never reach the log', () => {
  assert.equal(escapeProperty('a:b,c\nd%'), 'a%3Ab%2Cc%0Ad%25');
  const lines = [];
  const wf = new Workflow({ env: {}, stdout: { write: (s) => lines.push(s) } });
  wf.addMask('ghs_secret0123');
  wf.line('token ghs_secret0123 in a line');
  wf.error('failed with ghs_secret0123', { file: 'a,b.yaml', line: 3, col: 1, title: 'x: y' });
  assert.deepEqual(lines, [
    '::add-mask::ghs_secret0123\n',
    'token *** in a line\n',
    '::error file=a%2Cb.yaml,line=3,col=1,title=x%3A y::failed with ***\n',
  ]);
});
