// Commits through GitHub's Git Data API (blobs -> tree -> commit -> ref update), so the
// commit is created (and, for app/bot tokens, signed) by GitHub.

import { GitHubApiError } from '../common/errors.js';
import { refuseUnlessOurs } from '../git/pr-branch.js';

/** Head commit of `refs/heads/branch`, or null when the branch does not exist. */
export async function getBranchHead(client, { owner, repo, branch }) {
  const { status, data } = await client.request(
    'GET /repos/{owner}/{repo}/git/ref/{ref}',
    { owner, repo, ref: `heads/${branch}` },
    undefined,
    { accept: [404] },
  );
  if (status === 404) return null;
  return data?.object?.sha ?? null;
}

/**
 * Creates a commit whose parent is `parent` and whose tree is the parent's tree with
 * `files` replaced. `files`: `[{path, content: Buffer, mode, sha}]` (path relative to the
 * repo root, `/`-separated; `sha` the blob id git computed, if known). `uploaded` holds the
 * blob ids already sent in this run. Returns the new commit id. Does not move any ref.
 */
export async function createApiCommit(client, { owner, repo, parent, files, message, author, uploaded = new Set() }) {
  const parentCommit = await getCommit(client, { owner, repo, sha: parent });
  const tree = [];
  for (const f of files) {
    // a blob this run already uploaded (a retry after the branch moved) is not sent again
    let sha = f.sha && uploaded.has(f.sha) ? f.sha : null;
    if (!sha) {
      const { data: blob } = await client.request(
        'POST /repos/{owner}/{repo}/git/blobs',
        { owner, repo },
        { content: Buffer.from(f.content).toString('base64'), encoding: 'base64' },
      );
      sha = blob.sha;
      uploaded.add(sha);
    }
    tree.push({ path: f.path, mode: f.mode ?? '100644', type: 'blob', sha });
  }
  const { data: newTree } = await client.request(
    'POST /repos/{owner}/{repo}/git/trees',
    { owner, repo },
    { base_tree: parentCommit.tree, tree },
  );
  const body = { message, tree: newTree.sha, parents: [parent] };
  if (author) body.author = { name: author.name, email: author.email };
  const { data: commit } = await client.request('POST /repos/{owner}/{repo}/git/commits', { owner, repo }, body);
  return commit.sha;
}

/**
 * Moves `refs/heads/branch` to `sha`. Without `force` the update must be a fast forward.
 * Resolves `{ok: true}`, or for a 422 `{ok: false, moved, error}`: `moved` only when
 * GitHub says "Update is not a fast forward" (the branch moved meanwhile). Any other 422
 * — GitHub answers a branch protection rule or a ruleset with a bare "Reference update
 * failed" — is a refusal that a retry cannot fix.
 */
export async function updateBranch(client, { owner, repo, branch, sha, force = false }) {
  try {
    await client.request('PATCH /repos/{owner}/{repo}/git/refs/{ref}', { owner, repo, ref: `heads/${branch}` }, { sha, force });
    return { ok: true };
  } catch (e) {
    if (e instanceof GitHubApiError && e.status === 422) return { ok: false, moved: /not a fast.forward/i.test(e.message), error: e };
    throw e;
  }
}

/** Creates `refs/heads/branch` at `sha`; a 422 resolves `{ok: false, moved: false, error}` as for updateBranch. */
export async function createBranch(client, { owner, repo, branch, sha }) {
  try {
    await client.request('POST /repos/{owner}/{repo}/git/refs', { owner, repo }, { ref: `refs/heads/${branch}`, sha });
    return { ok: true };
  } catch (e) {
    if (e instanceof GitHubApiError && e.status === 422) return { ok: false, moved: /already exists/i.test(e.message), error: e };
    throw e;
  }
}

/** Tree and parent ids of commit `sha`, and its author's email. */
export async function getCommit(client, { owner, repo, sha }) {
  const { data } = await client.request('GET /repos/{owner}/{repo}/git/commits/{commit_sha}', { owner, repo, commit_sha: sha });
  return { tree: data.tree.sha, parents: (data.parents ?? []).map((p) => p.sha), email: data.author?.email ?? '' };
}

/**
 * The API side of the rule a push follows (git/pr-branch.js): refuses to move the PR branch
 * off `current` when a commit on it that `base` lacks was authored by someone other than
 * gitops-bump. Ours are commits authored as `author` (pushed by an earlier run, or API
 * commits with an explicit author) or as whoever GitHub made our new commit `sha` in the
 * name of: without an author, GitHub writes the token's owner (a bot, or the person whose
 * token it is), so that identity is read back from the commit rather than guessed.
 * GitHub's compare lists at most 250 commits; the rest count as not ours.
 * @throws {import('../common/errors.js').PipelineError} code `pr-branch-not-ours` (exit 3)
 */
export async function refuseForeignApiCommits(client, { owner, repo, branch, base, current, sha, author }) {
  const { data } = await client.request('GET /repos/{owner}/{repo}/compare/{basehead}', { owner, repo, basehead: `${base}...${current}` });
  const commits = (data.commits ?? []).map((c) => ({ sha: c.sha, name: c.commit?.author?.name ?? '', email: c.commit?.author?.email ?? '' }));
  const ours = await getCommit(client, { owner, repo, sha });
  refuseUnlessOurs(branch, commits, [author.email, ours.email], data.total_commits ?? commits.length);
}
