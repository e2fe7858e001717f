/**
 * The runner's side of the protocol, written out: workflow commands on stdout
 * (`::add-mask::`, `::group::`, `::error …::`) and the environment files the runner
 * names (`GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`). Small enough to own; see
 * docs/decisions/action-runner-protocol.md for why this is not `@actions/core`.
 *
 * @module gitops-bump-action/workflow
 */
import { appendFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';

/**
 * Escapes the message part of a workflow command (`::name props::MESSAGE`).
 * @param {unknown} text
 * @returns {string}
 */
export function escapeData(text) {
  return String(text ?? '').replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/**
 * Escapes a property value of a workflow command (`file=VALUE,line=…`).
 * @param {unknown} text
 * @returns {string}
 */
export function escapeProperty(text) {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * One `name<<DELIMITER` record of an environment file; the delimiter is random and
 * checked against the value, so no value can end the record early and forge another.
 * @param {string} name
 * @param {string} value
 * @returns {string}
 */
export function fileRecord(name, value) {
  const delimiter = `ghadelimiter_${randomUUID()}`;
  if (name.includes(delimiter) || value.includes(delimiter)) {
    throw new Error(`the value of ${name} contains the random delimiter; refusing to write it`);
  }
  return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
}

/** Talks to the runner: outputs, the job summary, masks, groups and annotations. */
export class Workflow {
  /**
   * @param {{env?: NodeJS.ProcessEnv, stdout?: {write(s: string): unknown}}} [options]
   */
  constructor({ env = process.env, stdout = process.stdout } = {}) {
    this.env = env;
    this.stdout = stdout;
    /** @type {string[]} values given to addMask, also masked in what this object prints */
    this.secrets = [];
  }

  /**
   * Prints one line, with every registered secret replaced by `***` (the runner masks
   * too; this covers a runner that does not, and lines written before it knew).
   * @param {string} line
   */
  line(line) {
    this.stdout.write(`${this.mask(line)}\n`);
  }

  /**
   * @param {string} text
   * @returns {string}
   */
  mask(text) {
    let out = String(text);
    for (const s of this.secrets) out = out.split(s).join('***');
    return out;
  }

  /**
   * Registers a secret with the runner (each line separately, as the runner masks lines).
   * @param {string | null | undefined} value
   */
  addMask(value) {
    for (const part of String(value ?? '').split(/\r?\n/)) {
      if (part.trim().length < 4 || this.secrets.includes(part)) continue;
      this.stdout.write(`::add-mask::${escapeData(part)}\n`);
      this.secrets.push(part);
    }
    this.secrets.sort((a, b) => b.length - a.length);
  }

  /**
   * Runs `fn` inside a collapsed log group.
   * @template T
   * @param {string} title
   * @param {() => Promise<T>} fn
   * @returns {Promise<T>}
   */
  async group(title, fn) {
    this.line(`::group::${escapeData(title)}`);
    try {
      return await fn();
    } finally {
      this.line('::endgroup::');
    }
  }

  /**
   * An error annotation; with `file` (relative to the workspace) GitHub shows it on
   * that line of the file.
   * @param {string} message
   * @param {{file?: string, line?: number, col?: number, title?: string}} [where]
   */
  error(message, where = {}) {
    this.annotate('error', message, where);
  }

  /**
   * A warning annotation (the run goes on).
   * @param {string} message
   * @param {{file?: string, line?: number, col?: number, title?: string}} [where]
   */
  warning(message, where = {}) {
    this.annotate('warning', message, where);
  }

  /**
   * @param {'error' | 'warning'} level
   * @param {string} message
   * @param {{file?: string, line?: number, col?: number, title?: string}} where
   */
  annotate(level, message, where) {
    const props = Object.entries({ file: where.file, line: where.line, col: where.col, title: where.title })
      .filter(([, v]) => v !== undefined && v !== null && v !== '')
      .map(([k, v]) => `${k}=${escapeProperty(this.mask(String(v)))}`)
      .join(',');
    this.line(`::${level}${props ? ` ${props}` : ''}::${escapeData(this.mask(message))}`);
  }

  /**
   * Sets a step output (written to `GITHUB_OUTPUT`; printed as the old `::set-output`
   * is not, since runners no longer accept it).
   * @param {string} name
   * @param {string} value
   */
  setOutput(name, value) {
    this.appendFile('GITHUB_OUTPUT', fileRecord(name, this.mask(value)));
  }

  /**
   * Appends Markdown to the job summary.
   * @param {string} markdown
   */
  summary(markdown) {
    this.appendFile('GITHUB_STEP_SUMMARY', this.mask(markdown));
  }

  /**
   * @param {string} variable name of the environment variable holding the file's path
   * @param {string} text
   */
  appendFile(variable, text) {
    const file = this.env[variable];
    if (!file) {
      this.line(`${variable} is not set (not running under a runner?): not written`);
      return;
    }
    appendFileSync(file, text, 'utf8');
  }
}
