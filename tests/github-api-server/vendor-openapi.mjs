#!/usr/bin/env node
// Writes the part of GitHub's published OpenAPI description (npm @octokit/openapi,
// generated/api.github.com.json, 13 MB of a 385 MB package) that the local GitHub API
// server's request and response checks use, to tests/github-api-server/api.github.com.json:
// - every path template and method, so that a request to a real GitHub operation the
//   server does not implement is still told apart from a request to no operation at all;
//   those operations keep only their operationId;
// - the operations the server implements (OPERATIONS) whole, with their path's
//   parameters, and every component their $refs reach, transitively;
// - info (the description's version), openapi, and `x-vendored-from` naming the package.
// The output depends only on the input: run it again and nothing changes
// (tests/pipeline/openapi-vendor.test.js checks that, with the package fetched by version
// and integrity).
//
// Usage: node tests/github-api-server/vendor-openapi.mjs [--check] [DESCRIPTION.json]
//   Without DESCRIPTION.json the package is fetched with `npm pack` (npm's cache keeps it)
//   and checked against PACKAGE_INTEGRITY; only the one file is unpacked.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const OUT = path.join(HERE, 'api.github.com.json');
export const PACKAGE = '@octokit/openapi@23.0.2';
const PACKAGE_INTEGRITY = 'sha512-pV8M7L9GY23AybNvTmo2nyjmpmnt6+2sRE/tqr0ZLQcPS4lnw7u5eZGNmwRNkBC3D7gZXbFx5AHzLUVRBXGDhg==';
const FILE_IN_PACKAGE = 'package/generated/api.github.com.json';

/** The operations the server implements (server.js HANDLERS): kept whole. */
export const OPERATIONS = [
  'repos/get', 'repos/get-content',
  'git/get-ref', 'git/create-ref', 'git/update-ref', 'git/create-blob', 'git/get-commit', 'git/create-tree', 'git/create-commit',
  'repos/compare-commits-with-basehead',
  'pulls/list', 'pulls/get', 'pulls/create', 'pulls/update',
  'issues/add-labels', 'issues/add-assignees', 'issues/update', 'pulls/request-reviewers',
];
/** Components the server uses without an operation naming them (403/429 on any endpoint). */
const ALWAYS = ['#/components/schemas/basic-error'];
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Every `$ref` string inside NODE. */
function refsIn(node, out = []) {
  if (Array.isArray(node)) for (const v of node) refsIn(v, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsIn(v, out);
    }
  }
  return out;
}

/**
 * The vendored subset of a full description.
 * @param {any} spec the parsed api.github.com.json
 */
export function subset(spec) {
  const wanted = new Set(OPERATIONS);
  const paths = {};
  const roots = [...ALWAYS];
  for (const [template, item] of Object.entries(spec.paths)) {
    const out = {};
    let whole = false;
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      if (wanted.has(op.operationId)) {
        out[method] = op;
        whole = true;
        roots.push(...refsIn(op));
        wanted.delete(op.operationId);
      } else {
        out[method] = { operationId: op.operationId };
      }
    }
    if (whole && item.parameters) {
      out.parameters = item.parameters;
      roots.push(...refsIn(item.parameters));
    }
    paths[template] = out;
  }
  if (wanted.size) throw new Error(`the description has no operation ${[...wanted].join(', ')}`);

  // every component the kept operations reach, in the description's own order
  const reached = new Set();
  for (const queue = [...roots]; queue.length;) {
    const ref = queue.pop();
    if (reached.has(ref)) continue;
    reached.add(ref);
    const [, kind, name] = /^#\/components\/([^/]+)\/(.+)$/.exec(ref) ?? [];
    const target = kind && spec.components?.[kind]?.[name.replace(/~1/g, '/').replace(/~0/g, '~')];
    if (!target) throw new Error(`unresolvable $ref ${ref}`);
    queue.push(...refsIn(target));
  }
  const components = {};
  for (const [kind, entries] of Object.entries(spec.components ?? {})) {
    for (const [name, value] of Object.entries(entries)) {
      if (!reached.has(`#/components/${kind}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`)) continue;
      (components[kind] ??= {})[name] = value;
    }
  }
  return { openapi: spec.openapi, info: spec.info, 'x-vendored-from': `${PACKAGE} generated/api.github.com.json`, paths, components };
}

/** The vendored file's text: one path or component per line, so a change reads as a diff. */
export function render(sub) {
  const lines = ['{'];
  const top = Object.entries(sub);
  top.forEach(([key, value], i) => {
    const comma = i < top.length - 1 ? ',' : '';
    if (key === 'paths' || key === 'components') {
      lines.push(`${JSON.stringify(key)}: {`);
      const inner = Object.entries(value);
      inner.forEach(([k, v], j) => {
        const c = j < inner.length - 1 ? ',' : '';
        if (key === 'components') {
          lines.push(`${JSON.stringify(k)}: {`);
          const items = Object.entries(v);
          items.forEach(([n, x], l) => lines.push(`${JSON.stringify(n)}: ${JSON.stringify(x)}${l < items.length - 1 ? ',' : ''}`));
          lines.push(`}${c}`);
        } else {
          lines.push(`${JSON.stringify(k)}: ${JSON.stringify(v)}${c}`);
        }
      });
      lines.push(`}${comma}`);
    } else {
      lines.push(`${JSON.stringify(key)}: ${JSON.stringify(value)}${comma}`);
    }
  });
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** The full description's text: from FILE, or from the package fetched by npm and checked. */
export function readDescription(file) {
  if (file) return readFileSync(file, 'utf8');
  const dir = mkdtempSync(path.join(tmpdir(), 'gb-openapi-'));
  try {
    const name = execFileSync('npm', ['pack', '--silent', '--ignore-scripts', PACKAGE], { cwd: dir, encoding: 'utf8' }).trim().split('\n').pop();
    const tgz = path.join(dir, name);
    const got = `sha512-${createHash('sha512').update(readFileSync(tgz)).digest('base64')}`;
    if (got !== PACKAGE_INTEGRITY) throw new Error(`${PACKAGE}: the tarball's integrity is ${got}, expected ${PACKAGE_INTEGRITY}`);
    execFileSync('tar', ['-xzf', tgz, '-C', dir, FILE_IN_PACKAGE]);
    return readFileSync(path.join(dir, FILE_IN_PACKAGE), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(argv) {
  const check = argv.includes('--check');
  const [file] = argv.filter((a) => a !== '--check');
  const text = render(subset(JSON.parse(readDescription(file))));
  if (check) {
    let committed = '';
    try {
      committed = readFileSync(OUT, 'utf8');
    } catch {
      // missing: stale
    }
    if (committed !== text) {
      process.stderr.write(`vendor-openapi: ${path.relative(process.cwd(), OUT)} is not what ${PACKAGE} gives: run \`node tests/github-api-server/vendor-openapi.mjs\` and commit it\n`);
      return 1;
    }
    process.stdout.write(`vendor-openapi: ${OUT} is what ${PACKAGE} gives (${text.length} bytes)\n`);
    return 0;
  }
  writeFileSync(OUT, text);
  process.stdout.write(`vendor-openapi: wrote ${OUT} (${text.length} bytes)\n`);
  return 0;
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`vendor-openapi: ${e.message}\n`);
    process.exitCode = 2;
  }
}
