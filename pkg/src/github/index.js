export { GitHubClient, DEFAULT_API_URL, API_VERSION, parseRepoSlug, repoFromRemoteUrl } from './client.js';
export { upsertPullRequest } from './pulls.js';
export { getBranchHead, createApiCommit, updateBranch, createBranch } from './api-commit.js';
