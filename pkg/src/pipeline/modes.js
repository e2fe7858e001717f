/**
 * The modes of a run: what becomes of the edit once the plan is applied. This table is the
 * one place a mode is defined. The CLI's flags, the Action's `mode` input and the orb's
 * `mode` parameter are names of its entries (`names`), read with {@link parseMode} (a
 * front end's word) or {@link modeOf} (runPipeline's git options, booleans whose precedence
 * is written there); runPipeline runs the entry's `flow`.
 *
 * Adding a mode: an entry here, its flow file in this folder, its names in the docs
 * (docs/ARCHITECTURE.md walks through it). This module imports nothing, so the CLI reads it
 * without loading git.
 *
 * @module gitops-bump/pipeline/modes
 */

/**
 * @typedef {object} Mode
 * @property {{cli: string|null, action: string|null, orb: string|null}} names how each front
 *   end spells the mode (null: that front end does not offer it; the CLI's edit is no flag)
 * @property {Record<string, boolean>} git the runPipeline options that select it
 * @property {(() => Promise<(run: import('./run.js').Run) => Promise<object>>)|null} flow
 *   what runs after the workspace is set up (null: the plan is only applied where the run
 *   started, nothing is committed; a preview, too, runs in place unless it is of a clone)
 * @property {'diff'|'check'|null} preview nothing is written: the change is shown (`diff`) or
 *   only said (`check`, exit 1 when the files would change)
 * @property {boolean} api it calls the forge's API, so it needs a token before anything runs
 * @property {boolean} pushes it moves a branch of the remote (so a detached HEAD needs a branch name)
 * @property {string} summary one line for help texts and the docs
 */

/** @type {Readonly<Record<string, Mode>>} */
export const MODES = Object.freeze({
  push: {
    names: { cli: '--push', action: 'push', orb: 'push' },
    git: { push: true },
    flow: () => import('./push.js').then((m) => m.pushFlow),
    preview: null,
    api: false,
    pushes: true,
    summary: 'commit and push, re-applying the plan when the remote moved',
  },
  'pull-request': {
    names: { cli: '--pr', action: 'pull-request', orb: 'pull_request' },
    git: { pr: true },
    flow: () => import('./pull-request.js').then((m) => m.pullRequestFlow),
    preview: null,
    api: true,
    pushes: true,
    summary: 'push a branch derived from the plan and open or update a pull request (with --api-commit: its commit made through the API)',
  },
  'api-commit': {
    names: { cli: '--api-commit', action: 'api-commit', orb: 'api_commit' },
    git: { apiCommit: true },
    flow: () => import('./api-commit.js').then((m) => m.apiCommitFlow),
    preview: null,
    api: true,
    pushes: true,
    summary: "commit through GitHub's Git Data API (GitHub signs the commit)",
  },
  'dry-run': {
    names: { cli: '--dry-run', action: 'dry-run', orb: 'dry_run' },
    git: { dryRun: true },
    flow: () => import('./preview.js').then((m) => m.previewFlow),
    preview: 'diff',
    api: false,
    pushes: false,
    summary: 'show the diff, write nothing (with --repo: of a fresh clone)',
  },
  check: {
    names: { cli: '--check', action: null, orb: 'check' },
    git: { dryRun: true },
    flow: () => import('./preview.js').then((m) => m.previewFlow),
    preview: 'check',
    api: false,
    pushes: false,
    summary: 'write nothing; exit 1 when the files would change (drift)',
  },
  commit: {
    names: { cli: '--commit', action: null, orb: null },
    git: { commit: true },
    flow: () => import('./push.js').then((m) => m.pushFlow),
    preview: null,
    api: false,
    pushes: false,
    summary: 'commit the edited files in the checkout, push nothing',
  },
  edit: {
    names: { cli: null, action: null, orb: 'edit' },
    git: {},
    flow: null,
    preview: null,
    api: false,
    pushes: false,
    summary: 'edit the files of the checkout, commit nothing',
  },
});

/**
 * The mode runPipeline's git options select: the first of these booleans that is set, in
 * this order: `dryRun`, `pr` (with `apiCommit`, a pull request whose commit the API makes),
 * `apiCommit`, `push` or `repo` (a clone is pushed), `commit`; none of them: `edit`.
 * @param {{dryRun?: boolean, pr?: boolean, apiCommit?: boolean, push?: boolean, repo?: string, commit?: boolean}} git
 * @returns {keyof typeof MODES}
 */
export function modeOf(git) {
  if (git.dryRun) return 'dry-run';
  if (git.pr) return 'pull-request';
  if (git.apiCommit) return 'api-commit';
  if (git.push || git.repo) return 'push';
  if (git.commit) return 'commit';
  return 'edit';
}

/**
 * The modes `frontEnd` offers, as its `mode` takes them (the command line's `--mode` takes
 * the table's own names).
 * @param {'cli'|'action'|'orb'} frontEnd
 * @returns {string[]}
 */
export function modeNames(frontEnd) {
  return Object.entries(MODES)
    .filter(([, m]) => m.names[frontEnd] !== null)
    .map(([key, m]) => (frontEnd === 'cli' ? key : /** @type {string} */ (m.names[frontEnd])));
}

/**
 * The mode a front end's word names. The Action's and the orb's spellings are both taken
 * (`pull-request` and `pull_request`), since workflows move between the two; a mode the
 * front end does not offer is refused.
 * @param {string} word
 * @param {'cli'|'action'|'orb'} frontEnd
 * @returns {keyof typeof MODES}
 * @throws {Error & {kind: 'usage', exitCode: 2, offered: string[]}} naming the modes `frontEnd` offers
 */
export function parseMode(word, frontEnd) {
  const key = String(word).replace(/_/g, '-');
  if (Object.hasOwn(MODES, key) && MODES[key].names[frontEnd] !== null) return /** @type {keyof typeof MODES} */ (key);
  const offered = modeNames(frontEnd);
  throw Object.assign(new Error(`must be one of ${offered.join(', ')}, got ${JSON.stringify(word)}`), { kind: 'usage', code: 'usage', exitCode: 2, offered });
}
