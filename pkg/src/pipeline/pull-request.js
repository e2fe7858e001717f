// Mode pull-request: the edit is made on the base's remote head (in a temporary worktree
// when the run works in a user's checkout), pushed to a branch derived from the plan (or
// committed there through the API), and a pull request opened or updated on the forge.

import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { refuseForeignCommits, sameChange } from '../git/pr-branch.js';
import { PipelineError } from '../common/errors.js';
import { DEFAULT_BACKOFF } from './backoff.js';
import { withRetries } from './retry.js';
import { closePullRequest, upsertPullRequest } from '../github/pulls.js';
import { closeHeldPullRequest, upsertPullRequest as upsertForgePullRequest } from '../forges/index.js';
import { createApiCommit, createBranch, getBranchHead, getCommit, refuseForeignApiCommits, updateBranch } from '../github/api-commit.js';
import { refUpdateRefused } from '../github/hints.js';
import { pullRequestBody, pullRequestBranch, pullRequestTitle, summarize } from '../template.js';
import { renderPromotion } from '../promote.js';
import { NO_PR } from './run.js';

/**
 * @param {import('./run.js').Run} run set up by workspace.js
 * @returns {Promise<object>} the PipelineResult
 */
export async function pullRequestFlow(run) {
  const { o } = run;
  const ids = { owner: run.owner, repo: run.repo };
  const prBranch = o.prBranch ?? pullRequestBranch(run.plan, { base: run.base });
  if (prBranch === run.base) throw new PipelineError(`the PR branch and the base are both ${prBranch}`, { code: 'usage' });
  // Work on the remote base head; in a user's checkout, in a temporary worktree so the
  // checkout itself is left as it was.
  let git = run.git;
  let root = run.root;
  let parent;
  if (o.apiCommit) parent = await getBranchHead(run.client, { ...ids, branch: run.base });
  // in a shallow clone, fetch shallow too: without --depth git would bring the history
  // below the fetched commit that the clone left out
  run.fetchDepth = (await git.isShallow()) ? 1 : undefined;
  const baseHead = await git.fetchBranch(run.remote, run.base, { depth: run.fetchDepth });
  if (!baseHead) throw new PipelineError(`base branch ${run.base} does not exist on ${run.remote}`, { code: 'git' });
  if (parent && parent !== baseHead) {
    throw new PipelineError(`base branch ${run.base} moved while fetching it; run again`, { code: 'github-api' });
  }
  if (run.ownCheckout) {
    await git.resetHard(baseHead);
  } else {
    const dir = path.join(await run.tempDir(), 'worktree');
    await git.exec(['worktree', 'add', '--quiet', '--detach', '--', dir, baseHead]);
    run.worktree = { gm: git, dir };
    root = await realpath(dir);
    git = run.gm(root);
  }
  const { res, files } = await run.applyAt(git, root);
  const summary = summarize(run.plan, res.changed ?? [], { sourceSha: o.sourceSha });
  if (!files.length) {
    // an open pull request from an earlier run has nothing left to merge: close it (every forge)
    const closed = await (run.forge
      ? closeHeldPullRequest(run.forge.forgeApi, { head: prBranch, base: run.base })
      : closePullRequest(run.client, { ...ids, head: prBranch, base: run.base }));
    const noun = run.forge?.forgeApi.noun ?? 'pull request';
    run.log(`nothing changed on ${run.base}: ${closed ? `closed ${noun} #${closed.number}, which it already holds` : 'no pull request needed'}`);
    return run.done(res, { branch: prBranch, workdir: null, pr: closed ?? NO_PR });
  }
  let sha;
  let attempts = 0;
  let pushed = false;
  if (o.apiCommit) {
    ({ sha, attempts, pushed } = await apiCommitToPrBranch(run, git, res, files, { prBranch, baseHead }));
  } else {
    ({ sha, attempts, pushed } = await pushPrBranch(run, git, await run.commit(git, res, files), { prBranch, baseHead }));
  }
  const fields = {
    head: prBranch,
    base: run.base,
    title: pullRequestTitle(summary, o.title),
    // a promotion's before/after tables, as computed where the plan was applied, unless a body is given
    body: pullRequestBody(summary, (typeof o.body === 'function' ? o.body() : o.body) ?? promotionTables(res.promotions), o.trailers ?? []),
    draft: Boolean(o.draft),
    labels: o.labels,
    people: { reviewers: o.reviewers ?? [], teamReviewers: o.teamReviewers ?? [], assignees: o.assignees ?? [], milestone: o.milestone },
    branchUpdated: pushed,
    // GitHub may not know a branch pushed a moment ago: 1 s, 2 s, 3 s, 4 s by default
    delay: (n) => Math.min(o.backoff.capMs ?? DEFAULT_BACKOFF.capMs, (o.backoff.baseMs ?? DEFAULT_BACKOFF.baseMs) * n),
    warn: run.warn,
  };
  const pullRequest = await (run.forge ? upsertForgePullRequest(run.forge.forgeApi, fields) : upsertPullRequest(run.client, { ...ids, ...fields }));
  const said = { created: 'opened', updated: 'updated', none: 'unchanged:' }[pullRequest.operation];
  run.log(`${said} ${run.forge?.forgeApi.noun ?? 'pull request'} #${pullRequest.number} ${pullRequest.url ?? ''}`);
  const pr = { number: pullRequest.number, url: pullRequest.url, operation: pullRequest.operation };
  return run.done(res, { commit: sha, pushed, attempts, pullRequest, pr, branch: prBranch, workdir: null });
}

/**
 * The body of a pull request that promotes: each promotion's before/after table, in Markdown.
 * @param {import('../plan.js').PromotionTable[] | undefined} promotions
 * @returns {string | undefined} undefined when the plan promotes nothing
 */
function promotionTables(promotions) {
  return promotions?.length ? promotions.map((p) => renderPromotion(/** @type {any} */ (p), 'markdown')).join('\n') : undefined;
}

/**
 * Pushes commit `sha` to the PR branch with a lease on what the branch held, until the push
 * lands, the branch already holds the same change, or it fails for good.
 */
function pushPrBranch(run, git, sha, { prBranch, baseHead }) {
  const { o } = run;
  return withRetries(run, `the branch ${prBranch}`, async (tries) => {
    const current = await git.lsRemoteBranch(run.remote, prBranch);
    if (current && (await sameChange(git, { remote: run.remote, branch: prBranch, current, sha, depth: run.fetchDepth }))) {
      run.log(`${prBranch} already holds this change`);
      return { sha: current, attempts: tries.attempts, pushed: false };
    }
    if (current && !o.prOverwrite) await refuseForeignCommits(git, { branch: prBranch, base: baseHead, current, author: o.author });
    tries.attempts += 1;
    const r = await git.push(run.remote, 'HEAD', prBranch, { lease: current ?? '' });
    if (r.ok) return { sha, attempts: tries.attempts, pushed: true };
    if (!r.retryable) throw run.pushFailed(prBranch, r, tries.attempts);
    run.log(`push to ${prBranch} rejected (${r.reason}): it moved, retrying with a fresh lease`);
    return tries.again(r.reason);
  });
}

/**
 * Commits the change onto the base head through the API and points the PR branch at it;
 * nothing is written when the branch already holds the same tree on the same parent (a
 * rewrite would re-run its checks and may dismiss approvals).
 */
async function apiCommitToPrBranch(run, git, res, files, { prBranch, baseHead }) {
  const ids = { owner: run.owner, repo: run.repo };
  const blobs = await run.stagedBlobs(git, files);
  const tree = await git.output(['write-tree']); // the tree GitHub would build from the same blobs
  const current = await getBranchHead(run.client, { ...ids, branch: prBranch });
  if (current) {
    const c = await getCommit(run.client, { ...ids, sha: current });
    if (c.tree === tree && c.parents.length === 1 && c.parents[0] === baseHead) {
      run.log(`${prBranch} already holds this change`);
      return { sha: current, attempts: 0, pushed: false };
    }
  }
  const sha = await createApiCommit(run.client, {
    ...ids,
    parent: baseHead,
    files: blobs,
    message: run.message(res),
    author: run.o.explicitAuthor ? run.o.author : null,
  });
  if (current && !run.o.prOverwrite) await refuseForeignApiCommits(run.client, { ...ids, branch: prBranch, base: baseHead, current, sha, author: run.o.author });
  const u = current
    ? await updateBranch(run.client, { ...ids, branch: prBranch, sha, force: true })
    : await createBranch(run.client, { ...ids, branch: prBranch, sha });
  if (!u.ok && u.moved) throw new PipelineError(`${prBranch} was created by another run meanwhile; run again`, { code: 'github-api' });
  if (!u.ok) throw new PipelineError(refUpdateRefused(prBranch, u.error, { pr: true }), { code: 'ref-update-refused', details: { attempts: 1 } });
  return { sha, attempts: 1, pushed: true };
}
