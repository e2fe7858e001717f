// Mode api-commit: the commit is made through GitHub's Git Data API (GitHub signs it) and
// the branch moved to it, re-applying the plan when the branch moved meanwhile.

import { PipelineError } from '../common/errors.js';
import { withRetries } from './retry.js';
import { createApiCommit, getBranchHead, updateBranch } from '../github/api-commit.js';
import { refUpdateRefused } from '../github/hints.js';
import { pipelineWord } from '../hints.js';

/**
 * @param {import('./run.js').Run} run set up by workspace.js
 * @returns {Promise<object>} the PipelineResult
 */
export async function apiCommitFlow(run) {
  const { git } = run;
  await run.requireCleanCheckout();
  run.origBase = await git.tryRevParse('HEAD');
  try {
    return await apiCommitAttempts(run, git);
  } catch (e) {
    // nothing landed: leave the checkout as it was (the clean-checkout check above makes this safe)
    await git.resetHard('HEAD').catch(() => {});
    throw e;
  }
}

/** Applies, commits through the API and moves the branch until the update lands or fails for good. */
function apiCommitAttempts(run, git) {
  const { o } = run;
  const ids = { owner: run.owner, repo: run.repo };
  const uploaded = new Set();
  return withRetries(run, `the branch ${run.branch}`, async (tries) => {
    const parent = await getBranchHead(run.client, { ...ids, branch: run.branch });
    if (!parent) throw new PipelineError(`branch ${run.branch} does not exist in ${run.owner}/${run.repo}`, { code: 'github-api' });
    // every apply starts from the files of HEAD: a rejected attempt's edits are dropped,
    // whether or not the branch reads as moved
    await git.resetHard('HEAD');
    if ((await git.tryRevParse('HEAD')) !== parent && !(await run.resetToRemote(git, run.branch, parent))) {
      tries.attempts += 1;
      return tries.again('moved while fetching');
    }
    const { res, files } = await run.applyAt(git, run.root);
    if (!files.length) {
      run.log(tries.attempts ? 'nothing to commit after re-applying: the branch already has these values' : 'nothing changed');
      return run.done(res, { attempts: tries.attempts, branch: run.branch, workdir: run.workdir() });
    }
    const sha = await createApiCommit(run.client, {
      ...ids,
      parent,
      files: await run.stagedBlobs(git, files),
      message: run.message(res),
      author: o.explicitAuthor ? o.author : null,
      uploaded,
    });
    tries.attempts += 1;
    const u = await updateBranch(run.client, { ...ids, branch: run.branch, sha, force: false });
    if (u.ok) {
      run.log(`updated ${run.branch} to ${sha.slice(0, 12)} through the API (attempt ${tries.attempts})`);
      await syncAfterApiCommit(run, git, sha);
      return run.done(res, { commit: sha, pushed: true, attempts: tries.attempts, branch: run.branch, workdir: run.workdir() });
    }
    if (!u.moved) {
      throw new PipelineError(refUpdateRefused(run.branch, u.error, { prWords: pipelineWord('pr', o.frontEnd) }), { code: 'ref-update-refused', details: { attempts: tries.attempts } });
    }
    run.log(`ref update rejected (not a fast forward): ${run.branch} moved`);
    return tries.again('not a fast forward');
  });
}

/** Makes the local checkout match the commit GitHub made (best effort). */
async function syncAfterApiCommit(run, git, sha) {
  try {
    const head = await git.fetchBranch(run.remote, run.branch);
    if (head === sha) await git.resetHard(sha);
  } catch (e) {
    run.log(`could not fetch the new commit: ${e.message}`);
  }
}
