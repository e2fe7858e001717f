// `helm template` as the oracle of the Helm tests: renders a values chain, an Argo CD
// Application's Helm source, or a Flux HelmRelease from the chart fixtures, and lists every
// container image the render holds. What Argo CD and Flux would pass to Helm is modelled
// here (see README.md beside this file for what is not).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { PKG, ROOT } from '../../pkg/test/helpers.js';

const YAML = createRequire(path.join(PKG, 'package.json'))('yaml');
export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const CHARTS = path.join(HERE, 'charts');
export const REPO = path.join(HERE, 'repo');
export const HELM = process.env.HELM_BIN || path.join(ROOT, '.tools', 'bin', 'helm');
/** Argo CD's own Application checks (tests/helm/argocheck/, built by scripts/setup-test). */
export const ARGOCHECK = path.join(ROOT, '.tools', 'bin', 'argocheck');

/**
 * Runs Argo CD's checks (strict decoding, `ApplicationSource.ExplicitType()`) on `files`
 * below `dir`: `{code, output}`; fails loudly when the checker is missing.
 * @param {string} dir @param {string[]} files
 */
export function argoCheck(dir, files) {
  const r = spawnSync(ARGOCHECK, files.map((f) => path.join(dir, f)), { encoding: 'utf8', timeout: 60_000 });
  assert.ok(r.status !== null && !r.error, `argocheck is not runnable at ${ARGOCHECK} (scripts/setup-test builds it): ${r.error ?? r.stderr}`);
  assert.notEqual(r.status, 2, r.stderr);
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

/** Fails loudly when helm is missing: a check that cannot run never passes. */
export function requireHelm() {
  const r = spawnSync(HELM, ['version', '--short'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `helm is not runnable at ${HELM} (scripts/setup-test builds it): ${r.error ?? r.stderr}`);
  assert.match(r.stdout, /^v4\.3/, `helm v4.3 expected, got ${r.stdout}`);
}

/** @param {string[]} args @returns {string} */
function helm(args) {
  const r = spawnSync(HELM, ['template', ...args], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `helm template ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/**
 * Every container image of a render, by `Kind/name/container`.
 * @param {string} manifests
 * @returns {Record<string, string>}
 */
export function renderedImages(manifests) {
  /** @type {Record<string, string>} */
  const out = {};
  for (const doc of YAML.parseAllDocuments(manifests)) {
    const o = doc.toJS();
    if (!o?.kind) continue;
    const pod = o.spec?.template?.spec ?? {};
    for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) out[`${o.kind}/${o.metadata.name}/${c.name}`] = c.image;
  }
  return out;
}

/** A temp file holding `text`, removed at exit. */
function temp(text) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-bump-helm-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'values.yaml');
  fs.writeFileSync(file, text);
  return file;
}

/**
 * What Argo CD's `ApplicationSource.ExplicitType()` refuses: a source with more than one of
 * helm, kustomize, directory and plugin ("multiple application sources defined").
 * @param {any} source
 */
export function argoSourceError(source) {
  const types = [['Helm', 'helm'], ['Kustomize', 'kustomize'], ['Directory', 'directory'], ['Plugin', 'plugin']]
    .filter(([, k]) => source?.[k] != null)
    .map(([name]) => name);
  return types.length > 1 ? `multiple application sources defined: ${types.join(',')}` : null;
}

/**
 * Renders the Helm source of the Argo CD Application in `file` (below `dir`) as Argo CD
 * calls Helm: value files, then `valuesObject` (or, only without it, the `values` string),
 * then `parameters` as `--set` (`--set-string` with forceString).
 * @param {string} dir @param {string} file
 */
export function renderApplication(dir, file) {
  const app = YAML.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  const sources = app.spec.sources ?? [app.spec.source];
  for (const s of sources) {
    const err = argoSourceError(s);
    assert.equal(err, null, `${file}: Argo CD rejects the Application: ${err}`);
  }
  const source = sources.find((s) => s.chart || s.helm);
  assert.ok(source, `${file}: no Helm chart source`);
  const h = source.helm ?? {};
  // a chart from a chart repository is taken from charts/<name>; `path:` is a chart of the repository
  const chart = source.chart ? path.join(CHARTS, source.chart) : path.join(dir, source.path);
  const args = [h.releaseName ?? app.metadata.name, chart];
  for (const f of h.valueFiles ?? []) {
    const ref = /^\$([^/]+)\/(.*)$/.exec(f);
    if (!ref && !source.chart) {
      args.push('-f', path.join(chart, f)); // relative to the chart's path, as Argo CD reads it
      continue;
    }
    assert.ok(ref && sources.some((s) => s.ref === ref[1]), `${file}: value file ${f} names no ref source`);
    args.push('-f', path.join(dir, ref[2]));
  }
  if (h.valuesObject != null) args.push('-f', temp(JSON.stringify(h.valuesObject)));
  else if (h.values) args.push('-f', temp(h.values));
  for (const p of h.parameters ?? []) args.push(p.forceString ? '--set-string' : '--set', `${p.name}=${p.value}`);
  return renderedImages(helm(args));
}

/**
 * Renders the Flux HelmRelease in `file` (below `dir`) with its `spec.values`.
 * @param {string} dir @param {string} file
 */
export function renderRelease(dir, file) {
  const hr = YAML.parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8'))
    .map((d) => d.toJS())
    .find((d) => d?.kind === 'HelmRelease');
  const args = [hr.metadata.name, path.join(CHARTS, hr.spec.chart.spec.chart)];
  if (hr.spec.values) args.push('-f', temp(JSON.stringify(hr.spec.values)));
  return renderedImages(helm(args));
}

/**
 * Renders chart `chart` with the values files `files` (below `dir`), in order.
 * @param {string} dir @param {string} chart @param {string[]} files
 */
export function renderValues(dir, chart, files) {
  return renderedImages(helm(['rel', path.join(CHARTS, chart), ...files.flatMap((f) => ['-f', path.join(dir, f)])]));
}

/**
 * Renders the chart vendored at `chart` (below `dir`) with the values files `files`, in order,
 * as an Argo CD Application with `path: <chart>` and `valueFiles` would.
 * @param {string} dir @param {string} chart @param {string[]} files
 */
export function renderLocal(dir, chart, files) {
  return renderedImages(helm([path.basename(chart), path.join(dir, chart), ...files.flatMap((f) => ['-f', path.join(dir, f)])]));
}

/** Every render of the fixture repository (`repo/`), by a name for messages. */
export const RENDERS = {
  'apps/redis-parameters.yaml': (d) => renderApplication(d, 'apps/redis-parameters.yaml'),
  'apps/redis-values-object.yaml': (d) => renderApplication(d, 'apps/redis-values-object.yaml'),
  'apps/redis-values-string.yaml': (d) => renderApplication(d, 'apps/redis-values-string.yaml'),
  'apps/redis-mirror.yaml': (d) => renderApplication(d, 'apps/redis-mirror.yaml'),
  'apps/ksm-tag-parameter.yaml': (d) => renderApplication(d, 'apps/ksm-tag-parameter.yaml'),
  'apps/ingress-multi-source.yaml': (d) => renderApplication(d, 'apps/ingress-multi-source.yaml'),
  'apps/api-local-chart.yaml': (d) => renderApplication(d, 'apps/api-local-chart.yaml'),
  'flux/ksm.yaml': (d) => renderRelease(d, 'flux/ksm.yaml'),
  'flux/podinfo.yaml': (d) => renderRelease(d, 'flux/podinfo.yaml'),
  'redis prod': (d) => renderValues(d, 'redis', ['envs/prod/redis.yaml']),
  'api prod': (d) => renderLocal(d, 'charts/api', ['envs/prod/values.yaml']),
  'api staging': (d) => renderLocal(d, 'charts/api', ['envs/staging/values.yaml']),
};

/** Every render of the fixture repository as it is in `dir`. @param {string} dir */
export const renderAll = (dir) => Object.fromEntries(Object.entries(RENDERS).map(([k, f]) => [k, f(dir)]));

/** The containers whose image differs between two renders, with the new image. */
export function changedImages(before, after) {
  /** @type {Record<string, string>} */
  const out = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (before[key] !== after[key]) out[key] = after[key] ?? '(gone)';
  }
  return out;
}

/** Every file below `dir`, by relative path. @param {string} dir @returns {Record<string, string>} */
export function treeFiles(dir) {
  /** @type {Record<string, string>} */
  const out = {};
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

/** The files of the fixture repository, by relative path. */
export const repoFiles = () => treeFiles(REPO);

/**
 * What the renders of the fixture repository become when `files` (path -> text) replace
 * their originals: render name -> container -> new image, for each render that moved.
 * @param {Record<string, string>} files
 */
export function renderChanges(files) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-bump-helm-repo-'));
  try {
    fs.cpSync(REPO, dir, { recursive: true });
    const before = renderAll(dir);
    for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), text);
    const after = renderAll(dir);
    return Object.fromEntries(Object.keys(RENDERS).map((k) => [k, changedImages(before[k], after[k])]).filter(([, v]) => Object.keys(v).length > 0));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
