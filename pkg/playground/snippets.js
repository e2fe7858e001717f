// "Use it in a pipeline": what is on screen as a CLI command, a GitHub Action step and a
// CircleCI orb step. The names are the shared ones of the Action (action/action.yml
// inputs) and the orb (its commands and parameters); the tests check them against those
// files. Only what differs from a default is written.

export const VERSION = '0.1.0';
export const ACTION_USES = `gitops-bump/gitops-bump/action@v${VERSION}`;
export const ORB = `gitops-bump/gitops-bump@${VERSION}`;

/** A shell word: bare when it is plainly safe, else single-quoted. */
export function shellWord(text) {
  const s = String(text);
  if (/^[A-Za-z0-9_./:@%+,=-]+$/.test(s) && !s.startsWith('-')) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A YAML scalar: always double-quoted (so `1.10` or `yes` stays a string), JSON escapes. */
function yamlString(text) {
  return JSON.stringify(String(text));
}

/**
 * The state the snippets are made from.
 * @typedef {object} SnippetState
 * @property {'get'|'set'|'image'} mode
 * @property {string} file the open file, a path relative to the repository root
 * @property {string} path
 * @property {string} value
 * @property {string} type
 * @property {boolean} create
 * @property {string} select
 * @property {boolean} all
 * @property {string} spec
 * @property {boolean} force skip the overlay check
 */

/** The `gitops-bump` command line, run from the repository root. */
export function cliSnippet(s) {
  const words = ['gitops-bump', s.mode, s.file];
  if (s.mode === 'image') {
    words.push(s.spec);
    const cmd = words.map(shellWord);
    if (s.force) cmd.push('--force');
    return cmd.join(' ');
  }
  words.push(s.path);
  if (s.mode === 'set') words.push(s.value);
  const cmd = words.map(shellWord);
  if (s.mode === 'set' && s.type !== 'auto') cmd.push('--type', shellWord(s.type));
  if (s.mode === 'set' && s.create) cmd.push('--create');
  if (s.select.trim()) cmd.push('--select', shellWord(s.select.trim()));
  if (s.all) cmd.push('--all');
  return cmd.join(' ');
}

/** One `set` list item (Action `set` input, orb `set_value` parameters): name → YAML text. */
function setFields(s) {
  const fields = [['file', yamlString(s.file)], ['path', yamlString(s.path)], ['value', yamlString(s.value)]];
  if (s.type !== 'auto') fields.push(['type', s.type]);
  if (s.create) fields.push(['create', 'true']);
  if (s.select.trim()) fields.push(['select', yamlString(s.select.trim())]);
  if (s.all) fields.push(['all', 'true']);
  return fields;
}

/** A GitHub Actions step, or null in get mode (reading is no pipeline step). */
export function actionSnippet(s) {
  const lines = ['- name: Bump with gitops-bump', `  uses: ${ACTION_USES}`, '  with:'];
  if (s.mode === 'image') {
    lines.push(`    images: ${yamlString(s.spec)}`, `    targets: ${yamlString(s.file)}`);
    if (s.force) lines.push('    check-overlay: false');
  } else if (s.mode === 'set') {
    lines.push('    set: |');
    setFields(s).forEach(([k, v], i) => lines.push(`      ${i === 0 ? '- ' : '  '}${k}: ${v}`));
  } else {
    return null;
  }
  return lines.join('\n');
}

/** A CircleCI job's steps using the orb, or null in get mode. */
export function orbSnippet(s) {
  const lines = ['orbs:', `  gitops-bump: ${ORB}`, '', '# in a job:', 'steps:', '  - checkout', '  - gitops-bump/install'];
  if (s.mode === 'image') {
    lines.push('  - gitops-bump/set_image:', `      images: ${yamlString(s.spec)}`, `      targets: ${yamlString(s.file)}`);
    if (s.force) lines.push('      check_overlay: false');
  } else if (s.mode === 'set') {
    lines.push('  - gitops-bump/set_value:');
    for (const [k, v] of setFields(s)) lines.push(`      ${k}: ${v}`);
  } else {
    return null;
  }
  return lines.join('\n');
}
