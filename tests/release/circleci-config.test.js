// .circleci/config.yml, the orb's release pipeline: valid against CircleCI's config schema
// (../shared/schemas/circleciconfig.json), and wired as docs/RELEASING.md says: orb-tools'
// pack, review and publish; a dev version from every branch; the semver version only from
// a vX.Y.Z tag, packed from orb/src after the CLI release is pinned into it. The pin step's
// own script runs against a real registry in tests/release/round-trip.test.js.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../package/clean-clone.js';
import { loadConfigSchema, parseYaml, requirePkg } from '../orb/orb.js';

const FILE = path.join(ROOT, '.circleci', 'config.yml');
const config = parseYaml(fs.readFileSync(FILE, 'utf8'));
const Ajv = requirePkg('ajv');

test('.circleci/config.yml validates against CircleCI\'s config schema, which is no rubber stamp', () => {
  const { schema } = loadConfigSchema();
  const validate = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
  assert.ok(validate(config), JSON.stringify(validate.errors?.slice(0, 5), null, 2));
  const broken = structuredClone(config);
  broken.jobs['pin-cli'].steps = 'checkout';
  assert.equal(validate(broken), false, 'a job whose steps are not a list is refused');
  const badWorkflow = structuredClone(config);
  badWorkflow.workflows['orb-release'].jobs = { 'pin-cli': {} };
  assert.equal(validate(badWorkflow), false, 'a workflow whose jobs are not a list is refused');
});

/** The workflow's jobs as {name: {job, params}}. */
function jobsOf(workflow) {
  const out = {};
  for (const entry of config.workflows[workflow].jobs) {
    const [job, params] = typeof entry === 'string' ? [entry, {}] : Object.entries(entry)[0];
    out[params.name ?? job] = { job, params };
  }
  return out;
}

test('every branch publishes a dev version; only a vX.Y.Z tag publishes the release, pinned first', () => {
  assert.match(config.orbs['orb-tools'], /^circleci\/orb-tools@12\.\d+\.\d+$/, 'orb-tools pinned to an exact 12.x');
  const dev = jobsOf('orb-dev');
  assert.deepEqual(Object.values(dev).map((j) => j.job).sort(), ['orb-tools/pack', 'orb-tools/publish', 'orb-tools/review']);
  assert.equal(dev['publish-dev'].params.pub_type, 'dev');
  assert.deepEqual(dev['publish-dev'].params.requires, ['pack-dev', 'review-dev']);
  for (const j of Object.values(dev)) {
    assert.deepEqual(j.params.filters, { branches: { only: '/.*/' } });
    if (j.job !== 'orb-tools/publish') assert.equal(j.params.source_dir, 'orb/src');
  }

  const rel = jobsOf('orb-release');
  assert.equal(rel['publish-release'].params.pub_type, 'production');
  assert.equal(rel['publish-release'].params.orb_name, 'gitops-bump/gitops-bump');
  assert.deepEqual(rel['publish-release'].params.requires, ['pack-release', 'review-release']);
  assert.deepEqual(rel['pack-release'].params.requires, ['pin-cli'], 'the orb is packed after the CLI release is pinned');
  assert.equal(rel['pack-release'].params.checkout, false);
  assert.deepEqual(rel['pack-release'].params['pre-steps'], ['checkout', { attach_workspace: { at: '.' } }], 'the pinned orb/src replaces the checkout\'s');
  for (const j of Object.values(rel)) {
    const tags = new RegExp(j.params.filters.tags.only.slice(1, -1));
    assert.equal(j.params.filters.branches.ignore, '/.*/');
    assert.ok(tags.test('v0.1.0') && tags.test('v12.3.4'));
    assert.ok(!tags.test('v0.1.0-rc.1') && !tags.test('0.1.0') && !tags.test('v1'), 'only full release tags');
  }
  const pin = config.jobs['pin-cli'];
  assert.deepEqual(pin.steps.at(-1), { persist_to_workspace: { root: '.', paths: ['orb/src'] } });
  assert.match(pin.steps[1].run.command, /node orb\/tools\/pin\.mjs --version "\$version" --integrity "\$integrity"/);
});
