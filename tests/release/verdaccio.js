// A real npm registry for the release tests: Verdaccio 6.8.0 (installed by
// scripts/setup-test into .tools/verdaccio from tests/release/verdaccio/'s lockfile),
// started on 127.0.0.1 on a free port with its own storage, no uplink (nothing is proxied
// to the public registry: a name it does not hold is a 404, as for an unclaimed name), and
// one user whose token may publish.
//
// What it does not model: npm's provenance (the registry accepts a publish without it;
// `npm publish --provenance` needs a CI's OIDC token), two-factor auth, the public
// registry's rate limits and name rules.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { freePort } from '../pipeline/helpers.js';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const VERDACCIO = path.join(ROOT, '.tools', 'verdaccio', 'node_modules', 'verdaccio', 'bin', 'verdaccio');

/** Why the registry cannot run here, or null. */
export function verdaccioMissing() {
  return existsSync(VERDACCIO) ? null : `Verdaccio is not installed at ${VERDACCIO} (scripts/setup-test installs it)`;
}


/**
 * Starts Verdaccio; resolves once it answers, with its url, the storage directory, a user
 * config (.npmrc) holding a publish token, and close().
 * @returns {Promise<{url: string, storage: string, npmrc: string, log: () => string, close: () => Promise<void>}>}
 */
export async function startVerdaccio() {
  const dir = mkdtempSync(path.join(tmpdir(), 'gb-verdaccio-'));
  const storage = path.join(dir, 'storage');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  writeFileSync(path.join(dir, 'config.yaml'), [
    `storage: ${JSON.stringify(storage)}`,
    'auth:',
    '  htpasswd:',
    `    file: ${JSON.stringify(path.join(dir, 'htpasswd'))}`,
    '    max_users: 1',
    'uplinks: {}',
    'packages:',
    "  '**':",
    '    access: $all',
    '    publish: $authenticated',
    'log: { type: stdout, format: pretty, level: warn }',
    '',
  ].join('\n'));
  let output = '';
  const child = spawn(process.execPath, [VERDACCIO, '--config', path.join(dir, 'config.yaml'), '--listen', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`Verdaccio exited (${child.exitCode}):\n${output}`);
      try {
        if ((await fetch(`${url}-/ping`)).ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`Verdaccio did not answer on ${url} in 60 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    // the one user; its token publishes (as an automation token would in the release job)
    const res = await fetch(`${url}-/user/org.couchdb.user:release`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'release', password: 'release-password-1' }),
    });
    const { token } = /** @type {{token?: string}} */ (await res.json());
    if (!res.ok || !token) throw new Error(`Verdaccio refused the user (${res.status})`);
    const npmrc = path.join(dir, 'npmrc');
    writeFileSync(npmrc, `registry=${url}\n//127.0.0.1:${port}/:_authToken=${token}\n`);
    return { url, storage, npmrc, log: () => output, close };
  } catch (error) {
    await close();
    throw error;
  }
}
