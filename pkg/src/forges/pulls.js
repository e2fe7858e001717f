// The pull request flow over the forge interface: open or update the pull request (a merge
// request on GitLab) for a head branch, add labels and reviewers, close stale ones. What a
// forge cannot do is a warning, never a failure: the pull request is open either way.

import { PipelineError } from '../common/errors.js';

/**
 * @typedef {object} ForgePullRequest  what every forge's `normalize()` returns
 * @property {number} number  GitHub/Gitea/Bitbucket number, GitLab iid
 * @property {string} url     the page a person opens
 * @property {string} title
 * @property {string} body
 * @property {string} head
 * @property {string|null} headSha
 * @property {string} base
 * @property {boolean} sameRepo  the head branch is in this repository (not a fork)
 * @property {string[]} labels
 * @property {boolean} draft
 */

/**
 * @typedef {object} UpsertResult
 * @property {number} number
 * @property {string} url
 * @property {'created'|'updated'|'none'} operation  `none`: open already, neither its branch nor its title/body changed
 * @property {boolean} created
 * @property {boolean} updated
 * @property {boolean} draft
 */

/**
 * Finds the open pull request from `head` into `base` and updates its title/body when they
 * differ, or creates one. When another run opened it between our look-up and our create
 * (the forge answers "already exists"), the one it opened is updated instead.
 * @param {object} forge  a GitHubForge, GiteaForge, GitLabForge or BitbucketForge
 * @returns {Promise<UpsertResult>}
 */
export async function upsertPullRequest(
  forge,
  { head, base, title, body = '', draft = false, labels = [], reviewers = [], branchUpdated = true, warn = () => {} },
) {
  const text = fitBody(forge, body, warn);
  if (draft && !forge.capabilities.draft) warn(`${forge.label} has no draft ${forge.noun}s that this tool can open: the ${forge.noun} is opened ready for review`);
  let existing = await forge.findOpen({ head, base });
  let pr;
  let operation;
  if (!existing) {
    try {
      pr = await forge.create({ head, base, title, body: text, draft: draft && forge.capabilities.draft });
      operation = 'created';
    } catch (e) {
      if (!forge.isAlreadyExists(e)) throw e;
      existing = await forge.findOpen({ head, base });
      if (!existing) throw e;
    }
  }
  if (!pr) {
    if (existing.title === title && existing.body === text) {
      pr = existing;
      operation = branchUpdated ? 'updated' : 'none';
    } else {
      pr = await forge.update(existing, { title, body: text });
      operation = 'updated';
    }
  }
  await addLabels(forge, pr, labels, warn);
  await requestReviewers(forge, pr, reviewers, warn);
  return { number: pr.number, url: pr.url, operation, created: operation === 'created', updated: operation === 'updated', draft: Boolean(pr.draft) };
}

async function addLabels(forge, pr, labels, warn) {
  const wanted = [...new Set(labels.filter(Boolean))].filter((l) => !pr.labels.includes(l));
  if (!wanted.length) return;
  if (!forge.capabilities.labels) {
    warn(`${forge.label} ${forge.noun}s have no labels: ${wanted.join(', ')} not added to #${pr.number}`);
    return;
  }
  try {
    const missing = await forge.addLabels(pr, wanted);
    if (missing.length) warn(`the labels ${missing.join(', ')} do not exist in the repository: not added to ${forge.noun} #${pr.number} (create them once)`);
  } catch (e) {
    if (!isRefusal(e)) throw e;
    warn(`could not add the labels ${wanted.join(', ')} to ${forge.noun} #${pr.number}: ${e.message}`);
  }
}

async function requestReviewers(forge, pr, reviewers, warn) {
  const wanted = [...new Set(reviewers.filter(Boolean))];
  if (!wanted.length) return;
  if (!forge.capabilities.reviewers) {
    warn(`${forge.label}: reviewers are not requested by name here (its API takes account ids): ${wanted.join(', ')} not requested on #${pr.number}`);
    return;
  }
  try {
    await forge.requestReviewers(pr, wanted);
  } catch (e) {
    if (!isRefusal(e)) throw e;
    warn(`could not request reviews from ${wanted.join(', ')} on ${forge.noun} #${pr.number}: ${e.message}`);
  }
}

/** A 4xx answer to an optional step (labels, reviewers): warn and carry on. */
function isRefusal(e) {
  return e instanceof PipelineError && Number.isInteger(e.status) && e.status >= 400 && e.status < 500 && e.status !== 401;
}

/**
 * Closes the open pull request from `head` into `base` (an earlier run's, whose change the
 * base now holds): the same outcome as GitHub's, `operation: 'closed'`. Null when none is open.
 * @returns {Promise<{number: number, url: string, operation: 'closed'}|null>}
 */
export async function closeHeldPullRequest(forge, { head, base }) {
  const open = await forge.findOpen({ head, base });
  if (!open) return null;
  const closed = await forge.close(open);
  return { number: open.number, url: closed?.url ?? open.url, operation: 'closed' };
}

/**
 * Closes every open pull request into `base` whose head branch starts with `prefix` and
 * is not `keep` (an earlier run's branch for a tag that was superseded), with `comment`
 * when the forge takes comments. Returns the numbers closed.
 */
export async function closeStalePullRequests(forge, { base, prefix, keep, comment, warn = () => {} }) {
  if (!prefix) return [];
  const open = await forge.listOpen({ base });
  const stale = open.filter((p) => p.sameRepo && p.head !== keep && p.head.startsWith(prefix));
  const closed = [];
  for (const p of stale) {
    if (comment) {
      if (forge.comment) await forge.comment(p, comment);
      else warn(`${forge.label}: no comment left on ${forge.noun} #${p.number} before closing it`);
    }
    await forge.close(p);
    closed.push(p.number);
  }
  return closed;
}

const CUT = (limit, label) => `\n\n… (truncated: ${label} takes at most ${limit} characters; the commit has every change)`;

/** The body, cut with a note when the forge would refuse its length. */
export function fitBody(forge, body, warn = () => {}) {
  const limit = forge.capabilities.maxBody;
  if (!limit || body.length <= limit) return body;
  warn(`the ${forge.noun} body has ${body.length} characters; it was truncated to ${forge.label}'s limit of ${limit}`);
  const note = CUT(limit, forge.label);
  return body.slice(0, limit - note.length) + note;
}
