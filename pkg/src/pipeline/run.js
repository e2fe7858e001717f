// One pipeline run: its options, auth and log, the temporary directories it owns, and the
// steps every flow shares (apply the plan in a checkout, commit, say why a push failed).
// Where the run works is set up by workspace.js; what it does there, by the mode's flow.

import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GitCommandManager, checkRemoteUrl } from '../git/command-manager.js';
import { trackPath } from '../cleanup.js';
import { withRepositoryRoot } from '../files.js';
import { createAuth, splitCredentials, tokenFromEnv } from '../git/auth.js';
import { GitError, GitHubApiError, PipelineError } from '../common/errors.js';
import { apiHint, gitAuthHint } from '../github/hints.js';
import { pipelineWord } from '../hints.js';
import { TOKEN_VARIABLES } from '../forges/detect.js';
import { commitMessage, summarize } from '../template.js';

/** A pull-request run that had nothing to change on the base. */
export const NO_PR = Object.freeze({ number: null, url: null, operation: 'none' });

/**
 * The PipelineResult (see index.js) for an apply result `res` and what the run did.
 * @param {{changed?: Array<object>, unchanged?: string[], unchecked?: Array<object>, promotions?: Array<object>}|undefined} res
 * @param {object} extra
 */
export function result(res, extra) {
  const changed = res?.changed ?? [];
  const out = {
    changed,
    unchanged: res?.unchanged ?? [],
    unchecked: res?.unchecked ?? [],
    promotions: res?.promotions ?? [],
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

/**
 * The changed files named as the repository names them (`repoFile`, set by applyAt), for
 * what speaks of the commit: its message and the pull request.
 * @param {Array<{file: string, repoFile?: string}> | undefined} changed
 */
export function repoNamed(changed) {
  return (changed ?? []).map((c) => (c.repoFile === undefined ? c : { ...c, file: c.repoFile }));
}

export class Run {
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
    /** The mode's name (a key of MODES in modes.js). */
    this.mode = o.mode;
  }

  /** The token as the front end running the pipeline names it (`$GITHUB_TOKEN`, the Action's 'token' input). */
  tokenWords() {
    // on another forge: the variable its token came from, else its usual one
    return pipelineWord('token', this.o.frontEnd, this.forge ? (this.forge.credential?.variable ?? (this.o.tokenEnvGiven ? this.o.tokenEnv : TOKEN_VARIABLES[this.forge.forge][0].name)) : this.o.tokenEnv);
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

  workdir(root = this.root) {
    return this.rel ? path.join(root, this.rel) : root;
  }

  // ---- shared steps ---------------------------------------------------------------------

  /**
   * Runs the plan in `root`; returns the apply result, each changed file with its name in
   * the repository beside the plan's (`repoFile`), and the repo-relative files whose content
   * changed.
   */
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
    return { res: { ...res, changed: (res?.changed ?? []).map((c, i) => ({ ...c, repoFile: rel[i] })) }, files };
  }

  message(res) {
    return commitMessage(summarize(this.plan, repoNamed(res.changed), { sourceSha: this.o.sourceSha }), this.o.message, this.o.trailers ?? []);
  }

  async commit(git, res, files) {
    await git.add(files);
    return git.commitFiles(files, { message: this.message(res), author: this.o.authorText, committer: this.committer });
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
}
