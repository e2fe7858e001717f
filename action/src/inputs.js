/**
 * Every input of the Action, read and checked in one place before anything runs. Each
 * error names the input it is about. The result is one settings object: the plan to
 * apply and the options of the one `runPipeline` call.
 *
 * A new mode is one entry in the pipeline's MODES table (pkg/src/pipeline/modes.js); a new
 * kind of edit (another "what" input) is one reader in {@link EDIT_SOURCES}.
 *
 * @module gitops-bump-action/inputs
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import * as core from '../../pkg/src/core.js';
import { loadPlan, parsePlan, repeatedImage, validatePlan } from '../../pkg/src/plan.js';
import { checkRemoteUrl } from '../../pkg/src/git/command-manager.js';
import { MODES, parseMode } from '../../pkg/src/pipeline/modes.js';
import { REGISTRY_INPUTS, readRegistryInputs } from './registry.js';
import { parseHosts } from '../../pkg/src/remote-bases.js';

/** The identity of GitHub's own bot, the default commit author. */
export const BOT_NAME = 'github-actions[bot]';
export const BOT_EMAIL = '41898282+github-actions[bot]@users.noreply.github.com';

/**
 * Inputs and the default each has in action.yml (a direct run, without the runner that
 * fills defaults in, gets the same ones). `token`'s default there is `github.token`.
 */
/** The forges the `forge` input names (empty: from the repository's host). */
const FORGE_NAMES = Object.freeze(['github', 'gitea', 'gitlab', 'bitbucket']);
/** The variable the pipeline reads the `signing-key` input from (never an input variable of git's children). */
export const SIGNING_KEY_ENV = 'GITOPS_BUMP_SIGNING_KEY';

export const INPUT_DEFAULTS = Object.freeze({
  images: '',
  targets: '.',
  scan: 'false',
  set: '',
  plan: '',
  repository: '',
  'server-url': '',
  'api-url': '',
  branch: '',
  'working-directory': '.',
  token: '',
  mode: 'push',
  'commit-message': '',
  'author-name': BOT_NAME,
  'author-email': BOT_EMAIL,
  'pr-title': '',
  'pr-body': '',
  'pr-labels': '',
  'pr-base': '',
  'pr-draft': 'false',
  'pr-branch': '',
  'pr-overwrite': 'false',
  'pr-reviewers': '',
  'pr-team-reviewers': '',
  'pr-assignees': '',
  'pr-milestone': '',
  retries: '5',
  'check-overlay': 'true',
  'fetch-remote-bases': 'true',
  'remote-base-hosts': '',
  'fail-if-unchanged': 'false',
  'promote-from': '',
  'promote-to': '',
  'promote-images': '',
  status: '',
  forge: '',
  sign: '',
  'signing-key': '',
  ...REGISTRY_INPUTS,
});

/** The inputs only mode pull-request reads (the modes are the pipeline's MODES table). */
const PR_INPUTS = Object.freeze(['pr-title', 'pr-body', 'pr-labels', 'pr-base', 'pr-draft', 'pr-branch', 'pr-overwrite', 'pr-reviewers', 'pr-team-reviewers', 'pr-assignees', 'pr-milestone']);

/** An input that is missing or malformed: the message names the input. */
export class InputError extends Error {
  /**
   * @param {string} input the input's name
   * @param {string} message what is wrong, and what was expected
   */
  constructor(input, message) {
    super(`Input '${input}' ${message}`);
    this.name = 'InputError';
    this.input = input;
    this.kind = 'usage';
  }
}

/**
 * The environment variable the runner sets for an input: `INPUT_` + the name in upper
 * case with spaces as `_` (hyphens stay).
 * @param {string} name
 * @returns {string}
 */
export function inputVariable(name) {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/**
 * Reads one input from the environment (trimmed), falling back to its default.
 * @param {NodeJS.ProcessEnv} env
 * @param {string} name
 * @returns {string}
 */
export function getInput(env, name) {
  const raw = env[inputVariable(name)];
  if (raw === undefined || raw.trim() === '') return INPUT_DEFAULTS[/** @type {keyof typeof INPUT_DEFAULTS} */ (name)] ?? '';
  return raw.trim();
}

/**
 * An input's non-empty lines, with `#` comment lines dropped.
 * @param {string} text
 * @returns {string[]}
 */
function lines(text) {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

/**
 * @param {NodeJS.ProcessEnv} env
 * @param {string} name
 * @returns {boolean}
 */
function getBoolean(env, name) {
  const v = getInput(env, name);
  if (['true', 'True', 'TRUE'].includes(v)) return true;
  if (['false', 'False', 'FALSE'].includes(v)) return false;
  throw new InputError(name, `must be true or false, got ${JSON.stringify(v)}`);
}

/**
 * Runs `fn`, turning a package usage error into an InputError for `name`.
 * @template T
 * @param {string} name
 * @param {() => T} fn
 * @returns {T}
 */
function about(name, fn) {
  try {
    return fn();
  } catch (error) {
    if (error instanceof InputError) throw error;
    const message = /** @type {Error} */ (error).message.replace(/^error\[[\w-]+\]: /, '').replace(/^plan: /, '');
    throw new InputError(name, `is invalid: ${message}`);
  }
}

/**
 * The readers of the "what" inputs: each returns plan entries (the plan file format).
 * @type {Record<string, (env: NodeJS.ProcessEnv, ctx: {workspace: string, checkOverlay: boolean}) => object[]>}
 */
export const EDIT_SOURCES = {
  images(env, { checkOverlay }) {
    const specs = lines(getInput(env, 'images'));
    if (!specs.length) return [];
    // with a policy the registry picks the tag: a bare name is the spec then
    const policy = getInput(env, 'policy') !== '';
    specs.forEach((spec, i) => {
      try {
        core.parseImageSpec(policy && !spec.includes('=') && !/[:@][^/]*$/.test(spec) ? `${spec}:0` : spec);
      } catch (error) {
        throw new InputError('images', `line ${i + 1} (${JSON.stringify(spec)}) is not an image spec: ${firstLine(error)}; expected name=newName:newTag@digest, name:tag or name@digest`);
      }
    });
    const twice = repeatedImage(specs);
    if (twice) {
      const { name, first, second } = twice;
      throw new InputError('images', `line ${second + 1} (${JSON.stringify(specs[second])}) names the image ${name} again (line ${first + 1}: ${JSON.stringify(specs[first])}); give each image once: kustomize keeps only the last spec for an image`);
    }
    const targets = lines(getInput(env, 'targets'));
    if (!targets.length) throw new InputError('targets', 'is empty: give at least one overlay directory or file (default .)');
    const scan = getBoolean(env, 'scan');
    const edits = targets.flatMap((target) => specs.map((image) => (scan ? { scan: target, image } : { file: target, image, force: !checkOverlay })));
    about('images', () => validatePlan(edits));
    return edits;
  },
  set(env) {
    const text = getInput(env, 'set');
    if (!text) return [];
    // read as the plan files are: every scalar a string, so `value: 1.10` stays 1.10
    let list = about('set', () => parsePlan(text, { file: 'set', format: 'yaml' }));
    if (list && !Array.isArray(list) && typeof list === 'object') list = [list];
    if (!Array.isArray(list)) throw new InputError('set', 'must be a YAML list of {file, path, value, type, create, select, all}');
    const allowed = ['file', 'path', 'value', 'type', 'create', 'select', 'all'];
    const edits = list.map((item, i) => {
      if (!item || typeof item !== 'object' || Array.isArray(item)) {
        throw new InputError('set', `item ${i + 1} must be a mapping such as {file: values.yaml, path: image.tag, value: "1.2.3"}`);
      }
      const unknown = Object.keys(item).find((k) => !allowed.includes(k));
      if (unknown) throw new InputError('set', `item ${i + 1}: unknown field \`${unknown}\` (allowed: ${allowed.join(', ')})`);
      if (item.path === undefined) throw new InputError('set', `item ${i + 1}: \`path\` is required`);
      const { path: keyPath, ...rest } = item;
      return { ...rest, set: keyPath };
    });
    return about('set', () => {
      validatePlan(edits);
      return edits;
    });
  },
  promote(env) {
    const from = getInput(env, 'promote-from');
    const to = getInput(env, 'promote-to');
    if (!from && !to) return [];
    if (!from || !to) throw new InputError(from ? 'promote-to' : 'promote-from', 'is empty: a promotion needs both promote-from and promote-to');
    const images = lines(getInput(env, 'promote-images')).flatMap((l) => l.split(/\s+/));
    return about('promote-images', () => {
      const edits = [{ promote: to, from, images }];
      validatePlan(edits);
      return edits;
    });
  },
  plan(env, { workspace }) {
    const file = getInput(env, 'plan');
    if (!file) return [];
    const abs = path.resolve(workspace, file);
    return about('plan', () => {
      const plan = /** @type {any} */ (loadPlan(abs));
      validatePlan(plan);
      return Array.isArray(plan) ? plan : plan.edits;
    });
  },
};

/**
 * @param {unknown} error
 * @returns {string}
 */
function firstLine(error) {
  return String(/** @type {Error} */ (error)?.message ?? error).split('\n')[0].replace(/^error\[[\w-]+\]: /, '');
}

/**
 * Names separated by commas or newlines.
 * @param {string} text
 * @returns {string[]}
 */
function list(text) {
  return text
    .split(/[,\n]/)
    .map((l) => l.trim())
    .filter(Boolean);
}

/**
 * The pr-milestone input: a milestone's number, or undefined.
 * @param {NodeJS.ProcessEnv} env
 * @returns {number | undefined}
 */
function milestoneInput(env) {
  const text = getInput(env, 'pr-milestone');
  if (!text) return undefined;
  if (!/^[1-9]\d{0,9}$/.test(text)) throw new InputError('pr-milestone', `must be the milestone's number (as in its URL, .../milestone/3), got ${JSON.stringify(text)}`);
  return Number(text);
}

/**
 * The api-url input: an https URL (plain http only to this machine), or undefined.
 * @param {NodeJS.ProcessEnv} env
 * @returns {string | undefined}
 */
function apiUrlInput(env) {
  const url = getInput(env, 'api-url');
  if (!url) return undefined;
  if (!/^https:\/\/[^/\s]+/i.test(url) && !/^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/i.test(url)) {
    throw new InputError('api-url', `must be an https:// URL such as https://ghe.example.com/api/v3, got ${JSON.stringify(url)}`);
  }
  return url.replace(/\/+$/, '');
}

/**
 * The pipeline's own check of a clone URL (one rule for both: plain http only to a
 * loopback address), as an error naming the input.
 * @param {string} input
 * @param {string} url
 * @param {string} given the input's value
 */
function allowedRemote(input, url, given) {
  try {
    checkRemoteUrl(url, input);
  } catch {
    throw new InputError(input, `must be an https:// (or ssh://, file://) URL: plain http:// is refused except to this machine (127.0.0.1), got ${JSON.stringify(given)}`);
  }
}

/**
 * Where the config repository comes from: the checkout (null), or `owner/name` under
 * `server-url` (default `GITHUB_SERVER_URL`, i.e. github.com or a GHES host), or a URL.
 * @param {string} repository
 * @param {string} serverUrl
 * @returns {{slug: string | null, url: string} | null}
 */
export function repositorySource(repository, serverUrl) {
  if (!repository) return null;
  if (/^[\w.-]+\/[\w.-]+$/.test(repository) && !repository.includes('..')) {
    const base = serverUrl.replace(/\/+$/, '');
    if (!/^(https?|file):\/\/./.test(base)) {
      throw new InputError('server-url', `must be an http(s) or file URL, got ${JSON.stringify(serverUrl)}`);
    }
    const url = `${base}/${repository.replace(/\.git$/, '')}.git`;
    allowedRemote('server-url', url, serverUrl);
    return { slug: repository.replace(/\.git$/, ''), url };
  }
  if (/^(https?|ssh|file):\/\/./.test(repository) || /^[\w.-]+@[\w.-]+:/.test(repository)) {
    if (/^[a-z]+:\/\/[^/]*@/i.test(repository) && /^https?:/i.test(repository)) {
      throw new InputError('repository', 'must not carry credentials in the URL: give them as token');
    }
    allowedRemote('repository', repository, repository);
    return { slug: null, url: repository };
  }
  throw new InputError('repository', `must be owner/name (or a clone URL), got ${JSON.stringify(repository)}`);
}

/**
 * @typedef {object} Settings
 * @property {string} mode
 * @property {{edits: object[]}} plan
 * @property {string} workspace absolute
 * @property {string} workingDirectory relative to the workspace, or to the clone's root
 * @property {{slug: string | null, url: string} | null} repository
 * @property {string} token
 * @property {string} serverUrl
 * @property {boolean} failIfUnchanged
 * @property {boolean} preview true in dry-run: nothing is written
 * @property {Record<string, any>} git the git options of runPipeline (without env and log)
 * @property {string[]} warnings inputs given that the mode does not read
 * @property {{from: string, to: string, images: string[]} | null} promotion the promote-* inputs
 * @property {string[]} status the environments of the status input
 * @property {import('./registry.js').RegistryInputs} registry the registry checks and credentials
 * @property {{allow: boolean, hosts: string[] | null}} remoteBases whether the overlay check fetches remote bases, and from which hosts
 */

/**
 * Reads and checks every input. Throws an {@link InputError} for the first problem.
 * @param {NodeJS.ProcessEnv} env the runner's environment
 * @returns {Settings}
 */
export function readInputs(env) {
  // the orb's spelling (pull_request, dry_run, api_commit) is taken too
  let mode;
  try {
    mode = parseMode(getInput(env, 'mode'), 'action');
  } catch (e) {
    throw new InputError('mode', /** @type {Error} */ (e).message);
  }
  const spec = MODES[mode];
  const workspace = path.resolve(env.GITHUB_WORKSPACE || process.cwd());
  const workingDirectory = getInput(env, 'working-directory');
  const wd = path.normalize(workingDirectory);
  if (path.isAbsolute(wd) || wd === '..' || wd.startsWith(`..${path.sep}`)) {
    throw new InputError('working-directory', `must be a path inside the workspace (or the cloned repository), got ${JSON.stringify(workingDirectory)}`);
  }
  const serverUrl = getInput(env, 'server-url') || env.GITHUB_SERVER_URL || 'https://github.com';
  const repository = repositorySource(getInput(env, 'repository'), serverUrl);
  if (!repository) {
    let isDir = false;
    try {
      isDir = statSync(path.join(workspace, wd)).isDirectory();
    } catch {
      isDir = false;
    }
    if (!isDir) throw new InputError('working-directory', `is not a directory of the workspace: ${path.join(workspace, wd)} (did a checkout step run first?)`);
  }
  if (spec.preview && repository) {
    throw new InputError('mode', "is dry-run, which previews the files of a checkout; with 'repository' there is none: check the config repository out with actions/checkout and point 'working-directory' at it");
  }

  const checkOverlay = getBoolean(env, 'check-overlay');
  const edits = Object.values(EDIT_SOURCES).flatMap((read) => read(env, { workspace, checkOverlay }));
  if (!edits.length) {
    throw new InputError('images', "is empty, and so are 'set', 'plan' and 'promote-from': give at least one image (name=newName:newTag), a 'set' list, a 'plan' file or a promotion");
  }
  const promotion = edits.find((e) => 'promote' in e);
  if (promotion && edits.length > 1) {
    throw new InputError('promote-from', "stands alone: give either a promotion or images/set/plan, not both");
  }

  const token = getInput(env, 'token');
  if (spec.api && !token) throw new InputError('token', `is empty: mode ${mode} calls the GitHub API and needs a token`);

  const forge = getInput(env, 'forge') || undefined;
  if (forge && !FORGE_NAMES.includes(forge)) throw new InputError('forge', `must be one of ${FORGE_NAMES.join(', ')} (or empty: from the repository's host), got ${JSON.stringify(forge)}`);
  const sign = getInput(env, 'sign') || undefined;
  if (sign && !['ssh', 'gpg'].includes(sign)) throw new InputError('sign', `must be ssh or gpg (or empty: unsigned), got ${JSON.stringify(sign)}`);
  if (sign && !getInput(env, 'signing-key')) throw new InputError('signing-key', `is empty: sign ${sign} needs the private key (from a secret)`);
  if (sign && mode === 'api-commit') throw new InputError('sign', 'signs the commits git makes; in mode api-commit GitHub makes and signs the commit');

  const retriesText = getInput(env, 'retries');
  if (!/^\d{1,3}$/.test(retriesText) || Number(retriesText) > 100) {
    throw new InputError('retries', `must be a whole number from 0 to 100, got ${JSON.stringify(retriesText)}`);
  }
  const authorName = getInput(env, 'author-name');
  const authorEmail = getInput(env, 'author-email');
  if (/[<>\n]/.test(authorName)) throw new InputError('author-name', `must not contain <, > or a newline, got ${JSON.stringify(authorName)}`);
  if (!/^[^<>\s]+$/.test(authorEmail)) throw new InputError('author-email', `must be an e-mail address without spaces or <>, got ${JSON.stringify(authorEmail)}`);
  const prDraft = getBoolean(env, 'pr-draft');
  const failIfUnchanged = getBoolean(env, 'fail-if-unchanged');
  const labels = getInput(env, 'pr-labels')
    .split(/[,\n]/)
    .map((l) => l.trim())
    .filter(Boolean);
  const warnings = PR_INPUTS.filter((name) => mode !== 'pull-request' && getInput(env, name) !== INPUT_DEFAULTS[/** @type {keyof typeof INPUT_DEFAULTS} */ (name)]).map(
    (name) => `Input '${name}' is only read in mode pull-request; mode is ${mode}`,
  );
  const optional = (/** @type {string} */ name) => getInput(env, name) || undefined;

  return {
    mode,
    plan: { edits },
    workspace,
    workingDirectory: wd,
    repository,
    token,
    serverUrl,
    failIfUnchanged,
    preview: spec.preview !== null,
    promotion: promotion ? { from: promotion.from, to: promotion.promote, images: promotion.images } : null,
    status: lines(getInput(env, 'status')),
    registry: readRegistryInputs((name) => getInput(env, name), (name) => getBoolean(env, name), InputError),
    remoteBases: { allow: getBoolean(env, 'fetch-remote-bases'), hosts: about('remote-base-hosts', () => parseHosts(getInput(env, 'remote-base-hosts'), 'remote-base-hosts')) },
    warnings,
    git: {
      ...spec.git,
      repo: repository?.url,
      githubRepo: repository?.slug ?? undefined,
      branch: optional('branch'),
      message: optional('commit-message'),
      // an API commit without an author is authored by the token's owner (as GitHub signs it)
      author: mode === 'api-commit' && authorName === BOT_NAME && authorEmail === BOT_EMAIL ? undefined : `${authorName} <${authorEmail}>`,
      retries: Number(retriesText),
      title: optional('pr-title') ?? (promotion ? `Promote ${promotion.from} to ${promotion.promote}` : undefined),
      body: optional('pr-body'),
      labels,
      draft: prDraft,
      base: optional('pr-base'),
      prBranch: optional('pr-branch'),
      prOverwrite: getBoolean(env, 'pr-overwrite'),
      reviewers: list(getInput(env, 'pr-reviewers')),
      teamReviewers: list(getInput(env, 'pr-team-reviewers')),
      assignees: list(getInput(env, 'pr-assignees')),
      milestone: milestoneInput(env),
      sourceSha: env.GITHUB_SHA || undefined,
      // empty: the pipeline takes the runner's API only for a repository on the runner's server
      apiUrl: apiUrlInput(env),
      forge,
      sign,
      signingKeyEnv: sign ? SIGNING_KEY_ENV : undefined,
    },
  };
}
