// Every hint names an option or input of the front end that shows it. The core names an
// option by id (`{+all}`, `{select=V}`); pkg/src/hints.js words it for the command line,
// the Action, the orb and the playground. For every error kind, in each front end, each
// option a hint names must exist there: a flag in the CLI's help, an input (or a field of
// the 'set' input's entries) in action.yml, a parameter of the orb, a control of the page.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { cli, tempTree, ROOT } from './helpers.js';
import { applyEdits, checkImage, setImage } from '../src/index.js';
import { FRONT_ENDS, OPTION_WORDS, PIPELINE_WORDS, SETTING_WORDS, hintIn, hintOptions, messageIn, renderHint, wordFlags } from '../src/hints.js';
import { REFUSED_KINDS, UNAVAILABLE_KINDS } from '../src/registry/errors.js';
import { pageHint, plainError } from '../playground/errors.js';

const src = (file) => fs.readFileSync(path.join(ROOT, file), 'utf8');

/** What exists in each front end: flags, inputs and 'set' fields, parameters, controls. */
function existing() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-hints-'));
  const flags = new Set();
  for (const command of ['get', 'set', 'remove', 'image', 'status', 'promote', 'apply']) {
    const r = cli([command, '--help'], { cwd: dir });
    for (const m of r.stdout.matchAll(/--[a-z][a-z-]*/g)) flags.add(m[0]);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const action = parseYaml(src('action/action.yml'));
  const inputs = new Set(Object.keys(action.inputs));
  const setFields = new Set(/\{([^}]+)\}/.exec(action.inputs.set.description)[1].split(/,\s*/));
  const parameters = new Set();
  for (const part of ['commands', 'jobs']) {
    for (const f of fs.readdirSync(path.join(ROOT, 'orb/src', part))) {
      for (const p of Object.keys(parseYaml(src(`orb/src/${part}/${f}`)).parameters ?? {})) parameters.add(p);
    }
  }
  const controls = new Set([...src('pkg/playground/index.html').matchAll(/<label for="[^"]+"[^>]*>([^<]+)<\/label>/g)].map((m) => m[1]));
  return { flags, inputs, setFields, parameters, controls };
}

/**
 * The options a text in `frontEnd`'s words names, each checked against what exists there.
 * @returns {string[]} what the text names that does not exist
 */
function missing(text, frontEnd, have) {
  const out = [];
  const need = (set, name) => set.has(name) || out.push(name);
  if (frontEnd === 'cli') {
    for (const m of text.matchAll(/--[a-z][a-z-]*/g)) need(have.flags, m[0]);
    return out;
  }
  // no other front end has flags, nor takes the CLI's command lines (the playground may
  // quote one as the command line's, for what the page cannot do)
  for (const m of text.matchAll(/(?<![\w-])--[a-z][a-z-]*/g)) if (!(frontEnd === 'playground' && /the command line's [a-z]+: gitops-bump [^)]*$/.test(text.slice(0, m.index)))) out.push(m[0]);
  for (const m of text.matchAll(/(?<!the command line's [a-z]+: )gitops-bump (?:get|set|remove|image|status|promote|apply) /g)) out.push(m[0].trim());
  if (frontEnd === 'action') {
    for (const m of text.matchAll(/'([a-z-]+)'(?: and '([a-z-]+)')? inputs?/g)) [m[1], m[2]].filter(Boolean).forEach((n) => need(have.inputs, n));
    for (const m of text.matchAll(/`([a-z]+)(?::[^`]*)?`(?= \(a field of the 'set'| \(in the 'set'| in the 'set')/g)) need(have.setFields, m[1]);
    if (/'set' input/.test(text)) need(have.inputs, 'set');
    // 'check-overlay: false', and a log line's "allow-downgrade is false"
    for (const m of text.matchAll(/'([a-z]+(?:-[a-z]+)*): [^']+'/g)) need(have.inputs, m[1]);
    for (const m of text.matchAll(/(?<![\w'`-])([a-z]+(?:-[a-z]+)+) is (?:true|false)\b/g)) need(have.inputs, m[1]);
  } else if (frontEnd === 'orb') {
    for (const m of text.matchAll(/`([a-z_]+)`(?: and `([a-z_]+)`)? parameters?/g)) [m[1], m[2]].filter(Boolean).forEach((n) => need(have.parameters, n));
    for (const m of text.matchAll(/`([a-z_]+): [^`]+`/g)) need(have.parameters, m[1]);
    for (const m of text.matchAll(/(?<![\w'`-])([a-z]+(?:_[a-z]+)+) is (?:true|false)\b/g)) need(have.parameters, m[1]);
  } else {
    for (const m of text.matchAll(/“([^”]+)”/g)) if (!/^[a-z]+$/.test(m[1])) need(have.controls, m[1]);
    if (/the Document selector/.test(text)) need(have.controls, 'Document selector');
    if (/\bType\b/.test(text)) need(have.controls, 'Type');
  }
  return out;
}

const have = existing();

test('what exists was read (a check that read nothing could not fail)', () => {
  for (const f of ['--all', '--create', '--select', '--type', '--force', '--branch', '--retries']) assert.ok(have.flags.has(f), f);
  for (const i of ['set', 'check-overlay', 'branch', 'token', 'retries']) assert.ok(have.inputs.has(i), i);
  for (const f of ['all', 'create', 'select', 'type']) assert.ok(have.setFields.has(f), f);
  for (const p of ['all', 'create', 'select', 'type', 'check_overlay', 'branch', 'token_env']) assert.ok(have.parameters.has(p), p);
  for (const c of ['All matches', 'Create if missing', 'Document selector', 'Type', 'Skip the overlay check']) assert.ok(have.controls.has(c), c);
  assert.deepEqual(missing('pass --nope', 'cli', have), ['--nope']);
  assert.deepEqual(missing("set the 'nope' input", 'action', have), ['nope']);
  assert.deepEqual(missing('set the `nope` parameter to true', 'orb', have), ['nope']);
  assert.deepEqual(missing('tick “Nope”', 'playground', have), ['Nope']);
  assert.deepEqual(missing("set 'no-such: false'; no-such-input is true", 'action', have), ['no-such', 'no-such-input']);
  assert.deepEqual(missing('no_such_parameter is false', 'orb', have), ['no_such_parameter']);
});

test('the options the core can name are the ones this table words', () => {
  const rust = /pub const HINT_OPTIONS: &\[&str\] = &\[([^\]]+)\]/.exec(src('src/hint.rs'))[1].match(/"([a-z-]+)"/g).map((s) => s.slice(1, -1));
  assert.deepEqual(Object.keys(OPTION_WORDS).sort(), [...rust].sort());
});

test('each option, in each front end, in each form, names what exists there', () => {
  for (const id of Object.keys(OPTION_WORDS)) {
    for (const frontEnd of FRONT_ENDS) {
      for (const t of [`{${id}}`, `{+${id}}`, `{${id}=yaml}`, `{+${id}=yaml}`]) {
        const text = renderHint(t, frontEnd);
        assert.notEqual(text, t, `${t} is worded in ${frontEnd}`);
        assert.deepEqual(missing(text, frontEnd, have), [], `${t} in ${frontEnd}: ${text}`);
      }
    }
  }
  for (const [id, words] of Object.entries(PIPELINE_WORDS)) {
    for (const [frontEnd, word] of Object.entries(words)) {
      assert.deepEqual(missing(word('GITHUB_TOKEN'), frontEnd, have), [], `${id} in ${frontEnd}: ${word('GITHUB_TOKEN')}`);
    }
  }
  for (const [id, words] of Object.entries(SETTING_WORDS)) {
    for (const [frontEnd, word] of Object.entries(words)) {
      assert.deepEqual(missing(word, frontEnd, have), [], `${id} in ${frontEnd}: ${word}`);
      if (frontEnd !== 'cli') assert.notDeepEqual(missing(word.replace(/([a-z])([_-])([a-z])/, '$1$2x$3'), frontEnd, have), [], `${id}: the check of ${JSON.stringify(word)} can fail`);
    }
  }
});

test('no hint in the core spells an option itself: it names it by id', () => {
  const files = [];
  const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : e.name.endsWith('.rs') && files.push(path.join(d, e.name))));
  walk(path.join(ROOT, 'src'));
  const spelled = [];
  for (const file of files) {
    const text = fs
      .readFileSync(file, 'utf8')
      .replace(/#\[cfg\(test\)\][\s\S]*$/, '')
      .replace(/^\s*\/\/.*$/gm, '');
    // a hint's string: from `.hint(` (or a `let hint =`) to the end of the statement
    for (const m of text.matchAll(/(?:\.hint\(|let hint = )([\s\S]*?)(?:\);|;\n)/g)) {
      // a whole command line the user could type (`gitops-bump set FILE … --create`) is an example, not an option of this front end
      const body = m[1].replace(/gitops-bump [a-z]+ [^)"]*/g, '');
      for (const f of body.matchAll(/(?<![\w-])--[a-z][a-z-]*/g)) spelled.push(`${path.relative(ROOT, file)}: ${f[0]}`);
    }
  }
  assert.deepEqual(spelled, []);
});

const MULTI = 'kind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 1\n---\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n';
const LIST = 'containers:\n  - name: api\n    image: a:1\n  - name: api\n    image: b:1\n';

/** One error of each kind (and each option-naming hint), from the core itself. */
const CASES = [
  ['ambiguous (items)', () => applyEdits(LIST, [{ op: 'set', path: 'containers[name=api].image', value: 'c' }])],
  ['ambiguous (documents)', () => applyEdits(MULTI, [{ op: 'set', path: 'spec.replicas', value: '2' }])],
  ['not-found (create)', () => applyEdits('a:\n  x: ~\n', [{ op: 'set', path: 'a.x.b', value: 'x' }])],
  ['not-found (create a key)', () => applyEdits('a: {}\n', [{ op: 'set', path: 'a.b', value: 'x' }])],
  ['type-mismatch (type yaml)', () => applyEdits('a:\n  b: 1\n', [{ op: 'set', path: 'a', value: 'x' }])],
  ['invalid-value (tag)', () => applyEdits('a: !!int 1\n', [{ op: 'set', path: 'a', value: 'x', type: 'string' }])],
  ['path-syntax', () => applyEdits('a: 1\n', [{ op: 'set', path: 'a..b', value: 'x' }])],
  ['yaml-syntax', () => applyEdits('a: [1\n', [{ op: 'set', path: 'a', value: 'x' }])],
  ['alias', () => applyEdits('x: &x {t: 1}\ny: *x\n', [{ op: 'set', path: 'y.t', value: '2' }])],
  ['invalid-value', () => applyEdits('a: 1\n', [{ op: 'set', path: 'a', value: 'x', type: 'int' }])],
  ['usage (one value, two edits)', () => applyEdits('a: 1\n', [{ op: 'set', path: 'a', value: 'x' }, { op: 'set', path: 'a', value: 'y' }])],
  ['too-deep (a path)', () => applyEdits('a: 1\n', [{ op: 'set', path: Array(2000).fill('a').join('.'), value: 'x', create: true }])],
  ['image-spec', () => setImage(KUSTOMIZATION, 'nginx:::')],
  ['unknown-image', () => checkImage('overlay', 'ngnix:2', { root: overlayRoot() })],
  ['not-kustomization', () => checkImage('.', 'nginx:2', { root: overlayRoot() })],
  ['unknown-image (a values file)', () => setImage('image:\n  repository: bitnami/redis\n  tag: 7.2.4\n', 'ghcr.io/acme/nope:1', { file: 'values.yaml' })],
];

/** Errors the core raises only when it has a bug: no hint there names an option (checked below). */
const NO_CASE = { 'self-check': 'an edit the independent re-parse disagrees with is a bug, not an input' };

const KUSTOMIZATION = 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - deployment.yaml\n';
let overlayDir;
/** A directory with an overlay using nginx (and nothing else) below it. */
function overlayRoot() {
  if (overlayDir) return overlayDir;
  overlayDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-hints-overlay-'));
  fs.mkdirSync(path.join(overlayDir, 'overlay'));
  fs.writeFileSync(path.join(overlayDir, 'overlay', 'kustomization.yaml'), KUSTOMIZATION);
  fs.writeFileSync(path.join(overlayDir, 'overlay', 'deployment.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.25\n');
  return overlayDir;
}
test.after(() => overlayDir && fs.rmSync(overlayDir, { recursive: true, force: true }));

/** Every error kind of the core: the arms of `ErrorKind::as_str` in src/error.rs. */
function coreKinds() {
  const body = /pub fn as_str\(self\)[\s\S]*?\n {4}\}/.exec(src('src/error.rs'))[0];
  return [...body.matchAll(/ErrorKind::\w+ => "([a-z-]+)"/g)].map((m) => m[1]);
}

/** @returns {import('../src/errors.js').GitopsBumpError} */
function thrown(run) {
  try {
    run();
  } catch (e) {
    return /** @type {any} */ (e);
  }
  throw new Error('expected an error');
}

test('for every error kind, in each front end, each option a hint names exists there', () => {
  const kinds = new Set();
  const named = new Set();
  for (const [name, run] of CASES) {
    const e = thrown(run);
    kinds.add(e.kind);
    e.options.forEach((o) => named.add(o));
    assert.deepEqual(e.options, hintOptions(e.hintTemplate ?? ''), name);
    for (const frontEnd of FRONT_ENDS) {
      const hint = frontEnd === 'playground' ? pageHint(plainError(e), 'set') : hintIn(e, frontEnd);
      const message = frontEnd === 'playground' ? hint ?? '' : messageIn(e, frontEnd);
      assert.deepEqual(missing(message, frontEnd, have), [], `${name} in ${frontEnd}:\n${message}`);
      if (hint && e.options.length > 0 && frontEnd !== 'cli') assert.notEqual(hint, e.hint, `${name}: ${frontEnd} words the hint its own way`);
      if (hint && frontEnd !== 'playground') assert.ok(message.includes(`= help: ${hint}`), `${name}: the message carries the hint in ${frontEnd}'s words`);
    }
  }
  assert.deepEqual([...named].sort(), ['all', 'create', 'force', 'select', 'type']);
  const all = coreKinds();
  assert.ok(all.length >= 13 && all.includes('not-found'), `src/error.rs was read: ${all.join(', ')}`);
  assert.deepEqual(all.filter((k) => !kinds.has(k) && !NO_CASE[k]), [], 'each kind of the core has a case here');
});

test('the CLI and the orb (which runs the CLI) word a hint each in their own terms, text and --json', (t) => {
  const dir = tempTree(t, { 'list.yaml': LIST });
  const args = ['set', 'list.yaml', 'containers[name=api].image', 'c', '--json'];
  const plain = cli(args, { cwd: dir });
  assert.equal(plain.code, 1);
  assert.match(plain.stderr, /= help: pass --all to change every match/);
  assert.equal(JSON.parse(plain.stdout).error.hint, 'pass --all to change every match, or use an index such as [0]');
  const orb = cli(args, { cwd: dir, env: { GITOPS_BUMP_FRONT_END: 'orb' } });
  assert.equal(orb.code, 1);
  assert.match(orb.stderr, /= help: set the `all` parameter to true to change every match/);
  assert.doesNotMatch(orb.stderr, /--all/);
  assert.equal(JSON.parse(orb.stdout).error.hint, 'set the `all` parameter to true to change every match, or use an index such as [0]');
  assert.deepEqual(missing(orb.stderr, 'orb', have), []);
});

test('the playground does not offer creating or typing while it only reads', () => {
  const e = plainError(thrown(CASES[2][1]));
  assert.equal(pageHint(e, 'get'), null);
  assert.equal(pageHint(e, 'set'), 'tick “Create if missing” to build the missing structure');
});

/** The text of the call whose `(` is at `open`, to its balanced `)`; strings and template literals are skipped whole. */
function callText(text, open) {
  let depth = 0;
  const stack = [];
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    const top = stack.at(-1);
    if (top === "'" || top === '"' || top === '`') {
      if (c === '\\') i++;
      else if (c === top) stack.pop();
      else if (top === '`' && c === '$' && text[i + 1] === '{') stack.push('${'), i++;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') stack.push(c);
    else if (c === '{') stack.push('{');
    else if (c === '}') stack.pop();
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return text.slice(open, i + 1);
  }
  throw new Error(`no end to the call at ${open}`);
}

/** The package's modules a front end's entry point imports, directly or not. */
function reachable(entry) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file) || !fs.existsSync(file)) return;
    seen.add(file);
    for (const m of fs.readFileSync(file, 'utf8').matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)'(\.{1,2}\/[^']+)'/g)) visit(path.resolve(path.dirname(file), m[1]));
  };
  visit(path.join(ROOT, entry));
  return seen;
}

const PIPELINE_ERRORS = ['PipelineError', 'GitError', 'GitHubApiError', 'ForgeApiError'];
/**
 * Every error the package builds, read from its source (so a new kind or hint is never
 * left out): the kind, and the text a front end can show of it. A pipeline error's advice
 * is in its message, which each front end words with `wordFlags`; any other error shows
 * its `hint` (and a `= help:` line) as written.
 */
function packageErrors() {
  const files = [];
  const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : e.name.endsWith('.js') && files.push(path.join(d, e.name))));
  walk(path.join(ROOT, 'pkg/src'));
  const out = [];
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\b(?:new (RegistryError|GitopsBumpError|PipelineError|GitError|GitHubApiError|ForgeApiError)|(usageError|promoteError))\(/g)) {
      const call = callText(text, m.index + m[0].length - 1);
      const pipeline = PIPELINE_ERRORS.includes(m[1]);
      const kind = m[1] === 'RegistryError' ? /^\('([a-z-]+)'/.exec(call)?.[1] : m[2] === 'usageError' ? 'usage' : m[2] === 'promoteError' ? 'promote' : /(?:kind|code): '([a-z-]+)'/.exec(call)?.[1] ?? `${m[1]}'s default`;
      const hints = [...call.matchAll(/\bhint: ('(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`)/g), ...call.matchAll(/= help: [^'`\n]*/g)].map((h) => h[1] ?? h[0]);
      out.push({ at: `${path.relative(ROOT, file)}:${text.slice(0, m.index).split('\n').length}`, file, kind, pipeline, text: pipeline ? call : hints.join('\n') });
    }
  }
  return out;
}

/** `text` without the example commands of other tools (git, docker, crane, …) and the CLI's own, whose flags are theirs. */
function withoutExamples(text) {
  return text.replace(/\b(?:git|npm|docker|crane|cosign|helm|kubectl|gitops-bump) (?:[a-z]|\$\{)[^;),`'"\n]*/g, '');
}

test('every error the package builds names, in each front end that can show it, only options that exist there', () => {
  const errors = packageErrors();
  const kinds = new Set(errors.map((e) => e.kind));
  assert.ok(errors.length > 40, `the package's source was read: ${errors.length} errors`);
  assert.deepEqual([...REFUSED_KINDS, ...UNAVAILABLE_KINDS, 'usage', 'promote', 'pr-branch-not-ours', 'no-remote'].filter((k) => !kinds.has(k)), [], 'each kind the package raises is read');
  const action = reachable('action/src/main.js');
  const bad = [];
  for (const e of errors) {
    // the orb runs the CLI, so it shows whatever the CLI does
    for (const frontEnd of ['cli', 'orb', ...(action.has(e.file) ? ['action'] : [])]) {
      const shown = withoutExamples(e.pipeline && frontEnd !== 'cli' ? wordFlags(e.text, /** @type {any} */ (frontEnd)) : e.text);
      // in the CLI, only a hint is checked: a usage error names the flag it is about
      if (frontEnd === 'cli' && !e.pipeline && !e.text) continue;
      for (const name of missing(shown, frontEnd, have)) bad.push(`${e.at} (${e.kind}) in ${frontEnd}: ${name}`);
    }
  }
  assert.deepEqual(bad, []);
});
