/**
 * The command line's registry options (`image` and `apply`): their table, their help, and
 * the step that runs before a plan is applied.
 *
 * @module gitops-bump/registry/cli
 */
import { usageError } from '../errors.js';
import { settingWord } from '../hints.js';
import { ENTRY_FIELDS, parsePlatforms, pickLine } from './settings.js';
import { REFUSED_KINDS, UNAVAILABLE_KINDS } from './errors.js';

/** Exit codes of registry failures (after 0 ok, 1 edit, 2 usage, 3 git). */
export const REGISTRY_EXIT = Object.freeze({ REFUSED: 4, UNAVAILABLE: 5 });

/** Options of the commands that write images. */
export const REGISTRY_OPTIONS = Object.freeze({
  verify: { type: 'boolean' },
  'verify-auto': { type: 'boolean' },
  'pin-digest': { type: 'boolean' },
  'require-platforms': { type: 'string' },
  'require-signature': { type: 'boolean' },
  policy: { type: 'string' },
  'no-downgrade': { type: 'boolean' },
  'skip-unresolved': { type: 'boolean' },
  'tag-filter': { type: 'string' },
  'insecure-registry': { type: 'string', multiple: true },
  'registry-username-env': { type: 'string' },
  'registry-password-env': { type: 'string' },
});

export const REGISTRY_HELP = `Registry (docs/registries.md; credentials from Docker's config.json, DOCKER_CONFIG):
  --verify             resolve every image in its registry first: the tag must exist, a
                       given digest must be the tag's (the index digest for multi-platform)
  --verify-auto        the same, but a registry that cannot be reached or refuses anonymous
                       access is a warning (the image is written unverified)
  --pin-digest         verify, then write the digest next to the tag (name:tag@sha256:…)
  --require-platforms LIST   verify that the tag has these platforms: linux/amd64,linux/arm64
  --require-signature  verify that a signature or attestation exists (presence only)
  --policy P           give the image without a tag: the newest tag P allows is picked from
                       the registry's tags: semver:RANGE (npm ranges: semver:^1.2.0),
                       numerical[:desc], alphabetical[:desc] (docs/registries.md)
  --tag-filter RE      only tags RE matches whole; its named group (?<version>…) is compared
  --no-downgrade       keep a target that runs a newer image than the one asked for: by
                       the policy's order, semver, else the images' creation times in the
                       registry ("kept newer X", exit 0, nothing written for it)
  --skip-unresolved    an image that cannot be resolved (no allowed tag, a missing tag) is
                       left out and listed as skipped; the others are written (all failing
                       still fails)
  --insecure-registry HOST   allow plain HTTP to HOST:PORT (loopback always may)
  --registry-username-env NAME --registry-password-env NAME   credentials for the images'
                       registry (one registry) from these environment variables
  Every image is resolved before any file is written; one failure writes nothing.`;

export const REGISTRY_EXIT_HELP = `With registry checks: 4 the registry answered and the image is not the one
asked for (tag-not-found, digest-mismatch, platform-missing, signature-missing,
digest-not-found), 5 the registry could not be asked (registry-auth, registry-unreachable).`;

/**
 * The exit code of an error kind, or undefined for a kind that is not the registry's.
 * @param {string} kind
 * @returns {number | undefined}
 */
export function registryExitCode(kind) {
  if (REFUSED_KINDS.includes(kind)) return REGISTRY_EXIT.REFUSED;
  if (UNAVAILABLE_KINDS.includes(kind)) return REGISTRY_EXIT.UNAVAILABLE;
  return undefined;
}

/**
 * Runs the registry checks a command and its plan ask for, and returns the plan to apply
 * (pinned where asked) and the per-image report; a plan that asks for none is returned as
 * it is, without loading the client.
 * @param {unknown} plan
 * @param {import('../plan.js').Entry[]} entries
 * @param {Record<string, any>} values parsed options
 * @param {{env: NodeJS.ProcessEnv, err: {write(s: string): unknown}, quiet?: boolean}} io
 * @returns {Promise<{plan: unknown, images: import('./verify.js').ImageReport[] | null, requests: number}>}
 */
export async function registryStep(plan, entries, values, { env, err }) {
  /** @type {import('./settings.js').RegistrySettings} */
  const run = {};
  if (values.verify && values['verify-auto']) throw usageError('--verify and --verify-auto: choose one');
  if (values.verify) run.verify = 'on';
  if (values['verify-auto']) run.verify = 'auto';
  if (values['pin-digest']) run.pinDigest = true;
  if (values['require-signature']) run.requireSignature = true;
  if (values['skip-unresolved']) run.skipUnresolved = true;
  if (values.policy !== undefined) run.policy = values.policy;
  if (values['tag-filter'] !== undefined) {
    if (values.policy === undefined) throw usageError('--tag-filter filters the tags a policy chooses from: add --policy');
    run.tagFilter = values['tag-filter'];
  }
  if (run.policy !== undefined && !/^(semver:.+|numerical(:(asc|desc))?|alphabetical(:(asc|desc))?)$/s.test(run.policy)) {
    throw usageError(`--policy: \`${run.policy}\` is not a policy: expected semver:RANGE, numerical, numerical:desc, alphabetical or alphabetical:desc`);
  }
  if (values['require-platforms'] !== undefined) {
    try {
      run.requirePlatforms = parsePlatforms(values['require-platforms']);
    } catch (error) {
      throw usageError(`--require-platforms: ${/** @type {Error} */ (error).message}`);
    }
    if (run.requirePlatforms.length === 0) throw usageError('--require-platforms: give at least one platform, such as linux/amd64');
  }
  const asked = Object.keys(run).some((k) => k !== 'skipUnresolved') || entries.some((e) => /** @type {any} */ (e).registry);
  const credentials = credentialsFrom(values, env);
  if (!asked) {
    // --no-downgrade may ask the registry for creation times, so it may take its options
    const needs = ['skip-unresolved', ...(values['no-downgrade'] ? [] : ['insecure-registry', 'registry-username-env'])];
    const stray = needs.find((o) => values[o] !== undefined);
    if (stray) throw usageError(`--${stray} is for the registry checks: add --verify (or one of ${ENTRY_FIELDS.filter((f) => f !== 'allow-downgrade').map((f) => `--${f}`).join(', ')})`);
    return { plan, images: null, requests: 0 };
  }
  const { verifyPlan } = await import('./verify.js');
  const result = await verifyPlan(plan, entries, run, { env, credentials, insecureRegistries: values['insecure-registry'] ?? [] });
  for (const w of result.warnings) err.write(`warning: ${w}\n`);
  for (const image of result.images) {
    if (image.skipped) err.write(`skipped ${image.spec}: ${image.warning?.replace(/^skipped: /, '')} (${settingWord('skip-unresolved', env.GITOPS_BUMP_FRONT_END)})\n`);
    if (image.policy) err.write(`${pickLine(image)}\n`);
    if (!image.verified) continue;
    const extra = [image.platforms ? image.platforms.join(', ') : null, image.signature ? `signed (${image.signature})` : null].filter(Boolean).join('; ');
    err.write(`verified ${image.image} ${image.digest}${extra ? ` (${extra})` : ''}${image.written !== image.spec ? ', pinned' : ''}\n`);
  }
  return { plan: result.plan, images: result.images, requests: result.requests };
}

/**
 * Credentials named by `--registry-username-env`/`--registry-password-env` (both or
 * neither; the variables must be set and non-empty).
 * @param {Record<string, any>} values
 * @param {NodeJS.ProcessEnv} env
 * @returns {{username: string, password: string}[]}
 */
function credentialsFrom(values, env) {
  const userVar = values['registry-username-env'];
  const passVar = values['registry-password-env'];
  if (userVar === undefined && passVar === undefined) return [];
  if (userVar === undefined || passVar === undefined) throw usageError('--registry-username-env and --registry-password-env go together: give both');
  for (const name of [userVar, passVar]) {
    if (!env[name]) throw usageError(`the environment variable ${name} (named by --registry-${name === userVar ? 'username' : 'password'}-env) is not set or empty`);
  }
  return [{ username: /** @type {string} */ (env[userVar]), password: /** @type {string} */ (env[passVar]) }];
}

/**
 * `--no-downgrade` (or an entry's `allow-downgrade: false`): the apply function's guard,
 * which drops the image entries that would lower what their target runs, on every attempt,
 * printing a "kept newer" line for each (registry/downgrade.js); null when nothing asks.
 * @param {import('../plan.js').Entry[]} entries
 * @param {Record<string, any>} values parsed options
 * @param {{env: NodeJS.ProcessEnv, err: {write(s: string): unknown}}} io
 * @returns {Promise<null | ((plan: unknown, apply: (workdir: string, plan: unknown) => any) => {apply: (workdir: string) => Promise<any>, seen: {kept: string[], warnings: string[]}})>}
 */
export async function downgradeGuard(entries, values, { env, err }) {
  const asked = values['no-downgrade'] || entries.some((e) => /** @type {any} */ (e).registry?.allowDowngrade === false);
  if (!asked) return null;
  const { guardApply } = await import('./downgrade.js');
  const run = { allowDowngrade: values['no-downgrade'] ? false : undefined, policy: values.policy, tagFilter: values['tag-filter'] };
  const registry = { env, credentials: credentialsFrom(values, env), insecureRegistries: values['insecure-registry'] ?? [] };
  const because = settingWord('no-downgrade', env.GITOPS_BUMP_FRONT_END);
  return (plan, apply) => guardApply(plan, { run, registry, because, log: (line) => err.write(`${line}\n`), warn: (line) => err.write(`warning: ${line}\n`) }, apply);
}

/**
 * `promote FROM TO`: the apply function's guard that, on every attempt, checks that each
 * digest the promotion writes under a name other than FROM's (a mirror) exists there
 * before the plan is applied (registry/promotion.js).
 * @param {Record<string, any>} values parsed options
 * @param {string[]} positionals FROM and TO
 * @param {{env: NodeJS.ProcessEnv, err: {write(s: string): unknown}}} io
 * @returns {(plan: unknown, apply: (workdir: string, plan: unknown) => any) => {apply: (workdir: string) => Promise<any>}}
 */
export function promotionGuard(values, [from, to], { env, err }) {
  return (plan, apply) => ({
    apply: async (workdir) => {
      const { checkPromotion } = await import('./promotion.js');
      const r = await checkPromotion(from, to, values.image ?? [], workdir, { env });
      for (const line of r.checked) err.write(`verified ${line} is in the mirror\n`);
      for (const w of r.warnings) err.write(`warning: ${w}\n`);
      return apply(workdir, plan);
    },
  });
}
