// Which forge, which API URL, which project, which token — and the token goes nowhere else.

import test from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { openForge, pipelineForge, resolveForge, tokenFor, ForgeApiError, upsertPullRequest } from '../../pkg/src/forges/index.js';
import { GitHubClient } from '../../pkg/src/github/client.js';
import { createAuth } from '../../pkg/src/git/auth.js';

test('the forge comes from the remote host; --forge overrides; an unknown host names --forge', () => {
  const cases = [
    ['https://github.com/acme/config.git', 'github', 'https://api.github.com', 'acme/config'],
    ['git@github.com:acme/config.git', 'github', 'https://api.github.com', 'acme/config'],
    ['https://ghe.example.com/acme/config', null, null, null],
    ['https://gitlab.com/platform/deploy/config.git', 'gitlab', 'https://gitlab.com/api/v4', 'platform/deploy/config'],
    ['ssh://git@gitlab.example.com:2222/grp/cfg.git', 'gitlab', 'https://gitlab.example.com/api/v4', 'grp/cfg'],
    ['git@bitbucket.org:acme/config.git', 'bitbucket', 'https://api.bitbucket.org/2.0', 'acme/config'],
    ['https://codeberg.org/acme/config', 'gitea', 'https://codeberg.org/api/v1', 'acme/config'],
    ['https://forgejo.example.org/acme/config.git', 'gitea', 'https://forgejo.example.org/api/v1', 'acme/config'],
    ['http://127.0.0.1:3000/acme/config.git', null, null, null],
  ];
  for (const [url, forge, api, project] of cases) {
    if (!forge) {
      assert.throws(() => resolveForge(url), (e) => e.kind === 'usage' && /pass --forge github\|gitea\|gitlab\|bitbucket/.test(e.message), url);
      continue;
    }
    const r = resolveForge(url);
    assert.deepEqual([r.forge, r.apiUrl, r.project.path], [forge, api, project], url);
  }
  // self-hosted: the override names the forge, the API URL follows the remote's scheme and port
  assert.equal(resolveForge('http://127.0.0.1:3000/acme/config.git', { forge: 'gitea' }).apiUrl, 'http://127.0.0.1:3000/api/v1');
  assert.equal(resolveForge('https://git.example.com/scm/acme/config.git', { forge: 'gitea' }).apiUrl, 'https://git.example.com/scm/api/v1', 'a Gitea under a sub-path');
  assert.equal(resolveForge('https://ghe.example.com/acme/config', { fallback: 'github' }).apiUrl, 'https://ghe.example.com/api/v3', 'GitHub Enterprise stays the default of an unknown host in the pipeline');
  assert.equal(resolveForge('https://git.example.com/a/b', { forge: 'gitlab', apiUrl: 'https://git.example.com/gitlab/api/v4/' }).apiUrl, 'https://git.example.com/gitlab/api/v4');
  // inside a GitLab CI job the job names its server and API
  const env = { GITLAB_CI: 'true', CI_SERVER_HOST: 'code.example.com', CI_API_V4_URL: 'https://code.example.com/api/v4' };
  assert.deepEqual(Object.values(resolveForge('https://code.example.com/g/r.git', { env })).slice(0, 2), ['gitlab', 'https://code.example.com/api/v4']);
  assert.throws(() => resolveForge('https://github.com/a/b', { forge: 'gogs' }), /--forge: unknown forge "gogs"/);
  assert.throws(() => resolveForge('https://github.com/a/b', { apiUrl: 'ftp://x' }), /--api-url: "ftp:\/\/x" is not an http\(s\) URL/);
  assert.throws(() => resolveForge('/srv/git/config.git', { forge: 'gitea' }), /names no owner\/repository path/);
});

test("the token comes from the forge's usual variable, or --token-env", () => {
  assert.deepEqual(tokenFor('gitlab', { GITLAB_TOKEN: ' glpat-1 ', CI_JOB_TOKEN: 'job' }), { token: 'glpat-1', kind: 'private-token', variable: 'GITLAB_TOKEN' });
  assert.equal(tokenFor('gitlab', { CI_JOB_TOKEN: 'job' }).kind, 'job-token');
  assert.equal(tokenFor('gitlab', { GITLAB_OAUTH_TOKEN: 'o' }).kind, 'bearer');
  assert.equal(tokenFor('gitea', { FORGEJO_TOKEN: 'f' }).variable, 'FORGEJO_TOKEN');
  assert.deepEqual(tokenFor('bitbucket', { BITBUCKET_USERNAME: 'me', BITBUCKET_APP_PASSWORD: 'pw' }), { token: 'pw', kind: 'basic', variable: 'BITBUCKET_APP_PASSWORD', username: 'me' });
  assert.equal(tokenFor('github', { GITLAB_TOKEN: 'x' }), null, "another forge's variable is not taken");
  assert.equal(tokenFor('gitea', { MY_TOKEN: 't', GITEA_TOKEN: 'g' }, 'MY_TOKEN').token, 't');
  assert.throws(() => tokenFor('gitea', {}, 'MY_TOKEN'), (e) => e.kind === 'usage' && /--token-env MY_TOKEN: the variable is not set or empty/.test(e.message));
  assert.throws(() => tokenFor('gitea', {}, 'bad name'), /not an environment variable name/);
});

test('a push or clone on another forge takes that forge\'s token for git, or none; never GITHUB_TOKEN', () => {
  const url = 'https://gitlab.com/platform/deploy/config.git';
  const github = 'ghs_notForGitLab000000000000';
  const opened = (env, tokenEnv = null) => pipelineForge(url, { api: false, tokenEnv, env });
  const none = opened({ GITHUB_TOKEN: github });
  assert.equal(none.credential, null);
  assert.equal(none.auth.hasToken, false);
  assert.equal(none.auth.gitConfigEnv(url).GIT_CONFIG_COUNT, undefined, 'git gets no header at all');
  assert.equal(none.auth.mask(`x ${github} x`), 'x *** x', 'GITHUB_TOKEN is still masked');
  const own = opened({ GITHUB_TOKEN: github, GITLAB_TOKEN: 'glpat-own0000000000' });
  assert.deepEqual([own.credential.variable, own.gitUsername, own.project.owner, own.project.repo], ['GITLAB_TOKEN', 'oauth2', 'platform/deploy', 'config']);
  const header = Object.values(own.auth.gitConfigEnv(url)).join('\n');
  assert.ok(header.includes(Buffer.from('oauth2:glpat-own0000000000').toString('base64')));
  assert.ok(!header.includes(Buffer.from(`x-access-token:${github}`).toString('base64')));
  // the Action names its token variable: empty, the push goes on without a token, as on GitHub
  assert.equal(opened({ GITHUB_TOKEN: github, GITOPS_BUMP_TOKEN: '' }, 'GITOPS_BUMP_TOKEN').credential, null);
  assert.equal(opened({ GITOPS_BUMP_TOKEN: 'glpat-named000000000' }, 'GITOPS_BUMP_TOKEN').credential.variable, 'GITOPS_BUMP_TOKEN');
  assert.equal(pipelineForge('https://github.com/acme/config.git', { api: false, env: { GITHUB_TOKEN: github } }), null, 'GitHub keeps its own set-up');
});

/** A server that answers every request with `reply(req)` and records them. */
async function server(t, reply) {
  const seen = [];
  const s = http.createServer((req, res) => {
    seen.push({ url: req.url, headers: req.headers });
    const { status, headers = {}, body } = reply(req);
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body === undefined ? '' : JSON.stringify(body));
  });
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => s.close(r)));
  return { url: `http://127.0.0.1:${s.address().port}`, seen };
}

test('the token is sent to the API only: a foreign next link, a redirect elsewhere are refused', async (t) => {
  const other = await server(t, () => ({ status: 200, body: { values: [] } }));
  const token = 'bbat-secret-token-000111';
  const bb = await server(t, () => ({ status: 200, body: { pagelen: 10, values: [], next: `${other.url}/2.0/repositories/a/b/pullrequests?page=2` } }));
  const { forgeApi } = openForge(`${bb.url}/a/b.git`, { forge: 'bitbucket', apiUrl: `${bb.url}/2.0`, env: { BITBUCKET_TOKEN: token } });
  await assert.rejects(forgeApi.listOpen({ base: 'main' }), (e) => e instanceof ForgeApiError && e.code === 'forge-foreign-url' && e.exitCode === 3 && !e.message.includes(token));
  assert.equal(other.seen.length, 0, 'the other host got nothing');
  assert.equal(bb.seen[0].headers.authorization, `Bearer ${token}`);

  const gl = await server(t, () => ({ status: 302, headers: { location: `${other.url}/api/v4/projects/a%2Fb/merge_requests` } }));
  const gitlab = openForge(`${gl.url}/a/b.git`, { forge: 'gitlab', env: { GITLAB_TOKEN: token } }).forgeApi;
  await assert.rejects(gitlab.findOpen({ head: 'x', base: 'main' }), (e) => e.code === 'forge-redirect' && /not followed/.test(e.message));
  assert.equal(other.seen.length, 0, 'a redirect is not followed with the token');
});

test("GitHub's API client follows a redirect within the API's origin (a renamed repository) and no other", async (t) => {
  const token = 'ghs_redirectToken000000000000';
  const other = await server(t, () => ({ status: 200, body: [] }));
  let gh;
  gh = await server(t, (req) =>
    req.url.startsWith('/repos/acme/old/')
      ? { status: 301, headers: { location: `${gh.url}/repositories/42/pulls?state=open` } }
      : req.url.startsWith('/repositories/42/')
        ? { status: 200, body: [{ number: 7 }] }
        : { status: 307, headers: { location: `${other.url}${req.url}` } },
  );
  const client = new GitHubClient({ apiUrl: gh.url, auth: createAuth({ token }) });
  const { data } = await client.request('GET /repos/{owner}/{repo}/pulls', { owner: 'acme', repo: 'old', state: 'open' });
  assert.deepEqual(data, [{ number: 7 }]);
  assert.deepEqual(gh.seen.map((r) => r.headers.authorization), [`Bearer ${token}`, `Bearer ${token}`]);
  await assert.rejects(client.request('GET /repos/{owner}/{repo}/pulls', { owner: 'acme', repo: 'moved' }), (e) => {
    assert.equal(e.exitCode, 3);
    assert.match(e.message, /answered 307, a redirect to http:\/\/127\.0\.0\.1:\d+, not followed \(the token would go along\)/);
    return true;
  });
  assert.equal(other.seen.length, 0, 'the other origin got nothing');
});

test('errors are masked, name the forge, and exit 3', async (t) => {
  const token = 'gitea-token-abcdef123456';
  const g = await server(t, (req) => ({ status: 403, body: { message: `token ${req.headers.authorization} has no write:repository scope` } }));
  const { forgeApi } = openForge(`${g.url}/acme/config.git`, { forge: 'gitea', env: { GITEA_TOKEN: token } });
  await assert.rejects(upsertPullRequest(forgeApi, { head: 'b', base: 'main', title: 't' }), (e) => {
    assert.equal(e.exitCode, 3);
    assert.match(e.message, /^Gitea API GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/repos\/acme\/config\/pulls\?state=open&page=1&limit=50 returned 403: token token \*\*\* has no write:repository scope$/);
    assert.ok(!e.message.includes(token));
    return true;
  });
  assert.equal(g.seen[0].headers.authorization, `token ${token}`);
});
