// The npm half of a release, for real, against Verdaccio on 127.0.0.1 (tests/release/verdaccio.js):
// pack in a clean clone as the release job does, publish, then from a clean folder with an
// empty npm cache install from the registry and run the CLI and the API; then the orb's
// install script (orb/src/scripts/install.sh, run by bash as CircleCI runs it) installs
// the version with the integrity the registry reports, from the registry and from the
// tarball's URL. A tampered tarball, whether the registry's metadata agrees with it or not,
// is refused, and nothing of it runs.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, packCleanClone } from '../package/clean-clone.js';
import { packTree } from '../../orb/tools/pack.mjs';
import { parseYaml } from '../orb/orb.js';
import { startVerdaccio, verdaccioMissing } from './verdaccio.js';

const VERSION = JSON.parse(fs.readFileSync(path.join(ROOT, 'pkg', 'package.json'), 'utf8')).version;
const INSTALL_SH = path.join(ROOT, 'orb', 'src', 'scripts', 'install.sh');
const missing = verdaccioMissing();

/** An environment with none of this machine's npm or git settings. */
function cleanEnv(extra = {}) {
  const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
  for (const key of ['NODE_PATH', 'NODE_OPTIONS', 'GITHUB_TOKEN']) delete env[key];
  for (const key of Object.keys(env)) if (key.toLowerCase().startsWith('npm_') && !key.startsWith('npm_config_')) delete env[key];
  return { ...env, ...extra };
}

/** Runs a command; returns {status, output}. */
function sh(cmd, args, { cwd, env, timeout = 300_000 }) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** Runs a command that must succeed; returns its stdout. */
function ok(cmd, args, options) {
  const r = spawnSync(cmd, args, { ...options, encoding: 'utf8', timeout: options.timeout ?? 300_000 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const integrityOf = (file) => `sha512-${createHash('sha512').update(fs.readFileSync(file)).digest('base64')}`;

test('publish to a local registry, install in a clean folder, run the CLI, the API and the orb install; tampering is refused', { skip: (!process.env.CI && missing) || false, timeout: 900_000 }, async (t) => {
  assert.equal(missing, null, missing ?? '');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-release-'));
  t.after(() => fs.rmSync(work, { recursive: true, force: true }));
  const registry = await startVerdaccio();
  t.after(() => registry.close());
  const npmEnv = (extra = {}) => cleanEnv({ npm_config_userconfig: registry.npmrc, npm_config_registry: registry.url, npm_config_cache: fs.mkdtempSync(path.join(work, 'npm-cache-')), ...extra });

  // --- pack as the release job does, and publish
  const { tarball, report } = packCleanClone(work, cleanEnv());
  const integrity = integrityOf(tarball);
  assert.equal(report.integrity, integrity, "npm pack's integrity is the tarball's sha512");
  ok('npm', ['publish', tarball, '--access', 'public'], { cwd: work, env: npmEnv() });
  const viewed = ok('npm', ['view', `gitops-bump@${VERSION}`, 'dist.integrity'], { cwd: work, env: npmEnv() }).trim();
  assert.equal(viewed, integrity, 'the registry reports the integrity of the tarball that was packed');

  // --- CircleCI's pin-cli job (.circleci/config.yml), its own script, against this registry:
  // the orb release's install defaults become this version and the registry's integrity
  const orbCopy = path.join(work, 'orb-release');
  fs.cpSync(path.join(ROOT, 'orb'), path.join(orbCopy, 'orb'), { recursive: true });
  const circleci = parseYaml(fs.readFileSync(path.join(ROOT, '.circleci', 'config.yml'), 'utf8'));
  const pinScript = circleci.jobs['pin-cli'].steps.find((s) => s.run)?.run.command;
  ok('bash', ['-eo', 'pipefail', '-c', pinScript], { cwd: orbCopy, env: npmEnv({ CIRCLE_TAG: `v${VERSION}` }) });
  const pinned = packTree(path.join(orbCopy, 'orb', 'src'));
  for (const params of [pinned.commands.install.parameters, pinned.commands.bump.parameters, pinned.jobs.bump.parameters]) {
    assert.deepEqual([params.version.default, params.integrity.default], [VERSION, integrity]);
  }

  // --- a clean folder, an empty npm cache: everything comes from the registry
  const project = path.join(work, 'project');
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, version: '1.0.0' }));
  ok('npm', ['install', '--ignore-scripts', `gitops-bump@${VERSION}`], { cwd: project, env: npmEnv() });
  assert.equal(ok('npx', ['gitops-bump', '--version'], { cwd: project, env: npmEnv() }), `gitops-bump ${VERSION}\n`);
  fs.writeFileSync(path.join(project, 'values.yaml'), 'image:\n  tag: "1.9" # pinned\n');
  assert.match(ok('npx', ['gitops-bump', 'set', 'values.yaml', 'image.tag', '1.10'], { cwd: project, env: npmEnv() }), /image\.tag: 1\.9 -> 1\.10/);
  assert.equal(fs.readFileSync(path.join(project, 'values.yaml'), 'utf8'), 'image:\n  tag: "1.10" # pinned\n');
  fs.writeFileSync(path.join(project, 'api.mjs'), "import { setValue, version } from 'gitops-bump';\nconsole.log(JSON.stringify({ v: version(), text: setValue('tag: \"1.9\" # c\\n', 'tag', '1.10').text }));\n");
  assert.deepEqual(JSON.parse(ok(process.execPath, ['api.mjs'], { cwd: project, env: npmEnv() })), { v: VERSION, text: 'tag: "1.10" # c\n' });
  fs.writeFileSync(path.join(project, 'api.cjs'), "const { getValue } = require('gitops-bump');\nconsole.log(getValue('image:\\n  tag: \"1.10\"\\n', 'image.tag')[0].value);\n");
  assert.equal(ok(process.execPath, ['api.cjs'], { cwd: project, env: npmEnv() }), '1.10\n');

  // --- the orb's install, from the registry, with the integrity the release pins
  const orbInstall = (name, params, extraEnv = {}) => {
    const home = path.join(work, name);
    fs.mkdirSync(home, { recursive: true });
    const bashEnv = path.join(home, 'bash_env');
    fs.writeFileSync(bashEnv, '');
    const env = npmEnv({ HOME: home, BASH_ENV: bashEnv, npm_config_userconfig: path.join(home, 'none'), PARAM_VERSION: VERSION, PARAM_INTEGRITY: integrity, PARAM_PACKAGE: '', ...params, ...extraEnv });
    delete env.npm_config_cache; // npm's default under $HOME: a fresh runner's
    const r = sh('bash', ['-eo', 'pipefail', INSTALL_SH], { cwd: home, env });
    return { ...r, home, bashEnv };
  };
  const first = orbInstall('runner', {});
  assert.equal(first.status, 0, first.output);
  assert.match(first.output, new RegExp(`gitops-bump ${VERSION.replaceAll('.', '\\.')} is ready`));
  const cli = path.join(first.home, '.gitops-bump', VERSION, 'bin', 'gitops-bump');
  fs.writeFileSync(path.join(first.home, 'v.yaml'), 'tag: "1.9"\n');
  assert.match(ok(cli, ['set', 'v.yaml', 'tag', '1.10'], { cwd: first.home, env: cleanEnv() }), /tag: 1\.9 -> 1\.10/);
  assert.match(fs.readFileSync(first.bashEnv, 'utf8'), new RegExp(`export PATH=${path.dirname(cli).replaceAll('.', '\\.')}:`));
  // the next job restores the cache: checked, not downloaded (the registry is unreachable)
  const again = orbInstall('runner', {}, { npm_config_registry: 'http://127.0.0.1:9/' });
  assert.equal(again.status, 0, again.output);
  assert.match(again.output, /restored from the cache, checked against sha512-/);

  // --- from the tarball's URL (a mirror, the GitHub release's asset), as air-gapped runners do
  const tarballUrl = `${registry.url}gitops-bump/-/gitops-bump-${VERSION}.tgz`;
  const byUrl = orbInstall('by-url', { PARAM_PACKAGE: tarballUrl }, { npm_config_registry: 'http://127.0.0.1:9/' });
  assert.equal(byUrl.status, 0, byUrl.output);
  assert.ok(fs.existsSync(path.join(byUrl.home, '.gitops-bump', 'custom', 'bin', 'gitops-bump')));

  // --- a tampered tarball: the CLI prints PWNED first. The registry serves it in place of
  // the release; once with its metadata left alone, once with the metadata rewritten to match
  const evilDir = path.join(work, 'evil');
  fs.mkdirSync(evilDir);
  ok('tar', ['-xzf', tarball, '-C', evilDir], { cwd: work });
  const bin = path.join(evilDir, 'package', 'bin', 'gitops-bump.js');
  fs.writeFileSync(bin, fs.readFileSync(bin, 'utf8').replace('#!/usr/bin/env node\n', '#!/usr/bin/env node\nconsole.log("PWNED");\n'));
  const evil = path.join(work, 'evil.tgz');
  ok('tar', ['-czf', evil, '-C', evilDir, 'package'], { cwd: work });
  const stored = path.join(registry.storage, 'gitops-bump', `gitops-bump-${VERSION}.tgz`);
  assert.ok(fs.existsSync(stored), `Verdaccio keeps the tarball at ${stored}`);
  fs.copyFileSync(evil, stored);

  const swapped = orbInstall('swapped', {});
  assert.notEqual(swapped.status, 0, swapped.output);
  assert.match(swapped.output, /integrity|EINTEGRITY/i);
  assert.ok(!swapped.output.includes('PWNED'));
  assert.ok(!fs.existsSync(path.join(swapped.home, '.gitops-bump', VERSION, 'bin')), 'nothing was installed');

  const meta = path.join(registry.storage, 'gitops-bump', 'package.json');
  const packument = JSON.parse(fs.readFileSync(meta, 'utf8'));
  packument.versions[VERSION].dist.integrity = integrityOf(evil);
  packument.versions[VERSION].dist.shasum = createHash('sha1').update(fs.readFileSync(evil)).digest('hex');
  fs.writeFileSync(meta, JSON.stringify(packument));
  assert.equal(ok('npm', ['view', `gitops-bump@${VERSION}`, 'dist.integrity'], { cwd: work, env: npmEnv() }).trim(), integrityOf(evil), 'the registry now vouches for the tampered tarball');
  const lying = orbInstall('lying', {});
  assert.equal(lying.status, 1, lying.output);
  assert.match(lying.output, new RegExp(`does not match the pinned integrity: expected ${integrity.replace(/[+/]/g, '\\$&')}, found ${integrityOf(evil).replace(/[+/]/g, '\\$&')}\\. Refusing to install it`));
  assert.ok(!lying.output.includes('PWNED'));
  assert.ok(!fs.existsSync(path.join(lying.home, '.gitops-bump', VERSION, 'bin')), 'nothing was installed');

  const evilUrl = orbInstall('evil-url', { PARAM_PACKAGE: tarballUrl });
  assert.equal(evilUrl.status, 1, evilUrl.output);
  assert.match(evilUrl.output, /the package tarball http:\/\/127\.0\.0\.1:\d+\/gitops-bump\/-\/gitops-bump-[\d.]+\.tgz does not match the pinned integrity/);
  assert.ok(!evilUrl.output.includes('PWNED'));
});
