/**
 * What the Action tells the workflow after the pipeline ran: the step outputs and the
 * job summary (a table of changes, the commit or pull request, the diff).
 *
 * @module gitops-bump-action/report
 */
import { unifiedDiff } from '../../pkg/src/diff.js';
import { uncheckedNotes } from '../../pkg/src/unchecked.js';
import { changeText, typeChanged } from '../../pkg/src/summary.js';
import { imagesOutput } from './registry.js';

/** Longest diff put into the `diff` output and the summary (the runner caps both near 1 MiB). */
export const MAX_DIFF = 256 * 1024;

/**
 * @typedef {object} Outcome
 * @property {Array<{file: string, before: string, after: string, changes: Array<{path: string, line: number, column: number, old?: string|null, new?: string|null, kind: string, oldType?: string|null, newType?: string|null}>}>} changed
 * @property {string|null} commit
 * @property {boolean} pushed
 * @property {number} attempts
 * @property {{number: number, url: string, operation?: string, updated?: boolean, created?: boolean} | null} pullRequest
 * @property {{number: number|null, url: string|null, operation: string} | null} [pr]
 * @property {string[]} [warnings] conditions that did not fail the run
 * @property {Array<{spec: string, file: string, what: string, reason: string}>} [unchecked] image edits the overlay check could not decide
 * @property {string|null} branch
 */

/**
 * The outputs, as the strings the runner stores.
 * @param {Outcome} result
 * @param {{preview: boolean}} settings
 * @param {{status?: object, images?: import('../../pkg/src/registry/verify.js').ImageReport[]}} [seen] what the run read
 *   besides its edits (the status table, the images resolved in their registries)
 * @returns {Record<string, string>}
 */
export function outputs(result, { preview }, seen = {}) {
  const changed = result.changed ?? [];
  const pr = pullRequestOf(result);
  return {
    changed: String(changed.length > 0),
    'changed-files': JSON.stringify(changed.map((c) => c.file)),
    changes: JSON.stringify(changeRows(result)),
    'commit-sha': preview ? '' : (result.commit ?? ''),
    'pr-number': pr?.number != null ? String(pr.number) : '',
    'pr-url': pr?.url ?? '',
    'pr-operation': pr?.operation ?? 'none',
    'pr-branch': pr ? (result.branch ?? '') : '',
    'pr-head-sha': pr && !preview ? (result.commit ?? '') : '',
    diff: truncate(diffOf(result)),
    status: seen.status ? JSON.stringify(seen.status) : '',
    images: imagesOutput(seen.images ?? []),
  };
}

/**
 * The pull request the run touched, as `{number, url, operation}`, or null.
 * @param {Outcome} result
 * @returns {{number: number|null, url: string|null, operation: string} | null}
 */
function pullRequestOf(result) {
  if (result.pr) return result.pr;
  const pr = result.pullRequest;
  return pr ? { number: pr.number, url: pr.url, operation: pr.operation ?? (pr.updated ? 'updated' : 'created') } : null;
}

/**
 * @typedef {object} ChangeRow
 * @property {string} file relative to `working-directory`
 * @property {string} path the concrete key path
 * @property {number} line 1-based, of the new value in the new text
 * @property {number} column 1-based, of the new value in the new text
 * @property {string|null} old
 * @property {string|null} new
 * @property {string|null} oldType `string`, `int`, `float`, `bool`, `null`, `map` or `seq`
 * @property {string|null} newType
 * @property {boolean} typeChanged the value's type changed (`int` to `string`): allowed,
 *   and always shown (a warning annotation, the summary, the log)
 * @property {string[]} aliases the paths of aliases (`*name`) that read the anchored value
 *   this change set, and so change with it (a warning annotation, the summary, the log)
 */

/**
 * One row per value that changed.
 * @param {Outcome} result
 * @returns {ChangeRow[]}
 */
export function changeRows(result) {
  return (result.changed ?? []).flatMap((c) =>
    c.changes
      .filter((ch) => ch.kind !== 'unchanged')
      .map((ch) => ({
        file: c.file,
        path: ch.path,
        line: ch.line,
        column: ch.column,
        old: ch.old ?? null,
        new: ch.new ?? null,
        oldType: ch.oldType ?? null,
        newType: ch.newType ?? null,
        typeChanged: typeChanged(ch),
        aliases: ch.aliases ?? [],
      })),
  );
}

/**
 * The unified diff of every changed file.
 * @param {Outcome} result
 * @returns {string}
 */
export function diffOf(result) {
  // named as git names them: from the repository's root where the pipeline knows it
  const name = (/** @type {{file: string, repoFile?: string}} */ c) => c.repoFile ?? c.file;
  return (result.changed ?? []).map((c) => unifiedDiff(c.before, c.after, { fromFile: `a/${name(c)}`, toFile: `b/${name(c)}` })).join('');
}

/**
 * @param {string} text
 * @returns {string}
 */
function truncate(text) {
  return text.length <= MAX_DIFF ? text : `${text.slice(0, MAX_DIFF)}\n… (diff truncated at ${MAX_DIFF} characters)\n`;
}

/**
 * A Markdown code span holding `text` exactly (longer fences when it holds backticks),
 * with `|` escaped so it can sit in a table cell.
 * @param {string | null | undefined} text
 * @returns {string}
 */
export function code(text) {
  if (text === null || text === undefined) return '—';
  const value = String(text).replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(value.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  const pad = value.startsWith('`') || value.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${value}${pad}${fence}`;
}

/**
 * The job summary in Markdown.
 * @param {Outcome} result
 * @param {{mode: string, preview: boolean, repository: {slug: string|null, url: string} | null, serverUrl: string}} settings
 * @returns {string}
 */
export function summary(result, settings) {
  const rows = changeRows(result);
  const where = settings.repository ? ` in ${settings.repository.slug ?? settings.repository.url.replace(/^[a-z]+:\/\/[^/]*@/i, '')}` : '';
  const out = [`### gitops-bump (${settings.mode})${where}`, ''];
  out.push(...uncheckedSection(result));
  if (!rows.length) {
    out.push(settings.preview ? 'Nothing would change: every value is already up to date.' : 'Nothing changed: every value is already up to date.', '');
    return `${out.join('\n')}\n`;
  }
  out.push('| file | path | old → new |', '|---|---|---|');
  // the change line of the CLI, the log and the orb (pkg/src/summary.js), in Markdown
  for (const r of rows) out.push(`| ${code(`${r.file}:${r.line}:${r.column}`)} | ${code(r.path)} | ${changeText(r, { code })} |`);
  out.push('');
  const retyped = rows.filter((r) => r.typeChanged).length;
  if (retyped) out.push(`> **Note:** ${retyped === 1 ? 'one value changed its type' : `${retyped} values changed their type`} (shown in bold above); give \`type\` in \`set\` to write a value as another type.`, '');
  out.push(outcomeLine(result, settings), '');
  for (const w of result.warnings ?? []) out.push(`> **Warning:** ${w.replace(/\n/g, ' ')}`, '');
  const diff = truncate(diffOf(result));
  const fence = '`'.repeat(Math.max(3, ...(diff.match(/`{3,}/g) ?? []).map((m) => m.length + 1)));
  out.push('<details><summary>Diff</summary>', '', `${fence}diff`, diff.replace(/\n$/, ''), fence, '', '</details>', '');
  return `${out.join('\n')}\n`;
}

/**
 * The summary's rows for image edits the overlay check could not decide: one row per
 * part it did not follow, under a warning (empty when everything was checked).
 * @param {Outcome} result
 * @returns {string[]}
 */
function uncheckedSection(result) {
  const notes = uncheckedNotes(result.unchecked ?? []);
  if (!notes.length) return [];
  const out = ['> [!WARNING]', '> The overlay check could not see where these images are rendered: a misspelt name would go unnoticed.', '', '| image (not checked) | not followed | why |', '|---|---|---|'];
  for (const u of result.unchecked ?? []) out.push(`| ${code(u.spec)} | ${code(u.what)} in ${code(u.file)} | ${u.reason.replace(/\|/g, '\\|')} |`);
  out.push('');
  return out;
}

/**
 * The sentence that says where the change went.
 * @param {Outcome} result
 * @param {{preview: boolean, repository: {slug: string|null} | null, serverUrl: string}} settings
 * @returns {string}
 */
function outcomeLine(result, { preview, repository, serverUrl }) {
  if (preview) return 'Dry run: nothing was written, committed or pushed.';
  const pr = pullRequestOf(result);
  if (pr?.number != null) {
    const what = { created: 'created', updated: 'updated', none: 'already up to date', closed: 'closed: the base already holds these values' }[pr.operation] ?? pr.operation;
    return `Pull request [#${pr.number}](${pr.url}) ${what} from \`${result.branch}\`.`;
  }
  if (!result.commit) return 'Nothing was committed.';
  const short = result.commit.slice(0, 12);
  const link = repository?.slug && /^https?:/.test(serverUrl) ? `[\`${short}\`](${serverUrl.replace(/\/+$/, '')}/${repository.slug}/commit/${result.commit})` : `\`${short}\``;
  const tries = result.attempts > 1 ? ` after ${result.attempts} attempts (the branch moved; the edit was re-applied on its new head)` : '';
  return `Commit ${link} ${result.pushed ? 'pushed to' : 'made on'} \`${result.branch ?? 'HEAD'}\`${tries}.`;
}

/**
 * The job summary of a failed run: what failed, with the message as printed.
 * @param {string} mode the mode input as given
 * @param {string} title the annotation's title
 * @param {string} message
 * @returns {string}
 */
export function failureSummary(mode, title, message) {
  const fence = '`'.repeat(Math.max(3, ...(message.match(/`{3,}/g) ?? []).map((m) => m.length + 1)));
  return `### gitops-bump (${mode}) failed\n\n${title}: nothing was committed or pushed.\n\n${fence}text\n${message.replace(/\n$/, '')}\n${fence}\n`;
}
