// A local GitLab (merge requests of `/api/v4`, and git over HTTP) backed by real bare
// repositories, checking every request and response against the vendored parts of
// GitLab's OpenAPI v2 description (spec/gitlab.json).
//
// GitLab's behaviour reproduced, because the client must survive it:
// - the project in the path is its URL-encoded full path; the same path with literal
//   slashes matches no route (GitLab answers 404);
// - a second open merge request for the same source and target branch is refused (409,
//   "Another open merge request already exists for this source branch: !N");
// - a missing source branch is refused (422, 'Source branch "x" does not exist');
// - lists are paged (`per_page` default 20, at most 100) with x-next-page / x-page headers;
// - the title prefix "Draft:" makes a merge request a draft; `add_labels` creates labels;
// - tokens: PRIVATE-TOKEN (personal/project/group token), `Authorization: Bearer` (OAuth),
//   JOB-TOKEN (CI job token); git over HTTP takes the token as the password with the user
//   names GitLab documents (`oauth2`, `gitlab-ci-token`, or any name for an access token).
// Not modelled: approvals, pipelines, protected branches, fork merge requests, rate limits,
// keyset pagination, GitLab's 1 MB description limit (the client cuts long bodies itself).

import { Swagger2 } from './swagger2.js';
import { branchHead, startServer } from './common.js';

// The description gives these fields `type: string`; GitLab sends integers, arrays and
// booleans (its entity documentation types are not carried into openapi_v2.yaml). Checked
// as what GitLab sends, so that the test server's answers look like GitLab's.
const OVERRIDES = Object.fromEntries(
  ['API_Entities_MergeRequest', 'API_Entities_MergeRequestBasic'].map((d) => [
    d,
    {
      source_project_id: { type: 'integer' },
      target_project_id: { type: 'integer' },
      labels: { type: 'array', items: { type: 'string' } },
      draft: { type: 'boolean' },
      work_in_progress: { type: 'boolean' },
    },
  ]),
);

const DRAFT = /^\s*(\[draft\]|\(draft\)|draft:|draft\s-\s|draft\s)/i;

/**
 * @param {{repos: Record<string, string>, token: string, jobToken?: string, oauthToken?: string}} options
 *   repos: full project path ("group/sub/repo") -> bare repository
 */
export async function startGitLabServer({ repos, token, jobToken = null, oauthToken = null }) {
  const spec = new Swagger2('gitlab', { overrides: OVERRIDES });
  const projects = new Map(Object.entries(repos));
  const ids = new Map([...projects.keys()].map((p, i) => [p, 100 + i]));
  const mrs = new Map(); // project -> [mr]
  const { state, close } = await startServer({
    spec,
    repos: projects,
    gitPath: /^\/(.+?)\.git(\/.*)$/,
    authorized: (req) =>
      req.headers['private-token'] === token ||
      (oauthToken && req.headers.authorization === `Bearer ${oauthToken}`) ||
      (jobToken && req.headers['job-token'] === jobToken),
    gitAuthorized: (user, password) =>
      (password === token && user !== '') || (oauthToken && user === 'oauth2' && password === oauthToken) || (jobToken && user === 'gitlab-ci-token' && password === jobToken),
    errorBody: (status, message) => ({ message: `${status} ${message}` }),
    handle: (st, m, ctx) => handle(st, m, ctx, { projects, ids, mrs }),
  });
  return {
    url: state.base,
    apiUrl: `${state.base}/api/v4`,
    remoteUrl: (project) => `${state.base}/${project}.git`,
    mismatches: state.mismatches,
    requests: state.requests,
    gitRequests: state.gitRequests,
    hooks: state.hooks,
    mergeRequests: (project) => mrs.get(project) ?? [],
    specSource: spec.source,
    close,
  };
}

async function handle(state, m, { params, query, body }, { projects, ids, mrs }) {
  const project = params.id;
  const bare = projects.get(project);
  if (!bare) return { status: 404, data: { message: '404 Project Not Found' } };
  const list = mrs.get(project) ?? [];
  mrs.set(project, list);
  const json = async (mr) => ({
    id: mr.id,
    iid: mr.iid,
    project_id: ids.get(project),
    title: mr.title,
    description: mr.description,
    state: mr.state,
    created_at: mr.created_at,
    updated_at: mr.updated_at,
    target_branch: mr.target_branch,
    source_branch: mr.source_branch,
    source_project_id: ids.get(project),
    target_project_id: ids.get(project),
    labels: [...mr.labels],
    draft: DRAFT.test(mr.title),
    work_in_progress: DRAFT.test(mr.title),
    sha: (await branchHead(bare, mr.source_branch)) ?? mr.sha,
    web_url: `${state.base}/${project}/-/merge_requests/${mr.iid}`,
  });
  const op = `${m.operation.operationId}`;
  if (op === 'getApiV4ProjectsIdMergeRequests') {
    const st = query.get('state') ?? 'all';
    let found = list.filter((x) => st === 'all' || x.state === st);
    if (query.get('source_branch')) found = found.filter((x) => x.source_branch === query.get('source_branch'));
    if (query.get('target_branch')) found = found.filter((x) => x.target_branch === query.get('target_branch'));
    found = [...found].sort((a, b) => b.iid - a.iid);
    const per = Math.min(100, Number(query.get('per_page') ?? 20));
    const page = Number(query.get('page') ?? 1);
    const slice = found.slice((page - 1) * per, page * per);
    const last = Math.max(1, Math.ceil(found.length / per));
    return {
      status: 200,
      data: await Promise.all(slice.map(json)),
      headers: { 'x-page': String(page), 'x-per-page': String(per), 'x-next-page': page < last ? String(page + 1) : '', 'x-total': String(found.length), 'x-total-pages': String(last) },
    };
  }
  if (op === 'postApiV4ProjectsIdMergeRequests') {
    const sha = await branchHead(bare, body.source_branch);
    if (!sha) return { status: 422, data: { message: [`Source branch "${body.source_branch}" does not exist`] } };
    if (!(await branchHead(bare, body.target_branch))) return { status: 422, data: { message: [`Target branch "${body.target_branch}" does not exist`] } };
    const dup = list.find((x) => x.state === 'opened' && x.source_branch === body.source_branch && x.target_branch === body.target_branch);
    if (dup) return { status: 409, data: { message: [`Another open merge request already exists for this source branch: !${dup.iid}`] } };
    const now = new Date().toISOString();
    const mr = {
      id: 5000 + list.length,
      iid: list.length + 1,
      title: body.title,
      description: body.description ?? '',
      state: 'opened',
      created_at: now,
      updated_at: now,
      source_branch: body.source_branch,
      target_branch: body.target_branch,
      labels: [...(body.labels ?? [])],
      sha,
    };
    list.push(mr);
    return { status: 201, data: await json(mr) };
  }
  const mr = list.find((x) => x.iid === Number(params.merge_request_iid));
  if (!mr) return { status: 404, data: { message: '404 Not found' } };
  if (op === 'getApiV4ProjectsIdMergeRequestsMergeRequestIid') return { status: 200, data: await json(mr) };
  // PUT
  if (body.title !== undefined) mr.title = body.title;
  if (body.description !== undefined) mr.description = body.description;
  for (const l of body.add_labels ?? []) if (!mr.labels.includes(l)) mr.labels.push(l);
  if (body.state_event === 'close') mr.state = 'closed';
  if (body.state_event === 'reopen') mr.state = 'opened';
  mr.updated_at = new Date().toISOString();
  return { status: 200, data: await json(mr) };
}
