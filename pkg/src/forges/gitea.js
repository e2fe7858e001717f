// Gitea and Forgejo pull requests (`/api/v1`, swagger at /swagger.v1.json).
// Checked against a real Gitea v1.27.3 started by the tests (tests/forges/gitea.test.js).

import { ForgeClient } from './client.js';
import { githubShaped } from './github.js';

/** Gitea answers at most this many items a page (its default MAX_RESPONSE_ITEMS). */
const PAGE = 50;

export class GiteaForge {
  /**
   * @param {{apiUrl: string, project: {owner: string, repo: string}, headers?: object, auth?: object, fetch?: typeof fetch, log?: (l: string) => void}} options
   */
  constructor({ apiUrl, project, headers, auth, fetch, log, sleep }) {
    this.name = 'gitea';
    this.label = 'Gitea';
    this.noun = 'pull request';
    this.capabilities = { labels: true, reviewers: true, draft: false, maxBody: null };
    this.client = new ForgeClient({ forge: 'gitea', label: 'Gitea', apiUrl, headers, auth, fetch, log, sleep });
    this.repoPath = `/repos/${encodeURIComponent(project.owner)}/${encodeURIComponent(project.repo)}`;
    this.project = project;
  }

  /** Every open pull request into `base` (all pages). */
  async listOpen({ base } = {}) {
    const out = [];
    for (let page = 1; ; page += 1) {
      const { data } = await this.client.request('GET', `${this.repoPath}/pulls`, { query: { state: 'open', page, limit: PAGE } });
      const items = Array.isArray(data) ? data : [];
      out.push(...items.map((p) => this.normalize(p)));
      if (items.length < PAGE) break;
    }
    return base ? out.filter((p) => p.base === base) : out;
  }

  /** The open pull request from branch `head` of this repository into `base`, or null. */
  async findOpen({ head, base }) {
    const all = await this.listOpen({ base });
    return all.find((p) => p.head === head && p.sameRepo) ?? null;
  }

  async create({ head, base, title, body }) {
    const { data } = await this.client.request('POST', `${this.repoPath}/pulls`, { body: { head, base, title, body } });
    return this.normalize(data);
  }

  async update(pr, { title, body }) {
    const { data } = await this.client.request('PATCH', `${this.repoPath}/pulls/${pr.number}`, { body: { title, body } });
    return this.normalize(data);
  }

  /**
   * Adds labels by name. Gitea's label endpoint takes label ids; names it does not know are
   * returned (the caller warns), the rest are added.
   * @returns {Promise<string[]>} the names that do not exist in the repository
   */
  async addLabels(pr, names) {
    const known = new Map();
    for (let page = 1; ; page += 1) {
      const { data } = await this.client.request('GET', `${this.repoPath}/labels`, { query: { page, limit: PAGE } });
      const items = Array.isArray(data) ? data : [];
      for (const l of items) known.set(l.name, l.id);
      if (items.length < PAGE) break;
    }
    const ids = names.filter((n) => known.has(n)).map((n) => known.get(n));
    if (ids.length) await this.client.request('POST', `${this.repoPath}/issues/${pr.number}/labels`, { body: { labels: ids } });
    return names.filter((n) => !known.has(n));
  }

  async requestReviewers(pr, reviewers) {
    await this.client.request('POST', `${this.repoPath}/pulls/${pr.number}/requested_reviewers`, { body: { reviewers } });
  }

  async comment(pr, body) {
    await this.client.request('POST', `${this.repoPath}/issues/${pr.number}/comments`, { body: { body } });
  }

  async close(pr) {
    const { data } = await this.client.request('PATCH', `${this.repoPath}/pulls/${pr.number}`, { body: { state: 'closed' } });
    return this.normalize(data);
  }

  /** True for Gitea's answer to a second pull request for the same head and base. */
  isAlreadyExists(e) {
    return e?.status === 409 || (e?.status === 422 && /already exists/i.test(String(e?.message)));
  }

  normalize(p) {
    // Gitea has drafts only as a title prefix ("WIP:"), which this tool does not set
    return { ...githubShaped(p, `${this.project.owner}/${this.project.repo}`), draft: false };
  }
}
