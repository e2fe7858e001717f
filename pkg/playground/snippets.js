// "Use it in a pipeline": what is on screen as a CLI command, GitHub Actions steps and a
// CircleCI workflow. All three do the same thing: make the edit in a checkout of the config
// repository, commit it and push it to the branch that is checked out (with the retries
// that re-apply the edit when another pipeline pushed first). The names are the shared ones
// of the Action (action/action.yml inputs) and the orb (its job and parameters); the tests
// check them against those files and run each snippet. Only what differs from a default
// is written.

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

/**
 * The `gitops-bump` command line, run from the repository root of a checkout: it edits,
 * commits and pushes (`--push`), as the Action and the orb do. Reading (`get`) stays a read.
 */
export function cliSnippet(s) {
  const words = ['gitops-bump', s.mode, s.file];
  if (s.mode === 'image') {
    words.push(s.spec);
    const cmd = words.map(shellWord);
    if (s.force) cmd.push('--force');
    cmd.push('--push');
    return cmd.join(' ');
  }
  words.push(s.path);
  if (s.mode === 'set') words.push(s.value);
  const cmd = words.map(shellWord);
  if (s.mode === 'set' && s.type !== 'auto') cmd.push('--type', shellWord(s.type));
  if (s.mode === 'set' && s.create) cmd.push('--create');
  if (s.select.trim()) cmd.push('--select', shellWord(s.select.trim()));
  if (s.all) cmd.push('--all');
  if (s.mode === 'set') cmd.push('--push');
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

/**
 * GitHub Actions steps (a checkout of the config repository, then the Action in its
 * default mode, push), or null in get mode (reading is no pipeline step).
 */
export function actionSnippet(s) {
  const lines = ['- uses: actions/checkout@v4', '- name: Bump with gitops-bump', `  uses: ${ACTION_USES}`, '  with:'];
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

/**
 * A CircleCI config running the orb's `bump` job (checkout, install, git credentials, the
 * edit, commit and push, on the orb's own executor), or null in get mode.
 */
export function orbSnippet(s) {
  const lines = ['version: 2.1', 'orbs:', `  gitops-bump: ${ORB}`, 'workflows:', '  bump:', '    jobs:', '      - gitops-bump/bump:',
    '          context: gitops # holds GITHUB_TOKEN, allowed to push to this repository'];
  if (s.mode === 'image') {
    lines.push(`          images: ${yamlString(s.spec)}`, `          targets: ${yamlString(s.file)}`);
    if (s.force) lines.push('          check_overlay: false');
  } else if (s.mode === 'set') {
    for (const [k, v] of setFields(s)) lines.push(`          ${k}: ${v}`);
  } else {
    return null;
  }
  return lines.join('\n');
}
