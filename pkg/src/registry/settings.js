/**
 * The words of the registry checks, shared by plans, the CLI and the Action, without
 * loading the client (a plan that asks for no check never loads it).
 *
 * @module gitops-bump/registry/settings
 */

/** Verification modes. */
export const VERIFY_MODES = Object.freeze(['off', 'on', 'auto']);
/** Plan-entry fields of the registry checks. */
export const ENTRY_FIELDS = Object.freeze(['verify', 'pin-digest', 'require-platforms', 'require-signature', 'policy', 'tag-filter', 'allow-downgrade']);

/**
 * @typedef {object} RegistrySettings
 * @property {'off'|'on'|'auto'} [verify]
 * @property {boolean} [pinDigest]
 * @property {string[]} [requirePlatforms]
 * @property {boolean} [requireSignature]
 * @property {string} [policy] pick the newest tag this policy allows (registry/policy.js)
 * @property {string} [tagFilter] only tags this regular expression matches; its `version` group is compared
 * @property {boolean} [skipUnresolved] an image that cannot be resolved is left out and listed, instead of failing the run
 * @property {boolean} [allowDowngrade] false: an image entry that would lower what its target runs is kept back (registry/downgrade.js)
 */

/**
 * Reads an entry's registry fields (strings from YAML plans, booleans from JSON).
 * @param {Record<string, unknown>} raw
 * @param {(field: string, message: string) => Error} fail
 * @returns {RegistrySettings}
 */
export function entrySettings(raw, fail) {
  /** @type {RegistrySettings} */
  const s = {};
  const flag = (/** @type {string} */ field) => {
    const v = raw[field];
    if (v === undefined || v === null) return undefined;
    if (v === true || v === 'true') return true;
    if (v === false || v === 'false') return false;
    throw fail(field, `expected true or false, got ${JSON.stringify(v)}`);
  };
  if (raw.verify !== undefined && raw.verify !== null) {
    const v = raw.verify === true ? 'on' : raw.verify === false ? 'off' : String(raw.verify) === 'true' ? 'on' : String(raw.verify) === 'false' ? 'off' : String(raw.verify);
    if (!VERIFY_MODES.includes(v)) throw fail('verify', `expected true, false or auto, got ${JSON.stringify(raw.verify)}`);
    s.verify = /** @type {any} */ (v);
  }
  s.pinDigest = flag('pin-digest');
  s.requireSignature = flag('require-signature');
  s.allowDowngrade = flag('allow-downgrade');
  const platforms = raw['require-platforms'];
  if (platforms !== undefined && platforms !== null) {
    if (typeof platforms !== 'string' && !(Array.isArray(platforms) && platforms.every((p) => typeof p === 'string'))) {
      throw fail('require-platforms', `expected a list such as linux/amd64,linux/arm64, got ${JSON.stringify(platforms)}`);
    }
    try {
      s.requirePlatforms = parsePlatforms(/** @type {string | string[]} */ (platforms));
    } catch (error) {
      throw fail('require-platforms', /** @type {Error} */ (error).message);
    }
  }
  for (const [field, key] of /** @type {const} */ ([['policy', 'policy'], ['tag-filter', 'tagFilter']])) {
    const v = raw[field];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string' || v === '') throw fail(field, `expected a non-empty string, got ${JSON.stringify(v)}`);
    if (field === 'policy' && !/^(semver:.+|numerical(:(asc|desc))?|alphabetical(:(asc|desc))?)$/s.test(v)) {
      throw fail(field, `\`${v}\` is not a policy: expected semver:RANGE, numerical, numerical:desc, alphabetical or alphabetical:desc`);
    }
    s[key] = v;
  }
  if (s.tagFilter !== undefined && s.policy === undefined) throw fail('tag-filter', 'filters the tags a policy chooses from: add `policy`');
  return Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined));
}

/**
 * Parses a `--require-platforms` list: `linux/amd64,linux/arm64`.
 * @param {string | string[] | undefined} text
 * @returns {string[]}
 */
export function parsePlatforms(text) {
  if (text === undefined) return [];
  const list = (Array.isArray(text) ? text : [text]).flatMap((t) => String(t).split(/[\s,]+/)).filter(Boolean);
  for (const p of list) {
    if (!/^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/.test(p)) {
      throw Object.assign(new Error(`\`${p}\` is not a platform: expected os/arch or os/arch/variant, such as linux/amd64 or linux/arm/v7`), { platformError: true });
    }
  }
  return list;
}

/**
 * The evidence lines for the commit and the pull request: one `Image-Digest:` trailer per
 * verified image, with its platforms when they were read.
 * @param {{image: string, digest: string | null, platforms: string[] | null, verified: boolean}[] | null | undefined} images
 * @returns {string[]}
 */
export function digestTrailers(images) {
  return (images ?? [])
    .filter((i) => i.verified && i.digest)
    .map((i) => `Image-Digest: ${i.image}@${i.digest}${i.platforms ? ` (${i.platforms.join(', ')})` : ''}`);
}

/**
 * What a policy did for one image, in one line: the tag picked, by which policy, from how
 * many tags, and why the newer ones were skipped (the first five).
 * @param {{image: string, policy?: {policy: string, tag: string, from: number, newer: {tag: string, why: string}[]}}} image
 * @returns {string}
 */
export function pickLine(image) {
  const p = /** @type {NonNullable<typeof image.policy>} */ (image.policy);
  const newer = p.newer.slice(0, 5).map((n) => `${n.tag} (${n.why})`).join(', ');
  return `picked ${p.tag} for ${image.image.replace(/:[^:/]+$/, '')} by ${p.policy} from ${p.from} tags${newer ? `; newer skipped: ${newer}${p.newer.length > 5 ? `, and ${p.newer.length - 5} more` : ''}` : ''}`;
}
