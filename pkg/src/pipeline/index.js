// runPipeline: apply a plan in a git checkout (or a fresh shallow clone), commit the edited
// files, push with conflict-safe retries, or open/update a pull request, or commit through
// GitHub's API. See docs/pipeline.md and docs/contract.md.

import { realpath } from 'node:fs/promises';
import { GitCommandManager } from '../git/command-manager.js';
import { withRepositoryRoot } from '../files.js';
import { safeWorkspaceEnv } from '../git/config-env.js';
import { PipelineError } from '../common/errors.js';
import { DEFAULT_BACKOFF } from './backoff.js';
import { DEFAULT_SIGNING_KEY_ENV } from '../git/sign.js';
import { pipelineWord } from '../hints.js';
import { DEFAULT_AUTHOR, parseAuthor } from '../template.js';
import { MODES, modeOf } from './modes.js';
import { Run, result } from './run.js';
import { prepare } from './workspace.js';

export const DEFAULT_RETRIES = 5;

/**
 * @typedef {object} GitOptions
 * @property {boolean} [commit]     commit the edited files in the checkout
 * @property {boolean} [push]       commit and push, re-applying the plan when the remote moved
 * @property {boolean} [pr]         push to a branch derived from the plan and open/update a PR
 * @property {boolean} [apiCommit]  create the commit through GitHub's Git Data API
 * @property {string}  [repo]       URL (or path) to shallow-clone into a temp dir (implies push)
 * @property {string}  [remote]     default "origin"
 * @property {string}  [branch]     branch to push (default: current branch / the clone's)
 * @property {string}  [message]    commit message template
 * @property {string[]} [trailers]  lines after the message and the pull request body (`Image-Digest: …`)
 * @property {string}  [author]     "Name <email>"
 * @property {number}  [retries]    push attempts after the first (default 5)
 * @property {string}  [base] @property {string} [title] @property {string|(() => string|undefined)} [body] a function is called when the pull request is written (after the plan was applied);
 *   without a body, a plan that promotes gets its before/after tables
 * @property {string[]} [labels] @property {boolean} [draft] @property {string} [prBranch]
 * @property {boolean} [prOverwrite] replace a PR branch that holds commits gitops-bump did not make
 * @property {string[]} [reviewers] @property {string[]} [teamReviewers] @property {string[]} [assignees]
 * @property {number} [milestone] the milestone's number
 * @property {string}  [tokenEnv]   default "GITHUB_TOKEN" (on another forge: its own variables, see forges/detect.js)
 * @property {'github'|'gitea'|'gitlab'|'bitbucket'} [forge] where the pull request is opened (default: from the remote's host; GitHub for a host no rule knows)
 * @property {'cli'|'action'|'orb'} [frontEnd] whose words messages use for options (default "cli"; see hints.js)
 * @property {'ssh'|'gpg'} [sign]  sign the commits git makes with the key in `signingKeyEnv` (see git/sign.js)
 * @property {string}  [signingKeyEnv] default "GITOPS_BUMP_SIGNING_KEY"
 * @property {string}  [githubRepo] "owner/name" (default GITHUB_REPOSITORY, else from the remote URL)
 * @property {string}  [sourceSha]  default GITHUB_SHA / CIRCLE_SHA1
 * @property {string}  [apiUrl]     REST API base URL (CLI --api-url); default: see apiUrlFor in github/client.js
 *   (GITHUB_API_URL only for a remote on GITHUB_SERVER_URL's host; else from the remote's host)
 * @property {boolean} [dryRun]     apply only (the caller's apply should not write either); with `repo`, in a fresh clone
 * @property {boolean} [verbose]    also log every git command (or set GITOPS_BUMP_DEBUG=1)
 * @property {NodeJS.ProcessEnv} [env]  default process.env
 * @property {(line: string) => void} [log]  receives masked progress lines
 * @property {{baseMs: number, capMs: number, factor?: number}} [backoff]  see backoffDelay in pipeline/backoff.js
 */

/**
 * One changed value, flattened for callers that report changes (the Action's `changes` output).
 * @typedef {object} PipelineChange
 * @property {string} file   as the plan names it (relative to the working directory)
 * @property {string} path   the concrete key path that changed
 * @property {number} line   1-based line in the file before the edit
 * @property {string|null} old
 * @property {string|null} new
 */

/**
 * What runPipeline did. `changed` is the apply result's list (`[{file, before, after,
 * changes}]`): non-empty exactly when files changed. `pr` is null outside pull-request
 * mode; in it, `{number: null, url: null, operation: 'none'}` when nothing changed on the base.
 * @typedef {object} PipelineResult
 * @property {Array<{file: string, before: string, after: string, changes: Array<object>}>} changed
 * @property {string[]} unchanged       files already holding the values
 * @property {Array<{spec: string, file: string, what: string, reason: string}>} unchecked image edits the overlay check could not decide, and why
 * @property {import('../plan.js').PromotionTable[]} promotions the plan's promotions as the last apply computed them
 *   (empty when it promotes nothing); in pull-request mode their tables are the body unless `body` is given
 * @property {string[]} changedFiles    the files of `changed`
 * @property {PipelineChange[]} changes every changed value (kind `unchanged` left out)
 * @property {string|null} commit       the commit made (or found on the PR branch), else null
 * @property {string|null} commitSha    the same as `commit`
 * @property {boolean} pushed           the commit was pushed (or its ref moved through the API) by this run
 * @property {number} attempts          pushes / ref updates tried
 * @property {{number: number|null, url: string|null, operation: 'created'|'updated'|'none'}|null} pr
 * @property {{number: number, url: string, operation: string, created: boolean, updated: boolean, draft: boolean}|null} pullRequest
 *   the same PR in more detail (null when none was touched)
 * @property {string[]} warnings        conditions that did not fail the run (a label not added, a draft opened as ready, a body cut)
 * @property {string|null} branch       the branch pushed to (the PR branch in pull-request mode)
 * @property {string|null} workdir
 */

/**
 * @param {{cwd?: string, plan: object, apply: (workdir: string) => Promise<{changed: Array, unchanged?: Array}>, git?: GitOptions}} args
 * @returns {Promise<PipelineResult>}
 */
export async function runPipeline({ cwd = process.cwd(), plan, apply, git = {} } = {}) {
  if (typeof apply !== 'function') throw new TypeError('runPipeline: apply(workdir) is required');
  const o = normalize(git);
  o.env = { ...o.env, ...safeWorkspaceEnv(o.env, cwd) };
  const mode = MODES[o.mode];
  if (!mode.flow || (mode.preview && !o.repo)) {
    // nothing to commit: still nothing may leave the checkout (or, outside one, cwd)
    const top = await new GitCommandManager({ cwd, env: o.env }).topLevel().catch(() => cwd);
    const res = await withRepositoryRoot(await realpath(top), () => apply(cwd));
    return result(res, { workdir: cwd });
  }
  const run = new Run({ cwd, plan, apply, o });
  try {
    await prepare(run);
    const flow = await mode.flow();
    return await flow(run);
  } catch (e) {
    throw run.maskError(e);
  } finally {
    await run.cleanup();
  }
}

function normalize(git) {
  const env = git.env ?? process.env;
  const retries = git.retries ?? DEFAULT_RETRIES;
  if (!Number.isInteger(retries) || retries < 0) {
    throw new PipelineError(`${pipelineWord('retries', git.frontEnd)} must be a whole number >= 0, got ${retries}`, { code: 'usage', details: { exitCode: 2 } });
  }
  const authorText = git.author ?? DEFAULT_AUTHOR;
  const author = parseAuthor(authorText);
  if (!author) {
    throw new PipelineError(`${pipelineWord('author', git.frontEnd)} must look like "Name <email>", got ${JSON.stringify(authorText)}`, {
      code: 'usage',
      details: { exitCode: 2 },
    });
  }
  const labels = [git.labels ?? git.label ?? []].flat().filter(Boolean).map(String);
  if (git.sign != null && git.apiCommit) {
    throw new PipelineError('--sign signs the commits git makes; with --api-commit GitHub makes and signs the commit: use one of them', {
      code: 'usage',
      details: { exitCode: 2 },
    });
  }
  return {
    ...git,
    mode: modeOf(git),
    env,
    retries,
    author,
    authorText: `${author.name} <${author.email}>`,
    explicitAuthor: git.author != null,
    remote: git.remote ?? 'origin',
    labels,
    tokenEnv: git.tokenEnv ?? 'GITHUB_TOKEN',
    frontEnd: git.frontEnd ?? 'cli',
    forge: git.forge ?? null,
    tokenEnvGiven: git.tokenEnv != null && git.tokenEnv !== 'GITHUB_TOKEN',
    sign: git.sign ?? null,
    signingKeyEnv: git.signingKeyEnv ?? DEFAULT_SIGNING_KEY_ENV,
    sourceSha: git.sourceSha ?? env.GITHUB_SHA ?? env.CIRCLE_SHA1 ?? null,
    apiUrl: git.apiUrl || undefined,
    // GITHUB_API_URL names GitHub's API: another forge takes only an explicit one
    forgeApiUrl: git.apiUrl || null,
    backoff: git.backoff ?? DEFAULT_BACKOFF,
    log: git.log ?? (() => {}),
    random: git.random ?? Math.random,
  };
}
