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
  const source = sources.find((s) => s.chart);
  assert.ok(source, `${file}: no Helm chart source`);
  const h = source.helm ?? {};
  const args = [h.releaseName ?? app.metadata.name, path.join(CHARTS, source.chart)];
  for (const f of h.valueFiles ?? []) {
    const ref = /^\$([^/]+)\/(.*)$/.exec(f);
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
