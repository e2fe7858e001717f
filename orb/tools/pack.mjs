#!/usr/bin/env node
// Packs the orb source tree (orb/src) into one orb document, with the semantics of
// `circleci orb pack` (the CircleCI CLI cannot be installed on the machines this project is
// built on):
// - `@orb.yml` holds the top-level keys; every directory with YAML files becomes a key
//   (commands, executors, jobs, examples) whose entries are its files, named after them
//   without the extension; directories without YAML files (scripts) are not keys;
// - a string value that is exactly `<<include(path)>>` is replaced by the content of that
//   file (path relative to the source root), written as a YAML block scalar; an include
//   mixed with other text is an error, as it is for the CircleCI CLI.
//
// Usage: node orb/tools/pack.mjs [SRC_DIR] [OUT_FILE]   (default orb/src, orb/orb.yml)
//        node orb/tools/pack.mjs --check                  (exit 1 when orb/orb.yml is stale)

import { existsSync, readFileSync, readdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ORB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(ORB_DIR, '..', 'pkg', 'package.json'));
const YAML = require('yaml');

/** The header of the packed file. */
export const HEADER = '# Packed from orb/src by orb/tools/pack.mjs: edit the source, then run `node orb/tools/pack.mjs`.\n';

const INCLUDE = /^<<\s*include\(([^()]+)\)\s*>>$/;

/** Thrown for a source tree that cannot be packed; the message names the file. */
export class PackError extends Error {}

/**
 * Reads one YAML source file into plain data.
 * @param {string} file
 * @returns {unknown}
 */
function readYaml(file) {
  const doc = YAML.parseDocument(readFileSync(file, 'utf8'), { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) throw new PackError(`${file}: ${doc.errors[0].message}`);
  return doc.toJS();
}

/**
 * Replaces every `<<include(path)>>` value below `node` by the file's text.
 * @param {unknown} node
 * @param {string} srcDir
 * @param {string} where the file the value comes from (for errors)
 * @returns {unknown}
 */
export function resolveIncludes(node, srcDir, where) {
  if (typeof node === 'string') {
    const m = INCLUDE.exec(node.trim());
    if (m) return readInclude(m[1].trim(), srcDir, where);
    if (node.includes('<<include(') || /<<\s*include\(/.test(node)) {
      throw new PackError(`${where}: <<include(...)>> must be the whole value, found it inside ${JSON.stringify(node.slice(0, 60))}`);
    }
    return node;
  }
  if (Array.isArray(node)) return node.map((v) => resolveIncludes(v, srcDir, where));
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, resolveIncludes(v, srcDir, where)]));
  }
  return node;
}

/**
 * @param {string} rel
 * @param {string} srcDir
 * @param {string} where
 * @returns {string}
 */
function readInclude(rel, srcDir, where) {
  const file = path.resolve(srcDir, rel);
  if (!existsSync(file)) throw new PackError(`${where}: <<include(${rel})>>: no such file ${file}`);
  const real = realpathSync(file);
  const root = realpathSync(srcDir);
  if (!real.startsWith(`${root}${path.sep}`)) throw new PackError(`${where}: <<include(${rel})>> points outside ${srcDir}`);
  return readFileSync(real, 'utf8');
}

/**
 * Packs SRC_DIR into a JS object: `@orb.yml`'s keys, then one key per directory.
 * @param {string} srcDir
 * @returns {Record<string, unknown>}
 */
export function packTree(srcDir) {
  const orbFile = path.join(srcDir, '@orb.yml');
  if (!existsSync(orbFile)) throw new PackError(`${srcDir}: no @orb.yml`);
  const root = /** @type {Record<string, unknown>} */ (resolveIncludes(readYaml(orbFile) ?? {}, srcDir, orbFile));
  for (const dir of readdirSync(srcDir).sort()) {
    const full = path.join(srcDir, dir);
    if (!statSync(full).isDirectory()) continue;
    const files = readdirSync(full).filter((f) => /\.ya?ml$/.test(f)).sort();
    if (files.length === 0) continue;
    if (Object.hasOwn(root, dir)) throw new PackError(`${orbFile}: key \`${dir}\` is also the directory ${full}`);
    /** @type {Record<string, unknown>} */
    const entries = {};
    for (const f of files) {
      const name = f.replace(/\.ya?ml$/, '');
      if (Object.hasOwn(entries, name)) throw new PackError(`${full}: two files for \`${name}\``);
      entries[name] = resolveIncludes(readYaml(path.join(full, f)), srcDir, path.join(full, f));
    }
    root[dir] = entries;
  }
  return root;
}

/**
 * The packed orb as YAML text (multi-line strings as block scalars).
 * @param {string} srcDir
 * @returns {string}
 */
export function packOrb(srcDir) {
  const doc = new YAML.Document(packTree(srcDir));
  return HEADER + doc.toString({ lineWidth: 0, blockQuote: 'literal' });
}

function main(argv) {
  const check = argv.includes('--check');
  const [srcDir = path.join(ORB_DIR, 'src'), outFile = path.join(ORB_DIR, 'orb.yml')] = argv.filter((a) => a !== '--check');
  let text;
  try {
    text = packOrb(srcDir);
  } catch (e) {
    process.stderr.write(`pack: ${e instanceof PackError ? e.message : e.stack}\n`);
    return 2;
  }
  if (check) {
    const committed = existsSync(outFile) ? readFileSync(outFile, 'utf8') : '';
    if (committed !== text) {
      process.stderr.write(`pack: ${outFile} is stale: run \`node orb/tools/pack.mjs\` and commit the result\n`);
      return 1;
    }
    process.stdout.write(`pack: ${outFile} matches ${srcDir}\n`);
    return 0;
  }
  writeFileSync(outFile, text);
  process.stdout.write(`pack: wrote ${outFile} (${text.length} bytes)\n`);
  return 0;
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
