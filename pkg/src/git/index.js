export { GitCommandManager, isRemoteMoved } from './command-manager.js';
export { Auth, createAuth, tokenFromEnv, httpOrigin } from './auth.js';
export { PipelineError, GitError, GitHubApiError } from './errors.js';
export { backoffDelay, sleep, DEFAULT_BACKOFF } from './retry.js';
