// Fixtures for the orb's end-to-end tests: the packed npm package, a config repository
// with kustomize overlays and Helm values, the project ("app") repository a job checks out,
// and a Runner wired to them.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { makeRemote } from '../pipeline/helpers.js';
import { Runner } from './executor.js';
import { packTree } from '../../orb/tools/pack.mjs';
import { pinSource } from '../../orb/tools/pin.mjs';
import { ROOT } from './orb.js';

/** The files of the config repository. */
export const CONFIG_FILES = {
  'base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
  'base/deployment.yaml': [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: api',
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: api',
    '          image: ghcr.io/acme/api:1.0.0',
    '',
  ].join('\n'),
  'overlays/dev/kustomization.yaml': '# dev: bumped by CI on every push to main\nresources:\n  - ../../base\nimages:\n  - name: ghcr.io/acme/api\n    newTag: 1.0.0 # set by gitops-bump\n',
  'overlays/production/kustomization.yaml': 'resources:\n  - ../../base\nimages:\n  - name: ghcr.io/acme/api\n    newTag: 1.0.0\n',
  'charts/api/values.yaml': '# Helm values\nimage:\n  repository: ghcr.io/acme/api\n  tag: "1.0"\n\nreplicaCount: 2\n',
};

let tarball = null;
/**
 * `npm pack` of pkg/ (once per process), as a user would install it. --ignore-scripts: the
 * prepack step (the CommonJS entry, README copies) writes into pkg/ while the package's own
 * test may be packing at the same moment; the CLI needs neither.
 */
export function packedPackage() {
  if (!tarball) {
    const dir = mkdtempSync(path.join(tmpdir(), 'orb-npm-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    const name = execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', dir], { cwd: path.join(ROOT, 'pkg'), encoding: 'utf8' }).trim().split('\n').pop();
    tarball = path.join(dir, name);
  }
  return tarball;
}

/** npm's integrity string (sha512, base64) of a file. */
export function integrityOf(file) {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

/** The cache key `gitops-bump/install` saves version 0.1.0 under, as the runner names it. */
export const CACHE_KEY = `gitops-bump-v2-arch1-linux-${process.arch}-0.1.0`;

let released = null;
/**
 * The orb as a release publishes it: orb/src with the CLI release pinned by
 * orb/tools/pin.mjs (version 0.1.0 and the integrity of the packed tarball), then packed.
 */
export function releasedOrb() {
  if (!released) {
    const dir = mkdtempSync(path.join(tmpdir(), 'orb-released-'));
    try {
      cpSync(path.join(ROOT, 'orb', 'src'), dir, { recursive: true });
      pinSource(dir, { version: '0.1.0', integrity: integrityOf(packedPackage()) });
      released = packTree(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return released;
}

let cacheDir = null;
/**
 * A runner cache holding what `gitops-bump/install` saves for version 0.1.0: the packed
 * tarball installed with `npm install --global --prefix ~/.gitops-bump/0.1.0`, and the
 * tarball itself beside it (the step checks the installation against it). Jobs restore it
 * instead of running npm (one test installs through the step itself).
 */
export function sharedCache() {
  if (!cacheDir) {
    const dir = mkdtempSync(path.join(tmpdir(), 'orb-cache-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    const home = path.join(dir, 'home');
    const env = { ...process.env, ...OFFLINE };
    const prefix = path.join(home, '.gitops-bump', '0.1.0');
    execFileSync('npm', ['install', '--global', '--prefix', prefix, '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', packedPackage()], { env, stdio: 'ignore' });
    cpSync(packedPackage(), path.join(prefix, 'package.tgz'));
    cacheDir = path.join(dir, 'cache');
    mkdirSync(cacheDir);
    execFileSync('tar', ['-cf', path.join(cacheDir, `${encodeURIComponent(CACHE_KEY)}.tar`), '-C', home, '.gitops-bump']);
  }
  return cacheDir;
}

/** npm settings for the jobs: our package's dependencies come from npm's cache (filled by
 *  `scripts/setup`), never from the registry. */
const OFFLINE = { npm_config_offline: 'true', npm_config_cache: path.join(homedir(), '.npm'), npm_config_update_notifier: 'false' };

/**
 * Runner options for the released orb (see releasedOrb); npm installs offline.
 * @param {Partial<import('./executor.js').RunnerOptions> & {project: import('./executor.js').RunnerOptions['project']}} options
 * @returns {import('./executor.js').RunnerOptions}
 */
export function runnerOptions(options) {
  return { orb: releasedOrb(), env: OFFLINE, cacheDir: sharedCache(), ...options };
}

/**
 * A config repository (bare "remote") plus the project repository the job checks out, and
 * a Runner for the packed orb.
 * @param {import('node:test').TestContext} t
 * @param {Partial<import('./executor.js').RunnerOptions>} [options]
 */
export function setup(t, options = {}) {
  const config = makeRemote(t, CONFIG_FILES);
  const app = makeRemote(t, {
    'README.md': 'the app\n',
    'deploy/plan.yaml': 'edits:\n  - file: charts/api/values.yaml\n    set: image.tag\n    value: "2.0"\n',
    // the app repository carries its own overlays too (the drift_check example edits them)
    'deploy/base/kustomization.yaml': CONFIG_FILES['base/kustomization.yaml'],
    'deploy/base/deployment.yaml': CONFIG_FILES['base/deployment.yaml'],
    'deploy/overlays/dev/kustomization.yaml': CONFIG_FILES['overlays/dev/kustomization.yaml'],
  });
  const sha = app.head();
  const runner = new Runner(runnerOptions({ project: { url: app.url, sha, branch: 'main' }, ...options }));
  t.after(() => {
    for (const dir of jobDirs) rmSync(dir, { recursive: true, force: true });
  });
  const jobDirs = [];
  /** Runs the bump job (gitops-bump restored from the cache); returns the job result. */
  const bump = async (args, extra) => {
    // verify defaults to auto, which asks the images' registries: these jobs bump made-up
    // images on public hosts (tests/orb/registry.test.js runs it against local registries)
    const result = await runner.runJob('bump', { verify: 'false', ...args }, extra);
    jobDirs.push(result.root);
    return result;
  };
  return { config, app, sha, runner, bump };
}

/** The JSON report a job stored as its artifact. */
export function artifactReport(result) {
  return JSON.parse(readFileSync(path.join(result.artifacts, 'gitops-bump'), 'utf8'));
}
