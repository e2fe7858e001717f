/**
 * Tag policies: which of a repository's tags is the newest one allowed.
 *
 * - `semver:RANGE` — npm's range syntax, through npm's own `semver` package: pre-releases
 *   only when the range names one on the same major.minor.patch (`rc.10` after `rc.9`);
 *   a leading `v` is read as a version (`v1.2.3`); tags that are no version are skipped.
 * - `numerical[:asc|:desc]` — the tag (or the filter's `version` group) as a number; `asc`
 *   (the default) picks the highest, `desc` the lowest.
 * - `alphabetical[:asc|:desc]` — by code points; `asc` (the default) picks the last.
 *
 * A tag filter (`--tag-filter REGEX`) keeps the tags it matches (the whole tag); its named
 * group `version`, when it has one, is what the policy compares
 * (`^main-(?<version>\d+)-[0-9a-f]{7}$`).
 *
 * @module gitops-bump/registry/policy
 */
import semver from 'semver';

/** The policy kinds. */
export const POLICY_KINDS = Object.freeze(['semver', 'numerical', 'alphabetical']);

/**
 * @typedef {object} Policy
 * @property {'semver'|'numerical'|'alphabetical'} kind
 * @property {string} [range] for semver
 * @property {'asc'|'desc'} order
 * @property {string} text as written
 */

/**
 * Parses a policy. Throws an Error whose message says what is wrong and what is allowed.
 * @param {string} text
 * @returns {Policy}
 */
export function parsePolicy(text) {
  const m = /^(semver|numerical|alphabetical)(?::(.*))?$/s.exec(String(text ?? '').trim());
  if (!m) throw new Error(`\`${text}\` is not a policy: expected semver:RANGE (such as semver:^1.2.0), numerical, numerical:desc, alphabetical or alphabetical:desc`);
  const kind = /** @type {Policy['kind']} */ (m[1]);
  if (kind === 'semver') {
    const range = (m[2] ?? '').trim();
    if (!range || semver.validRange(range) === null) throw new Error(`\`${range}\` is not a semver range (npm's syntax: ^1.2.0, ~1.2, >=1.0.0 <2.0.0-0, 1.x, *)`);
    return { kind, range, order: 'asc', text };
  }
  const order = m[2] === undefined || m[2] === '' ? 'asc' : m[2];
  if (order !== 'asc' && order !== 'desc') throw new Error(`\`${kind}:${order}\`: the order is asc (the highest wins, the default) or desc (the lowest wins)`);
  return { kind, order, text };
}

/**
 * Compiles a tag filter; with a named group `version`, that group is compared.
 * @param {string | undefined} text
 * @returns {RegExp | null}
 */
export function parseTagFilter(text) {
  if (text === undefined || text === '') return null;
  try {
    return new RegExp(text, 'u');
  } catch (error) {
    throw new Error(`the tag filter \`${text}\` is not a regular expression: ${/** @type {Error} */ (error).message}`);
  }
}

/**
 * @typedef {object} Pick
 * @property {string | null} tag the newest allowed tag, or null when none is
 * @property {number} from how many tags were listed
 * @property {number} candidates how many passed the filter and read as the policy's values
 * @property {{tag: string, why: string}[]} newer tags the policy orders after the pick, and why each was skipped
 */

/**
 * Picks the newest tag `policy` allows among `tags`.
 * @param {string[]} tags
 * @param {Policy} policy
 * @param {RegExp | null} [filter]
 * @returns {Pick}
 */
export function pickTag(tags, policy, filter = null) {
  /** @type {{tag: string, value: string}[]} */
  const matched = [];
  for (const tag of tags) {
    if (!filter) {
      matched.push({ tag, value: tag });
      continue;
    }
    const m = filter.exec(tag);
    if (!m || m[0] !== tag) continue;
    matched.push({ tag, value: m.groups?.version ?? tag });
  }
  if (policy.kind === 'semver') return pickSemver(tags.length, matched, /** @type {string} */ (policy.range));
  const numeric = policy.kind === 'numerical';
  const usable = numeric ? matched.filter((c) => /^-?\d+(\.\d+)?$/.test(c.value)) : matched;
  const cmp = numeric
    ? (/** @type {{value: string}} */ a, /** @type {{value: string}} */ b) => Number(a.value) - Number(b.value)
    : (/** @type {{value: string}} */ a, /** @type {{value: string}} */ b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0);
  const sorted = [...usable].sort((a, b) => (policy.order === 'asc' ? cmp(a, b) : cmp(b, a)));
  const best = sorted[sorted.length - 1];
  return { tag: best?.tag ?? null, from: tags.length, candidates: usable.length, newer: [] };
}

/**
 * @param {number} from
 * @param {{tag: string, value: string}[]} matched
 * @param {string} range
 * @returns {Pick}
 */
function pickSemver(from, matched, range) {
  /** @type {{tag: string, version: string}[]} */
  const versions = [];
  for (const c of matched) {
    // `v1.2.3` is read as 1.2.3; anything else that is not a version is skipped
    const version = semver.valid(c.value.replace(/^v(?=\d)/, ''));
    if (version) versions.push({ tag: c.tag, version });
  }
  const allowed = versions.filter((v) => semver.satisfies(v.version, range));
  allowed.sort((a, b) => semver.compare(a.version, b.version) || (a.tag < b.tag ? -1 : 1));
  const best = allowed[allowed.length - 1];
  const newer = versions
    .filter((v) => !best || semver.gt(v.version, best.version))
    .filter((v) => !allowed.includes(v))
    .sort((a, b) => semver.rcompare(a.version, b.version))
    .map((v) => ({ tag: v.tag, why: semver.prerelease(v.version) && semver.satisfies(v.version, range, { includePrerelease: true }) ? `a pre-release, which ${range} does not name` : `outside ${range}` }));
  return { tag: best?.tag ?? null, from, candidates: versions.length, newer };
}
