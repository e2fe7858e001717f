/**
 * The npm `yaml` package, loaded on first use. A plain edit never parses a YAML plan or
 * a Helm values chain, and loading the package (about 70 CommonJS files) was the largest
 * part of the CLI's start-up. A bundle (where esbuild resolves the direct `require`
 * call) and plain ESM (a `require` made by `createRequire`) both work.
 *
 * @module gitops-bump/yaml-package
 */
import { createRequire } from 'node:module';

const nodeRequire = createRequire(import.meta.url);
/** @type {typeof import('yaml') | undefined} */
let yamlModule;

/**
 * The `yaml` package (loaded by the first call).
 * @returns {typeof import('yaml')}
 */
export function yaml() {
  yamlModule ??= typeof require === 'function' ? require('yaml') : nodeRequire('yaml');
  return /** @type {typeof import('yaml')} */ (yamlModule);
}
