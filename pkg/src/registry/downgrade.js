/**
 * Never backwards: an `image` entry that would move its target to an older image than the
 * target runs now is dropped from the plan, with a "kept newer" line, so a pipeline whose
 * older build finishes last does not roll the environment back. The check runs where the
 * plan is applied, on every attempt: a push retried on a newer head checks that head.
 *
 * What the target runs is what `status` computes (after the whole kustomization chain, or
 * the Argo CD Application's own images). Which of two tags is newer:
 * - the entry's policy orders them: semver (npm's `semver`, a leading `v` read as a
 *   version), or numerical/alphabetical over the tag filter's `version` group;
 * - without a policy, two versions compare by semver;
 * - tags with no order (a commit SHA, `latest`) compare by the images' creation times, the
 *   `created` of their configs in the registry (for a multi-platform tag, of its
 *   linux/amd64 image, else its first). A time that cannot be read, or a reproducible
 *   build's fixed time (before 1980: crane and ko write 0001-01-01, Bazel 1970-01-01),
 *   leaves the entry in, with a warning that says why it was not compared.
 *
 * @module gitops-bump/registry/downgrade
 */
import semver from 'semver';
import { context, status } from '../promote.js';
import { INDEX_TYPES } from './client.js';
import { parsePolicy, parseTagFilter } from './policy.js';
import { formatReference } from './reference.js';
import { registryClient, specReference } from './verify.js';

/** Creation times before this are a reproducible build's fixed time, not a build's. */
const NO_TIME_BEFORE = Date.UTC(1980, 0, 2);

/**
 * @typedef {object} GuardOptions
 * @property {import('./settings.js').RegistrySettings} [run] the run's settings (an entry's own fields win):
 *   `allowDowngrade: false` guards, `policy`/`tagFilter` order, `verify: 'off'` forbids registry requests
 * @property {string} [because] how the front end names the setting, for the "kept newer" line
 * @property {import('./verify.js').VerifyOptions} [registry] credentials and client options for creation times
 */

/**
 * @param {unknown} plan the plan to apply (tags already picked and pinned)
 * @param {import('../plan.js').Entry[]} entries its validated entries, in order
 * @param {string} cwd where the plan's files are
 * @param {GuardOptions} [options]
 * @returns {Promise<{plan: unknown, kept: string[], warnings: string[]}>} the plan without
 *   the downgrades, one line per entry dropped, and one warning per entry not compared
 */
export async function dropDowngrades(plan, entries, cwd, options = {}) {
  const raw = /** @type {any[]} */ (Array.isArray(plan) ? plan : /** @type {any} */ (plan).edits);
  const run = options.run ?? {};
  const because = options.because ?? '--no-downgrade';
  /** @type {string[]} */
  const kept = [];
  /** @type {string[]} */
  const warnings = [];
  /** @type {import('./client.js').RegistryClient | undefined} */
  let client;
  const drop = new Set();
  for (const [index, entry] of entries.entries()) {
    const own = /** @type {any} */ (entry).registry ?? {};
    if ((own.allowDowngrade ?? run.allowDowngrade ?? true) !== false) continue;
    if (entry.op === 'scan') {
      warnings.push(`${entry.spec} in ${entry.dir}: a scan is not checked for downgrades (name each target in an image entry to have it checked)`);
      continue;
    }
    if (entry.op !== 'image') continue;
    let ref;
    try {
      ref = specReference(entry.spec).ref;
    } catch {
      continue; // no tag to compare (a digest alone): the edit decides
    }
    if (!ref.tag) continue;
    let current;
    try {
      current = currentTag(entry.file, ref.name, cwd);
    } catch {
      continue; // a target status cannot read: the edit reports it
    }
    if (current === undefined || current === ref.tag) continue;
    const name = formatReference({ ...ref, tag: undefined, digest: undefined });
    const where = `${name} in ${entry.file}`;
    let order = tagOrder(current, ref.tag, own.policy ?? run.policy, own.tagFilter ?? run.tagFilter);
    if (order === null) {
      if ((own.verify ?? run.verify) === 'off') {
        warnings.push(`${where}: ${current} and ${ref.tag} were not compared: they have no order, and the registry is not asked (verify is off)`);
        continue;
      }
      client ??= registryClient(options.registry ?? {}, [ref]);
      const times = await Promise.all([createdAt(client, { ...ref, tag: current, digest: undefined }), createdAt(client, { ...ref, digest: undefined })]);
      const missing = times.find((t) => typeof t === 'string');
      if (missing !== undefined) {
        warnings.push(`${where}: ${current} and ${ref.tag} were not compared: ${missing}; written as asked`);
        continue;
      }
      order = Math.sign(/** @type {number} */ (times[1]) - /** @type {number} */ (times[0]));
    }
    if (order < 0) {
      drop.add(index);
      kept.push(`kept newer ${current} for ${where} (asked for ${ref.tag}; ${because})`);
    }
  }
  const keep = raw.filter((_, index) => !drop.has(index));
  return { plan: Array.isArray(plan) ? keep : { ...(/** @type {object} */ (plan)), edits: keep }, kept, warnings };
}

/**
 * How `next` compares with `current` in an order the tags have: 1 newer, -1 older, 0 equal,
 * null when they have none (then creation times decide).
 * @param {string} current
 * @param {string} next
 * @param {string | undefined} policyText
 * @param {string | undefined} filterText
 * @returns {number | null}
 */
export function tagOrder(current, next, policyText, filterText) {
  const policy = policyText ? parsePolicy(policyText) : null;
  const filter = policy ? parseTagFilter(filterText) : null;
  const value = (/** @type {string} */ tag) => {
    if (!filter) return tag;
    const m = filter.exec(tag);
    return m && m[0] === tag ? (m.groups?.version ?? tag) : null;
  };
  const [a, b] = [value(current), value(next)];
  if (a === null || b === null) return null;
  if (!policy || policy.kind === 'semver') {
    const [va, vb] = [version(a), version(b)];
    return va && vb ? semver.compare(vb, va) : null;
  }
  const sign = policy.order === 'desc' ? -1 : 1;
  if (policy.kind === 'numerical') {
    const number = /^-?\d+(\.\d+)?$/;
    if (!number.test(a) || !number.test(b)) return null;
    return sign * Math.sign(Number(b) - Number(a));
  }
  return sign * (b < a ? -1 : b > a ? 1 : 0);
}

/**
 * @param {string} tag
 * @returns {string | null}
 */
function version(tag) {
  return semver.valid(tag.replace(/^v(?=\d)/, ''));
}

/**
 * When the image `ref` names was built: its config's `created` (for an index, of its
 * linux/amd64 image, else its first), in ms; or why that cannot be told.
 * @param {import('./client.js').RegistryClient} client
 * @param {import('./reference.js').ImageReference} ref
 * @returns {Promise<number | string>}
 */
export async function createdAt(client, ref) {
  const shown = formatReference(ref);
  try {
    let m = await client.getManifest(ref, /** @type {string} */ (ref.tag));
    if (!m) return `${shown} is not in the registry`;
    if (INDEX_TYPES.includes(m.mediaType) || Array.isArray(m.manifest.manifests)) {
      const children = /** @type {any[]} */ (m.manifest.manifests ?? []).filter((c) => c.platform?.os !== 'unknown');
      const child = children.find((c) => c.platform?.os === 'linux' && c.platform?.architecture === 'amd64') ?? children[0];
      if (!child) return `${shown} is an index with no images`;
      m = await client.getManifest(ref, child.digest);
      if (!m) return `${shown}: its image ${child.digest} is not in the registry`;
    }
    const config = m.manifest.config?.digest;
    if (!config) return `${shown} has no image config`;
    const created = (await client.getJsonBlob(ref, config))?.created;
    const time = typeof created === 'string' ? Date.parse(created) : NaN;
    if (Number.isNaN(time)) return `${shown} has no creation time`;
    if (time < NO_TIME_BEFORE) return `${shown} was created "${created}", a reproducible build's fixed time`;
    return time;
  } catch (error) {
    return `${shown}: ${/** @type {Error} */ (error).message.split('\n')[0].replace(/^error\[[^\]]+\]: /, '')}`;
  }
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

/**
 * Wraps a pipeline's apply function so that every attempt (the first, and each retry on a
 * newer head) drops the downgrades of what it finds there, then applies the rest. The
 * lines of the last attempt are in `seen`; each distinct line is logged once.
 * @param {unknown} plan
 * @param {GuardOptions & {log: (line: string) => void, warn?: (line: string) => void, cwdOf?: (workdir: string) => string}} options
 *   cwdOf: where the plan's files are in a workdir (default: the workdir)
 * @param {(workdir: string, plan: unknown) => any} apply applies a plan in `workdir`
 * @returns {{apply: (workdir: string) => Promise<any>, seen: {kept: string[], warnings: string[]}}}
 */
export function guardApply(plan, options, apply) {
  const seen = { kept: /** @type {string[]} */ ([]), warnings: /** @type {string[]} */ ([]) };
  const said = new Set();
  const guarded = async (/** @type {string} */ workdir) => {
    const { validatePlan } = await import('../plan.js');
    const r = await dropDowngrades(plan, validatePlan(plan), options.cwdOf ? options.cwdOf(workdir) : workdir, options);
    seen.kept = r.kept;
    seen.warnings = r.warnings;
    for (const line of r.kept) if (!said.has(line)) options.log(line);
    for (const line of r.warnings) if (!said.has(line)) (options.warn ?? options.log)(line);
    for (const line of [...r.kept, ...r.warnings]) said.add(line);
    const left = /** @type {any} */ (r.plan);
    if ((Array.isArray(left) ? left : left.edits).length === 0) return { changed: [], unchanged: [], unchecked: [] };
    return apply(workdir, r.plan);
  };
  return { apply: guarded, seen };
}
