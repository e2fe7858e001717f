// The names the playground's pipeline snippets must use, read from the real files: the
// inputs of action/action.yml and the parameters of the orb's commands (orb/src/commands/
// *.yml, or the packed orb/orb.yml). A missing file is an error that says which one.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const YAML = createRequire(`${ROOT}pkg/package.json`)('yaml');

/** The input names of action/action.yml. */
export function actionInputs() {
  const file = `${ROOT}action/action.yml`;
  if (!existsSync(file)) throw new Error('action/action.yml missing: the Action snippet cannot be checked');
  const action = YAML.parse(readFileSync(file, 'utf8'));
  return new Set(Object.keys(action?.inputs ?? {}));
}

/**
 * The parameter names of an orb command (or, with kind `jobs`, of a job).
 * @param {string} command e.g. `set_image`, or `bump` for the job
 * @param {'commands' | 'jobs'} [kind]
 * @returns {Set<string>}
 */
export function orbParameters(command, kind = 'commands') {
  const source = `${ROOT}orb/src/${kind}/${command}.yml`;
  const packed = `${ROOT}orb/orb.yml`;
  let doc;
  if (existsSync(source)) doc = YAML.parse(readFileSync(source, 'utf8'));
  else if (existsSync(packed)) doc = YAML.parse(readFileSync(packed, 'utf8'))?.[kind]?.[command];
  else throw new Error(`orb/src/${kind}/${command}.yml missing (and no packed orb/orb.yml): the orb snippet cannot be checked`);
  if (!doc) throw new Error(`the orb has no ${kind === 'jobs' ? 'job' : 'command'} ${command}`);
  return new Set(Object.keys(doc.parameters ?? {}));
}

/**
 * What CircleCI would run for one use of an orb command: each `run` step's script (its
 * `<<include(…)>>` read from orb/src/) and its environment with `<< parameters.x >>`
 * replaced by the given value or the parameter's default, as CircleCI substitutes them.
 * @param {string} command
 * @param {Record<string, unknown>} given
 * @returns {{script: string, env: Record<string, string>, workingDirectory: string}[]}
 */
export function orbRunSteps(command, given) {
  const file = `${ROOT}orb/src/commands/${command}.yml`;
  if (!existsSync(file)) throw new Error(`orb/src/commands/${command}.yml missing: the orb snippet cannot be run`);
  const doc = YAML.parse(readFileSync(file, 'utf8'));
  const value = (name) => String(given[name] ?? doc.parameters?.[name]?.default ?? '');
  const fill = (text) => String(text ?? '').replace(/<<\s*parameters\.(\w+)\s*>>/g, (_, name) => value(name));
  return (doc.steps ?? []).filter((step) => step?.run).map(({ run }) => ({
    script: String(run.command).replace(/<<include\(([^)]+)\)>>/g, (_, inc) => readFileSync(`${ROOT}orb/src/${inc}`, 'utf8')),
    env: Object.fromEntries(Object.entries(run.environment ?? {}).map(([k, v]) => [k, fill(v)])),
    workingDirectory: fill(run.working_directory ?? '.'),
  }));
}

/** The YAML parser the snippet checks use. */
export function parseYaml(text) {
  return YAML.parse(text);
}
