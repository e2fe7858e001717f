// Signed commits where no API signs them (`--sign ssh|gpg`): the key comes from an
// environment variable (default GITOPS_BUMP_SIGNING_KEY), never from argv.
//
// ssh: the private key is written to a file of mode 0600 in the run's temporary folder
//      (removed at exit, and by the signal handler when the run is interrupted); git signs
//      with `gpg.format=ssh` and `user.signingkey=<that file>` (ssh-keygen -Y sign).
// gpg: the key is imported into a temporary GNUPGHOME (mode 0700, its key files 0600,
//      removed at exit, its gpg-agent stopped); git signs with the key's fingerprint.
// Either way git is told through GIT_CONFIG_COUNT entries in the child environment, so
// nothing is left in a git config. A key with a passphrase cannot sign unattended: it is
// refused before anything is committed.

import { execFile } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PipelineError } from '../common/errors.js';

export const SIGN_KINDS = Object.freeze(['ssh', 'gpg']);
export const DEFAULT_SIGNING_KEY_ENV = 'GITOPS_BUMP_SIGNING_KEY';

function run(cmd, args, { input, env } = {}) {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { env, encoding: 'utf8', timeout: 60000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr, error });
    });
    child.stdin?.on('error', () => {});
    child.stdin?.end(input ?? '');
  });
}

/** Environment additions that append `entries` ([key, value]) to GIT_CONFIG_COUNT's list in `env`. */
export function gitConfigEntries(env, entries) {
  const start = Number.parseInt(env.GIT_CONFIG_COUNT ?? '0', 10) || 0;
  const out = { GIT_CONFIG_COUNT: String(start + entries.length) };
  entries.forEach(([k, v], i) => {
    out[`GIT_CONFIG_KEY_${start + i}`] = k;
    out[`GIT_CONFIG_VALUE_${start + i}`] = v;
  });
  return out;
}

/**
 * Sets up signing; resolves the environment additions every git child needs, and a
 * `close()` that stops what it started (the folder itself is the caller's to remove).
 * @param {object} o
 * @param {'ssh'|'gpg'} o.kind
 * @param {string} [o.keyEnv]   the variable holding the key (default GITOPS_BUMP_SIGNING_KEY)
 * @param {NodeJS.ProcessEnv} o.env
 * @param {string} o.dir        a private temporary folder removed at exit
 * @returns {Promise<{env: Record<string, string>, close: () => Promise<void>, describe: string}>}
 * @throws {PipelineError} `usage` (exit 2): unknown kind, the variable unset; `sign` (exit
 *   3): the key cannot be read or needs a passphrase, the tool is missing
 */
export async function prepareSigning({ kind, keyEnv = DEFAULT_SIGNING_KEY_ENV, env, dir }) {
  if (!SIGN_KINDS.includes(kind)) {
    throw new PipelineError(`--sign: expected ssh or gpg, got ${JSON.stringify(kind)}`, { code: 'usage', details: { exitCode: 2 } });
  }
  const key = env[keyEnv];
  if (!key || !key.trim()) {
    throw new PipelineError(`--sign ${kind}: the signing key variable ${keyEnv} is not set or empty (name another with --signing-key-env)`, {
      code: 'usage',
      details: { exitCode: 2 },
    });
  }
  const text = key.endsWith('\n') ? key : `${key}\n`;
  return kind === 'ssh' ? sshSigning(text, { env, dir, keyEnv }) : gpgSigning(text, { env, dir, keyEnv });
}

async function sshSigning(key, { env, dir, keyEnv }) {
  if (!/-----BEGIN (OPENSSH|RSA|EC|DSA) PRIVATE KEY-----/.test(key)) {
    throw new PipelineError(`--sign ssh: ${keyEnv} does not hold an SSH private key (expected "-----BEGIN OPENSSH PRIVATE KEY-----")`, { code: 'sign' });
  }
  const file = path.join(dir, 'signing-key');
  await writeFile(file, key, { mode: 0o600, flag: 'wx' });
  await chmod(file, 0o600); // whatever the umask
  // -y derives the public key; with an empty passphrase it fails on a protected key
  const probe = await run('ssh-keygen', ['-y', '-P', '', '-f', file], { env: { PATH: env.PATH ?? process.env.PATH } });
  if (probe.error && probe.error.code === 'ENOENT') throw new PipelineError('--sign ssh needs ssh-keygen (OpenSSH 8.2 or later) on PATH', { code: 'sign' });
  if (probe.code !== 0) {
    throw new PipelineError(`--sign ssh: the key in ${keyEnv} cannot be used unattended (${oneLine(probe.stderr) || 'ssh-keygen refused it'}): use a key without a passphrase`, { code: 'sign' });
  }
  const extra = gitConfigEntries(env, [
    ['gpg.format', 'ssh'],
    ['user.signingkey', file],
    ['commit.gpgsign', 'true'],
  ]);
  return { env: extra, close: async () => {}, describe: `ssh key ${probe.stdout.trim().split(/\s+/).slice(0, 1)[0]} from ${keyEnv}` };
}

async function gpgSigning(key, { env, dir, keyEnv }) {
  const home = path.join(dir, 'gnupg');
  await mkdir(home, { mode: 0o700 });
  await chmod(home, 0o700);
  const genv = { PATH: env.PATH ?? process.env.PATH, GNUPGHOME: home, LC_ALL: 'C' };
  const imported = await run('gpg', ['--batch', '--no-tty', '--import'], { input: key, env: genv });
  if (imported.error && imported.error.code === 'ENOENT') throw new PipelineError('--sign gpg needs gpg (GnuPG 2) on PATH', { code: 'sign' });
  const close = async () => {
    await run('gpgconf', ['--kill', 'gpg-agent'], { env: genv });
  };
  const listed = await run('gpg', ['--batch', '--with-colons', '--list-secret-keys'], { env: genv });
  const fpr = /^fpr:+([0-9A-F]{40,64}):/m.exec(listed.stdout ?? '')?.[1];
  if (imported.code !== 0 || !fpr) {
    await close();
    throw new PipelineError(`--sign gpg: ${keyEnv} holds no secret key gpg can import (${oneLine(imported.stderr) || 'no secret key'})`, { code: 'sign' });
  }
  // a passphrase would need a prompt: sign a probe with none allowed
  const probe = await run('gpg', ['--batch', '--no-tty', '--pinentry-mode', 'error', '--local-user', fpr, '--detach-sign', '--output', '-'], { input: 'probe', env: genv });
  if (probe.code !== 0) {
    await close();
    throw new PipelineError(`--sign gpg: the key in ${keyEnv} cannot sign unattended (${oneLine(probe.stderr) || 'gpg refused'}): use a key without a passphrase`, { code: 'sign' });
  }
  const extra = {
    GNUPGHOME: home,
    ...gitConfigEntries(env, [
      ['gpg.format', 'openpgp'],
      ['user.signingkey', fpr],
      ['commit.gpgsign', 'true'],
    ]),
  };
  return { env: extra, close, describe: `gpg key ${fpr} from ${keyEnv}` };
}

function oneLine(s) {
  return String(s ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-1)[0] ?? '';
}

/**
 * Signing for a pipeline run: `o` with the signing configuration added to its environment
 * and the key's variable removed from it (kept from git and its hooks), and the signing
 * (its `close()` runs at cleanup).
 * @param {{sign: 'ssh'|'gpg', signingKeyEnv: string, env: NodeJS.ProcessEnv}} o
 * @param {string} dir  a private temporary folder the run removes at exit
 */
export async function signRun(o, dir) {
  const signing = await prepareSigning({ kind: o.sign, keyEnv: o.signingKeyEnv, env: o.env, dir });
  const env = { ...o.env, ...signing.env };
  delete env[o.signingKeyEnv];
  return { signing, o: { ...o, env } };
}
