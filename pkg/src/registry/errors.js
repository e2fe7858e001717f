/**
 * Registry errors: one {@link GitopsBumpError} per kind, with the image, the registry, the
 * tag and what the registry answered, and a line saying what to do.
 *
 * Kinds (the CLI's exit codes are in docs/registries.md):
 * - `tag-not-found`, `digest-mismatch`, `platform-missing`, `signature-missing`,
 *   `digest-not-found` (a promoted digest missing under the target's name): the
 *   registry answered, and the image is not what was asked for;
 * - `registry-auth`: the registry refused the credentials (or their absence);
 * - `registry-unreachable`: no usable answer (network, TLS, 5xx, rate limit past the bound,
 *   an answer that cannot be trusted).
 *
 * @module gitops-bump/registry/errors
 */
import { GitopsBumpError } from '../errors.js';

/** Kinds where the registry answered and the image is wrong. */
export const REFUSED_KINDS = Object.freeze(['tag-not-found', 'digest-mismatch', 'platform-missing', 'signature-missing', 'digest-not-found']);
/** Kinds where the registry could not be asked, or would not answer. */
export const UNAVAILABLE_KINDS = Object.freeze(['registry-auth', 'registry-unreachable']);

/**
 * An error about one image in one registry.
 */
export class RegistryError extends GitopsBumpError {
  /**
   * @param {string} kind one of {@link REFUSED_KINDS} or {@link UNAVAILABLE_KINDS}
   * @param {string} summary the first line, without the `error[kind]: ` prefix
   * @param {object} details
   * @param {string} [details.image] the image as the user named it
   * @param {string} [details.registry]
   * @param {string} [details.tag]
   * @param {string} [details.answer] what the registry answered (status, error code, message)
   * @param {string} [details.hint] what to do
   * @param {unknown} [details.cause]
   */
  constructor(kind, summary, details = {}) {
    const lines = [`error[${kind}]: ${summary}`];
    if (details.registry) lines.push(`  --> registry ${details.registry}${details.answer ? ` answered: ${details.answer}` : ''}`);
    else if (details.answer) lines.push(`  --> ${details.answer}`);
    if (details.hint) lines.push(`  = help: ${details.hint}`);
    super(lines.join('\n'), { kind, found: details.answer, hint: details.hint, cause: details.cause });
    this.name = 'RegistryError';
    /** @type {string | undefined} */
    this.image = details.image;
    /** @type {string | undefined} */
    this.registry = details.registry;
    /** @type {string | undefined} */
    this.tag = details.tag;
  }

  /** @returns {any} the structured fields, with the image, registry and tag */
  fields() {
    return { ...super.fields(), image: this.image, registry: this.registry, tag: this.tag };
  }
}

/**
 * True for an error of a kind where the registry could not be asked (the Action's
 * `verify: auto` turns these into warnings).
 * @param {unknown} error
 * @returns {boolean}
 */
export function isUnavailable(error) {
  return error instanceof RegistryError && UNAVAILABLE_KINDS.includes(error.kind);
}
