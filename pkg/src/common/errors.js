// Errors of the git and forge API layers (git/, github/, forges/ and the pipeline share
// them). Every one carries `exitCode` 3 (git or API failure, see docs/contract.md) and a
// `code` naming what failed. Messages are token-masked by whoever builds them
// (GitCommandManager, GitHubClient, runPipeline).

/** A git or GitHub API failure; the CLI exits with `exitCode` (3). */
export class PipelineError extends Error {
  /**
   * @param {string} message already masked
   * @param {{code?: string, cause?: unknown, details?: object}} [options]
   */
  constructor(message, { code = 'git', cause, details } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'PipelineError';
    this.code = code;
    this.kind = code;
    this.exitCode = 3;
    if (details) Object.assign(this, details);
  }
}

/** A git command that exited non-zero. */
export class GitError extends PipelineError {
  constructor(message, { args, exitCode: gitExit, stdout, stderr, code = 'git' } = {}) {
    super(message, { code });
    this.name = 'GitError';
    this.args = args;
    this.gitExitCode = gitExit;
    this.stdout = stdout;
    this.stderr = stderr;
  }
}

/** A GitHub REST call that failed (non-2xx status or a network error). */
export class GitHubApiError extends PipelineError {
  constructor(message, { status, method, route, response, code = 'github-api' } = {}) {
    super(message, { code });
    this.name = 'GitHubApiError';
    this.status = status;
    this.method = method;
    this.route = route;
    this.response = response;
  }
}
