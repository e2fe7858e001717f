// GitHub's published OpenAPI description (npm @octokit/openapi, `api.github.com`), the part
// of it the server's checks use (api.github.com.json beside this file, written by
// vendor-openapi.mjs), and a small validator over the JSON-schema subset its endpoints
// use: $ref, type, nullable, enum, properties, required, additionalProperties, items,
// oneOf (with discriminator), anyOf, allOf, min/maxLength, min/maxItems, minimum/maximum,
// format date-time.
// Why a hand-written validator: docs/decisions/openapi-request-validator.md.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
let cached = null;

/**
 * Path of the description: $OCTOKIT_OPENAPI_JSON (a full `generated/api.github.com.json`,
 * to check against all of it), else the vendored part beside this file.
 */
export function specPath() {
  return process.env.OCTOKIT_OPENAPI_JSON || path.join(here, 'api.github.com.json');
}

/** The parsed description, loaded once per process. */
export function loadSpec() {
  if (!cached) {
    const file = specPath();
    const spec = JSON.parse(readFileSync(file, 'utf8'));
    cached = new OpenApi(spec, file);
  }
  return cached;
}

export class OpenApi {
  constructor(spec, file) {
    this.spec = spec;
    this.file = file;
    this.version = spec.info?.version;
    this.routes = Object.keys(spec.paths).map((template) => ({
      template,
      segments: template.split('/').slice(1),
      literals: template.split('/').filter((s) => s && !s.startsWith('{')).length,
    }));
  }

  resolve(node) {
    let n = node;
    for (let i = 0; n && n.$ref && i < 50; i += 1) {
      const parts = n.$ref.replace(/^#\//, '').split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
      n = parts.reduce((o, k) => o?.[k], this.spec);
      if (n === undefined) throw new Error(`unresolvable $ref ${node.$ref}`);
    }
    return n;
  }

  /**
   * Matches a request to an operation. `{ref}` / `{path}` as the last segment take the rest
   * of the path (GitHub accepts `heads/feature/x` there).
   * @returns {{template: string, operation: object, pathItem: object, params: Record<string, string>} | null}
   */
  match(method, pathname) {
    const segs = pathname.split('/').slice(1);
    let best = null;
    for (const r of this.routes) {
      const item = this.spec.paths[r.template];
      const operation = item[method.toLowerCase()];
      if (!operation) continue;
      const params = matchSegments(r.segments, segs);
      if (!params) continue;
      if (!best || r.literals > best.literals) best = { ...r, operation, pathItem: item, params };
    }
    return best && { template: best.template, operation: best.operation, pathItem: best.pathItem, params: best.params };
  }

  /**
   * Validates a request against the operation: path params, query params (unknown ones
   * are errors), JSON body. Returns a list of error strings (empty when valid).
   */
  validateRequest(m, query, body, hasBody) {
    const errors = [];
    const declared = [...(m.pathItem.parameters ?? []), ...(m.operation.parameters ?? [])].map((p) => this.resolve(p));
    const byIn = (where) => declared.filter((p) => p.in === where);
    for (const p of byIn('path')) {
      const v = m.params[p.name];
      if (v === undefined || v === '') errors.push(`path parameter ${p.name} is missing`);
      else errors.push(...this.validate(p.schema ?? {}, coerce(p.schema, v, this), `path.${p.name}`));
    }
    const known = new Set(byIn('query').map((p) => p.name));
    for (const p of byIn('query')) {
      const values = query.getAll(p.name);
      if (!values.length) {
        if (p.required) errors.push(`query parameter ${p.name} is required`);
        continue;
      }
      if (values.length > 1 && this.resolve(p.schema ?? {}).type !== 'array') errors.push(`query parameter ${p.name} given ${values.length} times`);
      errors.push(...this.validate(p.schema ?? {}, coerce(p.schema, values[0], this), `query.${p.name}`));
    }
    for (const k of new Set(query.keys())) if (!known.has(k)) errors.push(`unknown query parameter ${k}`);
    const rb = m.operation.requestBody ? this.resolve(m.operation.requestBody) : null;
    if (!rb) {
      if (hasBody) errors.push('this operation takes no request body');
    } else if (!hasBody) {
      if (rb.required) errors.push('request body is required');
    } else {
      const media = rb.content?.['application/json'];
      if (!media) errors.push('operation has no application/json request body');
      else errors.push(...this.validate(media.schema, body, 'body'));
    }
    return errors;
  }

  /** The schema of `status`'s JSON response, or null. */
  responseSchema(m, status) {
    const r = m.operation.responses?.[String(status)];
    if (!r) return null;
    return this.resolve(r).content?.['application/json']?.schema ?? null;
  }

  /** Validates `value` against `schema`; returns error strings naming the JSON path. */
  validate(schema, value, at = '$') {
    const errors = [];
    this.check(schema, value, at, errors);
    return errors;
  }

  check(schemaIn, value, at, errors) {
    const s = this.resolve(schemaIn);
    if (!s || typeof s !== 'object') return;
    if (value === null) {
      if (s.nullable || s.type === 'null' || (!s.type && !s.oneOf && !s.anyOf && !s.allOf && !s.properties)) return;
      if (s.oneOf || s.anyOf) {
        const alts = (s.oneOf ?? s.anyOf).map((x) => this.resolve(x));
        if (alts.some((a) => a.nullable)) return;
      }
      errors.push(`${at}: null is not allowed`);
      return;
    }
    if (s.allOf) for (const sub of s.allOf) this.check(sub, value, at, errors);
    if (s.oneOf) {
      if (s.discriminator && value && typeof value === 'object' && !Array.isArray(value)) {
        const tag = value[s.discriminator.propertyName];
        const ref = s.discriminator.mapping?.[tag];
        if (!ref) errors.push(`${at}: ${s.discriminator.propertyName}=${JSON.stringify(tag)} matches no oneOf branch`);
        else this.check({ $ref: ref }, value, at, errors);
      } else {
        const ok = s.oneOf.filter((sub) => this.validate(sub, value, at).length === 0).length;
        if (ok !== 1) {
          const detail = ok === 0 ? s.oneOf.map((sub, i) => `#${i}: ${this.validate(sub, value, at)[0]}`).join('; ') : '';
          errors.push(`${at}: matches ${ok} of the oneOf branches (exactly one required)${detail ? ` — ${detail}` : ''}`);
        }
      }
    }
    if (s.anyOf && !s.anyOf.some((sub) => this.validate(sub, value, at).length === 0)) {
      errors.push(`${at}: matches none of the anyOf branches`);
    }
    if (s.enum && !s.enum.includes(value)) errors.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(s.enum)}`);
    const type = s.type;
    if (type) {
      const actual = Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
      const fits =
        type === actual ||
        (type === 'number' && (actual === 'integer' || actual === 'number')) ||
        (type === 'object' && actual === 'object');
      if (!fits) {
        errors.push(`${at}: expected ${type}, got ${actual === 'object' ? 'object' : `${actual} ${JSON.stringify(value)}`}`);
        return;
      }
    }
    if (typeof value === 'string') {
      if (s.minLength !== undefined && value.length < s.minLength) errors.push(`${at}: shorter than ${s.minLength}`);
      if (s.maxLength !== undefined && value.length > s.maxLength) errors.push(`${at}: longer than ${s.maxLength}`);
      if (s.format === 'date-time' && Number.isNaN(Date.parse(value))) errors.push(`${at}: not a date-time`);
    }
    if (typeof value === 'number') {
      if (s.minimum !== undefined && value < s.minimum) errors.push(`${at}: below ${s.minimum}`);
      if (s.maximum !== undefined && value > s.maximum) errors.push(`${at}: above ${s.maximum}`);
    }
    if (Array.isArray(value)) {
      if (s.minItems !== undefined && value.length < s.minItems) errors.push(`${at}: fewer than ${s.minItems} items`);
      if (s.maxItems !== undefined && value.length > s.maxItems) errors.push(`${at}: more than ${s.maxItems} items`);
      if (s.items) value.forEach((v, i) => this.check(s.items, v, `${at}[${i}]`, errors));
    } else if (value && typeof value === 'object') {
      const props = s.properties ?? {};
      for (const r of s.required ?? []) if (!(r in value)) errors.push(`${at}: missing required property ${r}`);
      for (const [k, v] of Object.entries(value)) {
        if (props[k]) this.check(props[k], v, `${at}.${k}`, errors);
        else if (s.additionalProperties === false) errors.push(`${at}: unknown property ${k}`);
        else if (s.additionalProperties && typeof s.additionalProperties === 'object') this.check(s.additionalProperties, v, `${at}.${k}`, errors);
      }
    }
  }

  /**
   * A value satisfying `schema` with only the required fields filled (strings "", numbers 0,
   * nullable fields null, the first oneOf/anyOf branch), overlaid with `given`.
   */
  synthesize(schemaIn, given, depth = 0) {
    const s = this.resolve(schemaIn);
    if (given !== undefined && (given === null || typeof given !== 'object' || Array.isArray(given))) {
      if (Array.isArray(given) && s.items) return given.map((g) => this.synthesize(s.items, g, depth + 1));
      return given;
    }
    if (s.allOf) {
      return s.allOf.reduce((acc, sub) => Object.assign(acc, this.synthesize(sub, given, depth + 1)), {});
    }
    if (s.oneOf || s.anyOf) return this.synthesize((s.oneOf ?? s.anyOf)[0], given, depth + 1);
    if (given === undefined) {
      if (s.nullable) return null;
      if (s.enum) return s.enum[0];
      switch (s.type) {
        case 'string':
          return s.format === 'date-time' ? new Date(0).toISOString() : s.format === 'uri' ? 'http://127.0.0.1/' : '';
        case 'integer':
        case 'number':
          return 0;
        case 'boolean':
          return false;
        case 'array':
          return [];
        default:
          if (!s.properties && s.type !== 'object') return null;
      }
    }
    if (depth > 12) return given ?? {};
    const out = {};
    const props = s.properties ?? {};
    for (const r of s.required ?? []) out[r] = this.synthesize(props[r] ?? {}, given?.[r], depth + 1);
    for (const [k, v] of Object.entries(given ?? {})) out[k] = props[k] ? this.synthesize(props[k], v, depth + 1) : v;
    return out;
  }
}

function matchSegments(template, segs) {
  const params = {};
  for (let i = 0; i < template.length; i += 1) {
    const t = template[i];
    const last = i === template.length - 1;
    const m = /^\{(\w+)\}$/.exec(t);
    if (!m) {
      if (segs[i] !== t) return null;
      continue;
    }
    if (segs[i] === undefined || segs[i] === '') return null;
    if (last && (m[1] === 'ref' || m[1] === 'path')) {
      params[m[1]] = segs.slice(i).map(decodeURIComponent).join('/');
      return params;
    }
    params[m[1]] = decodeURIComponent(segs[i]);
  }
  return segs.length === template.length ? params : null;
}

function coerce(schemaIn, v, api) {
  const s = api ? api.resolve(schemaIn ?? {}) : (schemaIn ?? {});
  if ((s.type === 'integer' || s.type === 'number') && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  if (s.type === 'boolean' && (v === 'true' || v === 'false')) return v === 'true';
  return v;
}
