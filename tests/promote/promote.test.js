// `status` and `promote` over a sample config repository (tests/promote/repo/): a base,
// a shared component, dev / staging / production overlays, a Helm values layout with
// per-environment override files, and Argo CD Applications. Rendered images are checked
// with real `kubectl kustomize`; status tables and the pull request body are snapshots
// (UPDATE_SNAPSHOTS=1 rewrites them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { cli, cliAsync, copyTree, git, PKG, tempTree } from '../../pkg/test/helpers.js';
import { startGitHubServer } from '../github-api-server/server.js';

// the package's own YAML reader, to read kubectl's output
const YAML = createRequire(path.join(PKG, 'package.json'))('yaml');

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.join(HERE, 'repo');
const SNAPSHOTS = path.join(HERE, 'snapshots');

const OVERLAYS = ['dev=overlays/dev', 'staging=overlays/staging', 'production=overlays/production'];
const HELM_STAGING = 'staging=charts/api/values.yaml,envs/staging/values.yaml';
const HELM_PRODUCTION = 'production=charts/api/values.yaml,envs/production/values.yaml';

/** A temp copy of the sample repository. */
const sample = (t) => copyTree(t, REPO);

/**
 * A temp copy of the sample repository committed as a git repository whose `origin` is a
 * bare repository holding it on main (the checkout tracks origin/main).
 * @returns {{dir: string, remote: string}}
 */
function sampleWithRemote(t) {
  const dir = sample(t);
  const remote = path.join(tempTree(t), 'config.git');
  git(dir, 'init', '--quiet', '--bare', remote);
  git(dir, 'init', '--quiet');
  git(dir, 'add', '-A');
  git(dir, 'commit', '--quiet', '-m', 'config');
  git(dir, 'remote', 'add', 'origin', remote);
  git(dir, 'push', '--quiet', 'origin', 'HEAD:main');
  git(dir, 'branch', '--quiet', '--set-upstream-to=origin/main');
  return { dir, remote };
}

/** Every file below `dir` with its bytes (relative path -> Buffer). */
function snapshotTree(dir) {
  const out = new Map();
  for (const f of fs.readdirSync(dir, { recursive: true }).map(String).sort()) {
    if (f === '.git' || f.startsWith(`.git${path.sep}`)) continue;
    const abs = path.join(dir, f);
    if (fs.statSync(abs).isFile()) out.set(f, fs.readFileSync(abs));
  }
  return out;
}

/** The files whose bytes differ between two snapshots. */
function changedFiles(before, after) {
  return [...new Set([...before.keys(), ...after.keys()])].filter((f) => !before.get(f)?.equals(after.get(f) ?? Buffer.alloc(0))).sort();
}

/** `kubectl kustomize DIR`: every container image, by `Kind/name/container`. */
function render(dir) {
  const r = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `kubectl kustomize ${dir}: ${r.stderr}`);
  const images = {};
  for (const doc of YAML.parseAllDocuments(r.stdout)) {
    const o = doc.toJS();
    const spec = o?.spec?.template?.spec;
    for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) images[`${o.kind}/${o.metadata.name}/${c.name}`] = c.image;
  }
  return images;
}

/** Compares `actual` with the snapshot file `name` (or writes it with UPDATE_SNAPSHOTS=1). */
function matchSnapshot(name, actual) {
  const file = path.join(SNAPSHOTS, name);
  if (process.env.UPDATE_SNAPSHOTS === '1') {
    fs.mkdirSync(SNAPSHOTS, { recursive: true });
    fs.writeFileSync(file, actual);
  }
  assert.equal(actual, fs.readFileSync(file, 'utf8'), `snapshot ${name} (UPDATE_SNAPSHOTS=1 rewrites it)`);
}

/** Runs the CLI and asserts its exit code. */
function run(cwd, args, code = 0) {
  const r = cli(args, { cwd });
  assert.equal(r.code, code, `gitops-bump ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

test('status: overlays, Helm chains and Argo CD Applications as tables (plain, markdown, json)', (t) => {
  const targets = [...OVERLAYS];
  matchSnapshot('status-overlays.txt', run(REPO, ['status', ...targets]).stdout);
  matchSnapshot('status-overlays.md', run(REPO, ['status', ...targets, '--markdown']).stdout);
  const json = run(REPO, ['status', ...targets, '--json']).stdout;
  matchSnapshot('status-overlays.json', json);
  const st = JSON.parse(json);
  assert.deepEqual(st.environments.map((e) => e.kind), ['kustomize', 'kustomize', 'kustomize']);
  // each cell agrees with what kubectl kustomize renders for that overlay
  for (const [i, dir] of ['overlays/dev', 'overlays/staging', 'overlays/production'].entries()) {
    const rendered = new Set(Object.values(render(path.join(REPO, dir))));
    const cells = st.images.map((row) => row.cells[st.environments[i].name]?.image).filter(Boolean);
    assert.deepEqual(new Set(cells), rendered, dir);
  }
  // a kustomization file stands for its overlay
  assert.equal(run(REPO, ['status', 'dev=overlays/dev/kustomization.yaml', 'staging=overlays/staging', 'production=overlays/production']).stdout, run(REPO, ['status', ...targets]).stdout);
  matchSnapshot('status-helm.txt', run(REPO, ['status', HELM_STAGING, HELM_PRODUCTION]).stdout);
  matchSnapshot('status-argocd.txt', run(REPO, ['status', 'apps/api-staging.yaml', 'apps/api-production.yaml']).stdout);
});

test('promote staging -> production: only production\'s kustomization changes; kubectl kustomize proves the result', (t) => {
  const dir = sample(t);
  const before = snapshotTree(dir);
  const stagingBefore = render(path.join(dir, 'overlays/staging'));
  const productionBefore = render(path.join(dir, 'overlays/production'));

  const r = run(dir, ['promote', 'overlays/staging', 'overlays/production']);
  assert.match(r.stdout, /ghcr\.io\/acme\/api:1\.8 +ghcr\.io\/acme\/api:1\.9 +promoted/);

  assert.deepEqual(changedFiles(before, snapshotTree(dir)), [path.join('overlays', 'production', 'kustomization.yaml')]);
  const productionAfter = render(path.join(dir, 'overlays/production'));
  assert.deepEqual(render(path.join(dir, 'overlays/staging')), stagingBefore, 'FROM renders as before');
  for (const [where, image] of Object.entries(productionAfter)) {
    const promoted = image.startsWith('ghcr.io/acme/api');
    assert.equal(image, promoted ? stagingBefore[where] : productionBefore[where], where);
  }
  assert.notDeepEqual(productionAfter, productionBefore);
  // byte-exact: only the tag's bytes changed, the comment and the quotes stay
  assert.equal(
    fs.readFileSync(path.join(dir, 'overlays/production/kustomization.yaml'), 'utf8'),
    fs.readFileSync(path.join(REPO, 'overlays/production/kustomization.yaml'), 'utf8').replace('newTag: "1.8"', 'newTag: "1.9"'),
  );
  // promoting again changes nothing
  run(dir, ['promote', 'overlays/staging', 'overlays/production']);
  assert.deepEqual(changedFiles(before, snapshotTree(dir)), [path.join('overlays', 'production', 'kustomization.yaml')]);
});

test('promote dev -> staging --image: only the named image, a renamed image with its digest, never the shared component', (t) => {
  const dir = sample(t);
  const before = snapshotTree(dir);
  const dev = render(path.join(dir, 'overlays/dev'));
  const staging = render(path.join(dir, 'overlays/staging'));
  run(dir, ['promote', 'overlays/dev', 'overlays/staging', '--image', 'ghcr.io/acme/worker']);
  assert.deepEqual(changedFiles(before, snapshotTree(dir)), [path.join('overlays', 'staging', 'kustomization.yaml')]);
  const after = render(path.join(dir, 'overlays/staging'));
  assert.equal(after['Deployment/worker/worker'], dev['Deployment/worker/worker']);
  assert.match(after['Deployment/worker/worker'], /^ghcr\.io\/acme\/worker-ng:3\.0\.0-rc\.1@sha256:/);
  for (const where of Object.keys(after).filter((w) => w !== 'Deployment/worker/worker')) {
    assert.equal(after[where], staging[where], `${where} is not promoted`);
  }
});

test('promote a Helm values chain: the fields go into TO\'s own values file; a shared file is refused by name', (t) => {
  const dir = sample(t);
  const before = snapshotTree(dir);
  run(dir, ['promote', HELM_STAGING, HELM_PRODUCTION]);
  assert.deepEqual(changedFiles(before, snapshotTree(dir)), [path.join('envs', 'production', 'values.yaml')]);
  const st = JSON.parse(run(dir, ['status', HELM_STAGING, HELM_PRODUCTION, '--json']).stdout);
  for (const row of st.images) assert.equal(row.cells.production.image, row.cells.staging.image, row.image);
  assert.equal(st.images.find((r) => r.image === 'ghcr.io/acme/api').cells.production.tag, '1.9', 'a tag that looks like a number stays a string');
  assert.match(fs.readFileSync(path.join(dir, 'envs/production/values.yaml'), 'utf8'), /^ {2}tag: "1\.9"$/m);

  // production reading only the shared defaults has no file of its own
  const fresh = sample(t);
  const untouched = snapshotTree(fresh);
  const r = run(fresh, ['promote', HELM_STAGING, 'production=charts/api/values.yaml'], 1);
  assert.match(r.stderr, /error\[promote\]: production has no values file of its own: `image\.tag` of `ghcr\.io\/acme\/api` lives in charts\/api\/values\.yaml, which staging reads too/);
  assert.deepEqual(changedFiles(untouched, snapshotTree(fresh)), []);
});

test('promote into an environment that pulls through a mirror: the version is copied, the mirror\'s name stays, the table shows both', (t) => {
  // a region whose cluster pulls through a proxy-cache registry (Harbor's shape): its entry
  // renames the image itself, and a promotion must not rename it back to FROM's registry
  const dir = sample(t);
  const eu = [
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'namespace: shop-eu',
    'resources:',
    '  - ../../base',
    'images:',
    '  - name: ghcr.io/acme/api',
    '    newName: harbor.eu.acme.internal/proxy/acme/api   # pulled through the EU mirror',
    '    newTag: "1.8"',
    '',
  ].join('\n');
  fs.mkdirSync(path.join(dir, 'overlays/production-eu'));
  fs.writeFileSync(path.join(dir, 'overlays/production-eu/kustomization.yaml'), eu);
  const r = run(dir, ['promote', 'overlays/staging', 'overlays/production-eu']);
  assert.equal(fs.readFileSync(path.join(dir, 'overlays/production-eu/kustomization.yaml'), 'utf8'), eu.replace('newTag: "1.8"', 'newTag: "1.9"'));
  assert.equal(render(path.join(dir, 'overlays/production-eu'))['Deployment/api/api'], 'harbor.eu.acme.internal/proxy/acme/api:1.9');
  assert.match(r.stdout, /^ghcr\.io\/acme\/api +ghcr\.io\/acme\/api:1\.9 +harbor\.eu\.acme\.internal\/proxy\/acme\/api:1\.8 +harbor\.eu\.acme\.internal\/proxy\/acme\/api:1\.9 +promoted$/m);
  // promoting again changes nothing: the names differ, the versions do not
  const again = fs.readFileSync(path.join(dir, 'overlays/production-eu/kustomization.yaml'), 'utf8');
  run(dir, ['promote', 'overlays/staging', 'overlays/production-eu']);
  assert.equal(fs.readFileSync(path.join(dir, 'overlays/production-eu/kustomization.yaml'), 'utf8'), again);

  // the same through an Argo CD Application whose own override names the mirror
  const app = path.join(dir, 'apps/api-production.yaml');
  fs.writeFileSync(app, fs.readFileSync(app, 'utf8').replace('images: []', 'images:\n        - ghcr.io/acme/api=harbor.eu.acme.internal/proxy/acme/api:1.8'));
  run(dir, ['promote', 'apps/api-staging.yaml', 'apps/api-production.yaml']);
  const st = JSON.parse(run(dir, ['status', 'apps/api-staging.yaml', 'apps/api-production.yaml', '--json']).stdout);
  const api = st.images.find((row) => row.image === 'ghcr.io/acme/api');
  assert.equal(api.cells['apps/api-production.yaml'].image, `harbor.eu.acme.internal/proxy/acme/api:${api.cells['apps/api-staging.yaml'].tag}`);
});

test('promote between Argo CD Applications edits only TO\'s Application', (t) => {
  const dir = sample(t);
  const before = snapshotTree(dir);
  run(dir, ['promote', 'apps/api-staging.yaml', 'apps/api-production.yaml']);
  assert.deepEqual(changedFiles(before, snapshotTree(dir)), [path.join('apps', 'api-production.yaml')]);
  const st = JSON.parse(run(dir, ['status', 'apps/api-staging.yaml', 'apps/api-production.yaml', '--json']).stdout);
  for (const row of st.images) assert.equal(row.cells['apps/api-production.yaml'].image, row.cells['apps/api-staging.yaml'].image, row.image);
});

test('refusals: an image FROM does not run, FROM = TO; nothing is written', (t) => {
  const dir = sample(t);
  const before = snapshotTree(dir);
  let r = run(dir, ['promote', 'overlays/staging', 'overlays/production', '--image', 'ghcr.io/acme/apii'], 2);
  assert.match(r.stderr, /error\[usage\]: overlays\/staging runs no image `ghcr\.io\/acme\/apii`\n {2}= help: overlays\/staging runs ghcr\.io\/acme\/api, /);
  r = run(dir, ['promote', 'overlays/staging', './overlays/staging/'], 2);
  assert.match(r.stderr, /FROM and TO are the same environment \(`\.\/overlays\/staging\/`\)/);
  r = run(dir, ['promote', 'overlays/staging', 'overlays/nowhere'], 2);
  assert.match(r.stderr, /overlays\/nowhere/);
  assert.deepEqual(changedFiles(before, snapshotTree(dir)), []);
});

test('promote --push commits TO\'s file to a bare remote; the pull request body is the before/after table', (t) => {
  const { dir, remote } = sampleWithRemote(t);

  const r = run(dir, ['promote', 'overlays/staging', 'overlays/production', '--push', '--message', 'promote {images}']);
  assert.match(r.stdout, /pushed/);
  assert.equal(git(dir, '--git-dir', remote, 'diff', '--name-only', 'main~1', 'main'), 'overlays/production/kustomization.yaml');

  const body = spawnSync(process.execPath, ['--input-type=module', '-e', `
    import * as p from ${JSON.stringify(path.join(HERE, '..', '..', 'pkg', 'src', 'promote.js'))};
    const ctx = p.context(${JSON.stringify(REPO)}, ${JSON.stringify(REPO)});
    process.stdout.write(p.renderPromotion(p.computePromotion('staging=overlays/staging', 'production=overlays/production', [], ctx), 'markdown'));
  `], { encoding: 'utf8' });
  assert.equal(body.status, 0, body.stderr);
  matchSnapshot('pr-body.md', body.stdout);
});

test('a plan entry `promote:` is applied like any other edit', (t) => {
  const dir = sample(t);
  fs.writeFileSync(path.join(dir, 'plan.yaml'), 'edits:\n  - promote: overlays/production\n    from: overlays/staging\n    images: [ghcr.io/acme/api]\n');
  const before = snapshotTree(dir);
  run(dir, ['apply', 'plan.yaml']);
  assert.deepEqual(changedFiles(before, snapshotTree(dir)), [path.join('overlays', 'production', 'kustomization.yaml')]);
  fs.writeFileSync(path.join(dir, 'bad.yaml'), 'edits:\n  - promote: overlays/production\n    from: overlays/staging\n    images: ghcr.io/acme/api\n');
  const r = run(dir, ['apply', 'bad.yaml'], 2);
  assert.match(r.stderr, /plan: edits\[0\]\.images: expected a list of image names/);
});

test('the promotion table is part of the plan\'s result: applyPlan returns it, --json reports it, the CLI prints it once', async (t) => {
  const dir = sample(t);
  const { applyPlan } = await import(path.join(PKG, 'src', 'plan.js'));
  const res = applyPlan({ edits: [{ promote: 'production=overlays/production', from: 'staging=overlays/staging' }] }, { cwd: dir, dryRun: true });
  assert.deepEqual(res.promotions.map((p) => [p.from, p.to]), [['staging', 'production']]);
  const api = res.promotions[0].rows.find((r) => r.image === 'ghcr.io/acme/api');
  assert.ok(api && api.before !== api.after && api.after === api.from, JSON.stringify(res.promotions[0].rows));
  assert.deepEqual(applyPlan({ edits: [{ file: 'overlays/production/kustomization.yaml', image: 'ghcr.io/acme/api:9.9' }] }, { cwd: dir, dryRun: true }).promotions, []);
  const json = run(dir, ['promote', 'staging=overlays/staging', 'production=overlays/production', '--json', '--dry-run']);
  assert.deepEqual(JSON.parse(json.stdout).promotions, res.promotions);
  // the plain table, once, from the result (on stderr with --json)
  assert.equal(json.stderr.split(/^IMAGE /m).length - 1, 1, json.stderr);
  const plain = run(dir, ['promote', 'staging=overlays/staging', 'production=overlays/production']);
  assert.equal(plain.stdout.split(/^IMAGE /m).length - 1, 1, plain.stdout);
  assert.match(plain.stdout, /ghcr\.io\/acme\/api +\S+ +\S+ +\S+ +promoted/);
});

test('promote --repo --pr: the pull request against the local GitHub server carries the before/after table', async (t) => {
  const { dir: seed, remote } = sampleWithRemote(t);
  const token = 'ghs_promoteTestToken0123456789';
  const server = await startGitHubServer({ repos: { 'acme/config': remote }, token });
  t.after(() => server.close());

  const child = cliAsync(['promote', 'staging=overlays/staging', 'production=overlays/production', '--repo', remote, '--pr', '--github-repo', 'acme/config'], {
    cwd: tempTree(t),
    env: { GITHUB_TOKEN: token, GITHUB_API_URL: server.apiUrl },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const code = await new Promise((resolve) => child.on('close', resolve));
  assert.equal(code, 0, `stdout: ${stdout}\nstderr: ${stderr}`);
  assert.ok(!`${stdout}${stderr}`.includes(token), 'the token appears in no output');
  const [pr] = server.pulls('acme/config');
  assert.equal(pr.title, 'Promote staging=overlays/staging to production=overlays/production');
  assert.equal(pr.body, fs.readFileSync(path.join(SNAPSHOTS, 'pr-body.md'), 'utf8'));
  assert.deepEqual(server.mismatches, []);
  // the pull request's branch changes production's kustomization and nothing else
  assert.equal(git(seed, '--git-dir', remote, 'diff', '--name-only', 'main', pr.head), 'overlays/production/kustomization.yaml');
});

test('two promotions (other environments, other images) open two pull requests, each on its own branch with its own subject', async (t) => {
  const { dir: seed, remote } = sampleWithRemote(t);
  const token = 'ghs_promoteTwiceToken0123456789';
  const server = await startGitHubServer({ repos: { 'acme/config': remote }, token });
  t.after(() => server.close());
  const promote = async (args) => {
    const child = cliAsync(['promote', ...args, '--repo', remote, '--pr', '--github-repo', 'acme/config'], { cwd: tempTree(t), env: { GITHUB_TOKEN: token, GITHUB_API_URL: server.apiUrl } });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(code, 0, out);
  };
  await promote(['staging=overlays/staging', 'production=overlays/production']);
  await promote(['dev=overlays/dev', 'staging=overlays/staging', '--image', 'ghcr.io/acme/worker']);
  const pulls = server.pulls('acme/config');
  assert.equal(pulls.length, 2, 'the second promotion replaced the first one\'s pull request');
  const [first, second] = pulls;
  assert.notEqual(first.head, second.head);
  assert.match(first.head, /^gitops-bump\/promote-production-[0-9a-f]{8}$/);
  assert.match(second.head, /^gitops-bump\/promote-worker-staging-[0-9a-f]{8}$/);
  assert.equal(git(seed, '--git-dir', remote, 'diff', '--name-only', 'main', first.head), 'overlays/production/kustomization.yaml', 'the first pull request still holds its promotion');
  assert.equal(git(seed, '--git-dir', remote, 'diff', '--name-only', 'main', second.head), 'overlays/staging/kustomization.yaml');
  assert.match(git(seed, '--git-dir', remote, 'log', '-1', '--format=%s', first.head), /^chore\(deploy\): promote images \(.+\) from staging to production$/);
  assert.match(git(seed, '--git-dir', remote, 'log', '-1', '--format=%s', second.head), /^chore\(deploy\): promote worker \(3\.0\.0-rc\.1\) from dev to staging$/);
  assert.deepEqual(server.mismatches, []);
});

test('promote into an image a later step sets again (a replacement) is refused by name; nothing is written', (t) => {
  const base = fs.readFileSync(path.join(HERE, '..', 'kustomize', 'differential', 'replacements', 'base', 'deploy.yaml'), 'utf8');
  const replacements = fs.readFileSync(path.join(HERE, '..', 'kustomize', 'differential', 'replacements', 'overlay', 'kustomization.yaml'), 'utf8');
  const dir = tempTree(t, {
    'base/deploy.yaml': base,
    'base/kustomization.yaml': 'resources:\n- deploy.yaml\n',
    'a/kustomization.yaml': 'resources:\n- ../base\nimages:\n- name: busybox\n  newTag: "1.37"\n',
    'b/kustomization.yaml': replacements,
  });
  const before = snapshotTree(dir);
  const st = JSON.parse(run(dir, ['status', 'a', 'b', '--json']).stdout);
  assert.equal(st.images.find((r) => r.image === 'busybox').cells.b.fixed, true);
  const r = run(dir, ['promote', 'a', 'b', '--image', 'busybox'], 1);
  assert.match(r.stderr, /error\[promote\]: b sets `busybox` again after its own images: \(a replacement or transformer\)/);
  assert.deepEqual(changedFiles(before, snapshotTree(dir)), []);
});
