// runPipeline: apply a plan in a git checkout (or a fresh shallow clone), commit the edited
// files, push with conflict-safe retries, or open/update a pull request, or commit through
// GitHub's API. See docs/pipeline.md and docs/contract.md.

import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GitCommandManager, checkRemoteUrl } from './git/command-manager.js';
import { trackPath } from './cleanup.js';
import { withRepositoryRoot } from './files.js';
import { createAuth, httpOrigin, splitCredentials, tokenFromEnv } from './git/auth.js';
import { requireUrlKept, safeWorkspaceEnv } from './git/config-env.js';
import { refuseForeignCommits, sameChange } from './git/pr-branch.js';
import { GitError, GitHubApiError, PipelineError } from './git/errors.js';
import { AttemptClock, DEFAULT_BACKOFF, backoffDelay, sleep } from './git/retry.js';
import { requireGitForToken } from './git/version.js';
import { DEFAULT_SIGNING_KEY_ENV, signRun } from './git/sign.js';
import { GitHubClient, apiUrlFor, parseRepoSlug, repoFromRemoteUrl } from './github/client.js';
import { closePullRequest, upsertPullRequest } from './github/pulls.js';
import { proxiedFetch } from './github/proxy.js';
import { closeHeldPullRequest, pipelineForge, upsertPullRequest as upsertForgePullRequest } from './forges/index.js';
import { createApiCommit, createBranch, getBranchHead, getCommit, updateBranch } from './github/api-commit.js';
import { apiHint, gitAuthHint, refUpdateRefused, workflowTokenWarning } from './github/hints.js';
import { pipelineWord } from './hints.js';
import {
  DEFAULT_AUTHOR,
  commitMessage,
  parseAuthor,
  pullRequestBody,
  pullRequestBranch,
  pullRequestTitle,
  summarize,
} from './template.js';

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
 * @property {string}  [base] @property {string} [title] @property {string|(() => string|undefined)} [body] a function is called when the pull request is written (after the plan was applied)
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
 * @property {boolean} [dryRun]     apply only (the caller's apply should not write either)
 * @property {boolean} [verbose]    also log every git command (or set GITOPS_BUMP_DEBUG=1)
 * @property {NodeJS.ProcessEnv} [env]  default process.env
 * @property {(line: string) => void} [log]  receives masked progress lines
 * @property {{baseMs: number, capMs: number, factor?: number}} [backoff]  see backoffDelay in git/retry.js
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
  if (o.dryRun || !(o.commit || o.push || o.pr || o.apiCommit || o.repo)) {
    // nothing to commit: still nothing may leave the checkout (or, outside one, cwd)
    const top = await new GitCommandManager({ cwd, env: o.env }).topLevel().catch(() => cwd);
    const res = await withRepositoryRoot(await realpath(top), () => apply(cwd));
    return result(res, { workdir: cwd });
  }
  const run = new Run({ cwd, plan, apply, o });
  try {
    return await run.execute();
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

/** A pull-request run that had nothing to change on the base. */
const NO_PR = Object.freeze({ number: null, url: null, operation: 'none' });

function result(res, extra) {
  const changed = res?.changed ?? [];
  const out = {
    changed,
    unchanged: res?.unchanged ?? [],
    unchecked: res?.unchecked ?? [],
    commit: null,
    pushed: false,
    attempts: 0,
    pullRequest: null,
    pr: null,
    warnings: [],
    branch: null,
    ...extra,
  };
  out.changedFiles = changed.map((c) => c.file);
  out.changes = changed.flatMap((c) =>
    (c.changes ?? [])
      .filter((ch) => ch.kind !== 'unchanged')
      .map((ch) => ({ file: c.file, path: ch.path, line: ch.line, old: ch.old ?? null, new: ch.new ?? null })),
  );
  out.commitSha = out.commit;
  return out;
}

class Run {
  constructor({ cwd, plan, apply, o }) {
    this.cwd = cwd;
    this.plan = plan;
    this.apply = apply;
    this.o = o;
    // A URL with credentials in it: the password becomes the token (when none is set) and
    // the URL is used without it, so it is neither in argv nor in the clone's config.
    const { url, password } = splitCredentials(o.repo);
    if (o.repo) o.repo = checkRemoteUrl(url, pipelineWord('repo', o.frontEnd));
    this.auth = createAuth({ token: tokenFromEnv(o.env, o.tokenEnv) ?? password, extraSecrets: [password] });
    this.log = (line) => o.log(this.auth.mask(line));
    this.debug = o.verbose || o.env.GITOPS_BUMP_DEBUG ? this.log : () => {};
    this.warnings = [];
    /** A condition that does not fail the run: logged and returned in `warnings`. */
    this.warn = (text) => {
      const masked = this.auth.mask(text);
      this.warnings.push(masked);
      o.log(`warning: ${masked}`);
    };
    this.tempDirs = [];
    this.worktree = null;
  }

  /** The token as the front end running the pipeline names it (`$GITHUB_TOKEN`, the Action's 'token' input). */
  tokenWords() {
    return pipelineWord('token', this.o.frontEnd, this.o.tokenEnv);
  }

  /** The run's result, with its warnings. */
  done(res, extra) {
    // a temporary worktree is gone when the caller reads the result
    return result(res, { ...extra, warnings: this.warnings, ...(this.worktree ? { workdir: null } : {}) });
  }

  maskError(e) {
    const hint = e instanceof GitError ? gitAuthHint(e.message, { token: this.tokenWords(), hasToken: this.auth.hasToken }) : null;
    if (hint) {
      e.code = 'auth';
      e.kind = 'auth';
      e.message += `\n${hint}`;
    }
    if (e instanceof GitHubApiError && !e.hinted) {
      const api = apiHint(e, { token: this.tokenWords(), repo: this.owner && `${this.owner}/${this.repo}`, workflowRepo: this.o.env.GITHUB_REPOSITORY });
      if (api) e.message += `\nhint: ${api}`;
      e.hinted = true;
    }
    if (e && typeof e === 'object' && typeof e.message === 'string') {
      const masked = this.auth.mask(e.message);
      if (masked !== e.message) {
        try {
          e.message = masked;
        } catch {
          /* read-only message: leave as is */
        }
      }
      if (typeof e.stack === 'string') e.stack = this.auth.mask(e.stack);
    }
    return e;
  }

  async cleanup() {
    await this.signing?.close().catch(() => {});
    if (this.worktree) {
      await this.worktree.gm
        .exec(['worktree', 'remove', '--force', '--', this.worktree.dir], { allowFailure: true })
        .catch(() => {});
      await this.worktree.gm.exec(['worktree', 'prune'], { allowFailure: true }).catch(() => {});
    }
    for (const { dir, forget } of this.tempDirs) {
      await rm(dir, { recursive: true, force: true }).catch(() => {});
      forget();
    }
  }

  gm(cwd, remoteUrl = this.remoteUrl) {
    return new GitCommandManager({ cwd, auth: this.auth, remoteUrl, env: this.o.env, log: this.debug });
  }

  async tempDir() {
    const d = await mkdtemp(path.join(tmpdir(), 'gitops-bump-'));
    // removed by cleanup(), or by the signal handler when the run is interrupted
    this.tempDirs.push({ dir: d, forget: trackPath(d) });
    return d;
  }

  // ---- set-up: where do we work? -------------------------------------------------------

  async prepare() {
    const o = this.o;
    if (o.sign) {
      ({ signing: this.signing, o: this.o } = await signRun(o, await this.tempDir()));
      this.log(`signing commits with the ${this.signing.describe}`);
    }
    if (o.pr || o.apiCommit || o.push || o.repo) {
      // another forge than GitHub brings its API client, and its own token and git user name
      const url = o.repo ?? (await this.gm(this.cwd, null).remoteUrlOf(o.remote).catch(() => null));
      this.forge = pipelineForge(url, { ...o, apiUrl: o.forgeApiUrl, tokenEnv: o.tokenEnvGiven ? o.tokenEnv : null, log: this.log, fetch: proxiedFetch(o.env) });
      if (this.forge) ({ auth: this.auth, project: { owner: this.owner, repo: this.repo } } = this.forge);
    }
    if ((o.pr || o.apiCommit) && !this.auth.hasToken) {
      throw new PipelineError(
        o.frontEnd === 'action'
          ? `no GitHub token: set ${pipelineWord('token', o.frontEnd, o.tokenEnv)}`
          : `no GitHub token: set the environment variable ${o.tokenEnv}${o.tokenEnv === 'GITHUB_TOKEN' ? ` (or name another with ${pipelineWord('token-env', o.frontEnd)})` : ''}`,
        { code: 'auth' },
      );
    }
    if (o.repo) {
      this.remote = 'origin';
      this.remoteUrl = o.repo;
      const dir = path.join(await this.tempDir(), 'repo');
      const branch = o.pr ? (o.base ?? o.branch) : o.branch;
      await this.requireGit(this.gm(path.dirname(dir)), o.repo);
      this.log(`cloning ${o.repo}${branch ? ` (${branch})` : ''}`);
      await this.gm(path.dirname(dir)).clone(o.repo, dir, { branch });
      this.root = dir;
      this.rel = '';
      this.git = this.gm(dir);
      const cloned = await this.git.currentBranch();
      if (o.pr) {
        this.base = branch ?? cloned;
        this.branch = null;
      } else {
        this.branch = branch ?? cloned;
      }
      this.ownCheckout = true;
    } else {
      const probe = this.gm(this.cwd, null);
      const top = await probe.topLevel().catch((e) => {
        if (/dubious ownership/i.test(e.message)) {
          throw new PipelineError(
            `git refuses to work in ${this.cwd}: the repository belongs to another user than the one running this step ("dubious ownership"; ` +
              'in a GitHub Actions container job the workspace belongs to the runner\'s user while steps run as root). ' +
              `Mark it safe: git config --global --add safe.directory <the repository's directory>, or run the step as the owner. git said: ${e.message}`,
            { code: 'git' },
          );
        }
        throw new PipelineError(`${this.cwd} is not inside a git checkout (give ${pipelineWord('repo', this.o.frontEnd, 'URL')} to clone one): ${e.message}`, {
          code: 'git',
        });
      });
      const real = await realpath(this.cwd);
      this.root = await realpath(top);
      this.rel = path.relative(this.root, real);
      this.remote = o.remote;
      this.remoteUrl = await probe.remoteUrlOf(o.remote);
      if (this.remoteUrl) checkRemoteUrl(this.remoteUrl, `remote ${o.remote}`);
      this.git = this.gm(this.root);
      await this.requireGit(this.git, this.remote);
      const current = await this.git.currentBranch();
      this.current = current;
      if (o.pr) {
        this.base = o.base ?? o.branch ?? current;
        if (!this.base) throw new PipelineError(`HEAD is detached: give ${pipelineWord('base', o.frontEnd)} for the pull request`, { code: 'usage' });
      } else {
        this.branch = o.branch ?? current;
        if (!this.branch && (o.push || o.apiCommit)) {
          throw new PipelineError(`HEAD is detached: give ${pipelineWord('branch', o.frontEnd)} to say where to push`, { code: 'usage' });
        }
      }
      this.ownCheckout = false;
    }
    if ((o.pr || o.apiCommit) && !this.forge) this.prepareGitHub();
    const target = this.owner ? `${this.owner}/${this.repo}` : slugOf(repoFromRemoteUrl(this.remoteUrl));
    const warning = workflowTokenWarning({ env: o.env, token: this.auth.token, target, tokenWords: this.tokenWords() });
    if (warning) this.warn(warning);
    const hasIdentity = (await this.git.configGet('user.name')) && (await this.git.configGet('user.email'));
    this.committer = hasIdentity ? null : this.o.author;
  }

  /**
   * owner/name of the repository the PR or API commit goes to: --github-repo, else the one
   * the remote URL names (the config repo a workflow checked out or cloned with --repo),
   * else GITHUB_REPOSITORY (the repository running the workflow).
   */
  prepareGitHub() {
    const o = this.o;
    let repo;
    if (o.githubRepo) {
      repo = parseRepoSlug(o.githubRepo);
      if (!repo) throw new PipelineError(`${pipelineWord('github-repo', o.frontEnd)} must be owner/name, got ${JSON.stringify(o.githubRepo)}`, { code: 'usage' });
    } else {
      repo = repoFromRemoteUrl(this.remoteUrl) ?? parseRepoSlug(o.env.GITHUB_REPOSITORY);
    }
    if (!repo) {
      throw new PipelineError(`cannot tell the GitHub repository: give ${pipelineWord('github-repo', o.frontEnd, 'owner/name')} (or set GITHUB_REPOSITORY)`, {
        code: 'usage',
      });
    }
    this.owner = repo.owner;
    this.repo = repo.repo;
    const { apiUrl, why } = o.apiUrl ? { apiUrl: o.apiUrl, why: null } : apiUrlFor(this.remoteUrl, o.env);
    if (why) this.log(`GitHub API: ${apiUrl} (${why}; ${pipelineWord('api-url', this.o.frontEnd)} overrides)`);
    // HTTPS_PROXY / NO_PROXY as git (curl) reads them, for every REST request
    this.client = new GitHubClient({ apiUrl, auth: this.auth, log: this.log, fetch: proxiedFetch(o.env) });
  }

  /**
   * With a token for an http(s) remote, git must read GIT_CONFIG_COUNT, and must really use
   * https for `remote` (a name, or the URL about to be cloned): see requireUrlKept.
   */
  async requireGit(git, remote) {
    if (!this.auth.hasToken || !httpOrigin(this.remoteUrl)) return;
    await requireGitForToken(this.gm(this.cwd));
    await requireUrlKept(git, remote, { remoteUrl: this.remoteUrl, tokenEnv: this.o.tokenEnv });
  }

  workdir(root = this.root) {
    return this.rel ? path.join(root, this.rel) : root;
  }

  async execute() {
    await this.prepare();
    if (this.o.pr) return this.pullRequestFlow();
    if (!this.ownCheckout && this.branch && this.branch !== this.current && (this.o.push || this.o.apiCommit)) await this.onBranchHead();
    if (this.o.apiCommit) return this.apiCommitFlow();
    return this.pushFlow();
  }

  // ---- shared steps ---------------------------------------------------------------------

  /** Runs the plan in `root`; returns the apply result and the repo-relative files whose content changed. */
  async applyAt(git, root) {
    // every file the apply reads or writes must resolve inside the repository, whatever
    // apply function the caller gave (applyPlan and writeAtomic enforce it)
    const res = await withRepositoryRoot(await realpath(root), () => this.apply(this.workdir(root)));
    const abs = (res?.changed ?? []).map((c) => path.resolve(this.workdir(root), c.file));
    const rel = [];
    for (const a of abs) {
      const r = path.relative(root, await realpath(a).catch(() => a));
      if (r.startsWith('..') || path.isAbsolute(r)) {
        throw new PipelineError(`edited file ${a} is outside the repository ${root}`, { code: 'git' });
      }
      rel.push(r.split(path.sep).join('/'));
    }
    const files = await git.changedAgainstHead(rel);
    return { res, files };
  }

  message(res) {
    return commitMessage(summarize(this.plan, res.changed ?? [], { sourceSha: this.o.sourceSha }), this.o.message, this.o.trailers ?? []);
  }

  async commit(git, res, files) {
    await git.add(files);
    return git.commitFiles(files, { message: this.message(res), author: this.o.authorText, committer: this.committer });
  }

  /** Sleeps before retry `attempt`, scaled by what the attempts saw (`AttemptClock.failed()`). */
  async backoff(attempt, seen) {
    const ms = backoffDelay(attempt, seen, this.o.backoff, this.o.random);
    const landed = seen?.landed ?? 1;
    const why = seen ? ` (longest attempt ${seen.attemptMs} ms, ${landed} commit${landed === 1 ? '' : 's'} landed between the last two attempts)` : '';
    this.log(`retrying in ${ms} ms${why}`);
    await sleep(ms);
  }

  exhausted(attempts, what, last) {
    return new PipelineError(
      `push retries exhausted after ${attempts} attempts: ${what} kept moving${last ? ` (last rejection: ${last})` : ''}`,
      { code: 'push-retries-exhausted', details: { attempts } },
    );
  }

  /** The error for a push the remote refused for a reason other than "it moved". */
  pushFailed(branch, r, attempts) {
    const hint = gitAuthHint(`${r.reason}\n${r.stderr}`, { token: this.tokenWords(), hasToken: this.auth.hasToken });
    // git's own message once: its first line is usually the reason
    const text = r.stderr.includes(r.reason) ? r.stderr : `${r.reason}${r.stderr ? `\n${r.stderr}` : ''}`;
    return new PipelineError(`push to ${branch} failed: ${text}${hint ? `\n${hint}` : ''}`, {
      code: hint ? 'auth' : 'push-failed',
      details: { attempts },
    });
  }

  /**
   * A push (or API commit) to a branch other than the checked-out one (`--branch deploy`
   * in a checkout of main; a detached HEAD): the edit is made on that branch's remote head,
   * in a temporary worktree, so neither main's history reaches it nor the checkout changes.
   */
  async onBranchHead() {
    const depth = (await this.git.isShallow()) ? 1 : undefined;
    const head = await this.git.fetchBranch(this.remote, this.branch, { depth });
    if (!head) {
      throw new PipelineError(`branch ${this.branch} does not exist on ${this.remote}: create it first (gitops-bump does not create branches to push to)`, { code: 'git' });
    }
    const dir = path.join(await this.tempDir(), 'worktree');
    await this.git.exec(['worktree', 'add', '--quiet', '--detach', '--', dir, head]);
    this.worktree = { gm: this.git, dir };
    this.log(`working on ${this.branch} at ${head.slice(0, 12)} in a temporary worktree (the checkout${this.current ? ` of ${this.current}` : ''} is left as it is)`);
    this.root = await realpath(dir);
    this.git = this.gm(this.root);
    this.ownCheckout = true;
  }

  /** Fetches `branch` and resets the checkout to it, refusing to drop local commits. */
  async resetToRemote(git, branch, expected) {
    const head = await git.fetchBranch(this.remote, branch);
    if (!head) throw new PipelineError(`branch ${branch} no longer exists on ${this.remote}`, { code: 'git' });
    if (expected && head !== expected) return null; // moved again between API read and fetch
    if (!this.ownCheckout && this.origBase) {
      const r = await git.exec(['merge-base', '--is-ancestor', this.origBase, head], { allowFailure: true });
      if (r.exitCode !== 0) {
        throw new PipelineError(
          `the remote branch ${branch} does not contain the commit this run started from (${this.origBase.slice(0, 12)}): ` +
            'HEAD has local commits that are not on the remote, or the remote was rewritten; refusing to reset them',
          { code: 'diverged' },
        );
      }
    }
    await git.resetHard(head);
    return head;
  }

  async requireCleanCheckout() {
    if (this.ownCheckout) return;
    const dirty = await this.git.dirtyTrackedFiles();
    if (dirty.length) {
      throw new PipelineError(
        `the checkout has uncommitted changes in ${dirty.slice(0, 5).join(', ')}${dirty.length > 5 ? ', …' : ''}: ` +
          'pushing may reset the checkout to the remote head when it moved; commit or stash them first',
        { code: 'dirty-worktree' },
      );
    }
  }

  // ---- (1) commit / push to a branch with git ------------------------------------------

  async pushFlow() {
    const { o, git } = this;
    const push = o.push || Boolean(o.repo);
    if (push && !this.remoteUrl) {
      // before anything is edited or committed: a push with nowhere to go changes nothing
      throw new PipelineError(
        `cannot push: this checkout has no remote \`${this.remote}\` (add one with git remote add ${this.remote} URL, or name another with --remote); nothing was edited or committed`,
        { code: 'no-remote' },
      );
    }
    if (push) await this.requireCleanCheckout();
    this.origBase = await git.tryRevParse('HEAD');
    if (!push || this.ownCheckout || !this.origBase) return this.pushLoop(push);
    try {
      return await this.pushLoop(push);
    } catch (error) {
      // the checkout was clean (requireCleanCheckout): put its branch back where it was, so a
      // failed push leaves neither the edit nor a commit behind
      const reset = await git.exec(['reset', '--quiet', '--hard', this.origBase], { allowFailure: true });
      if (reset.exitCode === 0) this.log(`push failed: the checkout is back at ${this.origBase.slice(0, 12)}, as it was`);
      throw error;
    }
  }

  /** Applies, commits and (with `push`) pushes until the push lands or fails for good. */
  async pushLoop(push) {
    const { o, git } = this;
    let attempts = 0;
    let last = '';
    const clock = new AttemptClock(git, this.origBase);
    for (;;) {
      const { res, files } = await this.applyAt(git, this.root);
      if (!files.length) {
        this.log(attempts ? 'nothing to commit after re-applying: the remote already has these values' : 'nothing changed');
        return this.done(res, { attempts, branch: this.branch, workdir: this.workdir() });
      }
      const sha = await this.commit(git, res, files);
      this.log(`committed ${sha.slice(0, 12)} (${files.join(', ')})`);
      if (!push) return this.done(res, { commit: sha, branch: this.branch, workdir: this.workdir() });
      attempts += 1;
      const r = await git.push(this.remote, 'HEAD', this.branch);
      if (r.ok) {
        this.log(`pushed ${sha.slice(0, 12)} to ${this.branch} (attempt ${attempts})`);
        return this.done(res, { commit: sha, pushed: true, attempts, branch: this.branch, workdir: this.workdir() });
      }
      if (!r.retryable) throw this.pushFailed(this.branch, r, attempts);
      last = r.reason;
      this.log(`push rejected (${r.reason}): the remote moved`);
      if (attempts > o.retries) throw this.exhausted(attempts, `the remote branch ${this.branch}`, last);
      await this.backoff(attempts, await clock.failed());
      clock.next();
      clock.fetched(await this.resetToRemote(git, this.branch));
    }
  }

  // ---- (2) commit through the GitHub API -------------------------------------------------

  async apiCommitFlow() {
    const { git } = this;
    await this.requireCleanCheckout();
    this.origBase = await git.tryRevParse('HEAD');
    try {
      return await this.apiCommitAttempts(git);
    } catch (e) {
      // nothing landed: leave the checkout as it was (the clean-checkout check above makes this safe)
      await git.resetHard('HEAD').catch(() => {});
      throw e;
    }
  }

  async apiCommitAttempts(git) {
    const { o } = this;
    const ids = { owner: this.owner, repo: this.repo };
    const uploaded = new Set();
    let attempts = 0;
    const clock = new AttemptClock();
    for (;;) {
      const parent = await getBranchHead(this.client, { ...ids, branch: this.branch });
      if (!parent) throw new PipelineError(`branch ${this.branch} does not exist in ${this.owner}/${this.repo}`, { code: 'github-api' });
      // every apply starts from the files of HEAD: a rejected attempt's edits are dropped,
      // whether or not the branch reads as moved
      await git.resetHard('HEAD');
      if ((await git.tryRevParse('HEAD')) !== parent) {
        if (!(await this.resetToRemote(git, this.branch, parent))) {
          attempts += 1;
          if (attempts > o.retries) throw this.exhausted(attempts, `the branch ${this.branch}`, 'moved while fetching');
          await this.backoff(attempts, await clock.failed());
          clock.next();
          continue;
        }
      }
      const { res, files } = await this.applyAt(git, this.root);
      if (!files.length) {
        this.log(attempts ? 'nothing to commit after re-applying: the branch already has these values' : 'nothing changed');
        return this.done(res, { attempts, branch: this.branch, workdir: this.workdir() });
      }
      const sha = await createApiCommit(this.client, {
        ...ids,
        parent,
        files: await this.stagedBlobs(git, files),
        message: this.message(res),
        author: o.explicitAuthor ? o.author : null,
        uploaded,
      });
      attempts += 1;
      const u = await updateBranch(this.client, { ...ids, branch: this.branch, sha, force: false });
      if (u.ok) {
        this.log(`updated ${this.branch} to ${sha.slice(0, 12)} through the API (attempt ${attempts})`);
        await this.syncAfterApiCommit(git, sha);
        return this.done(res, { commit: sha, pushed: true, attempts, branch: this.branch, workdir: this.workdir() });
      }
      if (!u.moved) throw new PipelineError(refUpdateRefused(this.branch, u.error, { prWords: pipelineWord('pr', this.o.frontEnd) }), { code: 'ref-update-refused', details: { attempts } });
      this.log(`ref update rejected (not a fast forward): ${this.branch} moved`);
      if (attempts > o.retries) throw this.exhausted(attempts, `the branch ${this.branch}`, 'not a fast forward');
      await this.backoff(attempts, await clock.failed());
      clock.next();
    }
  }

  /**
   * The changed files as git stores them: staged, so clean filters and core.autocrlf apply,
   * then read back from the index (mode, blob id and bytes).
   */
  async stagedBlobs(git, files) {
    await git.add(files);
    const staged = await git.output(['ls-files', '--stage', '-z', '--', ...files]);
    const out = [];
    for (const entry of staged.split('\0').filter(Boolean)) {
      const tab = entry.indexOf('\t');
      const [mode, sha] = entry.slice(0, tab).split(' ');
      const { stdout } = await git.exec(['cat-file', 'blob', sha], { raw: true });
      out.push({ path: entry.slice(tab + 1), mode, sha, content: stdout });
    }
    return out;
  }

  /** Makes the local checkout match the commit GitHub made (best effort). */
  async syncAfterApiCommit(git, sha) {
    try {
      const head = await git.fetchBranch(this.remote, this.branch);
      if (head === sha) await git.resetHard(sha);
    } catch (e) {
      this.log(`could not fetch the new commit: ${e.message}`);
    }
  }

  // ---- (3) pull request ----------------------------------------------------------------

  async pullRequestFlow() {
    const { o } = this;
    const ids = { owner: this.owner, repo: this.repo };
    const prBranch = o.prBranch ?? pullRequestBranch(this.plan, { base: this.base });
    if (prBranch === this.base) throw new PipelineError(`the PR branch and the base are both ${prBranch}`, { code: 'usage' });
    // Work on the remote base head; in a user's checkout, in a temporary worktree so the
    // checkout itself is left as it was.
    let git = this.git;
    let root = this.root;
    let parent;
    if (o.apiCommit) parent = await getBranchHead(this.client, { ...ids, branch: this.base });
    // in a shallow clone, fetch shallow too: without --depth git would bring the history
    // below the fetched commit that the clone left out
    this.fetchDepth = (await git.isShallow()) ? 1 : undefined;
    const baseHead = await git.fetchBranch(this.remote, this.base, { depth: this.fetchDepth });
    if (!baseHead) throw new PipelineError(`base branch ${this.base} does not exist on ${this.remote}`, { code: 'git' });
    if (parent && parent !== baseHead) {
      throw new PipelineError(`base branch ${this.base} moved while fetching it; run again`, { code: 'github-api' });
    }
    if (this.ownCheckout) {
      await git.resetHard(baseHead);
    } else {
      const dir = path.join(await this.tempDir(), 'worktree');
      await git.exec(['worktree', 'add', '--quiet', '--detach', '--', dir, baseHead]);
      this.worktree = { gm: git, dir };
      root = await realpath(dir);
      git = this.gm(root);
    }
    const { res, files } = await this.applyAt(git, root);
    const summary = summarize(this.plan, res.changed ?? [], { sourceSha: o.sourceSha });
    if (!files.length) {
      // an open pull request from an earlier run has nothing left to merge: close it (every forge)
      const closed = await (this.forge ? closeHeldPullRequest(this.forge.forgeApi, { head: prBranch, base: this.base }) : closePullRequest(this.client, { ...ids, head: prBranch, base: this.base }));
      this.log(`nothing changed on ${this.base}: ${closed ? `closed ${this.forge?.forgeApi.noun ?? 'pull request'} #${closed.number}, which it already holds` : 'no pull request needed'}`);
      return this.done(res, { branch: prBranch, workdir: null, pr: closed ?? NO_PR });
    }
    let sha;
    let attempts = 0;
    let pushed = false;
    if (o.apiCommit) {
      ({ sha, attempts, pushed } = await this.apiCommitToPrBranch(git, res, files, { prBranch, baseHead }));
    } else {
      sha = await this.commit(git, res, files);
      const clock = new AttemptClock();
      for (;;) {
        const current = await git.lsRemoteBranch(this.remote, prBranch);
        if (current && (await sameChange(git, { remote: this.remote, branch: prBranch, current, sha, depth: this.fetchDepth }))) {
          this.log(`${prBranch} already holds this change`);
          sha = current;
          break;
        }
        if (current && !o.prOverwrite) await refuseForeignCommits(git, { branch: prBranch, base: baseHead, current, author: o.author });
        attempts += 1;
        const r = await git.push(this.remote, 'HEAD', prBranch, { lease: current ?? '' });
        if (r.ok) {
          pushed = true;
          break;
        }
        if (!r.retryable) throw this.pushFailed(prBranch, r, attempts);
        this.log(`push to ${prBranch} rejected (${r.reason}): it moved, retrying with a fresh lease`);
        if (attempts > o.retries) throw this.exhausted(attempts, `the branch ${prBranch}`, r.reason);
        await this.backoff(attempts, await clock.failed());
        clock.next();
      }
    }
    const fields = {
      head: prBranch,
      base: this.base,
      title: pullRequestTitle(summary, o.title),
      // a function computes the body from what was applied (promote's before/after table)
      body: pullRequestBody(summary, typeof o.body === 'function' ? o.body() : o.body, o.trailers ?? []),
      draft: Boolean(o.draft),
      labels: o.labels,
      people: { reviewers: o.reviewers ?? [], teamReviewers: o.teamReviewers ?? [], assignees: o.assignees ?? [], milestone: o.milestone },
      branchUpdated: pushed,
      // GitHub may not know a branch pushed a moment ago: 1 s, 2 s, 3 s, 4 s by default
      delay: (n) => Math.min(o.backoff.capMs ?? DEFAULT_BACKOFF.capMs, (o.backoff.baseMs ?? DEFAULT_BACKOFF.baseMs) * n),
      warn: this.warn,
    };
    const pullRequest = await (this.forge ? upsertForgePullRequest(this.forge.forgeApi, fields) : upsertPullRequest(this.client, { ...ids, ...fields }));
    const said = { created: 'opened', updated: 'updated', none: 'unchanged:' }[pullRequest.operation];
    this.log(`${said} ${this.forge?.forgeApi.noun ?? 'pull request'} #${pullRequest.number} ${pullRequest.url ?? ''}`);
    const pr = { number: pullRequest.number, url: pullRequest.url, operation: pullRequest.operation };
    return this.done(res, { commit: sha, pushed, attempts, pullRequest, pr, branch: prBranch, workdir: null });
  }

  /**
   * Commits the change onto the base head through the API and points the PR branch at it;
   * nothing is written when the branch already holds the same tree on the same parent (a
   * rewrite would re-run its checks and may dismiss approvals).
   */
  async apiCommitToPrBranch(git, res, files, { prBranch, baseHead }) {
    const ids = { owner: this.owner, repo: this.repo };
    const blobs = await this.stagedBlobs(git, files);
    const tree = await git.output(['write-tree']); // the tree GitHub would build from the same blobs
    const current = await getBranchHead(this.client, { ...ids, branch: prBranch });
    if (current) {
      const c = await getCommit(this.client, { ...ids, sha: current });
      if (c.tree === tree && c.parents.length === 1 && c.parents[0] === baseHead) {
        this.log(`${prBranch} already holds this change`);
        return { sha: current, attempts: 0, pushed: false };
      }
    }
    const sha = await createApiCommit(this.client, {
      ...ids,
      parent: baseHead,
      files: blobs,
      message: this.message(res),
      author: this.o.explicitAuthor ? this.o.author : null,
    });
    const u = current
      ? await updateBranch(this.client, { ...ids, branch: prBranch, sha, force: true })
      : await createBranch(this.client, { ...ids, branch: prBranch, sha });
    if (!u.ok && u.moved) throw new PipelineError(`${prBranch} was created by another run meanwhile; run again`, { code: 'github-api' });
    if (!u.ok) throw new PipelineError(refUpdateRefused(prBranch, u.error, { pr: true }), { code: 'ref-update-refused', details: { attempts: 1 } });
    return { sha, attempts: 1, pushed: true };
  }

}

function slugOf(repo) {
  return repo ? `${repo.owner}/${repo.repo}` : null;
}
