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
  const r = await git.exec(['log', '--format=%H%x00%an%x00%ae', `${base}..${current}`, '--'], { allowFailure: true });
  if (r.exitCode !== 0) return;
  const commits = r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\0'))
    .map(([sha, name, email]) => ({ sha, name, email }));
  refuseUnlessOurs(branch, commits, [author.email]);
}

/**
 * The one rule for both ways of writing a PR branch (a push, an API commit): every commit
 * the branch holds beyond the base must be authored by one of `ours` (emails, compared
 * without case); `total`, when larger than `commits.length`, counts commits not listed,
 * which are not vouched for either.
 * @param {string} branch
 * @param {{sha: string, name: string, email: string}[]} commits newest or oldest first
 * @param {string[]} ours
 * @param {number} [total]
 * @throws {PipelineError} code `pr-branch-not-ours` (exit 3)
 */
export function refuseUnlessOurs(branch, commits, ours, total = commits.length) {
  const mine = new Set(ours.filter(Boolean).map((e) => e.toLowerCase()));
  const foreign = commits.filter((c) => !mine.has(String(c.email).toLowerCase()));
  const count = foreign.length + Math.max(0, total - commits.length);
  if (!count) return;
  const seen = foreign[0] ? ` (${foreign[0].sha.slice(0, 12)} by ${foreign[0].name} <${foreign[0].email}>)` : ` (${count} not listed by the API)`;
  throw new PipelineError(
    `the pull request branch ${branch} holds ${count === 1 ? 'a commit' : `${count} commits`} that gitops-bump did not make${seen}; ` +
      `replacing the branch would throw ${count === 1 ? 'it' : 'them'} away, so nothing was pushed. ` +
      'Merge or close that pull request, or allow replacing the branch with --pr-overwrite',
    { code: 'pr-branch-not-ours' },
  );
}
