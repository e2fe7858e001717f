// The playground's own modules, in Node (no browser): the repository and the file source
// it gives the core, the pipeline snippets (checked against action/action.yml and the
// orb's commands), the compressed URL state, and the calm error wording.
//
//   node --test tests/browser/playground-modules.test.js

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { Repo, normalizePath } from '../../pkg/playground/repo.js';
import { ACTION_USES, ORB, actionSnippet, cliSnippet, orbSnippet, shellWord } from '../../pkg/playground/snippets.js';
import { decodeState, encodeState } from '../../pkg/playground/share.js';
import { frameText, isIncomplete, pageHint, suggestion } from '../../pkg/playground/errors.js';
import { EXAMPLES } from '../../pkg/playground/examples.js';
import { actionInputs, orbParameters, parseYaml } from './pipeline-names.js';

const NODE_CORE = fileURLToPath(new URL('../../pkg/wasm/node/gitops_bump.js', import.meta.url));
const OVERLAY = EXAMPLES.find((e) => e.id === 'overlay-image');
const PRODUCTION = 'apps/api/overlays/production/kustomization.yaml';

/** The snippet state of the page's defaults, with `over` on top. */
function state(over) {
  return { mode: 'set', file: 'charts/api/values.yaml', path: 'image.tag', value: '1.10', type: 'auto', create: false, select: '', all: false, spec: '', force: false, ...over };
}

describe('Repo', () => {
  test('normalizes paths and refuses ones that climb out', () => {
    assert.equal(normalizePath('./a//b/../c.yaml'), 'a/c.yaml');
    assert.equal(normalizePath('../x.yaml'), null);
    assert.equal(normalizePath(''), null);
  });

  test('lists directories as the core expects, and renames without clobbering', () => {
    const repo = new Repo(OVERLAY.files);
    assert.deepEqual(repo.list('.'), ['apps', 'charts']);
    assert.deepEqual(repo.list('apps/api/overlays'), ['production', 'staging']);
    assert.equal(repo.list(PRODUCTION), null, 'a file is not a directory');
    assert.equal(repo.list('nowhere'), null);
    assert.equal(repo.read('apps/api/base/../base/service.yaml'), OVERLAY.files['apps/api/base/service.yaml']);
    assert.equal(repo.read('apps'), null, 'a directory reads as missing');
    assert.equal(repo.rename('charts/api/values.yaml', PRODUCTION), false);
    assert.equal(repo.rename('charts/api/values.yaml', 'apps'), false, 'not onto a directory');
    assert.equal(repo.rename('charts/api/values.yaml', 'charts/api/values-prod.yaml'), true);
    assert.equal(repo.has('charts/api/values.yaml'), false);
    assert.equal(repo.equals(OVERLAY.files), false);
  });

  test('the core checks an overlay through its file source as the CLI does', { skip: existsSync(NODE_CORE) ? false : 'the wasm node build is missing' }, async () => {
    const core = (await import(NODE_CORE)).default;
    const fs = new Repo(OVERLAY.files).fileSource();
    assert.throws(() => core.imageEdit(PRODUCTION, 'ghcr.io/acme/apii:1.10', fs, {}),
      (e) => e.kind === 'unknown-image' && /did you mean `ghcr.io\/acme\/api`/.test(e.hint));
    const out = core.imageEdit(PRODUCTION, 'ghcr.io/acme/api:1.10', fs, {});
    assert.equal(out.file, PRODUCTION);
    assert.equal(out.text, OVERLAY.files[PRODUCTION].replace('newTag: 1.9.2   #', 'newTag: "1.10"   #'));
  });
});

describe('pipeline snippets', () => {
  test('CLI: shell words are quoted only when needed, and a quote survives', () => {
    assert.equal(shellWord('charts/api/values.yaml'), 'charts/api/values.yaml');
    assert.equal(shellWord('containers[name=api].image'), "'containers[name=api].image'");
    assert.equal(shellWord("it's"), `'it'\\''s'`);
    assert.equal(shellWord(''), "''");
    assert.equal(shellWord('--all'), "'--all'");
    // auto is the CLI's own default (no flag); a chosen type, string included, is passed on;
    // an edit is committed and pushed, as the Action and the orb snippets do
    assert.equal(cliSnippet(state({})), 'gitops-bump set charts/api/values.yaml image.tag 1.10 --push');
    assert.equal(cliSnippet(state({ type: 'string' })), 'gitops-bump set charts/api/values.yaml image.tag 1.10 --type string --push');
    assert.equal(cliSnippet(state({ type: 'int', value: '3', path: 'replicaCount', create: true, select: 'kind=Deployment', all: true })),
      'gitops-bump set charts/api/values.yaml replicaCount 3 --type int --create --select kind=Deployment --all --push');
    assert.equal(cliSnippet(state({ mode: 'image', file: PRODUCTION, spec: 'ghcr.io/acme/api:1.10', force: true })),
      `gitops-bump image ${PRODUCTION} ghcr.io/acme/api:1.10 --force --push`);
    assert.equal(cliSnippet(state({ mode: 'get', path: 'a[*].b', all: true })), "gitops-bump get charts/api/values.yaml 'a[*].b' --all");
  });

  test('Action: every `with:` key is an input of action/action.yml, values stay strings', () => {
    const inputs = actionInputs();
    for (const s of [state({}), state({ type: 'int', create: true, select: 'kind=Deployment', all: true }), state({ mode: 'image', file: PRODUCTION, spec: 'ghcr.io/acme/api:1.10', force: true })]) {
      // the checkout first, then the Action
      const steps = parseYaml(actionSnippet(s));
      assert.equal(steps[0].uses, 'actions/checkout@v4');
      const step = steps.find((x) => x.uses === ACTION_USES);
      assert.ok(step, 'the snippet uses the Action');
      for (const key of Object.keys(step.with)) assert.ok(inputs.has(key), `with: ${key} is an input of action/action.yml`);
      if (s.mode === 'set') {
        const [item] = parseYaml(step.with.set);
        assert.deepEqual(Object.keys(item).filter((k) => !['file', 'path', 'value', 'type', 'create', 'select', 'all'].includes(k)), []);
        assert.equal(item.value, '1.10', 'the value stays the string 1.10');
      } else {
        assert.equal(step.with.images, 'ghcr.io/acme/api:1.10');
        assert.equal(step.with['check-overlay'], false);
      }
    }
    assert.equal(actionSnippet(state({ mode: 'get' })), null);
  });

  test('orb: the commands exist and every parameter is one of theirs', () => {
    for (const s of [state({ type: 'bool', value: 'true', create: true, select: 'kind=Deployment', all: true }), state({ mode: 'image', file: PRODUCTION, spec: 'ghcr.io/acme/api:1.10', force: true })]) {
      const config = parseYaml(orbSnippet(s));
      assert.equal(config.orbs['gitops-bump'], ORB);
      orbParameters('install'); // throws when the orb (or its install command) is missing
      // the orb's bump job: every key but the job's context is one of its parameters
      const step = config.workflows.bump.jobs.find((x) => typeof x === 'object' && x !== null && Object.keys(x)[0].startsWith('gitops-bump/'));
      const [name, params] = Object.entries(step)[0];
      const job = name.replace('gitops-bump/', '');
      const known = orbParameters(job, 'jobs');
      for (const key of Object.keys(params).filter((k) => k !== 'context')) assert.ok(known.has(key), `${key} is a parameter of the orb job ${job}`);
    }
  });
});

describe('URL state', () => {
  test('round-trips, and a large file becomes a much shorter hash', async () => {
    const files = { 'big.yaml': 'items:\n' + Array.from({ length: 2000 }, (_, i) => `  - name: item-${i}   # a comment\n    value: "${i}"\n`).join('') };
    const saved = { v: 1, open: 'big.yaml', files, mode: 'set', path: 'items[name=item-7].value', value: '1.10' };
    const hash = await encodeState(saved);
    assert.match(hash, /^#s=[A-Za-z0-9_-]+$/);
    assert.deepEqual(await decodeState(hash), saved);
    const plain = new URLSearchParams({ yaml: files['big.yaml'] }).toString().length;
    assert.ok(hash.length * 5 < plain, `compressed ${hash.length} vs ${plain} characters`);
    assert.deepEqual(await decodeState('#mode=set&ex=helm'), { legacy: { mode: 'set', ex: 'helm' } });
    assert.equal(await decodeState(''), null);
  });
});

describe('calm errors', () => {
  test('hints name the page\'s controls, and "create" advice is dropped in get mode', () => {
    const cases = [
      ['{+create} to add the key', 'tick “Create if missing” to add the key'],
      ['{+all} to change every match, or use an index such as [0]', 'tick “All matches” to change every match, or use an index such as [0]'],
      ['narrow it with {select=kind=…,metadata.name=…} (or a document index), or {+all}', 'narrow it with the Document selector (kind=…,metadata.name=…) (or a document index), or tick “All matches”'],
      ['{+type=yaml} to replace the whole collection', 'choose Type “yaml” to replace the whole collection'],
      ['the name must equal a container image without its tag or digest; {+force} to set it anyway', 'the name must equal a container image without its tag or digest; tick “Skip the overlay check” to set it anyway'],
    ];
    // the core's error: the hint in the command line's words, the template and the options it names
    const error = (hintTemplate) => ({ hint: hintTemplate.replace(/\{\+?([a-z]+)[^}]*\}/g, '--$1'), hintTemplate, options: [...hintTemplate.matchAll(/\{\+?([a-z]+)/g)].map((m) => m[1]) });
    for (const [template, page] of cases) {
      assert.equal(pageHint(error(template), 'set'), page);
      assert.doesNotMatch(pageHint(error(template), 'set'), /--/);
    }
    assert.equal(pageHint(error('{+create} to add the key'), 'get'), null);
  });

  test('the frame leaves the facts to the facts list', () => {
    const message = 'error[not-found]: no key `imagee` in the mapping\n  --> values.yaml:3:1\n   |\n 3 | image:\n   | ^^^^^\n   = path segment: `imagee` (in `imagee.tag`)\n   = found: a mapping with keys image\n   = help: did you mean `image`?\n';
    assert.equal(frameText(message), 'error[not-found]: no key `imagee` in the mapping\n  --> values.yaml:3:1\n   |\n 3 | image:\n   | ^^^^^');
  });

  test('a half-typed path is incomplete; a finished wrong one is not', () => {
    const get = (path) => ({ mode: 'get', path, spec: '' });
    assert.equal(isIncomplete({ kind: 'path-syntax', column: 11 }, get('containers[')), true);
    assert.equal(isIncomplete({ kind: 'path-syntax', column: 3 }, get('a..b[0]')), false);
    assert.equal(isIncomplete({ kind: 'path-syntax', column: 17, message: 'error[path-syntax]: unterminated "quoted" string in the key path' }, get('metadata.labels["app.kub')), true);
    assert.equal(isIncomplete({ kind: 'not-found', segment: 'ima', found: 'a mapping with keys image, replicaCount' }, get('ima')), true);
    assert.equal(isIncomplete({ kind: 'not-found', segment: 'imagee', found: 'a mapping with keys image, replicaCount' }, get('imagee')), false);
    assert.equal(isIncomplete({ kind: 'not-found', segment: 'imagee', found: 'a mapping with keys image' }, get('imagee.tag')), false);
  });

  test('a suggestion replaces the failing segment where that gets past it', () => {
    // `a` appears twice and fails at the second: replacing the first fails at the suggestion
    const tried = [];
    const tryPath = (p) => { tried.push(p); return p === 'aa.b.a' ? { kind: 'not-found', segment: 'aa' } : null; };
    const s = suggestion({ kind: 'not-found', segment: 'a', hint: 'did you mean `aa`?' }, { mode: 'get', path: 'a.b.a', spec: '' }, tryPath);
    assert.deepEqual(s, { field: 'path', value: 'a.b.aa', label: 'aa' });
    assert.deepEqual(tried, ['aa.b.a', 'a.b.aa']);
    const image = suggestion({ kind: 'unknown-image', hint: 'did you mean `ghcr.io/acme/api`?' }, { mode: 'image', path: '', spec: 'ghcr.io/acme/apii:1.10' }, () => null);
    assert.deepEqual(image, { field: 'spec', value: 'ghcr.io/acme/api:1.10', label: 'ghcr.io/acme/api' });
    const port = suggestion({ kind: 'unknown-image', hint: 'did you mean `localhost:5000/api`?' }, { mode: 'image', path: '', spec: 'localhost:5000/apii@sha256:ab' }, () => null);
    assert.equal(port.value, 'localhost:5000/api@sha256:ab');
    assert.equal(suggestion({ kind: 'not-found', segment: 'x', hint: 'pass --create to add the key' }, { mode: 'get', path: 'x', spec: '' }, () => null), null);
  });
});
