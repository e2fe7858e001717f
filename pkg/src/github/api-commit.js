// Commits through GitHub's Git Data API (blobs -> tree -> commit -> ref update), so the
// commit is created (and, for app/bot tokens, signed) by GitHub.

import { GitHubApiError } from '../git/errors.js';

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
 * `files` replaced. `files`: `[{path, content: Buffer, mode}]` (path relative to the repo
 * root, `/`-separated). Returns the new commit id. Does not move any ref.
 */
export async function createApiCommit(client, { owner, repo, parent, files, message, author }) {
  const { data: parentCommit } = await client.request('GET /repos/{owner}/{repo}/git/commits/{commit_sha}', {
    owner,
    repo,
    commit_sha: parent,
  });
  const tree = [];
  for (const f of files) {
    const { data: blob } = await client.request(
      'POST /repos/{owner}/{repo}/git/blobs',
      { owner, repo },
      { content: Buffer.from(f.content).toString('base64'), encoding: 'base64' },
    );
    tree.push({ path: f.path, mode: f.mode ?? '100644', type: 'blob', sha: blob.sha });
  }
  const { data: newTree } = await client.request(
    'POST /repos/{owner}/{repo}/git/trees',
    { owner, repo },
    { base_tree: parentCommit.tree.sha, tree },
  );
  const body = { message, tree: newTree.sha, parents: [parent] };
  if (author) body.author = { name: author.name, email: author.email };
  const { data: commit } = await client.request('POST /repos/{owner}/{repo}/git/commits', { owner, repo }, body);
  return commit.sha;
}

/**
 * Moves `refs/heads/branch` to `sha`. Without `force` the update must be a fast forward:
 * when the branch moved meanwhile GitHub answers 422 and this resolves `{ok: false, moved: true}`.
 */
export async function updateBranch(client, { owner, repo, branch, sha, force = false }) {
  try {
    await client.request('PATCH /repos/{owner}/{repo}/git/refs/{ref}', { owner, repo, ref: `heads/${branch}` }, { sha, force });
    return { ok: true };
  } catch (e) {
    if (e instanceof GitHubApiError && e.status === 422 && /fast.forward|cannot be updated|update failed|stale/i.test(e.message)) {
      return { ok: false, moved: true, error: e };
    }
    throw e;
  }
}

/** Creates `refs/heads/branch` at `sha`. */
export async function createBranch(client, { owner, repo, branch, sha }) {
  await client.request('POST /repos/{owner}/{repo}/git/refs', { owner, repo }, { ref: `refs/heads/${branch}`, sha });
}
