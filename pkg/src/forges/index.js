// The forges a pull request can be opened on, behind one interface (see pulls.js for the
// flow and docs/pipeline.md for what each supports).

import { createAuth } from '../git/auth.js';
import { PipelineError } from '../common/errors.js';
import { BitbucketForge } from './bitbucket.js';
import { apiHeaders, forgeOfHost, gitUsername, parseRemote, resolveForge, tokenFor, TOKEN_VARIABLES } from './detect.js';
import { GitHubForge } from './github.js';
import { GiteaForge } from './gitea.js';
import { GitLabForge } from './gitlab.js';

export { FORGES, parseRemote, forgeOfHost, resolveForge, tokenFor, apiHeaders, gitUsername, TOKEN_VARIABLES } from './detect.js';
export { ForgeApiError, ForgeClient, isUnder } from './client.js';
export { upsertPullRequest, closeHeldPullRequest, closeStalePullRequests, fitBody } from './pulls.js';
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
  const auth = createAuth({ token: credential?.token ?? null, extraSecrets: secrets, username: username ?? undefined });
  const Forge = CLASSES[where.forge];
  const instance = new Forge({ apiUrl: where.apiUrl, project: where.project, headers: apiHeaders(credential), auth, fetch, log, sleep });
  return { ...where, credential, auth, gitUsername: username, forgeApi: instance };
}

/**
 * The pipeline's forge for a pull request on `remoteUrl`: null for GitHub (the pipeline
 * keeps its own GitHub set-up), else the opened forge. `forge`: --forge, else the remote's
 * host, else GitHub (GitHub Enterprise Server runs on any host). `tokenEnv`: a variable
 * named with --token-env (null: the forge's usual ones). `api`: the mode calls the forge's
 * API; without it (a push, a clone) only git's credentials are wanted: see {@link gitForge}.
 * @throws {PipelineError} usage (exit 2): --api-commit on another forge, a remote that
 *   names no project, a bad --api-url; auth (exit 3): no token
 */
export function pipelineForge(remoteUrl, { forge, apiUrl, tokenEnv, api = true, apiCommit, env, log = () => {}, fetch }) {
  const remote = parseRemote(remoteUrl);
  const name = forge ?? (remote ? forgeOfHost(remote.host, env) : null) ?? 'github';
  if (name === 'github') return null;
  const usage = (message) => new PipelineError(message, { code: 'usage', details: { exitCode: 2 } });
  if (!api) return gitForge(remoteUrl, { forge: name, tokenEnv, env, log, usage });
  if (apiCommit) throw usage(`--api-commit uses GitHub's Git Data API; on ${name} the commit is pushed by git (add --sign ssh|gpg for a signed one)`);
  let f;
  try {
    f = openForge(remoteUrl, { forge: name, apiUrl, tokenEnv, env, log, fetch });
  } catch (e) {
    throw usage(e.message);
  }
  if (!f.credential) {
    const names = TOKEN_VARIABLES[name].map((v) => v.name).join(' or ');
    const basic = name === 'bitbucket' ? ' (or BITBUCKET_USERNAME and BITBUCKET_APP_PASSWORD)' : '';
    throw new PipelineError(`no ${f.forgeApi.label} token: set ${names}${basic}, or name another variable with --token-env`, { code: 'auth' });
  }
  log(`${f.forgeApi.label} API: ${f.apiUrl} (${forge ? '--forge' : "the remote's host"}; --api-url overrides), token from ${f.credential.variable}`);
  return f;
}

/**
 * A push or a clone on another forge than GitHub: git sends that forge's token (its usual
 * variable, or --token-env) as that forge's git user, to the remote's origin only. Without
 * one, git goes without a token (the checkout's own SSH key or credential helper): a
 * GITHUB_TOKEN is never sent to another forge's host.
 */
function gitForge(remoteUrl, { forge, tokenEnv, env, log, usage }) {
  let credential = null;
  // as on GitHub, a push goes on without a token when the named variable is empty
  const named = tokenEnv && !String(env[tokenEnv] ?? '').trim();
  try {
    if (!named) credential = tokenFor(forge, env, tokenEnv);
  } catch (e) {
    throw usage(e.message);
  }
  const username = gitUsername(forge, credential);
  const secrets = [env.GITHUB_TOKEN, credential ? Buffer.from(`${username}:${credential.token}`).toString('base64') : null];
  const auth = createAuth({ token: credential?.token ?? null, extraSecrets: secrets, username: username ?? undefined });
  const label = { gitea: 'Gitea', gitlab: 'GitLab', bitbucket: 'Bitbucket' }[forge];
  const names = named ? tokenEnv : TOKEN_VARIABLES[forge].map((v) => v.name).join(' or ');
  log(credential ? `${label} remote: git sends the token from ${credential.variable}` : `${label} remote: no token in ${names}; git uses the checkout's own credentials`);
  const remote = parseRemote(remoteUrl);
  const segs = remote ? remote.path.split('/') : [];
  return { forge, credential, auth, gitUsername: username, forgeApi: null, project: { owner: segs.slice(0, -1).join('/') || null, repo: segs.at(-1) ?? null } };
}
