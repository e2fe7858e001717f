// The four forges as the shared tests see them: GitHub's local server, a real Gitea, and
// the GitLab and Bitbucket Cloud servers that check every call against the published API
// descriptions. Each `start(t, files)` gives a repository whose main branch holds `files`,
// reached over git's smart HTTP with the forge's own token convention, and reads the pull
// requests back from the server itself (never through the client under test).

import { startGitHubServer } from '../github-api-server/server.js';
import { startGitLabServer } from '../forge-servers/gitlab.js';
import { startBitbucketServer } from '../forge-servers/bitbucket.js';
import { makeRemote } from '../pipeline/helpers.js';
import { giteaMissing, startGitea } from './gitea.js';
import { pusher } from './git.js';

const giteaGone = giteaMissing();

/**
 * @typedef {object} StartedForge
 * @property {string} remoteUrl
 * @property {string} apiUrl
 * @property {Record<string, string>} env    the token in the forge's usual variable
 * @property {string} token
 * @property {{user: string, token: string}} creds  what git sends for the test's own pushes
 * @property {() => Promise<Array<{number: number, head: string, title: string, state: 'open'|'closed'}>>} pulls
 * @property {string[]} [mismatches]   calls that did not follow the published description
 * @property {Array<{headers: Record<string, unknown>}>} [requests]  API requests as received
 */

/** @type {Array<{name: string, noun: string, labels: boolean, skip: string|false, start: (t: any, files: Record<string,string>) => Promise<StartedForge>}>} */
export const FORGES = [
  {
    name: 'github',
    noun: 'pull request',
    labels: true,
    skip: false,
    start: (t, files) =>
      local(t, files, {
        project: 'acme/config',
        token: 'ghs_scenarioToken0000000000000000',
        variable: 'GITHUB_TOKEN',
        user: 'x-access-token',
        serve: (repos, token) => startGitHubServer({ repos, token }),
        pulls: (server) => server.pulls('acme/config').map((p) => ({ number: p.number, head: p.head, title: p.title, state: p.state })),
      }),
  },
  {
    name: 'gitea',
    noun: 'pull request',
    labels: true,
    // missing Gitea fails the test (scripts/setup-test builds it) unless skipped on purpose
    skip: giteaGone && process.env.GB_SKIP_GITEA === '1' ? `GB_SKIP_GITEA=1: ${giteaGone}` : false,
    async start(t, files) {
      if (giteaGone) throw new Error(giteaGone);
      const g = await startGitea(t);
      const creds = { user: g.user, token: g.token };
      await (await pusher(t, g.remoteUrl, creds)).advance('main', files, 'seed');
      const label = await g.api('POST', `/repos/${g.repo}/labels`, { name: 'gitops', color: '#00aabb' });
      if (label.status !== 201) throw new Error(`creating the label: ${label.status}`);
      return {
        remoteUrl: g.remoteUrl,
        apiUrl: g.apiUrl,
        env: { GITEA_TOKEN: g.token },
        token: g.token,
        creds,
        pulls: async () => {
          const { data } = await g.api('GET', `/repos/${g.repo}/pulls?state=all&limit=50`);
          return data.map((p) => ({ number: p.number, head: p.head.ref, title: p.title, state: p.state }));
        },
      };
    },
  },
  {
    name: 'gitlab',
    noun: 'merge request',
    labels: true,
    skip: false,
    start: (t, files) =>
      local(t, files, {
        project: 'platform/deploy/config',
        token: 'glpat-scenarioToken000000000',
        variable: 'GITLAB_TOKEN',
        user: 'oauth2',
        serve: (repos, token) => startGitLabServer({ repos, token }),
        pulls: (server) =>
          server.mergeRequests('platform/deploy/config').map((m) => ({ number: m.iid, head: m.source_branch, title: m.title, state: m.state === 'opened' ? 'open' : m.state })),
      }),
  },
  {
    name: 'bitbucket',
    noun: 'pull request',
    labels: false,
    skip: false,
    start: (t, files) =>
      local(t, files, {
        project: 'acme/config',
        token: 'bbat-scenarioToken0000000000',
        variable: 'BITBUCKET_TOKEN',
        user: 'x-token-auth',
        // a page of 1: every listing follows `next` links
        serve: (repos, token) => startBitbucketServer({ repos, token, pagelen: 1 }),
        pulls: (server) =>
          server.pullRequests('acme/config').map((p) => ({ number: p.id, head: p.source, title: p.title, state: p.state === 'OPEN' ? 'open' : p.state === 'DECLINED' ? 'closed' : p.state })),
      }),
  },
];

/** One of the local servers over a real bare repository holding `files`. */
async function local(t, files, { project, token, variable, user, serve, pulls }) {
  const remote = makeRemote(t, files);
  const server = await serve({ [project]: remote.bare }, token);
  t.after(() => server.close());
  return {
    remoteUrl: server.remoteUrl(project),
    apiUrl: server.apiUrl,
    env: { [variable]: token },
    token,
    creds: { user, token },
    pulls: async () => pulls(server),
    mismatches: server.mismatches,
    requests: server.requests,
    server,
  };
}
