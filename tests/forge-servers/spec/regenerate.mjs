#!/usr/bin/env node
// Regenerates gitlab.json and bitbucket.json (beside this script) from the forges'
// published API descriptions, keeping only what the client and the test servers use.
//
//   node tests/forge-servers/spec/regenerate.mjs \
//     --gitlab openapi_v2.yaml \                     # gitlab-org/gitlab doc/api/openapi/openapi_v2.yaml
//     --bitbucket-paths paths.json \                 # MunifTanjim/node-bitbucket specification/paths.json
//     --bitbucket-definitions definitions.json \     # … specification/definitions.json
//     [--gitlab-commit SHA] [--bitbucket-commit SHA] [--out DIR]
//
// Either forge may be left out. What is kept: the operations in OPERATIONS, every
// definition they reach through $ref, and of the definitions in KEEP only the listed
// properties (a $ref to a definition that is not kept becomes `{type: object}`). Prose
// (description, summary, example, tags, security, produces, consumes) is dropped.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', '..', '..', 'pkg', 'package.json'));

const OPERATIONS = {
  gitlab: {
    '/api/v4/projects/{id}/merge_requests': ['get', 'post'],
    '/api/v4/projects/{id}/merge_requests/{merge_request_iid}': ['get', 'put'],
  },
  bitbucket: {
    '/repositories/{username}/{repo_slug}/pullrequests': ['get', 'post'],
    '/repositories/{username}/{repo_slug}/pullrequests/{pull_request_id}': ['get', 'put'],
    '/repositories/{username}/{repo_slug}/pullrequests/{pull_request_id}/decline': ['post'],
  },
};

const MR_FIELDS = ['id', 'iid', 'project_id', 'title', 'description', 'state', 'created_at', 'updated_at', 'target_branch', 'source_branch', 'source_project_id', 'target_project_id', 'labels', 'draft', 'work_in_progress', 'sha', 'web_url'];
const KEEP = {
  gitlab: { API_Entities_MergeRequest: MR_FIELDS, API_Entities_MergeRequestBasic: MR_FIELDS },
  bitbucket: { account: ['display_name', 'username', 'uuid'], repository: ['full_name', 'name', 'uuid'] },
};
const PROSE = new Set(['description', 'summary', 'example', 'examples', 'tags', 'security', 'produces', 'consumes', 'headers', 'x-bb-default-fields', 'x-bb-url']);

function args(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  return out;
}

/** A copy of `node` without prose; `{$ref}` to a definition outside `kept` becomes `{type: object}`. */
function strip(node, kept, refs) {
  if (Array.isArray(node)) return node.map((n) => strip(n, kept, refs));
  if (!node || typeof node !== 'object') return node;
  if (typeof node.$ref === 'string') {
    const name = node.$ref.replace('#/definitions/', '');
    if (kept && !kept(name)) return { type: 'object' };
    refs.add(name);
    return { $ref: node.$ref };
  }
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (PROSE.has(k)) continue;
    // property names are data, not prose: a property called `description` or `summary` stays
    out[k] = k === 'properties' && v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([pk, pv]) => [pk, strip(pv, kept, refs)])) : strip(v, kept, refs);
  }
  return out;
}

function pick(spec, forge) {
  const refs = new Set();
  const paths = {};
  for (const [p, methods] of Object.entries(OPERATIONS[forge])) {
    const item = spec.paths[p];
    if (!item) throw new Error(`${forge}: the description has no path ${p}`);
    paths[p] = {};
    if (item.parameters) paths[p].parameters = strip(item.parameters, null, refs);
    for (const m of methods) {
      if (!item[m]) throw new Error(`${forge}: ${p} has no ${m}`);
      const op = strip(item[m], null, refs);
      for (const r of Object.values(op.responses ?? {})) for (const k of Object.keys(r)) if (k !== 'schema') delete r[k];
      paths[p][m] = op;
    }
  }
  const definitions = {};
  const queue = [...refs];
  while (queue.length) {
    const name = queue.shift();
    if (definitions[name]) continue;
    const def = spec.definitions[name];
    if (!def) throw new Error(`${forge}: no definition ${name}`);
    const more = new Set();
    let copy = strip(def, (n) => Boolean(spec.definitions[n]), more);
    const keep = KEEP[forge][name];
    if (keep) copy = prune(copy, keep);
    definitions[name] = copy;
    // refs inside pruned properties are gone: collect again from the pruned copy
    const after = new Set();
    strip(copy, null, after);
    for (const r of after) if (!definitions[r]) queue.push(r);
  }
  return { paths, definitions };
}

/** Keeps only `fields` in the object's properties (also inside allOf branches). */
function prune(def, fields) {
  if (def.allOf) return { ...def, allOf: def.allOf.map((d) => (d.properties ? prune(d, fields) : d)) };
  if (!def.properties) return def;
  const properties = {};
  for (const f of fields) if (def.properties[f]) properties[f] = def.properties[f];
  return { ...def, properties };
}

const a = args(process.argv.slice(2));
const outDir = a.out ?? here;

function write(file, data) {
  writeFileSync(path.join(outDir, file), `${JSON.stringify(data, null, 2)}\n`);
  console.log(`wrote ${path.join(outDir, file)}`);
}

if (!a.gitlab && !a['bitbucket-paths']) {
  console.error('usage: regenerate.mjs [--gitlab openapi_v2.yaml] [--bitbucket-paths paths.json --bitbucket-definitions definitions.json]');
  process.exit(2);
}
if (a.gitlab) {
  const YAML = require('yaml');
  const spec = YAML.parse(readFileSync(a.gitlab, 'utf8'), { maxAliasCount: -1 });
  const { paths, definitions } = pick(spec, 'gitlab');
  write('gitlab.json', {
    'x-source': {
      repository: 'gitlab-org/gitlab',
      path: 'doc/api/openapi/openapi_v2.yaml',
      commit: a['gitlab-commit'] ?? 'unknown',
      taken: 'generated by regenerate.mjs',
      regenerate: 'node tests/forge-servers/spec/regenerate.mjs --gitlab openapi_v2.yaml',
    },
    swagger: spec.swagger,
    info: spec.info,
    securityDefinitions: spec.securityDefinitions,
    paths,
    definitions,
  });
}
if (a['bitbucket-paths']) {
  const spec = {
    paths: JSON.parse(readFileSync(a['bitbucket-paths'], 'utf8')),
    definitions: JSON.parse(readFileSync(a['bitbucket-definitions'], 'utf8')),
  };
  const { paths, definitions } = pick(spec, 'bitbucket');
  write('bitbucket.json', {
    'x-source': {
      repository: 'MunifTanjim/node-bitbucket',
      paths: { file: 'specification/paths.json', commit: a['bitbucket-commit'] ?? 'unknown' },
      definitions: { file: 'specification/definitions.json', commit: a['bitbucket-commit'] ?? 'unknown' },
      taken: 'generated by regenerate.mjs',
      regenerate: 'node tests/forge-servers/spec/regenerate.mjs --bitbucket-paths paths.json --bitbucket-definitions definitions.json',
    },
    swagger: '2.0',
    info: { title: 'Bitbucket API', version: '2.0' },
    basePath: '/2.0',
    paths,
    definitions,
  });
}
