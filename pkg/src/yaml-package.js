/**
 * The npm `yaml` package, loaded on first use. A plain edit never parses a YAML plan or
 * a Helm values chain, and loading the package (about 70 CommonJS files) was the largest
 * part of the CLI's start-up. A bundle (where esbuild resolves the direct `require`
 * call) and plain ESM (a `require` made by `createRequire`) both work.
 *
 * @module gitops-bump/yaml-package
 */
import { createRequire } from 'node:module';
import { GitopsBumpError } from './errors.js';

const nodeRequire = createRequire(import.meta.url);
/** @type {typeof import('yaml') | undefined} */
let yamlModule;

/**
 * The `yaml` package (loaded by the first call).
 * @returns {typeof import('yaml')}
 */
export function yaml() {
  try {
    yamlModule ??= typeof require === 'function' ? require('yaml') : nodeRequire('yaml');
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error)?.code !== 'MODULE_NOT_FOUND') throw error;
    // a clone runs edits with Node alone; YAML plans and Helm values chains need this package
    throw new GitopsBumpError(
      'the npm package `yaml` is not installed, and YAML plans and Helm values need it: in a clone of gitops-bump run `npm ci --omit=dev` in pkg/ (or give the plan as JSON); an installed gitops-bump carries it, so reinstall it',
      { kind: 'internal', cause: error },
    );
  }
  return /** @type {typeof import('yaml')} */ (yamlModule);
}
