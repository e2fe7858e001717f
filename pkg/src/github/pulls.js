// Open or update the pull request for a head branch; add labels.

import { GitHubApiError } from '../common/errors.js';
import { sleep as realSleep } from '../common/sleep.js';

/** GitHub refuses a pull request body longer than this (422). */
export const MAX_BODY_LENGTH = 65536;
/** Tries of POST /pulls while GitHub has not caught up with a branch pushed a moment ago. */
export const HEAD_INVALID_TRIES = 5;
const CUT_NOTE = `\n\n… (truncated: GitHub takes at most ${MAX_BODY_LENGTH} characters; the commit has every change)`;

/**
 * @typedef {object} PullRequestResult
 * @property {number} number
 * @property {string} url       the PR's html_url
 * @property {'created'|'updated'|'none'} operation  `none`: it was open already and neither its branch nor its title/body changed
 * @property {boolean} created
 * @property {boolean} updated
 * @property {boolean} draft
 */

/**
 * Finds the open PR from `owner:head` into `base` and updates its title/body (PATCH; only
 * when they differ; its base is never changed), or creates one (POST). Then adds `labels`.
 * Conditions GitHub may answer with, handled here: a body over 65536 characters is cut
 * with a note; "Draft pull requests are not supported" is retried without draft; the
 * "head invalid" answer right after a push is retried (`delay(n)` ms before try n+1); a
 * label that cannot be added is a warning. `warn(text)` receives each warning.
 * @param {import('./client.js').GitHubClient} client
 * @returns {Promise<PullRequestResult>}
 */
export async function upsertPullRequest(
  client,
  { owner, repo, head, base, title, body, draft = false, labels = [], people = {}, branchUpdated = true, delay = (n) => 1000 * n, sleep = realSleep, warn = () => {} },
) {
  const ids = { owner, repo };
  const text = fitBody(body ?? '', warn);
  const existing = await findPullRequest(client, { owner, repo, head, base });
  let pr;
  let operation;
  if (!existing) {
    pr = await createPullRequest(client, ids, { title, head, base, body: text, draft }, { delay, sleep, warn });
    operation = 'created';
  } else if (existing.title === title && (existing.body ?? '') === text) {
    pr = existing;
    operation = branchUpdated ? 'updated' : 'none';
  } else {
    ({ data: pr } = await client.request('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', { ...ids, pull_number: existing.number }, { title, body: text }));
    operation = 'updated';
  }
  await addLabels(client, ids, pr, labels, warn);
  await addPeople(client, ids, pr, people, warn);
  return { number: pr.number, url: pr.html_url, operation, created: operation === 'created', updated: operation === 'updated', draft: Boolean(pr.draft) };
}

/**
 * The open PR whose head is the branch `head` of `owner/repo` and whose base is `base`, or
 * null. The query names both, and the answer is filtered again: GitHub's head filter can
 * return the PR of another branch that points at the same commit.
 */
export async function findPullRequest(client, { owner, repo, head, base }) {
  const { data } = await client.request('GET /repos/{owner}/{repo}/pulls', {
    owner,
    repo,
    head: `${owner}:${head}`,
    base,
    state: 'open',
    per_page: 100,
  });
  const slug = `${owner}/${repo}`.toLowerCase();
  const ours = (p) => p?.head?.ref === head && p?.base?.ref === base && (!p.head.repo || String(p.head.repo.full_name).toLowerCase() === slug);
  return (Array.isArray(data) ? data : []).find(ours) ?? null;
}

/** POST /pulls, retrying the two answers a retry can fix. */
async function createPullRequest(client, ids, fields, { delay, sleep, warn }) {
  const create = { title: fields.title, head: fields.head, base: fields.base, body: fields.body };
  if (fields.draft) create.draft = true;
  for (let attempt = 1; ; attempt += 1) {
    try {
      const { data } = await client.request('POST /repos/{owner}/{repo}/pulls', ids, create);
      if (fields.draft && !create.draft) warn(`the repository does not support draft pull requests: opened #${data.number} as ready for review`);
      return data;
    } catch (e) {
      if (!(e instanceof GitHubApiError) || e.status !== 422) throw e;
      if (create.draft && /draft pull requests are not supported/i.test(e.message)) {
        delete create.draft;
        continue;
      }
      if (isHeadInvalid(e) && attempt < HEAD_INVALID_TRIES) {
        await sleep(delay(attempt));
        continue;
      }
      throw e;
    }
  }
}

/** GitHub's answer to POST /pulls for a head branch it does not know (yet). */
function isHeadInvalid(e) {
  const errors = Array.isArray(e.response?.errors) ? e.response.errors : [];
  return errors.some((x) => x && x.field === 'head' && x.code === 'invalid');
}

/** Adds the labels the PR does not have yet; a refusal is a warning, not a failure (the PR is open). */
async function addLabels(client, ids, pr, labels, warn) {
  const have = new Set((pr.labels ?? []).map((l) => (typeof l === 'string' ? l : l?.name)));
  const wanted = [...new Set(labels.filter(Boolean))].filter((l) => !have.has(l));
  if (!wanted.length) return;
  try {
    await client.request('POST /repos/{owner}/{repo}/issues/{issue_number}/labels', { ...ids, issue_number: pr.number }, { labels: wanted });
  } catch (e) {
    if (!(e instanceof GitHubApiError) || ![403, 404, 410, 422].includes(e.status ?? 0)) throw e;
    warn(
      `could not add the labels ${wanted.join(', ')} to pull request #${pr.number} (${e.status}: ${e.response?.message ?? e.message}): ` +
        'a label that does not exist yet is created on first use, which needs issues: write (a workflow token with pull-requests: write ' +
        'cannot); create the labels in the repository once, or give the token that permission',
    );
  }
}

/**
 * Requests reviews (users and teams), adds assignees and sets the milestone (its number).
 * As with labels, a refusal (403, 404, 410, 422: not a collaborator, a team the token cannot
 * see, a milestone that does not exist) is a warning: the pull request is open.
 * @param {import('./client.js').GitHubClient} client
 * @param {{owner: string, repo: string}} ids
 * @param {{number: number}} pr
 * @param {{reviewers?: string[], teamReviewers?: string[], assignees?: string[], milestone?: number}} people
 * @param {(text: string) => void} warn
 */
async function addPeople(client, ids, pr, { reviewers = [], teamReviewers = [], assignees = [], milestone } = {}, warn = () => {}) {
  const n = pr.number;
  const steps = [];
  // users and teams in requests of their own: GitHub refuses the whole request when it
  // refuses one team (a token without organization read), and the users would be lost
  const review = (body) => () => client.request('POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers', { ...ids, pull_number: n }, body);
  if (reviewers.length) steps.push([`request reviews from ${reviewers.join(', ')}`, review({ reviewers })]);
  if (teamReviewers.length) steps.push([`request reviews from ${teamReviewers.map((t) => `team ${t}`).join(', ')}`, review({ team_reviewers: teamReviewers })]);
  if (assignees.length) {
    steps.push([`assign ${assignees.join(', ')}`, () => client.request('POST /repos/{owner}/{repo}/issues/{issue_number}/assignees', { ...ids, issue_number: n }, { assignees })]);
  }
  if (milestone !== undefined && milestone !== null) {
    steps.push([`set milestone ${milestone}`, () => client.request('PATCH /repos/{owner}/{repo}/issues/{issue_number}', { ...ids, issue_number: n }, { milestone })]);
  }
  for (const [what, call] of steps) {
    try {
      await call();
    } catch (e) {
      if (!(e instanceof GitHubApiError) || ![403, 404, 410, 422].includes(e.status ?? 0)) throw e;
      warn(`could not ${what} on pull request #${n} (${e.status}: ${e.response?.message ?? e.message})`);
    }
  }
}

/** The body, cut with a note when GitHub would refuse its length. */
export function fitBody(body, warn = () => {}) {
  if (body.length <= MAX_BODY_LENGTH) return body;
  warn(`the pull request body has ${body.length} characters; it was truncated to GitHub's limit of ${MAX_BODY_LENGTH}`);
  return body.slice(0, MAX_BODY_LENGTH - CUT_NOTE.length) + CUT_NOTE;
}

/**
 * Closes the open pull request from `head` into `base` when the base already holds its
 * change (a later run found nothing to change): `{number, url, operation: 'closed'}`, or
 * null when none was open.
 * @param {import('./client.js').GitHubClient} client
 * @param {{owner: string, repo: string, head: string, base: string}} ids
 */
export async function closePullRequest(client, { owner, repo, head, base }) {
  const open = await findPullRequest(client, { owner, repo, head, base });
  if (!open) return null;
  const { data } = await client.request('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', { owner, repo, pull_number: open.number }, { state: 'closed' });
  return { number: data.number, url: data.html_url, operation: 'closed' };
}
