// --sign ssh|gpg: the commits git makes are signed with a key from an environment variable,
// `git verify-commit` accepts the pushed commit, and the key exists on disk only as a 0600
// file (ssh) or in a 0700 keyring (gpg) inside the run's temporary folder, gone at exit.

import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync, existsSync as exists } from 'node:fs';
import { runPipeline } from '../../pkg/src/pipeline.js';
import { ROOT, cleanEnv, fakeApply, git, makeRemote, path, runNode, tempDir } from './helpers.js';

const VALUES = 'image:\n  tag: 1.0.0\n';
const plan = (tag) => ({ edits: [{ file: 'values.yaml', set: 'image.tag', value: tag }] });
const CLI = path.join(ROOT, 'pkg', 'bin', 'gitops-bump.js');

function sshKey(t, { passphrase = '' } = {}) {
  const dir = tempDir(t);
  const file = path.join(dir, 'id');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', 'bot@example.com', '-f', file]);
  return { key: readFileSync(file, 'utf8'), pub: readFileSync(`${file}.pub`, 'utf8').trim(), dir };
}

function gpgKey(t) {
  const home = tempDir(t);
  const env = { ...process.env, GNUPGHOME: home };
  execFileSync('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', 'Bot <bot@example.com>', 'ed25519', 'sign', 'never'], { env, stdio: 'ignore' });
  const key = execFileSync('gpg', ['--batch', '--armor', '--export-secret-keys'], { env, encoding: 'utf8' });
  const pub = execFileSync('gpg', ['--batch', '--armor', '--export'], { env, encoding: 'utf8' });
  t.after(() => execFileSync('gpgconf', ['--kill', 'gpg-agent'], { env }));
  return { key, pub };
}

/** The signing files of runs in progress in `root` (the run's temporary folders are gitops-bump-*). */
function signingFiles(root) {
  const out = [];
  for (const d of readdirSync(root).filter((n) => n.startsWith('gitops-bump-'))) {
    for (const name of ['signing-key', 'gnupg']) {
      const p = path.join(root, d, name);
      if (exists(p)) out.push({ p, mode: statSync(p).mode & 0o777 });
    }
  }
  return out;
}

test('--sign ssh: the pushed commit verifies; the key was a 0600 file, removed at exit', async (t) => {
  const remote = makeRemote(t, { 'values.yaml': VALUES });
  const { key, pub } = sshKey(t);
  const seen = [];
  const p = plan('1.1.0');
  // a temporary folder of this run's own: other tests that sign may run at the same time
  const tmp = tempDir(t);
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = tmp;
  let res;
  try {
    res = await runPipeline({
      cwd: remote.clone(),
      plan: p,
      apply: fakeApply(p, { onApply: () => seen.push(...signingFiles(tmp)) }),
      git: { push: true, sign: 'ssh', env: cleanEnv({ GITOPS_BUMP_SIGNING_KEY: key }) },
    });
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  assert.equal(res.pushed, true);
  assert.deepEqual(seen.map((f) => f.mode), [0o600]);
  assert.equal(exists(seen[0].p), false, 'removed at exit');
  assert.deepEqual(readdirSync(tmp), [], 'nothing of the run is left');
  const allowed = path.join(tempDir(t), 'allowed_signers');
  writeFileSync(allowed, `bot@example.com ${pub}\n`);
  const out = execFileSync('git', ['-c', `gpg.ssh.allowedSignersFile=${allowed}`, 'verify-commit', '-v', res.commit], { cwd: remote.bare, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv() });
  assert.equal(git(remote.bare, ['rev-parse', 'main']), res.commit);
  assert.match(git(remote.bare, ['cat-file', 'commit', res.commit]), /^gpgsig -----BEGIN SSH SIGNATURE-----/m);
  assert.equal(typeof out, 'string');
  // an unrelated key does not verify it: the check above can fail
  const other = sshKey(t);
  writeFileSync(allowed, `bot@example.com ${other.pub}\n`);
  assert.throws(() => execFileSync('git', ['-c', `gpg.ssh.allowedSignersFile=${allowed}`, 'verify-commit', res.commit], { cwd: remote.bare, stdio: 'pipe', env: cleanEnv() }));
});

test('--sign gpg through the CLI: the pushed commit verifies with the public key; nothing of the run is left', async (t) => {
  const remote = makeRemote(t, { 'values.yaml': VALUES });
  const { key, pub } = gpgKey(t);
  // a temporary folder of its own, so that what the run leaves there can be seen
  const tmp = tempDir(t);
  const r = await runNode([CLI, 'set', 'values.yaml', 'image.tag', '2.0.0', '--push', '--sign', 'gpg', '--signing-key-env', 'MY_GPG_KEY', '--json'], {
    cwd: remote.clone(),
    env: cleanEnv({ MY_GPG_KEY: key, TMPDIR: tmp }),
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!r.stdout.includes('PRIVATE KEY') && !r.stderr.includes('PRIVATE KEY'));
  const sha = JSON.parse(r.stdout).git?.commit ?? git(remote.bare, ['rev-parse', 'main']);
  assert.equal(git(remote.bare, ['rev-parse', 'main']), sha);
  assert.match(r.stderr, /signing commits with the gpg key [0-9A-F]{40} from MY_GPG_KEY/);
  assert.deepEqual(readdirSync(tmp), [], 'no folder of the run is left');
  const home = tempDir(t);
  const venv = cleanEnv({ GNUPGHOME: home });
  execFileSync('gpg', ['--batch', '--import'], { input: pub, env: venv, stdio: ['pipe', 'ignore', 'ignore'] });
  t.after(() => execFileSync('gpgconf', ['--kill', 'gpg-agent'], { env: venv }));
  execFileSync('git', ['verify-commit', sha], { cwd: remote.bare, env: venv, stdio: 'pipe' });
  assert.match(git(remote.bare, ['cat-file', 'commit', sha]), /^gpgsig -----BEGIN PGP SIGNATURE-----/m);
});

test('--sign refusals: no key, a key with a passphrase, with --api-commit; nothing is pushed', async (t) => {
  const remote = makeRemote(t, { 'values.yaml': VALUES });
  const head = git(remote.bare, ['rev-parse', 'main']);
  const p = plan('3.0.0');
  const runWith = (gitOpts) => runPipeline({ cwd: remote.clone(), plan: p, apply: fakeApply(p), git: { push: true, ...gitOpts } });
  await assert.rejects(runWith({ sign: 'ssh', env: cleanEnv() }), (e) => e.exitCode === 2 && /GITOPS_BUMP_SIGNING_KEY is not set/.test(e.message));
  const locked = sshKey(t, { passphrase: 'secret-words' });
  await assert.rejects(runWith({ sign: 'ssh', env: cleanEnv({ GITOPS_BUMP_SIGNING_KEY: locked.key }) }), (e) => e.exitCode === 3 && e.code === 'sign' && /without a passphrase/.test(e.message) && !e.message.includes('PRIVATE KEY'));
  await assert.rejects(runWith({ sign: 'gpg', env: cleanEnv({ GITOPS_BUMP_SIGNING_KEY: 'not a key' }) }), (e) => e.exitCode === 3 && /holds no secret key/.test(e.message));
  await assert.rejects(runWith({ sign: 'ssh', apiCommit: true, env: cleanEnv({ GITOPS_BUMP_SIGNING_KEY: locked.key }) }), (e) => e.exitCode === 2 && /--api-commit/.test(e.message));
  assert.equal(git(remote.bare, ['rev-parse', 'main']), head);
  const bad = await runNode([CLI, 'set', 'values.yaml', 'image.tag', '3.0.1', '--push', '--sign', 'pgp'], { cwd: remote.clone(), env: cleanEnv() });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--sign: expected one of ssh, gpg, got `pgp`/);
});
