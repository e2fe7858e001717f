// Hostile remotes, hanging servers and signals: only https, ssh, scp-style, file and
// local-path remotes reach git; every git call has a timeout; SIGINT/SIGTERM stop git
// and remove the temporary clone; a write interrupted by SIGTERM leaves no temp file;
// `playground --port <in use>` is a usage error.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { expectCases, finished, git, hostile, run, sandbox, snapshot, start, assertOnlyChanged } from './harness.js';

const VALUES = 'image:\n  tag: "1.0"\n';

// ---- remote URLs: refused before git runs (exit 2), nothing created ----------------------

for (const [name, url] of [
  ['ext:: (runs a command)', 'ext::sh -c touch% pwned'],
  ['fd::3 (hangs on a file descriptor)', 'fd::3'],
  ['an option in disguise (-u)', '-uhelp'],
  ['--upload-pack injection', '--upload-pack=touch pwned'],
  ['git:// (unauthenticated, unencrypted)', 'git://127.0.0.1/x.git'],
  ['plain http:// to another host', 'http://example.invalid/x.git'],
  ['a remote helper (transport::address)', 'testgit::/tmp/x'],
  ['an unknown scheme', 'ftp://127.0.0.1/x.git'],
]) {
  hostile(`--repo ${name} is refused before git runs`, {
    files: { 'root/values.yaml': VALUES },
    args: ['set', 'values.yaml', 'image.tag', '2.0', `--repo=${url}`],
    code: 2,
    message: /--repo: ".*" is not an allowed remote: use https:\/\/, ssh:\/\/, user@host:path, file:\/\/ or a local path/,
    check: (s) => assert.ok(!fs.existsSync(path.join(s.root, 'pwned')) && !fs.existsSync('/tmp/pwned')),
  });
}

/** A committed checkout in `s.root` holding values.yaml. */
function checkout(s) {
  git(s.root, 'init', '-q');
  fs.writeFileSync(path.join(s.root, 'values.yaml'), VALUES);
  git(s.root, 'add', '-A');
  git(s.root, 'commit', '-qm', 'init');
}

hostile('a checkout whose remote is ext:: is refused for --push', {
  setup: (s) => {
    checkout(s);
    git(s.root, 'remote', 'add', 'origin', 'ext::sh -c touch% pwned');
  },
  args: ['set', 'values.yaml', 'image.tag', '2.0', '--push'],
  code: 2,
  message: /remote origin: "ext::sh -c touch% pwned" is not an allowed remote/,
});

hostile('--push to a named remote given as ext:: is blocked by git\'s protocol allow-list', {
  setup: checkout,
  args: ['set', 'values.yaml', 'image.tag', '2.0', '--push', '--remote', 'ext::sh -c touch% pwned'],
  code: 3,
  // refused before anything is edited (no such remote), or by git's allow-list
  message: /has no remote `ext::sh -c touch% pwned`.*nothing was edited|transport 'ext' not allowed|not an allowed remote/,
  mayChange: ['root/.git/'],
  check: (s) => assert.ok(!fs.existsSync(path.join(s.root, 'pwned'))),
});

// ---- a server that never answers: the timeout, and signals -------------------------------

/** A TCP server on 127.0.0.1 that accepts and then says nothing. */
async function silentServer(t) {
  const sockets = new Set();
  const server = net.createServer((socket) => sockets.add(socket));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return /** @type {net.AddressInfo} */ (server.address()).port;
}

/** git processes still talking to `port`. */
function gitProcessesFor(port) {
  const ps = spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' }).stdout;
  return ps.split('\n').filter((l) => l.includes(`127.0.0.1:${port}`) && /git/.test(l));
}

test('a git call to a server that never answers times out (exit 3), the clone is removed', async (t) => {
  const port = await silentServer(t);
  const s = sandbox(t, { 'root/values.yaml': VALUES, 'tmp/.keep': '' });
  const before = snapshot(s.dir);
  const child = start(['set', 'values.yaml', 'image.tag', '2.0', '--repo', `https://127.0.0.1:${port}/config.git`], {
    cwd: s.root,
    env: { TMPDIR: path.join(s.dir, 'tmp'), GITOPS_BUMP_GIT_TIMEOUT: '2' },
  });
  const r = await finished(child);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /error\[timeout\]: git clone .* timed out after 2 s and was stopped/);
  assert.deepEqual(gitProcessesFor(port), []);
  assertOnlyChanged(before, snapshot(s.dir));
});

for (const signal of /** @type {const} */ (['SIGTERM', 'SIGINT'])) {
  test(`${signal} during a clone stops git and removes the temporary clone`, async (t) => {
    const port = await silentServer(t);
    const s = sandbox(t, { 'root/values.yaml': VALUES, 'tmp/.keep': '' });
    const before = snapshot(s.dir);
    const child = start(['set', 'values.yaml', 'image.tag', '2.0', '--repo', `https://127.0.0.1:${port}/config.git`], {
      cwd: s.root,
      env: { TMPDIR: path.join(s.dir, 'tmp') },
    });
    const done = finished(child);
    // wait until the clone has started (its temp dir exists and git is connected)
    for (let i = 0; i < 200 && (fs.readdirSync(path.join(s.dir, 'tmp')).length < 2 || gitProcessesFor(port).length === 0); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(gitProcessesFor(port).length > 0, 'git is running');
    child.kill(signal);
    const r = await done;
    assert.equal(r.signal, signal, `died of ${signal} (code ${r.code}, stderr ${r.stderr})`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(gitProcessesFor(port), [], 'no git process left');
    assertOnlyChanged(before, snapshot(s.dir));
  });
}

test('SIGTERM during the write of a large file leaves no temp file and an old or new file', async (t) => {
  const old = `a: "1"\n${'# padding line\n'.repeat(300_000)}`; // ~4.5 MB
  const s = sandbox(t, { 'root/big.yaml': old });
  const want = old.replace('a: "1"', 'a: "2"');
  // how long an uninterrupted run takes here, then signals at fractions of it
  const t0 = Date.now();
  assert.equal((await finished(start(['set', 'big.yaml', 'a', '2'], { cwd: s.root }))).code, 0);
  const full = Date.now() - t0;
  for (const fraction of [0.2, 0.6, 0.9]) {
    fs.writeFileSync(path.join(s.root, 'big.yaml'), old);
    const child = start(['set', 'big.yaml', 'a', '2'], { cwd: s.root });
    const done = finished(child);
    await new Promise((resolve) => setTimeout(resolve, Math.round(full * fraction)));
    child.kill('SIGTERM');
    const r = await done;
    // the write is synchronous: the signal either ends the run before it or waits for it
    assert.ok(r.signal === 'SIGTERM' || r.code === 0, `${fraction}: ${r.code} ${r.signal} ${r.stderr}`);
    assert.deepEqual(fs.readdirSync(s.root), ['big.yaml'], `${fraction}: no temp or lock file left`);
    const text = fs.readFileSync(path.join(s.root, 'big.yaml'), 'utf8');
    assert.ok(text === old || text === want, `${fraction}: the file is whole`);
  }
});

test('on SIGTERM the cleanup removes a pending temp file and the process dies of the signal', async (t) => {
  const s = sandbox(t, { 'root/.values.yaml.gitops-bump-1-ab.tmp': 'half' });
  const script = `
    import { installSignalCleanup, trackPath } from ${JSON.stringify(new URL('../../pkg/src/cleanup.js', import.meta.url).href)};
    installSignalCleanup();
    trackPath(${JSON.stringify(path.join(s.root, '.values.yaml.gitops-bump-1-ab.tmp'))});
    process.stdout.write('ready\\n');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  const done = finished(child);
  await new Promise((resolve) => child.stdout.once('data', resolve));
  child.kill('SIGTERM');
  const r = await done;
  assert.equal(r.signal, 'SIGTERM', r.stderr);
  assert.deepEqual(fs.readdirSync(s.root), []);
});

// ---- the playground ------------------------------------------------------------------------

test('playground --port <in use> is a usage error (exit 2) without a stack trace', async (t) => {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const port = /** @type {net.AddressInfo} */ (server.address()).port;
  const s = sandbox(t);
  const child = start(['playground', '--port', String(port)], { cwd: s.root });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000); // a regression would serve forever
  const r = await finished(child);
  clearTimeout(timer);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`^error\\[usage\\]: --port ${port}: cannot listen on 127\\.0\\.0\\.1:${port} \\(the port is in use\\); pick another port`));
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

expectCases(10);
