// The Action's registry checks, run as the runner runs the bundle (INPUT_*, GITHUB_OUTPUT,
// GITHUB_STEP_SUMMARY), against real registries on 127.0.0.1: crane (no auth) and
// distribution with htpasswd Basic. A typo'd tag, a wrong digest, a missing platform and a
// missing signature fail the step and change nothing in the checkout or on the remote;
// `verify: auto` warns where the registry cannot be reached.

import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startGitHubServer } from '../github-api-server/server.js';
import { TOKEN, configRepo, git, runAction, tempDir } from './helpers.js';
import { configFiles, snapshot } from '../registry/fixtures.js';
import { PASSWORD, SKIP, SKIP_CRANE, USER, authsFor, dockerConfig, freePort, pushCreated, pushImage, pushSignatureTag, startCrane, startDistribution, tagMany, unresolvableWorker } from '../registry/servers.js';

const FAST = { GITOPS_BUMP_REGISTRY_NOT_FOUND_DELAYS_MS: '5,5', DOCKER_CONFIG: '/nonexistent-docker-config' };

/** Runs the bundle with the Action's own default `verify: auto` (the helper's default is false). */
const run = (t, { inputs, ...rest }) => runAction(t, { ...rest, inputs: { verify: 'auto', ...inputs } });

async function setup(t) {
  const reg = await startCrane(t);
  const img = await pushImage(t, reg.host, 'acme/api', '1.0.0');
  const repo = configRepo(t, { files: configFiles(reg.host) });
  return { reg, img, repo, image: `${reg.host}/acme/api`, work: repo.clone() };
}

test('the Action pins the index digest, with platforms in the outputs, the summary and the commit', { skip: SKIP_CRANE, timeout: 180000 }, async (t) => {
  const { img, repo, image, work } = await setup(t);
  const r = await run(t, {
    workspace: work,
    inputs: { images: `${image}:1.0.0`, targets: 'overlays/prod', verify: 'auto', 'pin-digest': 'true', 'require-platforms': 'linux/amd64,linux/arm64' },
  });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(repo.show('main', 'overlays/prod/kustomization.yaml'), new RegExp(`newTag: 1\\.0\\.0\\n    digest: ${img.digest}$`));
  const images = JSON.parse(r.outputs.images);
  assert.deepEqual(images, [{ image: `${image}:1.0.0`, digest: img.digest, platforms: ['linux/amd64', 'linux/arm64'], signature: null, verified: true, written: `${image}:1.0.0@${img.digest}` }]);
  assert.match(r.summary, /### Images in their registries/);
  assert.match(r.summary, new RegExp(`\\| \`${image.replace(/[.]/g, '\\.')}:1\\.0\\.0\` \\| \`${img.digest}\` \\| \`linux/amd64\` \`linux/arm64\` \\| — \\| pinned \\|`));
  assert.match(git(repo.bare, ['log', '-1', '--format=%B', 'main']), new RegExp(`\\n\\nImage-Digest: ${image.replace(/[.]/g, '\\.')}:1\\.0\\.0@${img.digest} \\(linux/amd64, linux/arm64\\)\\n?$`));
});

test('a typo\'d tag, a wrong digest, a missing platform, a missing signature: the step fails, nothing changes', { skip: SKIP_CRANE, timeout: 240000 }, async (t) => {
  const { img, repo, image, work, reg } = await setup(t);
  const older = await pushImage(t, reg.host, 'acme/api', '0.9.0', { content: 'older' });
  const head = repo.head();
  const before = snapshot(work);
  const cases = [
    [{ images: `${image}:1.0.O` }, 'tag-not-found'],
    [{ images: `${image}:1.0.0@${older.digest}` }, 'digest-mismatch'],
    [{ images: `${image}:1.0.0`, 'require-platforms': 'linux/amd64,linux/riscv64' }, 'platform-missing'],
    [{ images: `${image}:1.0.0`, 'require-signature': 'true' }, 'signature-missing'],
  ];
  for (const [inputs, kind] of cases) {
    const r = await run(t, { workspace: work, inputs: { targets: 'overlays/prod', ...inputs } });
    assert.equal(r.code, 4, `${kind}: ${r.stdout}`);
    assert.match(r.stdout, new RegExp(`^::error title=gitops-bump%3A ${kind}::error\\[${kind}\\]`, 'm'));
    assert.match(r.summary, new RegExp(`failed[\\s\\S]*error\\[${kind}\\]`));
    assert.equal(repo.head(), head, `${kind}: the remote moved`);
    assert.deepEqual(snapshot(work), before, `${kind}: the checkout changed`);
    assert.equal(git(work, ['status', '--porcelain']), '');
  }
  // signed, the same inputs pass
  await pushSignatureTag(t, reg.host, 'acme/api', img.digest);
  const r = await run(t, { workspace: work, inputs: { targets: 'overlays/prod', images: `${image}:1.0.0`, 'require-signature': 'true' } });
  assert.equal(r.code, 0, r.stdout);
  assert.match(JSON.parse(r.outputs.images)[0].signature, /^tag sha256-[0-9a-f]{64}\.sig$/);
});

test('verify: auto warns where the registry cannot be reached and writes the image; verify: true fails there', { skip: SKIP_CRANE, timeout: 180000 }, async (t) => {
  const { repo, work } = await setup(t);
  const head = repo.head();
  const closed = `127.0.0.1:${await freePort()}`; // nothing listens there
  let r = await run(t, { workspace: work, inputs: { images: `${closed}/acme/api:2.0.0`, targets: 'overlays/prod', 'check-overlay': 'false', verify: 'true' } });
  assert.equal(r.code, 5, r.stdout);
  assert.match(r.stdout, /^::error title=gitops-bump%3A registry-unreachable::/m);
  assert.equal(repo.head(), head);
  r = await run(t, { workspace: work, inputs: { images: `${closed}/acme/api:2.0.0`, targets: 'overlays/prod', 'check-overlay': 'false' } });
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, new RegExp(`^::warning title=gitops-bump%3A image not verified::${closed.replace(/[.]/g, '\\.')}/acme/api:2\\.0\\.0 was not verified: `, 'm'));
  assert.notEqual(repo.head(), head);
  assert.deepEqual(JSON.parse(r.outputs.images).map((i) => i.verified), [false]);
  assert.match(r.summary, new RegExp(`not verified: ${closed.replace(/[.]/g, '\\.')}/acme/api:2\\.0\\.0 was not verified`));
  // pin-digest needs the answer: auto does not degrade it
  r = await run(t, { workspace: work, inputs: { images: `${closed}/acme/api:2.0.1`, targets: 'overlays/prod', 'check-overlay': 'false', 'pin-digest': 'true' } });
  assert.equal(r.code, 5, r.stdout);
  // bad inputs name the input
  r = await run(t, { workspace: work, inputs: { images: `${closed}/acme/api:2.0.1`, verify: 'maybe' } });
  assert.equal(r.code, 2);
  assert.match(r.stdout, /Input 'verify' must be auto, true or false, got "maybe"/);
  r = await run(t, { workspace: work, inputs: { images: `${closed}/acme/api:2.0.1`, verify: 'false', 'pin-digest': 'true' } });
  assert.equal(r.code, 2);
  assert.match(r.stdout, /Input 'verify' is false, but 'pin-digest' needs the registry's answer/);
});

test('registry-username/registry-password: Basic auth; the password is masked and in no output', { skip: SKIP, timeout: 180000 }, async (t) => {
  const reg = await startDistribution(t, { auth: { kind: 'htpasswd' } });
  const img = await pushImage(t, reg.host, 'acme/api', '1.0.0', { env: { DOCKER_CONFIG: dockerConfig(t, authsFor(reg.host)) } });
  const repo = configRepo(t, { files: configFiles(reg.host) });
  const work = repo.clone();
  const inputs = { images: `${reg.host}/acme/api:1.0.0`, targets: 'overlays/prod', 'pin-digest': 'true' };
  let r = await run(t, { workspace: work, inputs });
  assert.equal(r.code, 5, r.stdout);
  assert.match(r.stdout, /::error title=gitops-bump%3A registry-auth::/);
  r = await run(t, { workspace: work, inputs: { ...inputs, 'registry-username': USER, 'registry-password': PASSWORD } });
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, new RegExp(`^::add-mask::${PASSWORD}$`, 'm'));
  assert.match(readFileSync(path.join(work, 'overlays/prod/kustomization.yaml'), 'utf8'), new RegExp(`digest: ${img.digest}`));
  const basic = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
  for (const text of [r.outputText, r.summary, r.stdout.replace(/^::add-mask::.*$/gm, ''), r.stderr, git(repo.bare, ['log', '--format=%B', 'main'])]) {
    assert.ok(!text.includes(PASSWORD) && !text.includes(basic), 'the registry password leaked');
  }
  r = await run(t, { workspace: work, inputs: { ...inputs, 'registry-username': USER } });
  assert.equal(r.code, 2);
  assert.match(r.stdout, /Input 'registry-password' is empty/);
});

test('pull-request mode: the pull request body lists each image\'s digest and platforms', { skip: SKIP_CRANE, timeout: 180000 }, async (t) => {
  const reg = await startCrane(t);
  const img = await pushImage(t, reg.host, 'acme/api', '1.0.0');
  const repo = configRepo(t, { files: configFiles(reg.host) });
  const server = await startGitHubServer({ repos: { [repo.slug]: repo.bare }, token: TOKEN });
  t.after(() => server.close());
  const image = `${reg.host}/acme/api`;
  const r = await run(t, {
    workspace: tempDir(t, 'gb-app-'),
    env: { GITHUB_API_URL: server.apiUrl },
    inputs: { repository: repo.slug, 'server-url': `${server.url}/git`, images: `${image}:1.0.0`, targets: 'overlays/prod', mode: 'pull-request', token: TOKEN, 'pin-digest': 'true', 'require-platforms': 'linux/arm64' },
  });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const [pr] = server.pulls(repo.slug);
  const trailer = `Image-Digest: ${image}:1.0.0@${img.digest} (linux/amd64, linux/arm64)`;
  assert.ok(pr.body.includes(`\n${trailer}\n`), pr.body);
  assert.ok(git(repo.bare, ['log', '-1', '--format=%B', pr.head]).includes(trailer));
  assert.match(repo.show(pr.head, 'overlays/prod/kustomization.yaml'), new RegExp(`digest: ${img.digest}$`));
});

test('policy: the newest allowed tag is picked from the registry, reported, and pinned', { skip: SKIP_CRANE, timeout: 180000 }, async (t) => {
  const { reg, img, repo, image, work } = await setup(t);
  await tagMany(reg.host, 'acme/api', '1.0.0', ['1.1.0', '1.2.0-rc.1', '2.0.0', 'latest']);
  const r = await run(t, { workspace: work, inputs: { images: image, targets: 'overlays/prod', policy: 'semver:^1.0.0', 'pin-digest': 'true' } });
  assert.equal(r.code, 0, r.stdout);
  assert.match(repo.show('main', 'overlays/prod/kustomization.yaml'), new RegExp(`newTag: 1\\.1\\.0\\n    digest: ${img.digest}$`));
  const [out] = JSON.parse(r.outputs.images);
  assert.deepEqual([out.policy.tag, out.policy.newer], ['1.1.0', [{ tag: '2.0.0', why: 'outside ^1.0.0' }, { tag: '1.2.0-rc.1', why: 'a pre-release, which ^1.0.0 does not name' }]]);
  assert.match(r.stdout, /^picked 1\.1\.0 for .*acme\/api by semver:\^1\.0\.0 from \d+ tags; newer skipped: 2\.0\.0 \(outside \^1\.0\.0\)/m);
  assert.match(r.summary, /- picked 1\.1\.0 for /);
  const bad = await run(t, { workspace: work, inputs: { images: `${image}:1.0.0`, 'tag-filter': '^v' } });
  assert.equal(bad.code, 2);
  assert.match(bad.stdout, /Input 'tag-filter' filters the tags a policy chooses from/);
});

test('allow-downgrade: false by default: an older build is kept back (changed=false, "kept newer"); then allowed', { skip: SKIP_CRANE, timeout: 180000 }, async (t) => {
  const reg = await startCrane(t);
  const image = `${reg.host}/acme/api`;
  // commit-SHA tags have no order: the images' creation times in the registry decide
  await pushCreated(reg.host, 'acme/api', 'sha-7d1e0c2', '2026-12-07T10:00:00Z', { index: true });
  await pushCreated(reg.host, 'acme/api', 'sha-04b9f1a', '2026-12-01T10:00:00Z');
  const files = configFiles(reg.host);
  files['overlays/prod/kustomization.yaml'] = files['overlays/prod/kustomization.yaml'].replace('newTag: 0.9.0', 'newTag: sha-7d1e0c2');
  const repo = configRepo(t, { files });
  const work = repo.clone();
  const head = repo.head();
  const before = snapshot(work);
  let r = await run(t, { workspace: work, inputs: { images: `${image}:sha-04b9f1a`, targets: 'overlays/prod' } });
  assert.equal(r.code, 0, r.stdout);
  const line = `kept newer sha-7d1e0c2 for ${image} in overlays/prod (asked for sha-04b9f1a; allow-downgrade is false)`;
  assert.ok(r.stdout.split('\n').includes(line), r.stdout);
  assert.equal(r.outputs.changed, 'false');
  assert.equal(r.outputs['commit-sha'], '');
  assert.match(r.summary, /### Kept newer \(allow-downgrade is false\)\n\n- kept newer sha-7d1e0c2 for /);
  assert.equal(repo.head(), head);
  assert.deepEqual(snapshot(work), before);
  r = await run(t, { workspace: work, inputs: { images: `${image}:sha-04b9f1a`, targets: 'overlays/prod', 'allow-downgrade': 'true' } });
  assert.equal(r.code, 0, r.stdout);
  assert.equal(r.outputs.changed, 'true');
  assert.doesNotMatch(r.stdout, /kept newer/);
  assert.match(repo.show('main', 'overlays/prod/kustomization.yaml'), /newTag: sha-04b9f1a$/);
  const bad = await run(t, { workspace: work, inputs: { images: `${image}:sha-04b9f1a`, 'allow-downgrade': 'sometimes' } });
  assert.equal(bad.code, 2);
  assert.match(bad.stdout, /Input 'allow-downgrade' must be true or false/);
});

test('skip-unresolved: an image with no allowed tag is listed as skipped; the others land in one commit; without it nothing moves', { skip: SKIP_CRANE, timeout: 180000 }, async (t) => {
  const { reg, files } = await unresolvableWorker(t, configFiles);
  const repo = configRepo(t, { files });
  const work = repo.clone();
  const head = repo.head();
  const inputs = { images: `${reg.host}/acme/api\n${reg.host}/acme/worker`, targets: 'overlays/prod', policy: 'semver:^1.0.0' };
  let r = await run(t, { workspace: work, inputs });
  assert.equal(r.code, 4, r.stdout);
  assert.match(r.stdout, /^::error title=gitops-bump%3A tag-not-found::error\[tag-not-found\]: .*acme\/worker: no tag is allowed by semver:\^1\.0\.0/m);
  assert.equal(repo.head(), head);
  r = await run(t, { workspace: work, inputs: { ...inputs, 'skip-unresolved': 'true' } });
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, /^::warning title=gitops-bump%3A image skipped::.*acme\/worker skipped: .*no tag is allowed by semver:\^1\.0\.0.* \(skip-unresolved is true\)$/m);
  assert.equal(git(repo.bare, ['rev-list', '--count', `${head}..main`]), '1');
  const prod = repo.show('main', 'overlays/prod/kustomization.yaml');
  assert.match(prod, /acme\/api\n    newTag: 1\.2\.0\n/);
  assert.match(prod, /acme\/worker\n    newTag: 0\.9\.0$/);
  const images = JSON.parse(r.outputs.images);
  assert.deepEqual(images.map((i) => [i.image, i.verified, Boolean(i.skipped)]), [[`${reg.host}/acme/api:1.2.0`, true, false], [`${reg.host}/acme/worker`, false, true]]);
  assert.match(r.summary, /\| `[^`]*acme\/worker` \| skipped: [^|]*no tag is allowed/);
});
