// runPipeline: apply a plan in a git checkout (or a fresh shallow clone), commit the edited
// files, push with conflict-safe retries, or open/update a pull request, or commit through
// GitHub's API. See docs/pipeline.md and docs/contract.md.

import { mkdtemp, readFile, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GitCommandManager, checkRemoteUrl } from './git/command-manager.js';
import { trackPath } from './cleanup.js';
import { withRepositoryRoot } from './files.js';
import { createAuth, tokenFromEnv } from './git/auth.js';
import { GitError, PipelineError } from './git/errors.js';
import { DEFAULT_BACKOFF, backoffDelay, sleep } from './git/retry.js';
import { GitHubClient, parseRepoSlug, repoFromRemoteUrl } from './github/client.js';
import { upsertPullRequest } from './github/pulls.js';
import { createApiCommit, createBranch, getBranchHead, updateBranch } from './github/api-commit.js';
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
 * @property {string}  [author]     "Name <email>"
 * @property {number}  [retries]    push attempts after the first (default 5)
 * @property {string}  [base] @property {string} [title] @property {string} [body]
 * @property {string[]} [labels] @property {boolean} [draft] @property {string} [prBranch]
 * @property {string}  [tokenEnv]   default "GITHUB_TOKEN"
 * @property {string}  [githubRepo] "owner/name" (default GITHUB_REPOSITORY, else from the remote URL)
 * @property {string}  [sourceSha]  default GITHUB_SHA / CIRCLE_SHA1
 * @property {string}  [apiUrl]     default GITHUB_API_URL / https://api.github.com
 * @property {boolean} [dryRun]     apply only (the caller's apply should not write either)
 * @property {boolean} [verbose]    also log every git command (or set GITOPS_BUMP_DEBUG=1)
 * @property {NodeJS.ProcessEnv} [env]  default process.env
 * @property {(line: string) => void} [log]  receives masked progress lines
 * @property {{baseMs: number, capMs: number}} [backoff]
 */

/**
 * @param {{cwd?: string, plan: object, apply: (workdir: string) => Promise<{changed: Array, unchanged?: Array}>, git?: GitOptions}} args
 * @returns {Promise<{changed: Array, unchanged: Array, commit: string|null, pushed: boolean, attempts: number,
 *   pullRequest: {number: number, url: string, updated: boolean}|null, branch: string|null, workdir: string|null}>}
 */
export async function runPipeline({ cwd = process.cwd(), plan, apply, git = {} } = {}) {
  if (typeof apply !== 'function') throw new TypeError('runPipeline: apply(workdir) is required');
  const o = normalize(git);
  if (o.dryRun || !(o.commit || o.push || o.pr || o.apiCommit || o.repo)) {
    // no repository to commit to: the working directory is the root nothing may leave
    const res = await withRepositoryRoot(await realpath(cwd), () => apply(cwd));
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
    throw new PipelineError(`--retries must be a whole number >= 0, got ${retries}`, { code: 'usage', details: { exitCode: 2 } });
  }
  const authorText = git.author ?? DEFAULT_AUTHOR;
  const author = parseAuthor(authorText);
  if (!author) {
    throw new PipelineError(`--author must look like "Name <email>", got ${JSON.stringify(authorText)}`, {
      code: 'usage',
      details: { exitCode: 2 },
    });
  }
  const labels = [git.labels ?? git.label ?? []].flat().filter(Boolean).map(String);
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
    sourceSha: git.sourceSha ?? env.GITHUB_SHA ?? env.CIRCLE_SHA1 ?? null,
    apiUrl: git.apiUrl ?? env.GITHUB_API_URL ?? undefined,
    backoff: git.backoff ?? DEFAULT_BACKOFF,
    log: git.log ?? (() => {}),
    random: git.random ?? Math.random,
  };
}

/** Splits `scheme://user:password@host/...` into the URL without credentials and the password. */
function splitCredentials(repo) {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/@]*)@(.*)$/i.exec(String(repo ?? ''));
  if (!repo || !m) return { url: repo, password: null };
  const colon = m[2].indexOf(':');
  const password = colon >= 0 ? decodeURIComponent(m[2].slice(colon + 1)) : decodeURIComponent(m[2]);
  return { url: `${m[1]}${m[3]}`, password: password || null };
}

function result(res, extra) {
  return {
    changed: res?.changed ?? [],
    unchanged: res?.unchanged ?? [],
    commit: null,
    pushed: false,
    attempts: 0,
    pullRequest: null,
    branch: null,
    ...extra,
  };
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
    if (o.repo) o.repo = checkRemoteUrl(url, '--repo');
    this.auth = createAuth({ token: tokenFromEnv(o.env, o.tokenEnv) ?? password, extraSecrets: [password] });
    this.log = (line) => o.log(this.auth.mask(line));
    this.debug = o.verbose || o.env.GITOPS_BUMP_DEBUG ? this.log : () => {};
    this.tempDirs = [];
    this.worktree = null;
  }

  maskError(e) {
    if (e instanceof GitError && /Authentication failed|could not read (Username|Password)|terminal prompts disabled|HTTP (401|403)|returned error: 40[13]/i.test(e.message)) {
      e.code = 'auth';
      e.kind = 'auth';
      e.message += `\nhint: the remote refused the credentials: check the token in $${this.o.tokenEnv}${this.auth.hasToken ? '' : ' (it is not set)'}`;
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
    if ((o.pr || o.apiCommit) && !this.auth.hasToken) {
      throw new PipelineError(
        `no GitHub token: set the environment variable ${o.tokenEnv}${o.tokenEnv === 'GITHUB_TOKEN' ? ' (or name another with --token-env)' : ''}`,
        { code: 'auth' },
      );
    }
    if (o.repo) {
      this.remote = 'origin';
      this.remoteUrl = o.repo;
      const dir = path.join(await this.tempDir(), 'repo');
      const branch = o.pr ? (o.base ?? o.branch) : o.branch;
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
        throw new PipelineError(`${this.cwd} is not inside a git checkout (give --repo URL to clone one): ${e.message}`, {
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
      const current = await this.git.currentBranch();
      if (o.pr) {
        this.base = o.base ?? o.branch ?? current;
        if (!this.base) throw new PipelineError('HEAD is detached: give --base for the pull request', { code: 'usage' });
      } else {
        this.branch = o.branch ?? current;
        if (!this.branch && (o.push || o.apiCommit)) {
          throw new PipelineError('HEAD is detached: give --branch to say where to push', { code: 'usage' });
        }
      }
      this.ownCheckout = false;
    }
    if (o.pr || o.apiCommit) this.prepareGitHub();
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
      if (!repo) throw new PipelineError(`--github-repo must be owner/name, got ${JSON.stringify(o.githubRepo)}`, { code: 'usage' });
    } else {
      repo = repoFromRemoteUrl(this.remoteUrl) ?? parseRepoSlug(o.env.GITHUB_REPOSITORY);
    }
    if (!repo) {
      throw new PipelineError('cannot tell the GitHub repository: give --github-repo owner/name (or set GITHUB_REPOSITORY)', {
        code: 'usage',
      });
    }
    this.owner = repo.owner;
    this.repo = repo.repo;
    this.client = new GitHubClient({ apiUrl: o.apiUrl, auth: this.auth, log: this.log });
  }

  workdir(root = this.root) {
    return this.rel ? path.join(root, this.rel) : root;
  }

  async execute() {
    await this.prepare();
    if (this.o.pr) return this.pullRequestFlow();
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
    return commitMessage(summarize(this.plan, res.changed ?? [], { sourceSha: this.o.sourceSha }), this.o.message);
  }

  async commit(git, res, files) {
    await git.add(files);
    return git.commitFiles(files, { message: this.message(res), author: this.o.authorText, committer: this.committer });
  }

  async backoff(attempt) {
    const ms = backoffDelay(attempt, this.o.backoff, this.o.random);
    this.log(`retrying in ${ms} ms`);
    await sleep(ms);
  }

  exhausted(attempts, what, last) {
    return new PipelineError(
      `push retries exhausted after ${attempts} attempts: ${what} kept moving${last ? ` (last rejection: ${last})` : ''}`,
      { code: 'push-retries-exhausted', details: { attempts } },
    );
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
    if (push) await this.requireCleanCheckout();
    this.origBase = await git.tryRevParse('HEAD');
    let attempts = 0;
    let last = '';
    for (;;) {
      const { res, files } = await this.applyAt(git, this.root);
      if (!files.length) {
        this.log(attempts ? 'nothing to commit after re-applying: the remote already has these values' : 'nothing changed');
        return result(res, { attempts, branch: this.branch, workdir: this.workdir() });
      }
      const sha = await this.commit(git, res, files);
      this.log(`committed ${sha.slice(0, 12)} (${files.join(', ')})`);
      if (!push) return result(res, { commit: sha, branch: this.branch, workdir: this.workdir() });
      attempts += 1;
      const r = await git.push(this.remote, 'HEAD', this.branch);
      if (r.ok) {
        this.log(`pushed ${sha.slice(0, 12)} to ${this.branch} (attempt ${attempts})`);
        return result(res, { commit: sha, pushed: true, attempts, branch: this.branch, workdir: this.workdir() });
      }
      if (!r.retryable) {
        throw new PipelineError(
          `push to ${this.branch} failed: ${r.reason}${r.stderr && !r.stderr.includes(r.reason) ? `\n${r.stderr}` : r.stderr ? `\n${r.stderr}` : ''}`,
          { code: 'push-failed', details: { attempts } },
        );
      }
      last = r.reason;
      this.log(`push rejected (${r.reason}): the remote moved`);
      if (attempts > o.retries) throw this.exhausted(attempts, `the remote branch ${this.branch}`, last);
      await this.backoff(attempts);
      await this.resetToRemote(git, this.branch);
    }
  }

  // ---- (2) commit through the GitHub API -------------------------------------------------

  async apiCommitFlow() {
    const { o, git } = this;
    await this.requireCleanCheckout();
    this.origBase = await git.tryRevParse('HEAD');
    const ids = { owner: this.owner, repo: this.repo };
    let attempts = 0;
    for (;;) {
      const parent = await getBranchHead(this.client, { ...ids, branch: this.branch });
      if (!parent) throw new PipelineError(`branch ${this.branch} does not exist in ${this.owner}/${this.repo}`, { code: 'github-api' });
      if ((await git.tryRevParse('HEAD')) !== parent) {
        if (!(await this.resetToRemote(git, this.branch, parent))) {
          attempts += 1;
          if (attempts > o.retries) throw this.exhausted(attempts, `the branch ${this.branch}`, 'moved while fetching');
          await this.backoff(attempts);
          continue;
        }
      }
      const { res, files } = await this.applyAt(git, this.root);
      if (!files.length) {
        this.log(attempts ? 'nothing to commit after re-applying: the branch already has these values' : 'nothing changed');
        return result(res, { attempts, branch: this.branch, workdir: this.workdir() });
      }
      const sha = await createApiCommit(this.client, {
        ...ids,
        parent,
        files: await this.fileBlobs(git, this.root, files),
        message: this.message(res),
        author: o.explicitAuthor ? o.author : null,
      });
      attempts += 1;
      const u = await updateBranch(this.client, { ...ids, branch: this.branch, sha, force: false });
      if (u.ok) {
        this.log(`updated ${this.branch} to ${sha.slice(0, 12)} through the API (attempt ${attempts})`);
        await this.syncAfterApiCommit(git, sha);
        return result(res, { commit: sha, pushed: true, attempts, branch: this.branch, workdir: this.workdir() });
      }
      this.log(`ref update rejected (not a fast forward): ${this.branch} moved`);
      if (attempts > o.retries) throw this.exhausted(attempts, `the branch ${this.branch}`, 'not a fast forward');
      await this.backoff(attempts);
    }
  }

  async fileBlobs(git, root, files) {
    const staged = await git.output(['ls-files', '-s', '-z', '--', ...files]);
    const modes = new Map();
    for (const entry of staged.split('\0').filter(Boolean)) {
      const [meta, file] = entry.split('\t');
      modes.set(file, meta.split(' ')[0]);
    }
    const out = [];
    for (const f of files) {
      const abs = path.join(root, f);
      let mode = modes.get(f);
      if (!mode) mode = (await stat(abs)).mode & 0o111 ? '100755' : '100644';
      out.push({ path: f, mode, content: await readFile(abs) });
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
    const baseHead = await git.fetchBranch(this.remote, this.base);
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
      this.log(`nothing changed on ${this.base}: no pull request needed`);
      return result(res, { branch: prBranch, workdir: null });
    }
    let sha;
    let attempts = 0;
    let pushed = false;
    if (o.apiCommit) {
      sha = await createApiCommit(this.client, {
        ...ids,
        parent: baseHead,
        files: await this.fileBlobs(git, root, files),
        message: this.message(res),
        author: o.explicitAuthor ? o.author : null,
      });
      attempts = 1;
      const current = await getBranchHead(this.client, { ...ids, branch: prBranch });
      if (current) await updateBranch(this.client, { ...ids, branch: prBranch, sha, force: true });
      else await createBranch(this.client, { ...ids, branch: prBranch, sha });
      pushed = true;
    } else {
      sha = await this.commit(git, res, files);
      for (;;) {
        const current = await git.lsRemoteBranch(this.remote, prBranch);
        if (current && (await this.sameChange(git, prBranch, current, sha))) {
          this.log(`${prBranch} already holds this change`);
          sha = current;
          break;
        }
        attempts += 1;
        const r = await git.push(this.remote, 'HEAD', prBranch, { lease: current ?? '' });
        if (r.ok) {
          pushed = true;
          break;
        }
        if (!r.retryable) throw new PipelineError(`push to ${prBranch} failed: ${r.reason}\n${r.stderr}`, { code: 'push-failed' });
        this.log(`push to ${prBranch} rejected (${r.reason}): it moved, retrying with a fresh lease`);
        if (attempts > o.retries) throw this.exhausted(attempts, `the branch ${prBranch}`, r.reason);
        await this.backoff(attempts);
      }
    }
    const pullRequest = await upsertPullRequest(this.client, {
      ...ids,
      head: prBranch,
      base: this.base,
      title: pullRequestTitle(summary, o.title),
      body: pullRequestBody(summary, o.body),
      draft: Boolean(o.draft),
      labels: o.labels,
    });
    this.log(`${pullRequest.updated ? 'updated' : 'opened'} pull request #${pullRequest.number} ${pullRequest.url ?? ''}`);
    return result(res, { commit: sha, pushed, attempts, pullRequest, branch: prBranch, workdir: null });
  }

  /** True when the remote PR branch (at `current`) has our commit's parent and tree: a rerun with nothing new. */
  async sameChange(git, prBranch, current, sha) {
    const fetched = await git.fetchBranch(this.remote, prBranch).catch(() => null);
    if (fetched !== current) return false;
    const pick = (txt) =>
      txt
        .split('\n\n')[0]
        .split('\n')
        .filter((l) => l.startsWith('tree ') || l.startsWith('parent '))
        .join('\n');
    const a = await git.output(['cat-file', 'commit', current]);
    const b = await git.output(['cat-file', 'commit', sha]);
    return pick(a) === pick(b);
  }
}
