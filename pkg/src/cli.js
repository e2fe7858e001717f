/**
 * The `gitops-bump` command line. Each editing command becomes a plan (see plan.js);
 * without git flags the plan is applied to the files below the current directory, with
 * them it is handed to `runPipeline` (pipeline.js), the same function the Action calls.
 *
 * Exit codes: 0 success (changed or unchanged) · 1 edit error, or with `--check` "a
 * change would be made" · 2 usage error · 3 git or API failure.
 *
 * @module gitops-bump/cli
 */
import { parseArgs } from 'node:util';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative as relativePath, resolve as resolvePath } from 'node:path';
import { GitopsBumpError, usageError } from './errors.js';
import { loadPlan, parsePlan, validatePlan } from './plan.js';
import { DEFAULT_MAX_FILE_SIZE, decodeUtf8, readText } from './files.js';
import { installSignalCleanup } from './cleanup.js';
import * as core from './core.js';
import { didYouMean } from './suggest.js';
import { overlayRoot } from './root.js';
import { CHOICES, COMMANDS, EXIT, EXIT_HELP, PLAN_FLAGS, mainHelp, packageVersion } from './commands.js';
import { hintIn, messageIn, wordFlags } from './hints.js';
import { downgradeGuard, promotionGuard, registryExitCode, registryStep } from './registry/cli.js';
import { applyModeOption, frontEndOf, gitOptions, orbBlock, runEdit, writeReport } from './run-edit.js';
import { orbSummary } from './summary.js';

/** Exit codes, as documented in docs/contract.md and `gitops-bump --help`. */
export { EXIT, gitOptions };

/** The flags that make `apply`'s plan instead of a plan file. */
const PLAN_FLAG_NAMES = Object.keys(PLAN_FLAGS);

/**
 * @typedef {object} Io
 * @property {{write(s: string): unknown}} stdout
 * @property {{write(s: string): unknown}} stderr
 * @property {string} cwd
 * @property {NodeJS.ProcessEnv} env
 * @property {() => Promise<string | Buffer>} readStdin bytes are decoded strictly
 */

/**
 * The index of the first argument that was not valid UTF-8, or null. Node decodes argv
 * with U+FFFD for bytes that are not UTF-8; where the raw bytes can be read
 * (/proc/self/cmdline) they decide, so a real U+FFFD typed in an argument still passes.
 * @param {string[]} argv
 * @returns {number | null}
 */
function notUtf8(argv) {
  const suspect = argv.findIndex((a) => a.includes('\uFFFD'));
  if (suspect < 0) return null;
  let raw;
  try {
    raw = readFileSync('/proc/self/cmdline');
  } catch {
    return suspect; // no raw bytes to ask: a U+FFFD is taken for a replaced byte
  }
  const strict = new TextDecoder('utf-8', { fatal: true });
  let start = 0;
  for (let i = 0; i <= raw.length; i++) {
    if (i < raw.length && raw[i] !== 0) continue;
    try {
      strict.decode(raw.subarray(start, i));
    } catch {
      return suspect;
    }
    start = i + 1;
  }
  return null;
}

/**
 * Runs the CLI. Never throws and never exits the process: returns the exit code.
 * @param {string[]} argv arguments after the program name
 * @param {Partial<Io>} [io] streams, cwd and env (default: the process's)
 * @returns {Promise<number>}
 */
export async function main(argv, io = {}) {
  const out = io.stdout ?? process.stdout;
  const err = io.stderr ?? process.stderr;
  const cwd = io.cwd ?? process.cwd();
  const env = io.env ?? process.env;
  const readStdin = io.readStdin ?? (() => readAll(process.stdin));

  const garbled = notUtf8(argv);
  if (garbled !== null) {
    err.write(`error[usage]: argument ${garbled + 1} (\`${argv[garbled]}\`) is not valid UTF-8: the bytes that are not were replaced by U+FFFD, so it cannot name a file, path or value exactly\n  = help: pass every argument in UTF-8\n`);
    return EXIT.USAGE;
  }
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? err : out).write(`${mainHelp()}\n`);
    return name === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (name === '--version' || name === '-V') {
    out.write(`gitops-bump ${packageVersion()}\n`);
    return EXIT.OK;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    const guess = name.startsWith('-') ? didYouMean(name, ['--help', '--version']) : didYouMean(name, Object.keys(COMMANDS));
    err.write(`error[usage]: unknown ${name.startsWith('-') ? 'option' : 'command'} \`${name}\`\n${guess ? `  = help: ${guess}\n` : ''}  = help: commands are ${Object.keys(COMMANDS).join(', ')}; see gitops-bump --help\n`);
    return EXIT.USAGE;
  }
  const beforeDashes = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (beforeDashes.includes('--help') || beforeDashes.includes('-h')) {
    out.write(`Usage: ${command.usage}\n\n${command.help}\n\n${command.exits ?? EXIT_HELP}\n`);
    return EXIT.OK;
  }

  let json = false;
  const frontEnd = frontEndOf(env);
  /** @type {{report?: string, orb: ReturnType<typeof orbBlock>}} */
  const told = { orb: null };
  try {
    const { values, positionals } = parseCommand(name, command, rest);
    json = Boolean(values.json);
    if (Object.hasOwn(command.options, 'mode')) {
      told.report = values.report;
      applyModeOption(values, frontEnd);
      told.orb = orbBlock(values, cwd, frontEnd);
    }
    const maxFileSize = parseSize(values['max-file-size']);
    if (name === 'get') return runGet(values, positionals, { out, err, cwd, maxFileSize });
    if (name === 'playground') return await runPlayground(values, { out, err });
    if (name === 'completion') return await runCompletion(positionals[0], { out });
    if (name === 'status') return await runStatus(values, positionals, { out, cwd });
    // promote with --pr: the title names the promotion (the body is its table: runPipeline)
    if (name === 'promote' && values.pr && values.title === undefined) values.title = `Promote ${positionals[0]} to ${positionals[1]}`;
    if (!io.cwd) installSignalCleanup(); // a real process: an interrupted run leaves nothing behind
    // apply reads a plan file, or makes the plan of its flags (named as on a command line)
    const planFile = name === 'apply' ? positionals[0] : undefined;
    if (planFile !== undefined && PLAN_FLAG_NAMES.some((k) => values[k] !== undefined)) {
      throw usageError(`give either a plan file (${planFile}) or the flags that make a plan (${PLAN_FLAG_NAMES.filter((k) => values[k] !== undefined).map((k) => `--${k}`).join(', ')}), not both`);
    }
    const given = planFile !== undefined ? await readPlan(planFile, cwd, readStdin, maxFileSize) : { edits: /** @type {any} */ (command.plan)(values, positionals, frontEnd) };
    const entries = validatePlan(given); // a bad plan is a usage error before anything is touched
    // every image resolved in its registry (when asked) before anything is written
    const registry = Object.hasOwn(command.options, 'verify') ? await registryStep(given, entries, values, { env, err }) : { plan: given, images: null };
    const plan = registry.plan;
    const guard = name === 'promote' ? promotionGuard(values, positionals, { env, err }) : Object.hasOwn(command.options, 'no-downgrade') ? await downgradeGuard(entries, values, { env, err }) : null;
    // files named on the command line are edited where they resolve; a plan's files must
    // resolve under the plan's directory (with git flags: inside the repository)
    const planDir = positionals[0] === '-' ? cwd : dirname(resolvePath(cwd, positionals[0] ?? '.'));
    const root = planFile !== undefined && !values['allow-outside-plan-dir'] ? planDir : null;
    if (planFile === undefined) symlinksStayInside(entries, cwd);
    return await runEdit(plan, values, { out, err, cwd, env, images: registry.images, guard }, { root, maxFileSize });
  } catch (error) {
    return reportError(error, { err, out, json, frontEnd, cwd, ...told });
  }
}

/**
 * A file named on the command line is edited where it resolves, wherever the user named it
 * (`../other/values.yaml`, an absolute path); but a name inside the root (the git checkout
 * holding the working directory, else the working directory) that a symlink leads out of
 * it is refused: the link, not the user, chose that file.
 * @param {import('./plan.js').Entry[]} entries
 * @param {string} cwd
 */
function symlinksStayInside(entries, cwd) {
  const real = (/** @type {string} */ p) => {
    try {
      return realpathSync(p);
    } catch {
      return null; // missing: the edit reports it
    }
  };
  const inside = (/** @type {string} */ p, /** @type {string} */ root) => {
    const rel = relativePath(root, p);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  };
  const top = overlayRoot(cwd);
  const root = existsSync(resolvePath(top, '.git')) ? top : cwd;
  const here = real(root) ?? root;
  for (const e of entries) {
    const named = /** @type {any} */ (e).file ?? /** @type {any} */ (e).dir;
    if (typeof named !== 'string') continue;
    const abs = resolvePath(cwd, named);
    const to = real(abs);
    if (to !== null && inside(abs, root) && !inside(to, here)) {
      throw new GitopsBumpError(`${named}: is outside ${here} (a symlink leads to ${to}); refusing to read or write it\n  = help: a symlink may not lead out of ${root === cwd ? 'the working directory' : 'the repository'}; name the file it points to, if that is the one to edit`, {
        kind: 'outside-root',
        file: named,
        found: to,
        hint: `a symlink may not lead out of ${root === cwd ? 'the working directory' : 'the repository'}; name the file it points to, if that is the one to edit`,
      });
    }
  }
}

/** What to give instead of an empty argument, by the usage line's name for it. */
const EMPTY_HINT = /** @type {Record<string, string>} */ ({
  FILE: 'give the YAML file, such as values.yaml',
  PATH: 'give a key path, such as image.tag or spec.template.spec.containers[name=api].image',
  SPEC: 'give an image spec, such as ghcr.io/acme/api:1.2.3',
  TARGET: 'give an overlay directory, an Application file or values files joined by commas',
  FROM: 'give the environment to promote from, such as overlays/staging',
  TO: 'give the environment to promote to, such as overlays/production',
  PLAN: 'give the plan file, or - for standard input',
  NAME: 'give a name',
});

/** A negative number (`-1`, `-0.5`, `-1e3`): a value, never an option. */
const NEGATIVE_NUMBER = /^-(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
/** Hides a negative number from the option parser; {@link unmask} takes it off again. */
const MASK = '\u0000';

/**
 * @param {unknown} v a parsed value (string, boolean or list)
 * @returns {any}
 */
function unmask(v) {
  if (Array.isArray(v)) return v.map(unmask);
  return typeof v === 'string' && v.startsWith(MASK) ? v.slice(MASK.length) : v;
}

/**
 * For an unknown option standing where the command's VALUE goes: how to write a VALUE that
 * starts with "-" (after "--"), as the command to type.
 * @param {string} name
 * @param {Command} command
 * @param {any[]} tokens
 * @param {any} token the unknown option
 * @returns {string | undefined}
 */
function valueHint(name, command, tokens, token) {
  const names = command.usage.split(' ').slice(2).filter((w) => /^[A-Z]+(\.\.\.)?$/.test(w));
  const before = tokens.filter((t) => t.kind === 'positional' && t.index < token.index).map((t) => unmask(t.value));
  if (names[before.length] !== 'VALUE' || /[\s'"$`\\]/.test([...before, token.rawName].join(''))) return undefined;
  return `a VALUE that starts with "-" goes after "--": gitops-bump ${name} ${before.join(' ')} -- ${token.rawName}`;
}

/**
 * Parses a command's arguments strictly: an unknown option, a missing value, a value
 * given to a flag and a `--type` outside its list are usage errors in our own words, with
 * a "did you mean" where one is close. A negative number is a value.
 * @param {string} name
 * @param {Command} command
 * @param {string[]} args
 * @returns {{values: Record<string, any>, positionals: string[]}}
 */
function parseCommand(name, command, args) {
  const fail = (/** @type {string} */ message, /** @type {string|undefined} */ hint) =>
    usageError(`${message}${hint ? `\n  = help: ${hint}` : ''}\n  = usage: ${command.usage}\n  = help: gitops-bump ${name} --help`);
  const dashes = args.indexOf('--');
  const masked = args.map((a, i) => ((dashes < 0 || i < dashes) && NEGATIVE_NUMBER.test(a) ? MASK + a : a));
  const parsed = parseArgs({ args: masked, options: /** @type {any} */ (command.options), allowPositionals: true, strict: false, tokens: true });
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option') continue;
    const spec = command.options[token.name];
    const raw = token.rawName;
    if (!spec || !raw.startsWith('--')) {
      const own = Object.keys(command.options).map((o) => `--${o}`);
      const elsewhere = Object.entries(COMMANDS).filter(([, c]) => Object.hasOwn(c.options, token.name)).map(([n]) => n);
      const hint = didYouMean(raw, own) ?? (elsewhere.length > 0 && raw.startsWith('--') ? `${raw} is an option of ${elsewhere.join(', ')}` : undefined) ?? valueHint(name, command, parsed.tokens ?? [], token);
      throw fail(`unknown option \`${raw}\` for \`${name}\``, hint);
    }
    const dashed = token.value !== undefined && !token.inlineValue && token.value.startsWith('-') && !token.value.startsWith(MASK);
    if (spec.type === 'string' && (token.value === undefined || dashed)) {
      throw fail(`${raw} needs a value`, dashed ? `a value that starts with "-" is written ${raw}=${token.value}` : undefined);
    }
    if (spec.type === 'boolean' && token.value !== undefined) {
      throw fail(`${raw} takes no value (got \`${unmask(token.value)}\`)`);
    }
  }
  const values = Object.fromEntries(Object.entries(parsed.values).map(([k, v]) => [k, unmask(v)]));
  const positionals = parsed.positionals.map(unmask);
  for (const [option, allowed] of Object.entries(CHOICES)) {
    const v = values[option];
    if (Object.hasOwn(command.options, option) && v !== undefined && !allowed.includes(v)) {
      throw fail(`--${option}: expected one of ${allowed.join(', ')}, got \`${v}\``, didYouMean(v, allowed));
    }
  }
  const [min, max] = command.positionals;
  const n = positionals.length;
  if (n < min || n > max) {
    throw fail(n < min ? 'missing arguments' : `unexpected argument \`${positionals[max]}\``);
  }
  if (command.words && !command.words.includes(positionals[0])) {
    throw fail(`expected one of ${command.words.join(', ')}, got \`${positionals[0]}\``, didYouMean(positionals[0], command.words));
  }
  // the usage line names the arguments: only a VALUE may be empty
  const names = command.usage.split(' ').slice(2).filter((w) => /^[A-Z]+(\.\.\.)?$/.test(w)).map((w) => w.replace('...', ''));
  const empty = names.length ? positionals.findIndex((p, i) => p === '' && names[Math.min(i, names.length - 1)] !== 'VALUE') : -1;
  if (empty >= 0) {
    const what = names[Math.min(empty, names.length - 1)];
    throw fail(`the ${what} argument is empty`, EMPTY_HINT[what]);
  }
  return { values, positionals };
}


/**
 * `get FILE PATH`: prints plain values (or a YAML document for collections), one a line;
 * a value read through an alias or merge key gets a note on stderr naming the anchor.
 * @param {Record<string, any>} values
 * @param {string[]} positionals
 * @param {{out: {write(s: string): unknown}, err: {write(s: string): unknown}, cwd: string, maxFileSize: number}} io
 * @returns {number}
 */
function runGet(values, [file, path], { out, err, cwd, maxFileSize }) {
  const found = core.getValue(readText(resolvePath(cwd, file), file, { maxFileSize }), path, { all: Boolean(values.all), select: values.select, file });
  if (values.json) {
    out.write(`${JSON.stringify(found, null, 2)}\n`);
  } else {
    for (const f of found) {
      out.write(`${f.type === 'map' || f.type === 'seq' ? f.yaml.replace(/\n$/, '') : f.value ?? 'null'}\n`);
      if (f.anchor) err.write(`note: ${f.path} is read through \`*${f.anchor}\`; the anchor \`&${f.anchor}\` is at ${file}:${f.anchorLine}\n`);
    }
  }
  return EXIT.OK;
}

/**
 * \`status TARGET...\`: the image × environment table.
 * @param {Record<string, any>} values
 * @param {string[]} targets
 * @param {{out: {write(s: string): unknown}, cwd: string}} io
 * @returns {Promise<number>}
 */
async function runStatus(values, targets, { out, cwd }) {
  if (values.json && values.markdown) throw usageError('--json and --markdown: choose one');
  const promote = await import('./promote.js');
  const st = promote.status(targets, promote.context(cwd, cwd));
  const { flagLines, sameTagDifferentDigest } = await import('./registry/promotion.js');
  const flags = sameTagDifferentDigest(st);
  out.write(values.json ? `${JSON.stringify(flags.length ? { ...st, sameTagDifferentDigest: flags } : st, null, 2)}\n` : promote.renderStatus(st, values.markdown ? 'markdown' : 'plain') + flagLines(flags).map((l) => `${values.markdown ? '\n' : ''}${l}\n`).join(''));
  return EXIT.OK;
}

/**
 * Reads the plan of `apply`: a file, or stdin for `-`.
 * @param {string} file
 * @param {string} cwd
 * @param {() => Promise<string | Buffer>} readStdin
 * @param {number} maxFileSize
 * @returns {Promise<unknown>}
 */
async function readPlan(file, cwd, readStdin, maxFileSize) {
  if (file === '-') {
    const input = await readStdin();
    // strictly, like a plan file: invalid UTF-8 is refused, never replaced by U+FFFD
    const text = typeof input === 'string' ? input : decodeUtf8(input, '<stdin>');
    return parsePlan(text, { file: '<stdin>' });
  }
  return loadPlan(resolvePath(cwd, file), { maxFileSize });
}

/**
 * Parses `--max-file-size` (bytes, or with a K, M or G suffix).
 * @param {string | undefined} text
 * @returns {number}
 */
function parseSize(text) {
  if (text === undefined) return DEFAULT_MAX_FILE_SIZE;
  const m = /^(\d+)([KMG]?)$/i.exec(text);
  if (!m) throw usageError(`--max-file-size: expected a number of bytes such as 1048576 or 512M, got \`${text}\``);
  return Number(m[1]) * 1024 ** ' KMG'.indexOf((m[2] || ' ').toUpperCase());
}

/**
 * Prints an error to stderr (with --json, also as JSON on stdout; with --report, also in
 * that file; for the orb, also as its summary block) and picks the exit code.
 * @param {unknown} error
 * @param {{err: {write(s: string): unknown}, out: {write(s: string): unknown}, json: boolean, frontEnd: 'cli' | 'orb', cwd: string,
 *   report?: string, orb?: ReturnType<typeof orbBlock>}} io
 * @returns {number}
 */
function reportError(error, { err, out, json, frontEnd, cwd, report, orb = null }) {
  const e = /** @type {any} */ (error);
  let code = EXIT.EDIT;
  let text;
  /** @type {Record<string, unknown>} */
  let fields;
  if (error instanceof GitopsBumpError) {
    code = error.kind === 'usage' ? EXIT.USAGE : registryExitCode(error.kind) ?? EXIT.EDIT;
    // The orb runs this CLI: its hints name the orb's parameters, not flags (see hints.js).
    const message = messageIn(error, frontEnd);
    text = /^error\[/.test(message) ? message : `error[${error.kind}]: ${message}`;
    fields = { ...error.fields(), message };
    const hint = hintIn(error, frontEnd);
    if (hint) fields.hint = hint;
  } else if (e && e.cliExitCode) {
    code = e.cliExitCode;
    // the pipeline spells its options as flags: the orb's log names its parameters
    const message = wordFlags(e.message, frontEnd);
    text = `error[${e.kind ?? 'git'}]: ${message}`;
    fields = { kind: e.kind ?? 'git', message };
  } else {
    text = `error[internal]: ${e?.stack ?? e}`;
    fields = { kind: 'internal', message: String(e?.message ?? e) };
  }
  err.write(`${text.replace(/\n$/, '')}\n`);
  if (json) out.write(`${JSON.stringify({ error: fields }, null, 2)}\n`);
  try {
    writeReport(report, cwd, { error: fields });
  } catch (e) {
    err.write(`error[report]: could not write ${report}: ${/** @type {Error} */ (e).message}\n`);
  }
  if (orb) out.write(orbSummary({ error: fields }, { ...orb, exitCode: code }));
  return code;
}

/**
 * `completion SHELL`: prints the completion script, made from the command table.
 * @param {string} shell
 * @param {{out: {write(s: string): unknown}}} io
 * @returns {Promise<number>}
 */
async function runCompletion(shell, { out }) {
  const { completionScript } = await import('./completion.js');
  const commands = Object.entries(COMMANDS).map(([name, c]) => ({
    name,
    summary: c.summary,
    options: Object.entries(c.options).map(([o, spec]) => ({
      name: o,
      takesValue: spec.type === 'string',
      values: Object.hasOwn(CHOICES, o) ? [...CHOICES[/** @type {keyof typeof CHOICES} */ (o)]] : undefined,
    })),
    words: c.words ? [...c.words] : undefined,
  }));
  out.write(completionScript(shell, commands));
  return EXIT.OK;
}

/**
 * Starts the playground server and keeps running until interrupted.
 * @param {Record<string, any>} values
 * @param {{out: {write(s: string): unknown}, err: {write(s: string): unknown}}} io
 * @returns {Promise<number>}
 */
async function runPlayground(values, { out }) {
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!/^\d+$/.test(values.port ?? '0') || port > 65535) throw usageError(`--port: expected a port number, got \`${values.port}\``);
  const { startPlayground } = await import('../playground/server.js');
  let handle;
  try {
    handle = await startPlayground({ port, host: '127.0.0.1' });
  } catch (error) {
    const code = /** @type {NodeJS.ErrnoException} */ (error)?.code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      throw usageError(`--port ${port}: cannot listen on 127.0.0.1:${port} (${code === 'EADDRINUSE' ? 'the port is in use' : 'permission denied'}); pick another port, or --port 0 for any free one`);
    }
    throw error;
  }
  out.write(`gitops-bump playground: ${handle.url}  (Ctrl-C to stop)\n`);
  await new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await handle.close();
  return EXIT.OK;
}

/**
 * Reads a stream to its end, as bytes (decoded strictly by the caller), refusing more
 * than the default file size limit.
 * @param {NodeJS.ReadableStream} stream
 * @returns {Promise<Buffer>}
 */
async function readAll(stream) {
  const chunks = [];
  let total = 0;
  for await (const chunk of stream) {
    total += chunk.length;
    if (total > DEFAULT_MAX_FILE_SIZE) throw usageError(`<stdin>: more than ${DEFAULT_MAX_FILE_SIZE} bytes; refusing to read it`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}
