// What is on a pull request's branch before gitops-bump writes it again: the same change
// (nothing to push), or commits someone else pushed there (not to be force-pushed away).

import { PipelineError } from '../common/errors.js';

/**
 * True when the remote PR branch (at `current`) has our commit's parent and tree: a rerun
 * with nothing new. Fetches the branch (`depth` in a shallow clone).
 * @param {import('./command-manager.js').GitCommandManager} git
 * @param {{remote: string, branch: string, current: string, sha: string, depth?: number}} where
 */
export async function sameChange(git, { remote, branch, current, sha, depth }) {
  const fetched = await git.fetchBranch(remote, branch, { depth }).catch(() => null);
  if (fetched !== current) return false;
  const pick = (txt) =>
    txt
      .split('\n\n')[0]
      .split('\n')
      .filter((l) => l.startsWith('tree ') || l.startsWith('parent '))
      .join('\n');
  const a = await git.output(['cat-file', 'commit', current]);
  const b = await git.output(['cat-file', 'commit', sha]);
  return pick(a) === pick(b);
}

/**
 * Refuses to replace the PR branch when it holds a commit gitops-bump did not make (one
 * whose author is not `author`): a reviewer's fix pushed to the bot's branch would be
 * force-pushed away. The commits looked at are those of `current` that `base` lacks, as far
 * as the fetched history goes (in a shallow clone, the branch's last commit). `sameChange`
 * fetched `current` already.
 * @param {import('./command-manager.js').GitCommandManager} git
 * @param {{branch: string, base: string, current: string, author: {name: string, email: string}}} where
 * @throws {PipelineError} code `pr-branch-not-ours` (exit 3)
 */
export async function refuseForeignCommits(git, { branch, base, current, author }) {
  const r = await git.exec(['log', '--format=%H%x00%an <%ae>%x00%ae', `${base}..${current}`, '--'], { allowFailure: true });
  if (r.exitCode !== 0) return;
  const foreign = r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\0'))
    .filter(([, , email]) => email.toLowerCase() !== author.email.toLowerCase());
  if (!foreign.length) return;
  const [sha, who] = foreign[0];
  throw new PipelineError(
    `the pull request branch ${branch} holds ${foreign.length === 1 ? 'a commit' : `${foreign.length} commits`} that gitops-bump did not make ` +
      `(${sha.slice(0, 12)} by ${who}); replacing the branch would throw ${foreign.length === 1 ? 'it' : 'them'} away, so nothing was pushed. ` +
      'Merge or close that pull request, or allow replacing the branch with --pr-overwrite (Action: pr-overwrite: true)',
    { code: 'pr-branch-not-ours' },
  );
}
