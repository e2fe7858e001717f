export { GitHubClient, DEFAULT_API_URL, API_VERSION, parseRepoSlug, repoFromRemoteUrl, apiUrlFor, apiUrlForRemote, rateLimitWait } from './client.js';
export { upsertPullRequest } from './pulls.js';
export { getBranchHead, getCommit, createApiCommit, updateBranch, createBranch } from './api-commit.js';
