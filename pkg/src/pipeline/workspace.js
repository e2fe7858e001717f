// Set-up: where a run works. A fresh clone of --repo, or the checkout the run started in
// (for a push to another branch than the checked-out one, a temporary worktree on that
// branch's remote head); the forge and its API client; the committer identity.

import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { checkRemoteUrl } from '../git/command-manager.js';
import { httpOrigin } from '../git/auth.js';
import { requireUrlKept } from '../git/config-env.js';
import { PipelineError } from '../common/errors.js';
import { requireGitForToken } from '../git/version.js';
import { signRun } from '../git/sign.js';
import { GitHubClient, apiUrlFor, parseRepoSlug, repoFromRemoteUrl } from '../github/client.js';
import { proxiedFetch } from '../github/proxy.js';
import { pipelineForge } from '../forges/index.js';
import { workflowTokenWarning } from '../github/hints.js';
import { pipelineWord } from '../hints.js';
import { MODES } from './modes.js';

/**
 * Sets `run` up for its mode's flow: `root`, `rel` (the working directory below it), `git`,
 * `remote`/`remoteUrl`, `branch` (or `base` for a pull request), `ownCheckout`, the forge's
 * `client` or `forge`, `committer`.
 * @param {import('./run.js').Run} run
 */
export async function prepare(run) {
  const o = run.o;
  const mode = MODES[run.mode];
  const pr = run.mode === 'pull-request';
  if (o.sign) {
    ({ signing: run.signing, o: run.o } = await signRun(o, await run.tempDir()));
    run.log(`signing commits with the ${run.signing.describe}`);
  }
  if (mode.api || mode.pushes || o.repo) {
    // another forge than GitHub brings its API client (with mode.api), and its own token and git user name
    const url = o.repo ?? (await run.gm(run.cwd, null).remoteUrlOf(o.remote).catch(() => null));
    run.forge = pipelineForge(url, { ...o, api: mode.api, apiUrl: o.forgeApiUrl, tokenEnv: o.tokenEnvGiven ? o.tokenEnv : null, log: run.log, fetch: proxiedFetch(o.env) });
    if (run.forge) ({ auth: run.auth, project: { owner: run.owner, repo: run.repo } } = run.forge);
  }
  if (mode.api && !run.auth.hasToken) {
    throw new PipelineError(
      o.frontEnd === 'action'
        ? `no GitHub token: set ${pipelineWord('token', o.frontEnd, o.tokenEnv)}`
        : `no GitHub token: set the environment variable ${o.tokenEnv}${o.tokenEnv === 'GITHUB_TOKEN' ? ` (or name another with ${pipelineWord('token-env', o.frontEnd)})` : ''}`,
      { code: 'auth' },
    );
  }
  if (o.repo) await cloneRepository(run, pr);
  else await useCheckout(run, pr, mode);
  if (mode.api && !run.forge) prepareGitHub(run);
  const target = run.owner ? `${run.owner}/${run.repo}` : slugOf(repoFromRemoteUrl(run.remoteUrl));
  const warning = workflowTokenWarning({ env: o.env, token: run.auth.token, target, tokenWords: run.tokenWords() });
  if (warning) run.warn(warning);
  const hasIdentity = (await run.git.configGet('user.name')) && (await run.git.configGet('user.email'));
  run.committer = hasIdentity ? null : run.o.author;
  if (!pr && mode.pushes && !run.ownCheckout && run.branch && run.branch !== run.current) await onBranchHead(run);
}

/**
 * owner/name of the repository the PR or API commit goes to: --github-repo, else the one
 * the remote URL names (the config repo a workflow checked out or cloned with --repo),
 * else GITHUB_REPOSITORY (the repository running the workflow).
 */
function prepareGitHub(run) {
  const o = run.o;
  let repo;
  if (o.githubRepo) {
    repo = parseRepoSlug(o.githubRepo);
    if (!repo) throw new PipelineError(`${pipelineWord('github-repo', o.frontEnd)} must be owner/name, got ${JSON.stringify(o.githubRepo)}`, { code: 'usage' });
  } else {
    repo = repoFromRemoteUrl(run.remoteUrl) ?? parseRepoSlug(o.env.GITHUB_REPOSITORY);
  }
  if (!repo) {
    throw new PipelineError(`cannot tell the GitHub repository: give ${pipelineWord('github-repo', o.frontEnd, 'owner/name')} (or set GITHUB_REPOSITORY)`, {
      code: 'usage',
    });
  }
  run.owner = repo.owner;
  run.repo = repo.repo;
  const { apiUrl, why } = o.apiUrl ? { apiUrl: o.apiUrl, why: null } : apiUrlFor(run.remoteUrl, o.env);
  if (why) run.log(`GitHub API: ${apiUrl} (${why}; ${pipelineWord('api-url', run.o.frontEnd)} overrides)`);
  // HTTPS_PROXY / NO_PROXY as git (curl) reads them, for every REST request
  run.client = new GitHubClient({ apiUrl, auth: run.auth, log: run.log, fetch: proxiedFetch(o.env) });
}

/**
 * With a token for an http(s) remote, git must read GIT_CONFIG_COUNT, and must really use
 * https for `remote` (a name, or the URL about to be cloned): see requireUrlKept.
 */
async function requireGit(run, git, remote) {
  if (!run.auth.hasToken || !httpOrigin(run.remoteUrl)) return;
  await requireGitForToken(run.gm(run.cwd));
  await requireUrlKept(git, remote, { remoteUrl: run.remoteUrl, tokenEnv: run.o.tokenEnv });
}

/**
 * A push (or API commit) to a branch other than the checked-out one (`--branch deploy`
 * in a checkout of main; a detached HEAD): the edit is made on that branch's remote head,
 * in a temporary worktree, so neither main's history reaches it nor the checkout changes.
 */
async function onBranchHead(run) {
  const depth = (await run.git.isShallow()) ? 1 : undefined;
  const head = await run.git.fetchBranch(run.remote, run.branch, { depth });
  if (!head) {
    throw new PipelineError(`branch ${run.branch} does not exist on ${run.remote}: create it first (gitops-bump does not create branches to push to)`, { code: 'git' });
  }
  const dir = path.join(await run.tempDir(), 'worktree');
  await run.git.exec(['worktree', 'add', '--quiet', '--detach', '--', dir, head]);
  run.worktree = { gm: run.git, dir };
  run.log(`working on ${run.branch} at ${head.slice(0, 12)} in a temporary worktree (the checkout${run.current ? ` of ${run.current}` : ''} is left as it is)`);
  run.root = await realpath(dir);
  run.git = run.gm(run.root);
  run.ownCheckout = true;
}

function slugOf(repo) {
  return repo ? `${repo.owner}/${repo.repo}` : null;
}

/** Works in a fresh shallow clone of --repo (of the base branch for a pull request). */
async function cloneRepository(run, pr) {
  const o = run.o;
  run.remote = 'origin';
  run.remoteUrl = o.repo;
  const dir = path.join(await run.tempDir(), 'repo');
  const branch = pr ? (o.base ?? o.branch) : o.branch;
  await requireGit(run, run.gm(path.dirname(dir)), o.repo);
  run.log(`cloning ${o.repo}${branch ? ` (${branch})` : ''}`);
  await run.gm(path.dirname(dir)).clone(o.repo, dir, { branch });
  run.root = dir;
  // the plan runs in `workingDirectory` inside the clone (the Action's input), its files named from there
  run.rel = o.workingDirectory ?? '';
  run.git = run.gm(dir);
  const cloned = await run.git.currentBranch();
  if (pr) {
    run.base = branch ?? cloned;
    run.branch = null;
  } else {
    run.branch = branch ?? cloned;
  }
  run.ownCheckout = true;
}

/** Works in the checkout the run started in (the working directory may be below its top). */
async function useCheckout(run, pr, mode) {
  const o = run.o;
  const probe = run.gm(run.cwd, null);
  const top = await probe.topLevel().catch((e) => {
    if (/dubious ownership/i.test(e.message)) {
      throw new PipelineError(
        `git refuses to work in ${run.cwd}: the repository belongs to another user than the one running this step ("dubious ownership"; ` +
          'in a GitHub Actions container job the workspace belongs to the runner\'s user while steps run as root). ' +
          `Mark it safe: git config --global --add safe.directory <the repository's directory>, or run the step as the owner. git said: ${e.message}`,
        { code: 'git' },
      );
    }
    throw new PipelineError(`${run.cwd} is not inside a git checkout (give ${pipelineWord('repo', run.o.frontEnd, 'URL')} to clone one): ${e.message}`, {
      code: 'git',
    });
  });
  const real = await realpath(run.cwd);
  run.root = await realpath(top);
  run.rel = path.relative(run.root, real);
  run.remote = o.remote;
  run.remoteUrl = await probe.remoteUrlOf(o.remote);
  if (run.remoteUrl) checkRemoteUrl(run.remoteUrl, `remote ${o.remote}`);
  run.git = run.gm(run.root);
  await requireGit(run, run.git, run.remote);
  const current = await run.git.currentBranch();
  run.current = current;
  if (pr) {
    run.base = o.base ?? o.branch ?? current;
    if (!run.base) throw new PipelineError(`HEAD is detached: give ${pipelineWord('base', o.frontEnd)} for the pull request`, { code: 'usage' });
  } else {
    run.branch = o.branch ?? current;
    if (!run.branch && mode.pushes) {
      throw new PipelineError(`HEAD is detached: give ${pipelineWord('branch', o.frontEnd)} to say where to push`, { code: 'usage' });
    }
  }
  run.ownCheckout = false;
}
