// GitLab merge requests (`/api/v4`; gitlab.com and self-managed hosts).
// The project is addressed by its URL-encoded full path (`group%2Fsub%2Frepo`): GitLab's
// router answers 404 to the same path with literal slashes. Authentication: a personal,
// project or group access token in `PRIVATE-TOKEN`, an OAuth token as `Bearer`, or a CI
// job token in `JOB-TOKEN` (see detect.js). Checked against GitLab's published OpenAPI v2
// description (parts vendored in tests/forge-servers/spec/gitlab.json).

import { ForgeClient } from './client.js';

const PER_PAGE = 100;
/** GitLab refuses a description longer than this (1,048,576 characters). */
export const MAX_DESCRIPTION = 1048576;
/** How a draft merge request is marked: GitLab reads the title prefix. */
export const DRAFT_PREFIX = 'Draft: ';

export class GitLabForge {
  constructor({ apiUrl, project, headers, auth, fetch, log, sleep }) {
    this.name = 'gitlab';
    this.label = 'GitLab';
    this.noun = 'merge request';
    this.capabilities = { labels: true, reviewers: false, draft: true, maxBody: MAX_DESCRIPTION };
    this.client = new ForgeClient({ forge: 'gitlab', label: 'GitLab', apiUrl, headers, auth, fetch, log, sleep });
    this.projectPath = `/projects/${encodeURIComponent(project.path)}`;
    this.project = project;
  }

  async #pages(path, query) {
    const out = [];
    for (let page = 1; page; ) {
      const { data, headers } = await this.client.request('GET', path, { query: { ...query, page, per_page: PER_PAGE } });
      const items = Array.isArray(data) ? data : [];
      out.push(...items);
      const next = headers.get('x-next-page');
      page = next ? Number(next) : next === '' ? 0 : items.length === PER_PAGE ? page + 1 : 0;
    }
    return out;
  }

  async listOpen({ base } = {}) {
    const items = await this.#pages(`${this.projectPath}/merge_requests`, { state: 'opened', target_branch: base });
    return items.map((m) => this.normalize(m));
  }

  async findOpen({ head, base }) {
    const items = await this.#pages(`${this.projectPath}/merge_requests`, { state: 'opened', source_branch: head, target_branch: base });
    return (
      items
        .map((m) => this.normalize(m))
        // the query filters by branch name only: a fork's branch of the same name is not ours
        .find((p) => p.head === head && p.base === base && p.sameRepo) ?? null
    );
  }

  async create({ head, base, title, body, draft = false }) {
    const { data } = await this.client.request('POST', `${this.projectPath}/merge_requests`, {
      body: { source_branch: head, target_branch: base, title: draft ? `${DRAFT_PREFIX}${title}` : title, description: body },
    });
    return this.normalize(data);
  }

  async update(pr, { title, body }) {
    const { data } = await this.client.request('PUT', `${this.projectPath}/merge_requests/${pr.number}`, {
      body: { title: pr.draft ? `${DRAFT_PREFIX}${title}` : title, description: body },
    });
    return this.normalize(data);
  }

  /** GitLab creates a label on first use: nothing is left over. */
  async addLabels(pr, names) {
    await this.client.request('PUT', `${this.projectPath}/merge_requests/${pr.number}`, { body: { add_labels: names } });
    return [];
  }

  async close(pr) {
    const { data } = await this.client.request('PUT', `${this.projectPath}/merge_requests/${pr.number}`, { body: { state_event: 'close' } });
    return this.normalize(data);
  }

  /** GitLab's 409 "Another open merge request already exists for this source branch". */
  isAlreadyExists(e) {
    return (e?.status === 409 || e?.status === 422) && /already exists/i.test(String(e?.message));
  }

  normalize(m) {
    const draft = Boolean(m.draft ?? m.work_in_progress);
    const title = String(m.title ?? '');
    return {
      number: m.iid,
      url: m.web_url,
      // the title without the draft marker GitLab keeps in it, so a rerun compares like with like
      title: draft && title.startsWith(DRAFT_PREFIX) ? title.slice(DRAFT_PREFIX.length) : title,
      body: m.description ?? '',
      head: m.source_branch,
      headSha: m.sha ?? null,
      base: m.target_branch,
      sameRepo: m.source_project_id == null || m.source_project_id === m.target_project_id,
      labels: (m.labels ?? []).map((l) => (typeof l === 'string' ? l : l?.name)).filter(Boolean),
      draft,
      state: m.state,
    };
  }
}
