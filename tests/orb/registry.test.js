// The orb's registry parameters, through the packed bump job run as CircleCI would (the
// stand-in runner of executor.js), against real registries on 127.0.0.1: crane (no auth)
// and distribution with htpasswd Basic, credentials by env_var_name. A typo'd tag, a wrong
// digest, a missing platform and a missing signature fail the job with exit 4 and leave
// the config repository as it was.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { git, makeRemote } from '../pipeline/helpers.js';
import { Runner } from './executor.js';
import { artifactReport, runnerOptions } from './fixtures.js';
import { configFiles } from '../registry/fixtures.js';
import { PASSWORD, SKIP, SKIP_CRANE, USER, authsFor, dockerConfig, pushCreated, pushImage, pushSignatureTag, startCrane, startDistribution, tagMany, unresolvableWorker } from '../registry/servers.js';

const FAST = { GITOPS_BUMP_REGISTRY_NOT_FOUND_DELAYS_MS: '5,5', DOCKER_CONFIG: '/nonexistent-docker-config' };

/** The config repository naming `host`'s image, a project to check out, and the job runner. */
function setup(t, host) {
  const config = makeRemote(t, configFiles(host));
  const app = makeRemote(t, { 'README.md': 'the app\n' });
  const runner = new Runner(runnerOptions({ project: { url: app.url, sha: app.head(), branch: 'main' } }));
  const bump = async (args, env = {}) => {
    const r = await runner.runJob('bump', { repository: config.url, targets: 'overlays/prod', ...args }, { jobEnv: { ...FAST, ...env } });
    t.after(() => import('node:fs').then((fs) => fs.rmSync(r.root, { recursive: true, force: true })));
    return r;
  };
  return { config, bump };
}

/** The bump step's own exit code (a failed job is 1, as CircleCI reports it). */
function bumpExit(r) {
  const step = r.steps.find((s) => s.name === 'Bump the config repository with gitops-bump');
  assert.ok(step, r.output);
  return step.exitCode;
}

describe('the bump job resolves images in their registries', { concurrency: 2 }, () => {
  test('pin_digest + require_platforms: the digest lands; a typo, a wrong digest, a missing platform or signature: exit 4, nothing pushed', { skip: SKIP_CRANE, timeout: 300000 }, async (t) => {
    const reg = await startCrane(t);
    const img = await pushImage(t, reg.host, 'acme/api', '1.0.0');
    const older = await pushImage(t, reg.host, 'acme/api', '0.9.0', { content: 'older' });
    const image = `${reg.host}/acme/api`;
    const { config, bump } = setup(t, reg.host);
    const head = config.head();
    for (const [args, kind] of [
      [{ images: `${image}:1.0.O` }, 'tag-not-found'],
      [{ images: `${image}:1.0.0@${older.digest}` }, 'digest-mismatch'],
      [{ images: `${image}:1.0.0`, require_platforms: 'linux/amd64,linux/ppc64le' }, 'platform-missing'],
      [{ images: `${image}:1.0.0`, require_signature: true }, 'signature-missing'],
    ]) {
      const r = await bump(args);
      assert.equal(bumpExit(r), 4, `${kind}: ${r.output}`);
      assert.equal(r.exitCode, 1);
      assert.match(r.output, new RegExp(`error\\[${kind}\\]`));
      assert.equal(config.head(), head, `${kind}: the config repository moved`);
    }
    await pushSignatureTag(t, reg.host, 'acme/api', img.digest);
    const r = await bump({ images: `${image}:1.0.0`, pin_digest: true, require_platforms: 'linux/amd64,linux/arm64', require_signature: true });
    assert.equal(r.exitCode, 0, r.output);
    assert.match(config.show('main', 'overlays/prod/kustomization.yaml'), new RegExp(`newTag: 1\\.0\\.0\\n    digest: ${img.digest}$`));
    assert.match(git(config.bare, ['log', '-1', '--format=%B', 'main']), new RegExp(`Image-Digest: ${image.replace(/[.]/g, '\\.')}:1\\.0\\.0@${img.digest} \\(linux/amd64, linux/arm64\\)`));
    assert.match(r.output, new RegExp(`verified ${image.replace(/[.]/g, '\\.')}:1\\.0\\.0 ${img.digest} \\(linux/amd64, linux/arm64; signed \\(tag sha256-`));
    assert.deepEqual(artifactReport(r).images.map((i) => [i.digest, i.verified]), [[img.digest, true]]);

    // policy: the image without a tag; the newest allowed tag is picked
    await tagMany(reg.host, 'acme/api', '1.0.0', ['1.1.0', '1.2.0-rc.1', '2.0.0']);
    const picked = await bump({ images: image, policy: 'semver:^1.0.0' });
    assert.equal(picked.exitCode, 0, picked.output);
    // a new tag without a digest clears the pinned digest (kustomize's rule)
    assert.match(config.show('main', 'overlays/prod/kustomization.yaml'), /newTag: 1\.1\.0$/);
    assert.match(picked.output, /picked 1\.1\.0 for .* by semver:\^1\.0\.0 from \d+ tags; newer skipped: 2\.0\.0 \(outside \^1\.0\.0\)/);
  });

  test('allow_downgrade false by default: an older build is kept back (exit 0, "kept newer", nothing pushed); then allowed', { skip: SKIP_CRANE, timeout: 300000 }, async (t) => {
    const reg = await startCrane(t);
    const image = `${reg.host}/acme/api`;
    // commit-SHA tags have no order: the images' creation times in the registry decide
    await pushCreated(reg.host, 'acme/api', 'sha-7d1e0c2', '2026-12-07T10:00:00Z', { index: true });
    await pushCreated(reg.host, 'acme/api', 'sha-04b9f1a', '2026-12-01T10:00:00Z');
    const { config, bump } = setup(t, reg.host);
    let r = await bump({ images: `${image}:sha-7d1e0c2` });
    assert.equal(r.exitCode, 0, r.output);
    const head = config.head();
    r = await bump({ images: `${image}:sha-04b9f1a` });
    assert.equal(r.exitCode, 0, r.output);
    assert.match(r.output, new RegExp(`^kept newer sha-7d1e0c2 for ${image.replace(/[.]/g, '\\.')} in overlays/prod \\(asked for sha-04b9f1a; allow_downgrade is false\\)$`, 'm'));
    assert.deepEqual(artifactReport(r).changed, []);
    assert.equal(config.head(), head, 'nothing pushed');
    r = await bump({ images: `${image}:sha-04b9f1a`, allow_downgrade: true });
    assert.equal(r.exitCode, 0, r.output);
    assert.doesNotMatch(r.output, /kept newer/);
    assert.match(config.show('main', 'overlays/prod/kustomization.yaml'), /newTag: sha-04b9f1a$/);
  });

  test('skip_unresolved: the image left out is listed in the orb\'s words (its parameter, not a CLI flag); the others land', { skip: SKIP_CRANE, timeout: 300000 }, async (t) => {
    const { reg, files } = await unresolvableWorker(t, configFiles);
    const config = makeRemote(t, files);
    const app = makeRemote(t, { 'README.md': 'the app\n' });
    const runner = new Runner(runnerOptions({ project: { url: app.url, sha: app.head(), branch: 'main' } }));
    const r = await runner.runJob('bump', { repository: config.url, targets: 'overlays/prod', images: `${reg.host}/acme/api\n${reg.host}/acme/worker`, policy: 'semver:^1.0.0', skip_unresolved: true }, { jobEnv: FAST });
    t.after(() => import('node:fs').then((fs) => fs.rmSync(r.root, { recursive: true, force: true })));
    assert.equal(r.exitCode, 0, r.output);
    assert.match(r.output, /^skipped [^ ]*acme\/worker: .*no tag is allowed by semver:\^1\.0\.0.* \(skip_unresolved is true\)$/m);
    assert.doesNotMatch(r.output, /--skip-unresolved\b(?!")/, 'the orb has no such flag to name');
    assert.match(config.show('main', 'overlays/prod/kustomization.yaml'), /acme\/api\n    newTag: 1\.2\.0\n/);
  });

  test('credentials by env_var_name against htpasswd Basic; the password is in no output', { skip: SKIP, timeout: 300000 }, async (t) => {
    const reg = await startDistribution(t, { auth: { kind: 'htpasswd' } });
    const img = await pushImage(t, reg.host, 'acme/api', '1.0.0', { env: { DOCKER_CONFIG: dockerConfig(t, authsFor(reg.host)) } });
    const { config, bump } = setup(t, reg.host);
    const head = config.head();
    let r = await bump({ images: `${reg.host}/acme/api:1.0.0`, pin_digest: true });
    assert.equal(bumpExit(r), 5, r.output);
    assert.match(r.output, /error\[registry-auth\]/);
    assert.equal(config.head(), head);
    r = await bump({ images: `${reg.host}/acme/api:1.0.0`, pin_digest: true, registry_username: 'CI_REG_USER', registry_password: 'CI_REG_PASS' }, { CI_REG_USER: USER, CI_REG_PASS: PASSWORD });
    assert.equal(r.exitCode, 0, r.output);
    assert.match(config.show('main', 'overlays/prod/kustomization.yaml'), new RegExp(`digest: ${img.digest}$`));
    assert.ok(!r.output.includes(PASSWORD), 'the registry password is in the job output');
    assert.ok(!JSON.stringify(artifactReport(r)).includes(PASSWORD));
    r = await bump({ images: `${reg.host}/acme/api:1.0.0`, registry_username: 'CI_REG_USER', registry_password: 'CI_REG_PASS' }, { CI_REG_USER: USER });
    assert.equal(bumpExit(r), 2, r.output);
    assert.match(r.output, /only one of CI_REG_USER and CI_REG_PASS is set/);
  });
});
