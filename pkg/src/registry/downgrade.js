/**
 * `--no-downgrade`: an `image` entry that would move its target to a lower version than
 * the target runs now is dropped from the plan, with a "kept newer" line, so a pipeline
 * whose older build finishes last does not roll the environment back. What the target
 * runs is what `status` computes (after the whole kustomization chain, or the Argo CD
 * Application's own images). Versions are compared by npm's semver (a leading `v` read as
 * a version); a tag that is no version on either side is not compared, and the entry
 * stays.
 *
 * @module gitops-bump/registry/downgrade
 */
import semver from 'semver';
import { context, status } from '../promote.js';
import { specReference } from './verify.js';

/**
 * @param {unknown} plan the plan to apply (tags already picked and pinned)
 * @param {import('../plan.js').Entry[]} entries its validated entries, in order
 * @param {string} cwd
 * @returns {{plan: unknown, kept: string[]}} the plan without the downgrades, and one line per one dropped
 */
export function dropDowngrades(plan, entries, cwd) {
  const raw = /** @type {any[]} */ (Array.isArray(plan) ? plan : /** @type {any} */ (plan).edits);
  /** @type {string[]} */
  const kept = [];
  const keep = raw.filter((_, index) => {
    const entry = entries[index];
    if (entry.op !== 'image') return true;
    let ref;
    try {
      ref = specReference(entry.spec).ref;
    } catch {
      return true; // no tag to compare (a digest alone): the edit decides
    }
    const next = version(ref.tag);
    if (!next) return true;
    let current;
    try {
      current = currentTag(entry.file, ref.name, cwd);
    } catch {
      return true; // a target status cannot read: the edit reports it
    }
    const now = version(current);
    if (!now || !semver.lt(next, now)) return true;
    kept.push(`kept newer ${current} for ${ref.name} in ${entry.file} (asked for ${ref.tag}; --no-downgrade)`);
    return false;
  });
  return { plan: Array.isArray(plan) ? keep : { ...(/** @type {object} */ (plan)), edits: keep }, kept };
}

/**
 * @param {string | undefined} tag
 * @returns {string | null}
 */
function version(tag) {
  return tag ? semver.valid(tag.replace(/^v(?=\d)/, '')) : null;
}

/**
 * The tag the target runs for the image named `name` (its name or its new name), or undefined.
 * @param {string} target
 * @param {string} name
 * @param {string} cwd
 * @returns {string | undefined}
 */
function currentTag(target, name, cwd) {
  const st = /** @type {any} */ (status([target], context(cwd, cwd)));
  for (const image of st.images) {
    for (const cell of Object.values(image.cells ?? {})) {
      const c = /** @type {any} */ (cell);
      if (c && (c.name === name || c.key === name || image.image === name)) return c.tag ?? undefined;
    }
  }
  return undefined;
}
