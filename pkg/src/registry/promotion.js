/**
 * Promotion by digest, the registry's side: a promotion copies FROM's tag and digest into
 * TO; when TO pulls the image under another name (a mirror, another registry), the digest
 * must exist there before anything is written, or TO's cluster would fail to pull it. And
 * `status`'s flag for environments that run one tag as different images (a digest pinned
 * in one, or a mirror that holds another build under the same tag).
 *
 * @module gitops-bump/registry/promotion
 */
import { computePromotion, context } from '../promote.js';
import { RegistryError, isUnavailable } from './errors.js';
import { formatReference, parseReference } from './reference.js';
import { registryClient } from './verify.js';

/**
 * Checks, in `cwd`, that every digest the promotion FROM → TO would write under a name
 * other than FROM's exists in that repository. Throws `digest-not-found` (after asking for
 * every one) when one does not; returns a warning for each that could not be asked (the
 * registry unreachable, or refusing anonymous access), which is written unchecked.
 * @param {string} from
 * @param {string} to
 * @param {string[]} images the images to promote (none: every one that differs)
 * @param {string} cwd
 * @param {import('./verify.js').VerifyOptions} [options]
 * @returns {Promise<{checked: string[], warnings: string[]}>}
 */
export async function checkPromotion(from, to, images, cwd, options = {}) {
  const p = computePromotion(from, to, images, context(cwd, cwd));
  /** @type {{ref: import('./reference.js').ImageReference, from: string, image: string}[]} */
  const asks = [];
  for (const row of p.rows) {
    if (!row.after || row.after === row.before || !row.from) continue;
    let after;
    let source;
    try {
      after = parseReference(row.after);
      source = parseReference(row.from);
    } catch {
      continue; // a name no registry serves (a local image): nothing to ask
    }
    if (!after.digest) continue; // a tag alone: the mirror resolves it when it pulls
    if (after.registry === source.registry && after.repository === source.repository) continue;
    asks.push({ ref: after, from: row.from, image: row.image });
  }
  if (asks.length === 0) return { checked: [], warnings: [] };
  const client = registryClient(options, asks.map((a) => a.ref));
  /** @type {unknown[]} */
  const failures = [];
  /** @type {string[]} */
  const warnings = [];
  /** @type {string[]} */
  const checked = [];
  for (const ask of asks) {
    const name = formatReference({ ...ask.ref, tag: undefined, digest: undefined });
    const digest = /** @type {string} */ (ask.ref.digest);
    try {
      const head = await client.headManifest(ask.ref, digest);
      if (head) {
        checked.push(`${name}@${digest}`);
        continue;
      }
      failures.push(new RegistryError('digest-not-found', `${name}: ${digest} is not there; ${p.to} pulls \`${ask.image}\` from it, and ${p.from} runs that digest as ${ask.from}`, {
        image: name,
        registry: ask.ref.registry,
        tag: ask.ref.tag,
        answer: `404 for manifests/${digest}`,
        hint: `copy the image to the mirror first (\`crane cp ${ask.from} ${name}@${digest}\`, or let its replication run), then promote again`,
      }));
    } catch (error) {
      if (!isUnavailable(error)) throw error;
      const why = /** @type {Error} */ (error).message.split('\n')[0].replace(/^error\[[^\]]+\]: /, '');
      warnings.push(`${name}@${digest} was not checked: ${why} (written unchecked)`);
    }
  }
  if (failures.length > 0) {
    if (failures.length === 1) throw failures[0];
    const first = /** @type {RegistryError} */ (failures[0]);
    first.message = `${failures.map((f) => /** @type {Error} */ (f).message).join('\n')}\n${failures.length} digests are missing; nothing was written`;
    throw first;
  }
  return { checked, warnings };
}

/**
 * The images that environments run under one tag as different images (their digests
 * differ): one entry per such image, with each environment's short digest.
 * @param {{environments: {name: string}[], images: {image: string, cells: Record<string, any>}[]}} st a status
 * @returns {{image: string, tag: string, digests: Record<string, string>}[]}
 */
export function sameTagDifferentDigest(st) {
  /** @type {{image: string, tag: string, digests: Record<string, string>}[]} */
  const out = [];
  for (const row of st.images) {
    /** @type {Map<string, Record<string, string>>} tag → environment → digest */
    const byTag = new Map();
    for (const [env, cell] of Object.entries(row.cells)) {
      if (!cell?.tag || !cell.digest) continue;
      const seen = byTag.get(cell.tag) ?? {};
      seen[env] = cell.digest;
      byTag.set(cell.tag, seen);
    }
    for (const [tag, digests] of byTag) {
      if (new Set(Object.values(digests)).size > 1) out.push({ image: row.image, tag, digests });
    }
  }
  return out;
}

/**
 * One line per flag: `note: IMAGE runs tag T as different images: staging sha256:…, production sha256:…`.
 * @param {ReturnType<typeof sameTagDifferentDigest>} flags
 * @returns {string[]}
 */
export function flagLines(flags) {
  const short = (/** @type {string} */ d) => d.replace(/^(sha256:[0-9a-f]{12})[0-9a-f]+$/, '$1…');
  return flags.map((f) => `note: ${f.image}: same tag ${f.tag}, different digest: ${Object.entries(f.digests).map(([env, d]) => `${env} ${short(d)}`).join(', ')}`);
}
