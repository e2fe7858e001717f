// Checks requests and responses against a Swagger 2.0 description (the vendored parts of
// GitLab's and Bitbucket's, in spec/). Schemas are checked by the validator the GitHub
// server uses (tests/github-api-server/openapi.js); this adds Swagger 2.0's parameters
// (`in: query|path|body`, the type on the parameter itself) and `basePath`.
//
// Stricter than the forges on purpose: an unknown query parameter or body property is a
// mismatch (GitLab and Bitbucket ignore them silently, so a misspelt field would lose data
// without an error), and so is a path parameter that does not fit its type.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OpenApi } from '../github-api-server/openapi.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export class Swagger2 {
  /**
   * @param {string} name  "gitlab" | "bitbucket": spec/NAME.json
   * @param {{overrides?: Record<string, Record<string, object>>, additions?: Record<string, Record<string, object>>}} [options]
   *   overrides[definition][property] replaces a property's schema: for fields whose type
   *   the description gets wrong (each one says why where it is given)
   * @param {Record<string, Record<string, object>>} [options.additions] properties the forge
   *   takes and sends that the description does not name (each one says why where it is given)
   */
  constructor(name, { overrides = {}, additions = {} } = {}) {
    this.file = path.join(here, 'spec', `${name}.json`);
    const spec = JSON.parse(readFileSync(this.file, 'utf8'));
    for (const [def, props] of Object.entries(overrides)) {
      for (const [prop, schema] of Object.entries(props)) {
        const target = findProperties(spec.definitions[def]);
        if (!target?.[prop]) throw new Error(`override of ${def}.${prop}: no such property in ${this.file}`);
        target[prop] = schema;
      }
    }
    for (const [def, props] of Object.entries(additions)) {
      const target = findProperties(spec.definitions[def]);
      if (!target) throw new Error(`addition to ${def}: no such definition with properties in ${this.file}`);
      for (const [prop, schema] of Object.entries(props)) {
        if (target[prop]) throw new Error(`addition ${def}.${prop}: the description names it already; drop the addition`);
        target[prop] = schema;
      }
    }
    this.spec = spec;
    this.basePath = (spec.basePath ?? '').replace(/\/+$/, '');
    this.api = new OpenApi(spec, this.file);
    this.source = spec['x-source'];
  }

  /** The operation for `method` `pathname` (the path as sent, still percent-encoded), or null. */
  match(method, pathname) {
    if (this.basePath && !pathname.startsWith(`${this.basePath}/`)) return null;
    const rest = pathname.slice(this.basePath.length);
    const segs = rest.split('/').slice(1);
    for (const template of Object.keys(this.spec.paths)) {
      const item = this.spec.paths[template];
      const operation = item[method.toLowerCase()];
      if (!operation) continue;
      const t = template.split('/').slice(1);
      if (t.length !== segs.length) continue;
      const params = {};
      let ok = true;
      for (let i = 0; i < t.length && ok; i += 1) {
        const m = /^\{(\w+)\}$/.exec(t[i]);
        if (m) {
          if (!segs[i]) ok = false;
          // a path parameter is one segment: a literal slash would have made more segments
          else params[m[1]] = decodeURIComponent(segs[i]);
        } else if (t[i] !== segs[i]) ok = false;
      }
      if (ok) return { template, operation, pathItem: item, params };
    }
    return null;
  }

  /** Errors of a request (empty when it follows the description). */
  validateRequest(m, query, body, hasBody) {
    const errors = [];
    // operation parameters override path-item parameters of the same name and place
    const byKey = new Map();
    for (const p of [...(m.pathItem.parameters ?? []), ...(m.operation.parameters ?? [])]) byKey.set(`${p.in}:${p.name}`, p);
    const params = [...byKey.values()];
    for (const p of params.filter((x) => x.in === 'path')) {
      const v = m.params[p.name];
      if (v === undefined) errors.push(`path parameter ${p.name} is missing`);
      else errors.push(...this.api.validate(schemaOf(p), coerce(p, v), `path.${p.name}`));
    }
    const known = new Set();
    for (const p of params.filter((x) => x.in === 'query')) {
      known.add(p.name);
      const values = query.getAll(p.name);
      if (!values.length) {
        if (p.required) errors.push(`query parameter ${p.name} is required`);
        continue;
      }
      if (p.type === 'array') {
        for (const v of values) errors.push(...this.api.validate(p.items ?? {}, coerce(p.items ?? {}, v), `query.${p.name}`));
      } else {
        if (values.length > 1) errors.push(`query parameter ${p.name} given ${values.length} times`);
        errors.push(...this.api.validate(schemaOf(p), coerce(p, values[0]), `query.${p.name}`));
      }
    }
    for (const k of new Set(query.keys())) if (!known.has(k)) errors.push(`unknown query parameter ${k}`);
    const bodyParam = params.find((x) => x.in === 'body');
    if (!bodyParam) {
      if (hasBody) errors.push('this operation takes no request body');
    } else if (!hasBody) {
      if (bodyParam.required) errors.push('request body is required');
    } else {
      errors.push(...this.api.validate(bodyParam.schema, body, 'body'));
      errors.push(...this.unknownProperties(bodyParam.schema, body, 'body'));
    }
    return errors;
  }

  /** Body properties the schema does not name (the forges drop them without a word). */
  unknownProperties(schema, value, at) {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return [];
    const props = collectProperties(this.api, schema);
    if (!props) return [];
    const errors = [];
    for (const [k, v] of Object.entries(value)) {
      if (!props[k]) errors.push(`${at}: ${k} is not a property the description names (the forge would ignore it)`);
      else errors.push(...this.unknownProperties(props[k], v, `${at}.${k}`));
    }
    return errors;
  }

  /** Errors of a response `status` with `data`; a status the operation does not list is one. */
  validateResponse(m, status, data) {
    const r = m.operation.responses?.[String(status)] ?? m.operation.responses?.default;
    if (!r) return [`status ${status} is not a response the description lists (${Object.keys(m.operation.responses ?? {}).join(', ')})`];
    if (!r.schema) return [];
    return this.api.validate(r.schema, data, 'response');
  }

  /** A value of `schema` with the required fields filled, overlaid with `given`. */
  synthesize(schema, given) {
    return this.api.synthesize(schema, given);
  }
}

function schemaOf(p) {
  const { in: _in, name: _name, required: _required, description: _d, ...schema } = p;
  return schema;
}

function coerce(p, v) {
  if ((p.type === 'integer' || p.type === 'number') && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  if (p.type === 'boolean' && (v === 'true' || v === 'false')) return v === 'true';
  return v;
}

function findProperties(def) {
  if (!def) return null;
  if (def.properties) return def.properties;
  for (const sub of def.allOf ?? []) {
    if (sub.properties) return sub.properties;
  }
  return null;
}

/** Every property an object schema names, through $ref and allOf; null when it names none (free-form). */
function collectProperties(api, schemaIn) {
  const s = api.resolve(schemaIn);
  if (!s || typeof s !== 'object') return null;
  let out = null;
  if (s.properties) out = { ...s.properties };
  for (const sub of s.allOf ?? []) {
    const more = collectProperties(api, sub);
    if (more) out = { ...(out ?? {}), ...more };
  }
  return out;
}
