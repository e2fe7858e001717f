// GitHub as one forge of several: the forge interface over pkg/src/github/'s client, so the
// same pull request flow (forges/pulls.js) runs on every forge.

import { GitHubClient } from '../github/client.js';
import { MAX_BODY_LENGTH } from '../github/pulls.js';

export class GitHubForge {
  /**
   * @param {{apiUrl: string, project: {owner: string, repo: string}, auth?: import('../git/auth.js').Auth, client?: GitHubClient, fetch?: typeof fetch, log?: (l: string) => void}} options
   */
  constructor({ apiUrl, project, auth, client, fetch, log, sleep }) {
    this.name = 'github';
    this.label = 'GitHub';
    this.noun = 'pull request';
    this.capabilities = { labels: true, reviewers: true, draft: true, maxBody: MAX_BODY_LENGTH };
    this.client = client ?? new GitHubClient({ apiUrl, auth, fetch, log, sleep });
    this.ids = { owner: project.owner, repo: project.repo };
    this.project = project;
  }

  async listOpen({ base } = {}) {
    const out = [];
    for (let page = 1; ; page += 1) {
      const { data } = await this.client.request('GET /repos/{owner}/{repo}/pulls', { ...this.ids, state: 'open', base, per_page: 100, page });
      const items = Array.isArray(data) ? data : [];
      out.push(...items.map((p) => this.normalize(p)));
      if (items.length < 100) break;
    }
    return out;
  }

  async findOpen({ head, base }) {
    const { data } = await this.client.request('GET /repos/{owner}/{repo}/pulls', {
      ...this.ids,
      head: `${this.ids.owner}:${head}`,
      base,
      state: 'open',
      per_page: 100,
    });
    // GitHub's head filter can answer with another branch's PR at the same commit: filter again
    return (Array.isArray(data) ? data : []).map((p) => this.normalize(p)).find((p) => p.head === head && p.base === base && p.sameRepo) ?? null;
  }

  async create({ head, base, title, body, draft = false }) {
    const { data } = await this.client.request('POST /repos/{owner}/{repo}/pulls', this.ids, { title, head, base, body, ...(draft ? { draft: true } : {}) });
    return this.normalize(data);
  }

  async update(pr, { title, body }) {
    const { data } = await this.client.request('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', { ...this.ids, pull_number: pr.number }, { title, body });
    return this.normalize(data);
  }

  async addLabels(pr, names) {
    await this.client.request('POST /repos/{owner}/{repo}/issues/{issue_number}/labels', { ...this.ids, issue_number: pr.number }, { labels: names });
    return [];
  }

  async requestReviewers(pr, reviewers) {
    await this.client.request('POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers', { ...this.ids, pull_number: pr.number }, { reviewers });
  }

  async comment(pr, body) {
    await this.client.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', { ...this.ids, issue_number: pr.number }, { body });
  }

  async close(pr) {
    const { data } = await this.client.request('PATCH /repos/{owner}/{repo}/pulls/{pull_number}', { ...this.ids, pull_number: pr.number }, { state: 'closed' });
    return this.normalize(data);
  }

  /** GitHub answers 422 "A pull request already exists for owner:branch." */
  isAlreadyExists(e) {
    return e?.status === 422 && /already exists/i.test(JSON.stringify(e?.response ?? e?.message ?? ''));
  }

  normalize(p) {
    return githubShaped(p, `${this.ids.owner}/${this.ids.repo}`);
  }
}

/**
 * The forge-neutral view of a pull request in GitHub's shape, which Gitea's API shares
 * (`number`, `html_url`, `head.ref/sha/repo.full_name`, `base.ref`, `labels[].name`).
 * @param {any} p
 * @param {string} slug  "owner/repo" of the repository the pull request is opened in
 */
export function githubShaped(p, slug) {
  const headRepo = p?.head?.repo?.full_name;
  return {
    number: p.number,
    url: p.html_url,
    title: p.title ?? '',
    body: p.body ?? '',
    head: p?.head?.ref,
    headSha: p?.head?.sha ?? null,
    base: p?.base?.ref,
    sameRepo: !headRepo || String(headRepo).toLowerCase() === slug.toLowerCase(),
    labels: (p.labels ?? []).map((l) => (typeof l === 'string' ? l : l?.name)).filter(Boolean),
    draft: Boolean(p.draft),
    state: p.state,
  };
}
