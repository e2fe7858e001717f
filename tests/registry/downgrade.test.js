// Never backwards: --no-downgrade (the Action's and the orb's allow-downgrade: false) keeps
// a target that runs a newer image — by the policy's order, by semver, or, for tags with no
// order, by the images' creation times read from real registries on 127.0.0.1 — and checks
// again when a push is retried on a newer head.

import assert from 'node:assert/strict';
import test from 'node:test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { cleanEnv, makeRemote, runNode } from '../pipeline/helpers.js';
import { tagOrder } from '../../pkg/src/registry/downgrade.js';
import { configFiles, snapshot, write } from './fixtures.js';
import { ROOT, SKIP, SKIP_CRANE, pushCreated, pushImage, startCrane, startDistribution, tagMany, tempDir } from './servers.js';

const CLI = path.join(ROOT, 'pkg', 'bin', 'gitops-bump.js');
const ENV = cleanEnv({ GITOPS_BUMP_REGISTRY_NOT_FOUND_DELAYS_MS: '5,5', DOCKER_CONFIG: '/nonexistent-docker-config' });
const FILTER = '^main-(?<version>\\d+)-[0-9a-f]{7}$';

test('the order tags have: the policy\'s (desc reversed, through the filter\'s group), semver, else none', () => {
  assert.equal(tagOrder('1.10.0', '1.9.0'), -1, 'semver: 1.9.0 is older than 1.10.0');
  assert.equal(tagOrder('v1.0.0-rc.9', '1.0.0-rc.10'), 1, 'rc.10 after rc.9, a leading v read as a version');
  assert.equal(tagOrder('main-100-aaaaaaa', 'main-9-bbbbbbb', 'numerical', FILTER), -1, 'as numbers, 9 < 100');
  assert.equal(tagOrder('main-100-aaaaaaa', 'main-9-bbbbbbb', 'alphabetical', FILTER), 1, 'as text, 9 > 100');
  assert.equal(tagOrder('main-100-aaaaaaa', 'main-9-bbbbbbb', 'numerical:desc', FILTER), 1, 'desc: the lower number is the newer');
  assert.equal(tagOrder('2026-12-07', '2026-12-01', 'alphabetical'), -1);
  assert.equal(tagOrder('latest', 'main-9-bbbbbbb', 'numerical', FILTER), null, 'a tag outside the filter has no place in its order');
  assert.equal(tagOrder('abc1234', 'def5678'), null, 'commit SHAs have no order: creation times decide');
  assert.equal(tagOrder('1.2.3', '1.2.3'), 0);
});

/** The prod overlay running `tag`. */
const overlay = (host, tag) => ({ 'overlays/prod/kustomization.yaml': `# production\nresources:\n  - ../../base\nimages:\n  - name: ${host}/acme/api\n    newTag: ${tag}\n` });
const tagOf = (dir) => /newTag: (\S+)/.exec(readFileSync(path.join(dir, 'overlays/prod/kustomization.yaml'), 'utf8'))[1];

for (const server of ['distribution', 'crane']) {
  test(`${server}: tags with no order compare by the images' creation times; a downgrade refused and then allowed`, { skip: server === 'crane' ? SKIP_CRANE : SKIP, timeout: 120000 }, async (t) => {
    const reg = server === 'crane' ? await startCrane(t) : await startDistribution(t);
    // the newer build is multi-platform: its linux/amd64 image says when it was built
    await pushCreated(reg.host, 'acme/api', 'sha-7d1e0c2', '2026-12-07T10:00:00Z', { index: true });
    await pushCreated(reg.host, 'acme/api', 'sha-04b9f1a', '2026-12-01T10:00:00Z');
    await pushImage(t, reg.host, 'acme/api', 'repro', { platforms: ['linux/amd64'], single: true }); // crane writes created 0001-01-01
    const dir = tempDir(t, 'gb-downgrade-');
    write(dir, { ...configFiles(reg.host), ...overlay(reg.host, 'sha-7d1e0c2') });
    const image = `${reg.host}/acme/api`;
    const cli = (args) => runNode([CLI, ...args], { cwd: dir, env: ENV });
    const before = snapshot(dir);

    let r = await cli(['image', 'overlays/prod', `${image}:sha-04b9f1a`, '--no-downgrade', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const line = `kept newer sha-7d1e0c2 for ${image} in overlays/prod (asked for sha-04b9f1a; --no-downgrade)`;
    assert.ok(r.stderr.split('\n').includes(line), r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual([report.written, report.changed, report.kept], [false, [], [line]]);
    assert.deepEqual(snapshot(dir), before, 'nothing written');

    // allowed (the CLI's default): written as asked
    r = await cli(['image', 'overlays/prod', `${image}:sha-04b9f1a`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(tagOf(dir), 'sha-04b9f1a');
    // forwards is never refused
    r = await cli(['image', 'overlays/prod', `${image}:sha-7d1e0c2`, '--no-downgrade']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(tagOf(dir), 'sha-7d1e0c2');
    assert.doesNotMatch(r.stderr, /kept newer|warning/);

    // a reproducible build's fixed time tells nothing: said, and written as asked
    r = await cli(['image', 'overlays/prod', `${image}:repro`, '--no-downgrade']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`^warning: ${image.replace(/\./g, '\\.')} in overlays/prod: sha-7d1e0c2 and repro were not compared: .*:repro was created "0001-01-01T00:00:00Z", a reproducible build's fixed time; written as asked$`, 'm'));
    assert.equal(tagOf(dir), 'repro');
  });
}

test('distribution: the policy\'s order: a numerical pick below what the target runs is kept back', { skip: SKIP, timeout: 120000 }, async (t) => {
  const reg = await startDistribution(t);
  await pushImage(t, reg.host, 'acme/api', 'main-9-aaaaaaa', { platforms: ['linux/amd64'], single: true });
  await tagMany(reg.host, 'acme/api', 'main-9-aaaaaaa', ['main-100-bbbbbbb', 'latest']);
  const dir = tempDir(t, 'gb-downgrade-policy-');
  // production runs a build newer than any left in the registry (a hotfix pushed by hand)
  write(dir, { ...configFiles(reg.host), ...overlay(reg.host, 'main-200-ccccccc') });
  const before = snapshot(dir);
  const args = ['image', 'overlays/prod', `${reg.host}/acme/api`, '--policy', 'numerical', '--tag-filter', FILTER];
  let r = await runNode([CLI, ...args, '--no-downgrade'], { cwd: dir, env: ENV });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /picked main-100-bbbbbbb .* by numerical/);
  assert.match(r.stderr, /^kept newer main-200-ccccccc for .*acme\/api in overlays\/prod \(asked for main-100-bbbbbbb; --no-downgrade\)$/m);
  assert.deepEqual(snapshot(dir), before);
  r = await runNode([CLI, ...args], { cwd: dir, env: ENV });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(tagOf(dir), 'main-100-bbbbbbb');
});

test('distribution: the push retry on a newer head checks again: the remote moved to a newer build between plan and push', { skip: SKIP, timeout: 120000 }, async (t) => {
  const reg = await startDistribution(t);
  await pushCreated(reg.host, 'acme/api', 'sha-0000001', '2026-12-01T10:00:00Z');
  await pushCreated(reg.host, 'acme/api', 'sha-0000002', '2026-12-04T10:00:00Z');
  await pushCreated(reg.host, 'acme/api', 'sha-0000003', '2026-12-07T10:00:00Z');
  const remote = makeRemote(t, { ...configFiles(reg.host), ...overlay(reg.host, 'sha-0000001') });
  // another pipeline's newer build lands while our push is on its way: the remote takes
  // that commit first and refuses ours, so the plan is applied again on the newer head
  const newer = remote.landsDuringNextPush(overlay(reg.host, 'sha-0000003'), 'deploy sha-0000003');
  const clone = remote.clone();
  const r = await runNode([CLI, 'image', 'overlays/prod', `${reg.host}/acme/api:sha-0000002`, '--no-downgrade', '--push', '--json'], { cwd: clone, env: ENV });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /push rejected/, 'the first attempt (over sha-0000001) was a forward bump and was pushed');
  const line = `kept newer sha-0000003 for ${reg.host}/acme/api in overlays/prod (asked for sha-0000002; --no-downgrade)`;
  assert.ok(r.stderr.split('\n').includes(line), r.stderr);
  const report = JSON.parse(r.stdout);
  assert.deepEqual([report.commit, report.pushed, report.kept], [null, false, [line]]);
  assert.equal(remote.head(), newer, 'the newer build stays deployed');
  assert.deepEqual(remote.log(), ['deploy sha-0000003', 'seed']);
});

test('plan entries: allow-downgrade: false guards an entry without the flag; an entry\'s allow-downgrade: true wins over it', async (t) => {
  const dir = tempDir(t, 'gb-downgrade-plan-');
  write(dir, configFiles('ghcr.io'));
  const cli = (args) => runNode([CLI, ...args], { cwd: dir, env: ENV });
  write(dir, { 'bump.yaml': 'edits:\n  - file: overlays/prod\n    image: ghcr.io/acme/api:0.8.5\n    allow-downgrade: false\n' });
  let r = await cli(['apply', 'bump.yaml']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^kept newer 0\.9\.0 for ghcr\.io\/acme\/api in overlays\/prod \(asked for 0\.8\.5; --no-downgrade\)$/m);
  assert.equal(tagOf(dir), '0.9.0');
  write(dir, { 'bump.yaml': 'edits:\n  - file: overlays/prod\n    image: ghcr.io/acme/api:0.8.5\n    allow-downgrade: true\n' });
  r = await cli(['apply', 'bump.yaml', '--no-downgrade']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(tagOf(dir), '0.8.5', 'the entry allows what the run would not');
  write(dir, { 'bump.yaml': 'edits:\n  - file: overlays/prod\n    image: ghcr.io/acme/api:0.8.4\n    allow-downgrade: sometimes\n' });
  r = await cli(['apply', 'bump.yaml']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /edits\[0\]\.allow-downgrade: expected true or false, got "sometimes"/);
});
