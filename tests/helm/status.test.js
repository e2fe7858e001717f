// `status` against `helm template`: for every render of the Helm fixtures, each image the
// status table states as decided is one the render holds, and each image the render holds
// is in the table or named as what the model could not decide (a cell marked undecided, or
// a note that the chart's defaults are not seen). An image pinned by digest is compared by
// name and digest: the digest decides what runs, whether the chart also renders the tag
// (ingress-nginx) or not (bitnami).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cli } from '../../pkg/test/helpers.js';
import { HERE, REPO, RENDERS, renderAll, requireHelm } from './helm.js';

/** The `status` target of each render. */
const TARGETS = {
  'apps/redis-parameters.yaml': 'apps/redis-parameters.yaml',
  'apps/redis-values-object.yaml': 'apps/redis-values-object.yaml',
  'apps/redis-values-string.yaml': 'apps/redis-values-string.yaml',
  'apps/redis-mirror.yaml': 'apps/redis-mirror.yaml',
  'apps/ksm-tag-parameter.yaml': 'apps/ksm-tag-parameter.yaml',
  'apps/ingress-multi-source.yaml': 'apps/ingress-multi-source.yaml',
  'apps/api-local-chart.yaml': 'apps/api-local-chart.yaml',
  'flux/ksm.yaml': 'flux/ksm.yaml',
  'flux/podinfo.yaml': 'flux/podinfo.yaml',
  'redis prod': 'envs/prod/redis.yaml',
  'api prod': 'envs/prod/values.yaml',
  'api staging': 'envs/staging/values.yaml',
};

/** `name` as Docker reads it (`bitnami/redis` is `docker.io/bitnami/redis`). */
function dockerName(name) {
  const [first, ...rest] = name.split('/');
  const host = rest.length > 0 && (/[.:]/.test(first) || first === 'localhost') ? first : 'docker.io';
  const path = host === 'docker.io' && !(rest.length > 0 && /[.:]/.test(first)) ? name : rest.join('/');
  return host === 'docker.io' && !path.includes('/') ? `docker.io/library/${path}` : `${host}/${path}`;
}

/** What runs: the name and the digest when there is one, else the name and the tag. */
function identity(image) {
  const at = image.indexOf('@');
  if (at >= 0) return `${dockerName(image.slice(0, at).replace(/:[^:/]*$/, ''))}@${image.slice(at + 1)}`;
  const colon = image.lastIndexOf(':');
  const name = colon > image.lastIndexOf('/') ? image.slice(0, colon) : image;
  return `${dockerName(name)}${image.slice(name.length)}`;
}

test('every render of the fixtures has a status target', () => {
  assert.deepEqual(Object.keys(TARGETS).sort(), Object.keys(RENDERS).sort());
});

const BASELINE = (() => {
  requireHelm();
  return renderAll(REPO);
})();

/**
 * The same renders read as chains over the charts' own defaults (run from `tests/helm/`,
 * where the charts are): `enabled` flags, the charts' registries and an image no flag
 * governs (bitnami's kubectl, named as undecided) are then the model's to decide.
 */
const CHAINS = {
  'redis prod': 'charts/redis/values.yaml,repo/envs/prod/redis.yaml',
  'apps/ingress-multi-source.yaml': 'charts/ingress-nginx/values.yaml,repo/envs/prod/ingress-nginx.yaml',
};

const CASES = [
  ...Object.entries(TARGETS).map(([render, target]) => ({ render, target, cwd: REPO })),
  ...Object.entries(CHAINS).map(([render, target]) => ({ render, target, cwd: HERE })),
];

for (const { render, target, cwd } of CASES) {
  test(`status ${target} agrees with helm template`, () => {
    const r = cli(['status', target, '--json'], { cwd });
    assert.equal(r.code, 0, r.stderr);
    const st = JSON.parse(r.stdout);
    const [env] = st.environments;
    const cells = st.images.map((row) => row.cells[env.name]).filter(Boolean);
    const rendered = new Set(Object.values(BASELINE[render]).map(identity));
    const decided = cells.filter((c) => !c.undecided);
    for (const c of decided) assert.ok(rendered.has(identity(c.image)), `${target}: status says ${c.image}, helm renders ${[...rendered].join(', ')}`);
    const chartUnseen = env.unchecked.some((u) => /defaults are not seen/.test(u));
    const named = new Set(cells.map((c) => identity(c.image)));
    for (const image of rendered) {
      if (named.has(image)) continue;
      const name = image.replace(/@.*$/, '').replace(/:[^:/]*$/, '');
      const undecided = cells.some((c) => c.undecided && (name === dockerName(c.name) || name.endsWith(`/${c.name}`)));
      assert.ok(undecided || chartUnseen, `${target}: helm renders ${image}, which status neither lists nor names as undecided (${JSON.stringify(cells)})`);
    }
  });
}

test('over the chart\'s defaults, disabled components are not listed and an image no flag governs is named', () => {
  const st = JSON.parse(cli(['status', CHAINS['redis prod'], '--json'], { cwd: HERE }).stdout);
  const cells = Object.fromEntries(st.images.map((row) => [row.image, Object.values(row.cells)[0]]));
  assert.deepEqual(Object.keys(cells).sort(), ['docker.io/bitnami/kubectl', 'docker.io/bitnami/redis', 'docker.io/bitnami/redis-exporter']);
  assert.match(cells['docker.io/bitnami/kubectl'].undecided, /no `enabled` flag/);
  assert.equal(cells['docker.io/bitnami/redis'].undecided, undefined);
});

test('status of two values environments over the chart in the repository: a tag-only file runs the chart\'s image', () => {
  const r = cli(['status', 'staging=envs/staging/values.yaml', 'prod=envs/prod/values.yaml'], { cwd: REPO });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^ghcr\.io\/acme\/api +1\.0\.0 +1\.1\.0 \*$/m);
});
