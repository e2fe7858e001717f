// What the local GitLab and Bitbucket servers share: an HTTP server on 127.0.0.1 that
// routes API calls through a Swagger 2.0 description (every request and response checked;
// what does not follow it is recorded in `mismatches`, which the tests assert empty), and
// git's smart HTTP over real bare repositories (git http-backend), with each forge's
// token convention for git.

import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { serveGitHttp } from '../github-api-server/git-http.js';

/**
 * @param {object} o
 * @param {import('./swagger2.js').Swagger2} o.spec
 * @param {Map<string, string>} o.repos  project path -> bare repository
 * @param {(req: http.IncomingMessage) => boolean} o.authorized  API credentials check
 * @param {(user: string, password: string) => boolean} o.gitAuthorized  git's Basic credentials check
 * @param {(state: object, m: object, ctx: object) => Promise<{status: number, data?: unknown, headers?: object}>} o.handle
 * @param {(status: number, message: string) => unknown} o.errorBody  the forge's error shape
 * @param {(state: object, url: URL) => boolean} [o.isGit]
 * @param {(url: URL) => URLSearchParams} [o.queryToCheck]  the query the description must cover
 */
export async function startServer({ spec, repos, authorized, gitAuthorized, handle, errorBody, gitPath, queryToCheck = (u) => u.searchParams }) {
  const state = {
    spec,
    repos,
    mismatches: [],
    requests: [],
    gitRequests: [],
    hooks: {},
    base: '',
  };
  const server = http.createServer((req, res) => {
    serve(state, req, res, { authorized, gitAuthorized, handle, errorBody, gitPath, queryToCheck }).catch((e) => {
      state.mismatches.push({ method: req.method, url: req.url, where: 'server', errors: [`server error: ${e.stack}`] });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify(errorBody(500, 'test server error')));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.base = `http://127.0.0.1:${server.address().port}`;
  return { state, server, close: () => new Promise((resolve) => server.close(resolve)) };
}

async function serve(state, req, res, o) {
  const url = new URL(req.url, state.base);
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const raw = Buffer.concat(chunks);
  const git = o.gitPath.exec(url.pathname);
  if (git) return gitHttp(state, req, res, url, raw, git, o.gitAuthorized);
  // the path exactly as sent: a project path must stay percent-encoded ("group%2Frepo")
  const sentPath = req.url.split('?')[0];
  const record = { method: req.method, path: sentPath, query: url.search, status: 0, headers: { ...req.headers } };
  state.requests.push(record);
  const mismatch = (where, errors) => state.mismatches.push({ method: req.method, url: req.url, where, errors });
  const reply = (status, data, headers = {}) => {
    record.status = status;
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(data === undefined ? '' : JSON.stringify(data));
  };
  const m = state.spec.match(req.method, sentPath);
  if (!m) {
    mismatch('route', [`no operation in ${path.basename(state.spec.file)} for ${req.method} ${sentPath}`]);
    return reply(404, o.errorBody(404, 'Not Found'));
  }
  if (!o.authorized(req)) return reply(401, o.errorBody(401, 'Unauthorized'));
  let body;
  if (raw.length) {
    if (!/application\/json/i.test(String(req.headers['content-type'] ?? ''))) mismatch(`request ${m.template}`, ['a JSON body sent without Content-Type: application/json']);
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      mismatch(`request ${m.template}`, ['the body is not JSON']);
      return reply(400, o.errorBody(400, 'the body is not JSON'));
    }
  }
  const errors = state.spec.validateRequest(m, o.queryToCheck(url), body, raw.length > 0);
  if (errors.length) {
    mismatch(`request ${req.method} ${m.template}`, errors);
    return reply(400, o.errorBody(400, errors.join('; ')));
  }
  const hook = state.hooks[`${req.method} ${m.template}`];
  if (hook) await hook({ params: m.params, body, query: url.searchParams });
  const out = await o.handle(state, m, { params: m.params, query: url.searchParams, body, req });
  const problems = state.spec.validateResponse(m, out.status, out.data);
  if (problems.length) mismatch(`response ${req.method} ${m.template} ${out.status}`, problems);
  return reply(out.status, out.data, out.headers);
}

/** Runs git in a bare repository; resolves stdout, or null when git fails. */
export function gitIn(cwd, args) {
  return new Promise((resolve) => {
    const child = spawn('git', args, { cwd, env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' } });
    const out = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', () => {});
    child.on('error', () => resolve(null));
    child.on('close', (code) => resolve(code === 0 ? Buffer.concat(out).toString('utf8').trim() : null));
  });
}

/** The commit `refs/heads/branch` points at, or null. */
export function branchHead(bare, branch) {
  return gitIn(bare, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`]);
}

async function gitHttp(state, req, res, url, body, match, gitAuthorized) {
  const [, project, rest] = match;
  const bare = state.repos.get(project);
  const entry = { method: req.method, path: url.pathname, user: null, status: 0 };
  state.gitRequests.push(entry);
  if (!bare) {
    entry.status = 404;
    res.writeHead(404).end();
    return;
  }
  const basic = /^basic (.+)$/i.exec(String(req.headers.authorization ?? ''));
  const [user, ...pw] = basic ? Buffer.from(basic[1], 'base64').toString('utf8').split(':') : [];
  if (!basic || !gitAuthorized(user, pw.join(':'))) {
    entry.status = 401;
    res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="test forge"' }).end('authentication required\n');
    return;
  }
  entry.user = user;
  entry.status = await serveGitHttp({ bare, rest, req, res, url, body, user });
}
