// `gitops-bump image … --verify/--pin-digest/--require-*` and plan entries, through the
// real CLI, against a real registry (crane) on 127.0.0.1: every target kind gets the
// digest, `kustomize build` renders name:TAG@INDEX_DIGEST equal to `crane digest`, and a
// typo'd tag, a wrong digest, a missing platform or a missing signature changes nothing,
// on disk or on the remote.

import assert from 'node:assert/strict';
import test from 'node:test';
import { execFileSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { cleanEnv, git, makeRemote, runNode } from '../pipeline/helpers.js';
import { configFiles, snapshot, write } from './fixtures.js';
import { KUSTOMIZE, PASSWORD, ROOT, SKIP, SKIP_CRANE, USER, authsFor, crane, dockerConfig, freePort, pushImage, pushSignatureTag, startCrane, startDistribution, tempDir } from './servers.js';

const CLI = path.join(ROOT, 'pkg', 'bin', 'gitops-bump.js');
const ENV = cleanEnv({ GITOPS_BUMP_REGISTRY_NOT_FOUND_DELAYS_MS: '5,5', DOCKER_CONFIG: '/nonexistent-docker-config' });

async function setup(t) {
  const reg = await startCrane(t);
  const img = await pushImage(t, reg.host, 'acme/api', '1.0.0');
  const older = await pushImage(t, reg.host, 'acme/api', '0.9.0', { content: 'older build' });
  const dir = tempDir(t, 'gb-registry-cli-');
  write(dir, configFiles(reg.host));
  return { reg, img, older, dir, image: `${reg.host}/acme/api` };
}

const cli = (args, cwd, env = ENV) => runNode([CLI, ...args], { cwd, env });

test('--pin-digest writes the index digest in every target kind; kustomize build renders it', { skip: SKIP_CRANE, timeout: 240000 }, async (t) => {
  const { img, dir, image } = await setup(t);
  const craneDigest = await crane(['digest', img.ref]);
  assert.equal(img.digest, craneDigest);
  const pinned = `${image}:1.0.0@${craneDigest}`;

  let r = await cli(['image', 'overlays/prod', `${image}:1.0.0`, '--pin-digest'], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`verified ${image.replace(/[.]/g, '\\.')}:1\\.0\\.0 ${craneDigest}.*pinned`));
  assert.equal(readFileSync(path.join(dir, 'overlays/prod/kustomization.yaml'), 'utf8'), `# production
resources:
  - ../../base
images:
  - name: ${image}
    newTag: 1.0.0
    digest: ${craneDigest}
`);
  // the real kustomize (scripts/setup-test builds it; kubectl's embedded v5.5.0 otherwise)
  const rendered = existsSync(KUSTOMIZE) || process.env.CI
    ? execFileSync(KUSTOMIZE, ['build', path.join(dir, 'overlays/prod')], { encoding: 'utf8' })
    : execFileSync('kubectl', ['kustomize', path.join(dir, 'overlays/prod')], { encoding: 'utf8' });
  assert.match(rendered, new RegExp(`image: ${pinned.replace(/[.]/g, '\\.')}\\n`));

  // Argo CD kustomize.images
  r = await cli(['image', 'apps/api.yaml', `${image}:1.0.0`, '--pin-digest'], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.match(readFileSync(path.join(dir, 'apps/api.yaml'), 'utf8'), new RegExp(`- ${pinned.replace(/[.]/g, '\\.')}\\n`));

  // Flux setter (policy form)
  r = await cli(['image', 'flux/deploy.yaml', `flux-system:api=${image}:1.0.0`, '--pin-digest'], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(path.join(dir, 'flux/deploy.yaml'), 'utf8'), configFiles(new URL(`http://${image}`).host)['flux/deploy.yaml'].replace(`${image}:0.9.0`, pinned));

  // Helm values (tag + digest) and manifests' image: through --scan
  r = await cli(['image', 'charts', `${image}:1.0.0`, '--scan', '--pin-digest'], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(path.join(dir, 'charts/values.yaml'), 'utf8'), `image:\n  repository: ${image}\n  tag: "1.0.0"\n  digest: "${craneDigest}"   # pinned by the pipeline\n`);
  // the render is the truth: a chart that writes repository:tag@digest renders the pin
  const chart = tempDir(t, 'gb-chart-');
  write(chart, {
    'Chart.yaml': 'apiVersion: v2\nname: api\nversion: 0.1.0\n',
    'templates/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}{{ with .Values.image.digest }}@{{ . }}{{ end }}"\n',
  });
  const HELM = path.join(ROOT, '.tools', 'bin', 'helm');
  if (existsSync(HELM) || process.env.CI) {
    const helm = execFileSync(HELM, ['template', 'api', chart, '-f', path.join(dir, 'charts/values.yaml')], { encoding: 'utf8' });
    assert.match(helm, new RegExp(`image: "${pinned.replace(/[.]/g, '\\.')}"\n`));
  }
  assert.equal(readFileSync(path.join(dir, 'charts/sidecar-values.yaml'), 'utf8'), `sidecar:\n  image: ${pinned} # a whole reference in one string\n`);
  r = await cli(['image', 'base', `${image}:1.0.0`, '--scan', '--pin-digest', '--json'], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.match(readFileSync(path.join(dir, 'base/deployment.yaml'), 'utf8'), new RegExp(`image: ${pinned.replace(/[.]/g, '\\.')} # the running build\\n`));
  const report = JSON.parse(r.stdout);
  assert.deepEqual(report.images.map((i) => [i.image, i.digest, i.verified, i.written]), [[`${image}:1.0.0`, craneDigest, true, pinned]]);
});

test('a typo\'d tag, a wrong digest, a missing platform, a missing signature: exit 4, nothing written', { skip: SKIP_CRANE, timeout: 240000 }, async (t) => {
  const { img, older, dir, image, reg } = await setup(t);
  const before = snapshot(dir);
  const cases = [
    [['image', 'overlays/prod', `${image}:1.0.O`, '--verify'], 'tag-not-found', /the tag `1\.0\.O` does not exist/],
    [['image', 'overlays/prod', `${image}:1.0.0@${older.digest}`, '--verify'], 'digest-mismatch', /the tag points at sha256:/],
    [['image', 'overlays/prod', `${image}:1.0.0@${img.children['linux/amd64']}`, '--verify'], 'digest-mismatch', /is the linux\/amd64 image inside the tag's index/],
    [['image', 'overlays/prod', `${image}:1.0.0`, '--require-platforms', 'linux/amd64,linux/s390x'], 'platform-missing', /no linux\/s390x image in the tag/],
    [['image', 'overlays/prod', `${image}:1.0.0`, '--require-signature'], 'signature-missing', /no signature or attestation/],
    // two images, one of them wrong: the good one is not written either
    [['image', 'overlays/prod', `${image}:1.0.0`, `${reg.host}/acme/worker:1.0.0`, '--force', '--pin-digest'], 'tag-not-found', /acme\/worker:1\.0\.0: the tag `1\.0\.0` does not exist/],
  ];
  for (const [args, kind, message] of cases) {
    const r = await cli([...args, '--json'], dir);
    assert.equal(r.code, 4, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`error\\[${kind}\\]`));
    assert.match(r.stderr, message);
    assert.equal(JSON.parse(r.stdout).error.kind, kind);
    assert.deepEqual(snapshot(dir), before, `${args.join(' ')} changed a file`);
  }
  // a plan entry asks for the same
  write(dir, { 'bump.yaml': `edits:\n  - file: overlays/prod\n    image: ${image}:1.0.0\n    require-signature: true\n` });
  const planBefore = snapshot(dir);
  let r = await cli(['apply', 'bump.yaml'], dir);
  assert.equal(r.code, 4, r.stderr);
  assert.match(r.stderr, /error\[signature-missing\]/);
  assert.deepEqual(snapshot(dir), planBefore);
  // signed: now it passes, and pins through the plan entry
  await pushSignatureTag(t, reg.host, 'acme/api', img.digest);
  write(dir, { 'bump.yaml': `edits:\n  - file: overlays/prod\n    image: ${image}:1.0.0\n    require-signature: true\n    pin-digest: "true"\n` });
  r = await cli(['apply', 'bump.yaml'], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.match(readFileSync(path.join(dir, 'overlays/prod/kustomization.yaml'), 'utf8'), new RegExp(`digest: ${img.digest}`));
  assert.match(r.stderr, /signed \(tag sha256-[0-9a-f]+\.sig\)/);
});

test('an unreachable registry: exit 5, nothing written; a plan-entry typo is a usage error', { skip: SKIP_CRANE, timeout: 120000 }, async (t) => {
  const { dir, image } = await setup(t);
  const before = snapshot(dir);
  const closed = `127.0.0.1:${await freePort()}`; // nothing listens there
  let r = await cli(['image', 'overlays/prod', `${closed}/acme/api:1.0.0`, '--verify', '--force'], dir);
  assert.equal(r.code, 5, r.stderr);
  assert.match(r.stderr, new RegExp(`error\\[registry-unreachable\\]: ${closed.replace(/[.]/g, '\\.')}/acme/api:1\\.0\\.0: the registry could not be asked\\n  --> registry ${closed.replace(/[.]/g, '\\.')} answered: HEAD ${closed.replace(/[.]/g, '\\.')} failed: ECONNREFUSED`));
  r = await cli(['image', 'overlays/prod', `${image}:1.0.0`, '--require-platforms', 'linux'], dir);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /--require-platforms: `linux` is not a platform/);
  write(dir, { 'bump.yaml': `edits:\n  - file: overlays/prod\n    image: ${image}:1.0.0\n    verify: yes-please\n` });
  r = await cli(['apply', 'bump.yaml'], dir);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /edits\[0\]\.verify: expected true, false or auto/);
  delete before['bump.yaml'];
  const after = snapshot(dir);
  delete after['bump.yaml'];
  assert.deepEqual(after, before);
});

test('--push with a wrong digest: the remote does not move; with the right one it gets the pinned commit', { skip: SKIP_CRANE, timeout: 240000 }, async (t) => {
  const reg = await startCrane(t);
  const img = await pushImage(t, reg.host, 'acme/api', '1.0.0');
  const remote = makeRemote(t, configFiles(reg.host));
  const head = remote.head();
  const work = remote.clone();
  const image = `${reg.host}/acme/api`;
  let r = await cli(['image', 'overlays/prod', `${image}:1.0.0@sha256:${'0'.repeat(64)}`, '--verify', '--push'], work);
  assert.equal(r.code, 4, r.stderr);
  assert.equal(remote.head(), head);
  assert.equal(git(work, ['status', '--porcelain']), '');
  r = await cli(['image', 'overlays/prod', `${image}:1.0.0`, '--pin-digest', '--push'], work);
  assert.equal(r.code, 0, r.stderr);
  assert.notEqual(remote.head(), head);
  assert.match(remote.show('main', 'overlays/prod/kustomization.yaml'), new RegExp(`newTag: 1\\.0\\.0\\n    digest: ${img.digest}`));
  // the commit carries the evidence as a trailer
  const body = git(remote.bare, ['log', '-1', '--format=%B', 'main']);
  assert.match(body, new RegExp(`\\n\\nImage-Digest: ${image.replace(/[.]/g, '\\.')}:1\\.0\\.0@${img.digest}$`));
  assert.equal(git(remote.bare, ['log', '-1', '--format=%(trailers:key=Image-Digest,valueonly)', 'main']), `${image}:1.0.0@${img.digest}`);
});

test('--verify-auto: an unreachable registry is a warning and the image is written unverified; a wrong tag still fails', { skip: SKIP_CRANE, timeout: 120000 }, async (t) => {
  const { dir, image } = await setup(t);
  const closed = `127.0.0.1:${await freePort()}`;
  let r = await cli(['image', 'overlays/prod', `${image}:1.0.0`, `${closed}/acme/other:2.0.0`, '--verify-auto', '--force'], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`^warning: ${closed.replace(/[.]/g, '\\.')}/acme/other:2\\.0\\.0 was not verified: .*the registry could not be asked \\(verify: auto writes it unverified\\)$`, 'm'));
  assert.match(r.stderr, /^verified 127\.0\.0\.1:\d+\/acme\/api:1\.0\.0 sha256:/m);
  assert.match(readFileSync(path.join(dir, 'overlays/prod/kustomization.yaml'), 'utf8'), /newTag: 2\.0\.0/);
  const before = snapshot(dir);
  r = await cli(['image', 'overlays/prod', `${image}:9.9.9`, '--verify-auto'], dir);
  assert.equal(r.code, 4, r.stderr);
  assert.deepEqual(snapshot(dir), before);
  r = await cli(['image', 'overlays/prod', `${image}:1.0.0`, '--verify-auto', '--verify'], dir);
  assert.equal(r.code, 2, r.stderr);
});

test('--registry-username-env/--registry-password-env against htpasswd Basic; the password appears nowhere', { skip: SKIP, timeout: 180000 }, async (t) => {
  const reg = await startDistribution(t, { auth: { kind: 'htpasswd' } });
  const img = await pushImage(t, reg.host, 'acme/api', '1.0.0', { env: { DOCKER_CONFIG: dockerConfig(t, authsFor(reg.host)) } });
  const dir = tempDir(t, 'gb-registry-cli-');
  write(dir, configFiles(reg.host));
  const image = `${reg.host}/acme/api`;
  let r = await cli(['image', 'overlays/prod', `${image}:1.0.0`, '--pin-digest'], dir);
  assert.equal(r.code, 5, r.stderr);
  assert.match(r.stderr, /error\[registry-auth\].*\n.*401/);
  const env = { ...ENV, REG_USER: USER, REG_PASS: PASSWORD };
  r = await cli(['image', 'overlays/prod', `${image}:1.0.0`, '--pin-digest', '--registry-username-env', 'REG_USER', '--registry-password-env', 'REG_PASS', '--json'], dir, env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(readFileSync(path.join(dir, 'overlays/prod/kustomization.yaml'), 'utf8'), new RegExp(`digest: ${img.digest}`));
  for (const text of [r.stdout, r.stderr]) assert.ok(!text.includes(PASSWORD) && !text.includes(Buffer.from(`${USER}:${PASSWORD}`).toString('base64')));
  r = await cli(['image', 'overlays/prod', `${image}:1.0.0`, '--verify', '--registry-username-env', 'REG_USER', '--registry-password-env', 'REG_PASS'], dir, { ...env, REG_PASS: 'wrong' });
  assert.equal(r.code, 5, r.stderr);
  assert.match(r.stderr, /the credentials for 127\.0\.0\.1:\d+ were refused/);
  assert.ok(!r.stderr.includes('wrong'));
});
