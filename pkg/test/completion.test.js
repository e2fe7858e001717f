// `gitops-bump completion bash|zsh|fish`: each script is run by its own shell (zsh, fish
// and shellcheck come from scripts/setup-test) and completes what the CLI accepts.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { cli, tempTree } from './helpers.js';

/**
 * Runs a shell command line with a completion script saved next to it.
 * @param {string} shell @param {string[]} args @param {string} cwd
 */
function sh(shell, args, cwd) {
  const r = spawnSync(shell, args, { cwd, encoding: 'utf8', timeout: 30_000, env: { PATH: process.env.PATH, HOME: cwd, TERM: 'dumb' } });
  assert.ok(!r.error, `${shell} is installed (scripts/setup-test installs it): ${r.error?.message}`);
  return r;
}

/**
 * The script for `shell`, saved in a temp dir that also holds a values.yaml.
 * @param {import('node:test').TestContext} t @param {string} shell
 */
function script(t, shell) {
  const dir = tempTree(t, { 'values.yaml': 'a: 1\n', 'plan.yaml': 'edits: []\n' });
  const r = cli(['completion', shell], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  fs.writeFileSync(path.join(dir, `completion.${shell}`), r.stdout);
  return { dir, file: path.join(dir, `completion.${shell}`), text: r.stdout };
}

/**
 * What bash's completion function offers for the words of a command line (the last
 * word is the one being completed), called as readline would call it.
 * @param {string} dir @param {string} file @param {string[]} words
 */
function bashComplete(dir, file, words) {
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const r = sh('bash', ['--norc', '--noprofile', '-c', `source '${file}'; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _gitops_bump; printf '%s\\n' "\${COMPREPLY[@]}"`], dir);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  return r.stdout.split('\n').filter(Boolean);
}

test('bash: commands, options per command, --type values, shells and file names complete', (t) => {
  const { dir, file } = script(t, 'bash');
  assert.deepEqual(bashComplete(dir, file, ['gitops-bump', 'se']), ['set']);
  assert.deepEqual(bashComplete(dir, file, ['gitops-bump', 'co']), ['completion']);
  assert.deepEqual(bashComplete(dir, file, ['gitops-bump', '--ver']), ['--version']);
  assert.deepEqual(bashComplete(dir, file, ['gitops-bump', 'set', 'values.yaml', '--dry']), ['--dry-run']);
  assert.deepEqual(bashComplete(dir, file, ['gitops-bump', 'get', 'values.yaml', '--dry']), [], 'get takes no --dry-run');
  assert.deepEqual(bashComplete(dir, file, ['gitops-bump', 'set', 'v.yaml', 'a', '1', '--type', 'i']), ['int']);
  assert.deepEqual(bashComplete(dir, file, ['gitops-bump', 'set', 'v.yaml', '--select', 'k']), [], 'a free value is not completed');
  assert.deepEqual(bashComplete(dir, file, ['gitops-bump', 'completion', 'f']), ['fish']);
  assert.deepEqual(bashComplete(dir, file, ['gitops-bump', 'get', 'val']), ['values.yaml']);
  assert.deepEqual(bashComplete(dir, file, ['gitops-bump', 'apply', 'p']), ['plan.yaml']);
  assert.deepEqual(bashComplete(dir, file, ['gitops-bump', 'image', 'overlays', '--sc']), ['--scan']);
});

test('bash: the completion of an interactive shell that sourced the script', (t) => {
  const { dir, file } = script(t, 'bash');
  // bash -i loads the script as a user's ~/.bashrc would; `complete -p` shows the binding
  const r = sh('bash', ['--norc', '--noprofile', '-i', '-c', `source '${file}'; complete -p gitops-bump`], dir);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^complete -F _gitops_bump gitops-bump$/m);
});

test('bash: shellcheck finds nothing in the script', (t) => {
  const { file } = script(t, 'bash');
  const r = sh('shellcheck', ['--shell=bash', file], path.dirname(file));
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('zsh: the script parses and defines the completion for gitops-bump', (t) => {
  const { dir, file, text } = script(t, 'zsh');
  assert.ok(text.startsWith('#compdef gitops-bump\n'));
  const parse = sh('zsh', ['-n', file], dir);
  assert.equal(parse.status, 0, parse.stderr);
  // loaded the way the script's header says, under compinit
  const r = sh('zsh', ['-f', '-c', `autoload -Uz compinit && compinit -u -D && source '${file}' && print -r -- $_comps[gitops-bump]`], dir);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), '_gitops_bump');
  assert.match(text, /'set:set the value at PATH, byte-exactly'/);
  assert.match(text, /'\*--type:type:\(string int float bool null yaml\)'/);
});

test('fish: the script parses and completes commands, options and --type values', (t) => {
  const { dir, file } = script(t, 'fish');
  const parse = sh('fish', ['--no-execute', file], dir);
  assert.equal(parse.status, 0, parse.stderr);
  const complete = (/** @type {string} */ line) => {
    const r = sh('fish', ['--no-config', '-c', `source '${file}'; complete -C '${line}'`], dir);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0]);
  };
  assert.deepEqual(complete('gitops-bump se'), ['set']);
  assert.deepEqual(complete('gitops-bump set values.yaml a 1 --type i'), ['int']);
  assert.ok(complete('gitops-bump set values.yaml --dr').includes('--dry-run'));
  assert.ok(!complete('gitops-bump get values.yaml --dr').includes('--dry-run'), 'get takes no --dry-run');
  assert.deepEqual(complete('gitops-bump get val'), ['values.yaml']);
});

test('completion: an unknown shell is a usage error with a suggestion', (t) => {
  const r = cli(['completion', 'bsh'], { cwd: tempTree(t) });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /expected one of bash, zsh, fish, got `bsh`\n {2}= help: did you mean `bash`\?/);
});
