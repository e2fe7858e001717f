// Remote bases followed the way kustomize follows them (pkg/src/remote-bases.js): URLs parsed
// with kustomize v5.5.0's rules, cloned shallow at their ref from real bare repositories
// (file://) or downloaded from a real HTTP server on 127.0.0.1, only with
// --fetch-remote-bases; otherwise (or when a fetch fails) reported as not checked, with the
// reason. The differential test against kustomize itself is tests/kustomize/remote-differential.test.js.

import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parseRemote } from '../src/remote-bases.js';
import { cli, git as gitIn, read, tempTree } from './helpers.js';
import { sharedRepo } from '../../tests/action/remote-base-fixture.js';

function expect(r, code) {
  assert.equal(r.code, code, `exit ${r.code}, expected ${code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

test('URLs are split as kustomize v5.5.0 splits them', () => {
  const cases = [
    ['github.com/org/repo/path/to/dir?ref=v1', 'https://github.com/org/repo', 'path/to/dir', 'v1', 'github.com'],
    ['https://github.com/org/repo//deploy?ref=v1.2.0', 'https://github.com/org/repo', 'deploy', 'v1.2.0', 'github.com'],
    ['git::https://gitlab.example.com/org/repo.git//deploy/prod?ref=main', 'https://gitlab.example.com/org/repo.git', 'deploy/prod', 'main', 'gitlab.example.com'],
    ['https://host.example/org/repo.git/deploy?version=v2', 'https://host.example/org/repo.git', '/deploy', 'v2', 'host.example'],
    ['ssh://git@host.example/org/repo.git//d?ref=v3', 'ssh://git@host.example/org/repo.git', 'd', 'v3', 'host.example'],
    ['git@github.com:org/repo.git/d?ref=v4', 'git@github.com:org/repo.git', 'd', 'v4', 'github.com'],
    ['git@host.example:org/repo//d', 'git@host.example:org/repo', 'd', '', 'host.example'],
    ['https://dev.azure.com/org/project/_git/repo/path?ref=x', 'https://dev.azure.com/org/project/_git/repo', 'path', 'x', 'dev.azure.com'],
    ['file:///srv/git/shared.git//worker?ref=v1', 'file:///srv/git/shared.git', 'worker', 'v1', 'file'],
    ['file:///srv/git/shared', 'file:///srv/git/shared', '', '', 'file'],
  ];
  for (const [url, cloneUrl, p, ref, host] of cases) {
    const r = /** @type {any} */ (parseRemote(url));
    assert.equal(r.kind, 'git', `${url}: ${r.error}`);
    assert.deepEqual([r.cloneUrl, r.path.replace(/^\//, ''), r.ref, r.host], [cloneUrl, p.replace(/^\//, ''), ref, host], url);
  }
  // query parameters: ref wins over version; timeout in seconds or as a Go duration; submodules as a Go bool
  const q = /** @type {any} */ (parseRemote('https://github.com/org/repo//d?version=a&ref=b&timeout=1m30s&submodules=false'));
  assert.deepEqual([q.ref, q.timeoutMs, q.submodules], ['b', 90_000, false]);
  assert.equal(/** @type {any} */ (parseRemote('https://github.com/org/repo//d?timeout=61')).timeoutMs, 61_000);
  assert.equal(/** @type {any} */ (parseRemote('https://github.com/org/repo//d?timeout=soon')).timeoutMs, null);
  // not remote bases for kustomize
  for (const url of ['/abs/path', 'host.example/org/repo', 'https://host.example/org', 'https://github.com/org/repo//../../x']) {
    assert.equal(parseRemote(url).kind, 'error', url);
  }
});

test('a typo behind a remote base is refused with --fetch-remote-bases; the right name is set; the ref is the one fetched', (t) => {
  const shared = sharedRepo(t);
  const tmp = tempTree(t);
  const cwd = tempTree(t, { 'prod/kustomization.yaml': `resources:\n- ${shared.url('worker')}\n` });
  const env = { TMPDIR: tmp };
  const bad = expect(cli(['image', 'prod', 'ghcr.io/acme/workr:2.0', '--fetch-remote-bases'], { cwd, env }), 1);
  assert.match(bad.stderr, /error\[unknown-image\]: image `ghcr\.io\/acme\/workr` matches no container in the overlay/);
  assert.match(bad.stderr, /did you mean `ghcr\.io\/acme\/worker`\?/);
  // hosts and refs are logged
  assert.match(bad.stderr, new RegExp(`remote base: fetching file://${shared.bare} \\(host file\\) at v1, path worker`));
  assert.equal(read(cwd, 'prod/kustomization.yaml'), `resources:\n- ${shared.url('worker')}\n`);
  // the name at v1, not the branch head's
  const ok = expect(cli(['image', 'prod', 'ghcr.io/acme/worker:2.0', '--fetch-remote-bases'], { cwd, env }), 0);
  assert.doesNotMatch(ok.stderr, /not checked/);
  assert.match(read(cwd, 'prod/kustomization.yaml'), /- name: ghcr\.io\/acme\/worker\n {2}newTag: "2\.0"\n$/);
  expect(cli(['image', 'prod', 'ghcr.io/acme/worker-next:3', '--fetch-remote-bases', '--dry-run'], { cwd, env }), 1);
  // the copies are gone at exit
  assert.deepEqual(fs.readdirSync(tmp), []);
});

test('without --fetch-remote-bases, or when the fetch fails, the edit is made and said to be unchecked, with why', (t) => {
  const shared = sharedRepo(t);
  const cwd = tempTree(t, { 'prod/kustomization.yaml': `resources:\n- ${shared.url('worker')}\n` });
  const off = expect(cli(['image', 'prod', 'ghcr.io/acme/workr:2.0', '--dry-run', '--json'], { cwd }), 0);
  assert.deepEqual(JSON.parse(off.stdout).unchecked, [
    {
      spec: 'ghcr.io/acme/workr:2.0',
      file: 'prod/kustomization.yaml',
      what: shared.url('worker'),
      reason: 'not fetched: pass --fetch-remote-bases to follow it (network access); its containers may have the image',
    },
  ]);
  // a host outside the allowlist
  const hosts = expect(cli(['image', 'prod', 'ghcr.io/acme/workr:2.0', '--dry-run', '--fetch-remote-bases', '--remote-base-hosts', 'github.com'], { cwd }), 0);
  assert.match(hosts.stderr, /not followed: `file:\/\/.*` in prod\/kustomization\.yaml: not fetched: host file is not in the allowed hosts \(github\.com\)/);
  // a ref that does not exist: git's error
  fs.writeFileSync(path.join(cwd, 'prod/kustomization.yaml'), `resources:\n- ${shared.url('worker', 'v9')}\n`);
  const missing = expect(cli(['image', 'prod', 'ghcr.io/acme/workr:2.0', '--dry-run', '--fetch-remote-bases'], { cwd }), 0);
  assert.match(missing.stderr, /not followed: `file:\/\/.*\?ref=v9` in prod\/kustomization\.yaml: not fetched: git .*fetch.* failed.*v9/);
  // --remote-base-hosts alone is a usage error
  assert.match(expect(cli(['image', 'prod', 'x:1', '--remote-base-hosts', 'github.com'], { cwd }), 2).stderr, /add --fetch-remote-bases/);
});

test('remote components and remote bases inside remote bases are followed too', (t) => {
  const shared = sharedRepo(t);
  const cwd = tempTree(t, {
    'base/deploy.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n      - name: api\n        image: ghcr.io/acme/api:1.0\n',
    'base/kustomization.yaml': 'resources:\n- deploy.yaml\n',
    'prod/kustomization.yaml': `resources:\n- ../base\n- ${shared.url('nested')}\ncomponents:\n- ${shared.url('sidecar')}\n`,
  });
  for (const name of ['ghcr.io/acme/api', 'ghcr.io/acme/worker', 'ghcr.io/acme/proxy']) {
    const r = expect(cli(['image', 'prod', `${name}:9`, '--fetch-remote-bases', '--dry-run'], { cwd }), 0);
    assert.doesNotMatch(r.stderr, /not checked/, name);
  }
  for (const name of ['ghcr.io/acme/proxi', 'ghcr.io/acme/worker-next']) {
    expect(cli(['image', 'prod', `${name}:9`, '--fetch-remote-bases', '--dry-run'], { cwd }), 1);
  }
});

test('a single manifest over http(s) is downloaded; credentials in a URL are never sent nor shown', async (t) => {
  const server = http.createServer((req, res) => {
    if (req.url === '/worker.yaml') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: w\nspec:\n  template:\n    spec:\n      containers:\n      - name: w\n        image: ghcr.io/acme/worker:1.0\n');
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  t.after(() => server.close());
  const base = `http://127.0.0.1:${/** @type {any} */ (server.address()).port}`;
  const cwd = tempTree(t, { 'prod/kustomization.yaml': `resources:\n- ${base}/worker.yaml\n` });
  const { cliAsync } = await import('./helpers.js');
  const run = (/** @type {string[]} */ args) =>
    new Promise((resolve) => {
      const child = cliAsync(args, { cwd });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  expect(/** @type {any} */ (await run(['image', 'prod', 'ghcr.io/acme/workr:2', '--fetch-remote-bases', '--dry-run'])), 1);
  const ok = expect(/** @type {any} */ (await run(['image', 'prod', 'ghcr.io/acme/worker:2', '--fetch-remote-bases', '--dry-run'])), 0);
  assert.match(ok.stderr, /remote base: GET http:\/\/127\.0\.0\.1:\d+\/worker\.yaml/);
  fs.writeFileSync(path.join(cwd, 'prod/kustomization.yaml'), `resources:\n- http://bob:s3cretpassw0rd@127.0.0.1:1/worker.yaml\n`);
  const creds = expect(/** @type {any} */ (await run(['image', 'prod', 'ghcr.io/acme/workr:2', '--fetch-remote-bases', '--dry-run'])), 0);
  assert.match(creds.stderr, /not followed: `http:\/\/bob:\*\*\*@127\.0\.0\.1:1\/worker\.yaml` in prod\/kustomization\.yaml: not fetched: a URL with credentials in it is not fetched/);
  assert.doesNotMatch(creds.stderr, /s3cretpassw0rd/);
  // a repository URL with a password is not cloned either (git would get it in argv)
  fs.writeFileSync(path.join(cwd, 'prod/kustomization.yaml'), `resources:\n- https://bob:s3cretpassw0rd@127.0.0.1:1/org/repo//worker?ref=v1\n`);
  const git = expect(/** @type {any} */ (await run(['image', 'prod', 'ghcr.io/acme/workr:2', '--fetch-remote-bases', '--dry-run', '--json'])), 0);
  // (the diff of the file shows its own text; what gitops-bump says about it does not)
  assert.doesNotMatch(git.stderr + JSON.stringify(JSON.parse(git.stdout).unchecked), /s3cretpassw0rd/);
  assert.match(JSON.parse(git.stdout).unchecked[0].reason, /a URL with credentials in it is not fetched/);
});

test("kustomize's own repospec test data parses the same (tests/kustomize/remote/repospec.tsv)", () => {
  const file = new URL('../../tests/kustomize/remote/repospec.tsv', import.meta.url);
  const rows = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
  assert.ok(rows.length >= 40, `${rows.length} rows`);
  for (const row of rows) {
    const [url, cloneUrl, root, ref] = row.split('\t');
    const r = /** @type {any} */ (parseRemote(url));
    assert.equal(r.kind, 'git', `${url}: ${r.error}`);
    assert.deepEqual([r.cloneUrl, r.path.replace(/^\//, ''), r.ref], [cloneUrl, root, ref], url);
  }
});

test('at most 20 remote bases are fetched in one run; the rest are said to be unchecked', (t) => {
  const shared = sharedRepo(t);
  const urls = Array.from({ length: 21 }, (_, i) => `${shared.url('worker')}&n=${i}`);
  const cwd = tempTree(t, { 'prod/kustomization.yaml': `resources:\n${urls.map((u) => `- ${u}\n`).join('')}` });
  // a name it does not see (it could be in the 21st), so undecided
  const r = expect(cli(['image', 'prod', 'ghcr.io/acme/workr:2', '--fetch-remote-bases', '--dry-run', '--json'], { cwd }), 0);
  const unchecked = JSON.parse(r.stdout).unchecked;
  assert.equal(unchecked.length, 1, r.stdout);
  assert.equal(unchecked[0].what, urls[20]);
  assert.match(unchecked[0].reason, /^not fetched: more than 20 remote bases in one run; /);
});

test('submodules of a remote base are fetched unless ?submodules=false, as kustomize does', (t) => {
  const dir = tempTree(t);
  const g = (/** @type {string} */ cwd, /** @type {string[]} */ ...args) => gitIn(cwd, '-c', 'protocol.file.allow=always', ...args);
  fs.mkdirSync(path.join(dir, 'sub'));
  fs.writeFileSync(path.join(dir, 'sub/deploy.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: vendored\nspec:\n  template:\n    spec:\n      containers:\n      - name: v\n        image: ghcr.io/acme/vendored:1.0\n');
  g(path.join(dir, 'sub'), 'init', '-q');
  g(path.join(dir, 'sub'), 'add', '.');
  g(path.join(dir, 'sub'), 'commit', '-qm', 'vendored');
  g(dir, 'clone', '-q', '--bare', 'sub', 'sub.git');
  fs.mkdirSync(path.join(dir, 'main'));
  g(path.join(dir, 'main'), 'init', '-q');
  g(path.join(dir, 'main'), 'submodule', 'add', '-q', `file://${dir}/sub.git`, 'withsub/vendor');
  fs.writeFileSync(path.join(dir, 'main/withsub/kustomization.yaml'), 'resources:\n- vendor/deploy.yaml\n');
  g(path.join(dir, 'main'), 'add', '.');
  g(path.join(dir, 'main'), 'commit', '-qm', 'main');
  g(path.join(dir, 'main'), 'tag', 'v1');
  g(dir, 'clone', '-q', '--bare', 'main', 'main.git');
  const cwd = tempTree(t, { 'prod/kustomization.yaml': `resources:\n- file://${dir}/main.git//withsub?ref=v1\n` });
  const bad = expect(cli(['image', 'prod', 'ghcr.io/acme/vendore:2', '--fetch-remote-bases', '--dry-run'], { cwd }), 1);
  assert.match(bad.stderr, /did you mean `ghcr\.io\/acme\/vendored`\?/);
  fs.writeFileSync(path.join(cwd, 'prod/kustomization.yaml'), `resources:\n- file://${dir}/main.git//withsub?ref=v1&submodules=false\n`);
  const off = expect(cli(['image', 'prod', 'ghcr.io/acme/vendore:2', '--fetch-remote-bases', '--dry-run'], { cwd }), 0);
  assert.match(off.stderr, /the fetched copy does not build \(error\[not-found\]: resource `vendor\/deploy\.yaml` listed in withsub\/kustomization\.yaml in file:\/\/\S+\/main\.git at v1 does not exist/);
});
