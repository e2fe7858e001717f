#!/usr/bin/env node
// Pins the CLI release an orb release installs: the default `version` and `integrity`
// (npm's sha512 of the release tarball) of the install command, the bump command and the
// bump job, in the orb's source tree. The release pipeline runs it on a tag, after the
// npm package is published and before the orb is packed, with the integrity the registry
// reports for that version; the committed source keeps an empty integrity (a development
// orb has no release to pin, and its install step asks for one).
//
// Only the `default:` line of each of those two parameters changes (a text edit, so
// comments and layout stay); each must be found exactly once per file.
//
// Usage: node orb/tools/pin.mjs --version 0.1.0 --integrity sha512-... [SRC_DIR]
//        node orb/tools/pin.mjs --version 0.1.0 --from-registry [SRC_DIR]
//          (asks `npm view gitops-bump@VERSION dist.integrity`, with the npm config in force)

import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ORB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The source files whose parameters carry the pinned release. */
export const PINNED_FILES = ['commands/install.yml', 'commands/bump.yml', 'jobs/bump.yml'];

const VERSION = /^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$/;
const INTEGRITY = /^sha512-[A-Za-z0-9+/]{86}==$/;

/** Thrown for bad arguments or a source tree this tool cannot pin; the message says which. */
export class PinError extends Error {}

/**
 * Replaces the `default:` of the top-level parameter NAME in one component's text.
 * @param {string} text @param {string} name @param {string} value @param {string} file
 */
function setDefault(text, name, value, file) {
  const re = new RegExp(`^(  ${name}:\\n    type: string\\n    default: ).*$`, 'gm');
  const found = text.match(re)?.length ?? 0;
  if (found !== 1) throw new PinError(`${file}: expected the parameter \`${name}\` (type string, then default) once, found it ${found} times`);
  return text.replace(re, (_, head) => `${head}${JSON.stringify(value)}`);
}

/**
 * Pins VERSION and INTEGRITY into the source tree at SRC_DIR, in place.
 * @param {string} srcDir @param {{version: string, integrity: string}} pin
 * @returns {string[]} the files written
 */
export function pinSource(srcDir, { version, integrity }) {
  if (!VERSION.test(version)) throw new PinError(`--version must be an exact version such as 0.1.0, got "${version}"`);
  if (!INTEGRITY.test(integrity)) throw new PinError(`--integrity must be npm's sha512-<base64> integrity, got "${integrity}"`);
  const written = [];
  for (const rel of PINNED_FILES) {
    const file = path.join(srcDir, rel);
    const before = readFileSync(file, 'utf8');
    const after = setDefault(setDefault(before, 'version', version, file), 'integrity', integrity, file);
    writeFileSync(file, after);
    written.push(file);
  }
  return written;
}

function main(argv) {
  const flag = (name) => {
    const i = argv.indexOf(name);
    if (i < 0) return undefined;
    const v = argv[i + 1];
    argv.splice(i, 2);
    return v;
  };
  const version = flag('--version') ?? '';
  const fromRegistry = argv.includes('--from-registry');
  if (fromRegistry) argv.splice(argv.indexOf('--from-registry'), 1);
  let integrity = flag('--integrity') ?? '';
  const [srcDir = path.join(ORB_DIR, 'src')] = argv;
  try {
    if (fromRegistry) {
      if (!VERSION.test(version)) throw new PinError(`--version must be an exact version such as 0.1.0, got "${version}"`);
      integrity = execFileSync('npm', ['view', `gitops-bump@${version}`, 'dist.integrity'], { encoding: 'utf8' }).trim();
      if (!integrity) throw new PinError(`the registry has no gitops-bump@${version}`);
    }
    for (const file of pinSource(srcDir, { version, integrity })) process.stdout.write(`pin: ${file}: gitops-bump ${version} ${integrity}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`pin: ${e instanceof PinError ? e.message : e.stack}\n`);
    return 2;
  }
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
