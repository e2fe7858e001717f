// Open or update the pull request for a head branch; add labels.

/**
 * Finds the open PR whose head is `owner:branch`; updates its title/body (PATCH) or
 * creates one (POST). Then adds `labels`. Returns `{number, url, updated, created}`.
 * @param {import('./client.js').GitHubClient} client
 */
export async function upsertPullRequest(client, { owner, repo, head, base, title, body, draft = false, labels = [] }) {
  const { data: open } = await client.request('GET /repos/{owner}/{repo}/pulls', {
    owner,
    repo,
    head: `${owner}:${head}`,
    state: 'open',
    per_page: 10,
  });
  const existing = Array.isArray(open) ? open.find((p) => p?.head?.ref === head) ?? open[0] : undefined;
  let pr;
  let updated = false;
  if (existing) {
    const patch = { title, body };
    if (base && existing.base?.ref !== base) patch.base = base;
    ({ data: pr } = await client.request(
      'PATCH /repos/{owner}/{repo}/pulls/{pull_number}',
      { owner, repo, pull_number: existing.number },
      patch,
    ));
    updated = true;
  } else {
    const create = { title, head, base, body };
    if (draft) create.draft = true;
    ({ data: pr } = await client.request('POST /repos/{owner}/{repo}/pulls', { owner, repo }, create));
  }
  const wanted = [...new Set(labels.filter(Boolean))];
  if (wanted.length) {
    await client.request(
      'POST /repos/{owner}/{repo}/issues/{issue_number}/labels',
      { owner, repo, issue_number: pr.number },
      { labels: wanted },
    );
  }
  return { number: pr.number, url: pr.html_url, updated, created: !updated, draft: Boolean(pr.draft) };
}
