/**
 * Image references as registries read them: `[host[:port]/]path[:tag][@digest]`, with
 * Docker Hub's rules (no host means `docker.io`; a one-part path on Docker Hub is under
 * `library/`; `index.docker.io` and `registry-1.docker.io` are Docker Hub too, and its API
 * lives on `registry-1.docker.io`).
 *
 * @module gitops-bump/registry/reference
 */
import { GitopsBumpError } from '../errors.js';

/** Docker Hub's canonical name, its other names, and the host its API answers on. */
export const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
const DOCKER_HUB_API = 'registry-1.docker.io';

/** A path component (lowercase alphanumerics joined by `.`, `_`, `__`, or dashes). */
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

/**
 * @typedef {object} ImageReference
 * @property {string} registry the registry as named for credentials (`docker.io` for Docker Hub)
 * @property {string} host the host (and port) the registry's API answers on
 * @property {string} repository the repository path (`library/nginx` on Docker Hub)
 * @property {string | undefined} tag
 * @property {string | undefined} digest
 * @property {string} name the reference without tag or digest, as written (`ghcr.io/acme/api`)
 */

/**
 * Parses an image reference. The error names the reference and the part that is wrong.
 * @param {string} text e.g. `ghcr.io/acme/api:1.2.3`, `nginx`, `localhost:5000/app@sha256:…`
 * @returns {ImageReference}
 * @throws {GitopsBumpError} kind `image-spec`
 */
export function parseReference(text) {
  const fail = (/** @type {string} */ why) =>
    new GitopsBumpError(`\`${text}\` is not an image reference a registry can resolve: ${why}`, { kind: 'image-spec', found: text });
  if (typeof text !== 'string' || text === '') throw fail('it is empty');
  let rest = text;
  /** @type {string | undefined} */
  let digest;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw fail(`the digest \`${digest}\` is not sha256:<64 hex digits> (or sha512:<128>)`);
  }
  /** @type {string | undefined} */
  let tag;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw fail(`the tag \`${tag}\` is not a valid tag (letters, digits, _ . -, up to 128, not starting with . or -)`);
  }
  const name = rest;
  const parts = rest.split('/');
  let registry = DOCKER_HUB;
  if (parts.length > 1 && (parts[0].includes('.') || parts[0].includes(':') || parts[0] === 'localhost' || /[A-Z]/.test(parts[0]))) {
    registry = /** @type {string} */ (parts.shift());
    if (!/^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9a-fA-F:.]+\](?::\d{1,5})?$/.test(registry)) throw fail(`the host \`${registry}\` is not a host name`);
  }
  if (DOCKER_HUB_ALIASES.has(registry.toLowerCase())) registry = DOCKER_HUB;
  for (const part of parts) {
    if (!COMPONENT.test(part)) throw fail(`the path component \`${part}\` must be lowercase letters and digits, joined by . _ or -`);
  }
  if (registry === DOCKER_HUB && parts.length === 1) parts.unshift('library');
  return {
    registry: registry.toLowerCase(),
    host: registry === DOCKER_HUB ? DOCKER_HUB_API : registry.toLowerCase(),
    repository: parts.join('/'),
    tag,
    digest,
    name,
  };
}

/**
 * The keys a Docker `config.json` may file a registry's credentials under, most specific
 * first (Docker Hub's are historically `https://index.docker.io/v1/`).
 * @param {string} registry as in {@link ImageReference.registry}
 * @returns {string[]}
 */
export function credentialKeys(registry) {
  if (registry === DOCKER_HUB) {
    return ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io', 'https://registry-1.docker.io'];
  }
  return [registry, `https://${registry}`, `http://${registry}`, `https://${registry}/v1/`, `https://${registry}/v2/`];
}

/**
 * The reference as people read it: `registry/repository[:tag][@digest]`.
 * @param {ImageReference} ref
 * @returns {string}
 */
export function formatReference(ref) {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/**
 * True for hosts on the loopback interface (plain HTTP is allowed there).
 * @param {string} host host, optionally with a port
 * @returns {boolean}
 */
export function isLoopback(host) {
  const bare = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}
