// Modes commit and push: commit the edit in the checkout and (push) push it to the branch,
// re-applying the plan on the remote's new head when it moved.

import { PipelineError } from '../common/errors.js';
import { AttemptClock } from './backoff.js';
import { withRetries } from './retry.js';

/**
 * @param {import('./run.js').Run} run set up by workspace.js
 * @returns {Promise<object>} the PipelineResult
 */
export async function pushFlow(run) {
  const { git } = run;
  // mode commit stops at the commit; --repo alone is a push (modes.js)
  const push = run.mode === 'push';
  if (push && !run.remoteUrl) {
    // before anything is edited or committed: a push with nowhere to go changes nothing
    // only the command line can name another remote; the Action and the orb push to origin
    const another = run.o.frontEnd === 'action' || run.o.frontEnd === 'orb' ? '' : ', or name another with --remote';
    throw new PipelineError(
      `cannot push: this checkout has no remote \`${run.remote}\` (add one with git remote add ${run.remote} URL${another}); nothing was edited or committed`,
      { code: 'no-remote' },
    );
  }
  if (push) await run.requireCleanCheckout();
  run.origBase = await git.tryRevParse('HEAD');
  if (!push || run.ownCheckout || !run.origBase) return pushLoop(run, push);
  try {
    return await pushLoop(run, push);
  } catch (error) {
    // the checkout was clean (requireCleanCheckout): put its branch back where it was, so a
    // failed push leaves neither the edit nor a commit behind
    const reset = await git.exec(['reset', '--quiet', '--hard', run.origBase], { allowFailure: true });
    if (reset.exitCode === 0) run.log(`push failed: the checkout is back at ${run.origBase.slice(0, 12)}, as it was`);
    throw error;
  }
}

/** Applies, commits and (with `push`) pushes until the push lands or fails for good. */
function pushLoop(run, push) {
  const { git } = run;
  const clock = new AttemptClock(git, run.origBase);
  return withRetries(
    run,
    `the remote branch ${run.branch}`,
    async (tries) => {
      if (tries.retried) clock.fetched(await run.resetToRemote(git, run.branch));
      const { res, files } = await run.applyAt(git, run.root);
      if (!files.length) {
        run.log(tries.attempts ? 'nothing to commit after re-applying: the remote already has these values' : 'nothing changed');
        return run.done(res, { attempts: tries.attempts, branch: run.branch, workdir: run.workdir() });
      }
      const sha = await run.commit(git, res, files);
      run.log(`committed ${sha.slice(0, 12)} (${files.join(', ')})`);
      if (!push) return run.done(res, { commit: sha, branch: run.branch, workdir: run.workdir() });
      tries.attempts += 1;
      const r = await git.push(run.remote, 'HEAD', run.branch);
      if (r.ok) {
        run.log(`pushed ${sha.slice(0, 12)} to ${run.branch} (attempt ${tries.attempts})`);
        return run.done(res, { commit: sha, pushed: true, attempts: tries.attempts, branch: run.branch, workdir: run.workdir() });
      }
      if (!r.retryable) throw run.pushFailed(run.branch, r, tries.attempts);
      run.log(`push rejected (${r.reason}): the remote moved`);
      return tries.again(r.reason);
    },
    clock,
  );
}
