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
import { VALUE_TYPES, applyPlan, loadPlan, parsePlan, repeatedImage, validatePlan } from './plan.js';
import { uncheckedWarnings } from './unchecked.js';
import { DEFAULT_MAX_FILE_SIZE, decodeUtf8, readText } from './files.js';
import { installSignalCleanup } from './cleanup.js';
import { unifiedDiff } from './diff.js';
import * as core from './core.js';
import { didYouMean } from './suggest.js';
import { overlayRoot } from './root.js';
import { SHELLS } from './completion.js';
import { REGISTRY_EXIT, REGISTRY_EXIT_HELP, REGISTRY_HELP, REGISTRY_OPTIONS, registryExitCode, registryStep } from './registry/cli.js';
import { digestTrailers } from './registry/settings.js';

/** Exit codes, as documented in docs/contract.md and `gitops-bump --help`. */
export const EXIT = Object.freeze({ OK: 0, EDIT: 1, USAGE: 2, GIT: 3, ...REGISTRY_EXIT });

/** The package's version, read when `--version` or the help asks for it (not at import). */
const packageVersion = () => JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

/** Options every editing command takes: output modes and the git flags. */
const EDIT_OPTIONS = {
  'dry-run': { type: 'boolean' },
  check: { type: 'boolean' },
  json: { type: 'boolean' },
  commit: { type: 'boolean' },
  push: { type: 'boolean' },
  remote: { type: 'string' },
  branch: { type: 'string' },
  repo: { type: 'string' },
  message: { type: 'string' },
  author: { type: 'string' },
  retries: { type: 'string' },
  pr: { type: 'boolean' },
  base: { type: 'string' },
  title: { type: 'string' },
  body: { type: 'string' },
  label: { type: 'string', multiple: true },
  draft: { type: 'boolean' },
  'pr-branch': { type: 'string' },
  'api-commit': { type: 'boolean' },
  'token-env': { type: 'string' },
  forge: { type: 'string' },
  sign: { type: 'string' },
  'signing-key-env': { type: 'string' },
  'github-repo': { type: 'string' },
  'api-url': { type: 'string' },
  'source-sha': { type: 'string' },
  'max-file-size': { type: 'string' },
};
const MATCH_OPTIONS = { select: { type: 'string' }, all: { type: 'boolean' } };

/** Options whose value is one of a short list: checked before anything runs, and completed by the shells. */
const CHOICES = Object.freeze({ type: VALUE_TYPES, sign: Object.freeze(['ssh', 'gpg']), forge: Object.freeze(['github', 'gitea', 'gitlab', 'bitbucket']) });

const EDIT_HELP = `Output:
  --dry-run            print a unified diff of what would change; write nothing
  --check              write nothing; exit 1 when a change would be made
  --json               print the result (or the error) as JSON on stdout
  --max-file-size N    refuse files over N bytes (suffix K, M or G; default 256M)

Git (the edit is made, committed and pushed by the same pipeline as the Action):
  --commit             commit the edited files in the checkout that holds them
  --push               commit, then push; re-apply the edit and retry when the remote moved
  --remote NAME        remote to push to (default: origin)
  --branch NAME        branch to push to (default: the current branch)
  --repo URL           shallow-clone URL into a temp dir and edit there (paths are relative to its root)
  --message TEMPLATE   commit message; placeholders {images} {tags} {files} {paths} {sha}
  --author "N <e>"     commit author (default: gitops-bump <gitops-bump@users.noreply.github.com>)
  --retries N          push attempts after the first (default: 5), jittered exponential backoff
  --source-sha SHA     the source commit for {sha} (default: $GITHUB_SHA or $CIRCLE_SHA1)
  --pr                 push to a branch derived from the edit and open or update a pull request
  --base B --title T --body B --label L (repeatable) --draft    pull request fields
  --pr-branch NAME     head branch of the pull request (default: gitops-bump/<slug>-<hash>)
  --api-commit         create the commit through GitHub's Git Data API (signed by GitHub)
  --token-env NAME     environment variable holding the token (default: GITHUB_TOKEN)
  --sign ssh|gpg       sign the commits git makes with the key in $GITOPS_BUMP_SIGNING_KEY
  --signing-key-env NAME  environment variable holding that private key (no passphrase)
  --github-repo O/N    default: $GITHUB_REPOSITORY, else derived from the remote URL
  --api-url URL        the forge's REST API (GitHub: $GITHUB_API_URL, else https://HOST/api/v3 for a
                       remote not on github.com (Enterprise Server), else https://api.github.com;
                       Gitea https://HOST/api/v1, GitLab https://HOST/api/v4, Bitbucket its /2.0)
  --forge NAME         github, gitea (also Forgejo), gitlab or bitbucket (default: from the remote's
                       host; GitHub for a host it does not know). The token comes from GITHUB_TOKEN,
                       GITEA_TOKEN, GITLAB_TOKEN (or CI_JOB_TOKEN), BITBUCKET_TOKEN, or --token-env`;

const EXIT_HELP = `Exit codes: 0 success (changed or unchanged), 1 edit error (or --check: a change
would be made), 2 usage error, 3 git or API failure.`;

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

const DASH_HELP = `A VALUE that starts with "-" is read as an option, except a negative number
(-1, -0.5): put "--" before such a value, after the options, e.g.
  gitops-bump set values.yaml args --create -- --verbose`;

/**
 * @typedef {object} Command
 * @property {string} usage
 * @property {string} summary
 * @property {Record<string, {type: 'string'|'boolean', multiple?: boolean, short?: string}>} options
 * @property {[number, number]} positionals min and max (Infinity) count
 * @property {string} help the rest of the help text
 * @property {(values: Record<string, any>, positionals: string[]) => unknown[]} [plan] builds the plan entries
 * @property {string} [exits] the exit codes, when not those of the editing commands
 * @property {readonly string[]} [words] the values of the positional argument, when they are a short list
 */

/** @type {Record<string, Command>} */
const COMMANDS = {
  get: {
    usage: 'gitops-bump get FILE PATH [--select S] [--all] [--json]',
    summary: 'print the value at PATH',
    options: { ...MATCH_OPTIONS, json: { type: 'boolean' }, 'max-file-size': { type: 'string' } },
    positionals: [2, 2],
    help: `Prints the value at PATH (scalars as plain values, maps and lists as YAML).

Options:
  --select S   document selector for multi-document files, e.g. kind=Deployment,metadata.name=api
  --all        print every match (one per line) instead of failing when PATH matches several
  --json       print the matches with their type, concrete path, line and column
  --max-file-size N   refuse files over N bytes (suffix K, M or G; default 256M)

Examples:
  gitops-bump get values.yaml image.tag
  gitops-bump get deploy.yaml 'spec.template.spec.containers[name=api].image' --select kind=Deployment
  gitops-bump get values.yaml '/image/tag' --json`,
    exits: 'Exit codes: 0 printed, 1 not found, ambiguous or invalid YAML, 2 usage error.',
  },
  set: {
    usage: 'gitops-bump set FILE PATH VALUE [--type T] [--create] [--select S] [--all]',
    summary: 'set the value at PATH, byte-exactly',
    options: { ...MATCH_OPTIONS, type: { type: 'string' }, create: { type: 'boolean' }, ...EDIT_OPTIONS },
    positionals: [3, 3],
    help: `Sets the value at PATH; only the bytes of that value change. A string that a YAML
reader would take for something else (1.10, yes, 0123) is quoted.

Options:
  --type T     string, int, float, bool, null or yaml. Without it the value is a
               string, except that a plain int or bool given the canonical text of
               its own type keeps it (replicaCount 2 -> 3 stays an int). A change of
               type (replicaCount 1 -> three) is made and always shown: \`(int -> string)\`
  --create     insert missing keys, and a new item for a [key=value] that matches none
  --select S   document selector for multi-document files
  --all        set every match instead of failing when PATH matches several

${DASH_HELP}

${EDIT_HELP}

Examples:
  gitops-bump set values.yaml image.tag 1.10
  gitops-bump set values.yaml replicaCount 3 --type int
  gitops-bump set deploy.yaml 'spec.template.spec.containers[name=api].image' ghcr.io/acme/api:1.2.3 --dry-run
  gitops-bump set values.yaml image.tag 1.2.3 --push --message 'deploy api {tags}'`,
    plan: (v, [file, path, value]) => [{ file, set: path, value, type: v.type, create: v.create, all: v.all, select: v.select }],
  },
  remove: {
    usage: 'gitops-bump remove FILE PATH [--select S] [--all]',
    summary: 'remove the key or item at PATH',
    options: { ...MATCH_OPTIONS, ...EDIT_OPTIONS },
    positionals: [2, 2],
    help: `Removes the key or list item at PATH (its lines, with their comments).

Options:
  --select S   document selector for multi-document files
  --all        remove every match instead of failing when PATH matches several

${EDIT_HELP}

Examples:
  gitops-bump remove deploy.yaml metadata.annotations.stale
  gitops-bump remove values.yaml 'sidecars[name=debug]' --dry-run`,
    plan: (v, [file, path]) => [{ file, remove: path, all: v.all, select: v.select }],
  },
  image: {
    usage: 'gitops-bump image TARGET SPEC... [--scan] [--force] [--verify] [--pin-digest] [--policy P]',
    summary: 'set images in a kustomization, Argo CD Application or Flux setters',
    options: { scan: { type: 'boolean' }, force: { type: 'boolean' }, ...REGISTRY_OPTIONS, ...EDIT_OPTIONS },
    positionals: [2, Infinity],
    help: `Sets images with kustomize's grammar: name=newName:newTag@digest, name:tag,
name@digest, name=newName. TARGET is an overlay directory (its kustomization file), a
kustomization file, an Argo CD Application or a file with Flux setter markers. Unlike
\`kustomize edit set image\`, nothing else in the file changes.

Options:
  --scan       TARGET is a directory: update every reference to the image below it
  --force      do not check that the overlay's resources use the image

${REGISTRY_HELP}

${EDIT_HELP}

Examples:
  gitops-bump image overlays/production ghcr.io/acme/api:1.10.0
  gitops-bump image overlays/staging api=ghcr.io/acme/api:1.10.0@sha256:… worker:2.0.1
  gitops-bump image apps/api.yaml ghcr.io/acme/api:1.10.0        # Argo CD Application
  gitops-bump image . ghcr.io/acme/api:1.10.0 --scan --pr --title 'Deploy api 1.10.0'
  gitops-bump image overlays/production ghcr.io/acme/api:1.10.0 --pin-digest --require-platforms linux/amd64,linux/arm64
  gitops-bump image overlays/dev ghcr.io/acme/api --policy 'semver:^1.2.0' --pin-digest`,
    exits: `${EXIT_HELP}\n${REGISTRY_EXIT_HELP}`,
    plan: (v, [target, ...specs]) => distinctImages(specs).map((spec) => (v.scan ? { scan: target, image: spec } : { file: target, image: spec, force: v.force })),
  },
  status: {
    usage: 'gitops-bump status TARGET... [--json | --markdown]',
    summary: 'show which image versions run in which environment',
    options: { json: { type: 'boolean' }, markdown: { type: 'boolean' } },
    positionals: [1, Infinity],
    help: `Prints a table of image × environment with the effective tag or digest in each,
after the whole chain of kustomizations. Give the environments in promotion order: a
cell that differs from the environment to its left is marked.

TARGET is a kustomize overlay directory, an Argo CD Application file (its source
overlay with its own kustomize.images on top), or a chain of Helm values files joined
by commas (later files override earlier ones, as with helm -f a -f b). A label may
precede it: production=overlays/production.

Options:
  --json       every cell with its full reference, file and line
  --markdown   a markdown table, for job summaries and pull request bodies

Examples:
  gitops-bump status overlays/dev overlays/staging overlays/production
  gitops-bump status dev=charts/api/values.yaml,envs/dev.yaml prod=charts/api/values.yaml,envs/prod.yaml
  gitops-bump status apps/api-staging.yaml apps/api-production.yaml --markdown >> "$GITHUB_STEP_SUMMARY"`,
    // status only reads: it has no --check (a drift check is `image … --check`)
    exits: 'Exit codes: 0 printed, 1 an environment that cannot be read (invalid YAML, an overlay\nthat does not resolve), 2 usage error (also a TARGET that does not exist).',
  },
  promote: {
    usage: 'gitops-bump promote FROM TO [--image NAME]...',
    summary: 'make TO run the image versions FROM runs',
    options: { image: { type: 'string', multiple: true }, ...EDIT_OPTIONS },
    positionals: [2, 2],
    help: `Makes environment TO run what FROM runs, for the named images (default: every
image whose effective reference differs). Only TO's own files change (its
kustomization's images:, its Application's image list, or its own values file), never a
shared base, component or values file; afterwards TO is recomputed and must run FROM's
versions of the promoted images and unchanged versions of the rest, or nothing is
written. FROM and TO are targets as for \`status\`.

Options:
  --image NAME   promote only this image (repeatable); NAME as \`status\` shows it

${EDIT_HELP}

With --pr, the pull request's title and body default to the promotion and its
before/after table.

Examples:
  gitops-bump promote overlays/staging overlays/production --dry-run
  gitops-bump promote overlays/staging overlays/production --image ghcr.io/acme/api --pr
  gitops-bump promote charts/api/values.yaml,envs/staging.yaml charts/api/values.yaml,envs/prod.yaml --push`,
    plan: (v, [from, to]) => [{ promote: to, from, images: v.image ?? [] }],
  },
  apply: {
    usage: 'gitops-bump apply PLAN',
    summary: 'apply a plan file (YAML or JSON), all edits or none',
    options: { ...EDIT_OPTIONS, ...REGISTRY_OPTIONS, 'allow-outside-plan-dir': { type: 'boolean' } },
    positionals: [1, 1],
    help: `Applies every edit of a plan file, or none: every new text is computed and
self-checked before any file is written. PLAN is YAML (every scalar read as a string,
so value: 1.10 stays "1.10") or JSON; "-" reads it from stdin. Paths are relative to
the current directory; each must resolve (symlinks followed) under the plan's own
directory (the current one for "-"), or with git flags inside the repository.

  --allow-outside-plan-dir   without git flags, let the plan name files anywhere

  edits:
    - file: overlays/prod/kustomization.yaml
      image: api=ghcr.io/acme/api:1.2.3
    - file: charts/api/values.yaml
      set: image.tag
      value: "1.10"
      type: string          # optional: string, int, float, bool, null, yaml (without it, a
                            # string, except that an int or bool given its own type's text stays one)
      create: false         # optional
      all: false            # optional
      select: kind=Deployment,metadata.name=api   # optional
    - file: old.yaml
      remove: metadata.annotations.stale
    - scan: .
      image: ghcr.io/acme/api:1.2.3
      pin-digest: true      # optional, also verify, require-platforms, require-signature

${REGISTRY_HELP}

${EDIT_HELP}

Examples:
  gitops-bump apply bump.yaml
  gitops-bump apply bump.json --dry-run
  gitops-bump apply bump.yaml --push --retries 8`,
    exits: `${EXIT_HELP}\n${REGISTRY_EXIT_HELP}`,
    plan: () => [],
  },
  playground: {
    usage: 'gitops-bump playground [--port N]',
    summary: 'serve the browser playground on 127.0.0.1',
    options: { port: { type: 'string' } },
    positionals: [0, 0],
    help: `Serves the playground (try key paths and image specs on your own YAML in a
browser; nothing leaves the machine) on http://127.0.0.1:PORT until interrupted.

Options:
  --port N     port to listen on (default: 0, any free port; the URL is printed)

Examples:
  gitops-bump playground
  gitops-bump playground --port 8080`,
    exits: 'Exit codes: 0 stopped (Ctrl-C), 2 usage error (a bad --port, or the port is in use).',
  },
  completion: {
    usage: 'gitops-bump completion bash|zsh|fish',
    summary: 'print a shell completion script',
    options: {},
    positionals: [1, 1],
    words: SHELLS,
    help: `Prints a script that completes commands, options, --type values and file names.

Examples:
  source <(gitops-bump completion bash)     # in ~/.bashrc
  source <(gitops-bump completion zsh)      # in ~/.zshrc
  gitops-bump completion fish | source      # in ~/.config/fish/config.fish`,
    exits: 'Exit codes: 0 printed, 2 usage error.',
  },
};

/** The main help text, built when asked for. */
const mainHelp = () => `gitops-bump ${packageVersion()}: byte-exact YAML edits for GitOps config repos

Usage:
${Object.values(COMMANDS).map((c) => `  ${c.usage}`).join('\n')}

Commands:
${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(11)} ${c.summary}`).join('\n')}

Run \`gitops-bump COMMAND --help\` for a command's options and examples.

Key paths: image.tag · spec.template.spec.containers[name=api].image · items[0] · items[-1]
· metadata.labels["app.kubernetes.io/name"] · items[*] (with --all) · /json/pointer

${DASH_HELP}

${EXIT_HELP}`;

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
  try {
    const { values, positionals } = parseCommand(name, command, rest);
    json = Boolean(values.json);
    const maxFileSize = parseSize(values['max-file-size']);
    if (name === 'get') return runGet(values, positionals, { out, err, cwd, maxFileSize });
    if (name === 'playground') return await runPlayground(values, { out, err });
    if (name === 'completion') return await runCompletion(positionals[0], { out });
    if (name === 'status') return await runStatus(values, positionals, { out, cwd });
    const beforeApply = name === 'promote' ? await describePromotion(values, positionals, { out, err }) : undefined;
    if (!io.cwd) installSignalCleanup(); // a real process: an interrupted run leaves nothing behind
    const given = name === 'apply' ? await readPlan(positionals[0], cwd, readStdin, maxFileSize) : { edits: /** @type {any} */ (command.plan)(values, positionals) };
    const entries = validatePlan(given); // a bad plan is a usage error before anything is touched
    // every image resolved in its registry (when asked) before anything is written
    const registry = Object.hasOwn(command.options, 'verify') ? await registryStep(given, entries, values, { env, err }) : { plan: given, images: null };
    const plan = registry.plan;
    // files named on the command line are edited where they resolve; a plan's files must
    // resolve under the plan's directory (with git flags: inside the repository)
    const planDir = positionals[0] === '-' ? cwd : dirname(resolvePath(cwd, positionals[0] ?? '.'));
    const root = name === 'apply' && !values['allow-outside-plan-dir'] ? planDir : null;
    if (name !== 'apply') symlinksStayInside(entries, cwd);
    return await runEdit(plan, values, { out, err, cwd, env, beforeApply, images: registry.images }, { root, maxFileSize });
  } catch (error) {
    return reportError(error, { err, out, json });
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
      const hint = didYouMean(raw, own) ?? (elsewhere.length > 0 && raw.startsWith('--') ? `${raw} is an option of ${elsewhere.join(', ')}` : undefined);
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
 * Refuses the same image named twice in one `image` command (kustomize would keep only the
 * last spec, while applying both in turn would not); a spec that does not parse is left
 * for the edit to report.
 * @param {string[]} specs
 * @returns {string[]} the specs
 */
function distinctImages(specs) {
  const twice = repeatedImage(specs);
  if (twice) {
    throw usageError(`the image \`${twice.name}\` is given twice: \`${specs[twice.first]}\` and \`${specs[twice.second]}\``, { hint: 'give each image once; kustomize keeps only the last spec for an image' });
  }
  return specs;
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
  out.write(values.json ? `${JSON.stringify(st, null, 2)}\n` : promote.renderStatus(st, values.markdown ? 'markdown' : 'plain'));
  return EXIT.OK;
}

/**
 * Prepares \`promote\`, which runs as a plan: with --pr the pull request's title defaults
 * to the promotion and its body to the before/after table. Returns what runs just before
 * the plan is applied (in this checkout, or in the clone of --repo, on every attempt):
 * it computes the table there and prints it (on stderr with --json or --dry-run, so
 * their stdout stays machine-readable).
 * @param {Record<string, any>} values
 * @param {string[]} positionals
 * @param {{out: {write(s: string): unknown}, err: {write(s: string): unknown}}} io
 * @returns {Promise<(workdir: string) => void>}
 */
async function describePromotion(values, [from, to], { out, err }) {
  const promote = await import('./promote.js');
  /** @type {string|undefined} */
  let table;
  if (values.pr && values.title === undefined) values.title = `Promote ${from} to ${to}`;
  if (values.pr && values.body === undefined) values.body = () => table;
  return (workdir) => {
    const p = promote.computePromotion(from, to, values.image ?? [], promote.context(workdir, workdir));
    (values.json || values['dry-run'] ? err : out).write(promote.renderPromotion(p, 'plain'));
    table = promote.renderPromotion(p, 'markdown');
  };
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
 * Applies a plan locally or through the git pipeline, and reports what happened.
 * @param {unknown} plan
 * @param {Record<string, any>} values
 * @param {{out: {write(s: string): unknown}, err: {write(s: string): unknown}, cwd: string, env: NodeJS.ProcessEnv}} io
 * @param {{root: string | null, maxFileSize: number}} scope where targets may resolve, size limit
 * @returns {Promise<number>}
 */
async function runEdit(plan, values, { out, err, cwd, env, beforeApply = () => {}, images = null }, { root, maxFileSize }) {
  const preview = Boolean(values['dry-run'] || values.check);
  const git = gitOptions(values, env);
  if (git && images) git.trailers = digestTrailers(images);
  if (preview && git?.repo) {
    throw usageError('--dry-run and --check preview files in this directory; with --repo there is no checkout here. Clone the repo and run the command in it without --repo');
  }
  /** @type {import('./plan.js').PlanResult & {commit?: string|null, pushed?: boolean, attempts?: number, pullRequest?: object|null, pr?: object|null, warnings?: string[]}} */
  let result;
  if (git && !preview) {
    const { runPipeline } = await import('./pipeline.js');
    // the pipeline confines every target to the repository
    const apply = (/** @type {string} */ workdir) => {
      beforeApply(workdir);
      return applyPlan(plan, { cwd: workdir, allowOutside: true, maxFileSize });
    };
    try {
      result = await runPipeline({ cwd, plan, apply, git: { ...git, log: (line) => err.write(`${line}\n`) } });
    } catch (error) {
      throw asGitError(error);
    }
  } else {
    // --dry-run / --check never commit: the plan is previewed on the files below cwd
    beforeApply(cwd);
    result = applyPlan(plan, { cwd, dryRun: preview, root, allowOutside: root === null, maxFileSize });
  }
  const changed = result.changed ?? [];
  // never silent: whatever the output format, what the overlay check could not see is said
  for (const line of uncheckedWarnings(result.unchecked ?? [])) err.write(`${line}\n`);

  if (values.json) {
    const report = {
      changed: changed.map((c) => ({ file: c.file, changes: c.changes, ...(preview ? { diff: diffOf(c) } : {}) })),
      unchanged: result.unchanged,
      unchecked: result.unchecked ?? [],
      written: !preview && changed.length > 0,
      ...(images ? { images } : {}),
      ...(git && !preview
        ? {
            commit: result.commit ?? null,
            pushed: result.pushed ?? false,
            attempts: result.attempts ?? 0,
            pullRequest: result.pullRequest ?? null,
            pr: result.pr ?? null,
            warnings: result.warnings ?? [],
          }
        : {}),
    };
    out.write(`${JSON.stringify(report, null, 2)}\n`);
  } else if (preview) {
    for (const c of changed) {
      if (values['dry-run']) out.write(diffOf(c));
      if (values.check) err.write(`would change ${c.file}\n`);
    }
    if (changed.length === 0) err.write('no changes\n');
  } else {
    for (const c of changed) {
      for (const ch of c.changes) {
        if (ch.kind !== 'unchanged') out.write(`${c.file}:${ch.line}:${ch.column}: ${describe(ch)}\n`);
      }
    }
    for (const file of result.unchanged ?? []) out.write(`${file}: unchanged (already up to date)\n`);
    if (result.commit) out.write(`commit ${result.commit}${result.pushed ? ` pushed${result.attempts > 1 ? ` after ${result.attempts} attempts` : ''}` : ''}\n`);
    const pr = /** @type {any} */ (result.pullRequest);
    if (pr) out.write(`pull request #${pr.number} ${{ created: 'opened', updated: 'updated' }[pr.operation] ?? 'unchanged'}: ${pr.url}\n`);
  }
  return values.check && changed.length > 0 ? EXIT.EDIT : EXIT.OK;
}

/**
 * @param {{file: string, before: string, after: string}} c
 * @returns {string}
 */
function diffOf(c) {
  return unifiedDiff(c.before, c.after, { fromFile: `a/${c.file}`, toFile: `b/${c.file}` });
}

/**
 * A one-line description of a change: `image.tag: 1.9 -> 1.10`, with ` (float -> string)`
 * when the value's type changed.
 * @param {{path: string, kind: string, old?: string|null, new?: string|null, oldType?: string|null, newType?: string|null, aliases?: string[]}} ch
 * @returns {string}
 */
function describe(ch) {
  // an empty string (a cleared digest) shows as "" rather than as nothing
  const show = (/** @type {string|null|undefined} */ v) => (v === undefined || v === null ? '' : v === '' ? '""' : v.includes('\n') ? '(block)' : v);
  // an anchored value changes wherever an alias reads it: say where
  const aliases = ch.aliases?.length ? ` (also changes ${ch.aliases.join(', ')}, through an alias)` : '';
  switch (ch.kind) {
    case 'insert':
      return `${ch.path}: added ${show(ch.new)}${aliases}`;
    case 'remove':
      return `${ch.path}: removed${aliases}`;
    default: {
      const typed = ch.oldType && ch.newType && ch.oldType !== ch.newType ? ` (${ch.oldType} -> ${ch.newType})` : '';
      return `${ch.path}: ${show(ch.old)} -> ${show(ch.new)}${typed}${aliases}`;
    }
  }
}

/**
 * The git options for runPipeline, or null when no git flag was given.
 * @param {Record<string, any>} v parsed values
 * @param {NodeJS.ProcessEnv} env
 * @returns {Record<string, any> | null}
 */
export function gitOptions(v, env) {
  const wanted = v.commit || v.push || v.pr || v.repo || v['api-commit'];
  const gitOnly = ['remote', 'branch', 'message', 'author', 'retries', 'base', 'title', 'body', 'label', 'draft', 'pr-branch', 'token-env', 'github-repo', 'api-url', 'source-sha', 'sign', 'signing-key-env', 'forge'];
  if (!wanted) {
    const stray = gitOnly.find((k) => v[k] !== undefined);
    if (stray) throw usageError(`--${stray} needs one of --commit, --push, --pr, --repo, --api-commit`);
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
  for (const prOnly of ['base', 'title', 'body', 'label', 'draft', 'pr-branch']) {
    if (v[prOnly] !== undefined && !v.pr) throw usageError(`--${prOnly} is a pull request field: add --pr`);
  }
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
    tokenEnv: v['token-env'] ?? 'GITHUB_TOKEN',
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

/**
 * Prints an error to stderr (with --json, also as JSON on stdout) and picks the exit code.
 * @param {unknown} error
 * @param {{err: {write(s: string): unknown}, out: {write(s: string): unknown}, json: boolean}} io
 * @returns {number}
 */
function reportError(error, { err, out, json }) {
  const e = /** @type {any} */ (error);
  let code = EXIT.EDIT;
  let text;
  /** @type {Record<string, unknown>} */
  let fields;
  if (error instanceof GitopsBumpError) {
    code = error.kind === 'usage' ? EXIT.USAGE : registryExitCode(error.kind) ?? EXIT.EDIT;
    text = /^error\[/.test(error.message) ? error.message : `error[${error.kind}]: ${error.message}`;
    fields = error.fields();
  } else if (e && e.cliExitCode) {
    code = e.cliExitCode;
    text = `error[${e.kind ?? 'git'}]: ${e.message}`;
    fields = { kind: e.kind ?? 'git', message: e.message };
  } else {
    text = `error[internal]: ${e?.stack ?? e}`;
    fields = { kind: 'internal', message: String(e?.message ?? e) };
  }
  err.write(`${text.replace(/\n$/, '')}\n`);
  if (json) out.write(`${JSON.stringify({ error: fields }, null, 2)}\n`);
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
