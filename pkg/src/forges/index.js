// The forges a pull request can be opened on, behind one interface (see pulls.js for the
// flow and docs/pipeline.md for what each supports).

import { createAuth } from '../git/auth.js';
import { BitbucketForge } from './bitbucket.js';
import { apiHeaders, gitUsername, resolveForge, tokenFor } from './detect.js';
import { GitHubForge } from './github.js';
import { GiteaForge } from './gitea.js';
import { GitLabForge } from './gitlab.js';

export { FORGES, parseRemote, forgeOfHost, resolveForge, tokenFor, apiHeaders, gitUsername, TOKEN_VARIABLES } from './detect.js';
export { ForgeApiError, ForgeClient, isUnder } from './client.js';
export { upsertPullRequest, closeStalePullRequests, fitBody } from './pulls.js';
export { GitHubForge, GiteaForge, GitLabForge, BitbucketForge };

const CLASSES = { github: GitHubForge, gitea: GiteaForge, gitlab: GitLabForge, bitbucket: BitbucketForge };

/**
 * The forge for `remoteUrl`, with its token from `env` (or `tokenEnv`), ready to use.
 * The returned `auth` masks the token (and the forms git and the API send) in any text.
 * @param {string} remoteUrl
 * @param {{forge?: string|null, apiUrl?: string|null, tokenEnv?: string|null, env?: NodeJS.ProcessEnv, fallback?: string|null, fetch?: typeof fetch, log?: (l: string) => void}} [options]
 */
export function openForge(remoteUrl, { forge, apiUrl, tokenEnv, env = process.env, fallback = null, fetch, log, sleep } = {}) {
  const where = resolveForge(remoteUrl, { forge, apiUrl, env, fallback });
  const credential = tokenFor(where.forge, env, tokenEnv);
  const username = gitUsername(where.forge, credential);
  const secrets = credential ? [Buffer.from(`${username}:${credential.token}`).toString('base64')] : [];
  const auth = createAuth({ token: credential?.token ?? null, extraSecrets: secrets });
  const Forge = CLASSES[where.forge];
  const instance = new Forge({ apiUrl: where.apiUrl, project: where.project, headers: apiHeaders(credential), auth, fetch, log, sleep });
  return { ...where, credential, auth, gitUsername: username, forgeApi: instance };
}
