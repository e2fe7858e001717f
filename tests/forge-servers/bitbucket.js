// A local Bitbucket Cloud (pull requests of `/2.0`, and git over HTTP) backed by real bare
// repositories, checking every request and response against the vendored parts of its
// published description (spec/bitbucket.json, from node-bitbucket's specification/).
//
// Bitbucket's behaviour reproduced, because the client must survive it:
// - every object carries `type` (the description's base `object` requires it, in requests
//   too: a pull request body without `"type": "pullrequest"` does not follow it);
// - lists are paged by a `next` link (absolute URL) the client must follow, `pagelen`
//   items a page (default 10); `page`/`pagelen` are Bitbucket's generic paging parameters,
//   documented once for every list rather than per operation, so they are not checked;
// - a missing source branch is refused (400 with `{type: "error", error: {message}}`);
// - there are no labels, and a pull request is closed by declining it;
// - tokens: repository/project/workspace access tokens as `Bearer`, app passwords as Basic
//   with the user name; git over HTTP takes an access token as the password of
//   `x-token-auth`, an app password with the user name.
// Not verified against the real service, and so not claimed: the answer to a second open
// pull request for the same branches (modelled as a 400 refusal naming the open one),
// reviewers, default reviewers, merge checks, rate limits.

import { Swagger2 } from './swagger2.js';
import { branchHead, startServer } from './common.js';

/**
 * @param {{repos: Record<string, string>, token?: string, appPassword?: {username: string, password: string}, pagelen?: number}} options
 *   repos: "workspace/repo_slug" -> bare repository
 */
export async function startBitbucketServer({ repos, token = null, appPassword = null, pagelen = 10 }) {
  // `description` (the pull request's text) is what Bitbucket's API documentation and its
  // answers use; the description vendored here names only the rendered `summary`.
  const spec = new Swagger2('bitbucket', { additions: { pullrequest: { description: { type: 'string' } } } });
  const projects = new Map(Object.entries(repos));
  const pulls = new Map();
  const basic = appPassword ? `Basic ${Buffer.from(`${appPassword.username}:${appPassword.password}`).toString('base64')}` : null;
  const { state, close } = await startServer({
    spec,
    repos: projects,
    gitPath: /^\/([^/]+\/[^/]+?)\.git(\/.*)$/,
    authorized: (req) => (token && req.headers.authorization === `Bearer ${token}`) || (basic && req.headers.authorization === basic),
    gitAuthorized: (user, password) => (token && user === 'x-token-auth' && password === token) || (appPassword && user === appPassword.username && password === appPassword.password),
    errorBody: (status, message) => ({ type: 'error', error: { message } }),
    queryToCheck: (url) => {
      const q = new URLSearchParams(url.searchParams);
      q.delete('page');
      q.delete('pagelen');
      return q;
    },
    handle: (st, m, ctx) => handle(st, m, ctx, { projects, pulls, pagelen }),
  });
  return {
    url: state.base,
    apiUrl: `${state.base}/2.0`,
    remoteUrl: (slug) => `${state.base}/${slug}.git`,
    mismatches: state.mismatches,
    requests: state.requests,
    gitRequests: state.gitRequests,
    hooks: state.hooks,
    pullRequests: (slug) => pulls.get(slug) ?? [],
    specSource: spec.source,
    close,
  };
}

async function handle(state, m, { params, query, body }, { projects, pulls, pagelen }) {
  const slug = `${params.username}/${params.repo_slug}`;
  const bare = projects.get(slug);
  if (!bare) return { status: 404, data: { type: 'error', error: { message: 'Repository not found' } } };
  const list = pulls.get(slug) ?? [];
  pulls.set(slug, list);
  const api = `${state.base}/2.0/repositories/${slug}`;
  const repo = { type: 'repository', full_name: slug, name: params.repo_slug, uuid: `{${slug}}` };
  const link = (href) => ({ href });
  const json = async (p) => ({
    type: 'pullrequest',
    id: p.id,
    title: p.title,
    description: p.description,
    summary: { raw: p.description, markup: 'markdown', html: '' },
    state: p.state,
    close_source_branch: p.close_source_branch,
    created_on: p.created_on,
    updated_on: p.updated_on,
    author: { type: 'user', display_name: 'gitops-bump test', uuid: '{test-user}' },
    source: { branch: { name: p.source }, commit: { hash: ((await branchHead(bare, p.source)) ?? p.hash).slice(0, 12) }, repository: repo },
    destination: { branch: { name: p.destination }, commit: { hash: ((await branchHead(bare, p.destination)) ?? '0000000').slice(0, 12) }, repository: repo },
    comment_count: 0,
    task_count: 0,
    links: {
      self: link(`${api}/pullrequests/${p.id}`),
      html: link(`${state.base}/${slug}/pull-requests/${p.id}`),
      decline: link(`${api}/pullrequests/${p.id}/decline`),
    },
  });
  const method = m.template.endsWith('/decline') ? 'DECLINE' : m.operation === m.pathItem.get ? 'GET' : m.operation === m.pathItem.post ? 'POST' : 'PUT';
  if (m.template.endsWith('/pullrequests')) {
    if (method === 'GET') {
      const states = query.getAll('state');
      const found = list.filter((p) => !states.length || states.includes(p.state)).sort((a, b) => b.id - a.id);
      const size = Math.max(1, Math.min(50, Number(query.get('pagelen') ?? pagelen)));
      const page = Number(query.get('page') ?? 1);
      const values = await Promise.all(found.slice((page - 1) * size, page * size).map(json));
      const data = { pagelen: size, size: found.length, page, values };
      if (page * size < found.length) {
        const next = new URLSearchParams(query);
        next.set('page', String(page + 1));
        data.next = `${api}/pullrequests?${next}`;
      }
      return { status: 200, data };
    }
    const source = body?.source?.branch?.name;
    const destination = body?.destination?.branch?.name ?? 'main';
    const hash = source ? await branchHead(bare, source) : null;
    if (!hash) return { status: 400, data: { type: 'error', error: { message: 'source: There are no changes to be pulled', fields: { source: ['branch not found'] } } } };
    const open = list.find((p) => p.state === 'OPEN' && p.source === source && p.destination === destination);
    if (open) return { status: 400, data: { type: 'error', error: { message: `There is already an open pull request from ${source} to ${destination}: #${open.id}` } } };
    const now = new Date().toISOString();
    const p = {
      id: list.length + 1,
      title: body.title ?? '',
      description: body.description ?? '',
      state: 'OPEN',
      source,
      destination,
      hash,
      close_source_branch: Boolean(body.close_source_branch),
      created_on: now,
      updated_on: now,
    };
    list.push(p);
    return { status: 201, data: await json(p) };
  }
  const p = list.find((x) => x.id === Number(params.pull_request_id));
  if (!p) return { status: 404, data: { type: 'error', error: { message: 'Pull request not found' } } };
  if (method === 'GET') return { status: 200, data: await json(p) };
  if (method === 'DECLINE') {
    p.state = 'DECLINED';
    return { status: 200, data: await json(p) };
  }
  if (p.state !== 'OPEN') return { status: 400, data: { type: 'error', error: { message: 'Only open pull requests can be updated' } } };
  if (body.title !== undefined) p.title = body.title;
  if (body.description !== undefined) p.description = body.description;
  p.updated_on = new Date().toISOString();
  return { status: 200, data: await json(p) };
}
