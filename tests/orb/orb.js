// Shared loading for the orb tests: the packed orb, the source tree, the CircleCI schema
// and the packages of pkg/ (yaml, ajv, the config parser), resolved from the repository root.

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** orb/src, the orb's source tree. */
export const SRC = path.join(ROOT, 'orb', 'src');
/** The committed, packed orb. */
export const PACKED = path.join(ROOT, 'orb', 'orb.yml');

/** `require` resolving from pkg/ (where the dev dependencies are installed). */
export const requirePkg = createRequire(path.join(ROOT, 'pkg', 'package.json'));
const YAML = requirePkg('yaml');

/** Parses YAML text (YAML 1.2 core schema, as the packer reads it). */
export function parseYaml(text) {
  return YAML.parse(text);
}

/** The packed orb (orb/orb.yml) as data. */
export function loadPackedOrb() {
  return parseYaml(readFileSync(PACKED, 'utf8'));
}

/**
 * CircleCI's config schema. CI checks the repository out with `shared/` beside it, so it is
 * looked for at ../shared/schemas from the root (and in the parent's parent, for worktrees).
 * @returns {{schema: object, file: string}}
 */
export function loadConfigSchema() {
  const candidates = [path.join(ROOT, '..', 'shared'), path.join(ROOT, '..', '..', 'shared')].map((d) => path.join(d, 'schemas', 'circleciconfig.json'));
  const file = candidates.find((f) => existsSync(f));
  if (!file) {
    throw new Error(`CircleCI's config schema is missing: looked for ${candidates.join(' and ')} (the shared/ directory beside the repository)`);
  }
  return { schema: JSON.parse(readFileSync(file, 'utf8')), file };
}

/** Every YAML file of the source tree's component directories: [{kind, name, file, data}]. */
export function sourceComponents() {
  const out = [];
  for (const kind of ['commands', 'jobs', 'executors', 'examples']) {
    const dir = path.join(SRC, kind);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort()) {
      const file = path.join(dir, f);
      out.push({ kind, name: f.replace(/\.ya?ml$/, ''), file, data: parseYaml(readFileSync(file, 'utf8')) });
    }
  }
  return out;
}

/** Every shell script of the orb (orb/src/scripts/*.sh). */
export function orbScripts() {
  const dir = path.join(SRC, 'scripts');
  return readdirSync(dir).filter((f) => f.endsWith('.sh')).sort().map((f) => path.join(dir, f));
}

/**
 * Calls fn(step, where) for every step below `steps`, also inside when/unless blocks.
 * @param {unknown[]} steps
 * @param {string} where
 * @param {(step: unknown, where: string) => void} fn
 */
export function eachStep(steps, where, fn) {
  for (const [i, step] of (steps ?? []).entries()) {
    fn(step, `${where}/steps[${i}]`);
    if (step && typeof step === 'object') {
      for (const key of ['when', 'unless']) {
        if (step[key]) eachStep(step[key].steps, `${where}/steps[${i}].${key}`, fn);
      }
    }
  }
}
