// A local stand-in for GitHub's REST API, for tests only.
//
// - Listens on 127.0.0.1 (random port), optionally under a path prefix (GHE: /api/v3).
// - Backed by REAL bare git repositories: blobs, trees, commits and refs are git plumbing
//   (hash-object -w, read-tree/update-index/write-tree on a temporary index, commit-tree,
//   update-ref with an old-value check); contents via cat-file. Pulls and labels live in memory.
// - Validates EVERY request (method + path template, path/query parameters, JSON body)
//   against GitHub's OpenAPI description (@octokit/openapi, api.github.com, the part vendored
//   beside this file) and every JSON
//   response it sends against the operation's response schema. Any mismatch is recorded in
//   `server.mismatches`; tests assert that list is empty.
// - Optionally serves the same repositories over git's smart HTTP protocol
//   (`git http-backend`) at /git/<owner>/<repo>.git, requiring the token as basic auth,
//   so the token's path through git (http.extraheader) is exercised for real; also at
//   /<owner>/<repo>.git, as on github.com, so a remote URL names its repository.
// - Answers as GitHub does in situations the OpenAPI description cannot express, each
//   behind a switch in `server.behaviour` (all off by default; tests set them before or
//   during a run):
//     protectedBranches: ['main', 'gitops-bump/*']  ref updates and creations of these
//         branches answer 422 "Reference update failed" (a branch protection rule or a
//         ruleset the token cannot bypass: GitHub names neither)
//     rateLimit: {status: 403|429, kind: 'primary'|'secondary', count, retryAfter, resetIn, operations}
//         the next `count` requests (of `operations`, default all) are refused with the
//         rate-limit headers GitHub sends: primary = x-ratelimit-remaining 0 and
//         x-ratelimit-reset; secondary = its message, plus retry-after when given
//     headInvalidLag: n  the next n POST /pulls answer 422 with {field: head, code:
//         invalid}, as GitHub does for a branch pushed a moment ago
//     repoLabels: ['deploy']  labels that exist; with labelsForbidden, adding any other
//         label answers 403 (creating a label needs more than pull-requests: write)
//     draftsUnsupported: true  POST /pulls with draft: true answers 422 "Draft pull
//         requests are not supported in this repository."
//     actionsCannotCreatePulls: true  POST /pulls answers 403 "GitHub Actions is not
//         permitted to create or approve pull requests."
//     looseHeadFilter: true  GET /pulls?head= also returns open PRs of other branches
//         whose head is at the same commit
//     delayMs: {'git/get-ref': 500}  answer that operation only after a delay
//     gitPushForbidden: true  git pushes over smart HTTP answer 403 (a read-only token)
//     collaborators: ['alice']  review requests for anyone else answer 422; assignees
//         who are not among them are skipped without an error, as GitHub does
//     teamsForbidden: true  team review requests answer 403 (a token without org read)
//     milestones: [1]  the milestone numbers that exist; any other answers 422
//   Pull request bodies over 65536 characters are refused (422) always, as on GitHub.
//   A 403 or 429 that an operation's description does not list (rate limits and
//   permissions apply to every endpoint) is checked against GitHub's basic-error schema.

import http from 'node:http';
import https from 'node:https';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadSpec } from './openapi.js';
import { serveGitHttp } from './git-http.js';

const DOCS = 'https://docs.github.com/rest';

/**
 * @param {object} options
 * @param {Record<string, string>} options.repos "owner/name" -> bare repository path
 * @param {string} [options.token] required bearer token (and git basic-auth password)
 * @param {string} [options.prefix] API path prefix, e.g. "/api/v3" for GHE
 * @param {string} [options.login] the token owner's login (commit author for API commits)
 */
export async function startGitHubServer({ repos, token = null, prefix = '', login = 'gitops-bump-test[bot]', behaviour = {}, tls = null } = {}) {
  const spec = loadSpec();
  const state = {
    spec,
    repos: new Map(Object.entries(repos ?? {})),
    token,
    prefix: prefix.replace(/\/+$/, ''),
    login,
    pulls: new Map(), // "owner/repo" -> [pull]
    labels: new Map(), // "owner/repo#n" -> [name]
    nextPull: 1,
    mismatches: [],
    requests: [],
    gitRequests: [],
    hooks: {},
    behaviour: { ...behaviour },
    base: '',
  };
  // tls: {key, cert, host}: answer over https, named `host` in the URLs it gives out
  const server = (tls ? https.createServer.bind(null, { key: tls.key, cert: tls.cert }) : http.createServer)((req, res) => {
    handle(state, req, res).catch((e) => {
      state.mismatches.push({ method: req.method, url: req.url, where: 'server', errors: [`server error: ${e.stack}`] });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'test server error', documentation_url: DOCS }));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  state.base = tls ? `https://${tls.host ?? '127.0.0.1'}:${port}` : `http://127.0.0.1:${port}`;
  return {
    port,
    url: state.base,
    apiUrl: `${state.base}${state.prefix}`,
    /** smart-HTTP clone URL of "owner/name" */
    gitUrl: (slug) => `${state.base}/git/${slug}.git`,
    /** the same, shaped like a github.com remote (`http://HOST/owner/name.git`) */
    remoteUrl: (slug) => `${state.base}/${slug}.git`,
    mismatches: state.mismatches,
    requests: state.requests,
    gitRequests: state.gitRequests,
    /** hooks[operationId] = async ({params, body}) => void, run before the handler */
    hooks: state.hooks,
    /** the switches described at the top of this file; mutable */
    behaviour: state.behaviour,
    pulls: (slug) => state.pulls.get(slug) ?? [],
    labelsOf: (slug, n) => state.labels.get(`${slug}#${n}`) ?? [],
    specVersion: spec.version,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks);
}

function send(res, status, data, headers = {}) {
  const body = data === undefined ? '' : JSON.stringify(data);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(body);
}

async function handle(state, req, res) {
  const url = new URL(req.url, state.base);
  const raw = await readBody(req);
  if (url.pathname.startsWith('/git/') || GIT_PATH.test(url.pathname)) return gitHttp(state, req, res, url, raw);
  const record = { method: req.method, path: url.pathname, query: url.search, status: 0 };
  state.requests.push(record);
  const mismatch = (where, errors) => state.mismatches.push({ method: req.method, url: req.url, where, errors });
  const reply = (status, data, headers) => {
    record.status = status;
    send(res, status, data, headers);
  };

  if (state.prefix && !url.pathname.startsWith(`${state.prefix}/`)) {
    mismatch('base-url', [`request outside the API base path ${state.prefix}`]);
    return reply(404, { message: 'Not Found', documentation_url: DOCS });
  }
  const apiPath = url.pathname.slice(state.prefix.length);
  const accept = String(req.headers.accept ?? '');
  const headerErrors = [];
  if (!accept.includes('application/vnd.github+json')) headerErrors.push(`Accept is ${JSON.stringify(accept)}, expected application/vnd.github+json`);
  if (req.headers['x-github-api-version'] !== '2022-11-28') headerErrors.push(`X-GitHub-Api-Version is ${JSON.stringify(req.headers['x-github-api-version'])}`);
  if (headerErrors.length) mismatch('headers', headerErrors);
  if (state.token && req.headers.authorization !== `Bearer ${state.token}`) {
    return reply(401, { message: 'Bad credentials', documentation_url: DOCS });
  }

  const m = state.spec.match(req.method, apiPath);
  if (!m) {
    mismatch('route', [`${req.method} ${apiPath} is no operation of the OpenAPI description`]);
    return reply(404, { message: 'Not Found', documentation_url: DOCS });
  }
  record.operation = m.operation.operationId;
  let body;
  if (raw.length) {
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      mismatch('body', ['request body is not JSON']);
      return reply(400, { message: 'Problems parsing JSON', documentation_url: DOCS });
    }
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) {
      mismatch('headers', [`Content-Type is ${JSON.stringify(req.headers['content-type'])} for a JSON body`]);
    }
  }
  const errors = state.spec.validateRequest(m, url.searchParams, body, raw.length > 0);
  if (errors.length) {
    mismatch(`request ${m.operation.operationId}`, errors);
    return reply(422, { message: 'Invalid request.', documentation_url: DOCS, errors: errors.map((e) => ({ code: 'invalid', message: e })) });
  }
  const slug = `${m.params.owner}/${m.params.repo}`;
  const bare = state.repos.get(slug);
  const limited = rateLimited(state, m.operation.operationId);
  if (limited) {
    record.rateLimited = true;
    return reply(limited.status, checked(state, m, limited.status, limited.data, mismatch), limited.headers);
  }
  const delay = state.behaviour.delayMs?.[m.operation.operationId];
  if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
  const handler = HANDLERS[m.operation.operationId];
  if (!handler) {
    mismatch('unsupported', [`${m.operation.operationId} is valid but not implemented by the test server`]);
    return reply(501, { message: 'Not implemented by the test server', documentation_url: DOCS });
  }
  if (!bare) return reply(404, { message: 'Not Found', documentation_url: DOCS });
  const ctx = { state, slug, bare, params: m.params, query: url.searchParams, body, api: `${state.base}${state.prefix}/repos/${slug}` };
  const hook = state.hooks[m.operation.operationId];
  if (hook) await hook(ctx);
  const out = await handler(ctx);
  return reply(out.status, checked(state, m, out.status, out.data, mismatch, out.synthesize !== false));
}

// Statuses GitHub may answer on any endpoint (rate limits, missing permissions), whether
// or not the operation's description lists them: their body is a basic error.
const ANY_ENDPOINT = new Set([403, 429]);

/** Validates (and fills in) a response body against the operation's schema for `status`. */
function checked(state, m, status, data, mismatch, synthesize = true) {
  let schema = state.spec.responseSchema(m, status);
  if (!schema && ANY_ENDPOINT.has(status)) schema = { $ref: '#/components/schemas/basic-error' };
  if (!schema) {
    mismatch(`response ${m.operation.operationId}`, [`status ${status} is not a documented response`]);
    return data;
  }
  const out = synthesize ? state.spec.synthesize(schema, data) : data;
  const errors = state.spec.validate(schema, out, 'response');
  if (errors.length) mismatch(`response ${m.operation.operationId}`, errors);
  return out;
}

/** The rate-limit refusal for this request, when the rateLimit switch is on and matches. */
function rateLimited(state, operationId) {
  const rl = state.behaviour.rateLimit;
  if (!rl || !(rl.count > 0) || (rl.operations && !rl.operations.includes(operationId))) return null;
  rl.count -= 1;
  const now = Math.floor(Date.now() / 1000);
  const headers = { 'x-ratelimit-limit': '5000', 'x-ratelimit-used': '5000', 'x-ratelimit-resource': 'core' };
  let message;
  if (rl.kind === 'secondary') {
    message = 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';
    headers['x-ratelimit-remaining'] = '4000';
    headers['x-ratelimit-reset'] = String(now + 3600);
  } else {
    message = 'API rate limit exceeded for installation ID 1.';
    headers['x-ratelimit-remaining'] = '0';
    headers['x-ratelimit-reset'] = String(now + (rl.resetIn ?? 1));
  }
  if (rl.retryAfter !== undefined) headers['retry-after'] = String(rl.retryAfter);
  return { status: rl.status ?? 403, headers, data: { message, documentation_url: `${DOCS}/using-the-rest-api/rate-limits-for-the-rest-api` } };
}

/** True when `branch` matches one of the protectedBranches switch's names (`prefix/*` globs). */
function isProtected(state, branch) {
  return (state.behaviour.protectedBranches ?? []).some((p) => (p.endsWith('/*') ? branch.startsWith(p.slice(0, -1)) : p === branch));
}

// ---- git plumbing ------------------------------------------------------------------------

function run(cwd, args, { input, env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd,
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', ...env },
    });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() }));
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

async function git(cwd, args, options) {
  const r = await run(cwd, args, options);
  if (r.code !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.toString('utf8').trim();
}

async function tryGit(cwd, args, options) {
  const r = await run(cwd, args, options);
  return r.code === 0 ? r.stdout.toString('utf8').trim() : null;
}

function parsePerson(line) {
  const m = /^(.*) <(.*)> (\d+) ([+-]\d{4})$/.exec(line);
  if (!m) return { name: '', email: '', date: new Date(0).toISOString() };
  return { name: m[1], email: m[2], date: new Date(Number(m[3]) * 1000).toISOString().replace('.000Z', 'Z') };
}

async function commitJson(ctx, sha) {
  const text = await tryGit(ctx.bare, ['cat-file', 'commit', sha]);
  if (text === null) return null;
  const [head, ...rest] = text.split('\n\n');
  const fields = head.split('\n');
  const get = (k) => fields.filter((l) => l.startsWith(`${k} `)).map((l) => l.slice(k.length + 1));
  return {
    sha,
    node_id: `C_${sha}`,
    url: `${ctx.api}/git/commits/${sha}`,
    html_url: `${ctx.state.base}/html/${ctx.slug}/commit/${sha}`,
    author: parsePerson(get('author')[0] ?? ''),
    committer: parsePerson(get('committer')[0] ?? ''),
    message: rest.join('\n\n'),
    tree: { sha: get('tree')[0], url: `${ctx.api}/git/trees/${get('tree')[0]}` },
    parents: get('parent').map((p) => ({ sha: p, url: `${ctx.api}/git/commits/${p}`, html_url: `${ctx.state.base}/html/${ctx.slug}/commit/${p}` })),
    verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
  };
}

function refJson(ctx, ref, sha) {
  return { ref, node_id: `REF_${sha}`, url: `${ctx.api}/git/${ref}`, object: { type: 'commit', sha, url: `${ctx.api}/git/commits/${sha}` } };
}

// GitHub's whole answer to a ref update that a branch protection rule or ruleset refuses.
const REF_REFUSED = 'Reference update failed';
const MAX_BODY = 65536;
const validation = (message, errors) => ({ status: 422, data: { message, documentation_url: DOCS, ...(errors ? { errors } : {}) } });
const forbidden = (message, doc, errors) => ({ status: 403, data: { message, documentation_url: `${DOCS}/${doc}`, ...(errors ? { errors } : {}) } });
const bodyTooLong = () =>
  validation('Validation Failed', [{ resource: 'Issue', code: 'custom', field: 'body', message: `body is too long (maximum is ${MAX_BODY} characters)` }]);
const notFound = () => ({ status: 404, data: { message: 'Not Found', documentation_url: DOCS } });
const validRef = (ref) => /^refs\/[^/]+\/.+/.test(ref) && !/\.\.|[~^:?*[\\\s]|@\{|\/\/|\.lock$|\/$|\/\./.test(ref);

// ---- pulls ---------------------------------------------------------------------------------

async function pullJson(ctx, p) {
  const headSha = (await tryGit(ctx.bare, ['rev-parse', '--verify', `refs/heads/${p.head}`])) ?? p.headSha;
  const baseSha = (await tryGit(ctx.bare, ['rev-parse', '--verify', `refs/heads/${p.base}`])) ?? '';
  const [owner] = ctx.slug.split('/');
  return {
    url: `${ctx.api}/pulls/${p.number}`,
    id: p.number,
    node_id: `PR_${p.number}`,
    html_url: `${ctx.state.base}/html/${ctx.slug}/pull/${p.number}`,
    number: p.number,
    state: p.state,
    locked: false,
    title: p.title,
    body: p.body ?? null,
    draft: p.draft,
    labels: (ctx.state.labels.get(`${ctx.slug}#${p.number}`) ?? []).map((n) => labelJson(ctx, n)),
    created_at: p.created_at,
    updated_at: p.updated_at,
    head: { label: `${owner}:${p.head}`, ref: p.head, sha: headSha, repo: repoJson(ctx) },
    base: { label: `${owner}:${p.base}`, ref: p.base, sha: baseSha, repo: repoJson(ctx) },
  };
}

function repoJson(ctx) {
  const [owner, name] = ctx.slug.split('/');
  return { name, full_name: ctx.slug, owner: { login: owner }, html_url: `${ctx.state.base}/html/${ctx.slug}`, url: ctx.api };
}

function labelJson(ctx, name) {
  return { id: name.length, node_id: `LA_${name}`, url: `${ctx.api}/labels/${encodeURIComponent(name)}`, name, description: '', color: 'ededed', default: false };
}

const HANDLERS = {
  async 'repos/get'(ctx) {
    const head = await tryGit(ctx.bare, ['symbolic-ref', '--short', 'HEAD']);
    const [owner, name] = ctx.slug.split('/');
    return { status: 200, data: { name, full_name: ctx.slug, default_branch: head ?? 'main', owner: { login: owner } } };
  },

  async 'git/get-ref'(ctx) {
    const ref = `refs/${ctx.params.ref}`;
    const sha = await tryGit(ctx.bare, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
    if (!sha || !validRef(ref)) return notFound();
    return { status: 200, data: refJson(ctx, ref, sha) };
  },

  async 'git/create-ref'(ctx) {
    const { ref, sha } = ctx.body;
    if (!validRef(ref)) return validation('Reference name is not valid');
    if ((await run(ctx.bare, ['cat-file', '-e', `${sha}^{commit}`])).code !== 0) return validation('Object does not exist');
    if (ref.startsWith('refs/heads/') && isProtected(ctx.state, ref.slice('refs/heads/'.length))) return validation(REF_REFUSED);
    const r = await run(ctx.bare, ['update-ref', ref, sha, '0'.repeat(40)]);
    if (r.code !== 0) return validation('Reference already exists');
    return { status: 201, data: refJson(ctx, ref, sha) };
  },

  async 'git/update-ref'(ctx) {
    const ref = `refs/${ctx.params.ref}`;
    const { sha, force = false } = ctx.body;
    const old = await tryGit(ctx.bare, ['rev-parse', '--verify', '--quiet', ref]);
    if (!old) return validation('Reference does not exist');
    if ((await run(ctx.bare, ['cat-file', '-e', `${sha}^{commit}`])).code !== 0) return validation('Object does not exist');
    if (!force && (await run(ctx.bare, ['merge-base', '--is-ancestor', old, sha])).code !== 0) {
      return validation('Update is not a fast forward');
    }
    if (ref.startsWith('refs/heads/') && isProtected(ctx.state, ref.slice('refs/heads/'.length))) return validation(REF_REFUSED);
    const r = await run(ctx.bare, ['update-ref', ref, sha, old]);
    if (r.code !== 0) return validation('Reference cannot be updated');
    return { status: 200, data: refJson(ctx, ref, sha) };
  },

  async 'git/create-blob'(ctx) {
    const { content, encoding = 'utf-8' } = ctx.body;
    const bytes = encoding === 'base64' ? Buffer.from(content, 'base64') : Buffer.from(content, 'utf8');
    const sha = await git(ctx.bare, ['hash-object', '-w', '--stdin'], { input: bytes });
    return { status: 201, data: { url: `${ctx.api}/git/blobs/${sha}`, sha } };
  },

  async 'git/get-commit'(ctx) {
    const c = await commitJson(ctx, ctx.params.commit_sha);
    return c ? { status: 200, data: c } : notFound();
  },

  async 'git/create-tree'(ctx) {
    const { base_tree: baseTree, tree } = ctx.body;
    const dir = await mkdtemp(path.join(tmpdir(), 'gh-server-index-'));
    const env = { GIT_INDEX_FILE: path.join(dir, 'index') };
    try {
      if (baseTree) {
        if ((await run(ctx.bare, ['read-tree', `${baseTree}^{tree}`], { env })).code !== 0) return validation('base_tree is not a valid tree');
      } else {
        await git(ctx.bare, ['read-tree', '--empty'], { env });
      }
      for (const [i, e] of tree.entries()) {
        if (!e.path || !e.mode || !e.type) return validation(`tree.${i} needs path, mode and type`);
        if (e.sha !== undefined && e.content !== undefined) return validation(`tree.${i}: give sha or content, not both`);
        if (e.type !== 'blob') return validation(`tree.${i}: only blobs are supported by the test server`);
        if (e.sha === null) {
          await git(ctx.bare, ['update-index', '--force-remove', '--', e.path], { env });
          continue;
        }
        const sha = e.content !== undefined ? await git(ctx.bare, ['hash-object', '-w', '--stdin'], { input: e.content }) : e.sha;
        if ((await run(ctx.bare, ['cat-file', '-e', `${sha}^{blob}`])).code !== 0) return validation(`tree.${i}.sha is not a blob`);
        await git(ctx.bare, ['update-index', '--add', '--cacheinfo', `${e.mode},${sha},${e.path}`], { env });
      }
      const sha = await git(ctx.bare, ['write-tree'], { env });
      const entries = (await git(ctx.bare, ['ls-tree', '-z', sha])).split('\0').filter(Boolean).map((line) => {
        const [meta, p] = line.split('\t');
        const [mode, type, s] = meta.split(' ');
        return { path: p, mode, type, sha: s, url: `${ctx.api}/git/${type}s/${s}` };
      });
      return { status: 201, data: { sha, url: `${ctx.api}/git/trees/${sha}`, truncated: false, tree: entries } };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },

  async 'git/create-commit'(ctx) {
    const { message, tree, parents = [], author, committer } = ctx.body;
    if ((await run(ctx.bare, ['cat-file', '-e', `${tree}^{tree}`])).code !== 0) return validation('Tree SHA does not exist');
    for (const p of parents) if ((await run(ctx.bare, ['cat-file', '-e', `${p}^{commit}`])).code !== 0) return validation('Parent SHA does not exist');
    const who = author ?? { name: ctx.state.login, email: `${ctx.state.login}@users.noreply.github.com` };
    const by = committer ?? { name: 'GitHub', email: 'noreply@github.com' };
    const args = ['commit-tree', tree, ...parents.flatMap((p) => ['-p', p]), '-F', '-'];
    const sha = await git(ctx.bare, args, {
      input: message,
      env: {
        GIT_AUTHOR_NAME: who.name,
        GIT_AUTHOR_EMAIL: who.email,
        GIT_COMMITTER_NAME: by.name,
        GIT_COMMITTER_EMAIL: by.email,
        ...(who.date ? { GIT_AUTHOR_DATE: who.date } : {}),
      },
    });
    return { status: 201, data: await commitJson(ctx, sha) };
  },

  // commits of HEAD that BASE lacks, oldest first (git log BASE..HEAD, reversed); without
  // per_page/page at most 250, the newest ones, as GitHub documents
  async 'repos/compare-commits-with-basehead'(ctx) {
    const m = /^(.+?)\.\.\.(.+)$/.exec(ctx.params.basehead);
    if (!m) return notFound();
    const resolve = (r) => tryGit(ctx.bare, ['rev-parse', '--verify', '--quiet', `${r}^{commit}`]);
    const [base, head] = [await resolve(m[1]), await resolve(m[2])];
    if (!base || !head) return notFound();
    const mergeBase = await tryGit(ctx.bare, ['merge-base', base, head]);
    if (!mergeBase) return { status: 404, data: { message: `No common ancestor between ${m[1]} and ${m[2]}.`, documentation_url: DOCS } };
    const list = (await git(ctx.bare, ['rev-list', '--reverse', `${base}..${head}`])).split('\n').filter(Boolean);
    const behind = Number(await git(ctx.bare, ['rev-list', '--count', `${head}..${base}`]));
    const paged = ctx.query.has('per_page') || ctx.query.has('page');
    const perPage = Number(ctx.query.get('per_page') ?? 30);
    const page = Number(ctx.query.get('page') ?? 1);
    const shown = paged ? list.slice((page - 1) * perPage, page * perPage) : list.slice(-250);
    const json = async (sha) => {
      const c = await commitJson(ctx, sha);
      const at = `${ctx.api}/commits/${sha}`;
      return {
        url: at,
        sha,
        node_id: c.node_id,
        html_url: c.html_url,
        comments_url: `${at}/comments`,
        commit: { url: c.url, author: c.author, committer: c.committer, message: c.message, comment_count: 0, tree: c.tree, verification: c.verification },
        author: null,
        committer: null,
        parents: c.parents,
      };
    };
    const status = list.length && behind ? 'diverged' : list.length ? 'ahead' : behind ? 'behind' : 'identical';
    const [owner] = ctx.slug.split('/');
    const html = `${ctx.state.base}/html/${ctx.slug}/compare/${ctx.params.basehead}`;
    return {
      status: 200,
      data: {
        url: `${ctx.api}/compare/${ctx.params.basehead}`,
        html_url: html,
        permalink_url: `${ctx.state.base}/html/${ctx.slug}/compare/${owner}:${base}...${owner}:${head}`,
        diff_url: `${html}.diff`,
        patch_url: `${html}.patch`,
        base_commit: await json(base),
        merge_base_commit: await json(mergeBase),
        status,
        ahead_by: list.length,
        behind_by: behind,
        total_commits: list.length,
        commits: await Promise.all(shown.map(json)),
      },
    };
  },

  async 'repos/get-content'(ctx) {
    const ref = ctx.query.get('ref') ?? 'HEAD';
    const p = ctx.params.path;
    const sha = await tryGit(ctx.bare, ['rev-parse', '--verify', '--quiet', `${ref}:${p}`]);
    if (!sha || (await tryGit(ctx.bare, ['cat-file', '-t', sha])) !== 'blob') return notFound();
    const bytes = (await run(ctx.bare, ['cat-file', 'blob', sha])).stdout;
    const self = `${ctx.api}/contents/${p}?ref=${encodeURIComponent(ref)}`;
    const gitUrl = `${ctx.api}/git/blobs/${sha}`;
    const html = `${ctx.state.base}/html/${ctx.slug}/blob/${ref}/${p}`;
    return {
      status: 200,
      data: {
        type: 'file',
        encoding: 'base64',
        size: bytes.length,
        name: path.posix.basename(p),
        path: p,
        content: bytes.toString('base64').replace(/(.{60})/g, '$1\n'),
        sha,
        url: self,
        git_url: gitUrl,
        html_url: html,
        download_url: `${ctx.state.base}/raw/${ctx.slug}/${ref}/${p}`,
        _links: { self, git: gitUrl, html },
      },
    };
  },

  async 'pulls/list'(ctx) {
    const state = ctx.query.get('state') ?? 'open';
    const head = ctx.query.get('head');
    const base = ctx.query.get('base');
    const [owner] = ctx.slug.split('/');
    const all = ctx.state.pulls.get(ctx.slug) ?? [];
    // looseHeadFilter: PRs whose head branch points at the same commit as the named one match too
    const headSha = async (branch) => tryGit(ctx.bare, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`]);
    const named = head ? head.split(':').pop() : null;
    const namedSha = named && ctx.state.behaviour.looseHeadFilter ? await headSha(named) : null;
    const sameSha = new Set();
    if (namedSha) for (const p of all) if ((await headSha(p.head)) === namedSha) sameSha.add(p);
    const list = all.filter(
      (p) =>
        (state === 'all' || p.state === state) &&
        (!head || head === `${owner}:${p.head}` || (!head.includes(':') && head === p.head) || sameSha.has(p)) &&
        (!base || base === p.base),
    );
    return { status: 200, data: await Promise.all(list.map((p) => pullJson(ctx, p))) };
  },

  async 'pulls/get'(ctx) {
    const p = (ctx.state.pulls.get(ctx.slug) ?? []).find((x) => x.number === Number(ctx.params.pull_number));
    return p ? { status: 200, data: await pullJson(ctx, p) } : notFound();
  },

  async 'pulls/create'(ctx) {
    const { title, head, base, body, draft = false } = ctx.body;
    const b = ctx.state.behaviour;
    if (b.actionsCannotCreatePulls) return forbidden('GitHub Actions is not permitted to create or approve pull requests.', 'pulls/pulls#create-a-pull-request');
    if (!head || !base) return validation('Validation Failed', [{ resource: 'PullRequest', code: 'missing_field', field: head ? 'base' : 'head' }]);
    const branch = head.includes(':') ? head.split(':')[1] : head;
    const headInvalid = validation('Validation Failed', [{ resource: 'PullRequest', code: 'invalid', field: 'head' }]);
    if (b.headInvalidLag > 0) {
      b.headInvalidLag -= 1;
      return headInvalid;
    }
    if (!(await tryGit(ctx.bare, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`]))) return headInvalid;
    if (draft && b.draftsUnsupported) return validation('Draft pull requests are not supported in this repository.');
    if (String(body ?? '').length > MAX_BODY) return bodyTooLong();
    if (!(await tryGit(ctx.bare, ['rev-parse', '--verify', '--quiet', `refs/heads/${base}`]))) {
      return validation('Validation Failed', [{ resource: 'PullRequest', code: 'invalid', field: 'base' }]);
    }
    const list = ctx.state.pulls.get(ctx.slug) ?? [];
    if (list.some((p) => p.state === 'open' && p.head === branch && p.base === base)) {
      return validation('Validation Failed', [{ resource: 'PullRequest', code: 'custom', message: `A pull request already exists for ${head}.` }]);
    }
    const now = new Date().toISOString();
    const p = { number: ctx.state.nextPull++, title, body: body ?? null, head: branch, base, draft: Boolean(draft), state: 'open', created_at: now, updated_at: now };
    list.push(p);
    ctx.state.pulls.set(ctx.slug, list);
    return { status: 201, data: await pullJson(ctx, p) };
  },

  async 'pulls/update'(ctx) {
    const p = (ctx.state.pulls.get(ctx.slug) ?? []).find((x) => x.number === Number(ctx.params.pull_number));
    if (!p) return notFound();
    if (String(ctx.body.body ?? '').length > MAX_BODY) return bodyTooLong();
    for (const k of ['title', 'body', 'state', 'base']) if (ctx.body[k] !== undefined) p[k] = ctx.body[k];
    p.updated_at = new Date().toISOString();
    return { status: 200, data: await pullJson(ctx, p) };
  },

  async 'pulls/request-reviewers'(ctx) {
    const p = (ctx.state.pulls.get(ctx.slug) ?? []).find((x) => x.number === Number(ctx.params.pull_number));
    if (!p) return notFound();
    const { reviewers = [], team_reviewers: teams = [] } = ctx.body ?? {};
    const known = ctx.state.behaviour.collaborators;
    const stranger = known ? [...reviewers].find((r) => !known.includes(r)) : null;
    if (stranger) return validation('Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the ' + `${ctx.slug} repository.`);
    if (teams.length && ctx.state.behaviour.teamsForbidden) return forbidden('Resource not accessible by integration', 'pulls/review-requests#request-reviewers-for-a-pull-request');
    p.reviewers = [...new Set([...(p.reviewers ?? []), ...reviewers])];
    p.team_reviewers = [...new Set([...(p.team_reviewers ?? []), ...teams])];
    return { status: 201, data: await pullJson(ctx, p) };
  },

  async 'issues/add-assignees'(ctx) {
    const p = (ctx.state.pulls.get(ctx.slug) ?? []).find((x) => x.number === Number(ctx.params.issue_number));
    if (!p) return notFound();
    // GitHub skips (silently) users who cannot be assigned
    const known = ctx.state.behaviour.collaborators;
    p.assignees = [...new Set([...(p.assignees ?? []), ...(ctx.body?.assignees ?? []).filter((a) => !known || known.includes(a))])];
    return { status: 201, data: await pullJson(ctx, p) };
  },

  async 'issues/update'(ctx) {
    const p = (ctx.state.pulls.get(ctx.slug) ?? []).find((x) => x.number === Number(ctx.params.issue_number));
    if (!p) return notFound();
    const { milestone } = ctx.body ?? {};
    if (milestone !== undefined) {
      const exists = ctx.state.behaviour.milestones ?? [];
      if (milestone !== null && !exists.includes(Number(milestone))) return validation('Validation Failed', [{ resource: 'Issue', field: 'milestone', code: 'invalid', value: String(milestone) }]);
      p.milestone = milestone;
    }
    return { status: 200, data: await pullJson(ctx, p) };
  },

  async 'issues/add-labels'(ctx) {
    const n = Number(ctx.params.issue_number);
    if (!(ctx.state.pulls.get(ctx.slug) ?? []).some((p) => p.number === n)) return notFound();
    const given = Array.isArray(ctx.body) ? ctx.body : (ctx.body?.labels ?? []);
    const names = given.map((l) => (typeof l === 'string' ? l : l.name));
    const b = ctx.state.behaviour;
    if (b.labelsForbidden && names.some((name) => !(b.repoLabels ?? []).includes(name))) {
      return forbidden('You do not have permission to create labels on this repository.', 'issues/labels#add-labels-to-an-issue', [
        { resource: 'Repository', field: 'label', code: 'unauthorized' },
      ]);
    }
    const key = `${ctx.slug}#${n}`;
    const now = ctx.state.labels.get(key) ?? [];
    for (const name of names) if (!now.includes(name)) now.push(name);
    ctx.state.labels.set(key, now);
    return { status: 200, data: now.map((name) => labelJson(ctx, name)) };
  },
};

// ---- git smart HTTP (git http-backend) ---------------------------------------------------

const GIT_PATH = /^(?:\/git)?\/([^/]+\/[^/]+?)\.git(\/.*)$/;

async function gitHttp(state, req, res, url, body) {
  const m = GIT_PATH.exec(url.pathname);
  const bare = m && state.repos.get(m[1]);
  const entry = { method: req.method, path: url.pathname, authorized: false, status: 0 };
  state.gitRequests.push(entry);
  if (!bare) {
    entry.status = 404;
    res.writeHead(404).end();
    return;
  }
  if (state.token) {
    const auth = String(req.headers.authorization ?? '');
    const basic = /^basic (.+)$/i.exec(auth);
    const password = basic ? Buffer.from(basic[1], 'base64').toString('utf8').split(':').slice(1).join(':') : null;
    if (password !== state.token) {
      entry.status = 401;
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="test"' }).end('authentication required\n');
      return;
    }
    entry.authorized = true;
  }
  const pushing = url.searchParams.get('service') === 'git-receive-pack' || url.pathname.endsWith('/git-receive-pack');
  if (pushing && state.behaviour.gitPushForbidden) {
    entry.status = 403;
    res.writeHead(403, { 'content-type': 'text/plain' }).end(`Permission to ${m[1]}.git denied to ${state.login}.\n`);
    return;
  }
  entry.status = await serveGitHttp({ bare, rest: m[2], req, res, url, body, user: 'x-access-token' });
}
