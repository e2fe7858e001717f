/**
 * What runs where, and promotion between environments.
 *
 * An environment is one of:
 * - a kustomize overlay (a directory with a kustomization): its effective images are what
 *   the core's overlay check computes after the whole chain of kustomizations;
 * - an Argo CD Application file: the overlay at its `spec.source.path` (when that path is
 *   a directory of this repository) with the Application's own `kustomize.images` on top;
 * - a chain of Helm values files, `a.yaml,b.yaml`: later files override earlier ones key
 *   by key, as `helm -f a.yaml -f b.yaml` does; every mapping with a `repository` key
 *   (and `registry`, `tag`, `digest` beside it) is an image.
 *
 * A target may carry a label: `production=overlays/production`.
 *
 * Images are matched across environments by the name they enter the environment with
 * (the manifest's image name, the Application's override name, the values' registry and
 * repository), so a renamed image (`newName`) still lines up with its peers.
 *
 * Promotion edits only TO's own files (the overlay's kustomization, the Application, the
 * last values file of TO's chain that FROM does not read) and then recomputes TO: the
 * promoted images must equal FROM's and every other image must be unchanged, or nothing
 * is written.
 *
 * @module gitops-bump/promote
 */
import path from 'node:path';
import * as core from './core.js';
import { GitopsBumpError, usageError } from './errors.js';
import { nodeFileSource, normalize } from './files.js';
import { yaml } from './yaml-package.js';

/**
 * @typedef {object} Ref an image reference split into its parts
 * @property {string} image the whole reference
 * @property {string} name registry and path, without tag or digest
 * @property {string|null} tag
 * @property {string|null} digest
 */

/**
 * @typedef {Ref & {key: string, file: string, line: number}} Cell
 *   an effective image of one environment; `file:line` is where its value comes from
 */

/**
 * @typedef {object} Environment
 * @property {string} name the label, or the target as given
 * @property {'kustomize'|'argocd'|'helm'} kind
 * @property {string} target the target without its label
 * @property {string[]} files the files it reads that can carry a change (relative to the root)
 * @property {Map<string, Cell>} images by key, in first-seen order
 * @property {string[]} unchecked parts that were not followed (remote bases, charts)
 */

/**
 * Splits an image reference: `reg:5000/a/b:1.2@sha256:…` → name `reg:5000/a/b`, tag
 * `1.2`, digest `sha256:…`.
 * @param {string} image
 * @returns {Ref}
 */
export function splitRef(image) {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : null;
  const rest = at >= 0 ? image.slice(0, at) : image;
  const colon = rest.lastIndexOf(':');
  const hasTag = colon > rest.lastIndexOf('/');
  return { image, name: hasTag ? rest.slice(0, colon) : rest, tag: hasTag ? rest.slice(colon + 1) : null, digest };
}

/**
 * Joins parts into a reference.
 * @param {{name: string, tag: string|null, digest: string|null}} r
 * @returns {string}
 */
function joinRef({ name, tag, digest }) {
  return `${name}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
}

/**
 * Splits `label=target` (a label has no `/`, `,` or `.` so a path is never taken for one).
 * @param {string} spec
 * @returns {{name: string, target: string}}
 */
function splitLabel(spec) {
  const m = /^([A-Za-z0-9_-]+)=(.+)$/.exec(spec);
  return m ? { name: m[1], target: m[2] } : { name: spec, target: spec };
}

/**
 * The target spec an environment was read from (`label=target`, or the bare target).
 * @param {{name: string, target: string}} env
 * @returns {string}
 */
function specOf(env) {
  return env.name === env.target ? env.target : `${env.name}=${env.target}`;
}

/**
 * The context every environment is read in: the root the core's file source is relative
 * to, the directory targets are given relative to, and texts not written yet.
 * @typedef {{root: string, cwd: string, pending: Map<string, string>, source: import('./index.js').FileSource}} Context
 */

/**
 * @param {string} root
 * @param {string} cwd
 * @param {Map<string, string>} [pending]
 * @returns {Context}
 */
export function context(root, cwd, pending = new Map()) {
  return { root, cwd, pending, source: nodeFileSource(root, pending) };
}

/**
 * A target's path relative to the root, checked to stay inside it.
 * @param {Context} ctx
 * @param {string} target
 * @returns {string}
 */
function rootRelative(ctx, target) {
  const rel = normalize(path.relative(ctx.root, path.resolve(ctx.cwd, target)));
  if (rel === '..' || rel.startsWith('../') || path.isAbsolute(rel)) {
    throw usageError(`\`${target}\` is outside the repository (${ctx.root})`);
  }
  return rel;
}

/**
 * Reads a file through the context (pending texts first).
 * @param {Context} ctx
 * @param {string} rel
 * @param {string} shown
 * @returns {string}
 */
function readRel(ctx, rel, shown) {
  const text = ctx.source.read(rel);
  if (text === null || text === undefined) throw usageError(`\`${shown}\`: no such file or directory`);
  return text;
}

/**
 * Reads one environment.
 * @param {string} spec `target`, `label=target`, or a `,`-separated chain of values files
 * @param {Context} ctx
 * @returns {Environment}
 */
export function readEnvironment(spec, ctx) {
  const { name, target } = splitLabel(spec);
  const parts = target.split(',').map((t) => t.trim()).filter(Boolean);
  if (parts.length === 0) throw usageError(`\`${spec}\` names no target`);
  const rels = parts.map((p) => rootRelative(ctx, p));
  if (rels.length === 1 && ctx.source.list(rels[0]) !== null) {
    return kustomizeEnvironment(name, target, rels[0], ctx);
  }
  if (rels.length === 1 && KUSTOMIZATION_FILES.includes(path.posix.basename(rels[0]))) {
    return kustomizeEnvironment(name, target, path.posix.dirname(rels[0]), ctx);
  }
  if (rels.length === 1) {
    const text = readRel(ctx, rels[0], parts[0]);
    if (/^kind:\s*Application\s*$/m.test(text)) return argocdEnvironment(name, target, rels[0], text, ctx);
  }
  return helmEnvironment(name, target, rels, ctx);
}

/**
 * A kustomize overlay: the core computes the rendered images.
 * @param {string} name @param {string} target @param {string} dir @param {Context} ctx
 * @returns {Environment}
 */
function kustomizeEnvironment(name, target, dir, ctx) {
  const overlay = core.overlayImages(dir, ctx.source);
  const entering = enteringImages(dir, overlay, ctx);
  /** @type {Map<string, Cell>} */
  const images = new Map();
  overlay.images.forEach((/** @type {any} */ img, /** @type {number} */ i) => {
    const key = splitRef(entering[i]).name;
    if (!images.has(key)) images.set(key, { key, ...splitRef(img.image), file: img.file, line: img.line });
  });
  const unchecked = overlay.unchecked.map((/** @type {any} */ u) => `\`${u.what}\` in ${u.file}: ${u.reason}`);
  return { name, kind: 'kustomize', target, files: [overlay.kustomization], images, unchecked };
}

/**
 * The image of each container as it enters the overlay's own `images:` list (what that
 * list's entries are matched against): the overlay computed with its own list removed.
 * @param {string} dir
 * @param {{kustomization: string, images: any[]}} overlay
 * @param {Context} ctx
 * @returns {string[]}
 */
function enteringImages(dir, overlay, ctx) {
  const file = overlay.kustomization;
  const text = ctx.source.read(file) ?? '';
  let without;
  try {
    without = core.removeValue(text, 'images', { file }).text;
  } catch {
    return overlay.images.map((/** @type {any} */ i) => i.image); // no `images:` of its own
  }
  const pending = new Map(ctx.pending);
  pending.set(file, without);
  return core.overlayImages(dir, nodeFileSource(ctx.root, pending)).images.map((/** @type {any} */ i) => i.image);
}

/**
 * Applies kustomize image specs (Argo CD's `kustomize.images`) to one reference.
 * @param {Ref} ref
 * @param {string[]} specs
 * @returns {Ref}
 */
function applySpecs(ref, specs) {
  let cur = ref;
  for (const s of specs) {
    const spec = core.parseImageSpec(s);
    if (spec.name !== cur.name) continue;
    const next = {
      name: spec.newName === '*' || spec.newName === null ? cur.name : spec.newName,
      tag: spec.newTag === '*' ? cur.tag : spec.newTag,
      digest: spec.digest === '*' ? cur.digest : spec.digest,
    };
    cur = { ...next, image: joinRef(next) };
  }
  return cur;
}

/**
 * The `spec.source` of an Application (the first of `spec.sources` with a path).
 * @param {string} text
 * @param {string} file
 * @returns {{path: string|null, images: string[], imagesPath: string}}
 */
function applicationSource(text, file) {
  for (const base of ['spec.source', 'spec.sources[*]']) {
    let found;
    try {
      found = core.getValue(text, `${base}.path`, { all: true, file });
    } catch {
      continue;
    }
    for (const f of found) {
      const prefix = f.path.replace(/\.path$/, '');
      let images = [];
      try {
        images = core.getValue(text, `${prefix}.kustomize.images[*]`, { all: true, file }).map((/** @type {any} */ i) => String(i.value));
      } catch {
        images = [];
      }
      return { path: f.value === null ? null : String(f.value), images, imagesPath: `${prefix}.kustomize.images` };
    }
  }
  return { path: null, images: [], imagesPath: 'spec.source.kustomize.images' };
}

/**
 * An Argo CD Application: its source overlay (when it lies in this repository) with its
 * own image overrides on top; without the overlay, only the overrides are known.
 * @param {string} name @param {string} target @param {string} file @param {string} text @param {Context} ctx
 * @returns {Environment}
 */
function argocdEnvironment(name, target, file, text, ctx) {
  const src = applicationSource(text, file);
  /** @type {Map<string, Cell>} */
  const images = new Map();
  const unchecked = [];
  const overlayDir = src.path === null ? null : normalize(src.path);
  if (overlayDir !== null && ctx.source.list(overlayDir) !== null) {
    const env = kustomizeEnvironment(name, target, overlayDir, ctx);
    for (const [key, cell] of env.images) {
      const after = applySpecs(cell, src.images);
      images.set(key, after.image === cell.image ? cell : { key, ...after, file, line: lineOf(text, after.name) });
    }
    unchecked.push(...env.unchecked);
  } else {
    unchecked.push(`spec.source.path \`${src.path ?? ''}\` is not a directory of this repository: only the Application's own images are shown`);
    for (const s of src.images) {
      const spec = core.parseImageSpec(s);
      const ref = applySpecs({ image: spec.name, name: spec.name, tag: null, digest: null }, [s]);
      images.set(spec.name, { key: spec.name, ...ref, file, line: lineOf(text, s) });
    }
  }
  return { name, kind: 'argocd', target, files: [file], images, unchecked };
}

/**
 * 1-based line of the first occurrence of `needle` in `text` (1 when absent).
 * @param {string} text @param {string} needle
 * @returns {number}
 */
function lineOf(text, needle) {
  const i = text.indexOf(needle);
  return i < 0 ? 1 : text.slice(0, i).split('\n').length;
}

/** The file names kustomize reads as a directory's kustomization. */
const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** The fields of a Helm image block, in the order a reference is built from them. */
const HELM_FIELDS = /** @type {const} */ (['registry', 'repository', 'tag', 'digest']);

/**
 * A refused promotion (exit code 1): the message ends with the hint, as the core's
 * errors do, and the hint is also a field for --json.
 * @param {string} message
 * @param {{file?: string, hint?: string, line?: number, column?: number}} [fields]
 * @returns {GitopsBumpError}
 */
function promoteError(message, fields = {}) {
  return new GitopsBumpError(fields.hint ? `${message}\n  = help: ${fields.hint}` : message, { kind: 'promote', ...fields });
}

/**
 * A key path segment in the key-path grammar (quoted when it is not a plain word).
 * @param {string} key
 * @returns {string}
 */
function segment(key) {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? key : `[${JSON.stringify(key)}]`;
}

/**
 * Every image block of one values text: `{path → {field → {value, line}}}`.
 * @param {string} text
 * @param {string} file
 * @returns {Map<string, Record<string, {value: string, line: number}>>}
 */
function helmBlocks(text, file) {
  const YAML = yaml();
  const lines = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { schema: 'failsafe', lineCounter: lines, uniqueKeys: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const pos = lines.linePos(e.pos[0]);
    throw new GitopsBumpError(`${file}:${pos.line}:${pos.col}: ${e.message.split('\n')[0]}`, { kind: 'parse', file, line: pos.line, column: pos.col });
  }
  /** @type {Map<string, Record<string, {value: string, line: number}>>} */
  const out = new Map();
  /** @param {unknown} node @param {string} at */
  const walk = (node, at) => {
    if (!YAML.isMap(node)) {
      if (YAML.isSeq(node)) node.items.forEach((item, i) => walk(item, `${at}[${i}]`));
      return;
    }
    /** @type {Record<string, {value: string, line: number}>} */
    const fields = {};
    for (const pair of node.items) {
      const key = YAML.isScalar(pair.key) ? String(pair.key.value) : null;
      if (key === null) continue;
      if (/** @type {readonly string[]} */ (HELM_FIELDS).includes(key) && YAML.isScalar(pair.value)) {
        fields[key] = { value: String(pair.value.value ?? ''), line: lines.linePos(pair.value.range?.[0] ?? 0).line };
      } else {
        walk(pair.value, at ? `${at}.${segment(key)}` : segment(key));
      }
    }
    // an override file may set only the tag: the chain decides whether it is an image
    if (Object.keys(fields).length > 0) out.set(at, fields);
  };
  walk(doc.contents, '');
  return out;
}

/**
 * A chain of Helm values files; for each image block path, each field's value comes from
 * the last file of the chain that sets it.
 * @param {string} name @param {string} target @param {string[]} files @param {Context} ctx
 * @returns {Environment}
 */
function helmEnvironment(name, target, files, ctx) {
  /** @type {Map<string, Record<string, {value: string, line: number, file: string}>>} */
  const merged = new Map();
  for (const file of files) {
    for (const [at, fields] of helmBlocks(readRel(ctx, file, file), file)) {
      const cur = merged.get(at) ?? {};
      for (const [k, v] of Object.entries(fields)) cur[k] = { ...v, file };
      merged.set(at, cur);
    }
  }
  /** @type {Map<string, Cell>} */
  const images = new Map();
  for (const [at, f] of merged) {
    if (!f.repository?.value) continue;
    const refName = f.registry?.value ? `${f.registry.value}/${f.repository.value}` : f.repository.value;
    const parts = { name: refName, tag: f.tag?.value || null, digest: f.digest?.value || null };
    const from = f.digest?.value ? f.digest : f.tag ?? f.repository;
    images.set(refName, { key: refName, image: joinRef(parts), ...parts, file: from.file, line: from.line, ...{ valuesPath: at, fields: f } });
  }
  return { name, kind: 'helm', target, files, images, unchecked: [] };
}

/**
 * @typedef {object} Status
 * @property {{name: string, kind: string, target: string, unchecked: string[]}[]} environments
 * @property {{image: string, cells: Record<string, Cell|null>, differs: boolean}[]} images
 */

/**
 * The image × environment table of `targets`.
 * @param {string[]} targets
 * @param {Context} ctx
 * @returns {Status}
 */
export function status(targets, ctx) {
  const envs = targets.map((t) => readEnvironment(t, ctx));
  return statusOf(envs);
}

/**
 * @param {Environment[]} envs
 * @returns {Status}
 */
function statusOf(envs) {
  const keys = [...new Set(envs.flatMap((e) => [...e.images.keys()]))];
  return {
    environments: envs.map((e) => ({ name: e.name, kind: e.kind, target: e.target, unchecked: e.unchecked })),
    images: keys.map((key) => {
      const cells = Object.fromEntries(envs.map((e) => [e.name, strip(e.images.get(key)) ?? null]));
      const refs = new Set(Object.values(cells).map((c) => c?.image ?? null));
      return { image: key, cells, differs: refs.size > 1 };
    }),
  };
}

/**
 * A cell without the Helm bookkeeping fields.
 * @param {any} cell
 * @returns {Cell|undefined}
 */
function strip(cell) {
  if (!cell) return undefined;
  const { valuesPath, fields, ...rest } = cell;
  return rest;
}

/**
 * What a cell shows: the tag (or a short digest), prefixed by the name when the image
 * was renamed away from its key.
 * @param {Cell|null} cell
 * @param {string} key
 * @returns {string}
 */
function shown(cell, key) {
  if (!cell) return '-';
  const version = cell.digest ? `${cell.tag ? `${cell.tag}@` : '@'}${cell.digest.replace(/^(sha256:[0-9a-f]{12})[0-9a-f]+$/, '$1…')}` : cell.tag ?? '(no tag)';
  return cell.name === key ? version : `${cell.name}:${version}`;
}

/**
 * Renders a status table. Plain text marks with `*` each cell that differs from the
 * environment before it (targets are given in promotion order); markdown makes it bold.
 * @param {Status} st
 * @param {'plain'|'markdown'} format
 * @returns {string}
 */
export function renderStatus(st, format) {
  const names = st.environments.map((e) => e.name);
  const rows = st.images.map((row) =>
    names.map((n, i) => {
      const text = shown(row.cells[n], row.image);
      const prev = i > 0 ? row.cells[names[i - 1]] : undefined;
      const differs = i > 0 && (prev?.image ?? null) !== (row.cells[n]?.image ?? null);
      return { text, differs };
    }),
  );
  const notes = st.environments.flatMap((e) => e.unchecked.map((u) => `${e.name}: not followed: ${u}`));
  if (format === 'markdown') {
    const esc = (/** @type {string} */ s) => s.replace(/\|/g, '\\|');
    const out = [`| image | ${names.map(esc).join(' | ')} |`, `|---|${names.map(() => '---').join('|')}|`];
    st.images.forEach((row, r) => {
      out.push(`| \`${esc(row.image)}\` | ${rows[r].map((c) => (c.differs ? `**${esc(c.text)}**` : esc(c.text))).join(' | ')} |`);
    });
    if (st.images.some((r) => r.differs)) out.push('', 'Bold: differs from the environment to its left.');
    for (const n of notes) out.push('', `> ${n}`);
    return `${out.join('\n')}\n`;
  }
  const header = ['IMAGE', ...names];
  const body = st.images.map((row, r) => [row.image, ...rows[r].map((c) => `${c.text}${c.differs ? ' *' : ''}`)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (/** @type {string[]} */ cols) => cols.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const out = [line(header), ...body.map(line)];
  if (st.images.some((r) => r.differs)) out.push('', '* differs from the environment to its left');
  out.push(...notes);
  return `${out.join('\n')}\n`;
}

/**
 * @typedef {object} Promotion
 * @property {string} from
 * @property {string} to
 * @property {{image: string, from: string|null, before: string|null, after: string|null}[]} rows every image of TO
 * @property {{file: string, text: string, changes: object[]}[]} files TO's files with their new texts
 */

/**
 * Computes the promotion of `images` (default: every image whose reference differs) from
 * FROM to TO: the new texts of TO's own files, checked by recomputing TO.
 * @param {string} fromSpec
 * @param {string} toSpec
 * @param {string[]} images image names (keys, as `status` shows them); empty for all that differ
 * @param {Context} ctx
 * @returns {Promotion}
 * @throws {GitopsBumpError} `usage` for FROM = TO or an image FROM does not have;
 *   `promote` when TO has no file of its own that can carry the change or the recomputed
 *   TO does not match
 */
export function computePromotion(fromSpec, toSpec, images, ctx) {
  const from = readEnvironment(fromSpec, ctx);
  const to = readEnvironment(toSpec, ctx);
  if (from.kind === to.kind && from.files.join(',') === to.files.join(',')) {
    throw usageError(`FROM and TO are the same environment (\`${to.target}\`): nothing to promote`);
  }
  for (const name of images) {
    if (!from.images.has(name)) {
      throw usageError(`${from.name} runs no image \`${name}\`\n  = help: ${from.name} runs ${[...from.images.keys()].join(', ') || 'no images'}`);
    }
    if (!to.images.has(name)) {
      throw usageError(`${to.name} runs no image \`${name}\`: promotion changes the version of an image TO already runs\n  = help: ${to.name} runs ${[...to.images.keys()].join(', ') || 'no images'}`);
    }
  }
  /** What TO must run for `key`: FROM's version, under TO's own name when TO renames the image. */
  const desired = (/** @type {string} */ key) => promoted(key, /** @type {Cell} */ (from.images.get(key)), /** @type {Cell} */ (to.images.get(key)));
  const wanted = images.length > 0 ? images : [...from.images.keys()].filter((k) => to.images.has(k) && desired(k).image !== to.images.get(k)?.image);

  /** @type {Map<string, {text: string, changes: object[]}>} TO's own file → new text */
  const texts = new Map();
  for (const key of wanted) {
    const current = /** @type {any} */ (to.images.get(key));
    const target = desired(key);
    if (target.image === current.image) continue;
    if (to.kind === 'helm') {
      promoteHelm(key, /** @type {any} */ (from.images.get(key)), current, from, to, texts, ctx);
    } else {
      promoteSpec(key, target, to, texts, ctx);
    }
  }

  // recompute TO over the new texts: promoted images equal FROM's, the rest are unchanged
  const pending = new Map(ctx.pending);
  for (const [file, t] of texts) pending.set(file, t.text);
  const after = readEnvironment(specOf(to), context(ctx.root, ctx.cwd, pending));
  for (const [key, before] of to.images) {
    const now = after.images.get(key);
    const expected = wanted.includes(key) ? desired(key).image : before.image;
    if (now?.image !== expected) {
      throw promoteError(
        `promoting to ${to.name} would make \`${key}\` ${now?.image ?? 'disappear'} instead of ${expected}; nothing was written`,
        { hint: `an entry of ${to.files.join(', ')} that the promotion cannot express (e.g. a digest it would have to clear); edit it with \`gitops-bump image\` or \`set\`` },
      );
    }
  }
  const rows = [...to.images.keys()].map((key) => ({
    image: key,
    from: from.images.get(key)?.image ?? null,
    before: to.images.get(key)?.image ?? null,
    after: after.images.get(key)?.image ?? null,
  }));
  const files = [...texts].map(([file, t]) => ({ file, text: t.text, changes: t.changes }));
  return { from: from.name, to: to.name, rows, files };
}

/**
 * The reference TO runs for `key` after a promotion: FROM's version (tag and digest). The
 * name is TO's own when TO renames the image itself (an entry with its own `newName`, as
 * for a pull-through mirror: the mirror stays); otherwise FROM's, so a rename being rolled
 * out travels with the version.
 * @param {string} key @param {Cell} fromCell @param {Cell} toCell
 * @returns {Ref}
 */
function promoted(key, fromCell, toCell) {
  if (toCell.name === key || toCell.name === fromCell.name) return fromCell;
  const parts = { name: toCell.name, tag: fromCell.tag, digest: fromCell.digest };
  return { ...parts, image: joinRef(parts) };
}

/**
 * Promotes one image into a kustomize overlay or an Argo CD Application with a kustomize
 * image spec written into TO's own file (the core edits the `images:` entry in place or
 * appends one). The spec names the image as it enters TO, so TO's entry matches it.
 * @param {string} key @param {Ref} target what TO must run @param {Environment} to
 * @param {Map<string, {text: string, changes: object[]}>} texts @param {Context} ctx
 */
function promoteSpec(key, target, to, texts, ctx) {
  const file = to.files[0];
  const prior = texts.get(file) ?? { text: readRel(ctx, file, file), changes: [] };
  if (!target.tag && !target.digest) {
    throw promoteError(`cannot promote \`${key}\`: ${target.image} has neither tag nor digest, which an image spec cannot express`);
  }
  const version = `${target.tag ? `:${target.tag}` : ''}${target.digest ? `@${target.digest}` : ''}`;
  // the version alone first: an entry's own newName (a mirror) stays as it is
  const specs = [`${key}${version}`, `${key}=${target.name}${version}`];
  let last;
  for (const spec of specs) {
    try {
      const out = core.setImage(prior.text, spec, { file, target: to.kind === 'argocd' ? 'argocd' : 'kustomization' });
      const pending = new Map(ctx.pending);
      for (const [f, t] of texts) pending.set(f, t.text);
      pending.set(file, out.text);
      const now = readEnvironment(specOf(to), context(ctx.root, ctx.cwd, pending)).images.get(key);
      if (now?.image === target.image) {
        texts.set(file, { text: out.text, changes: [...prior.changes, ...out.changes] });
        return;
      }
      last = now?.image;
    } catch (error) {
      last = /** @type {Error} */ (error).message;
    }
  }
  throw promoteError(`cannot make ${to.name} run ${target.image} for \`${key}\` by editing ${file} (got ${last})`, { file });
}

/**
 * Promotes one image into a Helm values chain: the fields that differ are set in TO's own
 * values file (the last file of TO's chain that FROM does not read), created there when
 * only a shared file had them.
 * @param {string} key @param {any} target @param {any} current @param {Environment} from @param {Environment} to
 * @param {Map<string, {text: string, changes: object[]}>} texts @param {Context} ctx
 */
function promoteHelm(key, target, current, from, to, texts, ctx) {
  const own = [...to.files].reverse().find((f) => !from.files.includes(f));
  if (!own) {
    const field = current.fields.digest ? 'digest' : 'tag';
    const where = current.fields[field]?.file ?? current.fields.repository.file;
    const at = current.valuesPath ? `${current.valuesPath}.${field}` : field;
    throw promoteError(
      `${to.name} has no values file of its own: \`${at}\` of \`${key}\` lives in ${where}, which ${from.name} reads too`,
      { file: where, hint: `give ${to.name} its own values file (TO=shared.yaml,own.yaml), or change ${where} on purpose with \`gitops-bump set\`` },
    );
  }
  const out = texts.get(own) ?? { text: readRel(ctx, own, own), changes: [] };
  for (const field of HELM_FIELDS) {
    const want = target.fields[field]?.value ?? '';
    const have = current.fields[field]?.value ?? '';
    if (want === have) continue;
    const r = core.setValue(out.text, `${current.valuesPath}.${field}`, want, { file: own, create: true, type: 'string' });
    out.text = r.text;
    out.changes.push(...r.changes);
  }
  texts.set(own, out);
}

/**
 * The before/after table of a promotion, as markdown (for a pull request body) or text.
 * @param {Promotion} p
 * @param {'plain'|'markdown'} format
 * @returns {string}
 */
export function renderPromotion(p, format) {
  const rows = p.rows.map((r) => [r.image, r.from ?? '-', r.before ?? '-', r.after ?? '-', r.before === r.after ? '' : 'promoted']);
  if (format === 'markdown') {
    const out = [
      `Promote ${p.from} → ${p.to}`,
      '',
      `| image | ${p.from} | ${p.to} before | ${p.to} after |`,
      '|---|---|---|---|',
      ...rows.map(([img, f, b, a, mark]) => `| \`${img}\` | \`${f}\` | \`${b}\` | ${mark ? `**\`${a}\`**` : `\`${a}\``} |`),
    ];
    return `${out.join('\n')}\n`;
  }
  const header = ['IMAGE', p.from, `${p.to} (before)`, `${p.to} (after)`, ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (/** @type {string[]} */ cols) => cols.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}
