/**
 * Applies tag policies to a run's images: each repository's tags are listed once (Link
 * pages, a page cap, loop detection), the newest tag the policy allows becomes the spec's
 * tag, and the pick is recorded with why the newer tags were skipped. No allowed tag is
 * `tag-not-found`, naming the policy and what the registry has.
 *
 * @module gitops-bump/registry/choose
 */
import { usageError } from '../errors.js';
import { RegistryError } from './errors.js';
import { formatReference, parseReference } from './reference.js';
import { parsePolicy, parseTagFilter, pickTag } from './policy.js';

/**
 * Rewrites each job's spec and reference to the picked tag (in place); a job whose tag
 * cannot be picked gets the reason as `failed` instead (every job is tried).
 * @param {import('./client.js').RegistryClient} client
 * @param {{spec: string, settings: any, ref: any, picked?: any, failed?: unknown}[]} jobs jobs with a policy
 * @returns {Promise<void>}
 */
export async function applyPolicies(client, jobs) {
  /** @type {Map<string, Promise<{tags: string[], pages: number, truncated: boolean, reason?: string}>>} */
  const listings = new Map();
  for (const job of jobs) {
    let policy;
    let filter;
    try {
      policy = parsePolicy(job.settings.policy);
      filter = parseTagFilter(job.settings.tagFilter);
    } catch (error) {
      throw usageError(`\`${job.spec}\`: ${/** @type {Error} */ (error).message}`);
    }
    const repo = formatReference({ ...job.ref, tag: undefined, digest: undefined });
    let listing = listings.get(repo);
    if (!listing) {
      listing = client.listTags(job.ref);
      listings.set(repo, listing);
    }
    let listed;
    try {
      listed = await listing;
    } catch (error) {
      job.failed = error;
      continue;
    }
    const pick = pickTag(listed.tags, policy, filter);
    if (listed.truncated) {
      job.failed = new RegistryError('registry-unreachable', `${repo}: the tag list could not be read to its end`, {
        image: repo, registry: job.ref.registry, answer: listed.reason, hint: 'a policy needs every tag; narrow the repository or ask its operator',
      });
      continue;
    }
    if (!pick.tag) {
      job.failed = new RegistryError('tag-not-found', `${repo}: no tag is allowed by ${policy.text}${filter ? ` with the filter ${filter.source}` : ''}`, {
        image: repo,
        registry: job.ref.registry,
        answer: `${pick.from} tags, ${pick.candidates} of them ${policy.kind === 'semver' ? 'versions' : 'candidates'}${pick.newer.length ? `; newest skipped: ${pick.newer.slice(0, 3).map((n) => `${n.tag} (${n.why})`).join(', ')}` : ''}`,
        hint: 'check the policy and the filter against the tags CI pushed',
      });
      continue;
    }
    job.picked = { policy: policy.text, tag: pick.tag, from: pick.from, pages: listed.pages, candidates: pick.candidates, newer: pick.newer };
    job.spec = `${job.spec}:${pick.tag}`;
    job.ref = parseReference(`${job.ref.name}:${pick.tag}`);
  }
}
