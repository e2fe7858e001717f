/**
 * gitops-bump/pipeline: apply a plan in a git checkout (or a fresh shallow clone), commit
 * the edited files, push with conflict-safe retries, open or update a pull request, or
 * commit through GitHub's API. The same function the CLI's git flags and the Action call.
 */
import type { FileOutcome, Plan, PlanResult, PromotionTable, Unchecked } from './index.js';

/** Push attempts after the first when `retries` is not given. */
export const DEFAULT_RETRIES: number;

/** What to do with the edit in git. With none of commit/push/pr/apiCommit/repo, the plan is only applied. */
export interface GitOptions {
  /** commit the edited files in the checkout that holds them */
  commit?: boolean;
  /** commit and push, re-applying the plan when the remote moved */
  push?: boolean;
  /** push to a branch derived from the plan and open or update a pull request */
  pr?: boolean;
  /** create the commit through GitHub's Git Data API */
  apiCommit?: boolean;
  /** URL (or path) to shallow-clone into a temp dir and work there (implies push) */
  repo?: string;
  /** remote to push to (default `origin`) */
  remote?: string;
  /** branch to push to (default: the current branch, or the clone's) */
  branch?: string;
  /** commit message template: `{images}` `{tags}` `{files}` `{paths}` `{sha}` */
  message?: string;
  /** lines after the commit message and the pull request body, e.g. `Image-Digest: ghcr.io/acme/api:1.2.3@sha256:…` */
  trailers?: string[];
  /** commit author, `Name <email>` */
  author?: string;
  /** push attempts after the first (default {@link DEFAULT_RETRIES}) */
  retries?: number;
  /** pull request base branch */
  base?: string;
  /** pull request title template */
  title?: string;
  /** pull request body template; a function is called when the pull request is written (after the plan was applied); without one, a plan that promotes gets its before/after tables */
  body?: string | (() => string | undefined);
  /** pull request labels */
  labels?: string[];
  /** open the pull request as a draft */
  draft?: boolean;
  /** the pull request's head branch (default: derived from the plan) */
  prBranch?: string;
  /** replace the head branch even when it holds commits gitops-bump did not make (default: refuse, exit 3) */
  prOverwrite?: boolean;
  /** users to request a review from; a refusal is a warning */
  reviewers?: string[];
  /** teams (slugs) to request a review from; a refusal is a warning */
  teamReviewers?: string[];
  /** users to assign; a refusal is a warning */
  assignees?: string[];
  /** the milestone's number; a refusal is a warning */
  milestone?: number;
  /** environment variable holding the token (default `GITHUB_TOKEN`) */
  tokenEnv?: string;
  /** Sign the commits git makes (`--sign`): the private key is read from `signingKeyEnv`. */
  sign?: 'ssh' | 'gpg';
  /** The variable holding the signing key; default `GITOPS_BUMP_SIGNING_KEY`. */
  signingKeyEnv?: string;
  /** `owner/name` (default `GITHUB_REPOSITORY`, else from the remote URL) */
  githubRepo?: string;
  /** the source commit for `{sha}` (default `GITHUB_SHA` / `CIRCLE_SHA1`) */
  sourceSha?: string;
  /** GitHub REST API base URL (default: `GITHUB_API_URL` for a remote on `GITHUB_SERVER_URL`'s host, else the remote host's own API: `https://HOST/api/v3`, or GitHub's) */
  apiUrl?: string;
  /** apply only; `apply` should not write either (with `repo`: in a fresh clone, removed afterwards) */
  dryRun?: boolean;
  /** also log every git command (or set `GITOPS_BUMP_DEBUG=1`) */
  verbose?: boolean;
  /** environment to read tokens and defaults from (default `process.env`) */
  env?: Record<string, string | undefined>;
  /** receives progress lines, with secrets masked */
  log?: (line: string) => void;
  /** delay between push attempts: max(`baseMs`, `factor` × longest attempt) × max(commits landed, 2^(retry-1)), at most `capMs`, jittered over [d/8, d] */
  backoff?: { baseMs: number; capMs: number; factor?: number };
}

/** The arguments of {@link runPipeline}. */
export interface PipelineArgs {
  /** the checkout to work in (default `process.cwd()`); ignored with `repo` */
  cwd?: string;
  /** the plan, used to name branches and fill message templates */
  plan: Plan | unknown;
  /** applies the plan below `workdir`, e.g. `(dir) => applyPlan(plan, { cwd: dir })`; called again after the remote moved */
  apply: (workdir: string) => PlanResult | Promise<PlanResult>;
  /** what to do in git */
  git?: GitOptions;
}

/** A pull request that was opened or updated. */
export interface PullRequestResult {
  number: number;
  url: string;
  /** what this run did to it */
  operation: 'created' | 'updated' | 'none';
  /** true when this run opened it */
  created: boolean;
  /** true when an open pull request for the branch existed and was updated */
  updated: boolean;
  /** whether it is a draft */
  draft: boolean;
}

/** The pull request in the few fields the Action's outputs give. */
export interface PullRequestSummary {
  number: number | null;
  url: string | null;
  /** `closed`: the base already held the values, and the open pull request of an earlier run was closed */
  operation: 'created' | 'updated' | 'none' | 'closed';
}

/** One changed value, flattened (the Action's `changes` output). */
export interface PipelineChange {
  /** as the plan names it (relative to the working directory) */
  file: string;
  /** the concrete key path that changed */
  path: string;
  /** 1-based line in the file before the edit */
  line: number;
  old: string | null;
  new: string | null;
}

/** What {@link runPipeline} did. */
export interface PipelineResult {
  /** the files whose text changed, with their texts and changes */
  changed: FileOutcome[];
  /** files already holding the values */
  unchanged: string[];
  /** image edits the overlay check could not decide, and why */
  unchecked: Unchecked[];
  /** the plan's promotions as the last apply computed them (empty when it promotes nothing) */
  promotions: PromotionTable[];
  /** the files of `changed` */
  changedFiles: string[];
  /** every changed value (`unchanged` ones left out) */
  changes: PipelineChange[];
  /** the commit made (or found on the pull request branch), or null */
  commit: string | null;
  /** the same as `commit` */
  commitSha: string | null;
  /** whether this run pushed the commit (or moved the branch through the API) */
  pushed: boolean;
  /** pushes or ref updates tried */
  attempts: number;
  /** null outside pull-request mode; `{number: null, url: null, operation: 'none'}` when nothing changed */
  pr: PullRequestSummary | null;
  /** the pull request in more detail, null when none was touched */
  pullRequest: PullRequestResult | null;
  /** conditions that did not fail the run (a label not added, a draft opened as ready, a body cut) */
  warnings: string[];
  /** the branch pushed to (the pull request's branch in pull-request mode) */
  branch: string | null;
  /** where the plan was applied (a temp clone is removed before this returns) */
  workdir: string | null;
}

/** Applies the plan and commits, pushes, opens a pull request or commits through the API. Git and API failures throw errors carrying `exitCode` 3. */
export function runPipeline(args: PipelineArgs): Promise<PipelineResult>;
