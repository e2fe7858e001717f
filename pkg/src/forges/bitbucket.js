// Bitbucket Cloud pull requests (`https://api.bitbucket.org/2.0`). Every object Bitbucket
// takes carries its `type` (the description's base `object` requires it).
// Authentication: a repository/project/workspace access token as `Bearer`, or a user name
// with an app password as Basic (see detect.js). Bitbucket has no pull request labels and
// takes reviewers by account id only: both are warnings. Pages are followed through the
// `next` link of each answer, which must stay under the API URL (the token goes along).
// Checked against Bitbucket's published description (parts vendored in
// tests/forge-servers/spec/bitbucket.json).

import { ForgeClient } from './client.js';

export class BitbucketForge {
  constructor({ apiUrl, project, headers, auth, fetch, log, sleep }) {
    this.name = 'bitbucket';
    this.label = 'Bitbucket';
    this.noun = 'pull request';
    this.capabilities = { labels: false, reviewers: false, draft: false, maxBody: null };
    this.client = new ForgeClient({ forge: 'bitbucket', label: 'Bitbucket', apiUrl, headers, auth, fetch, log, sleep });
    this.repoPath = `/repositories/${encodeURIComponent(project.owner)}/${encodeURIComponent(project.repo)}`;
    this.project = project;
  }

  async listOpen({ base } = {}) {
    const out = [];
    let target = `${this.repoPath}/pullrequests`;
    let query = { state: 'OPEN' };
    for (let guard = 0; target && guard < 1000; guard += 1) {
      const { data } = await this.client.request('GET', target, { query });
      out.push(...(Array.isArray(data?.values) ? data.values : []).map((p) => this.normalize(p)));
      target = typeof data?.next === 'string' && data.next ? data.next : null;
      query = undefined; // the next link carries its own query
    }
    return base ? out.filter((p) => p.base === base) : out;
  }

  async findOpen({ head, base }) {
    const all = await this.listOpen({ base });
    return all.find((p) => p.head === head && p.sameRepo) ?? null;
  }

  async create({ head, base, title, body }) {
    const { data } = await this.client.request('POST', `${this.repoPath}/pullrequests`, {
      body: {
        type: 'pullrequest',
        title,
        description: body,
        source: { branch: { name: head } },
        destination: { branch: { name: base } },
        close_source_branch: true,
      },
    });
    return this.normalize(data);
  }

  async update(pr, { title, body }) {
    const { data } = await this.client.request('PUT', `${this.repoPath}/pullrequests/${pr.number}`, { body: { type: 'pullrequest', title, description: body } });
    return this.normalize(data);
  }

  async close(pr) {
    const { data } = await this.client.request('POST', `${this.repoPath}/pullrequests/${pr.number}/decline`);
    return this.normalize(data);
  }

  isAlreadyExists(e) {
    return (e?.status === 400 || e?.status === 409) && /already (exists|open)|open pull request/i.test(String(e?.message));
  }

  normalize(p) {
    const full = `${this.project.owner}/${this.project.repo}`.toLowerCase();
    const srcRepo = p?.source?.repository?.full_name;
    return {
      number: p.id,
      url: p?.links?.html?.href,
      title: p.title ?? '',
      body: p.description ?? p?.summary?.raw ?? '',
      head: p?.source?.branch?.name,
      headSha: p?.source?.commit?.hash ?? null,
      base: p?.destination?.branch?.name,
      sameRepo: !srcRepo || String(srcRepo).toLowerCase() === full,
      labels: [],
      draft: false,
      state: p.state,
    };
  }
}
