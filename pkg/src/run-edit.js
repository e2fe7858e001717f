/**
 * Runs an editing command's plan (in place, or through the git pipeline) and tells what
 * happened: the change lines, the diffs of --dry-run, --check's verdict, the JSON report of
 * --json and --report, or, when the orb runs the CLI, the orb's summary block. Also how the
 * command line's git flags and `--mode` become runPipeline's options.
 *
 * @module gitops-bump/run-edit
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { GitopsBumpError, usageError } from './errors.js';
import { applyPlanFetching } from './plan.js';
import { cliRemoteBases } from './remote-bases.js';
import { uncheckedWarnings } from './unchecked.js';
import { unifiedDiff } from './diff.js';
import { EXIT } from './commands.js';
import { digestTrailers } from './registry/settings.js';
import { MODES, modeOf, parseMode } from './pipeline/modes.js';
import { changeLine, orbSummary } from './summary.js';

/**
 * Whose words the CLI's messages use: the orb runs it with GITOPS_BUMP_FRONT_END=orb, and
 * its users know parameters, not flags (see hints.js).
 * @param {NodeJS.ProcessEnv} env
 * @returns {'cli' | 'orb'}
 */
export const frontEndOf = (env) => (env.GITOPS_BUMP_FRONT_END === 'orb' ? 'orb' : 'cli');

/**
 * `--mode NAME`: sets the flag of the mode it names (the MODES table's name for the CLI),
 * so the rest of the command line reads as if the flag had been given. The orb's and the
 * Action's spellings are taken; `edit` (the orb's) sets none.
 * @param {Record<string, any>} values parsed values, changed in place
 * @param {'cli' | 'orb'} frontEnd
 */
export function applyModeOption(values, frontEnd) {
  if (values.mode === undefined) return;
  let mode;
  try {
    mode = parseMode(values.mode, frontEnd === 'orb' ? 'orb' : 'cli');
  } catch (e) {
    throw usageError(`${frontEnd === 'orb' ? 'the `mode` parameter' : '--mode'} ${/** @type {Error} */ (e).message}`);
  }
  const flags = Object.values(MODES).map((m) => m.names.cli).filter((f) => f !== null);
  const given = flags.find((f) => values[/** @type {string} */ (f).slice(2)]);
  if (given) throw usageError(`--mode ${values.mode} and ${given}: give the mode once`);
  const flag = MODES[mode].names.cli;
  if (flag) values[flag.slice(2)] = true;
}

/**
 * Where the orb's summary block says the command ran, and in which mode (the orb's
 * spelling); null when the CLI is not run by the orb (or prints JSON on stdout).
 * @param {Record<string, any>} values
 * @param {string} cwd
 * @param {'cli' | 'orb'} frontEnd
 * @returns {{mode: string, where: string, failIfUnchanged: boolean} | null}
 */
export function orbBlock(values, cwd, frontEnd) {
  if (frontEnd !== 'orb' || values.json) return null;
  const preview = values.check ? 'check' : values['dry-run'] ? 'dry-run' : null;
  const name = preview ?? modeOf({ commit: values.commit, push: values.push, pr: values.pr, apiCommit: values['api-commit'], repo: values.repo });
  return { mode: MODES[name].names.orb ?? name, where: values.repo ?? cwd, failIfUnchanged: Boolean(values['fail-if-unchanged']) };
}

/**
 * Writes the JSON report (or error) to `--report FILE`, creating its directory.
 * @param {string | undefined} file
 * @param {string} cwd
 * @param {object} report
 */
export function writeReport(file, cwd, report) {
  if (file === undefined) return;
  const abs = resolvePath(cwd, file);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, `${JSON.stringify(report, null, 2)}\n`);
}

/**
 * Applies a plan locally or through the git pipeline, and reports what happened.
 * @param {unknown} plan
 * @param {Record<string, any>} values
 * @param {{out: {write(s: string): unknown}, err: {write(s: string): unknown}, cwd: string, env: NodeJS.ProcessEnv,
 *   images?: object[] | null, guard?: Function | null}} io
 * @param {{root: string | null, maxFileSize: number}} scope where targets may resolve, size limit
 * @returns {Promise<number>}
 */
export async function runEdit(plan, values, { out, err, cwd, env, images = null, guard = null }, { root, maxFileSize }) {
  const preview = Boolean(values['dry-run'] || values.check);
  const git = gitOptions(values, env);
  if (git && images) git.trailers = digestTrailers(images);
  /** @type {import('./plan.js').PlanResult & {commit?: string|null, pushed?: boolean, attempts?: number, pullRequest?: object|null, pr?: object|null, warnings?: string[]}} */
  let result;
  /** @type {{seen?: {kept: string[]}} | undefined} */
  let guarded;
  const remoteBases = cliRemoteBases(values, env, err, maxFileSize);
  try {
    if (git && (!preview || git.repo)) {
      const { runPipeline } = await import('./pipeline.js');
      // the pipeline confines every target to the repository; a preview of --repo's clone writes nothing
      const applyAt = (/** @type {string} */ workdir, /** @type {unknown} */ p = plan) =>
        applyPlanFetching(p, { cwd: workdir, dryRun: preview, allowOutside: true, maxFileSize, remoteBases });
      // --no-downgrade checks again on every attempt: a retry may find a newer image there
      guarded = /** @type {any} */ (guard)?.(plan, applyAt);
      try {
        result = await runPipeline({ cwd, plan, apply: guarded?.apply ?? applyAt, git: { ...git, dryRun: preview, log: (line) => err.write(`${line}\n`) } });
      } catch (error) {
        throw asGitError(error);
      }
    } else {
      // --dry-run / --check never commit: the plan is previewed on the files below cwd
      const applyHere = (/** @type {string} */ _, /** @type {unknown} */ p = plan) =>
        applyPlanFetching(p, { cwd, dryRun: preview, root, allowOutside: root === null, maxFileSize, remoteBases });
      guarded = /** @type {any} */ (guard)?.(plan, applyHere);
      result = await (guarded?.apply ?? applyHere)(cwd);
    }
  } finally {
    remoteBases.close();
  }
  const changed = result.changed ?? [];
  // a promotion's before/after table, as the apply computed it (on stderr with --json or
  // --dry-run, so their stdout stays machine-readable)
  if (result.promotions?.length) {
    const { renderPromotion } = await import('./promote.js');
    for (const p of result.promotions) (values.json || values['dry-run'] ? err : out).write(renderPromotion(/** @type {any} */ (p), 'plain'));
  }
  // never silent: whatever the output format, what the overlay check could not see is said
  for (const line of uncheckedWarnings(result.unchecked ?? [])) err.write(`${line}\n`);

  const committed = git && !preview;
  const report = {
    changed: changed.map((c) => ({ file: c.file, changes: c.changes, ...(preview ? { diff: diffOf(c) } : {}) })),
    unchanged: result.unchanged,
    unchecked: result.unchecked ?? [],
    ...(result.promotions?.length ? { promotions: result.promotions } : {}),
    written: !preview && changed.length > 0,
    ...(images ? { images } : {}),
    ...(guarded?.seen ? { kept: guarded.seen.kept } : {}),
    ...(committed
      ? {
          commit: result.commit ?? null,
          pushed: result.pushed ?? false,
          attempts: result.attempts ?? 0,
          pullRequest: result.pullRequest ?? null,
          // the Action's pr-branch and pr-head-sha outputs, for the orb's report_file
          pr: result.pr ? { ...result.pr, branch: result.branch ?? null, headSha: result.commit ?? null } : null,
          warnings: result.warnings ?? [],
        }
      : {}),
  };
  writeReport(values.report, cwd, report);
  const unchangedFails = Boolean(values['fail-if-unchanged']) && changed.length === 0;
  const code = unchangedFails || (values.check && changed.length > 0) ? EXIT.EDIT : EXIT.OK;
  const orb = orbBlock(values, cwd, frontEndOf(env));
  if (values.json) {
    out.write(`${JSON.stringify(report, null, 2)}\n`);
  } else if (orb) {
    out.write(orbSummary(report, { ...orb, exitCode: code }));
  } else if (preview) {
    for (const c of changed) {
      if (values['dry-run']) out.write(diffOf(c));
      if (values.check) err.write(`would change ${c.file}\n`);
    }
    if (changed.length === 0) err.write('no changes\n');
  } else {
    for (const c of changed) {
      for (const ch of c.changes) {
        if (ch.kind !== 'unchanged') out.write(`${c.file}:${ch.line}:${ch.column}: ${changeLine(ch)}\n`);
      }
    }
    for (const file of result.unchanged ?? []) out.write(`${file}: unchanged (already up to date)\n`);
    if (result.commit) out.write(`commit ${result.commit}${result.pushed ? ` pushed${(result.attempts ?? 0) > 1 ? ` after ${result.attempts} attempts` : ''}` : ''}\n`);
    const pr = /** @type {any} */ (result.pullRequest);
    if (pr) out.write(`pull request #${pr.number} ${{ created: 'opened', updated: 'updated' }[pr.operation] ?? 'unchanged'}: ${pr.url}\n`);
  }
  if (unchangedFails && !orb) err.write('error[unchanged]: nothing had to change (every value was already up to date) and --fail-if-unchanged is set\n');
  return code;
}

/**
 * @param {{file: string, before: string, after: string}} c
 * @returns {string}
 */
function diffOf(c) {
  return unifiedDiff(c.before, c.after, { fromFile: `a/${c.file}`, toFile: `b/${c.file}` });
}

/**
 * The git options for runPipeline, or null when no git flag was given.
 * @param {Record<string, any>} v parsed values
 * @param {NodeJS.ProcessEnv} env
 * @returns {Record<string, any> | null}
 */
export function gitOptions(v, env) {
  const mode = modeOf({ commit: v.commit, push: v.push, pr: v.pr, apiCommit: v['api-commit'], repo: v.repo });
  const gitOnly = ['remote', 'branch', 'message', 'author', 'retries', 'base', 'title', 'body', 'label', 'draft', 'pr-branch', 'pr-overwrite', 'reviewer', 'team-reviewer', 'assignee', 'milestone', 'token-env', 'github-repo', 'api-url', 'source-sha', 'sign', 'signing-key-env', 'forge'];
  if (!MODES[mode].flow) {
    const stray = gitOnly.find((k) => v[k] !== undefined);
    if (stray) throw usageError(`--${stray} needs one of ${[...gitModeFlags(), '--repo'].join(', ')}`);
    return null;
  }
  let retries;
  if (v.retries !== undefined) {
    retries = Number(v.retries);
    if (!/^\d+$/.test(v.retries) || retries > 100) throw usageError(`--retries: expected a whole number from 0 to 100, got \`${v.retries}\``);
  }
  if (v.author !== undefined && !/^[^<>]+ <[^<>\s]+>$/.test(v.author)) {
    throw usageError(`--author: expected "Name <email>", got \`${v.author}\``);
  }
  if (v['signing-key-env'] !== undefined && v.sign === undefined) throw usageError('--signing-key-env names the key of --sign: add --sign ssh|gpg');
  for (const prOnly of ['base', 'title', 'body', 'label', 'draft', 'pr-branch', 'pr-overwrite', 'reviewer', 'team-reviewer', 'assignee', 'milestone']) {
    if (v[prOnly] !== undefined && !v.pr) throw usageError(`--${prOnly} is a pull request field: add --pr`);
  }
  if (v.milestone !== undefined && !/^[1-9]\d{0,9}$/.test(v.milestone)) throw usageError(`--milestone: expected the milestone's number, got \`${v.milestone}\``);
  // runPipeline's GitOptions (pkg/src/pipeline.js); it applies the defaults
  return {
    commit: Boolean(v.commit),
    push: Boolean(v.push),
    pr: Boolean(v.pr),
    apiCommit: Boolean(v['api-commit']),
    repo: v.repo,
    remote: v.remote ?? 'origin',
    branch: v.branch,
    message: v.message,
    author: v.author,
    retries,
    base: v.base,
    title: v.title,
    body: v.body,
    labels: v.label ?? [],
    draft: Boolean(v.draft),
    prBranch: v['pr-branch'],
    prOverwrite: Boolean(v['pr-overwrite']),
    reviewers: v.reviewer ?? [],
    teamReviewers: v['team-reviewer'] ?? [],
    assignees: v.assignee ?? [],
    milestone: v.milestone === undefined ? undefined : Number(v.milestone),
    tokenEnv: v['token-env'] ?? 'GITHUB_TOKEN',
    frontEnd: frontEndOf(env),
    forge: v.forge,
    sign: v.sign,
    signingKeyEnv: v['signing-key-env'],
    // GITHUB_REPOSITORY and GITHUB_SHA/CIRCLE_SHA1 are the pipeline's fallbacks (it
    // prefers the repository the remote URL names), so only explicit flags go here
    githubRepo: v['github-repo'],
    apiUrl: v['api-url'],
    sourceSha: v['source-sha'],
    env,
  };
}

/** The flags of the modes that commit (the MODES table's names for the CLI). */
function gitModeFlags() {
  return Object.values(MODES)
    .filter((m) => m.flow && !m.preview && m.names.cli)
    .map((m) => /** @type {string} */ (m.names.cli));
}

/**
 * Marks an error from the git phase with its exit code: the pipeline's errors carry
 * `exitCode` (3, or 2 for a bad git option); edit errors keep theirs (1 or 2);
 * anything else thrown there is a git failure (3).
 * @param {unknown} error
 * @returns {unknown}
 */
function asGitError(error) {
  if (error instanceof GitopsBumpError) return error;
  const e = error instanceof Error ? error : new Error(String(error));
  const code = /** @type {any} */ (e).exitCode;
  return Object.assign(e, { cliExitCode: code === EXIT.USAGE ? EXIT.USAGE : EXIT.GIT });
}

