/**
 * How an edit's outcome is told. One change line (`image.tag: 1.9 -> 1.10`, with the type
 * change and the aliases an anchored value changes) for the CLI's output, the Action's log
 * and step summary, and the orb; and the orb's summary block, which the CLI prints when the
 * orb runs it (GITOPS_BUMP_FRONT_END=orb), from the same report `--json` prints.
 *
 * @module gitops-bump/summary
 */

/**
 * @typedef {object} ChangeLike one change as the core reports it (or a row of the Action's `changes` output)
 * @property {string} path
 * @property {string} [kind] `set`, `insert`, `remove` (without it: from which side is null)
 * @property {string|null} [old]
 * @property {string|null} [new]
 * @property {string|null} [oldType]
 * @property {string|null} [newType]
 * @property {string[]} [aliases] paths of aliases that read the anchored value, and so change with it
 */

/**
 * A value in a plain line: an empty string (a cleared digest) shows as `""` rather than as
 * nothing, a block value as `(block)`.
 * @param {string|null|undefined} v
 * @returns {string}
 */
function plain(v) {
  if (v === undefined || v === null) return '';
  const s = String(v);
  return s === '' ? '""' : s.includes('\n') ? '(block)' : s;
}

/**
 * Whether a change turned a value of one type into another (`int -> string`).
 * @param {{oldType?: string|null, newType?: string|null}} ch
 * @returns {boolean}
 */
export function typeChanged(ch) {
  return Boolean(ch.oldType && ch.newType && ch.oldType !== ch.newType);
}

/**
 * A change without its path: `1.9 -> 1.10`, `1 -> three (int -> string)`, `added 3`,
 * `removed`, each followed by ` (also changes a, b, through an alias)` when aliases read
 * the value. With `code` (a Markdown code-span maker), the Markdown form: values and alias
 * paths as code, `→`, the type change in bold.
 * @param {ChangeLike} ch
 * @param {{code?: (text: string|null) => string}} [style]
 * @returns {string}
 */
export function changeText(ch, { code } = {}) {
  const value = code ?? plain;
  const arrow = code ? '→' : '->';
  const kind = ch.kind ?? (ch.old == null ? 'insert' : ch.new == null ? 'remove' : 'set');
  // an anchored value changes wherever an alias reads it: say where
  const aliases = ch.aliases?.length ? ` (also changes ${ch.aliases.map((a) => (code ? code(a) : a)).join(', ')}, through an alias)` : '';
  if (kind === 'insert') return `added ${value(ch.new ?? null)}${aliases}`;
  if (kind === 'remove') return `removed${aliases}`;
  const typed = typeChanged(ch) ? (code ? ` **(${ch.oldType} → ${ch.newType})**` : ` (${ch.oldType} -> ${ch.newType})`) : '';
  return `${value(ch.old ?? null)} ${arrow} ${value(ch.new ?? null)}${typed}${aliases}`;
}

/**
 * The change line: `image.tag: 1.9 -> 1.10`.
 * @param {ChangeLike} ch
 * @returns {string}
 */
export function changeLine(ch) {
  return `${ch.path}: ${changeText(ch)}`;
}

/**
 * The report `--json` prints (and `--report` writes) for an editing command.
 * @typedef {object} EditReport
 * @property {Array<{file: string, changes: Array<ChangeLike & {line: number, column: number}>, diff?: string}>} [changed]
 * @property {string[]} [unchanged]
 * @property {Array<{spec: string, file: string, what: string, reason: string}>} [unchecked]
 * @property {string|null} [commit]
 * @property {boolean} [pushed]
 * @property {number} [attempts]
 * @property {{number: number|null, url: string|null, operation?: string, branch?: string|null, headSha?: string|null}|null} [pr]
 * @property {{message?: string, file?: string, line?: number, column?: number}} [error]
 */

/**
 * The orb's summary block for a report: what changed, what was already up to date, what
 * the overlay check could not follow, the commit and the pull request; for `check`, drift
 * or not; for the previews, the diffs.
 * @param {EditReport} report
 * @param {{mode: string, where: string, exitCode: number, failIfUnchanged?: boolean}} how `mode` in the orb's spelling
 * @returns {string}
 */
export function orbSummary(report, { mode, where, exitCode, failIfUnchanged = false }) {
  const rule = '-'.repeat(72);
  const out = [rule, `gitops-bump · ${mode.replace('_', ' ')} · ${where}`, rule];
  if (report.error) {
    out.push(`FAILED (exit ${exitCode}): ${String(report.error.message ?? '').split('\n')[0]}`);
    if (report.error.file) out.push(`  at ${report.error.file}:${report.error.line ?? '?'}:${report.error.column ?? '?'}`);
    out.push(rule);
    return `${out.join('\n')}\n`;
  }
  const changed = report.changed ?? [];
  for (const c of changed) {
    out.push(`changed   ${c.file}`);
    for (const ch of c.changes ?? []) {
      if (ch.kind !== 'unchanged') out.push(`            ${changeLine(ch)}   (line ${ch.line}, column ${ch.column})`);
    }
  }
  for (const f of report.unchanged ?? []) out.push(`unchanged ${f} (already up to date)`);
  if (changed.length === 0 && (report.unchanged ?? []).length === 0) out.push('nothing to change');
  // never silent: an image the overlay check could not look for is said, with why
  const unchecked = report.unchecked ?? [];
  for (const spec of new Set(unchecked.map((u) => u.spec))) {
    out.push(`WARNING   image ${spec} was set but not checked: the overlay check could not see where it would be rendered`);
    for (const u of unchecked.filter((x) => x.spec === spec)) out.push(`            not followed: ${u.what} in ${u.file}: ${u.reason}`);
  }
  if (report.commit) {
    const attempts = (report.attempts ?? 0) > 1 ? ` after ${report.attempts} attempts` : '';
    out.push(`commit    ${report.commit}${report.pushed ? ` pushed${attempts}` : ''}`);
  }
  // the Action's pr-operation, pr-branch and pr-head-sha outputs, in words
  const pr = report.pr;
  if (pr?.number) out.push(`pull request #${pr.number} ${{ created: 'opened', updated: 'updated', closed: 'closed (the base already holds the values)' }[pr.operation ?? ''] ?? 'unchanged'}: ${pr.url}`);
  else if (pr) out.push('no pull request needed');
  if (pr?.headSha) out.push(`branch    ${pr.branch} at ${pr.headSha}`);
  if (mode === 'check') out.push(changed.length > 0 ? 'DRIFT: the config repository differs from what this pipeline would set' : 'no drift: the config repository is up to date');
  if (mode === 'dry_run' || mode === 'check') {
    for (const c of changed) if (c.diff) out.push('', c.diff.replace(/\n$/, ''));
  }
  if (failIfUnchanged && changed.length === 0) out.push('FAILED: nothing had to change and fail_if_unchanged is set');
  out.push(rule);
  return `${out.join('\n')}\n`;
}
