// Tag policies: the newest allowed tag, by npm's semver (pre-releases only when the range
// names one, rc.10 after rc.9, a leading v), numerically, alphabetically, through a tag
// filter's `version` group; and through the CLI against registries on 127.0.0.1 with 250
// tags across pages (distribution's Link pages; crane without Link, repeating its first page).

import assert from 'node:assert/strict';
import test from 'node:test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { cleanEnv, runNode } from '../pipeline/helpers.js';
import { parsePolicy, parseTagFilter, pickTag } from '../../pkg/src/registry/policy.js';
import { configFiles, snapshot, write } from './fixtures.js';
import { ROOT, SKIP, SKIP_CRANE, pushImage, startCrane, startDistribution, tagMany, tempDir } from './servers.js';

const pick = (tags, policy, filter) => pickTag(tags, parsePolicy(policy), parseTagFilter(filter));

test('semver: the newest in range; pre-releases only when the range names one; rc.10 after rc.9; v-prefixed tags', () => {
  const tags = ['1.0.0', '1.2.0', 'v1.3.0', '1.4.0-rc.9', '1.4.0-rc.10', '2.0.0', 'latest', 'main-abc1234'];
  const r = pick(tags, 'semver:^1.0.0');
  assert.equal(r.tag, 'v1.3.0');
  assert.equal(r.from, 8);
  assert.equal(r.candidates, 6);
  assert.deepEqual(r.newer, [
    { tag: '2.0.0', why: 'outside ^1.0.0' },
    { tag: '1.4.0-rc.10', why: 'a pre-release, which ^1.0.0 does not name' },
    { tag: '1.4.0-rc.9', why: 'a pre-release, which ^1.0.0 does not name' },
  ]);
  assert.equal(pick(tags, 'semver:>=1.4.0-rc.0 <2.0.0').tag, '1.4.0-rc.10', 'rc.10 is after rc.9');
  assert.equal(pick(['1.4.0-rc.9', '1.4.0-rc.10', '1.4.0'], 'semver:>=1.4.0-rc.0').tag, '1.4.0', 'the release after its candidates');
  assert.equal(pick(tags, 'semver:~1.2').tag, '1.2.0');
  assert.equal(pick(tags, 'semver:^3').tag, null);
});

test('numerical and alphabetical, ascending and descending; a filter\'s version group is compared', () => {
  const builds = ['main-9-aaaaaaa', 'main-10-bbbbbbb', 'main-100-ccccccc', 'feature-200-ddddddd', 'latest'];
  assert.equal(pick(builds, 'numerical', '^main-(?<version>\\d+)-[0-9a-f]{7}$').tag, 'main-100-ccccccc', '100 > 10 > 9 as numbers');
  assert.equal(pick(builds, 'numerical:desc', '^main-(?<version>\\d+)-[0-9a-f]{7}$').tag, 'main-9-aaaaaaa');
  assert.equal(pick(builds, 'alphabetical', '^main-.*').tag, 'main-9-aaaaaaa', 'as text, 9 sorts last');
  assert.equal(pick(['2026-12-01', '2026-12-07', '2026-11-30'], 'alphabetical').tag, '2026-12-07');
  assert.equal(pick(['2026-12-01', '2026-12-07'], 'alphabetical:desc').tag, '2026-12-01');
  assert.equal(pick(['1', '2', 'x'], 'numerical').candidates, 2, 'tags that are no number are not candidates');
  assert.equal(pick(['v1.2.3-build', 'v1.2.3'], 'semver:*', '^v(?<version>\\d+\\.\\d+\\.\\d+)$').tag, 'v1.2.3', 'the filter matches the whole tag');
});

test('every policy example in docs/registries.md picks what the table says', () => {
  const doc = readFileSync(path.join(ROOT, 'docs', 'registries.md'), 'utf8');
  const table = doc.slice(doc.indexOf('| tags | policy | tag filter | picks |'));
  const lines = table.split('\n');
  const rows = lines.slice(2, lines.indexOf('')).filter((l) => l.startsWith('| `'));
  assert.ok(rows.length >= 9, `${rows.length} example rows`);
  const cell = (c) => c.trim().replace(/^`|`$/g, '');
  for (const row of rows) {
    // no example holds a | of its own
    const [tags, policy, filter, picks] = row.slice(1, -1).split('|').map(cell);
    const r = pick(tags.split(' '), policy, filter || undefined);
    assert.equal(r.tag ?? '(none: tag-not-found)', picks.replace(/^\(none: `tag-not-found`\)$/, '(none: tag-not-found)'), row);
  }
});

test('bad policies and filters are refused with what is allowed', () => {
  assert.throws(() => parsePolicy('newest'), /expected semver:RANGE/);
  assert.throws(() => parsePolicy('semver:not a range!'), /is not a semver range/);
  assert.throws(() => parsePolicy('numerical:up'), /the order is asc .* or desc/);
  assert.throws(() => parseTagFilter('(unclosed'), /is not a regular expression/);
});

const CLI = path.join(ROOT, 'pkg', 'bin', 'gitops-bump.js');
const ENV = cleanEnv({ GITOPS_BUMP_REGISTRY_NOT_FOUND_DELAYS_MS: '5,5', DOCKER_CONFIG: '/nonexistent-docker-config' });

/** 250 tags: 1.0.0 … 1.9.24, pre-releases of 1.10.0 and 2.0.0, a latest. */
const MANY = [
  ...Array.from({ length: 10 }, (_, minor) => Array.from({ length: 24 }, (_, patch) => `1.${minor}.${patch}`)).flat(),
  '1.10.0-rc.9', '1.10.0-rc.10', '2.0.0-rc.1', '2.0.0-beta.2', 'v1.9.24-hotfix', 'latest', 'main-1-abc1234', 'main-2-abc1234', 'main-10-abc1234', 'nightly',
];

for (const server of ['distribution', 'crane']) {
  test(`${server}: --policy over 250 tags across pages picks the newest allowed, and pins it`, { skip: server === 'crane' ? SKIP_CRANE : SKIP, timeout: 240000 }, async (t) => {
    assert.equal(MANY.length, 250);
    const reg = server === 'crane' ? await startCrane(t) : await startDistribution(t);
    const img = await pushImage(t, reg.host, 'acme/api', '1.0.0');
    await tagMany(reg.host, 'acme/api', '1.0.0', MANY.slice(1));
    const dir = tempDir(t, 'gb-policy-');
    write(dir, configFiles(reg.host));
    const image = `${reg.host}/acme/api`;
    const cli = (args) => runNode([CLI, ...args], { cwd: dir, env: ENV });

    let r = await cli(['image', 'overlays/prod', image, '--policy', 'semver:^1.0.0', '--pin-digest', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const [report] = JSON.parse(r.stdout).images;
    assert.equal(report.policy.tag, '1.9.23');
    assert.equal(report.policy.from, 250 + 3, 'every tag, and crane\'s build tags');
    // 100 a page: distribution links three pages; crane has no Link and is paged with
    // `last` (servers.test.js covers its repeated first page past the end)
    assert.equal(report.policy.pages, 3);
    assert.deepEqual(report.policy.newer.slice(0, 2), [{ tag: '2.0.0-rc.1', why: 'outside ^1.0.0' }, { tag: '2.0.0-beta.2', why: 'outside ^1.0.0' }]);
    assert.match(r.stderr, /picked 1\.9\.23 for .* by semver:\^1\.0\.0 from \d+ tags; newer skipped: 2\.0\.0-rc\.1 \(outside \^1\.0\.0\)/);
    assert.match(readFileSync(path.join(dir, 'overlays/prod/kustomization.yaml'), 'utf8'), new RegExp(`newTag: 1\\.9\\.23\\n    digest: ${img.digest}\\n`));

    r = await cli(['image', 'overlays/prod', image, '--policy', 'semver:>=1.10.0-rc.0 <1.11.0', '--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\+    newTag: 1\.10\.0-rc\.10/);

    r = await cli(['image', 'overlays/prod', image, '--policy', 'numerical', '--tag-filter', '^main-(?<version>\\d+)-[0-9a-f]{7}$', '--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\+    newTag: main-10-abc1234/);

    // the same from a plan entry
    write(dir, { 'bump.yaml': `edits:\n  - file: overlays/prod\n    image: ${image}\n    policy: semver:~1.5\n    pin-digest: true\n` });
    r = await cli(['apply', 'bump.yaml']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(readFileSync(path.join(dir, 'overlays/prod/kustomization.yaml'), 'utf8'), new RegExp(`newTag: 1\\.5\\.23\\n    digest: ${img.digest}\\n`));
    write(dir, { 'bump.yaml': `edits:\n  - file: overlays/prod\n    image: ${image}\n    tag-filter: ^1\n` });
    r = await cli(['apply', 'bump.yaml']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /edits\[0\]\.tag-filter: filters the tags a policy chooses from: add `policy`/);

    const before = snapshot(dir);
    r = await cli(['image', 'overlays/prod', image, '--policy', 'semver:^3.0.0']);
    assert.equal(r.code, 4, r.stderr);
    assert.match(r.stderr, /error\[tag-not-found\]: .*acme\/api: no tag is allowed by semver:\^3\.0\.0/);
    r = await cli(['image', 'overlays/prod', `${image}:1.0.0`, '--policy', 'semver:^1']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /with a policy the registry picks the tag/);
    assert.deepEqual(snapshot(dir), before);
  });
}

test('--no-downgrade keeps a target that runs a higher version: exit 0, "kept newer", nothing written', async (t) => {
  const dir = tempDir(t, 'gb-downgrade-');
  write(dir, configFiles('ghcr.io'));
  const before = snapshot(dir);
  const cli = (args) => runNode([CLI, ...args], { cwd: dir, env: ENV });
  let r = await cli(['image', 'overlays/prod', 'ghcr.io/acme/api:0.8.5', '--no-downgrade', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^kept newer 0\.9\.0 for ghcr\.io\/acme\/api in overlays\/prod \(asked for 0\.8\.5; --no-downgrade\)$/m);
  assert.deepEqual(JSON.parse(r.stdout), { changed: [], unchanged: [], unchecked: [], written: false, kept: ['kept newer 0.9.0 for ghcr.io/acme/api in overlays/prod (asked for 0.8.5; --no-downgrade)'] });
  assert.deepEqual(snapshot(dir), before);
  // v-prefixed and pre-release tags compare as versions; a higher one is written
  r = await cli(['image', 'overlays/prod', 'ghcr.io/acme/api:v0.9.1-rc.1', '--no-downgrade']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(readFileSync(path.join(dir, 'overlays/prod/kustomization.yaml'), 'utf8'), /newTag: v0\.9\.1-rc\.1\n/);
  // without the flag the CLI writes what it is given
  r = await cli(['image', 'overlays/prod', 'ghcr.io/acme/api:0.8.5']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(readFileSync(path.join(dir, 'overlays/prod/kustomization.yaml'), 'utf8'), /newTag: 0\.8\.5\n/);
});
