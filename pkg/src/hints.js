/**
 * Hints in the words of the front end that shows them.
 *
 * The core names an option in a hint by its id, in a placeholder (`{+all}`, `{select=V}`;
 * see the core's `hint` module): the error carries the hint as written (`hintTemplate`) and
 * the ids it names (`options`); its `hint` and `message` have the command line's words. Each
 * front end words an option its own way — a CLI flag, an Action input (or a field of a
 * `set` entry), an orb parameter, a playground control — and this table is the one place
 * that says how. This module has no imports, so the playground loads it as it is.
 *
 * @module gitops-bump/hints
 */

/** The front ends that show hints. */
export const FRONT_ENDS = /** @type {const} */ (['cli', 'action', 'orb', 'playground']);

/**
 * @typedef {(value: string | undefined) => string} Words
 * @typedef {{name: Words, on: Words}} Wording how a front end names an option, and how it says to turn it on
 */

/**
 * A wording for an option that is a field of an edit (a CLI flag, a field of the Action's
 * `set` entries and of plan entries, an orb parameter).
 * @param {string} id
 * @returns {Record<'cli'|'action'|'orb', Wording>}
 */
function editField(id) {
  return {
    cli: { name: (v) => (v === undefined ? `--${id}` : `--${id} ${v}`), on: (v) => `pass ${v === undefined ? `--${id}` : `--${id} ${v}`}` },
    action: {
      name: (v) => (v === undefined ? `\`${id}\` (a field of the 'set' input's entries)` : `\`${id}: ${v}\` (in the 'set' input's entry)`),
      on: (v) => `set \`${id}: ${v ?? 'true'}\` in the 'set' input's entry`,
    },
    orb: {
      name: (v) => (v === undefined ? `the \`${id}\` parameter` : `the \`${id}\` parameter (${v})`),
      on: (v) => `set the \`${id}\` parameter to ${v ?? 'true'}`,
    },
  };
}

/**
 * Each option a hint can name (the core's `HINT_OPTIONS`), worded in each front end.
 * @type {Record<string, Record<typeof FRONT_ENDS[number], Wording>>}
 */
export const OPTION_WORDS = {
  all: {
    ...editField('all'),
    playground: { name: () => '“All matches”', on: () => 'tick “All matches”' },
  },
  create: {
    ...editField('create'),
    playground: { name: () => '“Create if missing”', on: () => 'tick “Create if missing”' },
  },
  select: {
    ...editField('select'),
    playground: {
      name: (v) => (v === undefined ? 'the Document selector' : `the Document selector (${v})`),
      on: (v) => (v === undefined ? 'fill in the Document selector' : `fill in the Document selector (${v})`),
    },
  },
  type: {
    ...editField('type'),
    playground: {
      name: (v) => (v === undefined ? 'the Type' : `Type “${v}”`),
      on: (v) => (v === undefined ? 'choose the Type' : `choose Type “${v}”`),
    },
  },
  force: {
    cli: { name: () => '--force', on: () => 'use --force' },
    action: { name: () => "'check-overlay: false'", on: () => "set the 'check-overlay' input to false" },
    orb: { name: () => '`check_overlay: false`', on: () => 'set the `check_overlay` parameter to false' },
    playground: { name: () => '“Skip the overlay check”', on: () => 'tick “Skip the overlay check”' },
  },
};

/**
 * The options the git and GitHub pipeline names in its messages, worded in each front end
 * that runs it (the playground does not). `token`'s value is the environment variable the
 * command line reads the token from.
 * @type {Record<string, Record<'cli'|'action'|'orb', Words>>}
 */
export const PIPELINE_WORDS = {
  branch: { cli: () => '--branch', action: () => "the 'branch' input", orb: () => 'the `branch` parameter' },
  base: { cli: () => '--base', action: () => "the 'pr-base' input", orb: () => 'the `pr_base` parameter' },
  retries: { cli: () => '--retries', action: () => "the 'retries' input", orb: () => 'the `retries` parameter' },
  author: { cli: () => '--author', action: () => "the 'author-name' and 'author-email' inputs", orb: () => 'the `author_name` and `author_email` parameters' },
  repo: { cli: (v) => (v ? `--repo ${v}` : '--repo'), action: () => "the 'repository' input", orb: () => 'the `repository` parameter' },
  'github-repo': { cli: (v) => (v ? `--github-repo ${v}` : '--github-repo'), action: () => "the 'repository' input", orb: () => 'the `repository` parameter' },
  'token-env': { cli: () => '--token-env', action: () => "the 'token' input", orb: () => 'the `token_env` parameter' },
  'pr-branch': { cli: () => '--pr-branch', action: () => "the 'pr-branch' input", orb: () => 'the `pr_branch` parameter' },
  'pr-overwrite': { cli: () => '--pr-overwrite', action: () => "the 'pr-overwrite' input", orb: () => 'the `pr_overwrite` parameter' },
  'api-url': { cli: () => '--api-url', action: () => "the 'api-url' input", orb: () => 'the `GITHUB_API_URL` environment variable' },
  pr: { cli: () => '--pr', action: () => "mode 'pull-request'", orb: () => 'the `mode` parameter pull_request' },
  'api-commit': { cli: () => '--api-commit', action: () => "mode 'api-commit'", orb: () => 'the `mode` parameter api_commit' },
  forge: { cli: () => '--forge', action: () => "the 'forge' input", orb: () => 'the `forge` parameter' },
  sign: { cli: () => '--sign', action: () => "the 'sign' input", orb: () => 'the `sign` parameter' },
  'signing-key-env': { cli: () => '--signing-key-env', action: () => "the 'signing-key' input", orb: () => 'the `signing_key_env` parameter' },
  token: { cli: (v) => `$${v}`, action: () => "the 'token' input", orb: (v) => `the variable the \`token_env\` parameter names ($${v})` },
  'fetch-remote-bases': { cli: () => '--fetch-remote-bases', action: () => "the 'fetch-remote-bases' input", orb: () => 'the `fetch_remote_bases` parameter' },
};

/**
 * How a front end says, in a log line, that a switch of its registry checks is what kept
 * or left out an image ("kept newer … (asked for 1.3.9; --no-downgrade)").
 * @type {Record<string, Record<'cli'|'action'|'orb', string>>}
 */
export const SETTING_WORDS = {
  'no-downgrade': { cli: '--no-downgrade', action: 'allow-downgrade is false', orb: 'allow_downgrade is false' },
  'skip-unresolved': { cli: '--skip-unresolved', action: 'skip-unresolved is true', orb: 'skip_unresolved is true' },
};

/**
 * A switch of the registry checks as `frontEnd` says it is on (the command line's words
 * for a front end that has none of its own).
 * @param {keyof typeof SETTING_WORDS} id
 * @param {string | undefined} frontEnd
 * @returns {string}
 */
export function settingWord(id, frontEnd) {
  const words = SETTING_WORDS[id];
  return words[/** @type {'cli'|'action'|'orb'} */ (frontEnd)] ?? words.cli;
}

/**
 * The phrase that turns a boolean pipeline option on, in `frontEnd`'s words: "pass
 * --fetch-remote-bases", "set the 'fetch-remote-bases' input to true".
 * @param {keyof typeof PIPELINE_WORDS} id
 * @param {string | undefined} frontEnd
 * @returns {string}
 */
export function turnOnWord(id, frontEnd) {
  const name = pipelineWord(id, frontEnd);
  return frontEnd === 'action' || frontEnd === 'orb' ? `set ${name} to true` : `pass ${name}`;
}

/**
 * The edit inputs a front end builds a plan from (see inputEntries in plan.js), worded in
 * each front end that has them.
 * @type {Record<string, Record<'cli'|'action'|'orb', string>>}
 */
export const INPUT_WORDS = {
  images: { cli: '--image', action: "the 'images' input", orb: '`images`' },
  targets: { cli: '--target', action: "the 'targets' input", orb: '`targets`' },
  file: { cli: '--file', action: '`file`', orb: '`file`' },
  path: { cli: '--path', action: '`path`', orb: '`path`' },
  value: { cli: '--value', action: '`value`', orb: '`value`' },
  plan: { cli: 'a PLAN file', action: "the 'plan' input", orb: '`plan`' },
};

/**
 * How `frontEnd` names an edit input (the command line's words for a front end that has
 * none of its own).
 * @param {keyof typeof INPUT_WORDS} id
 * @param {string | undefined} frontEnd
 * @returns {string}
 */
export function inputWord(id, frontEnd) {
  const words = INPUT_WORDS[id];
  return words[/** @type {'cli'|'action'|'orb'} */ (frontEnd)] ?? words.cli;
}

/**
 * How `frontEnd` names a pipeline option (the command line's words for a front end that has
 * none of its own).
 * @param {keyof typeof PIPELINE_WORDS} id
 * @param {string | undefined} frontEnd
 * @param {string} [value]
 * @returns {string}
 */
export function pipelineWord(id, frontEnd, value) {
  const words = PIPELINE_WORDS[id];
  return (words[/** @type {'cli'|'action'|'orb'} */ (frontEnd)] ?? words.cli)(value);
}

/**
 * A message of a pipeline module that spells options as flags (`--sign`, `--forge`), in
 * `frontEnd`'s words, from the same table. Modules that know the front end word an option
 * with {@link pipelineWord} as they write the message; this serves the ones that do not
 * yet.
 * @param {string} message
 * @param {'cli'|'action'|'orb'} frontEnd
 * @returns {string}
 */
export function wordFlags(message, frontEnd) {
  if (frontEnd === 'cli') return message;
  const ids = Object.keys(PIPELINE_WORDS).filter((id) => id !== 'token').sort((a, b) => b.length - a.length);
  return message.replace(new RegExp(`(?<![\\w-])--(${ids.join('|')})(?![\\w-])`, 'g'), (_, id) => pipelineWord(id, frontEnd));
}

/** A placeholder: `{id}`, `{id=value}`, `{+id}`, `{+id=value}` for a known id. */
const PLACEHOLDER = /\{(\+?)([a-z-]+)(?:=([^}]*))?\}/g;

/**
 * A hint template in `frontEnd`'s words. Text that is not a placeholder of a known option
 * stays as it is.
 * @param {string} template
 * @param {typeof FRONT_ENDS[number]} frontEnd
 * @returns {string}
 */
export function renderHint(template, frontEnd) {
  const text = template.replace(PLACEHOLDER, (whole, on, id, value) => {
    const words = Object.hasOwn(OPTION_WORDS, id) ? OPTION_WORDS[id][frontEnd] : undefined;
    if (!words) return whole;
    return on ? words.on(value) : words.name(value);
  });
  return frontEnd === 'cli' ? text : COMMAND_WORDS.reduce((t, c) => t.replace(c.command, (_, ...m) => c[frontEnd](...m)), text);
}

/**
 * The command lines of the CLI a core hint may suggest (`gitops-bump set FILE PATH VALUE`,
 * `gitops-bump image DIR SPEC --scan`), in the words of the front ends that take the same
 * edit otherwise: the Action's inputs, the orb's parameters, the playground's controls.
 * @type {{command: RegExp} & Record<'action'|'orb'|'playground', (...m: string[]) => string>[]}
 */
const COMMAND_WORDS = [
  {
    command: /gitops-bump set ([^\s)]+) ([^\s)]+) ([^\s)]+)/g,
    action: (file, p, value) => `an entry \`{file: ${file}, path: ${p}, value: ${value}}\` in the 'set' input`,
    orb: (file, p, value) => `the \`file\`, \`path\` and \`value\` parameters: ${file}, ${p}, ${value}`,
    playground: (file, p) => `Mode “set” on ${file}, Key path ${p}`,
  },
  {
    command: /gitops-bump image ([^\s)]+) ([^\s)]+) --scan/g,
    action: (dir) => `the 'scan' input set to true, with ${dir} in the 'targets' input`,
    orb: (dir) => `the \`scan\` parameter set to true, with ${dir} in \`targets\``,
    playground: (dir, spec) => `the command line's scan: gitops-bump image ${dir} ${spec} --scan`,
  },
];

/**
 * The ids of the options a hint template names, each once.
 * @param {string} template
 * @returns {string[]}
 */
export function hintOptions(template) {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[2]).filter((id) => Object.hasOwn(OPTION_WORDS, id)))];
}

/**
 * An error's hint in `frontEnd`'s words (null without a hint).
 * @param {{hint?: string | null, hintTemplate?: string | null}} error
 * @param {typeof FRONT_ENDS[number]} frontEnd
 * @returns {string | null}
 */
export function hintIn(error, frontEnd) {
  const template = error.hintTemplate ?? error.hint;
  return template ? renderHint(template, frontEnd) : null;
}

/**
 * An error's message with its `= help:` line in `frontEnd`'s words. The core writes the
 * hint last, in the command line's words; only that line changes.
 * @param {{message: string, hint?: string | null, hintTemplate?: string | null}} error
 * @param {typeof FRONT_ENDS[number]} frontEnd
 * @returns {string}
 */
export function messageIn(error, frontEnd) {
  const { message, hint } = error;
  const words = hintIn(error, frontEnd);
  if (!hint || words === null || words === hint) return message;
  const line = `= help: ${hint}`;
  const at = message.lastIndexOf(line);
  return at === -1 ? message : `${message.slice(0, at)}= help: ${words}${message.slice(at + line.length)}`;
}
