/**
 * Resolving one image in its registry, the way a bump needs it: the tag exists (a 404
 * right after a push is asked again a few times), its digest is the one given (for a
 * multi-platform tag: the index digest; a child's digest is refused with a message that
 * says so), the required platforms are there, and a signature or attestation is present.
 *
 * Cost: one HEAD per image (plus the registry's token, once per repository for the run);
 * the index or the image config is read only to check platforms or a mismatched digest,
 * the referrers API (then the `sha256-<hex>.sig` tag) only for signatures.
 *
 * @module gitops-bump/registry/resolve
 */
import { INDEX_TYPES } from './client.js';
import { RegistryError } from './errors.js';
import { formatReference } from './reference.js';

/** Artifact types that count as a signature or an attestation (presence only). */
const SIGNATURE_TYPES = [
  'application/vnd.dev.cosign.artifact.sig.v1+json',
  'application/vnd.dev.cosign.simplesigning.v1+json',
  'application/vnd.dev.sigstore.bundle',
  'application/vnd.in-toto',
  'application/vnd.cncf.notary.signature',
];

/**
 * @typedef {object} Resolved
 * @property {string} image the reference as resolved (`registry/repository:tag`)
 * @property {string} digest the tag's digest (the index digest for a multi-platform tag)
 * @property {string} mediaType
 * @property {string[] | null} platforms `os/arch[/variant]` when they were read, else null
 * @property {{found: boolean, via: string} | null} signature when it was asked for
 * @property {number} attempts HEAD requests for the tag (more than 1 after read-after-push 404s)
 */

/**
 * @typedef {object} ResolveOptions
 * @property {string[]} [requirePlatforms] e.g. `['linux/amd64', 'linux/arm64']`
 * @property {boolean} [requireSignature]
 * @property {boolean} [readPlatforms] read the platforms even when none are required
 */

/**
 * Resolves one reference (it must have a tag; a digest is compared).
 * @param {import('./client.js').RegistryClient} client
 * @param {import('./reference.js').ImageReference} ref
 * @param {ResolveOptions} [options]
 * @returns {Promise<Resolved>}
 * @throws {RegistryError}
 */
export async function resolveImage(client, ref, options = {}) {
  const image = formatReference({ ...ref, digest: undefined });
  const where = { image, registry: ref.registry, tag: ref.tag };
  const reference = ref.tag ?? ref.digest;
  if (!reference) throw new RegistryError('tag-not-found', `${image}: no tag or digest to resolve`, { ...where, hint: 'give the image as NAME:TAG or NAME:TAG@DIGEST' });
  let head = await client.headManifest(ref, reference, { retryNotFound: true });
  if (!head) {
    const asked = client.notFoundDelaysMs.length + 1;
    throw new RegistryError('tag-not-found', `${image}: the tag \`${ref.tag}\` does not exist`, {
      ...where,
      answer: `404 for manifests/${reference}, ${asked} time${asked === 1 ? '' : 's'} (a tag pushed moments ago gets a few seconds)`,
      hint: `check the tag CI pushed (and the registry it pushed to); \`crane ls ${ref.registry}/${ref.repository}\` lists the tags`,
    });
  }
  /** @type {{digest: string, mediaType: string, manifest: any} | null} */
  let body = null;
  if (!head.digest || !head.digest.startsWith('sha256:')) {
    // no Docker-Content-Digest (some proxies drop it): the digest of the bytes served
    body = await client.getManifest(ref, reference);
    if (!body) throw new RegistryError('tag-not-found', `${image}: the tag \`${ref.tag}\` vanished while it was read`, where);
    head = { ...head, digest: body.digest, mediaType: body.mediaType };
  }
  const digest = /** @type {string} */ (head.digest);
  const isIndex = INDEX_TYPES.includes(head.mediaType);
  const manifestOf = async () => (body ??= await client.getManifest(ref, digest));

  if (ref.digest && ref.tag && ref.digest !== digest) {
    const m = isIndex ? await manifestOf() : null;
    const child = m?.manifest?.manifests?.find((/** @type {any} */ c) => c.digest === ref.digest);
    throw new RegistryError('digest-mismatch', child
      ? `${image}: ${ref.digest} is the ${platformOf(child) ?? 'one-platform'} image inside the tag's index, not the tag's digest`
      : `${image}: the tag points at ${digest}, not at ${ref.digest}`, {
      ...where,
      answer: `Docker-Content-Digest ${digest} (${head.mediaType || 'no media type'})`,
      hint: child
        ? `give the index digest ${digest} (what buildx and \`crane digest\` report for the tag); a child digest would pin one platform`
        : 'the tag was pushed again since that digest was built (or the digest is of another image); bump to the digest CI reported for this build',
    });
  }

  /** @type {string[] | null} */
  let platforms = null;
  if (options.requirePlatforms?.length || options.readPlatforms) {
    const m = /** @type {{manifest: any, mediaType: string}} */ (await manifestOf());
    if (m === null) throw new RegistryError('tag-not-found', `${image}: ${digest} vanished while it was read`, where);
    if (Array.isArray(m.manifest.manifests)) {
      platforms = m.manifest.manifests.map(platformOf).filter((/** @type {string|null} */ p) => p !== null && p !== 'unknown/unknown');
    } else {
      const configDigest = m.manifest.config?.digest;
      const config = configDigest ? await client.getJsonBlob(ref, configDigest) : {};
      platforms = [platformOf(config) ?? 'unknown'];
    }
    const missing = (options.requirePlatforms ?? []).filter((want) => !platforms?.some((have) => samePlatform(have, want)));
    if (missing.length > 0) {
      throw new RegistryError('platform-missing', `${image}: no ${missing.join(', ')} image in the tag`, {
        ...where,
        answer: `${digest} has ${platforms.join(', ') || 'no platforms'}`,
        hint: 'build and push the missing platforms (docker buildx build --platform …), or require fewer',
      });
    }
  }

  /** @type {{found: boolean, via: string} | null} */
  let signature = null;
  if (options.requireSignature) {
    signature = await findSignature(client, ref, digest);
    if (!signature.found) {
      throw new RegistryError('signature-missing', `${image}: no signature or attestation for ${digest}`, {
        ...where,
        answer: signature.via,
        hint: 'sign the image (cosign sign …) after pushing it; only presence is checked, not who signed',
      });
    }
  }
  return { image, digest, mediaType: head.mediaType, platforms, signature, attempts: head.attempts };
}

/**
 * Looks for a signature or attestation of `digest`: the referrers API first, then
 * cosign's `sha256-<hex>.sig` and `.att` tags. Presence only: nothing is verified
 * cryptographically.
 * @param {import('./client.js').RegistryClient} client
 * @param {import('./reference.js').ImageReference} ref
 * @param {string} digest
 * @returns {Promise<{found: boolean, via: string}>}
 */
export async function findSignature(client, ref, digest) {
  const referrers = await client.referrers(ref, digest);
  const signed = referrers?.find((m) => SIGNATURE_TYPES.some((t) => String(m.artifactType ?? '').startsWith(t)));
  if (signed) return { found: true, via: `referrers API (${signed.artifactType} ${signed.digest})` };
  const tagBase = digest.replace(':', '-');
  for (const suffix of ['sig', 'att']) {
    const head = await client.headManifest(ref, `${tagBase}.${suffix}`);
    if (head) return { found: true, via: `tag ${tagBase}.${suffix}` };
  }
  return {
    found: false,
    via: `${referrers === null ? 'no referrers API' : `${referrers.length} referrer(s), none a signature`}; no ${tagBase}.sig or .att tag`,
  };
}

/**
 * `os/arch[/variant]` of an index entry or an image config.
 * @param {any} item
 * @returns {string | null}
 */
function platformOf(item) {
  const p = item?.platform ?? item;
  if (!p || typeof p.os !== 'string' || typeof p.architecture !== 'string') return null;
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

/**
 * True when `have` satisfies `want` (`linux/arm64` is satisfied by `linux/arm64/v8`).
 * @param {string} have
 * @param {string} want
 * @returns {boolean}
 */
function samePlatform(have, want) {
  if (have === want) return true;
  const [ho, ha, hv] = have.split('/');
  const [wo, wa, wv] = want.split('/');
  return ho === wo && ha === wa && (wv === undefined || wv === hv || (wa === 'arm64' && wv === 'v8' && hv === undefined));
}
