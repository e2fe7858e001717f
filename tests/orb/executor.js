// A small stand-in for CircleCI's runner, enough to run the packed orb's jobs on this
// machine the way CircleCI would:
// - parameters are bound and type-checked (string, boolean, integer, enum, env_var_name,
//   executor) with their defaults, then `<< parameters.x >>` / `<< pipeline.x >>` are
//   substituted in the component's data (a whole-value reference keeps the value's type;
//   substitution happens once, so a value that itself looks like `<< … >>` stays text);
// - steps run in order; `run` writes its command to a file and runs it with
//   `/bin/bash -eo pipefail`, in `working_directory`, with the job's `environment:` and the
//   step's, the CIRCLE_* variables and a fresh $BASH_ENV sourced by every step;
// - `checkout` clones the project and, as CircleCI's does, writes
//   `url."ssh://git@github.com".insteadOf https://github.com` (and `gc.auto 0`) into
//   ~/.gitconfig, so every later https URL of github.com is rewritten to SSH; the same rule
//   is written for the project's `vcsUrl` (the local server standing in for github.com),
//   where the SSH it leads to fails as CircleCI's read-only checkout key does; `add_ssh_keys` writes the project's keys to
//   ~/.ssh/id_rsa_<md5 fingerprint>; restore_cache/save_cache keep tarballs in a local
//   directory (prefix match on keys, `{{ arch }}`); store_artifacts copies into a directory;
//   `when`/`unless` evaluate their condition; orb commands expand recursively.
// What it does not emulate: the Docker image (steps run on this host, as this user, with
// a temporary HOME), contexts (pass secrets in `env`), and workflows.

import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A configuration error CircleCI would report before running anything. */
export class ConfigError extends Error {}

const REF = /<<\s*((?:parameters|pipeline)\.[A-Za-z0-9_.-]+)\s*>>/g;

/**
 * Binds invocation arguments to declared parameters: unknown names, missing required
 * values and values of the wrong type are ConfigErrors.
 * @param {Record<string, any>} declared
 * @param {Record<string, unknown>} given
 * @param {string} where
 * @returns {Record<string, unknown>}
 */
export function bindParameters(declared = {}, given = {}, where = '') {
  for (const k of Object.keys(given)) {
    if (!Object.hasOwn(declared, k)) throw new ConfigError(`${where}: unknown parameter \`${k}\``);
  }
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const [name, p] of Object.entries(declared)) {
    const v = Object.hasOwn(given, name) ? given[name] : p.default;
    if (v === undefined) throw new ConfigError(`${where}: missing required parameter \`${name}\``);
    const bad = (expected) => new ConfigError(`${where}: parameter \`${name}\` expects ${expected}, got ${JSON.stringify(v)}`);
    switch (p.type) {
      case 'string':
        if (typeof v !== 'string') throw bad('a string');
        break;
      case 'boolean':
        if (typeof v !== 'boolean') throw bad('a boolean');
        break;
      case 'integer':
        if (!Number.isInteger(v)) throw bad('an integer');
        break;
      case 'enum':
        if (!p.enum.includes(v)) throw bad(`one of ${p.enum.join(', ')}`);
        break;
      case 'env_var_name':
        if (typeof v !== 'string' || !/^[a-zA-Z][a-zA-Z0-9_-]+$/.test(v)) throw bad('an environment variable name');
        break;
      case 'executor':
      case 'steps':
        break;
      default:
        throw new ConfigError(`${where}: parameter \`${name}\` has unknown type ${p.type}`);
    }
    out[name] = v;
  }
  return out;
}

/**
 * Substitutes parameter and pipeline references in `node` (once, not recursively).
 * @param {unknown} node
 * @param {{parameters: Record<string, unknown>, pipeline: Record<string, unknown>}} values
 * @param {string} where
 * @returns {unknown}
 */
export function substitute(node, values, where) {
  const lookup = (ref) => {
    const [scope, ...rest] = ref.split('.');
    const key = rest.join('.');
    const table = values[scope] ?? {};
    if (!Object.hasOwn(table, key)) throw new ConfigError(`${where}: unknown reference << ${ref} >>`);
    return table[key];
  };
  if (typeof node === 'string') {
    const whole = /^<<\s*((?:parameters|pipeline)\.[A-Za-z0-9_.-]+)\s*>>$/.exec(node);
    if (whole) return lookup(whole[1]);
    return node.replace(REF, (_, ref) => String(lookup(ref)));
  }
  if (Array.isArray(node)) return node.map((v) => substitute(v, values, where));
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [substitute(k, values, where), substitute(v, values, where)]));
  }
  return node;
}

/** CircleCI's truthiness for `when` conditions. */
function truthy(v) {
  return !(v === false || v === null || v === undefined || v === '' || v === 0);
}

/** Evaluates a `when`/`unless` condition (literal, not, and, or, equal). */
export function evaluate(cond) {
  if (cond && typeof cond === 'object' && !Array.isArray(cond)) {
    if ('not' in cond) return !evaluate(cond.not);
    if ('and' in cond) return cond.and.every(evaluate);
    if ('or' in cond) return cond.or.some(evaluate);
    if ('equal' in cond) return cond.equal.every((v) => JSON.stringify(v) === JSON.stringify(cond.equal[0]));
  }
  return truthy(cond);
}

/**
 * @typedef {object} RunnerOptions
 * @property {object} orb             the packed orb (data)
 * @property {string} [orbAlias]      how configs name the orb (default gitops-bump)
 * @property {{url: string, sha?: string, branch?: string, username?: string, reponame?: string, vcsUrl?: string, originUrl?: string}} project
 *   url: where checkout clones from; originUrl: what `origin` says afterwards (default url);
 *   vcsUrl: the origin (scheme://host:port) standing in for https://github.com
 * @property {Record<string, string>} [env]        project/context variables (secrets go here)
 * @property {string[]} [path]         directories put before the system PATH
 * @property {Record<string, string>} [sshKeys]    md5 fingerprint ("aa:bb:..") -> private key text
 * @property {string} [cacheDir]       where caches persist between jobs
 * @property {Record<string, unknown>} [pipeline] pipeline values (git.revision, git.tag, …)
 * @property {number} [stepTimeoutMs]  kill a step after this long (default 240 s)
 * @property {string} [shell]  the default shell of `run` steps: CircleCI's is `/bin/bash -eo pipefail`
 *   when the image has bash, else `/bin/sh -eo pipefail`; for an image without bash give
 *   `/bin/sh -e` (dash, this machine's /bin/sh, has no pipefail; busybox's sh has)
 */

/** Runs orb jobs on this host the way CircleCI's runner would (see the file comment). */
export class Runner {
  /** @param {RunnerOptions} options */
  constructor(options) {
    this.o = options;
    this.alias = options.orbAlias ?? 'gitops-bump';
    this.cacheDir = options.cacheDir ?? mkdtempSync(path.join(tmpdir(), 'orb-cache-'));
    this.buildNum = 0;
  }

  /**
   * Runs job `name` of the orb with `args`. Never throws for a failing step (the result says
   * so); throws ConfigError for a config CircleCI would refuse.
   * @param {string} name
   * @param {Record<string, unknown>} args
   * @param {{jobEnv?: Record<string, string>}} [extra]
   */
  async runJob(name, args = {}, { jobEnv = {} } = {}) {
    const job = this.o.orb.jobs?.[name];
    if (!job) throw new ConfigError(`no job \`${name}\` in the orb`);
    const params = bindParameters(job.parameters, args, `jobs/${name}`);
    const body = substitute(job, { parameters: params, pipeline: this.pipelineValues() }, `jobs/${name}`);
    return this.execute(name, body, jobEnv);
  }

  /**
   * Runs job `name` of a user's config (e.g. an example's `usage`) that uses the orb.
   * @param {{jobs: Record<string, any>}} config
   * @param {string} name
   * @param {{jobEnv?: Record<string, string>}} [extra]
   */
  async runConfigJob(config, name, { jobEnv = {} } = {}) {
    const job = config.jobs?.[name];
    if (!job) throw new ConfigError(`no job \`${name}\` in the config`);
    const body = substitute(job, { parameters: bindParameters(job.parameters, {}, `jobs/${name}`), pipeline: this.pipelineValues() }, `jobs/${name}`);
    return this.execute(name, body, jobEnv);
  }

  /** Runs a job body whose references are substituted. */
  async execute(name, body, jobEnv) {
    this.resolveExecutor(body.executor, `jobs/${name}`);
    this.buildNum += 1;
    const root = mkdtempSync(path.join(tmpdir(), 'orb-job-'));
    const home = path.join(root, 'home');
    mkdirSync(home, { recursive: true });
    const workdir = path.join(home, 'project');
    const bashEnv = path.join(root, 'bash_env');
    writeFileSync(bashEnv, '');
    const p = this.o.project;
    const job$ = {
      root,
      home,
      workdir,
      artifacts: path.join(root, 'artifacts'),
      env: {
        PATH: [...(this.o.path ?? []), process.env.PATH].join(':'),
        HOME: home,
        USER: process.env.USER ?? 'circleci',
        LANG: 'C.UTF-8',
        SHELL: '/bin/bash',
        BASH_ENV: bashEnv,
        CI: 'true',
        CIRCLECI: 'true',
        CIRCLE_JOB: name,
        CIRCLE_BUILD_NUM: String(this.buildNum),
        CIRCLE_BUILD_URL: `https://circleci.example/jobs/${this.buildNum}`,
        CIRCLE_BRANCH: p.branch ?? 'main',
        CIRCLE_SHA1: p.sha ?? '',
        CIRCLE_PROJECT_USERNAME: p.username ?? 'acme',
        CIRCLE_PROJECT_REPONAME: p.reponame ?? 'app',
        CIRCLE_REPOSITORY_URL: p.url,
        CIRCLE_WORKING_DIRECTORY: '~/project',
        CIRCLE_NODE_INDEX: '0',
        CIRCLE_NODE_TOTAL: '1',
        ...(this.o.env ?? {}),
        ...(body.environment ?? {}),
        ...jobEnv,
      },
      steps: [],
      failed: false,
    };
    mkdirSync(workdir, { recursive: true });
    await this.runSteps(body.steps, job$, `jobs/${name}`);
    const output = job$.steps.map((s) => `==> ${s.name}\n${s.output}`).join('\n');
    return { exitCode: job$.failed ? 1 : 0, steps: job$.steps, output, home, workdir, artifacts: job$.artifacts, root };
  }

  /** Checks an `executor:` reference against the orb's executors and their parameters. */
  resolveExecutor(ref, where) {
    if (!ref) throw new ConfigError(`${where}: no executor`);
    const [ref$, args] = typeof ref === 'string' ? [ref, {}] : [ref.name, Object.fromEntries(Object.entries(ref).filter(([k]) => k !== 'name'))];
    const name = ref$.startsWith(`${this.alias}/`) ? ref$.slice(this.alias.length + 1) : ref$;
    const executor = this.o.orb.executors?.[name];
    if (!executor) throw new ConfigError(`${where}: unknown executor \`${name}\``);
    const params = bindParameters(executor.parameters, args, `executors/${name}`);
    return substitute(executor, { parameters: params, pipeline: {} }, `executors/${name}`);
  }

  pipelineValues() {
    const p = this.o.project;
    return { 'git.revision': p.sha ?? '', 'git.branch': p.branch ?? 'main', 'git.tag': '', number: this.buildNum + 1, ...(this.o.pipeline ?? {}) };
  }

  async runSteps(steps, job$, where) {
    for (const [i, step] of (steps ?? []).entries()) {
      await this.runStep(step, job$, `${where}/steps[${i}]`);
    }
  }

  async runStep(step, job$, where) {
    const [kind, args] = typeof step === 'string' ? [step, {}] : Object.entries(step)[0];
    const a = /** @type {any} */ (args ?? {});
    if (kind === 'when' || kind === 'unless') {
      if (evaluate(a.condition) === (kind === 'when')) await this.runSteps(a.steps, job$, where);
      return;
    }
    const onlyOnSuccess = kind !== 'run' || (a.when ?? 'on_success') === 'on_success';
    if (job$.failed && onlyOnSuccess && !(kind === 'run' && a.when === 'always')) return;
    if (kind === 'run' && a.when === 'on_fail' && !job$.failed) return;
    switch (kind) {
      case 'run':
        return this.run(a, job$);
      case 'checkout':
        return this.record(job$, 'Checkout code', () => this.checkout(job$));
      case 'add_ssh_keys':
        return this.record(job$, 'Add SSH keys', () => this.addSshKeys(a, job$));
      case 'restore_cache':
        return this.record(job$, a.name ?? 'Restoring cache', () => this.restoreCache(a, job$));
      case 'save_cache':
        return this.record(job$, a.name ?? 'Saving cache', () => this.saveCache(a, job$));
      case 'store_artifacts':
        return this.record(job$, 'Uploading artifacts', () => this.storeArtifacts(a, job$));
      default:
        return this.runCommand(kind, a, job$, where);
    }
  }

  /** Expands an orb command invocation. */
  async runCommand(ref, args, job$, where) {
    const name = ref.startsWith(`${this.alias}/`) ? ref.slice(this.alias.length + 1) : ref;
    const command = this.o.orb.commands?.[name];
    if (!command) throw new ConfigError(`${where}: unknown step or command \`${ref}\``);
    const params = bindParameters(command.parameters, args, `commands/${name}`);
    const body = /** @type {any} */ (substitute(command, { parameters: params, pipeline: this.pipelineValues() }, `commands/${name}`));
    await this.runSteps(body.steps, job$, `commands/${name}`);
  }

  /** Runs a built-in step's function and records it like a step. */
  async record(job$, name, fn) {
    try {
      const output = (await fn()) ?? '';
      job$.steps.push({ name, exitCode: 0, output });
    } catch (e) {
      job$.steps.push({ name, exitCode: 1, output: String(e.message) });
      job$.failed = true;
    }
  }

  expand(p, job$) {
    return p.replace(/^~(?=$|\/)/, job$.home);
  }

  async run(a, job$) {
    const spec = typeof a === 'string' ? { command: a } : a;
    const name = spec.name ?? spec.command.split('\n')[0];
    const cwd = path.resolve(job$.workdir, this.expand(String(spec.working_directory ?? '.'), job$));
    mkdirSync(cwd, { recursive: true });
    const file = path.join(job$.root, `step-${job$.steps.length}.sh`);
    writeFileSync(file, spec.command);
    const env = { ...job$.env };
    for (const [k, v] of Object.entries(spec.environment ?? {})) env[k] = typeof v === 'string' ? v : String(v);
    const [shell, ...flags] = (spec.shell ?? this.o.shell ?? '/bin/bash -eo pipefail').split(/\s+/);
    const { code, output } = await spawnLogged(shell, [...flags, file], { cwd, env, timeoutMs: this.o.stepTimeoutMs ?? 240_000 });
    job$.steps.push({ name, exitCode: code, output });
    if (code !== 0) job$.failed = true;
  }

  checkout(job$) {
    const p = this.o.project;
    const r = spawnSync('git', ['clone', '--quiet', p.url, job$.workdir], { env: job$.env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git clone failed: ${r.stderr}`);
    if (p.sha) {
      const c = spawnSync('git', ['checkout', '--quiet', '-B', p.branch ?? 'main', p.sha], { cwd: job$.workdir, env: job$.env, encoding: 'utf8' });
      if (c.status !== 0) throw new Error(`git checkout failed: ${c.stderr}`);
    }
    if (p.originUrl) spawnSync('git', ['remote', 'set-url', 'origin', p.originUrl], { cwd: job$.workdir, env: job$.env });
    // CircleCI's checkout: "use git+ssh instead of https", in the job's global git config
    const rules = [['ssh://git@github.com', 'https://github.com']];
    if (p.vcsUrl) rules.push([p.vcsUrl.replace(/^https?:\/\//, 'ssh://git@'), p.vcsUrl]);
    for (const [base, prefix] of [...rules, ['gc', '0']]) {
      const args = base === 'gc' ? ['config', '--global', 'gc.auto', prefix] : ['config', '--global', '--add', `url.${base}.insteadOf`, prefix];
      const c = spawnSync('git', args, { env: job$.env, encoding: 'utf8' });
      if (c.status !== 0) throw new Error(`git config failed: ${c.stderr}`);
    }
    return `cloned ${p.url} into ${job$.workdir}\n`;
  }

  /**
   * Writes the project's keys (all of them without `fingerprints`, as CircleCI does) to
   * ~/.ssh/id_rsa_<md5 hex>; a fingerprint may be given as MD5 (with or without `MD5:`) or
   * SHA256, and one that names no key of the project fails the step.
   */
  addSshKeys(a, job$) {
    const dir = path.join(job$.home, '.ssh');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const wanted = a.fingerprints?.map(String);
    const keys = Object.entries(this.o.sshKeys ?? {}).map(([fp, key]) => [fp, key, [fp, `MD5:${fp}`, sha256Fingerprint(key)]]);
    for (const w of wanted ?? []) {
      if (!keys.some(([, , names]) => names.includes(w))) throw new Error(`Error: no SSH key with fingerprint ${w} in the project settings`);
    }
    let n = 0;
    for (const [fp, key, names] of keys) {
      if (wanted && !names.some((x) => wanted.includes(x))) continue;
      const file = path.join(dir, `id_rsa_${fp.replace(/:/g, '')}`);
      writeFileSync(file, key, { mode: 0o600 });
      chmodSync(file, 0o600);
      n += 1;
    }
    return `added ${n} key(s)\n`;
  }

  cacheKey(template) {
    return template.replace(/\{\{\s*arch\s*\}\}/g, `arch1-linux-${process.arch}`);
  }

  restoreCache(a, job$) {
    const keys = (a.keys ?? [a.key]).map((k) => this.cacheKey(k));
    const saved = readdirSync(this.cacheDir).map((f) => decodeURIComponent(f.replace(/\.tar$/, '')));
    for (const key of keys) {
      const hit = saved.find((s) => s.startsWith(key));
      if (hit) {
        const r = spawnSync('tar', ['-xf', path.join(this.cacheDir, `${encodeURIComponent(hit)}.tar`), '-C', job$.home]);
        if (r.status !== 0) throw new Error(`tar failed: ${r.stderr}`);
        return `Found a cache from key ${hit}\n`;
      }
    }
    return `No cache is found for keys: ${keys.join(', ')}\n`;
  }

  saveCache(a, job$) {
    const key = this.cacheKey(a.key);
    const file = path.join(this.cacheDir, `${encodeURIComponent(key)}.tar`);
    if (existsSync(file)) return `Skipping cache generation, cache already exists for key: ${key}\n`;
    const rel = a.paths.map((p) => path.relative(job$.home, this.expand(p, job$))).filter((p) => existsSync(path.join(job$.home, p)));
    if (rel.length === 0) return `Warning: none of the paths exist: ${a.paths.join(', ')}; no cache saved\n`;
    const r = spawnSync('tar', ['-cf', file, '-C', job$.home, ...rel]);
    if (r.status !== 0) throw new Error(`tar failed: ${r.stderr}`);
    return `Stored cache ${key}\n`;
  }

  storeArtifacts(a, job$) {
    const src = path.resolve(job$.workdir, this.expand(String(a.path), job$));
    if (!existsSync(src)) return `Warning: ${src} does not exist; nothing uploaded\n`;
    const dest = path.join(job$.artifacts, a.destination ?? path.basename(src));
    mkdirSync(path.dirname(dest), { recursive: true });
    cpSync(src, dest, { recursive: true });
    return `Uploaded ${src} as ${a.destination ?? path.basename(src)}\n`;
  }
}

/** `SHA256:…` of a private key's public half, as ssh-keygen -l prints it. */
function sha256Fingerprint(key) {
  const dir = mkdtempSync(path.join(tmpdir(), 'orb-key-'));
  try {
    const file = path.join(dir, 'key');
    writeFileSync(file, key, { mode: 0o600 });
    return spawnSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', file], { encoding: 'utf8' }).stdout.split(' ')[1] ?? '';
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs a process with stdout and stderr interleaved into one log, killed after timeoutMs.
 * @returns {Promise<{code: number, output: string}>}
 */
function spawnLogged(cmd, args, { cwd, env, timeoutMs }) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks = [];
    child.stdout.on('data', (d) => chunks.push(d));
    child.stderr.on('data', (d) => chunks.push(d));
    const timer = setTimeout(() => {
      chunks.push(Buffer.from(`\nToo long with no output (exceeded ${timeoutMs} ms): killed\n`));
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 137 : 1), output: Buffer.concat(chunks).toString('utf8') });
    });
  });
}
