// Guarantee 6: the token appears in no output, error, argv, URL or file under .git —
// in a successful run and in failing ones. git talks to the test server over smart HTTP,
// which demands the token as basic auth, so the token really travels (as http.extraheader
// through GIT_CONFIG_* in git's environment).

import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { startGitHubServer } from '../github-api-server/server.js';
import { cleanEnv, git, makeRemote, path, ROOT, runCommand, runNode, tempDir } from './helpers.js';

const TOKEN = 'ghs_SECRETtoken4leakTEST0123456789zz';
const FORMS = [
  TOKEN,
  Buffer.from(`x-access-token:${TOKEN}`).toString('base64'),
  Buffer.from(TOKEN).toString('base64'),
  Buffer.from(TOKEN).toString('base64url'),
];
const VALUES = 'image:\n  tag: 1.0.0\nreplicas: 1\n';

/** A `git` on PATH that records every argv (NUL-separated, one run per line) then runs the real git. */
function argvRecorder(t) {
  const dir = tempDir(t, 'gb-argv-');
  const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  const log = path.join(dir, 'argv.log');
  const bin = path.join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(
    path.join(bin, 'git'),
    `#!/bin/sh\nfor a in "$@"; do printf '%s\\0' "$a" >> '${log}'; done\nprintf '\\n' >> '${log}'\nexec '${realGit}' "$@"\n`,
  );
  chmodSync(path.join(bin, 'git'), 0o755);
  writeFileSync(log, '');
  return { bin, log, read: () => readFileSync(log, 'utf8') };
}

function filesUnder(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) continue;
    if (st.isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

function assertNoToken(where, text) {
  for (const form of FORMS) assert.ok(!String(text).includes(form), `token form found in ${where}`);
}

function assertNoTokenInDir(dir) {
  for (const f of filesUnder(dir)) assertNoToken(f, readFileSync(f).toString('latin1'));
}

async function setup(t) {
  const remote = makeRemote(t, { 'app/values.yaml': VALUES });
  const server = await startGitHubServer({ repos: { 'acme/config': remote.bare }, token: TOKEN });
  t.after(() => server.close());
  const rec = argvRecorder(t);
  const env = cleanEnv({
    PATH: `${rec.bin}:${process.env.PATH}`,
    GITHUB_TOKEN: TOKEN,
    GITHUB_API_URL: server.apiUrl,
    GITHUB_REPOSITORY: 'acme/config',
  });
  return { remote, server, rec, env, httpUrl: server.gitUrl('acme/config') };
}

/** Runs driver.js asynchronously (the API server lives in this process: a sync spawn would block it). */
function drive(env, args) {
  return runNode([path.join(ROOT, 'tests/pipeline/driver.js'), JSON.stringify(args)], { env });
}

/** A checkout whose origin is the smart-HTTP URL (cloned with the header given on argv by the test itself, before recording). */
async function httpClone(t, remote, httpUrl) {
  const dir = path.join(tempDir(t), 'checkout');
  const header = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`;
  await runCommand('git', ['-c', `http.extraheader=${header}`, 'clone', '--quiet', httpUrl, dir], { env: cleanEnv() });
  git(dir, ['config', 'user.name', 'Fixture']);
  git(dir, ['config', 'user.email', 'f@example.com']);
  assertNoTokenInDir(path.join(dir, '.git'));
  return dir;
}

test('success over authenticated smart HTTP (--repo, push; checkout PR): no token anywhere', async (t) => {
  const { remote, server, rec, env, httpUrl } = await setup(t);
  const plan = { edits: [{ file: 'app/values.yaml', set: 'image.tag', value: '2.0.0' }] };
  const a = await drive(env, { cwd: '/', plan, git: { repo: httpUrl, push: true } });
  assert.equal(a.code, 0, a.stderr);
  assert.match(remote.show('main', 'app/values.yaml'), /tag: 2\.0\.0/);

  const checkout = await httpClone(t, remote, httpUrl);
  const plan2 = { edits: [{ file: 'app/values.yaml', set: 'image.tag', value: '2.1.0' }] };
  const b = await drive(env, { cwd: checkout, plan: plan2, git: { pr: true, labels: ['deploy'] } });
  assert.equal(b.code, 0, b.stderr);
  assert.equal(server.pulls('acme/config').length, 1);

  // a URL with the token in it and no $GITHUB_TOKEN: the password becomes the token, the URL goes without it
  const plan3 = { edits: [{ file: 'app/values.yaml', set: 'image.tag', value: '2.2.0' }] };
  const noTokenEnv = { ...env, GITHUB_TOKEN: '' };
  const c = await drive(noTokenEnv, { cwd: '/', plan: plan3, git: { repo: httpUrl.replace('http://', `http://x-access-token:${TOKEN}@`), push: true } });
  assert.equal(c.code, 0, c.stderr);
  assert.match(remote.show('main', 'app/values.yaml'), /tag: 2\.2\.0/);

  // the token did travel: git's HTTP requests carried it, the API calls too
  assert.ok(server.gitRequests.some((r) => r.authorized && r.path.endsWith('/git-receive-pack')));
  assert.ok(server.gitRequests.every((r) => r.status !== 401), 'no unauthenticated git request');
  assert.deepEqual(server.mismatches, []);

  for (const [name, text] of [['stdout', a.stdout + b.stdout + c.stdout], ['stderr', a.stderr + b.stderr + c.stderr], ['argv', rec.read()]]) assertNoToken(name, text);
  assert.ok(rec.read().split('\n').filter(Boolean).length > 5, 'git calls were recorded');
  assertNoTokenInDir(path.join(checkout, '.git'));
  assertNoTokenInDir(remote.bare);
  const config = readFileSync(path.join(checkout, '.git', 'config'), 'utf8');
  assert.doesNotMatch(config, /extraheader|authorization/i);
});

test('failing runs (push declined, API error, wrong token): token masked everywhere', async (t) => {
  const { remote, rec, env, httpUrl } = await setup(t);
  const hook = path.join(remote.bare, 'hooks', 'pre-receive');
  writeFileSync(hook, `#!/bin/sh\necho "denied for $REMOTE_USER" >&2\nexit 1\n`);
  chmodSync(hook, 0o755);
  const plan = { edits: [{ file: 'app/values.yaml', set: 'image.tag', value: '3.0.0' }] };
  const runs = [];
  // 1. push declined by the remote
  runs.push(await drive(env, { cwd: '/', plan, git: { repo: httpUrl, push: true } }));
  assert.equal(runs[0].code, 3);
  assert.match(runs[0].stderr, /pre-receive hook declined/);
  // 2. the API answers 404 (unknown repository)
  const checkout = await httpClone(t, remote, httpUrl);
  runs.push(await drive(env, { cwd: checkout, plan, git: { apiCommit: true, githubRepo: 'acme/missing' } }));
  assert.equal(runs[1].code, 3);
  assert.match(runs[1].stderr, /does not exist in acme\/missing/);
  // 3. git itself is refused (wrong token): fails fast, no prompt
  const wrong = { ...env, GITHUB_TOKEN: `${TOKEN}x` };
  runs.push(await drive(wrong, { cwd: '/', plan, git: { repo: httpUrl, push: true } }));
  assert.equal(runs[2].code, 3);
  assert.match(runs[2].stderr, /clone|Authentication failed|401|could not read Username/i);
  // 4. a URL with credentials in it is masked too
  const withCreds = httpUrl.replace('http://', `http://x-access-token:${TOKEN}@`);
  runs.push(await drive(env, { cwd: '/', plan, git: { repo: withCreds.replace('config.git', 'nope.git'), push: true } }));
  assert.equal(runs[3].code, 3);

  for (const [i, r] of runs.entries()) {
    assertNoToken(`stdout of run ${i + 1}`, r.stdout);
    assertNoToken(`stderr of run ${i + 1}`, r.stderr);
  }
  // run 4 put the token in its own argv on purpose (the URL); every other git argv is clean
  const argvRuns = rec.read().split('\n').filter((l) => !l.includes('nope.git'));
  assertNoToken('argv', argvRuns.join('\n'));
  assertNoTokenInDir(path.join(checkout, '.git'));
  assertNoTokenInDir(remote.bare);
});
