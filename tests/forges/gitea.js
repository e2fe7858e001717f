// A real Gitea (v1.27.3, built by scripts/setup-test into .tools/bin) on 127.0.0.1 for one
// test file: SQLite, offline, no SSH, install locked; an admin user and an access token
// made with `gitea admin`; a repository `<user>/config` with a main branch.

import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const GITEA = process.env.GITEA_BIN || path.join(ROOT, '.tools', 'bin', 'gitea');
export const GITEA_VERSION = '1.27.3';
/** Its locales and templates: a build without the bindata tag reads them at run time. */
export const GITEA_SHARE = process.env.GITEA_STATIC_ROOT || path.join(ROOT, '.tools', 'share', 'gitea');
const run = promisify(execFile);

/**
 * Why the Gitea tests cannot run, or null. Missing Gitea fails them (scripts/setup-test
 * builds it), unless GB_SKIP_GITEA=1 says it was left out on purpose.
 */
export function giteaMissing() {
  if (existsSync(GITEA)) {
    if (!existsSync(path.join(GITEA_SHARE, 'options'))) return `${GITEA_SHARE}/options is missing (Gitea's locales): run scripts/setup-test`;
    const stamp = path.join(path.dirname(GITEA), 'gitea.version');
    if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() !== GITEA_VERSION) return `${GITEA} is not Gitea ${GITEA_VERSION}: run scripts/setup-test`;
    return null;
  }
  return `${GITEA} is missing: run scripts/setup-test (it builds Gitea ${GITEA_VERSION}), or set GB_SKIP_GITEA=1 to skip the Gitea tests`;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts Gitea; `t.after` stops it and removes its folder.
 * @returns {Promise<{url: string, apiUrl: string, user: string, token: string, repo: string, remoteUrl: string, api: (method: string, p: string, body?: unknown) => Promise<{status: number, data: any}>}>}
 */
export async function startGitea(t) {
  const dir = mkdtempSync(path.join(tmpdir(), 'gb-gitea-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = path.join(dir, 'app.ini');
  writeFileSync(
    config,
    [
      'APP_NAME = gitops-bump test',
      'RUN_MODE = prod',
      `RUN_USER = ${userInfo().username}`,
      `WORK_PATH = ${dir}`,
      '[server]',
      'PROTOCOL = http',
      'HTTP_ADDR = 127.0.0.1',
      `HTTP_PORT = ${port}`,
      `ROOT_URL = ${url}/`,
      `STATIC_ROOT_PATH = ${GITEA_SHARE}`,
      'DISABLE_SSH = true',
      'START_SSH_SERVER = false',
      'OFFLINE_MODE = true',
      'LFS_START_SERVER = false',
      '[database]',
      'DB_TYPE = sqlite3',
      `PATH = ${path.join(dir, 'gitea.db')}`,
      '[repository]',
      `ROOT = ${path.join(dir, 'repos')}`,
      'DEFAULT_BRANCH = main',
      '[security]',
      'INSTALL_LOCK = true',
      '[service]',
      'DISABLE_REGISTRATION = true',
      '[indexer]',
      'ISSUE_INDEXER_TYPE = db',
      '[log]',
      'MODE = console',
      'LEVEL = error',
      '[cron]',
      'ENABLED = false',
      '',
    ].join('\n'),
  );
  const env = { ...process.env, GITEA_WORK_DIR: dir, HOME: dir, GITEA_I_AM_BEING_UNSAFE_RUNNING_AS_ROOT: 'true' };
  const gitea = (args) => run(GITEA, ['--config', config, '--work-path', dir, ...args], { env, encoding: 'utf8' });
  await gitea(['migrate']);
  const user = 'gb-admin';
  await gitea(['admin', 'user', 'create', '--admin', '--username', user, '--password', 'gb-admin-password-1', '--email', 'gb-admin@example.com', '--must-change-password=false']);
  const { stdout } = await gitea(['admin', 'user', 'generate-access-token', '--username', user, '--token-name', 'tests', '--scopes', 'all', '--raw']);
  const token = stdout.trim().split('\n').pop().trim();
  const child = spawn(GITEA, ['--config', config, '--work-path', dir, 'web'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  t.after(async () => {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r() : child.on('exit', r)));
    rmSync(dir, { recursive: true, force: true });
  });
  const deadline = Date.now() + 60000;
  for (;;) {
    try {
      const res = await fetch(`${url}/api/v1/version`);
      if (res.ok) break;
    } catch {
      /* not up yet */
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`Gitea did not start on ${url}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const api = async (method, p, body) => {
    const res = await fetch(`${url}/api/v1${p}`, {
      method,
      headers: { Authorization: `token ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, data: await res.json().catch(() => null) };
  };
  const created = await api('POST', '/user/repos', { name: 'config', auto_init: true, default_branch: 'main', readme: 'Default' });
  if (created.status !== 201) throw new Error(`creating the repository: ${created.status} ${JSON.stringify(created.data)}`);
  return { url, apiUrl: `${url}/api/v1`, user, token, repo: `${user}/config`, remoteUrl: `${url}/${user}/config.git`, api };
}
