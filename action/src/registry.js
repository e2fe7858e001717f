/**
 * The Action's registry checks: inputs `verify` (`auto` by default), `pin-digest`,
 * `require-platforms`, `require-signature`, `registry-username`/`registry-password`; the
 * resolution of every image before the pipeline runs (the package's verifyPlan, as the
 * CLI's); the `images` output and the job summary's table.
 *
 * @module gitops-bump-action/registry
 */
import { settingWord } from '../../pkg/src/hints.js';
import { validatePlan } from '../../pkg/src/plan.js';
import { digestTrailers, parsePlatforms, pickLine } from '../../pkg/src/registry/settings.js';

/** The registry inputs and their defaults in action.yml. */
export const REGISTRY_INPUTS = Object.freeze({
  verify: 'auto',
  'pin-digest': 'false',
  'require-platforms': '',
  'require-signature': 'false',
  'registry-username': '',
  'registry-password': '',
  policy: '',
  'tag-filter': '',
  'allow-downgrade': 'false',
  'skip-unresolved': 'false',
});

/**
 * @typedef {object} RegistryInputs
 * @property {import('../../pkg/src/registry/settings.js').RegistrySettings} settings
 * @property {{username: string, password: string}[]} credentials
 */

/**
 * Reads the registry inputs.
 * @param {(name: string) => string} get reads an input (trimmed, default applied)
 * @param {(name: string) => boolean} getBoolean
 * @param {new (input: string, message: string) => Error} InputError
 * @returns {RegistryInputs}
 */
export function readRegistryInputs(get, getBoolean, InputError) {
  const verify = { true: 'on', false: 'off', auto: 'auto' }[get('verify').toLowerCase()];
  if (!verify) throw new InputError('verify', `must be auto, true or false, got ${JSON.stringify(get('verify'))}`);
  let requirePlatforms = [];
  try {
    requirePlatforms = parsePlatforms(get('require-platforms'));
  } catch (error) {
    throw new InputError('require-platforms', `is invalid: ${/** @type {Error} */ (error).message}`);
  }
  const pinDigest = getBoolean('pin-digest');
  const requireSignature = getBoolean('require-signature');
  if (verify === 'off' && (pinDigest || requireSignature || requirePlatforms.length > 0)) {
    const which = pinDigest ? 'pin-digest' : requireSignature ? 'require-signature' : 'require-platforms';
    throw new InputError('verify', `is false, but '${which}' needs the registry's answer: set verify to auto or true`);
  }
  const policy = get('policy') || undefined;
  const tagFilter = get('tag-filter') || undefined;
  if (policy !== undefined && !/^(semver:.+|numerical(:(asc|desc))?|alphabetical(:(asc|desc))?)$/s.test(policy)) {
    throw new InputError('policy', `must be semver:RANGE, numerical, numerical:desc, alphabetical or alphabetical:desc, got ${JSON.stringify(policy)}`);
  }
  if (tagFilter !== undefined && policy === undefined) throw new InputError('tag-filter', "filters the tags a policy chooses from: set 'policy' too");
  if (verify === 'off' && policy !== undefined) throw new InputError('verify', "is false, but 'policy' reads the registry's tags: set verify to auto or true");
  const username = get('registry-username');
  const password = get('registry-password');
  if (Boolean(username) !== Boolean(password)) {
    throw new InputError(username ? 'registry-password' : 'registry-username', "is empty: give both 'registry-username' and 'registry-password', or neither");
  }
  const allowDowngrade = getBoolean('allow-downgrade');
  const skipUnresolved = getBoolean('skip-unresolved');
  return {
    settings: /** @type {any} */ ({ verify, pinDigest, requirePlatforms, requireSignature, policy, tagFilter, allowDowngrade, ...(skipUnresolved ? { skipUnresolved } : {}) }),
    credentials: username ? [{ username, password }] : [],
  };
}

/**
 * Resolves every image of the plan before anything is written. Returns the plan to apply
 * (pinned where asked), the per-image report, and the trailers for the commit and the
 * pull request. Images that `verify: auto` could not check come back as warnings.
 * @param {{edits: object[]}} plan
 * @param {RegistryInputs} inputs
 * @param {NodeJS.ProcessEnv} env
 * @returns {Promise<{plan: {edits: object[]}, images: import('../../pkg/src/registry/verify.js').ImageReport[], warnings: string[], trailers: string[]}>}
 */
export async function verifyImages(plan, inputs, env) {
  const entries = validatePlan(plan);
  if (!entries.some((e) => e.op === 'image' || e.op === 'scan')) return { plan, images: [], warnings: [], trailers: [] };
  const { verifyPlan } = await import('../../pkg/src/registry/verify.js');
  const result = await verifyPlan(plan, entries, inputs.settings, { env, credentials: inputs.credentials });
  return { plan: /** @type {any} */ (result.plan), images: result.images, warnings: result.warnings, trailers: digestTrailers(result.images) };
}

/**
 * The `images` output: one `{image, digest, platforms, signature, verified, written}` per image.
 * @param {import('../../pkg/src/registry/verify.js').ImageReport[]} images
 * @returns {string}
 */
export function imagesOutput(images) {
  return JSON.stringify(images.map((i) => ({ image: i.image, digest: i.digest, platforms: i.platforms, signature: i.signature, verified: i.verified, written: i.written, ...(i.policy ? { policy: i.policy } : {}), ...(i.skipped ? { skipped: i.warning } : {}) })));
}

/**
 * The job summary's section on the images: what each resolved to in its registry.
 * @param {import('../../pkg/src/registry/verify.js').ImageReport[]} images
 * @param {(text: string | null | undefined) => string} code a Markdown code span
 * @returns {string}
 */
export function imagesSummary(images, code) {
  if (images.length === 0) return '';
  const rows = images.map((i) => `| ${code(i.image)} | ${i.verified ? code(i.digest) : `${i.skipped ? '' : 'not verified: '}${(i.warning ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ')}`} | ${i.platforms ? i.platforms.map(code).join(' ') : '—'} | ${i.signature ? code(i.signature) : '—'} | ${i.written !== i.spec ? 'pinned' : '—'} |`);
  const picks = pickLines(images).map((l) => `- ${l}`);
  return `\n### Images in their registries\n\n| image | digest | platforms | signature | |\n|---|---|---|---|---|\n${rows.join('\n')}\n${picks.length ? `\n${picks.join('\n')}\n` : ''}`;
}

/**
 * One line per image whose tag a policy picked: which, by what, from how many, and why
 * the newer tags were skipped.
 * @param {import('../../pkg/src/registry/verify.js').ImageReport[]} images
 * @returns {string[]}
 */
export function pickLines(images) {
  return images.filter((i) => i.policy).map(pickLine);
}

/**
 * The apply function with `allow-downgrade: false` (the default): on every attempt, the
 * image entries that would lower what their target runs are dropped, each with a "kept
 * newer" line in the log; targets compared without an answer are warnings.
 * @param {{edits: object[]}} plan
 * @param {RegistryInputs} inputs
 * @param {NodeJS.ProcessEnv} env
 * @param {{line: (s: string) => void, warning: (s: string, o?: object) => void}} wf
 * @param {(workdir: string) => string} cwdOf where the plan's files are in a workdir
 * @param {(workdir: string, plan: unknown) => Promise<any>} apply
 * @returns {Promise<{apply: (workdir: string) => Promise<any>, seen: {kept: string[], warnings: string[]}}>}
 */
export async function guardDowngrades(plan, inputs, env, wf, cwdOf, apply) {
  const { guardApply } = await import('../../pkg/src/registry/downgrade.js');
  return guardApply(plan, {
    run: inputs.settings,
    because: settingWord('no-downgrade', 'action'),
    registry: { env, credentials: inputs.credentials },
    cwdOf,
    log: (line) => wf.line(line),
    warn: (line) => wf.warning(line, { title: 'gitops-bump: downgrade not checked' }),
  }, apply);
}

/**
 * A promotion through a mirror: each digest it writes under a name other than FROM's must
 * exist there (registry/promotion.js); checked where the plan is applied, on every attempt.
 * @param {{from: string, to: string, images: string[]}} promotion
 * @param {string} cwd
 * @param {RegistryInputs} inputs
 * @param {NodeJS.ProcessEnv} env
 * @param {{line: (s: string) => void, warning: (s: string, o?: object) => void}} wf
 * @returns {Promise<void>}
 */
export async function checkPromotionDigests(promotion, cwd, inputs, env, wf) {
  if (inputs.settings.verify === 'off') return;
  const { checkPromotion } = await import('../../pkg/src/registry/promotion.js');
  const r = await checkPromotion(promotion.from, promotion.to, promotion.images, cwd, { env, credentials: inputs.credentials });
  for (const line of r.checked) wf.line(`verified ${line} is in the mirror`);
  for (const w of r.warnings) wf.warning(w, { title: 'gitops-bump: promoted digest not checked' });
}
