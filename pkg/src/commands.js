/**
 * The command line's command table: each command's usage, options, help text and how its
 * arguments become plan entries; the main help built from it. cli.js parses and runs.
 *
 * @module gitops-bump/commands
 */
import { readFileSync } from 'node:fs';
import { usageError } from './errors.js';
import { VALUE_TYPES, inputEntries, repeatedImage } from './plan.js';
import { inputWord } from './hints.js';
import { REGISTRY_EXIT, REGISTRY_EXIT_HELP, REGISTRY_HELP, REGISTRY_OPTIONS } from './registry/cli.js';
import { SHELLS } from './completion.js';

/** The package's version, read when `--version` or the help asks for it (not at import). */
export const packageVersion = () => JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;

/** The CLI's exit codes (EXIT_HELP says them). */
export const EXIT = Object.freeze({ OK: 0, EDIT: 1, USAGE: 2, GIT: 3, ...REGISTRY_EXIT });

/** Options every editing command takes: output modes and the git flags. */
export const EDIT_OPTIONS = {
  'dry-run': { type: 'boolean' },
  check: { type: 'boolean' },
  json: { type: 'boolean' },
  report: { type: 'string' },
  'fail-if-unchanged': { type: 'boolean' },
  mode: { type: 'string' },
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
  'pr-overwrite': { type: 'boolean' },
  reviewer: { type: 'string', multiple: true },
  'team-reviewer': { type: 'string', multiple: true },
  assignee: { type: 'string', multiple: true },
  milestone: { type: 'string' },
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
/** What lets the overlay check follow remote bases over the network (pkg/src/remote-bases.js). */
export const REMOTE_BASE_OPTIONS = { 'fetch-remote-bases': { type: 'boolean' }, 'remote-base-hosts': { type: 'string' } };
export const REMOTE_BASE_HELP = `Remote bases (resources or components such as github.com/org/repo//dir?ref=v1):
  --fetch-remote-bases       clone them shallow at their ref (or download a single
                             manifest), so the overlay check sees their images; without
                             it they are reported as not checked (no network access)
  --remote-base-hosts H,...  only from these hosts (file: file:// repositories)`;
export const MATCH_OPTIONS = { select: { type: 'string' }, all: { type: 'boolean' } };

/** The flags `apply` builds a plan from instead of a plan file (inputEntries in plan.js). */
export const PLAN_FLAGS = {
  image: { type: 'string', multiple: true },
  target: { type: 'string', multiple: true },
  scan: { type: 'boolean' },
  force: { type: 'boolean' },
  file: { type: 'string' },
  path: { type: 'string' },
  value: { type: 'string' },
  type: { type: 'string' },
  create: { type: 'boolean' },
  ...MATCH_OPTIONS,
};

/** Options whose value is one of a short list: checked before anything runs, and completed by the shells. */
export const CHOICES = Object.freeze({ type: VALUE_TYPES, sign: Object.freeze(['ssh', 'gpg']), forge: Object.freeze(['github', 'gitea', 'gitlab', 'bitbucket']) });

export const EDIT_HELP = `Output:
  --dry-run            print a unified diff of what would change; write nothing
  --check              write nothing; exit 1 when a change would be made
  --json               print the result (or the error) as JSON on stdout
  --report FILE        also write that JSON to FILE
  --fail-if-unchanged  exit 1 when every value was already up to date
  --max-file-size N    refuse files over N bytes (suffix K, M or G; default 256M)

Git (the edit is made, committed and pushed by the same pipeline as the Action):
  --mode MODE          a mode by name instead of its flag: push, pull-request, api-commit,
                       dry-run, check or commit (the Action's and the orb's names too)
  --commit             commit the edited files in the checkout that holds them
  --push               commit, then push; re-apply the edit and retry when the remote moved
  --remote NAME        remote to push to (default: origin)
  --branch NAME        branch to push to (default: the current branch)
  --repo URL           shallow-clone URL into a temp dir and edit there (paths are relative to its root;
                       with --dry-run or --check, the clone is compared and nothing is pushed)
  --message TEMPLATE   commit message; placeholders {images} {tags} {files} {paths} {sha}
  --author "N <e>"     commit author (default: gitops-bump <gitops-bump@users.noreply.github.com>)
  --retries N          push attempts after the first (default: 5), jittered exponential backoff
  --source-sha SHA     the source commit for {sha} (default: $GITHUB_SHA or $CIRCLE_SHA1)
  --pr                 push to a branch derived from the edit and open or update a pull request
  --base B --title T --body B --label L (repeatable) --draft    pull request fields
  --pr-branch NAME     head branch of the pull request (default: gitops-bump/<slug>-<hash>)
  --pr-overwrite       replace the PR branch even when it holds commits gitops-bump did not make
  --reviewer U --team-reviewer T --assignee U (repeatable) --milestone N    who reviews, owns, when
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

export const EXIT_HELP = `Exit codes: 0 success (changed or unchanged), 1 edit error (or --check: a change
would be made), 2 usage error, 3 git or API failure.`;

export const DASH_HELP = `A VALUE that starts with "-" is read as an option, except a negative number
(-1, -0.5): put "--" before such a value, after the options, e.g.
  gitops-bump set values.yaml args --create -- --verbose`;

/**
 * The plan of `apply`'s flags (PLAN_FLAGS), in `frontEnd`'s words when one is wrong.
 * @param {Record<string, any>} v
 * @param {string[]} _positionals
 * @param {'cli'|'orb'} [frontEnd]
 * @returns {object[]}
 */
function planOfFlags(v, _positionals, frontEnd = 'cli') {
  const w = (/** @type {keyof typeof import('./hints.js').INPUT_WORDS} */ id) => inputWord(id, frontEnd);
  if ((v.file !== undefined || v.path !== undefined) && v.value === undefined) throw usageError(`${w('value')} is missing: the value to set at ${w('path')}`);
  const set = { file: v.file, path: v.path, value: v.value, type: v.type, create: v.create, all: v.all, select: v.select };
  const edits = inputEntries({ images: v.image ?? [], targets: v.target ?? [], scan: Boolean(v.scan), force: Boolean(v.force), set }, frontEnd);
  if (!edits.length) throw usageError(`nothing to do: give ${w('images')}, ${w('file')} + ${w('path')} + ${w('value')}, or ${w('plan')}`);
  return edits;
}

/**
 * @typedef {object} Command
 * @property {string} usage
 * @property {string} summary
 * @property {Record<string, {type: 'string'|'boolean', multiple?: boolean, short?: string}>} options
 * @property {[number, number]} positionals min and max (Infinity) count
 * @property {string} help the rest of the help text
 * @property {(values: Record<string, any>, positionals: string[], frontEnd?: 'cli'|'orb') => unknown[]} [plan] builds the plan entries
 * @property {string} [exits] the exit codes, when not those of the editing commands
 * @property {readonly string[]} [words] the values of the positional argument, when they are a short list
 */

/** @type {Record<string, Command>} */
export const COMMANDS = {
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
    options: { scan: { type: 'boolean' }, force: { type: 'boolean' }, ...REMOTE_BASE_OPTIONS, ...REGISTRY_OPTIONS, ...EDIT_OPTIONS },
    positionals: [2, Infinity],
    help: `Sets images with kustomize's grammar: name=newName:newTag@digest, name:tag,
name@digest, name=newName. TARGET is an overlay directory (its kustomization file), a
kustomization file, an Argo CD Application or a file with Flux setter markers. Unlike
\`kustomize edit set image\`, nothing else in the file changes.

Options:
  --scan       TARGET is a directory: update every reference to the image below it
  --force      do not check that the overlay's resources use the image

${REMOTE_BASE_HELP}

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
written. FROM and TO are targets as for \`status\`. Tag and digest are copied; when TO
pulls the image under another name (a mirror), a digest FROM pins must exist there.

Options:
  --image NAME   promote only this image (repeatable); NAME as \`status\` shows it

${EDIT_HELP}

With --pr, the pull request's title and body default to the promotion and its
before/after table.

Examples:
  gitops-bump promote overlays/staging overlays/production --dry-run
  gitops-bump promote overlays/staging overlays/production --image ghcr.io/acme/api --pr
  gitops-bump promote charts/api/values.yaml,envs/staging.yaml charts/api/values.yaml,envs/prod.yaml --push`,
    exits: `${EXIT_HELP}\n4 a promoted digest is not in the mirror TO pulls from (digest-not-found).`,
    plan: (v, [from, to]) => [{ promote: to, from, images: v.image ?? [] }],
  },
  apply: {
    usage: 'gitops-bump apply PLAN | apply [--image SPEC]... [--target T]... [--file F --path P --value V]',
    summary: 'apply a plan file (YAML or JSON), or the plan of its flags, all edits or none',
    options: { ...EDIT_OPTIONS, ...REGISTRY_OPTIONS, ...REMOTE_BASE_OPTIONS, ...PLAN_FLAGS, 'allow-outside-plan-dir': { type: 'boolean' } },
    positionals: [0, 1],
    help: `Applies every edit of a plan file, or none: every new text is computed and
self-checked before any file is written. PLAN is YAML (every scalar read as a string,
so value: 1.10 stays "1.10") or JSON; "-" reads it from stdin. Paths are relative to
the current directory; each must resolve (symlinks followed) under the plan's own
directory (the current one for "-"), or with git flags inside the repository.

  --allow-outside-plan-dir   without git flags, let the plan name files anywhere

Instead of PLAN, flags make the plan (the orb's parameters are these), its files named as
on a command line: every --image SPEC (repeatable) in every --target T (repeatable,
default .), with --scan each target's references found, with --force not checked
against the overlay; and one value: --file F --path P --value V [--type T] [--create]
[--select S] [--all].

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

${REMOTE_BASE_HELP}

${REGISTRY_HELP}

${EDIT_HELP}

Examples:
  gitops-bump apply bump.yaml
  gitops-bump apply bump.json --dry-run
  gitops-bump apply bump.yaml --push --retries 8`,
    exits: `${EXIT_HELP}\n${REGISTRY_EXIT_HELP}`,
    plan: planOfFlags,
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
export const mainHelp = () => `gitops-bump ${packageVersion()}: byte-exact YAML edits for GitOps config repos

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
