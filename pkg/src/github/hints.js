// What to change when GitHub says no. Each refusal that a retry cannot fix gets a message
// naming the token, permission or setting to change (docs/pipeline.md has the table).

/**
 * The message for a ref update or creation GitHub refused with a 422 other than "not a
 * fast forward". GitHub's whole answer is "Reference update failed"; it does not say which
 * rule refused.
 * @param {string} branch
 * @param {{status?: number, message: string, response?: any}} error
 * @param {{pr?: boolean, prWords?: string}} [options] the branch is a pull request branch; how the front end names a pull request (see pipelineWord in ../hints.js)
 */
export function refUpdateRefused(branch, error, { pr = false, prWords = '--pr' } = {}) {
  const said = error.response?.message ?? error.message;
  const fix = pr
    ? 'exclude gitops-bump/* from the rule, give the pull request a branch the rule does not cover, or let the token bypass it'
    : `open a pull request instead (${prWords}), or let the token bypass the rule`;
  return (
    `GitHub refused to move refs/heads/${branch} (${error.status ?? 422}: ${said}). Nothing was committed to it. ` +
    'The likely cause is a branch protection rule or a ruleset on this branch that the token cannot bypass ' +
    `(required pull requests or status checks, signed commits, restricted updates); GitHub does not say which. To go on: ${fix}.`
  );
}

/**
 * A hint for a GitHub API error that names what to change, or null.
 * @param {{status?: number, message: string, response?: any}} error
 * @param {{token: string, repo: string, workflowRepo?: string|null}} where the token as the front end names it (see pipelineWord in ../hints.js)
 */
export function apiHint(error, { token, repo, workflowRepo }) {
  const said = String(error.response?.message ?? error.message ?? '');
  if (/not permitted to create or approve pull requests/i.test(said)) {
    return (
      'the repository (or its organization) does not let GitHub Actions open pull requests: turn on Settings → Actions → General → ' +
      'Workflow permissions → "Allow GitHub Actions to create and approve pull requests" (an organization or enterprise policy may ' +
      `have to allow it first), or put a GitHub App token or a fine-grained personal access token with pull-requests: write in ${token}`
    );
  }
  const elsewhere = workflowRepo && repo && workflowRepo.toLowerCase() !== repo.toLowerCase();
  const otherRepo = elsewhere ? `; a workflow's GITHUB_TOKEN only reaches ${workflowRepo}: for ${repo} use a GitHub App token or a fine-grained personal access token` : '';
  if (error.status === 403 && /not accessible by|must have (admin|push)|permission/i.test(said)) {
    return (
      `the token in ${token} lacks a permission for this request: a workflow job needs \`permissions: contents: write\` ` +
      `(and \`pull-requests: write\` for a pull request), a fine-grained token the same repository permissions${otherRepo}`
    );
  }
  if (error.status === 404) return `GitHub answers 404 for a repository the token cannot see: check that ${repo} exists and that the token in ${token} has access to it${otherRepo}`;
  if (error.status === 401) return `the token in ${token} was refused: it is wrong, expired or revoked`;
  return null;
}

/**
 * A hint for a git failure whose text shows the remote refused the credentials, or null.
 * @param {string} text git's message and stderr
 * @param {{token: string, hasToken: boolean}} where the token as the front end names it (see pipelineWord in ../hints.js)
 */
export function gitAuthHint(text, { token, hasToken }) {
  if (/returned error: 403|HTTP 403|Permission to \S+ denied/i.test(text)) {
    return (
      `hint: the remote refused this with 403: the token in ${token} may read but not write the repository. A workflow's ` +
      'GITHUB_TOKEN needs `permissions: contents: write` and reaches only the repository running the workflow; a personal ' +
      'access token needs contents: write (fine-grained) or the repo scope (classic)'
    );
  }
  if (/Authentication failed|could not read (Username|Password)|terminal prompts disabled|HTTP 401|returned error: 401/i.test(text)) {
    return `hint: the remote refused the credentials: check the token in ${token}${hasToken ? '' : ' (it is not set)'}`;
  }
  return null;
}

/**
 * A warning for the workflow's own token aimed at another repository, or null. The
 * workflow token (`ghs_…` inside GitHub Actions) only covers the repository running it.
 * @param {{env: NodeJS.ProcessEnv, token: string|null, target: string|null, tokenWords: string}} args `tokenWords`: the token as the front end names it
 */
export function workflowTokenWarning({ env, token, target, tokenWords }) {
  const own = env.GITHUB_REPOSITORY;
  if (env.GITHUB_ACTIONS !== 'true' || !own || !target || !String(token ?? '').startsWith('ghs_')) return null;
  if (own.toLowerCase() === target.toLowerCase()) return null;
  return (
    `${target} is not the repository running this workflow (${own}): if ${tokenWords} holds the workflow's GITHUB_TOKEN, GitHub ` +
    `refuses it there (it only covers ${own}); give a GitHub App token or a fine-grained personal access token for ${target}`
  );
}
