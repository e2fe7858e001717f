/**
 * Registry verification of a plan: every image entry (`image` and `scan`) that asks for it
 * is resolved in its registry — all of them, in parallel, before anything is written — and,
 * with `pin-digest`, its spec gains the digest (`name:tag@sha256:…`), which the core writes
 * into every target kind (kustomize `newTag` + `digest`, Argo CD `kustomize.images`, Helm
 * values `tag` + `digest`, `image:` fields, Flux setters).
 *
 * One failure fails the run before any file is touched. With `verify: auto` (the Action's
 * default), a registry that cannot be reached or refuses anonymous access gives a warning
 * instead, and the image is written unverified; a definite answer (`tag-not-found`,
 * `digest-mismatch`, a missing platform or signature) still fails.
 *
 * @module gitops-bump/registry/verify
 */
import * as core from '../core.js';
import { usageError } from '../errors.js';
import { RegistryClient } from './client.js';
import { credentialStore } from './credentials.js';
import { RegistryError, isUnavailable } from './errors.js';
import { formatReference, parseReference } from './reference.js';
import { resolveImage } from './resolve.js';
import { VERIFY_MODES, ENTRY_FIELDS, entrySettings } from './settings.js';

export { VERIFY_MODES, ENTRY_FIELDS, entrySettings };

/** @typedef {import('./settings.js').RegistrySettings} RegistrySettings */

/**
 * @typedef {object} VerifyOptions
 * @property {NodeJS.ProcessEnv} [env] DOCKER_CONFIG, HOME, PATH (credential helpers)
 * @property {string[]} [insecureRegistries]
 * @property {{registry: string, username: string, password: string}[]} [credentials]
 * @property {import('./client.js').ClientOptions} [client] extra client options (tests)
 */

/**
 * @typedef {object} ImageReport
 * @property {string} spec the spec as given
 * @property {string | null} written the spec the plan applies (with the digest when pinned); null when skipped
 * @property {string} image `registry/repository:tag`
 * @property {string | null} digest null when not verified
 * @property {string[] | null} platforms
 * @property {string | null} signature how a signature was found, when required
 * @property {boolean} verified
 * @property {string} [warning] why it is unverified (verify: auto), or skipped
 * @property {boolean} [skipped] left out of the plan (skipUnresolved), with the reason in `warning`
 * @property {{policy: string, tag: string, from: number, candidates: number, newer: {tag: string, why: string}[]}} [policy]
 *   how a policy picked the tag
 */

/** How many images are resolved at once. */
const PARALLEL = 8;

/**
 * The effective settings of an entry: its own fields over the run's. Pinning, platforms
 * and signatures need verification, so they switch it on.
 * @param {RegistrySettings} run
 * @param {RegistrySettings} own
 * @returns {Required<RegistrySettings>}
 */
function effective(run, own) {
  const s = { verify: 'off', pinDigest: false, requirePlatforms: /** @type {string[]} */ ([]), requireSignature: false, policy: undefined, tagFilter: undefined, ...dropUndefined(run), ...dropUndefined(own) };
  const strict = s.pinDigest || s.requireSignature || s.requirePlatforms.length > 0 || s.policy !== undefined;
  if (strict && s.verify === 'off' && own.verify !== 'off') s.verify = 'on';
  if (strict && s.verify === 'off') throw usageError('pin-digest, require-platforms, require-signature and policy need the registry: they cannot be combined with verify: false');
  // a policy's pick is the registry's own answer: there is nothing to degrade to
  if (s.policy !== undefined && s.verify === 'auto') s.verify = 'on';
  return /** @type {any} */ (s);
}

/** @param {object} o */
function dropUndefined(o) {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined));
}

/**
 * The registry reference an image spec names: its new name (or its name), its new tag and
 * digest. Throws a usage error for a spec a registry cannot resolve.
 * @param {string} spec
 * @param {{tagless?: boolean}} [options] tagless: the spec names no tag (a policy picks it)
 * @returns {{ref: import('./reference.js').ImageReference, parts: any}}
 */
export function specReference(spec, { tagless = false } = {}) {
  // a Flux policy spec (`namespace:policy=newName:newTag`) names the image after `=`
  const policy = /^[^=/@]+:[^=/@]+=(.+)$/.exec(spec);
  const text = policy ? policy[1] : spec;
  // a bare name sets nothing for the core; with a policy the tag comes later, so a
  // placeholder tag stands in for the parse and is dropped
  const bare = tagless && !text.includes('=') && !/[:@][^/]*$/.test(text);
  const parts = /** @type {{name: string, newName: string|null, newTag: string|null, digest: string|null}} */ (core.parseImageSpec(bare ? `${text}:0` : text));
  const given = (/** @type {string|null} */ f) => (typeof f === 'string' && f !== '*' ? f : undefined);
  const name = given(parts.newName) ?? parts.name;
  const tag = bare ? undefined : given(parts.newTag);
  const digest = given(parts.digest);
  if (tagless && (tag || digest)) {
    throw usageError(`\`${spec}\`: with a policy the registry picks the tag: give the image without a tag or digest (NAME, or name=NEWNAME)`);
  }
  if (!tagless && !tag && !digest) {
    throw usageError(`\`${spec}\`: registry verification needs a tag or a digest in the spec (NAME:TAG or NAME:TAG@DIGEST)`);
  }
  let ref;
  try {
    ref = parseReference(`${name}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`);
  } catch (error) {
    throw usageError(`\`${spec}\`: ${/** @type {Error} */ (error).message}`);
  }
  return { ref, parts };
}

/**
 * The spec with the digest pinned: `name:tag@digest`, `name=newName:tag@digest`, or the
 * Flux form `ns:policy=newName:tag@digest`.
 * @param {string} spec
 * @param {string} digest
 * @returns {string}
 */
export function pinnedSpec(spec, digest) {
  const without = spec.replace(/@[a-z0-9]+:[a-f0-9]+$/, '');
  return `${without}@${digest}`;
}

/**
 * Resolves the images of a plan and returns the plan to apply (specs pinned where asked)
 * with a report per image. Nothing is written here; when any image fails, this throws
 * (after every image was asked), and the caller writes nothing.
 * @param {unknown} plan the raw plan (`{edits}` or a list); validated by the caller
 * @param {import('../plan.js').Entry[]} entries its validated entries, in order
 * @param {RegistrySettings} run the run's settings (CLI flags, Action inputs)
 * @param {VerifyOptions} [options]
 * @returns {Promise<{plan: unknown, images: ImageReport[], requests: number, warnings: string[]}>}
 */
export async function verifyPlan(plan, entries, run, options = {}) {
  const raw = /** @type {any[]} */ (Array.isArray(plan) ? plan : /** @type {any} */ (plan).edits);
  /** @type {{index: number, spec: string, settings: Required<RegistrySettings>, ref: any, picked?: any}[]} */
  const jobs = [];
  entries.forEach((entry, index) => {
    if (entry.op !== 'image' && entry.op !== 'scan') return;
    const settings = effective(run, /** @type {any} */ (entry).registry ?? {});
    if (settings.verify === 'off') return;
    jobs.push({ index, spec: entry.spec, settings, ref: specReference(entry.spec, { tagless: settings.policy !== undefined }).ref });
  });
  if (jobs.length === 0) return { plan, images: [], requests: 0, warnings: [] };

  const client = registryClient(options, jobs.map((j) => j.ref));
  // policies first: the repository's tags are listed and the newest allowed one becomes the spec's tag
  if (jobs.some((j) => j.settings.policy !== undefined)) {
    const { applyPolicies } = await import('./choose.js');
    await applyPolicies(client, jobs.filter((j) => j.settings.policy !== undefined));
  }
  /** @type {Map<string, Promise<any>>} the same image asked once */
  const asked = new Map();
  const outcomes = await mapLimit(jobs, PARALLEL, (job) => {
    if (job.failed) return Promise.resolve({ ok: false, error: job.failed });
    const s = job.settings;
    const key = JSON.stringify([formatReference(job.ref), s.requirePlatforms, s.requireSignature]);
    let p = asked.get(key);
    if (!p) {
      p = resolveImage(client, job.ref, { requirePlatforms: s.requirePlatforms, requireSignature: s.requireSignature });
      asked.set(key, p);
    }
    return p.then((value) => ({ ok: true, value }), (error) => ({ ok: false, error }));
  });

  /** @type {ImageReport[]} */
  const images = [];
  /** @type {string[]} */
  const warnings = [];
  /** @type {unknown[]} */
  const failures = [];
  /** @type {unknown[]} */
  const skippedErrors = [];
  const skip = new Set();
  const edits = raw.map((e) => ({ ...e }));
  jobs.forEach((job, i) => {
    const outcome = outcomes[i];
    const base = { spec: job.spec, image: formatReference({ ...job.ref, digest: undefined }) };
    if (!outcome.ok) {
      const degrade = job.settings.verify === 'auto' && isUnavailable(outcome.error) && !job.settings.pinDigest
        && job.settings.requirePlatforms.length === 0 && !job.settings.requireSignature;
      if (!degrade && run.skipUnresolved) {
        // --skip-unresolved: left out of the plan and listed, the rest is written
        const why = /** @type {Error} */ (outcome.error).message.split('\n')[0].replace(/^error\[[^\]]+\]: /, '');
        skip.add(job.index);
        skippedErrors.push(outcome.error);
        images.push({ ...base, written: null, digest: null, platforms: null, signature: null, verified: false, skipped: true, warning: `skipped: ${why}` });
        return;
      }
      if (!degrade) {
        failures.push(outcome.error);
        return;
      }
      const why = /** @type {Error} */ (outcome.error).message.split('\n')[0].replace(/^error\[[^\]]+\]: /, '');
      const warning = `${base.image} was not verified: ${why} (verify: auto writes it unverified)`;
      warnings.push(warning);
      images.push({ ...base, written: job.spec, digest: null, platforms: null, signature: null, verified: false, warning });
      return;
    }
    const r = outcome.value;
    const written = job.settings.pinDigest ? pinnedSpec(job.spec, r.digest) : job.spec;
    edits[job.index].image = written;
    images.push({ ...base, written, digest: r.digest, platforms: r.platforms, signature: r.signature?.via ?? null, verified: true, ...(job.picked ? { policy: job.picked } : {}) });
  });
  if (failures.length > 0) throw combine(failures);
  const left = edits.filter((_, index) => !skip.has(index));
  // nothing left to write is a failure, as without --skip-unresolved
  if (left.length === 0) throw combine(skippedErrors);
  return { plan: Array.isArray(plan) ? left : { ...(/** @type {object} */ (plan)), edits: left }, images, requests: client.stats.requests, warnings };
}

/**
 * The client for one run over images in `refs`' registries, with the run's credentials.
 * @param {VerifyOptions} options
 * @param {import('./reference.js').ImageReference[]} refs
 * @returns {RegistryClient}
 */
export function registryClient(options, refs) {
  const store = credentialStore({ env: options.env, explicit: explicitFor(options.credentials, refs.map((ref) => ({ ref }))) });
  return new RegistryClient({ credentials: store, insecureRegistries: options.insecureRegistries, ...envOverrides(options.env ?? process.env), ...options.client });
}

/**
 * Test and benchmark hooks: `GITOPS_BUMP_REGISTRY_NOT_FOUND_DELAYS_MS` (a comma list, the
 * waits before asking again after a 404) and `GITOPS_BUMP_REGISTRY_MAX_RETRY_AFTER_MS`.
 * @param {NodeJS.ProcessEnv} env
 * @returns {import('./client.js').ClientOptions}
 */
function envOverrides(env) {
  /** @type {import('./client.js').ClientOptions} */
  const o = {};
  const delays = env.GITOPS_BUMP_REGISTRY_NOT_FOUND_DELAYS_MS;
  if (delays !== undefined) o.notFoundDelaysMs = delays.split(',').filter(Boolean).map((d) => Math.min(Number(d) || 0, 10_000));
  const maxWait = env.GITOPS_BUMP_REGISTRY_MAX_RETRY_AFTER_MS;
  if (maxWait !== undefined && /^\d+$/.test(maxWait)) o.maxRetryAfterMs = Number(maxWait);
  return o;
}

/**
 * Explicit credentials (`registry-username`/`registry-password`) name no registry of their
 * own: they are for the one registry the run's images live in, and refused when the
 * images live in several (use a docker config then).
 * @param {{registry?: string, username: string, password: string}[] | undefined} given
 * @param {{ref: any}[]} jobs
 * @returns {{registry: string, username: string, password: string}[]}
 */
function explicitFor(given, jobs) {
  if (!given || given.length === 0) return [];
  const registries = [...new Set(jobs.map((j) => j.ref.registry))];
  return given.map((c) => {
    if (c.registry) return /** @type {any} */ (c);
    if (registries.length !== 1) {
      throw usageError(`registry credentials without a registry name, for images in ${registries.length} registries (${registries.join(', ')}): name the registry, or use a docker config.json (DOCKER_CONFIG)`);
    }
    return { ...c, registry: registries[0] };
  });
}

/**
 * One error for several failed images: the first one's kind (a definite answer before an
 * unreachable registry), every message.
 * @param {unknown[]} failures
 * @returns {unknown}
 */
function combine(failures) {
  if (failures.length === 1) return failures[0];
  const sorted = [...failures].sort((a, b) => Number(isUnavailable(a)) - Number(isUnavailable(b)));
  const first = /** @type {RegistryError} */ (sorted[0]);
  if (!(first instanceof RegistryError)) return first;
  const message = `${sorted.map((e) => /** @type {Error} */ (e).message).join('\n')}\n${failures.length} images failed; nothing was written`;
  const combined = new RegistryError(first.kind, '', { image: first.image, registry: first.registry, tag: first.tag });
  combined.message = message;
  /** @type {any} */ (combined).failures = sorted;
  return combined;
}

/**
 * Maps with at most `limit` calls in flight, keeping the order.
 * @template T, R
 * @param {T[]} items
 * @param {number} limit
 * @param {(item: T) => Promise<R>} fn
 * @returns {Promise<R[]>}
 */
async function mapLimit(items, limit, fn) {
  /** @type {R[]} */
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next;
      next += 1;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
