/**
 * The Action: inputs → one `runPipeline` call (the same engine as the CLI) → outputs,
 * the job summary, and on failure an annotation on the file and line at fault.
 *
 * @module gitops-bump-action/main
 */
import path from 'node:path';
import { runPipeline } from '../../pkg/src/pipeline.js';
import { changeLine } from '../../pkg/src/summary.js';
import { applyPlanFetching } from '../../pkg/src/plan.js';
import { RemoteBases } from '../../pkg/src/remote-bases.js';
import { context, renderPromotion, renderStatus, status } from '../../pkg/src/promote.js';
import { GitopsBumpError } from '../../pkg/src/errors.js';
import { gitAuthHint } from '../../pkg/src/github/hints.js';
import { messageIn, pipelineWord, settingWord, turnOnWord, wordFlags } from '../../pkg/src/hints.js';
import { InputError, SIGNING_KEY_ENV, getInput, inputVariable, readInputs } from './inputs.js';
import { code, failureSummary, outputs, summary } from './report.js';
import { checkPromotionDigests, guardDowngrades, imagesSummary, pickLines, verifyImages } from './registry.js';
import { registryExitCode } from '../../pkg/src/registry/cli.js';
import { uncheckedNotes } from '../../pkg/src/unchecked.js';
import { Workflow } from './workflow.js';

/** The environment variable the pipeline reads the token from (set only in its own env copy). */
const TOKEN_ENV = 'GITOPS_BUMP_TOKEN';

/**
 * Runs the Action once. Never throws: returns the exit code (0 success, 1 edit error,
 * 2 invalid input, 3 git or API failure, as the CLI).
 * @param {{env?: NodeJS.ProcessEnv, stdout?: {write(s: string): unknown}}} [io]
 * @returns {Promise<number>}
 */
export async function run({ env = process.env, stdout = process.stdout } = {}) {
  const wf = new Workflow({ env, stdout });
  maskToken(wf, getInput(env, 'token'));
  maskToken(wf, getInput(env, 'registry-password'));
  // a key is many lines: the runner masks a value line by line
  for (const line of getInput(env, 'signing-key').split('\n')) if (line.trim().length >= 8) wf.addMask(line.trim());
  /** @type {import('./inputs.js').Settings | undefined} */
  let settings;
  /** @type {RemoteBases | undefined} */
  let remoteBases;
  try {
    settings = readInputs(env);
    for (const w of settings.warnings) wf.warning(w);
    const s = settings;
    remoteBases = new RemoteBases({ ...s.remoteBases, notAllowed: turnOnWord('fetch-remote-bases', 'action'), env: pipelineEnv(env, ''), log: (line) => wf.line(line) });
    // every image resolved in its registry before anything is written (verify: auto
    // turns an unreachable registry into a warning)
    const registry = await wf.group('gitops-bump: images in their registries', () => verifyImages(s.plan, s.registry, pipelineEnv(env, '')));
    for (const w of registry.warnings) wf.warning(w, { title: 'gitops-bump: image not verified' });
    for (const i of registry.images.filter((x) => x.skipped)) wf.warning(`${i.spec} ${i.warning} (${settingWord('skip-unresolved', 'action')})`, { title: 'gitops-bump: image skipped' });
    for (const line of pickLines(registry.images)) wf.line(line);
    for (const i of registry.images.filter((x) => x.verified)) wf.line(`verified ${i.image} ${i.digest}${i.platforms ? ` (${i.platforms.join(', ')})` : ''}${i.written !== i.spec ? ', pinned' : ''}`);
    s.plan = registry.plan;
    /** @type {Seen} */
    const seen = { status: undefined };
    const apply = await applier(s, seen, wf, env, remoteBases);
    const result = await wf.group(`gitops-bump: ${describe(s)}`, () =>
      runPipeline({
        cwd: s.repository ? s.workspace : path.join(s.workspace, s.workingDirectory),
        plan: s.plan,
        apply,
        git: {
          ...s.git,
          // without a body, a promotion's pull request shows its before/after table (runPipeline)
          body: s.git.body,
          trailers: registry.trailers,
          // in a clone, the plan runs in working-directory: its files are named from there
          workingDirectory: s.repository ? s.workingDirectory : undefined,
          tokenEnv: TOKEN_ENV,
          // messages name the Action's inputs (pkg/src/hints.js)
          frontEnd: 'action',
          env: pipelineEnv(env, s.token),
          log: (line) => wf.line(line),
        },
      }),
    );
    // a module that spells options as flags: the same table words them as inputs
    result.warnings = (result.warnings ?? []).map((w) => wordFlags(w, 'action'));
    for (const w of result.warnings) wf.warning(w, { title: 'gitops-bump' });
    // never silent: an image edit the overlay check could not decide is a warning on its file
    for (const n of uncheckedNotes(result.unchecked)) {
      const first = result.unchecked.find((u) => u.spec === n.spec);
      wf.warning([n.headline, ...n.items].join('\n'), { file: annotationFile(first?.file, s).file, title: `gitops-bump: image ${n.spec} not checked` });
    }
    const values = outputs(result, s, { ...seen, images: registry.images });
    for (const [name, value] of Object.entries(values)) wf.setOutput(name, value);
    wf.summary(summary(result, s) + imagesSummary(registry.images, code) + extraSummary(seen, s, result.promotions));
    logResult(wf, values);
    // a type change is allowed and always shown: a warning on the line, where a review sees it
    for (const row of JSON.parse(values.changes).filter((/** @type {any} */ r) => r.typeChanged)) {
      const at = annotationFile(row.file, s);
      wf.warning(`${row.path}: ${row.old ?? '(none)'} -> ${row.new} changed the value's type (${row.oldType} -> ${row.newType})`, { file: at.file, line: row.line, col: row.column, title: `gitops-bump: type changed${at.title ? ` in ${at.title}` : ''}` });
    }
    // an anchored value is read by its aliases too: they change with it, and a review should know
    for (const row of JSON.parse(values.changes).filter((/** @type {any} */ r) => r.aliases?.length)) {
      const at = annotationFile(row.file, s);
      wf.warning(`${row.path} is anchored: setting it also changes ${row.aliases.join(', ')}, which read it through an alias`, { file: at.file, line: row.line, col: row.column, title: `gitops-bump: aliases changed too${at.title ? ` in ${at.title}` : ''}` });
    }
    if (s.failIfUnchanged && values.changed === 'false') {
      wf.error('nothing changed, and fail-if-unchanged is true: every value was already up to date', { title: 'gitops-bump: nothing changed' });
      return 1;
    }
    return 0;
  } catch (error) {
    return fail(wf, error, settings);
  } finally {
    remoteBases?.close();
  }
}

/**
 * Registers the token and every encoded form git or HTTP might carry with the runner.
 * @param {Workflow} wf
 * @param {string} token
 */
function maskToken(wf, token) {
  if (!token) return;
  wf.addMask(token);
  // the user names each forge takes with a token over git's HTTPS (pkg/src/forges/detect.js)
  for (const form of [`x-access-token:${token}`, `oauth2:${token}`, `x-token-auth:${token}`, `gitlab-ci-token:${token}`, `gitops-bump:${token}`, token]) {
    wf.addMask(Buffer.from(form).toString('base64'));
    wf.addMask(Buffer.from(form).toString('base64url'));
  }
  wf.addMask(encodeURIComponent(token));
}

/**
 * The environment the pipeline (and the git it runs) sees: the runner's, without the
 * Action's inputs, with the token under one private name.
 * @param {NodeJS.ProcessEnv} env
 * @param {string} token
 * @returns {NodeJS.ProcessEnv}
 */
function pipelineEnv(env, token) {
  const out = Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('INPUT_') && k !== TOKEN_ENV && k !== SIGNING_KEY_ENV));
  if (token) out[TOKEN_ENV] = token;
  // the signing key reaches the pipeline in its own variable, which it keeps from git
  const key = env[inputVariable('signing-key')];
  if (key && key.trim()) out[SIGNING_KEY_ENV] = key;
  return out;
}

/**
 * What the last apply saw besides the edits (the promotion's table is the plan's result):
 * the status table, read where the plan was applied, and the images kept newer.
 * @typedef {{status: import('../../pkg/src/promote.js').Status | undefined, kept?: {kept: string[], warnings: string[]}}} Seen
 */

/**
 * The apply function the pipeline calls where the plan runs (`working-directory`, in the
 * checkout or inside the clone: the pipeline's `workingDirectory`), so files are named from
 * there throughout; the pipeline adds their names in the repository (`repoFile`). The
 * status table is read after the plan is applied.
 * @param {import('./inputs.js').Settings} s
 * @param {Seen} seen
 * @param {RemoteBases} remoteBases the remote bases the overlay check follows
 * @returns {(workdir: string) => Promise<any>}
 */
async function applier(s, seen, wf, env, remoteBases) {
  const apply = async (/** @type {string} */ cwd, /** @type {unknown} */ plan = s.plan) => {
    if (s.promotion) await checkPromotionDigests(s.promotion, cwd, s.registry, pipelineEnv(env, ''), wf);
    const res = await applyPlanFetching(plan, { cwd, dryRun: s.preview, remoteBases });
    if (s.status.length > 0) seen.status = status(s.status, context(cwd, cwd));
    return res;
  };
  // allow-downgrade: false (the default) checks again on every attempt
  const guarded = await guardDowngrades(s.plan, s.registry, pipelineEnv(env, ''), wf, (/** @type {string} */ cwd) => cwd, apply);
  seen.kept = guarded.seen;
  return guarded.apply;
}

/**
 * The job summary's sections for a promotion (its table, from the pipeline's result) and the
 * status input.
 * @param {Seen} seen
 * @param {import('./inputs.js').Settings} s
 * @param {import('../../pkg/src/plan.js').PromotionTable[]} promotions
 * @returns {string}
 */
function extraSummary(seen, s, promotions) {
  let out = '';
  if (seen.kept?.kept.length) out += `\n### Kept newer (allow-downgrade is false)\n\n${seen.kept.kept.map((l) => `- ${l}`).join('\n')}\n`;
  for (const p of promotions) out += `\n### ${renderPromotion(/** @type {any} */ (p), 'markdown').replace(/^Promote /, 'Promotion: ')}`;
  if (seen.status) out += `\n### What runs where (${s.preview ? 'before this run: dry-run' : 'after this run'})\n\n${renderStatus(seen.status, 'markdown')}`;
  return out;
}

/**
 * @param {import('./inputs.js').Settings} s
 * @returns {string}
 */
function describe(s) {
  const where = s.repository ? (s.repository.slug ?? 'the repository') : path.join(s.workspace, s.workingDirectory);
  return `${s.mode}, ${s.plan.edits.length} edit${s.plan.edits.length === 1 ? '' : 's'} in ${where}`;
}

/**
 * @param {Workflow} wf
 * @param {Record<string, string>} values
 */
function logResult(wf, values) {
  // the CLI's change line (pkg/src/summary.js)
  for (const row of JSON.parse(values.changes)) wf.line(`${row.file}:${row.line}:${row.column}: ${changeLine(row)}`);
  if (values.changed === 'false') wf.line('nothing changed: every value is already up to date');
  if (values['commit-sha']) wf.line(`commit ${values['commit-sha']}`);
  if (values['pr-url']) wf.line(`pull request #${values['pr-number']} ${values['pr-operation']}: ${values['pr-url']}`);
}

/**
 * Reports an error as an annotation (on the file and line when the core named them,
 * with the path relative to the workspace) and picks the exit code.
 * @param {Workflow} wf
 * @param {unknown} error
 * @param {import('./inputs.js').Settings | undefined} s
 * @returns {number}
 */
function fail(wf, error, s) {
  const e = /** @type {any} */ (error);
  let report;
  if (error instanceof InputError) {
    report = { code: 2, message: error.message, where: { title: `gitops-bump: invalid input '${error.input}'` } };
  } else if (error instanceof GitopsBumpError) {
    const at = annotationFile(e.file, s);
    report = {
      code: e.kind === 'usage' ? 2 : (registryExitCode(e.kind) ?? 1),
      message: /^error\[/.test(e.message) ? messageIn(e, 'action') : `error[${e.kind}]: ${messageIn(e, 'action')}`,
      where: { file: at.file, line: e.line, col: e.column, title: `gitops-bump: ${e.kind}${at.title ? ` in ${at.title}` : ''}` },
    };
  } else if (e && (e.exitCode === 2 || e.exitCode === 3)) {
    // the pipeline's own errors (git, GitHub, its usage checks) keep their exit code
    const title = e.exitCode === 2 ? `gitops-bump: invalid input (${e.kind ?? 'usage'})` : `gitops-bump: ${e.kind ?? 'git'} failure`;
    report = { code: e.exitCode, message: withAuthHint(wordFlags(String(e.message), 'action')), where: { title } };
  } else {
    report = { code: 1, message: `internal error: ${e?.stack ?? e}`, where: { title: 'gitops-bump: internal error' } };
  }
  wf.error(report.message, report.where);
  wf.summary(failureSummary(s?.mode ?? getInput(wf.env, 'mode'), report.where.title, report.message));
  return report.code;
}

/**
 * Adds a hint when git says the remote refused the credentials and no hint says so yet.
 * @param {string} message
 * @returns {string}
 */
function withAuthHint(message) {
  if (/^hint: the remote refused/m.test(message)) return message;
  const hint = gitAuthHint(message, { token: pipelineWord('token', 'action'), hasToken: true });
  return hint ? `${message.replace(/\n$/, '')}\n${hint}` : message;
}

/**
 * The annotation's `file` (relative to the workspace; only for files that live there)
 * and a readable location for its title.
 * @param {string | undefined} file as the core named it, relative to the plan's directory
 * @param {import('./inputs.js').Settings | undefined} s
 * @returns {{file?: string, title?: string}}
 */
function annotationFile(file, s) {
  if (!file || !s) return {};
  if (s.repository) {
    const inRepo = path.posix.join(s.workingDirectory.split(path.sep).join('/'), file);
    return { title: `${s.repository.slug ?? 'the repository'}: ${inRepo}` };
  }
  const abs = path.resolve(s.workspace, s.workingDirectory, file);
  const rel = path.relative(s.workspace, abs).split(path.sep).join('/');
  return rel.startsWith('..') ? { title: file } : { file: rel, title: rel };
}
