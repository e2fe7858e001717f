// The npm package as a user gets it: `npm pack` of pkg/ in a clean clone (as the release
// job packs), the tarball installed into a fresh
// project in a temp dir that cannot see this repository, then the CLI through npx, the API
// from ESM and CommonJS, runPipeline pushing to a local bare repository, and a TypeScript
// consumer of every export compiled with `tsc --noEmit --strict`. The result shapes the
// API really returns are compared with the interfaces index.d.ts declares.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { packCleanClone } from './clean-clone.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const PKG = path.join(ROOT, 'pkg');
const TSC = path.join(PKG, 'node_modules', 'typescript', 'bin', 'tsc');
const manifest = JSON.parse(fs.readFileSync(path.join(PKG, 'package.json'), 'utf8'));

/** An environment where git and npm ignore this machine's config and this repository. */
function cleanEnv() {
  const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0' };
  for (const key of ['GITHUB_SHA', 'GITHUB_REPOSITORY', 'CIRCLE_SHA1', 'GITHUB_TOKEN', 'NODE_PATH', 'NODE_OPTIONS']) delete env[key];
  for (const key of Object.keys(env)) if (key.toLowerCase().startsWith('npm_')) delete env[key];
  return env;
}

/**
 * Runs a command and returns its output; fails the test with the output when it fails.
 * @param {string} cmd @param {string[]} args @param {{cwd: string, timeout?: number}} options
 */
function run(cmd, args, { cwd, timeout = 300_000 }) {
  const r = spawnSync(cmd, args, { cwd, env: cleanEnv(), encoding: 'utf8', timeout });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} (in ${cwd}) failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const git = (cwd, ...args) => run('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd }).trim();

/** The names a `export interface NAME { ... }` of a .d.ts declares, in order. */
function interfaceFields(dts, name) {
  const m = new RegExp(`^export interface ${name} \\{\\n([\\s\\S]*?)^\\}`, 'm').exec(dts);
  assert.ok(m, `${name} is declared`);
  return [...m[1].matchAll(/^ {2}(\w+)\??:/gm)].map((f) => f[1]);
}

test('the packed tarball installs into a fresh project and works as documented', { timeout: 600_000 }, async (t) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-bump-pack-'));
  t.after(() => fs.rmSync(work, { recursive: true, force: true }));
  assert.ok(path.relative(ROOT, work).startsWith('..'), 'the temp project is outside the repository');

  // --- npm pack in a clean clone, as the release job packs: only what git holds (the files
  // this tree would commit), nothing generated or built earlier in this run; prepack builds
  // the CommonJS entry and copies LICENSE and CHANGELOG in. The clone's pkg/node_modules
  // links to this checkout's (what `npm ci` would install there).
  const { tarball, report, clone } = packCleanClone(work, cleanEnv());
  const packed = [report];
  const files = packed[0].files.map((f) => f.path);
  const size = fs.statSync(tarball).size;
  t.diagnostic(`tarball ${packed[0].filename}: ${size} bytes packed, ${packed[0].unpackedSize} unpacked, ${files.length} files`);
  for (const want of ['README.md', 'LICENSE', 'THIRD-PARTY-LICENSES.md', 'CHANGELOG.md', 'package.json', 'bin/gitops-bump.js', 'src/index.js', 'src/index.d.ts',
    'src/pipeline.js', 'src/pipeline.d.ts', 'dist/index.cjs', 'dist/index.d.cts', 'dist/pipeline.d.cts',
    'wasm/node/gitops_bump.js', 'wasm/web/gitops_bump.js', 'wasm/web/gitops_bump_bg.wasm', 'wasm/web/gitops_bump.d.ts',
    'node_modules/yaml/package.json']) {
    assert.ok(files.includes(want), `the tarball holds ${want}`);
  }
  assert.deepEqual(files.filter((f) => f.endsWith('.wasm')), ['wasm/web/gitops_bump_bg.wasm'], 'the .wasm once, not once per binding');
  const own = files.filter((f) => !f.startsWith('node_modules/'));
  const fromTests = own.filter((f) => /(^|\/)tests?\/|\.test\.js$|(^|\/)\.|\.staging|\.old\.|source-sha256/.test(f));
  assert.deepEqual(fromTests, [], 'nothing from tests, no dot files, no build leftovers');
  assert.deepEqual([...new Set(files.filter((f) => f.startsWith('node_modules/')).map((f) => f.split('/')[1]))], ['semver', 'yaml'], 'the bundled dependencies');
  const pkgManifest = JSON.parse(fs.readFileSync(path.join(clone, 'pkg', 'package.json'), 'utf8'));
  assert.deepEqual(Object.keys(pkgManifest.scripts ?? {}).filter((k) => /^(pre|post)?install$|^prepare$/.test(k)), [], 'no install scripts: --ignore-scripts loses nothing');
  // the npm page shows the package's own README: no link or image into the repository it does not ship
  const readme = fs.readFileSync(path.join(clone, 'pkg', 'README.md'), 'utf8');
  const relative = [...readme.matchAll(/\]\(([^)]+)\)|<img[^>]+src="([^"]+)"/g)].map((m) => m[1] ?? m[2]).filter((u) => !/^(https:\/\/|#)/.test(u));
  assert.deepEqual(relative, [], 'pkg/README.md links only to https:// pages and its own anchors');
  for (const named of readme.matchAll(/`((?:src|dist|wasm|bin)\/[\w./-]+|[A-Z-]+\.md|LICENSE)`/g)) {
    assert.ok(files.includes(named[1]), `pkg/README.md names ${named[1]}, which the tarball does not hold`);
  }
  assert.match(fs.readFileSync(path.join(ROOT, 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0, January 2004[\s\S]*END OF TERMS AND CONDITIONS/);

  // --- a fresh project that installs only the tarball
  const project = path.join(work, 'consumer');
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, version: '1.0.0' }));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', tarball], { cwd: project });
  for (let dir = path.dirname(project); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    assert.ok(!fs.existsSync(path.join(dir, 'node_modules', 'gitops-bump')), `no other gitops-bump above the project (${dir})`);
  }
  const installed = path.join(project, 'node_modules', 'gitops-bump');
  assert.equal(fs.realpathSync(installed), installed, 'installed as a copy, not a link into the repository');

  // --- the CLI through npx: installed, it runs the bundle (dist/cli.cjs, one CommonJS file
  // that bin/gitops-bump.js, CommonJS by bin/package.json, requires), not the sources (with
  // src/cli.js moved away it still runs; the ESM API keeps src/)
  assert.ok(files.includes('dist/cli.cjs') && files.includes('bin/package.json'), 'the tarball holds the CLI bundle and the bin\'s module type');
  const cliSource = path.join(installed, 'src', 'cli.js');
  fs.renameSync(cliSource, `${cliSource}.away`);
  assert.equal(run('npx', ['gitops-bump', '--version'], { cwd: project }), `gitops-bump ${manifest.version}\n`);
  fs.renameSync(`${cliSource}.away`, cliSource);
  fs.writeFileSync(path.join(project, 'values.yaml'), 'image:\n  repository: ghcr.io/acme/api # pinned\n  tag: "1.9"\n\nreplicas: 2\n');
  const set = run('npx', ['gitops-bump', 'set', 'values.yaml', 'image.tag', '1.10'], { cwd: project });
  assert.match(set, /image\.tag: 1\.9 -> 1\.10/);
  assert.equal(fs.readFileSync(path.join(project, 'values.yaml'), 'utf8'), 'image:\n  repository: ghcr.io/acme/api # pinned\n  tag: "1.10"\n\nreplicas: 2\n');
  // the bundle keeps the lazy parts lazy: a plain set through it loads no git, HTTP client,
  // node:crypto or yaml package (what pkg/test/startup.test.js checks for the sources), and
  // no module but the bin, the bundle and the wasm glue (it runs with src/ moved away)
  const hook = path.join(work, 'loaded-hook.cjs');
  fs.writeFileSync(hook, `process.on('exit', () => require('node:fs').writeSync(2, '\\n@@loaded ' + JSON.stringify({ builtins: process.moduleLoadList, cjs: Object.keys(require('node:module')._cache) }) + '\\n'));\n`);
  const bin = path.join(installed, 'bin', 'gitops-bump.js');
  const sources = path.join(installed, 'src');
  fs.renameSync(sources, `${sources}.away`);
  const plain = spawnSync(process.execPath, ['--require', hook, bin, 'set', 'values.yaml', 'image.tag', '1.11'], { cwd: project, env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });
  fs.renameSync(`${sources}.away`, sources);
  assert.equal(plain.status, 0, plain.stderr);
  const line = plain.stderr.split('\n').find((l) => l.startsWith('@@loaded '));
  assert.ok(line, `no report from the hook; stderr:\n${plain.stderr}`);
  const { builtins, cjs: required } = JSON.parse(line.slice('@@loaded '.length));
  for (const name of ['child_process', 'crypto', 'http', 'https']) {
    assert.ok(!builtins.includes(`NativeModule ${name}`), `a plain set through the bundle loaded ${name}`);
  }
  assert.deepEqual(required.filter((f) => f !== hook).map((f) => path.relative(installed, f)).sort(), [path.join('bin', 'gitops-bump.js'), path.join('dist', 'cli.cjs'), path.join('wasm', 'node', 'gitops_bump.js')],
    'a plain set through the bundle loads the bin, the bundle and the wasm glue, nothing else');

  // --- a config repository with a bare remote, for runPipeline
  const remote = path.join(work, 'remote.git');
  git(work, 'init', '--quiet', '--bare', '--initial-branch=main', remote);
  const checkout = path.join(work, 'config');
  git(work, 'clone', '--quiet', remote, checkout);
  fs.mkdirSync(path.join(checkout, 'base'));
  fs.mkdirSync(path.join(checkout, 'overlays', 'prod'), { recursive: true });
  fs.writeFileSync(path.join(checkout, 'base', 'deploy.yaml'),
    'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: ghcr.io/acme/api:1.0.0\n');
  fs.writeFileSync(path.join(checkout, 'base', 'kustomization.yaml'), 'resources:\n  - deploy.yaml\n');
  fs.writeFileSync(path.join(checkout, 'overlays', 'prod', 'kustomization.yaml'),
    'resources:\n  - ../../base\nimages:\n  - name: ghcr.io/acme/api\n    newTag: 1.0.1 # set by CI\n');
  fs.writeFileSync(path.join(checkout, 'values.yaml'), 'image:\n  tag: "1.9"\n');
  git(checkout, 'add', '.');
  git(checkout, 'commit', '--quiet', '-m', 'config');
  git(checkout, 'push', '--quiet', 'origin', 'HEAD:main');

  // --- the API as an ES module: every result shape, and runPipeline pushing
  fs.writeFileSync(path.join(project, 'esm.mjs'), `
import * as api from 'gitops-bump';
import { runPipeline } from 'gitops-bump/pipeline';
const [checkout, scratch] = process.argv.slice(2);
const edit = api.setValue('a: 1\\n', 'a', 2, { type: 'int' });
const found = api.getValue('image:\\n  tag: "1.9"\\n', 'image.tag');
const plan = { edits: [{ file: 'overlays/prod', image: 'ghcr.io/acme/api:1.2.3' }] };
const piped = await runPipeline({ cwd: checkout, plan, apply: (dir) => api.applyPlan(plan, { cwd: dir }), git: { push: true, message: 'deploy: api {tags}' } });
process.chdir(scratch);
const inFile = api.setValueInFile('values.yaml', 'image.tag', '2.0');
const planned = api.applyPlan({ edits: [{ file: 'values.yaml', set: 'image.tag', value: '3.0' }] }, { cwd: scratch });
const images = api.overlayImages('overlays/prod', { root: checkout });
let error;
try { api.getValue('a: 1\\n', 'b', { file: 'x.yaml' }); } catch (e) { error = { isError: e instanceof api.GitopsBumpError, fields: e.fields() }; }
const keys = (o) => Object.keys(o);
console.log(JSON.stringify({
  same: api.runPipeline === runPipeline,
  web: import.meta.resolve('gitops-bump/web'),
  version: api.version(),
  shapes: {
    EditResult: keys(edit), Change: keys(edit.changes[0]), Found: keys(found[0]), FileEditResult: keys(inFile),
    PlanResult: keys(planned), FileOutcome: keys(planned.changed[0]), ImageSpec: keys(api.parseImageSpec('api=ghcr.io/acme/api:1.2.3')),
    OverlayImage: keys(images[0]), PipelineResult: keys(piped),
  },
  piped: { commit: piped.commit, pushed: piped.pushed },
  error,
}));
`);
  const scratch = path.join(work, 'scratch');
  fs.mkdirSync(scratch);
  fs.writeFileSync(path.join(scratch, 'values.yaml'), 'image:\n  tag: "1.9"\n');
  const esm = JSON.parse(run(process.execPath, ['esm.mjs', checkout, scratch], { cwd: project }));
  assert.equal(esm.same, true, 'gitops-bump and gitops-bump/pipeline export the same runPipeline');
  assert.equal(esm.version, manifest.version);
  assert.equal(fileURLToPath(esm.web), path.join(installed, 'wasm', 'web', 'gitops_bump.js'));
  assert.equal(esm.error.isError, true);
  assert.equal(esm.error.fields.kind, 'not-found');
  assert.equal(esm.piped.pushed, true);
  assert.equal(git(remote, 'rev-parse', 'main'), esm.piped.commit, 'the bare remote has the pushed commit');
  assert.equal(git(remote, 'log', '-1', '--format=%s', 'main'), 'deploy: api 1.2.3');
  assert.match(git(remote, 'show', 'main:overlays/prod/kustomization.yaml'), /newTag: 1\.2\.3 # set by CI$/);
  assert.equal(fs.readFileSync(path.join(scratch, 'values.yaml'), 'utf8'), 'image:\n  tag: "3.0"\n');

  // index.d.ts describes exactly the fields the API returns
  const dts = fs.readFileSync(path.join(installed, 'src', 'index.d.ts'), 'utf8') + fs.readFileSync(path.join(installed, 'src', 'pipeline.d.ts'), 'utf8');
  for (const [name, actual] of Object.entries(esm.shapes)) {
    assert.deepEqual([...actual].sort(), interfaceFields(dts, name).sort(), `${name}: the fields returned are the fields declared`);
  }

  // --- the API from CommonJS (Node 20 cannot require an ES module: the package ships a CJS entry)
  fs.writeFileSync(path.join(project, 'cjs.cjs'), `
const api = require('gitops-bump');
const { runPipeline } = require('gitops-bump/pipeline');
const { text, changes } = api.setValue('image:\\n  tag: "1.9" # pinned\\n', 'image.tag', '1.10');
console.log(JSON.stringify({ text, kind: changes[0].kind, type: api.getValue(text, 'image.tag')[0].type, pipeline: typeof runPipeline,
  version: api.version(), resolved: require.resolve('gitops-bump') }));
`);
  const cjs = JSON.parse(run(process.execPath, ['cjs.cjs'], { cwd: project }));
  assert.deepEqual({ ...cjs, resolved: path.relative(installed, cjs.resolved) }, {
    text: 'image:\n  tag: "1.10" # pinned\n', kind: 'set', type: 'string', pipeline: 'function', version: manifest.version, resolved: path.join('dist', 'index.cjs'),
  });

  // --- a TypeScript consumer of every export, strict
  for (const f of fs.readdirSync(path.join(HERE, 'consumer'))) fs.copyFileSync(path.join(HERE, 'consumer', f), path.join(project, f));
  const consumer = fs.readFileSync(path.join(project, 'consumer.ts'), 'utf8');
  const exported = [...dts.matchAll(/^export (?:declare )?(?:function|class|const|interface|type) (\w+)/gm)].map((m) => m[1]);
  assert.ok(exported.length > 40, `found the declarations (${exported.length})`);
  const unused = [...new Set(exported)].filter((name) => !new RegExp(`\\b${name}\\b`).test(consumer));
  assert.deepEqual(unused, [], 'the TypeScript consumer uses every exported name');
  run(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: project });
});

test('Cargo.toml, pkg/package.json and the CHANGELOG name one version', () => {
  const cargo = /^\[package\][\s\S]*?^version = "([^"]+)"/m.exec(fs.readFileSync(path.join(ROOT, 'Cargo.toml'), 'utf8'));
  assert.ok(cargo, 'Cargo.toml has a package version');
  assert.equal(manifest.version, cargo[1]);
  assert.match(fs.readFileSync(path.join(ROOT, 'CHANGELOG.md'), 'utf8'), new RegExp(`^## \\[${cargo[1].replaceAll('.', '\\.')}\\]`, 'm'));
});

test('the manifest has what a registry page and an installer need', () => {
  assert.equal(manifest.license, 'Apache-2.0');
  assert.equal(manifest.engines.node, '>=20');
  assert.match(manifest.repository.url, /github\.com\/gitops-bump\/gitops-bump/);
  assert.ok(manifest.homepage && manifest.bugs?.url && manifest.keywords?.length >= 3);
  assert.equal(manifest.scripts.prepack, 'bash scripts/prepack.sh');
  for (const entry of ['.', './pipeline']) {
    assert.ok(manifest.exports[entry].import && manifest.exports[entry].require, `${entry} has an import and a require entry`);
  }
  assert.ok(manifest.exports['./web']);
});
