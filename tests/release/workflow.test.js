// .github/workflows/release.yml under nektos/act, as a rehearsal (workflow_dispatch: a dry
// run), in a clean clone of this tree: the tag check, the real `scripts/setup`, a test
// command, the pack, `npm publish --dry-run`, and the GitHub release and the major tag
// described, not made. The test command is replaced by one freshness check: the whole test
// command is what runs this test. Also: scripts/release.sh's checks refuse a tag that does
// not name the version.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, cleanClone } from '../package/clean-clone.js';

const ACT = path.join(ROOT, '.tools', 'bin', 'act');
const VERSION = JSON.parse(fs.readFileSync(path.join(ROOT, 'pkg', 'package.json'), 'utf8')).version;

/** An environment with none of this machine's git, npm or CI settings; HOME in a temp dir. */
function cleanEnv(home) {
  const env = { ...process.env, HOME: home, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', npm_config_update_notifier: 'false' };
  for (const key of Object.keys(env)) if (/^(GITHUB_|RUNNER_|INPUT_|ACTIONS_|npm_(?!config_update))/i.test(key) || key === 'NODE_OPTIONS') delete env[key];
  // the machine's Rust toolchain and npm cache, as a runner's image has them
  env.RUSTUP_HOME ??= path.join(os.homedir(), '.rustup');
  env.CARGO_HOME ??= path.join(os.homedir(), '.cargo');
  env.npm_config_cache = path.join(os.homedir(), '.npm');
  env.npm_config_prefer_offline = 'true';
  return env;
}

function run(cmd, args, options) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 600_000, ...options });
  return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}

test('release.yml rehearses a release under act up to a dry-run npm publish', { timeout: 900_000, skip: (!fs.existsSync(ACT) && !process.env.CI && 'act is not built (scripts/setup-test builds it)') || false }, (t) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-release-act-'));
  t.after(() => fs.rmSync(work, { recursive: true, force: true }));
  const repo = cleanClone(path.join(work, 'repo'));
  fs.rmSync(path.join(repo, 'pkg', 'node_modules')); // the workflow installs its own
  const home = path.join(work, 'home');
  fs.mkdirSync(home);
  const env = cleanEnv(home);
  const git = (...args) => assert.equal(run('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', ...args], { cwd: repo, env }).status, 0);
  git('init', '--quiet', '--initial-branch=main');
  git('add', '-A');
  git('commit', '--quiet', '-m', 'release candidate');
  const sha = run('git', ['rev-parse', 'HEAD'], { cwd: repo, env }).output.trim();

  const r = run(ACT, ['workflow_dispatch', '-W', '.github/workflows/release.yml', '-P', 'ubuntu-latest=-self-hosted', '--pull=false',
    '--input', `tag=v${VERSION}`, '--input', 'test-command=bash scripts/checks/action-dist.sh'], { cwd: repo, env });
  const out = r.output;
  assert.equal(r.status, 0, out.slice(-6000));
  const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  assert.match(out, new RegExp(`release: v${esc(VERSION)} is gitops-bump ${esc(VERSION)} in pkg/package.json, Cargo.toml and CHANGELOG.md`));
  assert.match(out, /action-dist: action\/dist\/ matches a fresh build/, 'the test command ran');
  assert.match(out, new RegExp(`release: packed \\S+/gitops-bump-${esc(VERSION)}\\.tgz \\(\\d+ bytes\\)`));
  assert.match(out, /sha256 {4}[0-9a-f]{64}/);
  assert.match(out, /integrity sha512-[A-Za-z0-9+/]{86}==/);
  assert.match(out, /release: dry run: npm publish --dry-run/);
  assert.match(out, new RegExp(`\\+ gitops-bump@${esc(VERSION)}`), "npm's dry run names what it would publish");
  assert.match(out, new RegExp(`release: dry run: would create the GitHub release v${esc(VERSION)} with gitops-bump-${esc(VERSION)}\\.tgz and SHA256SUMS`));
  assert.match(out, new RegExp(`release: dry run: would move v${esc(VERSION.split('.')[0])} to ${sha}`));
  assert.match(out, /Job succeeded/);
});

test('scripts/release.sh check refuses a tag that does not name the version', () => {
  const script = path.join(ROOT, 'scripts', 'release.sh');
  const bad = run('bash', [script, 'check', 'v9.9.9'], { cwd: ROOT });
  assert.equal(bad.status, 1);
  assert.match(bad.output, new RegExp(`v9\\.9\\.9 names 9\\.9\\.9, but pkg/package\\.json says ${VERSION.replaceAll('.', '\\.')}`));
  const malformed = run('bash', [script, 'check', 'release-1']);
  assert.equal(malformed.status, 2);
  assert.match(malformed.output, /tag must be vX\.Y\.Z or vX\.Y\.Z-pre, got "release-1"/);
  const good = run('bash', [script, 'check', `v${VERSION}`]);
  assert.equal(good.status, 0, good.output);
});
